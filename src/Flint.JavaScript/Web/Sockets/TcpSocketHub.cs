using System.Collections.Concurrent;
using Flint.JavaScript.Isolates;
using Microsoft.Extensions.Logging;

namespace Flint.JavaScript.Web.Sockets;

/// <summary>
/// The TCP sockets of one isolate (<c>connect()</c> from <c>cloudflare:sockets</c>), by the
/// integer id script knows them by. Every connection goes through the isolate's outbound policy,
/// as fetch does. An open socket keeps its isolate in use, so a reload does not free it.
/// </summary>
internal sealed class TcpSocketHub(WorkerIsolate isolate)
{
    private readonly ConcurrentDictionary<int, WorkerSocket> _sockets = new();
    private int _nextId;

    public WorkerIsolate Isolate => isolate;

    /// <summary>
    /// Starts connecting to <paramref name="host"/>:<paramref name="port"/> (or, with a Hyperdrive
    /// binding's index, to that binding's database) and returns the socket's id; the promises settle as it opens and ends.
    /// </summary>
    public int Connect(int openedPromise, int closedPromise, string host, int port, SecureTransport transport, int bindingIndex)
    {
        var socket = Add(closedPromise);
        if (bindingIndex >= 0)
        {
            if (isolate.BindingAt(bindingIndex) is not Bindings.Hyperdrive.HyperdriveBinding hyperdrive)
            {
                isolate.CompleteOpLater(openedPromise, null, "connection attempt failed", "Error");
                socket.Close();
                return socket.Id;
            }
            (host, port, transport) = (hyperdrive.OriginHost, hyperdrive.OriginPort, SecureTransport.Off);
        }
        else if (port == SmtpPort)
        {
            // As on Cloudflare: Workers may not send mail over SMTP's port.
            isolate.Log((int)LogLevel.Warning, $"connect() to {host}:{port} refused: Workers may not connect to port {SmtpPort} (SMTP), as on Cloudflare.");
            isolate.CompleteOpLater(openedPromise, "ECONNREFUSED", null, "Error");
            socket.Fail(ConnectFailed(port));
            return socket.Id;
        }
        _ = socket.ConnectAsync(host, port, transport, openedPromise);
        return socket.Id;
    }

    /// <summary>startTls(): a new socket continuing <paramref name="plainId"/>'s connection over TLS, checked against <paramref name="host"/>. Returns its id, or 0 when that socket is gone.</summary>
    public int StartTls(int plainId, int openedPromise, int closedPromise, string host)
    {
        var secure = Add(closedPromise);
        if (!_sockets.TryGetValue(plainId, out var plain))
        {
            const string message = "The connection was closed before startTls completed.";
            isolate.CompleteOpLater(openedPromise, null, message, "TypeError");
            secure.Fail(message);
            return secure.Id;
        }
        _ = secure.UpgradeAsync(plain, host, openedPromise);
        return secure.Id;
    }

    public WorkerSocket? Get(int id) => _sockets.TryGetValue(id, out var s) ? s : null;

    public void Remove(WorkerSocket socket)
    {
        if (_sockets.TryRemove(socket.Id, out _)) isolate.ReleaseHold();
    }

    public void AbortAll()
    {
        foreach (var s in _sockets.Values) s.Abort();
        _sockets.Clear();
    }

    private WorkerSocket Add(int closedPromise)
    {
        var socket = new WorkerSocket(this, Interlocked.Increment(ref _nextId), closedPromise);
        _sockets[socket.Id] = socket;
        isolate.HoldOpen();
        return socket;
    }

    private const int SmtpPort = 25;

    /// <summary>workerd's words when a connection cannot be made, with its hint for HTTP's ports.</summary>
    public static string ConnectFailed(int port) => port is 80 or 443
        ? "proxy request failed, cannot connect to the specified address. It looks like you might be trying to connect to a HTTP-based service — consider using fetch instead"
        : "proxy request failed, cannot connect to the specified address";
}
