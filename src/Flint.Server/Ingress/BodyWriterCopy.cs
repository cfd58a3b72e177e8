using Microsoft.AspNetCore.Http;

namespace Flint.Server.Ingress;

/// <summary>
/// Copies a host stream (an R2 object's files, a request or fetch body passed on unread) to the
/// response by reading straight into Kestrel's output buffer, 256 KiB at a time: one user-space
/// copy fewer than reading into a buffer of our own and writing that, and a quarter of the reads,
/// flushes and thread hand-offs of 64 KiB chunks. Each read waits for the flush before it, so the
/// client's pace bounds memory at one chunk per response (backpressure).
/// </summary>
internal static class BodyWriterCopy
{
    private const int Chunk = 256 * 1024;

    /// <summary>Copies to the end; returns false if the client went away first.</summary>
    public static async Task<bool> CopyAsync(Stream source, HttpResponse http, CancellationToken aborted)
    {
        var writer = http.BodyWriter;
        while (true)
        {
            var memory = writer.GetMemory(Chunk);
            var n = await source.ReadAsync(memory, aborted).ConfigureAwait(false);
            if (n == 0) return true;
            writer.Advance(n);
            var flush = await writer.FlushAsync(aborted).ConfigureAwait(false);
            if (flush.IsCanceled || flush.IsCompleted) return false;
        }
    }
}
