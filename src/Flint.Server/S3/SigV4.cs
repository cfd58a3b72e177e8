using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Flint.Server.S3;

/// <summary>
/// What a verified request was signed with: the key, the scope (date/region/service), the
/// request time and the seed signature that chunk signatures of a streamed payload chain from.
/// </summary>
public sealed record SigV4Context(string AccessKeyId, byte[] SigningKey, string Scope, string AmzDate, string Signature, string PayloadHash);

/// <summary>
/// AWS Signature Version 4 as S3 checks it: an Authorization header or a presigned query, over
/// the canonical request (method, URI encoded once, sorted query, signed headers, payload hash).
/// Any region is accepted, as R2 does (clients say "auto" or "us-east-1"); the service must be s3.
/// Nothing is served without a valid signature.
/// </summary>
public sealed class SigV4(S3Credentials credentials, TimeProvider time)
{
    public const string Algorithm = "AWS4-HMAC-SHA256";
    public const string UnsignedPayload = "UNSIGNED-PAYLOAD";
    public const string StreamingSigned = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
    public const string StreamingSignedTrailer = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
    public const string StreamingUnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
    public static readonly string EmptySha256 = Convert.ToHexStringLower(SHA256.HashData([]));

    private static readonly TimeSpan s_maxSkew = TimeSpan.FromMinutes(15);

    /// <summary>Checks the request's signature; throws <see cref="S3Exception"/> (403) when it is missing or wrong.</summary>
    public SigV4Context Verify(HttpRequest request)
    {
        var auth = request.Headers.Authorization.ToString();
        if (auth.Length > 0) return VerifyHeader(request, auth);
        if (request.Query.ContainsKey("X-Amz-Signature")) return VerifyPresigned(request);
        throw S3Exception.AccessDenied("Access Denied: the request is not signed. Sign it with AWS Signature Version 4 using the access key flint dev printed.");
    }

    private SigV4Context VerifyHeader(HttpRequest request, string auth)
    {
        if (!auth.StartsWith(Algorithm + " ", StringComparison.Ordinal))
            throw S3Exception.InvalidArgument($"Unsupported Authorization type: only {Algorithm} (Signature Version 4) is accepted.");
        string? credential = null, signedHeaders = null, signature = null;
        foreach (var part in auth[(Algorithm.Length + 1)..].Split(','))
        {
            var kv = part.Trim();
            var eq = kv.IndexOf('=');
            if (eq < 0) continue;
            var (name, value) = (kv[..eq], kv[(eq + 1)..]);
            if (name == "Credential") credential = value;
            else if (name == "SignedHeaders") signedHeaders = value;
            else if (name == "Signature") signature = value;
        }
        if (credential is null || signedHeaders is null || signature is null)
            throw S3Exception.AuthorizationHeaderMalformed("The authorization header is malformed; it needs Credential, SignedHeaders and Signature.");
        var amzDate = request.Headers["x-amz-date"].ToString();
        if (amzDate.Length == 0) amzDate = ToAmzDate(request.Headers.Date.ToString());
        var payloadHash = request.Headers["x-amz-content-sha256"].ToString();
        if (payloadHash.Length == 0)
            throw S3Exception.InvalidRequest("Missing required header for this request: x-amz-content-sha256");
        CheckTime(amzDate, TimeSpan.Zero);
        return Check(request, credential, signedHeaders, signature, amzDate, payloadHash, presigned: false);
    }

