using Flint.JavaScript.Web.WebSockets;

namespace Flint.JavaScript.Bindings.DurableObjects;

/// <summary>
/// The WebSockets an object accepted with <c>ctx.acceptWebSocket()</c>. They belong to the object,
/// not to its instance: the instance may be evicted (hibernate) while its clients stay connected,
/// and a message then wakes the object, whose new instance gets the event in webSocketMessage().
/// Tags and attachments are kept here for that. The auto-response is answered here too, without
/// waking the object.
/// </summary>
public sealed class HibernatableSockets
{
    /// <summary>Cloudflare's limits on tags.</summary>
    public const int MaxTags = 10, MaxTagLength = 256;
    /// <summary>Cloudflare's limit on a serialized attachment.</summary>
    public const int MaxAttachmentBytes = 2048;

    private readonly object _gate = new();
    private readonly List<HibernatableSocket> _sockets = [];
    private (string Request, string Response)? _autoResponse;

    /// <summary>Delivers an event of one socket to the object (waking it if it hibernates); set by the directory.</summary>
    public Func<HibernatableSocket, int, object?, int, string?, Task>? Deliver { get; set; }

    public int Count { get { lock (_gate) return _sockets.Count; } }

    /// <summary>The request/response pair answered without waking the object, or null.</summary>
    public (string Request, string Response)? AutoResponse
    {
        get { lock (_gate) return _autoResponse; }
        set { lock (_gate) _autoResponse = value; }
    }

    public IReadOnlyList<HibernatableSocket> All() { lock (_gate) return [.. _sockets]; }

    public IReadOnlyList<HibernatableSocket> Tagged(string? tag)
    {
        lock (_gate) return tag is null ? [.. _sockets] : _sockets.Where(s => s.Tags.Contains(tag)).ToList();
    }

    public HibernatableSocket? Find(int hostId) { lock (_gate) return _sockets.FirstOrDefault(s => s.HostId == hostId); }

    internal HibernatableSocket Add(WorkerWebSocket socket, int hostId, string[] tags)
    {
        var entry = new HibernatableSocket(this, socket, hostId, tags);
        lock (_gate) _sockets.Add(entry);
        socket.Router = (kind, data, code, reason) => Route(entry, kind, data, code, reason);
        socket.Finished += () => Remove(entry);
        return entry;
    }

    internal void Remove(HibernatableSocket socket)
    {
        lock (_gate) _sockets.Remove(socket);
    }

    /// <summary>The isolate the sockets are in (the one that accepted them), or null when there are none.</summary>
    public Isolates.WorkerIsolate? Home { get { lock (_gate) return _sockets.Count > 0 ? _sockets[0].Socket.Owner : null; } }

    /// <summary>Closes the sockets that are not in <paramref name="isolate"/> (an object started elsewhere cannot serve them).</summary>
    public void CloseNotOn(Isolates.WorkerIsolate isolate, int code, string reason)
    {
        foreach (var s in All()) if (s.Socket.Owner != isolate) { s.Socket.Close(code, reason); Remove(s); }
    }

    /// <summary>Closes every socket (the object's code was updated): clients see the close code Cloudflare sends.</summary>
    public void CloseAll(int code, string reason)
    {
        foreach (var s in All()) s.Socket.Close(code, reason);
    }

    private Task Route(HibernatableSocket socket, int kind, object? data, int code, string? reason)
    {
        if (kind == 1 && data is string text && AutoResponse is { } pair && pair.Request == text)
        {
            socket.Socket.Send(pair.Response);
            socket.AutoResponseAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            return Task.CompletedTask;
        }
        return Deliver is { } deliver ? deliver(socket, kind, data, code, reason) : Task.CompletedTask;
    }
}

/// <summary>One hibernatable WebSocket: its connection (in the isolate that accepted it), tags and attachment.</summary>
public sealed class HibernatableSocket
{
    internal HibernatableSocket(HibernatableSockets owner, WorkerWebSocket socket, int hostId, string[] tags)
    {
        Owner = owner;
        Socket = socket;
        HostId = hostId;
        Tags = tags;
    }

    internal HibernatableSockets Owner { get; }
    internal WorkerWebSocket Socket { get; }
    /// <summary>The connection's id in its isolate's table.</summary>
    public int HostId { get; }
    public string[] Tags { get; }
    /// <summary>serializeAttachment()'s value, as structured clone bytes.</summary>
    public byte[]? Attachment { get; set; }
    /// <summary>When the auto-response last answered on this socket (Unix ms), or 0.</summary>
    public long AutoResponseAt { get; set; }
}
