using Flint.JavaScript.Isolates.Events;
using Flint.Engine.IO;

namespace Flint.JavaScript.Isolates.Streams;

/// <summary>
/// A read-only .NET stream over a JavaScript ReadableStream in an isolate, so a Worker's
/// stream can be an HttpClient request body. Each read pulls one chunk through the event loop,
/// in a turn for the event that handed the stream over.
/// </summary>
internal sealed class JsReadStream(HostStreams streams, int streamId, EventContext? context) : ReadOnlyStream
{
    private ReadOnlyMemory<byte> _pending;
    private bool _done;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_pending.IsEmpty)
        {
            if (_done) return 0;
            var chunk = await streams.Pull(streamId, context).ConfigureAwait(false);
            if (chunk is null) { _done = true; return 0; }
            _pending = chunk.Value;
        }
        var n = Math.Min(buffer.Length, _pending.Length);
        _pending.Span[..n].CopyTo(buffer.Span);
        _pending = _pending[n..];
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // Synchronous reads would block a thread on the event loop; HttpClient uses the async path.
    public override int Read(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("Read a Worker's stream asynchronously.");

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_done) { _done = true; streams.Cancel(streamId, context); }
        base.Dispose(disposing);
    }
}
