using Flint.Engine.Assets;
using Flint.Engine.Cache;
using Flint.JavaScript.Web.Compression;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

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

        var encoding = EdgeEncoding.Identity;
        (long Start, long Length)? range = null;
        if (file is not null && status is 200 or 404)
        {
            var rangeHeader = context.Request.Headers.Range.ToString();
            if (status == 200 && rangeHeader.Length > 0)
            {
                var ranges = ByteRanges.Parse(rangeHeader, file.Length);
                if (ranges is null)
                {
                    http.StatusCode = 416;
                    http.Headers.ContentRange = $"bytes */{file.Length}";
                    http.ContentLength = 0;
                    return;
                }
                // One range is served as 206; several are allowed to be answered with the whole file.
                if (ranges.Count == 1) range = (ranges[0].Start, ranges[0].Length);
            }
            if (range is null)
            {
                encoding = EdgeCompression.Choose(context.Request.Headers.AcceptEncoding.Count == 0 ? null : context.Request.Headers.AcceptEncoding.ToString(),
                    headers.Get("content-type"));
                if (encoding == EdgeEncoding.Unacceptable)
                {
                    http.StatusCode = 415;
                    http.Headers.AcceptEncoding = "br, gzip";
                    http.ContentType = "text/plain;charset=UTF-8";
                    await http.WriteAsync("Unsupported Media Type", aborted).ConfigureAwait(false);
                    return;
                }
            }
        }

        http.StatusCode = range is null ? status : 206;
        if (range is null && response.StatusText is { } reason) context.Features.Get<IHttpResponseFeature>()!.ReasonPhrase = reason;
        foreach (var (name, value) in headers) http.Headers.Append(name, value);

        if (response.Text is { } text)
        {
            http.ContentLength = System.Text.Encoding.UTF8.GetByteCount(text);
            if (!isHead) await http.WriteAsync(text, aborted).ConfigureAwait(false);
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
        if (encoding is EdgeEncoding.Gzip or EdgeEncoding.Brotli)
        {
            http.Headers.ContentEncoding = encoding == EdgeEncoding.Gzip ? "gzip" : "br";
            if (isHead) return;
            await http.StartAsync(aborted).ConfigureAwait(false);
            await using var source = Open(file);
            await using var encoder = ContentEncoding.Encode(encoding == EdgeEncoding.Gzip ? "gzip" : "br", http.Body);
            try
            {
                await source.CopyToAsync(encoder, 64 * 1024, aborted).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException) { }
            return;
        }
        http.ContentLength = file.Length;
        if (!isHead) await SendFileAsync(http, file, 0, file.Length, aborted).ConfigureAwait(false);
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
