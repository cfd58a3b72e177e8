using System.Buffers;
using System.Threading.Channels;
using Flint.Engine.IO;

namespace Flint.JavaScript.Isolates;

/// <summary>An HTTP request as it enters a Worker: everything crosses into V8 in one call.</summary>
public sealed class IncomingRequest
{
    public required string Method { get; init; }
    public required string Url { get; init; }
    /// <summary>Header names and values, alternating: name, value, name, value.</summary>
    public required IReadOnlyList<string> Headers { get; init; }
    /// <summary>The request body, read lazily in chunks; null when the request has none.</summary>
    public Stream? Body { get; init; }
    /// <summary>request.cf as JSON; parsed in the isolate only when a Worker reads it.</summary>
    public string? CfJson { get; init; }
    /// <summary>No request.cf at all when <see cref="CfJson"/> is null (a service binding's request), rather than the local default.</summary>
    public bool NoDefaultCf { get; init; }
    /// <summary>The named entrypoint (an exported WorkerEntrypoint class or handler object) that receives it; null for the default export.</summary>
    public string? Entrypoint { get; init; }
    /// <summary><c>ctx.props</c> as JSON (a service binding's <c>props</c>), or null for none.</summary>
    public string? PropsJson { get; init; }
    public CancellationToken Aborted { get; init; }
}

/// <summary>What a Worker answered. The body is a string, bytes, or a stream pulled chunk by chunk.</summary>
public sealed class WorkerResponse
{
    public int Status { get; init; }
    public string StatusText { get; init; } = "";
    /// <summary>Header names and values, alternating.</summary>
    public required IReadOnlyList<string> Headers { get; init; }
    public string? TextBody { get; init; }
    public byte[]? BytesBody { get; init; }
    public ResponseBodyStream? StreamBody { get; init; }
    /// <summary>
    /// The Worker set <c>encodeBody: "manual"</c>: a body with Content-Encoding is already encoded
    /// and is sent as is. Otherwise (automatic) a gzip or br Content-Encoding is applied on the way out.
    /// </summary>
    public bool EncodeBodyManual { get; init; }
    /// <summary>Set when the Worker returned a WebSocket (101).</summary>
    public bool IsWebSocket { get; init; }
    /// <summary>The Worker's end of the WebSocket to carry over the upgraded connection (with <see cref="IsWebSocket"/>).</summary>
    public Web.WebSockets.WorkerWebSocket? WebSocket { get; init; }
}

/// <summary>
/// A response body produced by JavaScript. The server asks for one chunk beyond the one it is
/// writing, no more, which gives the Worker's stream real backpressure while the isolate makes
/// the next chunk as the last one goes out (the isolate runs on its own thread, so waiting for
/// each write before asking cost about a sixth of streaming's throughput).
/// </summary>
public sealed class ResponseBodyStream
{
    private readonly Func<ValueTask<ReadOnlyMemory<byte>?>> _next;
    private readonly Action _cancel;
    private readonly Action? _drained;
    private readonly HostPipe? _pipe;
    private Task<ReadOnlyMemory<byte>?>? _ahead;

    /// <param name="drained">Runs when the end is handed to the server, which by then wrote every chunk before it.</param>
    internal ResponseBodyStream(Func<ValueTask<ReadOnlyMemory<byte>?>> next, Action cancel, Action? drained = null)
    {
        _next = next;
        _cancel = cancel;
        _drained = drained;
    }

    /// <summary>Chunks read straight from a host stream, for a body the Worker passed on unread.</summary>
    internal static ResponseBodyStream Pipe(Stream source, IDisposable? owner) => new HostPipe(source, owner).AsBody();

    private ResponseBodyStream(HostPipe pipe) : this(pipe.ReadAsync, pipe.Finish, pipe.ReturnBuffers) => _pipe = pipe;

    internal static ResponseBodyStream Of(HostPipe pipe) => new(pipe);

    /// <summary>
    /// For a body the Worker passed on unread (an R2 object's body, a fetch response, a request
    /// body): the host stream itself, for the server to copy in large reads straight into its
    /// output rather than chunk by chunk through this object; null for a body JavaScript makes or
    /// one already being read. Disposing the stream releases what it was read from (the R2 object's
    /// files, say). Once taken, this object gives nothing more.
    /// </summary>
    public Stream? TakeHostSource() => _ahead is null ? _pipe?.TakeSource() : null;

    /// <summary>The body as a .NET stream, for a response that goes on into another isolate (a service binding's answer).</summary>
    public Stream AsStream() => TakeHostSource() ?? new Reader(this);

    /// <summary>A body with nothing in it.</summary>
    internal static ResponseBodyStream Empty() => new(static () => ValueTask.FromResult<ReadOnlyMemory<byte>?>(null), static () => { });

