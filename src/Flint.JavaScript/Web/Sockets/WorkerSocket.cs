using System.Net.Security;
using System.Net.Sockets;
using Flint.JavaScript.Isolates;
using Flint.Engine.IO;

namespace Flint.JavaScript.Web.Sockets;

/// <summary>How a socket is secured, as <c>connect()</c>'s <c>secureTransport</c> option names it.</summary>
internal enum SecureTransport { Off = 0, On = 1, StartTls = 2 }

/// <summary>
/// One TCP connection of a Worker (66_sockets.js's Socket). The JavaScript side writes through
/// <see cref="WriteAsync"/> one chunk at a time and reads through a host stream
/// (<see cref="ReadStream"/>), so a read and a write may be in flight together but never two of
/// either. Settles the socket's <c>opened</c> and <c>closed</c> promises. After
/// <c>startTls()</c> the connection continues in a new <see cref="WorkerSocket"/> over the same
/// TCP socket, and this one ends without closing it.
/// </summary>
internal sealed class WorkerSocket
{
    private readonly TcpSocketHub _hub;
    private readonly TaskCompletionSource<Stream> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _lifetime = new();
    // startTls(): a plain read may be waiting when the upgrade begins. It is left to finish (its
    // bytes are the server's first TLS record) and hands what it got to the TLS stream.
    private readonly object _readGate = new();
    private bool _readInFlight, _upgraded;
    private readonly TaskCompletionSource<byte[]> _handover = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly int _closedPromise;
    private Socket? _tcp;
    private Stream? _transport;
    private bool _readEnded, _writeShut;
    private int _ended; // 1 once closed, failed or upgraded

    public WorkerSocket(TcpSocketHub hub, int id, int closedPromise)
    {
        _hub = hub;
        Id = id;
        _closedPromise = closedPromise;
        ReadStream = new SocketReadStream(this);
    }

    public int Id { get; }

    /// <summary>What script reads: the bytes the peer sends, ending at its end of stream.</summary>
    public Stream ReadStream { get; }

    private bool Ended => Volatile.Read(ref _ended) != 0;

    /// <summary>Opens the connection and settles <paramref name="openedPromise"/>.</summary>
    public async Task ConnectAsync(string host, int port, SecureTransport transport, int openedPromise)
    {
        try
        {
            var tcp = await _hub.Isolate.Outbound.ConnectAsync(host, port, _lifetime.Token).ConfigureAwait(false);
            _tcp = tcp;
            Stream stream = new NetworkStream(tcp, ownsSocket: false);
            if (transport == SecureTransport.On) stream = await AuthenticateAsync(stream, host).ConfigureAwait(false);
            Open(stream, openedPromise);
        }
        catch (Exception ex)
        {
            FailToOpen(openedPromise, ex, port, host);
        }
    }

    /// <summary>Continues <paramref name="plain"/>'s connection over TLS (startTls()), settling <paramref name="openedPromise"/> once the handshake is done.</summary>
    public async Task UpgradeAsync(WorkerSocket plain, string host, int openedPromise)
    {
        try
        {
            var (tcp, early) = await plain.DetachForUpgradeAsync().ConfigureAwait(false);
            _tcp = tcp;
            var stream = await AuthenticateAsync(new HandoverStream(new NetworkStream(tcp, ownsSocket: false), early), host).ConfigureAwait(false);
            Open(stream, openedPromise);
        }
        catch (Exception ex)
        {
            FailToOpen(openedPromise, ex, 0, host);
        }
    }

