using Flint.JavaScript.Isolates;
using Microsoft.ClearScript.V8.FastProxy;

namespace Flint.JavaScript.Web.Sockets;

/// <summary>
/// The host side of 66_sockets.js. Script knows a socket by its integer id and reads it as a host
/// stream (the readBody op); writes and the write side's end settle a promise. No op throws into script.
/// </summary>
internal static class SocketOps
{
    public static void Register(HostOpTable ops, WorkerIsolate isolate)
    {
        void Add(string name, V8FastHostFunctionInvoker invoke) => ops.SetProperty(name, new V8FastHostFunction(name, invoke));
        var hub = isolate.Sockets;

        // opened promise, closed promise, host, port, secureTransport (0 off, 1 on, 2 starttls), Hyperdrive binding index or -1 -> socket id
        Add("sockConnect", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var transport = (SecureTransport)Math.Clamp(a.GetInt32(4, "secureTransport"), 0, 2);
            r.Set(hub.Connect(a.GetInt32(0, "opened"), a.GetInt32(1, "closed"), a.GetString(2, "host"), a.GetInt32(3, "port"), transport, a.GetInt32(5, "binding")));
        });

        // The host stream of a socket's read side, for readBody / cancelBody (0 when the socket is gone).
        Add("sockReadable", (bool _, in V8FastArgs a, in V8FastResult r) =>
            r.Set(hub.Get(a.GetInt32(0, "socket")) is { } s ? isolate.Streams.Register(s.ReadStream, owner: null, context: null) : 0));

        // socket, promise, bytes: settles once the bytes are on their way.
        Add("sockWrite", (bool fast, in V8FastArgs a, in V8FastResult r) =>
        {
            var promise = a.GetInt32(1, "promise");
            var bytes = ScriptHandles.CopyBytes(a.Get<object?>(2, "bytes")) ?? [];
            if (hub.Get(a.GetInt32(0, "socket")) is not { } socket)
            {
                isolate.CompleteOpLater(promise, null, "This WritableStream belongs to an object that is closing.", "TypeError");
                return;
            }
            _ = Settle(isolate, promise, socket.WriteAsync(bytes));
        });

        Add("sockShutdown", (bool fast, in V8FastArgs a, in V8FastResult r) =>
        {
            var promise = a.GetInt32(1, "promise");
            if (hub.Get(a.GetInt32(0, "socket")) is not { } socket) { isolate.CompleteOpLater(promise, null, null, "Error"); return; }
            _ = Settle(isolate, promise, socket.ShutdownWriteAsync());
        });

        Add("sockClose", (bool _, in V8FastArgs a, in V8FastResult r) => hub.Get(a.GetInt32(0, "socket"))?.Close());

        // Where node:dns sends its DNS-over-HTTPS questions: Cloudflare's, as workerd, unless FLINT_DNS_OVER_HTTPS names another.
        Add("dnsServer", (bool _, in V8FastArgs a, in V8FastResult r) =>
            r.Set(Environment.GetEnvironmentVariable("FLINT_DNS_OVER_HTTPS") is { Length: > 0 } url ? url : "https://cloudflare-dns.com/dns-query"));

        // plain socket, opened promise, closed promise, host name -> the TLS socket's id
        Add("sockStartTls", (bool _, in V8FastArgs a, in V8FastResult r) =>
            r.Set(hub.StartTls(a.GetInt32(0, "socket"), a.GetInt32(1, "opened"), a.GetInt32(2, "closed"), a.GetString(3, "host"))));
    }

    private static async Task Settle(WorkerIsolate isolate, int promise, Task work)
    {
        try
        {
            await work.ConfigureAwait(false);
            isolate.CompleteOpLater(promise, null, null, "Error");
        }
        catch (Exception ex)
        {
            isolate.CompleteOpLater(promise, null, ex is IOException io && io.Message.StartsWith("proxy request failed", StringComparison.Ordinal)
                ? io.Message : $"Network connection lost. ({ex.Message})", "Error");
        }
    }
}