    /// <summary>The next chunk, or null at the end. Throws if the Worker's stream errored. One read at a time.</summary>
    public async ValueTask<ReadOnlyMemory<byte>?> ReadAsync()
    {
        var pending = _ahead;
        _ahead = null;
        var chunk = pending is null ? await _next().ConfigureAwait(false) : await pending.ConfigureAwait(false);
        if (chunk is not null) _ahead = _next().AsTask();
        else _drained?.Invoke();
        return chunk;
    }

    private sealed class Reader(ResponseBodyStream body) : ReadOnlyStream
    {
        private ReadOnlyMemory<byte> _pending;
        private bool _done;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (_pending.IsEmpty)
            {
                if (_done) return 0;
                // The chunk is valid until the next read: it is copied out before that.
                if (await body.ReadAsync().ConfigureAwait(false) is not { } chunk) { _done = true; return 0; }
                _pending = chunk;
            }
            var n = Math.Min(buffer.Length, _pending.Length);
            _pending.Span[..n].CopyTo(buffer.Span);
            _pending = _pending[n..];
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Read a Worker's stream asynchronously.");

        protected override void Dispose(bool disposing)
        {
            if (disposing && !_done) { _done = true; body.Cancel(); }
            base.Dispose(disposing);
        }
    }

    /// <summary>The client went away: cancel the Worker's stream.</summary>
    public void Cancel()
    {
        // The chunk asked for ahead is not wanted; its outcome (often the cancellation) is dropped.
        _ahead?.ContinueWith(static t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously);
        _ahead = null;
        _cancel();
    }
}

/// <summary>
/// Reads a host stream for <see cref="ResponseBodyStream"/>. Two pooled buffers take turns: the
/// server writes one chunk while the next is read into the other, and asks again only once the
/// write is done, so a buffer is never refilled while it is being written. They go back to the
/// pool once the server has the end; a canceled pipe leaves them to the GC, since a read may
/// still be filling one.
/// </summary>
internal sealed class HostPipe(Stream source, IDisposable? owner)
{
    private const int ChunkSize = 64 * 1024;
    // Rented at the first read: a server that takes the source whole never needs them.
    private byte[][]? _buffers;
    private int _turn;
    private int _finished;
    private int _returned;

    public ResponseBodyStream AsBody() => ResponseBodyStream.Of(this);

    /// <summary>The source whole, if nothing was read from it yet; its owner goes with it.</summary>
    internal Stream? TakeSource()
    {
        if (_buffers is not null || Interlocked.Exchange(ref _finished, 1) != 0) return null;
        return new HostSourceStream(source, owner);
    }

    internal async ValueTask<ReadOnlyMemory<byte>?> ReadAsync()
    {
        // Ended, canceled, broken or taken whole: nothing more, and the buffers may be back in the pool.
        if (Volatile.Read(ref _finished) != 0) return null;
        _buffers ??= [ArrayPool<byte>.Shared.Rent(ChunkSize), ArrayPool<byte>.Shared.Rent(ChunkSize)];
        var buffer = _buffers[_turn];
        _turn ^= 1;
        int length;
        try
        {
            length = await source.ReadAsync(buffer.AsMemory(0, ChunkSize)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Finish();
            // Not an IOException: the server takes those for the client going away and would end
            // the response cleanly; a body that broke midway must cut the connection instead.
            throw new WorkerException($"Error: Network connection lost. ({ex.Message})");
        }
        if (length > 0) return buffer.AsMemory(0, length);
        Finish();
        return null;
    }

    internal void Finish()
    {
        if (Interlocked.Exchange(ref _finished, 1) == 0) owner?.Dispose();
    }

    internal void ReturnBuffers()
    {
        if (_buffers is null || Interlocked.Exchange(ref _returned, 1) != 0) return;
        foreach (var buffer in _buffers) ArrayPool<byte>.Shared.Return(buffer);
    }
}

/// <summary>
/// A host body taken whole by the server (<see cref="ResponseBodyStream.TakeHostSource"/>): reads
/// go straight to the source; a read that fails is reported as the Worker's body breaking (not an
/// IOException, which the server takes for the client going away), and disposing releases the owner.
/// </summary>
internal sealed class HostSourceStream(Stream source, IDisposable? owner) : ReadOnlyStream
{
    private int _disposed;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            return await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new WorkerException($"Error: Network connection lost. ({ex.Message})");
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Read a host body asynchronously.");

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0) owner?.Dispose();
        base.Dispose(disposing);
    }

    public override long Length => source.Length;
}

/// <summary>The Worker failed to produce a response; the message carries the JavaScript stack.</summary>
public sealed class WorkerException(string message, int status = 500) : Exception(message)
{
    public int Status { get; } = status;
}
