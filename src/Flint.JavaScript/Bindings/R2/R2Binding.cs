using System.Buffers;
using System.Text;
using System.Text.Json;
using Flint.Engine.R2;

namespace Flint.JavaScript.Bindings.R2;

/// <summary>
/// An R2 bucket as a Worker's <c>env.NAME</c> (the JavaScript face is R2Bucket in 78_r2.js).
/// Arguments arrive as JSON the face has already checked; objects go back as JSON with their
/// body as a stream, never read whole here. Errors read as workerd shows R2's answers:
/// <c>get: The specified object name is not valid. (10020)</c>.
/// </summary>
public sealed class R2Binding(string name, R2BucketStore bucket) : HostBinding(name)
{
    // Only the isolate's JSON.parse reads this JSON: no need to escape HTML or non-ASCII characters.
    private static readonly JsonWriterOptions s_json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public override string Kind => "r2";

    public override async ValueTask<BindingResult> InvokeAsync(BindingCall call, CancellationToken cancellationToken)
    {
        try
        {
            return call.Method switch
            {
                "head" => Head(call.Args),
                "get" => Get(call.Args),
                "put" => await PutAsync(call, cancellationToken).ConfigureAwait(false),
                "delete" => await DeleteAsync(call.Args, cancellationToken).ConfigureAwait(false),
                "list" => List(call.Args),
                "createMultipartUpload" => await CreateMultipartUploadAsync(call.Args, cancellationToken).ConfigureAwait(false),
                "uploadPart" => await UploadPartAsync(call, cancellationToken).ConfigureAwait(false),
                "completeMultipartUpload" => await CompleteMultipartUploadAsync(call.Args, cancellationToken).ConfigureAwait(false),
                "abortMultipartUpload" => await AbortMultipartUploadAsync(call.Args, cancellationToken).ConfigureAwait(false),
                _ => throw new BindingException($"R2 has no method \"{call.Method}\".", "TypeError"),
            };
        }
        catch (R2Exception ex)
        {
            throw new BindingException($"{call.Method}: {ex.Message} ({ex.Code})");
        }
    }

    private BindingResult Head(string key)
    {
        var obj = bucket.Head(key);
        return obj is null ? BindingResult.Empty : BindingResult.FromText(ObjectJson(obj, new R2Range(0, obj.Size)));
    }

    private BindingResult Get(string argsJson)
    {
        using var args = JsonDocument.Parse(argsJson);
        var root = args.RootElement;
        var options = new R2GetOptions
        {
            OnlyIf = root.TryGetProperty("onlyIf", out var c) ? ReadConditional(c) : null,
            Range = ReadRange(root),
        };
        var result = bucket.Get(root.GetProperty("key").GetString()!, options);
        if (result is null) return BindingResult.Empty;
        // A condition that does not hold gives the object without a body, as R2 does.
        if (result.PreconditionFailed) return BindingResult.FromText(ObjectJson(result.Object, result.Range, preconditionFailed: true));
        return new BindingResult { Text = ObjectJson(result.Object, result.Range), Stream = result.TakeBody() };
    }

    private static R2RangeRequest? ReadRange(JsonElement root)
    {
        if (root.TryGetProperty("rangeHeader", out var header)) return new R2RangeRequest { Header = header.GetString() };
        if (!root.TryGetProperty("range", out var r)) return null;
        long? N(string name) => r.TryGetProperty(name, out var v) ? v.GetInt64() : null;
        return new R2RangeRequest { Offset = N("offset"), Length = N("length"), Suffix = N("suffix") };
    }

    private static R2Conditional ReadConditional(JsonElement c)
    {
        static IReadOnlyList<R2Etag>? Etags(JsonElement c, string name)
        {
            if (!c.TryGetProperty(name, out var list)) return null;
            return list.EnumerateArray().Select(e => e.GetProperty("type").GetString() switch
            {
                "wildcard" => R2Etag.Wildcard,
                "weak" => new R2Etag(R2EtagKind.Weak, e.GetProperty("value").GetString()!),
                _ => new R2Etag(R2EtagKind.Strong, e.GetProperty("value").GetString()!),
            }).ToList();
        }
        return new R2Conditional
        {
            EtagMatches = Etags(c, "etagMatches"),
            EtagDoesNotMatch = Etags(c, "etagDoesNotMatch"),
            UploadedBefore = c.TryGetProperty("uploadedBefore", out var b) ? b.GetInt64() : null,
            UploadedAfter = c.TryGetProperty("uploadedAfter", out var a) ? a.GetInt64() : null,
            SecondsGranularity = c.TryGetProperty("secondsGranularity", out var s) && s.GetBoolean(),
        };
    }

