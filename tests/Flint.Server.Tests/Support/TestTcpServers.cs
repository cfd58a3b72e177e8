using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Flint.Server.Tests.Support;

/// <summary>
/// Small TCP servers on 127.0.0.1 for socket tests: each accepted connection runs
/// <c>handle(stream)</c>; plain or TLS (with a certificate from <see cref="TestCertificates"/>).
/// </summary>
public sealed class TestTcpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly List<Task> _connections = [];

    public TestTcpServer(Func<Stream, CancellationToken, Task> handle, X509Certificate2? tls = null)
    {
        _listener.Start();
        _accepting = AcceptAsync(handle, tls);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Lines such as "closed" or "eof" the handlers report, for tests to wait on.</summary>
    public List<string> Events { get; } = [];

    public void Report(string what) { lock (Events) Events.Add(what); }

    public async Task<bool> WaitForAsync(string what, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            lock (Events) if (Events.Contains(what)) return true;
            await Task.Delay(20);
        }
        return false;
    }

    private async Task AcceptAsync(Func<Stream, CancellationToken, Task> handle, X509Certificate2? tls)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try { client = await _listener.AcceptSocketAsync(_stop.Token); }
            catch (Exception) { return; }
            lock (_connections) _connections.Add(Task.Run(async () =>
            {
                using var _ = client;
                Stream stream = new NetworkStream(client, ownsSocket: false);
                try
                {
                    if (tls is not null)
                    {
                        var ssl = new SslStream(stream);
                        await ssl.AuthenticateAsServerAsync(tls);
                        stream = ssl;
                    }
                    await handle(stream, _stop.Token);
                }
                catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or AuthenticationException) { Report("error"); }
                finally { await stream.DisposeAsync(); }
            }));
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _accepting;
        Task[] pending;
        lock (_connections) pending = [.. _connections];
        await Task.WhenAll(pending).WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { });
    }

    /// <summary>Echoes what it reads until the peer ends, then ends too.</summary>
    public static async Task Echo(Stream stream, CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        int n;
        while ((n = await stream.ReadAsync(buffer, ct)) > 0) await stream.WriteAsync(buffer.AsMemory(0, n), ct);
    }

    /// <summary>Reads one line (without its \n), or null at the end.</summary>
    public static async Task<string?> ReadLineAsync(Stream stream, CancellationToken ct)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (true)
        {
            if (await stream.ReadAsync(one, ct) == 0) return bytes.Count == 0 ? null : Encoding.UTF8.GetString([.. bytes]);
            if (one[0] == '\n') return Encoding.UTF8.GetString([.. bytes]).TrimEnd('\r');
            bytes.Add(one[0]);
        }
    }
}

/// <summary>A throwaway CA and a server certificate for 127.0.0.1 and localhost it signed.</summary>
public sealed class TestCertificates
{
    public TestCertificates(string name)
    {
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest($"CN={name} test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var now = DateTimeOffset.UtcNow;
        Authority = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));

        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var signed = request.Create(Authority, now.AddDays(-1), now.AddDays(29), RandomNumberGenerator.GetBytes(8));
        // SslStream wants the key in a form the platform can use for the handshake.
        Server = X509CertificateLoader.LoadPkcs12(signed.CopyWithPrivateKey(key).Export(X509ContentType.Pkcs12), null);
    }

    public X509Certificate2 Authority { get; }
    public X509Certificate2 Server { get; }

    /// <summary>The CA as PEM, for NODE_EXTRA_CA_CERTS.</summary>
    public string AuthorityPem => Authority.ExportCertificatePem();
}