    private SigV4Context VerifyPresigned(HttpRequest request)
    {
        var q = request.Query;
        if (q["X-Amz-Algorithm"] != Algorithm) throw S3Exception.InvalidArgument($"X-Amz-Algorithm must be {Algorithm}.");
        var credential = q["X-Amz-Credential"].ToString();
        var amzDate = q["X-Amz-Date"].ToString();
        var signedHeaders = q["X-Amz-SignedHeaders"].ToString();
        var signature = q["X-Amz-Signature"].ToString();
        if (!int.TryParse(q["X-Amz-Expires"], NumberStyles.None, CultureInfo.InvariantCulture, out var expires) || expires < 1 || expires > 604800)
            throw S3Exception.AuthorizationHeaderMalformed("X-Amz-Expires must be a number of seconds from 1 to 604800.");
        if (credential.Length == 0 || amzDate.Length == 0 || signedHeaders.Length == 0)
            throw S3Exception.AuthorizationHeaderMalformed("A presigned URL needs X-Amz-Credential, X-Amz-Date, X-Amz-SignedHeaders and X-Amz-Signature.");
        CheckTime(amzDate, TimeSpan.FromSeconds(expires));
        var payloadHash = q.TryGetValue("X-Amz-Content-Sha256", out var h) ? h.ToString() : UnsignedPayload;
        return Check(request, credential, signedHeaders, signature, amzDate, payloadHash, presigned: true);
    }

    private static string ToAmzDate(string httpDate)
    {
        if (DateTimeOffset.TryParse(httpDate, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d))
            return d.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        throw S3Exception.AccessDenied("AWS authentication requires a valid Date or x-amz-date header.");
    }

