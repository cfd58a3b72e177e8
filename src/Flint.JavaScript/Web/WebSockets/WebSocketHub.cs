using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using Flint.JavaScript.Isolates;

namespace Flint.JavaScript.Web.WebSockets;

/// <summary>
/// The WebSocket connections of one isolate, by the integer id script knows them by. A
/// connection keeps its isolate in use (so a reload does not free it) until it ends.
/// </summary>
internal sealed class WebSocketHub(WorkerIsolate isolate)
{
    private readonly ConcurrentDictionary<int, WorkerWebSocket> _sockets = new();
    private int _nextId;

    // Headers ClientWebSocket sets itself.
    private static readonly HashSet<string> s_managedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "host", "connection", "upgrade", "content-length", "transfer-encoding", "keep-alive", "proxy-connection",
        "sec-websocket-key", "sec-websocket-version", "sec-websocket-extensions", "sec-websocket-protocol", "sec-websocket-accept",
    };

    public WorkerWebSocket Create()
    {
        var socket = new WorkerWebSocket(isolate, Interlocked.Increment(ref _nextId));
        _sockets[socket.Id] = socket;
        isolate.HoldOpen();
        return socket;
    }

    public WorkerWebSocket? Get(int id) =>
        id < 0 ? (_foreign.TryRemove(id, out var f) ? f : null) : _sockets.TryGetValue(id, out var s) ? s : null;

    // Sockets of another isolate this one holds in a Response to pass on (a Durable Object's, returned by stub.fetch()), by negative id; taken once.
    private readonly ConcurrentDictionary<int, WorkerWebSocket> _foreign = new();
    private int _nextForeign;

    /// <summary>Holds <paramref name="socket"/> (another isolate's) for script to return in a Response; its id is negative.</summary>
    public int AddForeign(WorkerWebSocket socket)
    {
        var id = -Interlocked.Increment(ref _nextForeign);
        _foreign[id] = socket;
        return id;
    }

    /// <summary>
    /// This isolate accept()s <paramref name="remote"/>, another isolate's socket (a Durable Object's
    /// from stub.fetch(), a service's from env.SVC.fetch()): the two talk over an in-memory connection
    /// as they would over the network, the other isolate's end as the server, so each side keeps its
    /// own event delivery, gates and limits.
    /// </summary>
    public WorkerWebSocket Link(WorkerWebSocket remote)
    {
        var (objectEnd, workerEnd) = Nerdbank.Streams.FullDuplexStream.CreatePair();
        var local = Create();
        _ = remote.RunAsync(objectEnd, remote.SubProtocol);
        _ = local.RunAsync(WebSocket.CreateFromStream(workerEnd, new WebSocketCreationOptions
        {
            IsServer = false,
            SubProtocol = remote.SubProtocol,
            KeepAliveInterval = TimeSpan.Zero, // in memory: nothing to keep alive
        }));
        return local;
    }

    public void Remove(WorkerWebSocket socket)
    {
        if (_sockets.TryRemove(socket.Id, out _)) isolate.ReleaseHold();
    }

    public void AbortAll()
    {
        foreach (var s in _sockets.Values) s.Abort();
        foreach (var s in _foreign.Values) s.Reject();
        _foreign.Clear();
    }

    /// <summary>
    /// Connects to <paramref name="url"/> (ws: or wss:) and settles promise <paramref name="promiseId"/> with
    /// "status\nid\nprotocol\nextensions\nstatusText\nheaders…" (status 101 when upgraded, else the server's answer).
    /// </summary>
    public void Connect(int promiseId, string url, string protocols, string headers)
    {
        _ = ConnectAsync(promiseId, url, protocols, headers);
    }

    private async Task ConnectAsync(int promiseId, string url, string protocols, string headers)
    {
        string? head = null, error = null, errorName = "Error";
        var client = new ClientWebSocket();
        try
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("ws" or "wss"))
                throw new ArgumentException($"Invalid WebSocket URL: {url}");
            client.Options.CollectHttpResponseDetails = true;
            foreach (var p in protocols.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                client.Options.AddSubProtocol(p);
            var flat = headers.Length == 0 ? [] : headers.Split('\n');
            for (var i = 0; i + 1 < flat.Length; i += 2)
            {
                if (s_managedHeaders.Contains(flat[i])) continue;
                try { client.Options.SetRequestHeader(flat[i], flat[i + 1]); }
                catch (ArgumentException) { }
            }
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await client.ConnectAsync(uri, isolate.Outbound.Client, timeout.Token).ConfigureAwait(false);
            var socket = Create();
            head = Head(101, socket.Id, client.SubProtocol ?? "", "Switching Protocols", client.HttpResponseHeaders);
            client.HttpResponseHeaders = null;
            _ = socket.RunAsync(client);
        }
        catch (Exception ex) when (ExceptionChain.Find<Network.OutboundDeniedException>(ex) is { } denied)
        {
            error = isolate.DeniedOutbound(denied);
            client.Dispose();
        }
        catch (Exception ex) when (ex is WebSocketException or HttpRequestException or IOException or OperationCanceledException or ArgumentException or UriFormatException)
        {
            var status = (int)client.HttpStatusCode;
            if (status is > 0 and not 101)
            {
                head = Head(status, 0, "", "", client.HttpResponseHeaders);
            }
            else
            {
                // workerd's words; the cause goes to the log.
                error = ex is ArgumentException or UriFormatException ? ex.Message : "Network connection lost.";
                errorName = ex is ArgumentException or UriFormatException ? "TypeError" : "Error";
                isolate.LogDebug($"WebSocket connection to {url} failed: {ex.Message}");
            }
            client.Dispose();
        }
        isolate.CompleteOpLater(promiseId, head, error, errorName);
    }

    private static string Head(int status, int id, string protocol, string statusText, IReadOnlyDictionary<string, IEnumerable<string>>? headers)
    {
        var sb = new StringBuilder();
        sb.Append(status).Append('\n').Append(id).Append('\n').Append(protocol.Replace('\n', ' ')).Append('\n')
          .Append('\n').Append(statusText.Length > 0 ? statusText : ReasonPhrase(status));
        if (headers is not null)
        {
            foreach (var (name, values) in headers)
            {
                foreach (var value in values)
                {
                    sb.Append('\n').Append(name.ToLowerInvariant().Replace('\n', ' ')).Append('\n').Append(value.Replace('\n', ' '));
                }
            }
        }
        return sb.ToString();
    }

    private static string ReasonPhrase(int status) =>
        Enum.IsDefined(typeof(HttpStatusCode), status) ? System.Text.RegularExpressions.Regex.Replace(((HttpStatusCode)status).ToString(), "(?<=[a-z])(?=[A-Z])", " ") : "";
}
