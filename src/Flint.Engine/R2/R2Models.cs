namespace Flint.Engine.R2;

/// <summary>An object's HTTP metadata; <see cref="CacheExpiry"/> in milliseconds since the Unix epoch.</summary>
public sealed record R2HttpMetadata
{
    public static readonly R2HttpMetadata Empty = new();

    public string? ContentType { get; init; }
    public string? ContentLanguage { get; init; }
    public string? ContentDisposition { get; init; }
    public string? ContentEncoding { get; init; }
    public string? CacheControl { get; init; }
    public long? CacheExpiry { get; init; }
}

/// <summary>The hash algorithms a put can be checked with, in R2's order.</summary>
public enum R2HashAlgorithm { Md5, Sha1, Sha256, Sha384, Sha512 }

/// <summary>An object as R2 describes it. <see cref="Uploaded"/> is in milliseconds since the Unix epoch.</summary>
public sealed record R2Object
{
    public required string Key { get; init; }
    public required string Version { get; init; }
    public required long Size { get; init; }
    public required string Etag { get; init; }
    public required long Uploaded { get; init; }
    public R2HttpMetadata HttpMetadata { get; init; } = R2HttpMetadata.Empty;
    /// <summary>Custom metadata in the order it was given.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> CustomMetadata { get; init; } = [];
    /// <summary>Hex digests by algorithm; a single put always has MD5 (its etag).</summary>
    public IReadOnlyDictionary<R2HashAlgorithm, string> Checksums { get; init; } = new Dictionary<R2HashAlgorithm, string>();
    /// <summary>The storage class the object was written with, or null when none was asked for.</summary>
    public string? StorageClass { get; init; }
    /// <summary>Whether this object was completed from a multipart upload (its etag ends in "-N").</summary>
    public bool IsMultipart => Etag.Contains('-');
}

/// <summary>A byte range of an object.</summary>
public readonly record struct R2Range(long Offset, long Length);

/// <summary>The range a get asks for: an offset and/or length, a suffix, or an HTTP Range header.</summary>
public sealed record R2RangeRequest
{
    public long? Offset { get; init; }
    public long? Length { get; init; }
    public long? Suffix { get; init; }
    /// <summary>A Range header (<c>bytes=…</c>); only a single satisfiable range is honoured, as in R2.</summary>
    public string? Header { get; init; }
}

public enum R2EtagKind { Strong, Weak, Wildcard }

public readonly record struct R2Etag(R2EtagKind Kind, string Value)
{
    public static R2Etag Wildcard => new(R2EtagKind.Wildcard, "*");
}

/// <summary>Conditions on an object (onlyIf); times in milliseconds since the Unix epoch.</summary>
public sealed record R2Conditional
{
    public IReadOnlyList<R2Etag>? EtagMatches { get; init; }
    public IReadOnlyList<R2Etag>? EtagDoesNotMatch { get; init; }
    public long? UploadedBefore { get; init; }
    public long? UploadedAfter { get; init; }
    /// <summary>Compare times truncated to seconds (as HTTP dates are).</summary>
    public bool SecondsGranularity { get; init; }
}

public sealed record R2GetOptions
{
    public R2Conditional? OnlyIf { get; init; }
    public R2RangeRequest? Range { get; init; }
}

public sealed record R2PutOptions
{
    public R2HttpMetadata HttpMetadata { get; init; } = R2HttpMetadata.Empty;
    public IReadOnlyList<KeyValuePair<string, string>> CustomMetadata { get; init; } = [];
    public R2Conditional? OnlyIf { get; init; }
    /// <summary>Digests the body must have; a mismatch is BadDigest.</summary>
    public IReadOnlyDictionary<R2HashAlgorithm, byte[]> ExpectedHashes { get; init; } = new Dictionary<R2HashAlgorithm, byte[]>();
    public string? StorageClass { get; init; }
}

public sealed record R2MultipartOptions
{
    public R2HttpMetadata HttpMetadata { get; init; } = R2HttpMetadata.Empty;
    public IReadOnlyList<KeyValuePair<string, string>> CustomMetadata { get; init; } = [];
    public string? StorageClass { get; init; }
}

/// <summary>
/// What a get found: the object, and its body for <see cref="Range"/> unless a condition did
/// not hold (then <see cref="Body"/> is null, as R2 answers with the object alone). Dispose it.
/// </summary>
public sealed class R2GetResult(R2Object @object, R2Range range, Stream? body) : IAsyncDisposable, IDisposable
{
    public R2Object Object { get; } = @object;
    public R2Range Range { get; } = range;
    public Stream? Body { get; private set; } = body;
    public bool PreconditionFailed => Body is null;

    /// <summary>Hands the body to the caller, who disposes it.</summary>
    public Stream TakeBody()
    {
        var body = Body ?? throw new InvalidOperationException("The object has no body: a condition did not hold.");
        Body = null;
        return body;
    }

    public void Dispose()
    {
        Body?.Dispose();
        Body = null;
    }

    public async ValueTask DisposeAsync()
    {
        if (Body is { } body) await body.DisposeAsync().ConfigureAwait(false);
        Body = null;
    }
}

public sealed record R2ListOptions
{
    public string? Prefix { get; init; }
    /// <summary>Groups keys by what follows the prefix up to this string; empty means none.</summary>
    public string? Delimiter { get; init; }
    /// <summary>A cursor a previous list returned.</summary>
    public string? Cursor { get; init; }
    /// <summary>List keys after this one (the later of it and the cursor's position wins).</summary>
    public string? StartAfter { get; init; }
    public int? Limit { get; init; }
    public bool IncludeHttpMetadata { get; init; }
    public bool IncludeCustomMetadata { get; init; }
}

/// <summary>
/// A page of a listing. <see cref="LastKey"/> is the last key the page covered (for a delimited
/// prefix, the last key under it); <see cref="Cursor"/> encodes it when the listing is truncated.
/// </summary>
public sealed record R2ListResult(IReadOnlyList<R2Object> Objects, IReadOnlyList<string> DelimitedPrefixes, bool Truncated, string? Cursor, string? LastKey);

public sealed record R2UploadedPart(int PartNumber, string Etag);

/// <summary>A part of an upload in progress, as S3's ListParts shows it.</summary>
public sealed record R2PartInfo(int PartNumber, string Etag, long Size, long Uploaded);

/// <summary>An upload in progress, as S3's ListMultipartUploads shows it.</summary>
public sealed record R2UploadInfo(string Key, string UploadId, long Initiated, string? StorageClass);

/// <summary>A bucket as ListBuckets shows it; <see cref="Created"/> in milliseconds since the Unix epoch.</summary>
public sealed record R2BucketInfo(string Name, long Created);
