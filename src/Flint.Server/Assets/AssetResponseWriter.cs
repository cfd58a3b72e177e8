using Flint.Engine.Assets;
using Flint.Engine.Cache;
using Flint.JavaScript.Web.Compression;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;

namespace Flint.Server.Assets;

/// <summary>
/// Sends the asset server's answer to the client as Cloudflare's edge delivers it: the file streamed
/// from disk (never through V8), compressed with gzip or br when the client accepts it and the type is
/// one Cloudflare compresses (<see cref="EdgeCompression"/>), a single <c>Range</c> of a 200 answered
/// with 206 (uncompressed; an unsatisfiable one with 416), HEAD with the head only.
/// </summary>
internal static class AssetResponseWriter
{
    public static async Task WriteAsync(HttpContext context, AssetResponse response)
    {
        var http = context.Response;
        var aborted = context.RequestAborted;
        var status = response.Status;
        var headers = response.Headers;
        var file = response.File;
        var isHead = response.OmitBody || HttpMethods.IsHead(context.Request.Method);

        // Cloudflare's edge (and wrangler dev after it) encodes every answer whose type it compresses,
        // a redirect without a body included, and refuses a client that accepts no encoding it has.
        var acceptEncoding = context.Request.Headers.AcceptEncoding;
        var encoding = EdgeCompression.Choose(acceptEncoding.Count == 0 ? null : acceptEncoding.ToString(), headers.Get("content-type"));
        if (encoding == EdgeEncoding.Unacceptable)
        {
            http.StatusCode = 415;
            http.Headers.ContentType = "text/plain;charset=UTF-8";
            http.Headers.AcceptEncoding = "br, gzip";
            http.ContentLength = "Unsupported Media Type".Length;
            await http.WriteAsync("Unsupported Media Type", aborted).ConfigureAwait(false);
            return;
        }
        (long Start, long Length)? range = null;
        if (file is not null && status == 200)
        {
            var rangeHeader = context.Request.Headers.Range.ToString();
            if (rangeHeader.Length > 0)
            {
                var ranges = ByteRanges.Parse(rangeHeader, file.Length);
                if (ranges is null)
                {
                    http.StatusCode = 416;
                    http.Headers.ContentRange = $"bytes */{file.Length}";
                    http.ContentLength = 0;
                    return;
                }
                // One range is served as 206, uncompressed; several may be answered with the whole file.
                if (ranges.Count == 1)
                {
                    range = (ranges[0].Start, ranges[0].Length);
                    encoding = EdgeEncoding.Identity;
                }
            }
        }
        var coding = encoding switch { EdgeEncoding.Gzip => "gzip", EdgeEncoding.Brotli => "br", _ => null };

        http.StatusCode = range is null ? status : 206;
        if (range is null && response.StatusText is { } reason) context.Features.Get<IHttpResponseFeature>()!.ReasonPhrase = reason;
        foreach (var (name, value) in headers)
        {
            // Not Headers.Append: it drops an empty value, which a _headers placeholder can give.
            http.Headers[name] = http.Headers.TryGetValue(name, out var existing) ? StringValues.Concat(existing, value) : new StringValues(value);
        }

        if (coding is not null) http.Headers.ContentEncoding = coding;
        if (response.Text is { } text)
        {
            if (coding is null) http.ContentLength = System.Text.Encoding.UTF8.GetByteCount(text);
            if (isHead) return;
            if (coding is null) await http.WriteAsync(text, aborted).ConfigureAwait(false);
            else await EncodeAsync(http, new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)), coding, aborted).ConfigureAwait(false);
            return;
        }
        if (file is null || status == 304)
        {
            if (status is not (204 or 304)) http.ContentLength = 0;
            return;
        }
        if (range is { } r)
        {
            http.Headers.ContentRange = $"bytes {r.Start}-{r.Start + r.Length - 1}/{file.Length}";
            http.ContentLength = r.Length;
            if (!isHead) await SendFileAsync(http, file, r.Start, r.Length, aborted).ConfigureAwait(false);
            return;
        }
        if (coding is not null)
        {
            if (isHead) return;
            await using var source = Open(file);
            await EncodeAsync(http, source, coding, aborted).ConfigureAwait(false);
            return;
        }
        http.ContentLength = file.Length;
        if (!isHead) await SendFileAsync(http, file, 0, file.Length, aborted).ConfigureAwait(false);
    }

    /// <summary>Streams <paramref name="source"/> to the client through a gzip or br encoder (no Content-Length).</summary>
    private static async Task EncodeAsync(HttpResponse http, Stream source, string coding, CancellationToken aborted)
    {
        await http.StartAsync(aborted).ConfigureAwait(false);
        try
        {
            await using var encoder = ContentEncoding.Encode(coding, http.Body);
            await source.CopyToAsync(encoder, 64 * 1024, aborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException) { }
    }

    private static FileStream Open(AssetFile file) =>
        new(file.FullPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0,
            FileOptions.Asynchronous | FileOptions.SequentialScan);

    private static async Task SendFileAsync(HttpResponse http, AssetFile file, long offset, long count, CancellationToken aborted)
    {
        try
        {
            await http.SendFileAsync(file.FullPath, offset, count, aborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) { }
    }
}