    private static DateTimeOffset ParseAmzDate(string amzDate) =>
        DateTimeOffset.TryParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var d)
            ? d
            : throw S3Exception.AccessDenied($"Invalid date \"{amzDate}\": expected the ISO 8601 basic form 20260101T000000Z.");

    /// <summary>A signed request must be within 15 minutes of now; a presigned one also not past its expiry.</summary>
    private void CheckTime(string amzDate, TimeSpan validFor)
    {
        var signedAt = ParseAmzDate(amzDate);
        var now = time.GetUtcNow();
        if (validFor == TimeSpan.Zero)
        {
            if ((now - signedAt).Duration() > s_maxSkew)
                throw new S3Exception(403, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large.");
            return;
        }
        if (signedAt - now > s_maxSkew) throw S3Exception.AccessDenied("Request is not valid yet");
        if (now > signedAt + validFor) throw S3Exception.AccessDenied("Request has expired");
    }

    private SigV4Context Check(HttpRequest request, string credential, string signedHeaders, string signature, string amzDate, string payloadHash, bool presigned)
    {
        // Credential=AKID/20260101/region/s3/aws4_request
        var parts = credential.Split('/');
        if (parts.Length != 5 || parts[4] != "aws4_request")
            throw S3Exception.AuthorizationHeaderMalformed($"The credential \"{credential}\" is malformed; expected ACCESS_KEY/DATE/REGION/s3/aws4_request.");
        var (accessKey, date, region, service) = (parts[0], parts[1], parts[2], parts[3]);
        if (service != "s3") throw S3Exception.AuthorizationHeaderMalformed($"The credential names service \"{service}\"; this endpoint is \"s3\".");
        if (!amzDate.StartsWith(date, StringComparison.Ordinal)) throw S3Exception.AuthorizationHeaderMalformed("The credential's date does not match the request date.");
        var secret = credentials.SecretFor(accessKey) ?? throw S3Exception.InvalidAccessKeyId();
        var scope = $"{date}/{region}/{service}/aws4_request";
        var canonical = CanonicalRequest(request, signedHeaders, payloadHash, presigned);
        var stringToSign = $"{Algorithm}\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        var key = SigningKey(secret, date, region, service);
        var expected = Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature.ToLowerInvariant())))
            throw S3Exception.SignatureDoesNotMatch();
        return new SigV4Context(accessKey, key, scope, amzDate, expected, payloadHash);
    }

    public static byte[] SigningKey(string secret, string date, string region, string service)
    {
        var k = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secret), Encoding.UTF8.GetBytes(date));
        k = HMACSHA256.HashData(k, Encoding.UTF8.GetBytes(region));
        k = HMACSHA256.HashData(k, Encoding.UTF8.GetBytes(service));
        return HMACSHA256.HashData(k, "aws4_request"u8.ToArray());
    }

    /// <summary>
    /// The canonical request. S3 encodes the path once (not twice, as other services do) and does
    /// not normalize it: the path is decoded as sent and re-encoded by RFC 3986's rules.
    /// </summary>
    internal static string CanonicalRequest(HttpRequest request, string signedHeaders, string payloadHash, bool presigned)
    {
        var raw = RawTarget(request);
        var q = raw.IndexOf('?');
        var path = q < 0 ? raw : raw[..q];
        var query = q < 0 ? "" : raw[(q + 1)..];
        var sb = new StringBuilder(256);
        sb.Append(request.Method).Append('\n');
        sb.Append(UriEncode(Uri.UnescapeDataString(path.Length == 0 ? "/" : path), encodeSlash: false)).Append('\n');
        sb.Append(CanonicalQuery(query, presigned)).Append('\n');
        foreach (var name in signedHeaders.Split(';'))
        {
            var values = name == "host" ? request.Headers.Host.ToString() : string.Join(",", request.Headers[name].Select(v => v ?? ""));
            sb.Append(name).Append(':').Append(CollapseSpaces(values)).Append('\n');
        }
        sb.Append('\n').Append(signedHeaders).Append('\n').Append(payloadHash);
        return sb.ToString();
    }

    /// <summary>The request target as the client sent it (Kestrel keeps it), else rebuilt from the decoded path and query.</summary>
    internal static string RawTarget(HttpRequest request) =>
        request.HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget is { Length: > 0 } raw && raw[0] == '/'
            ? raw : request.Path.Value + request.QueryString.Value;

    private static string CanonicalQuery(string query, bool presigned)
    {
        if (query.Length == 0) return "";
        var pairs = new List<(string Key, string Value)>();
        foreach (var item in query.Split('&'))
        {
            if (item.Length == 0) continue;
            var eq = item.IndexOf('=');
            var key = Uri.UnescapeDataString((eq < 0 ? item : item[..eq]).Replace('+', ' '));
            var value = eq < 0 ? "" : Uri.UnescapeDataString(item[(eq + 1)..].Replace('+', ' '));
            if (presigned && key == "X-Amz-Signature") continue;
            pairs.Add((UriEncode(key, true), UriEncode(value, true)));
        }
        pairs.Sort((a, b) => a.Key != b.Key ? string.CompareOrdinal(a.Key, b.Key) : string.CompareOrdinal(a.Value, b.Value));
        return string.Join("&", pairs.Select(p => $"{p.Key}={p.Value}"));
    }

    private static string CollapseSpaces(string value)
    {
        var trimmed = value.Trim();
        if (!trimmed.Contains("  ", StringComparison.Ordinal)) return trimmed;
        var sb = new StringBuilder(trimmed.Length);
        var space = false;
        foreach (var c in trimmed)
        {
            if (c == ' ') { if (!space) sb.Append(c); space = true; }
            else { sb.Append(c); space = false; }
        }
        return sb.ToString();
    }

    /// <summary>RFC 3986 percent-encoding of UTF-8 bytes: unreserved characters stay, everything else is %XX.</summary>
    public static string UriEncode(string s, bool encodeSlash)
    {
        var sb = new StringBuilder(s.Length + 16);
        foreach (var b in Encoding.UTF8.GetBytes(s))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~' || (c == '/' && !encodeSlash)) sb.Append(c);
            else sb.Append('%').Append(Convert.ToHexString([b]));
        }
        return sb.ToString();
    }

    public static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    /// <summary>The signature of one chunk of a streamed payload, chained from the previous one.</summary>
    public static string ChunkSignature(SigV4Context context, string previous, byte[] chunkSha256) =>
        Hex(HMACSHA256.HashData(context.SigningKey, Encoding.UTF8.GetBytes(
            $"AWS4-HMAC-SHA256-PAYLOAD\n{context.AmzDate}\n{context.Scope}\n{previous}\n{EmptySha256}\n{Hex(chunkSha256)}")));

    /// <summary>The signature of a streamed payload's trailing headers.</summary>
    public static string TrailerSignature(SigV4Context context, string previous, string trailers) =>
        Hex(HMACSHA256.HashData(context.SigningKey, Encoding.UTF8.GetBytes(
            $"AWS4-HMAC-SHA256-TRAILER\n{context.AmzDate}\n{context.Scope}\n{previous}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(trailers)))}")));
}