    private static R2HttpMetadata ReadHttpMetadata(JsonElement root)
    {
        if (!root.TryGetProperty("httpMetadata", out var h)) return R2HttpMetadata.Empty;
        string? S(string name) => h.TryGetProperty(name, out var v) ? v.GetString() : null;
        return new R2HttpMetadata
        {
            ContentType = S("contentType"),
            ContentLanguage = S("contentLanguage"),
            ContentDisposition = S("contentDisposition"),
            ContentEncoding = S("contentEncoding"),
            CacheControl = S("cacheControl"),
            CacheExpiry = h.TryGetProperty("cacheExpiry", out var e) ? e.GetInt64() : null,
        };
    }

    private static IReadOnlyList<KeyValuePair<string, string>> ReadCustomMetadata(JsonElement root)
    {
        if (!root.TryGetProperty("customMetadata", out var m)) return [];
        return m.EnumerateArray().Select(p => new KeyValuePair<string, string>(p[0].GetString()!, p[1].GetString()!)).ToList();
    }

    private async Task<BindingResult> PutAsync(BindingCall call, CancellationToken cancellationToken)
    {
        using var args = JsonDocument.Parse(call.Args);
        var root = args.RootElement;
        var hashes = new Dictionary<R2HashAlgorithm, byte[]>();
        if (root.TryGetProperty("hashes", out var h))
        {
            foreach (var a in Enum.GetValues<R2HashAlgorithm>())
                if (h.TryGetProperty(a.ToString().ToLowerInvariant(), out var hex)) hashes[a] = Convert.FromHexString(hex.GetString()!);
        }
        var options = new R2PutOptions
        {
            HttpMetadata = ReadHttpMetadata(root),
            CustomMetadata = ReadCustomMetadata(root),
            OnlyIf = root.TryGetProperty("onlyIf", out var c) ? ReadConditional(c) : null,
            ExpectedHashes = hashes,
            StorageClass = root.TryGetProperty("storageClass", out var sc) ? sc.GetString() : null,
        };
        var key = root.GetProperty("key").GetString()!;
        await using var body = call.Body ?? new MemoryStream(call.Bytes ?? [], writable: false);
        var obj = await bucket.PutAsync(key, body, options, cancellationToken).ConfigureAwait(false);
        return obj is null ? BindingResult.Empty : BindingResult.FromText(ObjectJson(obj, null));
    }

    private async Task<BindingResult> DeleteAsync(string argsJson, CancellationToken cancellationToken)
    {
        using var args = JsonDocument.Parse(argsJson);
        var keys = args.RootElement.EnumerateArray().Select(k => k.GetString()!).ToList();
        await bucket.DeleteAsync(keys, cancellationToken).ConfigureAwait(false);
        return BindingResult.Empty;
    }

    [ThreadStatic] private static ArrayBufferWriter<byte>? t_listOutput;

