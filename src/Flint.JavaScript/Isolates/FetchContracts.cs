using System.Threading.Channels;

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
    private Task<ReadOnlyMemory<byte>?>? _ahead;

    internal ResponseBodyStream(Func<ValueTask<ReadOnlyMemory<byte>?>> next, Action cancel)
    {
        _next = next;
        _cancel = cancel;
    }

    /// <summary>The next chunk, or null at the end. Throws if the Worker's stream errored. One read at a time.</summary>
    public async ValueTask<ReadOnlyMemory<byte>?> ReadAsync()
    {
        var pending = _ahead;
        _ahead = null;
        var chunk = pending is null ? await _next().ConfigureAwait(false) : await pending.ConfigureAwait(false);
        if (chunk is not null) _ahead = _next().AsTask();
        return chunk;
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

/// <summary>The Worker failed to produce a response; the message carries the JavaScript stack.</summary>
public sealed class WorkerException(string message, int status = 500) : Exception(message)
{
    public int Status { get; } = status;
}
