using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Xml.Linq;
using Flint.Engine.R2;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using static Flint.Server.S3.S3Xml;

namespace Flint.Server.S3;

/// <summary>
/// The S3-compatible API over the same R2 buckets the Workers see: every request signed
/// (SigV4), path-style (<c>/bucket/key</c>) or virtual-host-style (<c>bucket.localhost</c>)
/// addressing, S3's XML answers and error codes. Bodies stream both ways.
/// </summary>
internal sealed class S3Api(R2Storage storage, SigV4 signer, ILogger log)
{
    /// <summary>Host names under which the first label is a bucket (virtual-host style).</summary>
    private static readonly string[] s_virtualHostDomains = [".localhost"];

    public async Task HandleAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var request = context.Request;
        var (bucket, key) = Address(request);
        var requestId = Guid.NewGuid().ToString("N")[..16].ToUpperInvariant();
        context.Response.Headers["x-amz-request-id"] = requestId;
        try
        {
            var auth = signer.Verify(request);
            if (log.IsEnabled(LogLevel.Debug)) log.LogDebug("S3 {Method} {Path} signed by {AccessKey}, payload {Payload}", request.Method, request.Path, auth.AccessKeyId, auth.PayloadHash);
            await DispatchAsync(context, auth, bucket, key).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is S3Exception or R2Exception)
        {
            var s3 = ex as S3Exception ?? S3Exception.From((R2Exception)ex);
            await WriteErrorAsync(context, s3, requestId, bucket, key).ConfigureAwait(false);
        }
        catch (BadHttpRequestException)
        {
            if (!context.Response.HasStarted) context.Response.StatusCode = 400;
        }
        catch (IOException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away mid-transfer.
        }
        log.LogInformation("S3 {Method} {Path} {Status} ({Elapsed:F0}ms)", request.Method, request.Path + request.QueryString,
            context.Response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    private static async Task WriteErrorAsync(HttpContext context, S3Exception ex, string requestId, string? bucket, string? key)
    {
        var response = context.Response;
        if (response.HasStarted) { context.Abort(); return; }
        response.Clear();
        response.Headers["x-amz-request-id"] = requestId;
        if (HttpMethods.IsHead(context.Request.Method))
        {
            response.StatusCode = ex.Status;
            return;
        }
        var resource = bucket is null ? "/" : key is null ? $"/{bucket}" : $"/{bucket}/{key}";
        await WriteAsync(response, Error(ex, resource, requestId, bucket, key), ex.Status).ConfigureAwait(false);
    }

    /// <summary>The bucket and key a request names: from a virtual host (<c>bucket.localhost</c>) or the path's first segment.</summary>
    internal static (string? Bucket, string? Key) Address(HttpRequest request)
    {
        var raw = SigV4.RawTarget(request);
        var q = raw.IndexOf('?');
        var path = (q < 0 ? raw : raw[..q]).TrimStart('/');
        var host = request.Host.Host;
        foreach (var domain in s_virtualHostDomains)
        {
            if (host.Length > domain.Length && host.EndsWith(domain, StringComparison.OrdinalIgnoreCase))
                return (host[..^domain.Length].ToLowerInvariant(), path.Length == 0 ? null : Uri.UnescapeDataString(path));
        }
        if (path.Length == 0) return (null, null);
        var slash = path.IndexOf('/');
        if (slash < 0) return (Uri.UnescapeDataString(path), null);
        var key = path[(slash + 1)..];
        return (Uri.UnescapeDataString(path[..slash]), key.Length == 0 ? null : Uri.UnescapeDataString(key));
    }

    private Task DispatchAsync(HttpContext context, SigV4Context auth, string? bucketName, string? key)
    {
        var request = context.Request;
        var query = request.Query;
        var method = request.Method;
        if (bucketName is null)
        {
            if (HttpMethods.IsGet(method)) return ListBucketsAsync(context);
            throw new S3Exception(405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
        }
        if (key is null)
        {
            if (HttpMethods.IsPut(method)) return CreateBucketAsync(context, bucketName);
            var bucket = Existing(bucketName);
            if (HttpMethods.IsDelete(method)) return DeleteBucketAsync(context, bucketName);
            if (HttpMethods.IsHead(method)) return Task.CompletedTask;
            if (HttpMethods.IsPost(method) && query.ContainsKey("delete")) return DeleteObjectsAsync(context, bucket, auth);
            if (HttpMethods.IsGet(method))
            {
                if (query.ContainsKey("location")) return WriteAsync(context.Response, E("LocationConstraint", "auto"));
                if (query.ContainsKey("versioning")) return WriteAsync(context.Response, E("VersioningConfiguration"));
                if (query.ContainsKey("uploads")) return ListUploadsAsync(context, bucket);
                foreach (var sub in new[] { "acl", "cors", "policy", "lifecycle", "encryption", "tagging", "website", "logging", "notification", "replication", "object-lock" })
                    if (query.ContainsKey(sub)) throw S3Exception.NotImplemented($"GetBucket {sub}");
                return query["list-type"] == "2" ? ListObjectsAsync(context, bucket, v2: true) : ListObjectsAsync(context, bucket, v2: false);
            }
            throw new S3Exception(405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
        }
        var store = Existing(bucketName);
        R2Validation.Key(key);
        var uploadId = query["uploadId"].ToString();
        if (HttpMethods.IsPut(method))
        {
            if (query.ContainsKey("tagging") || query.ContainsKey("acl")) throw S3Exception.NotImplemented("Object tagging and ACLs");
            var copySource = request.Headers["x-amz-copy-source"].ToString();
            if (uploadId.Length > 0) return UploadPartAsync(context, store, key, uploadId, auth, copySource);
            return copySource.Length > 0 ? CopyObjectAsync(context, store, key, copySource) : PutObjectAsync(context, store, key, auth);
        }
        if (HttpMethods.IsGet(method)) return uploadId.Length > 0 ? ListPartsAsync(context, store, key, uploadId) : GetObjectAsync(context, store, key, head: false);
        if (HttpMethods.IsHead(method)) return GetObjectAsync(context, store, key, head: true);
        if (HttpMethods.IsDelete(method)) return uploadId.Length > 0 ? AbortAsync(context, store, key, uploadId) : DeleteObjectAsync(context, store, key);
        if (HttpMethods.IsPost(method))
        {
            if (query.ContainsKey("uploads")) return CreateUploadAsync(context, store, key);
            if (uploadId.Length > 0) return CompleteAsync(context, store, key, uploadId, auth);
        }
        throw new S3Exception(405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
    }

    private R2BucketStore Existing(string name) =>
        R2Storage.IsValidBucketName(name) && storage.Exists(name) ? storage.Bucket(name) : throw S3Exception.NoSuchBucket();

    // ---- buckets ------------------------------------------------------------------------------

    private Task ListBucketsAsync(HttpContext context) =>
        WriteAsync(context.Response, E("ListAllMyBucketsResult",
            E("Owner", E("ID", "flint"), E("DisplayName", "flint")),
            E("Buckets", storage.List().Select(b => E("Bucket", E("Name", b.Name), E("CreationDate", Date(b.Created)))))));

    private Task CreateBucketAsync(HttpContext context, string name)
    {
        if (!R2Storage.IsValidBucketName(name))
            throw new S3Exception(400, "InvalidBucketName", "The specified bucket is not valid. Bucket names are 3 to 63 lowercase letters, digits and hyphens, starting and ending with a letter or digit.");
        if (!storage.Create(name)) throw new S3Exception(409, "BucketAlreadyOwnedByYou", "The bucket you tried to create already exists, and you own it.");
        context.Response.Headers.Location = "/" + name;
        return Task.CompletedTask;
    }

    private Task DeleteBucketAsync(HttpContext context, string name)
    {
        try
        {
            if (!storage.Delete(name)) throw S3Exception.NoSuchBucket();
        }
        catch (InvalidOperationException)
        {
            throw new S3Exception(409, "BucketNotEmpty", "The bucket you tried to delete is not empty.");
        }
        context.Response.StatusCode = 204;
        return Task.CompletedTask;
    }

    // ---- listing -------------------------------------------------------------------------------

    private static int MaxKeys(IQueryCollection query, string name, int max = 1000)
    {
        if (!query.TryGetValue(name, out var v)) return max;
        if (!int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            throw S3Exception.InvalidArgument($"{name} must be a non-negative integer.");
        return Math.Min(n, max);
    }

    private static string? Q(IQueryCollection query, string name) => query.TryGetValue(name, out var v) ? v.ToString() : null;

    private static Task ListObjectsAsync(HttpContext context, R2BucketStore bucket, bool v2)
    {
        var query = context.Request.Query;
        var prefix = Q(query, "prefix");
        var delimiter = Q(query, "delimiter");
        var maxKeys = MaxKeys(query, "max-keys");
        var urlEncode = Q(query, "encoding-type") switch
        {
            null => false,
            "url" => true,
            _ => throw S3Exception.InvalidArgument("Invalid Encoding Method specified in Request"),
        };
        string Enc(string s) => urlEncode ? SigV4.UriEncode(s, encodeSlash: false) : s;
        var token = v2 ? Q(query, "continuation-token") : null;
        var startAfter = v2 ? Q(query, "start-after") : Q(query, "marker");
        if (token is { Length: 0 }) throw S3Exception.InvalidArgument("The continuation token provided is incorrect");
        var page = maxKeys == 0
            ? new R2ListResult([], [], false, null, null)
            : bucket.List(new R2ListOptions { Prefix = prefix, Delimiter = delimiter, Cursor = token, StartAfter = startAfter, Limit = maxKeys });
        var contents = page.Objects.Select(o => E("Contents",
            E("Key", Enc(o.Key)), E("LastModified", Date(o.Uploaded)), E("ETag", $"\"{o.Etag}\""), E("Size", o.Size),
            E("StorageClass", o.StorageClass is { Length: > 0 } sc ? sc : "STANDARD")));
        var prefixes = page.DelimitedPrefixes.Select(p => E("CommonPrefixes", E("Prefix", Enc(p))));
        XElement result;
        if (v2)
        {
            result = E("ListBucketResult",
                E("Name", bucket.Name), E("Prefix", Enc(prefix ?? "")),
                startAfter is null ? null : E("StartAfter", Enc(startAfter)),
                token is null ? null : E("ContinuationToken", token),
                page.Truncated ? E("NextContinuationToken", page.Cursor) : null,
                E("KeyCount", page.Objects.Count + page.DelimitedPrefixes.Count), E("MaxKeys", maxKeys),
                delimiter is null ? null : E("Delimiter", Enc(delimiter)),
                E("IsTruncated", page.Truncated ? "true" : "false"),
                urlEncode ? E("EncodingType", "url") : null, contents, prefixes);
        }
        else
        {
            result = E("ListBucketResult",
                E("Name", bucket.Name), E("Prefix", Enc(prefix ?? "")), E("Marker", Enc(startAfter ?? "")),
                page.Truncated && page.LastKey is not null ? E("NextMarker", Enc(page.LastKey)) : null,
                E("MaxKeys", maxKeys), delimiter is null ? null : E("Delimiter", Enc(delimiter)),
                E("IsTruncated", page.Truncated ? "true" : "false"),
                urlEncode ? E("EncodingType", "url") : null, contents, prefixes);
        }
        return WriteAsync(context.Response, result);
    }

    // ---- objects -------------------------------------------------------------------------------

    /// <summary>HTTP metadata and custom metadata from a request's headers, as PutObject and CreateMultipartUpload take them.</summary>
    private static (R2HttpMetadata Http, List<KeyValuePair<string, string>> Custom) MetadataFrom(IHeaderDictionary h)
    {
        string? S(string name) => h.TryGetValue(name, out var v) && v.ToString().Length > 0 ? v.ToString() : null;
        // aws-chunked is how the body was sent, not how the object is encoded.
        var encoding = S("Content-Encoding") is { } ce
            ? string.Join(", ", ce.Split(',').Select(e => e.Trim()).Where(e => e.Length > 0 && !e.Equals("aws-chunked", StringComparison.OrdinalIgnoreCase)))
            : null;
        long? expires = S("Expires") is { } ex && DateTimeOffset.TryParse(ex, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d)
            ? d.ToUnixTimeMilliseconds() : null;
        var http = new R2HttpMetadata
        {
            ContentType = S("Content-Type"),
            ContentLanguage = S("Content-Language"),
            ContentDisposition = S("Content-Disposition"),
            ContentEncoding = string.IsNullOrEmpty(encoding) ? null : encoding,
            CacheControl = S("Cache-Control"),
            CacheExpiry = expires,
        };
        var custom = new List<KeyValuePair<string, string>>();
        foreach (var (name, value) in h)
        {
            if (name.StartsWith("x-amz-meta-", StringComparison.OrdinalIgnoreCase))
                custom.Add(new(name["x-amz-meta-".Length..].ToLowerInvariant(), DecodeHeaderWord(value.ToString())));
        }
        return (http, custom);
    }

    /// <summary>RFC 2047 "=?UTF-8?B?…?=", the way S3 clients and servers carry non-ASCII metadata in headers.</summary>
    private static string DecodeHeaderWord(string value)
    {
        if (value.StartsWith("=?UTF-8?B?", StringComparison.OrdinalIgnoreCase) && value.EndsWith("?=", StringComparison.Ordinal))
        {
            try { return Encoding.UTF8.GetString(Convert.FromBase64String(value[10..^2])); } catch (FormatException) { }
        }
        return value;
    }

    private static string EncodeHeaderWord(string value) =>
        value.All(c => c is >= ' ' and <= '~') ? value : "=?UTF-8?B?" + Convert.ToBase64String(Encoding.UTF8.GetBytes(value)) + "?=";

    private static R2Conditional? WriteConditions(IHeaderDictionary h)
    {
        var ifMatch = h.IfMatch.ToString();
        var ifNoneMatch = h.IfNoneMatch.ToString();
        if (ifMatch.Length == 0 && ifNoneMatch.Length == 0) return null;
        return new R2Conditional
        {
            EtagMatches = ifMatch.Length > 0 ? ParseEtags(ifMatch) : null,
            EtagDoesNotMatch = ifNoneMatch.Length > 0 ? ParseEtags(ifNoneMatch) : null,
        };
    }

    private static IReadOnlyList<R2Etag> ParseEtags(string header)
    {
        try
        {
            var etags = R2Validation.ParseEtagHeader(header);
            // A bare etag (no quotes) is accepted too, as S3 does.
            return etags.Count > 0 ? etags : [new R2Etag(R2EtagKind.Strong, header.Trim())];
        }
        catch (FormatException ex)
        {
            throw S3Exception.InvalidArgument(ex.Message);
        }
    }

    private static async Task PutObjectAsync(HttpContext context, R2BucketStore bucket, string key, SigV4Context auth)
    {
        var h = context.Request.Headers;
        var (http, custom) = MetadataFrom(h);
        var hashes = new Dictionary<R2HashAlgorithm, byte[]>();
        if (h.TryGetValue("Content-MD5", out var md5)) hashes[R2HashAlgorithm.Md5] = ContentMd5(md5.ToString());
        var options = new R2PutOptions
        {
            HttpMetadata = http,
            CustomMetadata = custom,
            ExpectedHashes = hashes,
            StorageClass = h.TryGetValue("x-amz-storage-class", out var sc) ? sc.ToString() : null,
            OnlyIf = WriteConditions(h),
        };
        await using var body = S3Payload.Open(context.Request, auth);
        var obj = await bucket.PutAsync(key, body, options, context.RequestAborted).ConfigureAwait(false) ?? throw S3Exception.PreconditionFailed();
        context.Response.Headers.ETag = $"\"{obj.Etag}\"";
    }

    private static byte[] ContentMd5(string base64)
    {
        try
        {
            var bytes = Convert.FromBase64String(base64);
            if (bytes.Length == 16) return bytes;
        }
        catch (FormatException) { }
        throw new S3Exception(400, "InvalidDigest", "The Content-MD5 you specified was invalid.");
    }

    /// <summary>The single byte range S3 serves for a Range header, null for the whole object; InvalidRange when unsatisfiable.</summary>
    internal static R2Range? S3Range(string header, long size)
    {
        if (!header.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase) || header.Contains(',')) return null;
        var spec = header[6..].Trim();
        var dash = spec.IndexOf('-');
        if (dash < 0) return null;
        var (a, b) = (spec[..dash].Trim(), spec[(dash + 1)..].Trim());
        if (a.Length == 0)
        {
            if (!long.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out var suffix)) return null;
            if (suffix == 0 || size == 0) throw S3Exception.InvalidRange();
            suffix = Math.Min(suffix, size);
            return new R2Range(size - suffix, suffix);
        }
        if (!long.TryParse(a, NumberStyles.None, CultureInfo.InvariantCulture, out var first)) return null;
        var last = size - 1;
        if (b.Length > 0 && (!long.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out last) || last < first)) return null;
        if (first >= size) throw S3Exception.InvalidRange();
        last = Math.Min(last, size - 1);
        return new R2Range(first, last - first + 1);
    }

    /// <summary>RFC 7232's order: If-Match, then If-Unmodified-Since (412); If-None-Match, then If-Modified-Since (304).</summary>
    private static int? ReadConditionStatus(IHeaderDictionary h, R2Object obj, bool copySource = false)
    {
        var prefix = copySource ? "x-amz-copy-source-" : "";
        var lastModified = obj.Uploaded / 1000 * 1000;
        var ifMatch = h[prefix + "If-Match"].ToString();
        if (ifMatch.Length > 0)
        {
            if (!ParseEtags(ifMatch).Any(e => e.Kind == R2EtagKind.Wildcard || (e.Kind == R2EtagKind.Strong && e.Value == obj.Etag))) return 412;
        }
        else if (HttpDate(h[prefix + "If-Unmodified-Since"]) is { } unmodified && lastModified > unmodified) return 412;
        var ifNoneMatch = h[prefix + "If-None-Match"].ToString();
        var notModified = copySource ? 412 : 304;
        if (ifNoneMatch.Length > 0)
        {
            if (ParseEtags(ifNoneMatch).Any(e => e.Kind == R2EtagKind.Wildcard || e.Value == obj.Etag)) return notModified;
        }
        else if (HttpDate(h[prefix + "If-Modified-Since"]) is { } since && lastModified <= since) return notModified;
        return null;
    }

    private static long? HttpDate(Microsoft.Extensions.Primitives.StringValues value) =>
        value.Count > 0 && DateTimeOffset.TryParse(value.ToString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d)
            ? d.ToUnixTimeMilliseconds() : null;

    private static void WriteObjectHeaders(HttpResponse response, R2Object obj, IQueryCollection query)
    {
        var h = response.Headers;
        var m = obj.HttpMetadata;
        h.ETag = $"\"{obj.Etag}\"";
        h.LastModified = S3Xml.HttpDate(obj.Uploaded);
        h.AcceptRanges = "bytes";
        h.ContentType = Q(query, "response-content-type") ?? m.ContentType ?? "application/octet-stream";
        void Set(string name, string? value, string overrideParam)
        {
            var v = Q(query, overrideParam) ?? value;
            if (v is not null) h[name] = v;
        }
        Set("Content-Language", m.ContentLanguage, "response-content-language");
        Set("Content-Disposition", m.ContentDisposition, "response-content-disposition");
        Set("Content-Encoding", m.ContentEncoding, "response-content-encoding");
        Set("Cache-Control", m.CacheControl, "response-cache-control");
        Set("Expires", m.CacheExpiry is { } e ? S3Xml.HttpDate(e) : null, "response-expires");
        foreach (var (k, v) in obj.CustomMetadata) h["x-amz-meta-" + k] = EncodeHeaderWord(v);
        if (obj.StorageClass is { Length: > 0 } sc && sc != "STANDARD" && sc != "Standard") h["x-amz-storage-class"] = sc;
        if (obj.IsMultipart && int.TryParse(obj.Etag.AsSpan(obj.Etag.IndexOf('-') + 1), out var parts)) h["x-amz-mp-parts-count"] = parts.ToString(CultureInfo.InvariantCulture);
    }

    private static async Task GetObjectAsync(HttpContext context, R2BucketStore bucket, string key, bool head)
    {
        var request = context.Request;
        var response = context.Response;
        var meta = bucket.Head(key) ?? throw S3Exception.NoSuchKey();
        R2Range? range = null;
        var rangeHeader = request.Headers.Range.ToString();
        if (ReadConditionStatus(request.Headers, meta) is { } status)
        {
            if (status == 412) throw S3Exception.PreconditionFailed();
            response.StatusCode = 304;
            response.Headers.ETag = $"\"{meta.Etag}\"";
            response.Headers.LastModified = S3Xml.HttpDate(meta.Uploaded);
            return;
        }
        if (rangeHeader.Length > 0) range = S3Range(rangeHeader, meta.Size);
        if (head)
        {
            WriteObjectHeaders(response, meta, request.Query);
            if (range is { } hr)
            {
                response.StatusCode = 206;
                response.Headers.ContentRange = $"bytes {hr.Offset}-{hr.Offset + hr.Length - 1}/{meta.Size}";
                response.ContentLength = hr.Length;
            }
            else response.ContentLength = meta.Size;
            return;
        }
        var options = range is { } r ? new R2GetOptions { Range = new R2RangeRequest { Offset = r.Offset, Length = r.Length } } : null;
        await using var got = bucket.Get(key, options) ?? throw S3Exception.NoSuchKey();
        WriteObjectHeaders(response, got.Object, request.Query);
        if (range is not null)
        {
            response.StatusCode = 206;
            response.Headers.ContentRange = $"bytes {got.Range.Offset}-{got.Range.Offset + got.Range.Length - 1}/{got.Object.Size}";
        }
        response.ContentLength = got.Range.Length;
        await using var body = got.TakeBody();
        await response.StartAsync(context.RequestAborted).ConfigureAwait(false);
        await Ingress.BodyWriterCopy.CopyAsync(body, response, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task DeleteObjectAsync(HttpContext context, R2BucketStore bucket, string key)
    {
        await bucket.DeleteAsync(key, context.RequestAborted).ConfigureAwait(false);
        context.Response.StatusCode = 204;
    }

    private static async Task DeleteObjectsAsync(HttpContext context, R2BucketStore bucket, SigV4Context auth)
    {
        await using var payload = S3Payload.Open(context.Request, auth);
        var doc = await ReadAsync(payload, context.RequestAborted).ConfigureAwait(false);
        if (doc.Name.LocalName != "Delete") throw S3Exception.MalformedXml();
        var quiet = Child(doc, "Quiet") is { } q && q.Equals("true", StringComparison.OrdinalIgnoreCase);
        var keys = Children(doc, "Object").Select(o => Child(o, "Key") ?? throw S3Exception.MalformedXml()).ToList();
        if (keys.Count == 0 || keys.Count > R2Limits.MaxDeleteKeys) throw S3Exception.MalformedXml();
        var valid = keys.Where(k => Encoding.UTF8.GetByteCount(k) <= R2Limits.MaxKeyBytes).ToList();
        await bucket.DeleteAsync(valid, context.RequestAborted).ConfigureAwait(false);
        await WriteAsync(context.Response, E("DeleteResult",
            quiet ? null : valid.Select(k => E("Deleted", E("Key", k))),
            keys.Except(valid).Select(k => E("Error", E("Key", k), E("Code", "KeyTooLongError"), E("Message", "Your key is too long"))))).ConfigureAwait(false);
    }

    /// <summary>The bucket and key an x-amz-copy-source names (<c>[/]bucket/key[?versionId=…]</c>, URL-encoded).</summary>
    private (R2BucketStore Bucket, string Key) CopySource(string header)
    {
        var q = header.IndexOf('?');
        var path = Uri.UnescapeDataString(q < 0 ? header : header[..q]).TrimStart('/');
        var slash = path.IndexOf('/');
        if (slash <= 0 || slash == path.Length - 1) throw S3Exception.InvalidArgument("x-amz-copy-source must name a bucket and a key: /bucket/key.");
        var key = path[(slash + 1)..];
        R2Validation.Key(key);
        return (Existing(path[..slash]), key);
    }

    private async Task CopyObjectAsync(HttpContext context, R2BucketStore bucket, string key, string copySource)
    {
        var h = context.Request.Headers;
        var (source, sourceKey) = CopySource(copySource);
        var directive = h["x-amz-metadata-directive"].ToString();
        if (directive.Length > 0 && directive is not ("COPY" or "REPLACE")) throw S3Exception.InvalidArgument("Unknown metadata directive: use COPY or REPLACE.");
        var replace = directive == "REPLACE";
        if (!replace && ReferenceEquals(source, bucket) && sourceKey == key)
            throw S3Exception.InvalidRequest("This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.");
        await using var got = source.Get(sourceKey) ?? throw S3Exception.NoSuchKey();
        if (ReadConditionStatus(h, got.Object, copySource: true) is not null) throw S3Exception.PreconditionFailed();
        var (http, custom) = replace ? MetadataFrom(h) : (got.Object.HttpMetadata, got.Object.CustomMetadata.ToList());
        var options = new R2PutOptions
        {
            HttpMetadata = http,
            CustomMetadata = custom,
            StorageClass = h.TryGetValue("x-amz-storage-class", out var sc) ? sc.ToString() : got.Object.StorageClass,
        };
        await using var body = got.TakeBody();
        var obj = await bucket.PutAsync(key, body, options, context.RequestAborted).ConfigureAwait(false);
        await WriteAsync(context.Response, E("CopyObjectResult", E("LastModified", Date(obj!.Uploaded)), E("ETag", $"\"{obj.Etag}\""))).ConfigureAwait(false);
    }

    // ---- multipart -----------------------------------------------------------------------------

    private static async Task CreateUploadAsync(HttpContext context, R2BucketStore bucket, string key)
    {
        var (http, custom) = MetadataFrom(context.Request.Headers);
        var id = await bucket.CreateMultipartUploadAsync(key, new R2MultipartOptions
        {
            HttpMetadata = http,
            CustomMetadata = custom,
            StorageClass = context.Request.Headers.TryGetValue("x-amz-storage-class", out var sc) ? sc.ToString() : null,
        }, context.RequestAborted).ConfigureAwait(false);
        await WriteAsync(context.Response, E("InitiateMultipartUploadResult", E("Bucket", bucket.Name), E("Key", key), E("UploadId", id))).ConfigureAwait(false);
    }

    private static int PartNumber(IQueryCollection query)
    {
        if (!int.TryParse(query["partNumber"], NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1 || n > R2Limits.MaxPartNumber)
            throw S3Exception.InvalidArgument("Part number must be an integer between 1 and 10000, inclusive");
        return n;
    }

    private async Task UploadPartAsync(HttpContext context, R2BucketStore bucket, string key, string uploadId, SigV4Context auth, string copySource)
    {
        var number = PartNumber(context.Request.Query);
        if (copySource.Length > 0)
        {
            var (source, sourceKey) = CopySource(copySource);
            var rangeHeader = context.Request.Headers["x-amz-copy-source-range"].ToString();
            var meta = source.Head(sourceKey) ?? throw S3Exception.NoSuchKey();
            if (ReadConditionStatus(context.Request.Headers, meta, copySource: true) is not null) throw S3Exception.PreconditionFailed();
            var range = rangeHeader.Length > 0 ? S3Range(rangeHeader, meta.Size) ?? throw S3Exception.InvalidArgument("The x-amz-copy-source-range value must be of the form bytes=first-last.") : (R2Range?)null;
            var options = range is { } r ? new R2GetOptions { Range = new R2RangeRequest { Offset = r.Offset, Length = r.Length } } : null;
            await using var got = source.Get(sourceKey, options) ?? throw S3Exception.NoSuchKey();
            await using var body = got.TakeBody();
            var copied = await UploadOrNoSuchUpload(bucket, key, uploadId, number, body, context.RequestAborted).ConfigureAwait(false);
            await WriteAsync(context.Response, E("CopyPartResult", E("LastModified", Date(got.Object.Uploaded)), E("ETag", $"\"{copied.Etag}\""))).ConfigureAwait(false);
            return;
        }
        var h = context.Request.Headers;
        Stream payload = S3Payload.Open(context.Request, auth);
        if (h.TryGetValue("Content-MD5", out var md5)) payload = new VerifyingStream(payload, null, null, ContentMd5(md5.ToString()));
        await using (payload)
        {
            var part = await UploadOrNoSuchUpload(bucket, key, uploadId, number, payload, context.RequestAborted).ConfigureAwait(false);
            context.Response.Headers.ETag = $"\"{part.Etag}\"";
        }
    }

    private static async Task<R2UploadedPart> UploadOrNoSuchUpload(R2BucketStore bucket, string key, string uploadId, int number, Stream body, CancellationToken cancellationToken)
    {
        try
        {
            return await bucket.UploadPartAsync(key, uploadId, number, body, cancellationToken).ConfigureAwait(false);
        }
        catch (R2Exception ex) when (ex.Code == 10024)
        {
            throw S3Exception.NoSuchUpload();
        }
    }

    private static async Task CompleteAsync(HttpContext context, R2BucketStore bucket, string key, string uploadId, SigV4Context auth)
    {
        XElement doc;
        await using (var payload = S3Payload.Open(context.Request, auth)) doc = await ReadAsync(payload, context.RequestAborted).ConfigureAwait(false);
        if (doc.Name.LocalName != "CompleteMultipartUpload") throw S3Exception.MalformedXml();
        var parts = Children(doc, "Part").Select(p => new R2UploadedPart(
            int.TryParse(Child(p, "PartNumber"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw S3Exception.MalformedXml(),
            (Child(p, "ETag") ?? throw S3Exception.MalformedXml()).Trim().Trim('"'))).ToList();
        if (parts.Count == 0) throw S3Exception.MalformedXml();
        for (var i = 1; i < parts.Count; i++)
        {
            if (parts[i].PartNumber <= parts[i - 1].PartNumber)
                throw new S3Exception(400, "InvalidPartOrder", "The list of parts was not in ascending order. Parts must be ordered by part number.");
        }
        R2Object obj;
        try
        {
            obj = await bucket.CompleteMultipartUploadAsync(key, uploadId, parts, context.RequestAborted).ConfigureAwait(false);
        }
        catch (R2Exception ex) when (ex.Code is 10001 or 10024)
        {
            throw S3Exception.NoSuchUpload();
        }
        var location = $"{context.Request.Scheme}://{context.Request.Host}/{bucket.Name}/{SigV4.UriEncode(key, encodeSlash: false)}";
        await WriteAsync(context.Response, E("CompleteMultipartUploadResult",
            E("Location", location), E("Bucket", bucket.Name), E("Key", key), E("ETag", $"\"{obj.Etag}\""))).ConfigureAwait(false);
    }

    private static async Task AbortAsync(HttpContext context, R2BucketStore bucket, string key, string uploadId)
    {
        try
        {
            await bucket.AbortMultipartUploadAsync(key, uploadId, context.RequestAborted).ConfigureAwait(false);
        }
        catch (R2Exception ex) when (ex.Code == 10001)
        {
            throw S3Exception.NoSuchUpload();
        }
        context.Response.StatusCode = 204;
    }

    private static Task ListPartsAsync(HttpContext context, R2BucketStore bucket, string key, string uploadId)
    {
        var query = context.Request.Query;
        var marker = int.TryParse(Q(query, "part-number-marker"), NumberStyles.None, CultureInfo.InvariantCulture, out var m) ? m : 0;
        var max = MaxKeys(query, "max-parts");
        IReadOnlyList<R2PartInfo> parts;
        bool truncated;
        try
        {
            (parts, truncated) = bucket.ListParts(key, uploadId, marker, max);
        }
        catch (R2Exception ex) when (ex.Code == 10024)
        {
            throw S3Exception.NoSuchUpload();
        }
        return WriteAsync(context.Response, E("ListPartsResult",
            E("Bucket", bucket.Name), E("Key", key), E("UploadId", uploadId),
            E("PartNumberMarker", marker), parts.Count > 0 ? E("NextPartNumberMarker", parts[^1].PartNumber) : null,
            E("MaxParts", max), E("IsTruncated", truncated ? "true" : "false"), E("StorageClass", "STANDARD"),
            parts.Select(p => E("Part", E("PartNumber", p.PartNumber), E("LastModified", Date(p.Uploaded)), E("ETag", $"\"{p.Etag}\""), E("Size", p.Size)))));
    }

    private static Task ListUploadsAsync(HttpContext context, R2BucketStore bucket)
    {
        var query = context.Request.Query;
        var prefix = Q(query, "prefix");
        var keyMarker = Q(query, "key-marker");
        var uploadIdMarker = Q(query, "upload-id-marker");
        var max = MaxKeys(query, "max-uploads");
        var (uploads, truncated) = bucket.ListUploads(prefix, keyMarker, uploadIdMarker, max);
        return WriteAsync(context.Response, E("ListMultipartUploadsResult",
            E("Bucket", bucket.Name), E("KeyMarker", keyMarker ?? ""), E("UploadIdMarker", uploadIdMarker ?? ""),
            truncated ? E("NextKeyMarker", uploads[^1].Key) : null, truncated ? E("NextUploadIdMarker", uploads[^1].UploadId) : null,
            E("Prefix", prefix ?? ""), E("MaxUploads", max), E("IsTruncated", truncated ? "true" : "false"),
            uploads.Select(u => E("Upload", E("Key", u.Key), E("UploadId", u.UploadId),
                E("Initiator", E("ID", "flint"), E("DisplayName", "flint")), E("Owner", E("ID", "flint"), E("DisplayName", "flint")),
                E("StorageClass", "STANDARD"), E("Initiated", Date(u.Initiated))))));
    }
}
