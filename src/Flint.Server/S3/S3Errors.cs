using Flint.Engine.R2;

namespace Flint.Server.S3;

/// <summary>An S3 error: the HTTP status and the code and message S3 puts in its XML error document.</summary>
public sealed class S3Exception(int status, string code, string message) : Exception(message)
{
    public int Status { get; } = status;
    public string Code { get; } = code;

    public static S3Exception AccessDenied(string message = "Access Denied") => new(403, "AccessDenied", message);
    public static S3Exception SignatureDoesNotMatch() => new(403, "SignatureDoesNotMatch",
        "The request signature we calculated does not match the signature you provided. Check your secret access key and signing method.");
    public static S3Exception InvalidAccessKeyId() => new(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.");
    public static S3Exception AuthorizationHeaderMalformed(string message) => new(400, "AuthorizationHeaderMalformed", message);
    public static S3Exception InvalidArgument(string message) => new(400, "InvalidArgument", message);
    public static S3Exception InvalidRequest(string message) => new(400, "InvalidRequest", message);
    public static S3Exception NoSuchBucket() => new(404, "NoSuchBucket", "The specified bucket does not exist.");
    public static S3Exception NoSuchKey() => new(404, "NoSuchKey", "The specified key does not exist.");
    public static S3Exception NoSuchUpload() => new(404, "NoSuchUpload", "The specified multipart upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.");
    public static S3Exception MalformedXml() => new(400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema.");
    public static S3Exception NotImplemented(string what) => new(501, "NotImplemented", $"{what} is not implemented by Flint's S3 API.");
    public static S3Exception PreconditionFailed() => new(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold.");
    public static S3Exception InvalidRange() => new(416, "InvalidRange", "The requested range is not satisfiable");
    public static S3Exception ContentSha256Mismatch() => new(400, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.");
    public static S3Exception BadDigest(string message) => new(400, "BadDigest", message);
    public static S3Exception IncompleteBody() => new(400, "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header.");

    /// <summary>The S3 answer to an R2 engine error: its S3 code, with R2's message.</summary>
    public static S3Exception From(R2Exception ex) => new(ex.Status == 500 && ex.Code != 10001 ? 400 : ex.Status, ex.S3Code, ex.Message);
}
