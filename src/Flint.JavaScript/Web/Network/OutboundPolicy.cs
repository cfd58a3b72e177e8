using System.Net;
using System.Net.Sockets;

namespace Flint.JavaScript.Web.Network;

/// <summary>A Worker tried to reach an address its outbound policy does not allow.</summary>
public sealed class OutboundDeniedException(string target) : Exception($"connecting to {target} is not allowed")
{
    public string Target { get; } = target;
}

/// <summary>
/// Which addresses a Worker's outbound connections (fetch, WebSockets, TCP sockets) may reach.
/// <c>flint dev</c> allows any, as wrangler dev does. A server hosting other people's Workers
/// allows only public addresses, so a Worker cannot reach the host's own endpoints (loopback),
/// its neighbours (private and link-local ranges, cloud metadata at 169.254.169.254) or other
/// special ranges, except what the operator lists. Names are resolved here and every address is
/// checked at connect time, so DNS cannot point a public name at a private address.
/// </summary>
public sealed class OutboundPolicy
{
    private readonly IReadOnlyList<IPNetwork> _allowedNetworks;
    private readonly HashSet<string> _allowedHosts;
    private HttpMessageInvoker? _client;

    private OutboundPolicy(bool allowPrivate, IReadOnlyList<IPNetwork> networks, IEnumerable<string> hosts)
    {
        AllowsPrivate = allowPrivate;
        _allowedNetworks = networks;
        _allowedHosts = new HashSet<string>(hosts, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Any address (flint dev, as wrangler dev).</summary>
    public static OutboundPolicy AllowAll { get; } = new(true, [], []);

    /// <summary>
    /// Public addresses only, plus <paramref name="allow"/>: addresses ("10.1.2.3", "::1"),
    /// networks ("10.0.0.0/8", "fd00::/8") and host names ("db.internal"), each allowed whatever
    /// the range. Throws <see cref="FormatException"/> naming an entry that is none of these.
    /// </summary>
    public static OutboundPolicy PublicOnly(IEnumerable<string>? allow = null)
    {
        var networks = new List<IPNetwork>();
        var hosts = new List<string>();
        foreach (var raw in allow ?? [])
        {
            var entry = raw.Trim();
            if (entry.Contains('/'))
            {
                if (!IPNetwork.TryParse(entry, out var network))
                    throw new FormatException($"\"{entry}\" is not a network: write it as ADDRESS/PREFIX, e.g. 10.0.0.0/8.");
                networks.Add(network);
            }
            else if (IPAddress.TryParse(entry.Trim('[', ']'), out var address))
            {
                networks.Add(new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128));
            }
            else if (Uri.CheckHostName(entry) == UriHostNameType.Dns)
            {
                hosts.Add(entry.TrimEnd('.'));
            }
            else
            {
                throw new FormatException($"\"{entry}\" is not an address, a network (10.0.0.0/8) or a host name.");
            }
        }
        return new OutboundPolicy(false, networks, hosts);
    }

    /// <summary>True when any address may be reached.</summary>
    public bool AllowsPrivate { get; }

    /// <summary>Whether a connection to <paramref name="address"/> (reached by the name <paramref name="host"/>, if any) is allowed.</summary>
    public bool IsAllowed(IPAddress address, string? host = null)
    {
        if (AllowsPrivate) return true;
        if (host is not null && _allowedHosts.Contains(host.TrimEnd('.'))) return true;
        var ip = Canonical(address);
        foreach (var network in _allowedNetworks)
        {
            if (network.Contains(ip) || network.Contains(address)) return true;
        }
        return IsPublic(ip);
    }

    /// <summary>True for addresses on the public internet: not loopback, private, link-local, shared, multicast or reserved.</summary>
    public static bool IsPublic(IPAddress address)
    {
        var ip = Canonical(address);
        foreach (var range in ip.AddressFamily == AddressFamily.InterNetwork ? s_nonPublicV4 : s_nonPublicV6)
        {
            if (range.Contains(ip)) return false;
        }
        return true;
    }

    /// <summary>IPv4 addresses written as IPv6 (::ffff:a.b.c.d, 64:ff9b::a.b.c.d) are judged as the IPv4 address they carry.</summary>
    private static IPAddress Canonical(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) return address.MapToIPv4();
        if (address.AddressFamily == AddressFamily.InterNetworkV6 && s_nat64.Contains(address))
        {
            var bytes = address.GetAddressBytes();
            return new IPAddress(bytes.AsSpan(12, 4));
        }
        return address;
    }

    private static readonly IPNetwork s_nat64 = IPNetwork.Parse("64:ff9b::/96");

    private static readonly IPNetwork[] s_nonPublicV4 =
    [
        IPNetwork.Parse("0.0.0.0/8"),       // "this network"
        IPNetwork.Parse("10.0.0.0/8"),      // private
        IPNetwork.Parse("100.64.0.0/10"),   // shared (carrier-grade NAT)
        IPNetwork.Parse("127.0.0.0/8"),     // loopback
        IPNetwork.Parse("169.254.0.0/16"),  // link-local, cloud metadata
        IPNetwork.Parse("172.16.0.0/12"),   // private
        IPNetwork.Parse("192.0.0.0/24"),    // IETF protocol assignments
        IPNetwork.Parse("192.168.0.0/16"),  // private
        IPNetwork.Parse("198.18.0.0/15"),   // benchmarking
        IPNetwork.Parse("224.0.0.0/4"),     // multicast
        IPNetwork.Parse("240.0.0.0/4"),     // reserved, broadcast
    ];

    private static readonly IPNetwork[] s_nonPublicV6 =
    [
        IPNetwork.Parse("::/128"),          // unspecified
        IPNetwork.Parse("::1/128"),         // loopback
        IPNetwork.Parse("100::/64"),        // discard
        IPNetwork.Parse("fc00::/7"),        // unique local
        IPNetwork.Parse("fe80::/10"),       // link-local
        IPNetwork.Parse("fec0::/10"),       // site-local (deprecated)
        IPNetwork.Parse("ff00::/8"),        // multicast
    ];

    /// <summary>
    /// Opens a TCP connection to <paramref name="host"/>:<paramref name="port"/> on the first address
    /// the policy allows. Throws <see cref="OutboundDeniedException"/> when it allows none.
    /// </summary>
    public async ValueTask<Socket> ConnectAsync(string host, int port, CancellationToken cancellationToken)
    {
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        var allowed = addresses.Where(a => IsAllowed(a, host)).ToList();
        if (allowed.Count == 0) throw new OutboundDeniedException($"{host}:{port}");
        SocketException? last = null;
        foreach (var address in allowed)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, port), cancellationToken).ConfigureAwait(false);
                return socket;
            }
            catch (SocketException ex)
            {
                last = ex;
                socket.Dispose();
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw last!;
    }

    /// <summary>The HTTP client Workers' subrequests and WebSockets go through under this policy (one pool per policy).</summary>
    internal HttpMessageInvoker Client => LazyInitializer.EnsureInitialized(ref _client, CreateClient);

    private HttpMessageInvoker CreateClient()
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(30),
        };
        if (!AllowsPrivate)
        {
            handler.ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = await ConnectAsync(context.DnsEndPoint.Host, context.DnsEndPoint.Port, cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            };
        }
        return new HttpMessageInvoker(handler);
    }
}
