using Flint.JavaScript.Isolates;
using Microsoft.ClearScript.JavaScript;
using Microsoft.ClearScript.V8.FastProxy;

namespace Flint.JavaScript.Web.WebSockets;

/// <summary>
/// The host side of 65_websocket.js. Script knows a connection only by its integer id; sends
/// are queued and never wait for the network. No op throws into script.
/// </summary>
internal static class WebSocketOps
{
    /// <summary>
    /// A Durable Object's socket sends once the object's writes before it are durable: the gate of
    /// the object whose event is sending (a hibernated socket outlives the instance that accepted it),
    /// else the socket's own.
    /// </summary>
    private static void Gated(WorkerIsolate isolate, WorkerWebSocket socket, Action send)
    {
        if ((isolate.Isolate.Current?.Actor?.Gate ?? socket.Gate) is { } gate) gate.Send(send);
        else send();
    }

    public static void Register(HostOpTable ops, WorkerIsolate isolate)
    {
        void Add(string name, V8FastHostFunctionInvoker invoke) => ops.SetProperty(name, new V8FastHostFunction(name, invoke));
        var hub = isolate.WebSockets;

        // A connection for a Response to carry; it buffers what is sent until the server upgrades.
        Add("wsCreate", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var socket = hub.Create();
            // Made by a Durable Object: what it sends goes through its output gate, and it keeps the object alive.
            isolate.Isolate.Current?.Actor?.AdoptSocket(socket);
            r.Set(socket.Id);
        });

        // accept() of another isolate's socket (a Durable Object's from stub.fetch(), a service's from env.SVC.fetch()): 0 if it is gone.
        Add("wsAcceptForeign", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            if (hub.Get(a.GetInt32(0, "socket")) is not { } remote) { r.Set(0); return; }
            var socket = hub.Link(remote);
            isolate.Isolate.Current?.Actor?.AdoptSocket(socket);
            r.Set(socket.Id);
        });

        Add("wsSend", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            if (hub.Get(a.GetInt32(0, "socket")) is not { } socket) return;
            var data = a.Get<object?>(1, "data");
            if (data is string text) Gated(isolate, socket, () => socket.Send(text));
            else if (ScriptHandles.CopyBytes(data) is { } bytes) Gated(isolate, socket, () => socket.Send(bytes));
        });

        Add("wsClose", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            if (hub.Get(a.GetInt32(0, "socket")) is not { } socket) return;
            var code = a.GetInt32(1, "code");
            var reason = a.GetString(2, "reason");
            // Script validated both; check again so nothing invalid reaches the wire.
            if (code >= 0 && (code < 1000 || code > 4999)) code = 1000;
            if (System.Text.Encoding.UTF8.GetByteCount(reason) > 123) reason = "";
            Gated(isolate, socket, () => socket.Close(code, reason));
        });

        // A listener threw: drop the connection without a close frame, as workerd does.
        Add("wsDrop", (bool _, in V8FastArgs a, in V8FastResult r) => hub.Get(a.GetInt32(0, "socket"))?.Drop());

        Add("wsConnect", (bool _, in V8FastArgs a, in V8FastResult r) =>
            hub.Connect(a.GetInt32(0, "promise"), a.GetString(1, "url"), a.GetString(2, "protocols"), a.GetString(3, "headers")));

        // A 101 Response carrying connection `socket`.
        Add("wsRespond", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var eventId = a.GetInt32(0, "event");
            var flat = a.GetString(1, "headers");
            var headers = flat.Length == 0 ? [] : flat.Split('\n');
            var socket = hub.Get(a.GetInt32(2, "socket"));
            if (socket is null)
            {
                isolate.RespondError(eventId, "Error: The WebSocket of this response is gone.", false);
                return;
            }
            for (var i = 0; i + 1 < headers.Length; i += 2)
            {
                if (string.Equals(headers[i], "sec-websocket-protocol", StringComparison.OrdinalIgnoreCase)) socket.SubProtocol = headers[i + 1].Trim();
            }
            isolate.Respond(eventId, new WorkerResponse
            {
                Status = 101, StatusText = "Switching Protocols", Headers = headers, IsWebSocket = true, WebSocket = socket,
            });
        });
    }
}