    private BindingResult List(string argsJson)
    {
        using var args = JsonDocument.Parse(argsJson);
        var root = args.RootElement;
        string? S(string name) => root.TryGetProperty(name, out var v) ? v.GetString() : null;
        var include = root.TryGetProperty("include", out var inc) ? inc.EnumerateArray().Select(i => i.GetString()).ToList() : [];
        var result = bucket.List(new R2ListOptions
        {
            Prefix = S("prefix"),
            Delimiter = S("delimiter"),
            Cursor = S("cursor"),
            StartAfter = S("startAfter"),
            Limit = root.TryGetProperty("limit", out var l) ? (int)Math.Clamp(l.GetInt64(), int.MinValue, int.MaxValue) : null,
            IncludeHttpMetadata = include.Contains("httpMetadata"),
            IncludeCustomMetadata = include.Contains("customMetadata"),
        });
        // A page of 1,000 objects is about 150 KB of JSON: written into a buffer this thread keeps,
        // rather than one regrown from 256 bytes (and into the large object heap) for every page,
        // and handed over in slices (FromUtf8) for the same reason.
        var output = t_listOutput ??= new ArrayBufferWriter<byte>(256 * 1024);
        output.ResetWrittenCount();
        using (var json = new Utf8JsonWriter(output, s_json))
        {
            json.WriteStartObject();
            json.WriteStartArray("objects");
            foreach (var obj in result.Objects) WriteObject(json, obj, null, false, listed: true);
            json.WriteEndArray();
            json.WriteBoolean("truncated", result.Truncated);
            if (result.Cursor is { } cursor) json.WriteString("cursor", cursor);
            json.WriteStartArray("delimitedPrefixes");
            foreach (var p in result.DelimitedPrefixes) json.WriteStringValue(p);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return BindingResult.FromUtf8(output.WrittenSpan);
    }

    private async Task<BindingResult> CreateMultipartUploadAsync(string argsJson, CancellationToken cancellationToken)
    {
        using var args = JsonDocument.Parse(argsJson);
        var root = args.RootElement;
        var uploadId = await bucket.CreateMultipartUploadAsync(root.GetProperty("key").GetString()!, new R2MultipartOptions
        {
            HttpMetadata = ReadHttpMetadata(root),
            CustomMetadata = ReadCustomMetadata(root),
            StorageClass = root.TryGetProperty("storageClass", out var sc) ? sc.GetString() : null,
        }, cancellationToken).ConfigureAwait(false);
        return BindingResult.FromText(uploadId);
    }

    private async Task<BindingResult> UploadPartAsync(BindingCall call, CancellationToken cancellationToken)
    {
        using var args = JsonDocument.Parse(call.Args);
        var root = args.RootElement;
        await using var body = call.Body ?? new MemoryStream(call.Bytes ?? [], writable: false);
        var part = await bucket.UploadPartAsync(root.GetProperty("key").GetString()!, root.GetProperty("uploadId").GetString()!,
            root.GetProperty("partNumber").GetInt32(), body, cancellationToken).ConfigureAwait(false);
        return BindingResult.FromText(part.Etag);
    }

    private async Task<BindingResult> CompleteMultipartUploadAsync(string argsJson, CancellationToken cancellationToken)
    {
        using var args = JsonDocument.Parse(argsJson);
        var root = args.RootElement;
        var parts = root.GetProperty("parts").EnumerateArray()
            .Select(p => new R2UploadedPart(p.GetProperty("partNumber").GetInt32(), p.GetProperty("etag").GetString()!)).ToList();
        var obj = await bucket.CompleteMultipartUploadAsync(root.GetProperty("key").GetString()!, root.GetProperty("uploadId").GetString()!, parts, cancellationToken).ConfigureAwait(false);
        return BindingResult.FromText(ObjectJson(obj, null));
    }

    private async Task<BindingResult> AbortMultipartUploadAsync(string argsJson, CancellationToken cancellationToken)
    {
        using var args = JsonDocument.Parse(argsJson);
        var root = args.RootElement;
        await bucket.AbortMultipartUploadAsync(root.GetProperty("key").GetString()!, root.GetProperty("uploadId").GetString()!, cancellationToken).ConfigureAwait(false);
        return BindingResult.Empty;
    }

    // ---- objects as the face reads them --------------------------------------------------

    private static string ObjectJson(R2Object obj, R2Range? range, bool preconditionFailed = false)
    {
        var output = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(output, s_json)) WriteObject(json, obj, range, preconditionFailed);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    /// <param name="listed">
    /// An object of a listing: empty metadata and checksums that are just the MD5 etag (nearly
    /// every listed object) are left out, for the face to fill in (r2Object): less to write,
    /// to parse and to allocate, a thousand times a page.
    /// </param>
    private static void WriteObject(Utf8JsonWriter json, R2Object obj, R2Range? range, bool preconditionFailed, bool listed = false)
    {
        json.WriteStartObject();
        json.WriteString("key", obj.Key);
        json.WriteString("version", obj.Version);
        json.WriteNumber("size", obj.Size);
        json.WriteString("etag", obj.Etag);
        json.WriteNumber("uploaded", obj.Uploaded);
        if (listed && obj.HttpMetadata == R2HttpMetadata.Empty && obj.CustomMetadata.Count == 0
            && obj.Checksums.Count == 1 && obj.Checksums.TryGetValue(R2HashAlgorithm.Md5, out var md5) && md5 == obj.Etag)
        {
            json.WriteEndObject();
            return;
        }
        var h = obj.HttpMetadata;
        json.WriteStartObject("httpMetadata");
        if (h.ContentType is { } ct) json.WriteString("contentType", ct);
        if (h.ContentLanguage is { } cl) json.WriteString("contentLanguage", cl);
        if (h.ContentDisposition is { } cd) json.WriteString("contentDisposition", cd);
        if (h.ContentEncoding is { } ce) json.WriteString("contentEncoding", ce);
        if (h.CacheControl is { } cc) json.WriteString("cacheControl", cc);
        if (h.CacheExpiry is { } ex) json.WriteNumber("cacheExpiry", ex);
        json.WriteEndObject();
        json.WriteStartArray("customMetadata");
        foreach (var (k, v) in obj.CustomMetadata)
        {
            json.WriteStartArray();
            json.WriteStringValue(k);
            json.WriteStringValue(v);
            json.WriteEndArray();
        }
        json.WriteEndArray();
        json.WriteStartObject("checksums");
        foreach (var a in Enum.GetValues<R2HashAlgorithm>())
            if (obj.Checksums.TryGetValue(a, out var hex)) json.WriteString(a.ToString().ToLowerInvariant(), hex);
        json.WriteEndObject();
        if (range is { } r)
        {
            json.WriteStartObject("range");
            json.WriteNumber("offset", r.Offset);
            json.WriteNumber("length", r.Length);
            json.WriteEndObject();
        }
        if (preconditionFailed) json.WriteBoolean("preconditionFailed", true);
        json.WriteEndObject();
    }
}
