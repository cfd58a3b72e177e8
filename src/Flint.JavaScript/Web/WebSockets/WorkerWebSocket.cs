using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;
using Flint.JavaScript.Isolates;

namespace Flint.JavaScript.Web.WebSockets;

/// <summary>
/// One WebSocket connection between the network and a Worker's isolate: the server side of an
/// upgraded request (the end of a WebSocketPair a Worker returned in a 101 Response) or an
/// outbound client connection. It pumps frames both ways: what the Worker sends is queued and
/// written by a send loop, so script never waits for the network; each message received is
/// delivered into the isolate as one event, and the next is read only after that event ran.
/// The connection stays bound to the isolate that created it for its whole life.
/// </summary>
public sealed class WorkerWebSocket
{
    /// <summary>The largest message a Worker receives, as in workerd (1 MiB).</summary>
    public const int MaxMessageBytes = 1 << 20;

    private const int KindMessage = 1, KindClose = 2, KindError = 3, KindEnded = 4;
    private const string Lost = "Network connection lost.";

    private readonly WorkerIsolate _isolate;
    private readonly Channel<Outgoing> _outgoing = Channel.CreateUnbounded<Outgoing>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _abort = new();
    private int _started;
    private int _finished;
    private volatile bool _closeTimedOut;
    private volatile bool _droppedByScript;
    private CloseFrameStream? _frames;

    /// <summary>How long the peer has to answer the Worker's close before the connection is dropped.</summary>
    internal static TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(30);

    internal WorkerWebSocket(WorkerIsolate isolate, int id)
    {
        _isolate = isolate;
        Id = id;
    }

    internal int Id { get; }

    /// <summary>The isolate whose script this connection talks to.</summary>
    internal WorkerIsolate Owner => _isolate;

    /// <summary>The subprotocol the Worker chose (its Response's Sec-WebSocket-Protocol header), if any.</summary>
    public string? SubProtocol { get; internal set; }

    /// <summary>
    /// Where received events go instead of the isolate's WebSocket listeners: a Durable Object's
    /// hibernation API (its webSocketMessage/Close/Error handlers), which may first wake the object.
    /// </summary>
    internal Func<int, object?, int, string?, Task>? Router { get; set; }

    /// <summary>The output gate of the Durable Object that made this socket: what it sends waits for its writes.</summary>
    internal Bindings.DurableObjects.ActorOutputGate? Gate { get; set; }

    /// <summary>Raised once the connection has ended.</summary>
    internal event Action? Finished;

    // ---- called by the isolate (script's sends) -------------------------------------------------

    internal void Send(string text) => _outgoing.Writer.TryWrite(new Outgoing(text, null, false, 0, null));

    internal void Send(byte[] bytes) => _outgoing.Writer.TryWrite(new Outgoing(null, bytes, false, 0, null));

    /// <summary>Queues a close frame; <paramref name="code"/> &lt; 0 sends one without a code.</summary>
    internal void Close(int code, string reason)
    {
        _outgoing.Writer.TryWrite(new Outgoing(null, null, true, code, reason));
        _outgoing.Writer.TryComplete();
    }

    // ---- called by the server ---------------------------------------------------------------------