    private async Task<Stream> AuthenticateAsync(Stream inner, string host)
    {
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false, Network.TlsTrust.Validate);
        var options = new SslClientAuthenticationOptions
        {
            // SNI and the name checked against the certificate; an address literal is checked as an address.
            TargetHost = host.Trim('[', ']'),
            RemoteCertificateValidationCallback = Network.TlsTrust.Validate,
        };
        try
        {
            await ssl.AuthenticateAsClientAsync(options, _lifetime.Token).ConfigureAwait(false);
            return ssl;
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private void Open(Stream stream, int openedPromise)
    {
        _transport = stream;
        if (Ended)
        {
            // close() came while connecting: the connection goes at once.
            DisposeConnection();
            _ready.TrySetException(new IOException("The socket was closed."));
            return;
        }
        _ready.TrySetResult(stream);
        _hub.Isolate.CompleteOpLater(openedPromise, "", null, "Error");
    }

    private void FailToOpen(int openedPromise, Exception ex, int port, string host)
    {
        string message = TcpSocketHub.ConnectFailed(port);
        if (ExceptionChain.Find<Network.OutboundDeniedException>(ex) is { } denied) _hub.Isolate.DeniedOutbound(denied);
        else if (ex is not OperationCanceledException) _hub.Isolate.LogDebug($"connect() to {host}:{port} failed: {ex.Message}");
        _ready.TrySetException(new IOException(message, ex));
        // Script words the error; the code is what node:net reports (ECONNREFUSED, ENOTFOUND, …).
        _hub.Isolate.CompleteOpLater(openedPromise, FailureCode(ex), null, "Error");
        End(message);
    }

    /// <summary>The errno name Node would report for a failed connect, as node:net's errors carry it.</summary>
    internal static string FailureCode(Exception ex) => ExceptionChain.Find<SocketException>(ex)?.SocketErrorCode switch
    {
        SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "ENOTFOUND",
        SocketError.TimedOut => "ETIMEDOUT",
        SocketError.NetworkUnreachable or SocketError.NetworkDown => "ENETUNREACH",
        SocketError.HostUnreachable => "EHOSTUNREACH",
        SocketError.ConnectionReset => "ECONNRESET",
        SocketError.ConnectionRefused => "ECONNREFUSED",
        _ when ExceptionChain.Find<System.Security.Authentication.AuthenticationException>(ex) is not null => "ERR_TLS_CERT",
        _ => "ECONNREFUSED",
    };

    /// <summary>Writes one chunk once the connection is open; completes when the bytes are handed to the network.</summary>
    public async Task WriteAsync(byte[] data)
    {
        var stream = await _ready.Task.ConfigureAwait(false);
        if (_writeShut || Ended) throw new IOException("The socket is closed.");
        try
        {
            await stream.WriteAsync(data, _lifetime.Token).ConfigureAwait(false);
            await stream.FlushAsync(_lifetime.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            if (!Ended) End($"Network connection lost. ({ex.Message})");
            throw;
        }
    }

    /// <summary>Ends the write side (the writable's close()): TLS close_notify, then a TCP FIN. The socket closes once the read side has ended too.</summary>
    public async Task ShutdownWriteAsync()
    {
        var stream = await _ready.Task.ConfigureAwait(false);
        if (_writeShut || Ended) return;
        _writeShut = true;
        try
        {
            if (stream is SslStream ssl) await ssl.ShutdownAsync().ConfigureAwait(false);
            _tcp?.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            // The peer is gone already; the read side will say so.
        }
        if (_readEnded) Close();
    }

    /// <summary>The peer ended its side (a read returned nothing).</summary>
    private void ReadEnded()
    {
        _readEnded = true;
        if (_writeShut) Close();
    }

    /// <summary>Ends the socket before it opened: <c>closed</c> rejects with <paramref name="message"/>.</summary>
    public void Fail(string message) => End(message);

    /// <summary>Closes the connection and resolves <c>closed</c> (close(), or both sides ended).</summary>
    public void Close() => End(null);

    /// <summary>Ends this socket: the connection goes and <c>closed</c> settles, resolved or with <paramref name="error"/>.</summary>
    private void End(string? error)
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0) return;
        _ready.TrySetException(new IOException(error ?? "The socket was closed."));
        DisposeConnection();
        _hub.Remove(this);
        _hub.Isolate.CompleteOpLater(_closedPromise, null, error, "Error");
    }

    /// <summary>The isolate is going away: drop the connection without a word to script.</summary>
    public void Abort()
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0) return;
        _ready.TrySetException(new IOException("The Worker was unloaded."));
        DisposeConnection();
    }

    private void DisposeConnection()
    {
        _lifetime.Cancel();
        try { _transport?.Dispose(); } catch (Exception ex) when (ex is IOException or ObjectDisposedException) { }
        try { _tcp?.Dispose(); } catch (ObjectDisposedException) { }
    }

    /// <summary>
    /// Hands the TCP socket to the TLS socket startTls() made, with what a plain read still waiting
    /// will receive (the server's first TLS bytes); this socket ends without closing the connection.
    /// </summary>
    private async Task<(Socket Tcp, Task<byte[]> Early)> DetachForUpgradeAsync()
    {
        await _ready.Task.ConfigureAwait(false);
        var tcp = _tcp ?? throw new IOException("The connection was closed before startTls completed.");
        if (Interlocked.Exchange(ref _ended, 1) != 0) throw new IOException("The connection was closed before startTls completed.");
        lock (_readGate)
        {
            _upgraded = true;
            if (!_readInFlight) _handover.TrySetResult([]);
        }
        _hub.Remove(this);
        _hub.Isolate.CompleteOpLater(_closedPromise, null, null, "Error");
        return (tcp, _handover.Task);
    }

    /// <summary>The TCP stream a TLS socket reads, starting with the bytes its plain predecessor's last read received.</summary>
    private sealed class HandoverStream(NetworkStream inner, Task<byte[]> early) : Stream
    {
        private byte[]? _early;
        private int _earlyAt;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _early ??= await early.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (_earlyAt < _early.Length)
            {
                var n = Math.Min(buffer.Length, _early.Length - _earlyAt);
                _early.AsMemory(_earlyAt, n).CopyTo(buffer);
                _earlyAt += n;
                return n;
            }
            return await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.WriteAsync(buffer, offset, count, cancellationToken);
        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Read the socket asynchronously.");
        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }

    /// <summary>The socket's read side as the host stream script reads; its end of stream is the peer's.</summary>
    private sealed class SocketReadStream(WorkerSocket socket) : ReadOnlyStream
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Stream stream;
            try { stream = await socket._ready.Task.ConfigureAwait(false); }
            catch (IOException) when (socket.Ended) { return 0; }
            lock (socket._readGate)
            {
                if (socket.Ended || socket._readEnded) return 0;
                socket._readInFlight = true;
            }
            int n;
            try
            {
                n = await stream.ReadAsync(buffer, socket._lifetime.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
            {
                lock (socket._readGate) socket._readInFlight = false;
                socket._handover.TrySetResult([]);
                if (socket.Ended) return 0; // closed under the read
                socket.End($"Network connection lost. ({ex.Message})");
                throw;
            }
            lock (socket._readGate)
            {
                socket._readInFlight = false;
                if (socket._upgraded)
                {
                    // These bytes came after startTls(): they belong to the TLS stream.
                    socket._handover.TrySetResult(buffer[..n].ToArray());
                    return 0;
                }
            }
            if (n == 0) socket.ReadEnded();
            return n;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Read the socket asynchronously.");
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }
}
