namespace Flint.Engine.R2;

/// <summary>R2's documented limits, the numbers wrangler dev (Miniflare) enforces.</summary>
public static class R2Limits
{
    public const int MaxKeyBytes = 1024;
    /// <summary>Custom metadata, counted as Miniflare counts it (see <see cref="R2Validation.MetadataSize"/>).</summary>
    public const int MaxMetadataSize = 8192;
    /// <summary>5 GiB less 5 MiB: the largest single put (and part).</summary>
    public const long MaxObjectBytes = 5_363_466_240;
    /// <summary>Every part of a multipart upload but the last must be at least this long.</summary>
    public const long MinPartBytes = 5 * 1024 * 1024;
    public const int MaxPartNumber = 10_000;
    public const int MaxListKeys = 1000;
    /// <summary>A list that includes metadata returns at most this many objects.</summary>
    public const int MaxListKeysWithMetadata = 100;
    /// <summary>S3's DeleteObjects takes at most this many keys.</summary>
    public const int MaxDeleteKeys = 1000;
}

/// <summary>
/// An R2 operation refused, with the HTTP status, R2's v4 error code and message (the Workers
/// binding shows it as <c>{method}: {message} ({code})</c>, as workerd does) and the S3 error
/// code the S3 API answers with.
/// </summary>
public sealed class R2Exception(int status, int code, string s3Code, string message) : Exception(message)
{
    public int Status { get; } = status;
    public int Code { get; } = code;
    public string S3Code { get; } = s3Code;
}

/// <summary>R2's errors, worded as R2 (and Miniflare) word them.</summary>
public static class R2Errors
{
    public static R2Exception InternalError() => new(500, 10001, "InternalError", "We encountered an internal error. Please try again.");
    public static R2Exception NoSuchKey() => new(404, 10007, "NoSuchKey", "The specified key does not exist.");
    public static R2Exception EntityTooLarge() => new(400, 100100, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed object size.");
    public static R2Exception EntityTooSmall() => new(400, 10011, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size.");
    public static R2Exception MetadataTooLarge() => new(400, 10012, "MetadataTooLarge", "Your metadata headers exceed the maximum allowed metadata size.");
    public static R2Exception InvalidObjectName() => new(400, 10020, "InvalidObjectName", "The specified object name is not valid.");
    public static R2Exception InvalidMaxKeys() => new(400, 10022, "InvalidArgument", "MaxKeys params must be positive integer <= 1000.");
    public static R2Exception NoSuchUpload() => new(404, 10024, "NoSuchUpload", "The specified multipart upload does not exist.");
    public static R2Exception InvalidPart() => new(400, 10025, "InvalidPart", "One or more of the specified parts could not be found.");
    public static R2Exception PreconditionFailed() => new(412, 10031, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold.");
    public static R2Exception InvalidRange() => new(416, 10039, "InvalidRange", "The requested range is not satisfiable");
    public static R2Exception BadUpload() => new(500, 10048, "InvalidPart", "There was a problem with the multipart upload.");

    public static R2Exception BadDigest(string algorithm, byte[] provided, byte[] actual) => new(400, 10037, "BadDigest",
        $"The {algorithm} checksum you specified did not match what we received.\n" +
        $"You provided a {algorithm} checksum with value: {Convert.ToHexStringLower(provided)}\n" +
        $"Actual {algorithm} was: {Convert.ToHexStringLower(actual)}");
}
