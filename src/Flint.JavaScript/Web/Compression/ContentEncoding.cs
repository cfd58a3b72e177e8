using System.IO.Compression;
using Flint.Engine.IO;

namespace Flint.JavaScript.Web.Compression;

/// <summary>A compressed HTTP body that does not decode; script sees the message as a TypeError.</summary>
public sealed class ContentDecodingException(string message, Exception inner) : IOException(message, inner);

/// <summary>
/// Content-Encoding as Cloudflare applies it. A subrequest's gzip or br body reaches the Worker
/// decoded (its Content-Encoding and Content-Length headers kept, as in workerd); a Worker's
/// response with <c>Content-Encoding: gzip</c> or <c>br</c> and <c>encodeBody: "automatic"</c>
/// is encoded on the way out. Other codings (deflate included) pass through untouched.
/// </summary>
public static class ContentEncoding
{
    /// <summary>"gzip" or "br" when the header names exactly one coding the runtime handles, else null.</summary>
    public static string? Handled(string? contentEncoding)
    {
        if (contentEncoding is null) return null;
        var value = contentEncoding.Trim();
        if (value.Equals("gzip", StringComparison.OrdinalIgnoreCase)) return "gzip";
        if (value.Equals("br", StringComparison.OrdinalIgnoreCase)) return "br";
        return null;
    }

    /// <summary>Wraps a received body so it reads decoded, streaming.</summary>
    public static Stream Decode(string coding, Stream body) => coding switch
    {
        "gzip" => new DecodingStream(new GZipStream(body, CompressionMode.Decompress), "Gzip decompression failed."),
        "br" => new DecodingStream(new BrotliStream(body, CompressionMode.Decompress), "Brotli decompression failed."),
        _ => body,
    };

    /// <summary>An encoder writing into <paramref name="output"/> (left open).</summary>
    public static Stream Encode(string coding, Stream output) => coding switch
    {
        "gzip" => new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true),
        "br" => new BrotliStream(output, CompressionLevel.Fastest, leaveOpen: true),
        _ => throw new ArgumentOutOfRangeException(nameof(coding)),
    };

    private sealed class DecodingStream(Stream inner, string failure) : ReadOnlyStream
    {

        public override int Read(byte[] buffer, int offset, int count)
        {
            try { return inner.Read(buffer, offset, count); }
            catch (InvalidDataException ex) { throw new ContentDecodingException(failure, ex); }
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            try { return await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false); }
            catch (InvalidDataException ex) { throw new ContentDecodingException(failure, ex); }
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