    /// <summary>
    /// Carries the Worker's socket over <paramref name="socket"/> until both sides closed or the
    /// connection dropped. Call once; <paramref name="cancellationToken"/> aborts the connection.
    /// </summary>
    public async Task RunAsync(WebSocket socket, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0) throw new InvalidOperationException("This WebSocket is already running.");
        using var link = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _abort.Token);
        var token = link.Token;
        try
        {
            var sending = SendLoopAsync(socket, token);
            await ReceiveLoopAsync(socket, token).ConfigureAwait(false);
            // Give the Worker's answer to a close a moment to go out before the connection ends.
            if (!sending.IsCompleted) await Task.WhenAny(sending, Task.Delay(TimeSpan.FromSeconds(5), token)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) { }
        finally
        {
            socket.Abort();
            socket.Dispose();
            Finish();
        }
    }

    /// <summary>The upgrade did not happen (e.g. the request was not a WebSocket request): the Worker's side sees the connection lost.</summary>
    public void Reject()
    {
        if (Interlocked.Exchange(ref _started, 1) != 0) return;
        _ = _isolate.PostWebSocketEvent(Id, KindError, Lost, 0, null);
        Finish();
    }

    /// <summary>
    /// Carries the Worker's socket over <paramref name="upgraded"/>, the server side of a connection
    /// upgraded by a 101 answer. Unlike a <see cref="WebSocket"/> made elsewhere, this one can send a
    /// close frame without a status code, as a Worker's <c>close()</c> without arguments does.
    /// </summary>
    public Task RunAsync(Stream upgraded, string? subProtocol, CancellationToken cancellationToken = default)
    {
        _frames = new CloseFrameStream(upgraded);
        var socket = WebSocket.CreateFromStream(_frames, new WebSocketCreationOptions
        {
            IsServer = true,
            SubProtocol = subProtocol,
            KeepAliveInterval = TimeSpan.FromMinutes(2), // ASP.NET Core's default for accepted sockets
        });
        return RunAsync(socket, cancellationToken);
    }

    /// <summary>Stops the connection at once (the isolate is going away).</summary>
    internal void Abort()
    {
        _abort.Cancel();
        if (Volatile.Read(ref _started) == 0) Finish();
    }

    /// <summary>
    /// Script errored the socket (a listener threw, as workerd does): the connection is dropped
    /// without a close frame, and script hears once it has ended, so it can forget the id.
    /// </summary>
    internal void Drop()
    {
        _droppedByScript = true;
        Abort();
    }

    private void Finish()
    {
        if (Interlocked.Exchange(ref _finished, 1) != 0) return;
        _outgoing.Writer.TryComplete();
        _isolate.WebSockets.Remove(this);
        if (_droppedByScript) _ = Deliver(KindEnded, null, 0, null);
        Finished?.Invoke();
    }

    private async Task SendLoopAsync(WebSocket socket, CancellationToken token)
    {
        try
        {
            await foreach (var item in _outgoing.Reader.ReadAllAsync(token).ConfigureAwait(false))
            {
                if (item.IsClose)
                {
                    if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                    {
                        WebSocketCloseStatus status;
                        if (item.Code >= 0) status = (WebSocketCloseStatus)item.Code;
                        else if (_frames is { } frames)
                        {
                            frames.SendNextCloseWithoutCode();
                            status = WebSocketCloseStatus.Empty;
                        }
                        // An outbound ClientWebSocket would put 1005 on the wire, which peers reject: 1000 is the nearest.
                        else status = WebSocketCloseStatus.NormalClosure;
                        await socket.CloseOutputAsync(status, item.Code < 0 ? null : item.Reason, token).ConfigureAwait(false);
                        if (socket.State == WebSocketState.CloseSent)
                        {
                            // A peer that never answers the close must not hold the connection (and the isolate) forever.
                            _ = Task.Delay(CloseTimeout, token).ContinueWith(t =>
                            {
                                if (t.IsCanceled) return;
                                _closeTimedOut = true;
                                _abort.Cancel();
                            }, TaskScheduler.Default);
                        }
                    }
                    return;
                }
                if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived)) continue;
                if (item.Text is { } text)
                {
                    var bytes = Encoding.UTF8.GetBytes(text);
                    await socket.SendAsync(bytes, WebSocketMessageType.Text, true, token).ConfigureAwait(false);
                }
                else if (item.Bytes is { } bytes)
                {
                    await socket.SendAsync(bytes, WebSocketMessageType.Binary, true, token).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The receive loop reports the lost connection.
        }
    }

    private async Task ReceiveLoopAsync(WebSocket socket, CancellationToken token)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        var message = new ArrayBufferWriter<byte>();
        try
        {
            while (true)
            {
                ValueWebSocketReceiveResult result;
                try
                {
                    result = await socket.ReceiveAsync(buffer.AsMemory(), token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException)
                {
                    await Deliver(KindError, Lost, 0, null).ConfigureAwait(false);
                    return;
                }
                catch (OperationCanceledException) when (_closeTimedOut)
                {
                    await Deliver(KindError, Lost, 0, null).ConfigureAwait(false);
                    return;
                }
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    var code = _frames is { PeerClosedWithoutCode: true } || socket.CloseStatus is null ? 1005 : (int)socket.CloseStatus.Value;
                    await Deliver(KindClose, null, code, socket.CloseStatusDescription ?? "").ConfigureAwait(false);
                    return;
                }
                if (message.WrittenCount + result.Count > MaxMessageBytes)
                {
                    var text = $"WebSocket message is too large: more than {MaxMessageBytes} bytes (1 MiB) received.";
                    try { await socket.CloseOutputAsync(WebSocketCloseStatus.MessageTooBig, "Message is too large.", token).ConfigureAwait(false); }
                    catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException) { }
                    await Deliver(KindError, text, 1009, "Message is too large.").ConfigureAwait(false);
                    return;
                }
                message.Write(buffer.AsSpan(0, result.Count));
                if (!result.EndOfMessage) continue;
                object data = result.MessageType == WebSocketMessageType.Text
                    ? Encoding.UTF8.GetString(message.WrittenSpan)
                    : message.WrittenSpan.ToArray();
                message.ResetWrittenCount();
                await Deliver(KindMessage, data, 0, null).ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private Task Deliver(int kind, object? data, int code, string? reason) =>
        Router is { } route && kind != KindEnded ? route(kind, data, code, reason) : _isolate.PostWebSocketEvent(Id, kind, data, code, reason);

    private readonly record struct Outgoing(string? Text, byte[]? Bytes, bool IsClose, int Code, string? Reason);
}
