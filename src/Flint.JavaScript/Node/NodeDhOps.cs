using Flint.JavaScript.Isolates;
using Microsoft.ClearScript.V8.FastProxy;
using Org.BouncyCastle.Crypto.Agreement;
using Org.BouncyCastle.Security;
using BigInteger = Org.BouncyCastle.Math.BigInteger;

namespace Flint.JavaScript.Node;

/// <summary>
/// The host side of node:crypto's finite-field Diffie-Hellman (createDiffieHellman, getDiffieHellman,
/// generateKeyPair("dh") and diffieHellman() with dh keys). Arithmetic is BouncyCastle's BigInteger
/// (ModPow, IsProbablePrime); numbers cross as big-endian bytes. The checks and their words are
/// workerd's (api/crypto/dh.c++ over BoringSSL's DH_check / DH_check_pub_key), recorded in
/// bench/oracle/node-crypto-keys.
/// </summary>
internal static class NodeDhOps
{
    public static void Register(HostOpTable ops, NodeCryptoOps.State state)
    {
        void Add(string name, V8FastHostFunctionInvoker invoke) => ops.SetProperty(name, new V8FastHostFunction(name, invoke));
        static byte[] Bytes(object? value) => NodeCryptoOps.Bytes(value);

        // prime (null: generate one of `size` bits), size, generator bytes (null: use the number), generator number -> handle
        Add("nodeDhCreate", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var primeValue = a.Get<object?>(0, "prime");
            var size = a.GetInt32(1, "size");
            var generatorValue = a.Get<object?>(2, "generatorBytes");
            var generator = a.GetInt32(3, "generator");
            var prime = primeValue is null ? null : Bytes(primeValue);
            var generatorBytes = generatorValue is null ? null : Bytes(generatorValue);
            r.Set(state.Run(() => state.Add(prime is null
                ? NodeDh.Generate(size, generatorBytes, generator)
                : NodeDh.FromPrime(prime, generatorBytes, generator))));
        });

        // group name (modp14 … modp18) -> handle
        Add("nodeDhGroup", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var name = a.GetString(0, "group");
            r.Set(state.Run(() => state.Add(NodeDh.Group(name) ?? throw Fail(
                "Failed to init DiffieHellmanGroup: invalid group. Only groups {modp14, modp15, modp16, modp17, modp18} are supported."))));
        });

        // handle, what (1 prime, 2 generator, 3 public key, 4 private key) -> length (in output)
        Add("nodeDhGet", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var handle = a.GetInt32(0, "handle");
            var what = a.GetInt32(1, "what");
            r.Set(state.Run(() => { state.Output = state.Get<NodeDh>(handle).Get(what); return state.Output.Length; }));
        });

        // handle, what (3 public key, 4 private key), key
        Add("nodeDhSet", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var handle = a.GetInt32(0, "handle");
            var what = a.GetInt32(1, "what");
            var key = Bytes(a.Get<object?>(2, "key"));
            r.Set(state.Run(() =>
            {
                var dh = state.Get<NodeDh>(handle);
                if (what == 3) dh.SetPublicKey(key); else dh.SetPrivateKey(key);
                return 0;
            }));
        });

        // handle -> public key length (in output)
        Add("nodeDhGenerateKeys", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var handle = a.GetInt32(0, "handle");
            r.Set(state.Run(() => { state.Output = state.Get<NodeDh>(handle).GenerateKeys(); return state.Output.Length; }));
        });

        // handle, peer's public key -> secret length (in output)
        Add("nodeDhComputeSecret", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var handle = a.GetInt32(0, "handle");
            var key = Bytes(a.Get<object?>(1, "key"));
            r.Set(state.Run(() => { state.Output = state.Get<NodeDh>(handle).ComputeSecret(key); return state.Output.Length; }));
        });

        // handle -> DH_check's flags (verifyError)
        Add("nodeDhCheck", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var handle = a.GetInt32(0, "handle");
            r.Set(state.Run(() => state.Get<NodeDh>(handle).Check()));
        });

        // group name (or null), prime (or null), generator -> private key handle (generateKeyPair("dh"))
        Add("nodeDhKeyGenerate", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var group = a.Get<object?>(0, "group") as string;
            var primeValue = a.Get<object?>(1, "prime");
            var generator = a.GetInt32(2, "generator");
            var prime = primeValue is null ? null : Bytes(primeValue);
            r.Set(state.Run(() =>
            {
                var dh = group is not null
                    ? NodeDh.Group(group) ?? throw Fail("Invalid or unsupported group")
                    : NodeDh.FromPrime(prime!, null, generator);
                dh.GenerateKeys();
                return state.Add(NodeKey.FromDh(dh));
            }));
        });
    }

    internal static NodeCryptoException Fail(string message) => new("", message);
    internal static NodeCryptoException Range(string message) => new("RangeError", message);
}

/// <summary>
/// One Diffie-Hellman state: prime p, generator g, and the key pair once generated or set. Values
/// come and go as minimal big-endian bytes (BN_bn2bin), secrets padded to the prime's size.
/// </summary>
internal sealed class NodeDh : IDisposable
{
    private const int MaxModulusBits = 10000; // BoringSSL's OPENSSL_DH_MAX_MODULUS_BITS
    private const int MaxBytes = MaxModulusBits / 8;
    private static readonly TimeSpan SearchBudget = TimeSpan.FromSeconds(30); // IsolateOptions.CpuLimit's default
    private static readonly SecureRandom Random = new();

    // The RFC 3526 groups workerd offers (others are refused for their size: RFC 8247 §2.4).
    private static readonly Dictionary<string, BigInteger> Groups = new(StringComparer.OrdinalIgnoreCase)
    {
        ["modp14"] = DHStandardGroups.rfc3526_2048.P,
        ["modp15"] = DHStandardGroups.rfc3526_3072.P,
        ["modp16"] = DHStandardGroups.rfc3526_4096.P,
        ["modp17"] = DHStandardGroups.rfc3526_6144.P,
        ["modp18"] = DHStandardGroups.rfc3526_8192.P,
    };

    public BigInteger P { get; }
    public BigInteger G { get; }
    public BigInteger? PrivateKey { get; private set; }
    public BigInteger? PublicKey { get; private set; }
    private readonly bool _knownSafePrime;
    private int? _check;

    private NodeDh(BigInteger p, BigInteger g, bool knownSafePrime = false) => (P, G, _knownSafePrime) = (p, g, knownSafePrime);

    public static NodeDh? Group(string name) =>
        Groups.TryGetValue(name, out var p) ? new NodeDh(p, BigInteger.Two, knownSafePrime: true) : null;

    public static NodeDh FromPrime(byte[] prime, byte[]? generatorBytes, int generator)
    {
        if (prime.Length > MaxBytes) throw NodeDhOps.Range("DiffieHellman init failed: key is too large");
        if (prime.Length == 0) throw NodeDhOps.Fail("DiffieHellman init failed: invalid key");
        BigInteger g;
        if (generatorBytes is null)
        {
            if (generator < 2) throw NodeDhOps.Range("DiffieHellman init failed: generator too small");
            g = BigInteger.ValueOf(generator);
        }
        else
        {
            if (generatorBytes.Length > MaxBytes) throw NodeDhOps.Range("DiffieHellman init failed: generator is too large");
            if (generatorBytes.Length == 0) throw NodeDhOps.Fail("DiffieHellman init failed: invalid generator");
            g = new BigInteger(1, generatorBytes);
            if (g.CompareTo(BigInteger.One) <= 0) throw NodeDhOps.Fail("DiffieHellman init failed: invalid generator");
        }
        var p = new BigInteger(1, prime);
        if (!p.TestBit(0) || g.CompareTo(p) >= 0) throw NodeDhOps.Fail("DiffieHellman init failed: Invalid DH prime generated");
        return new NodeDh(p, g);
    }

    /// <summary>
    /// New parameters as DH_generate_parameters_ex makes them: a safe prime of <paramref name="bits"/>
    /// bits with p ≡ 11 (mod 24) for generator 2, p ≡ 3 (mod 10) for 5, any odd one otherwise.
    /// </summary>
    public static NodeDh Generate(int bits, byte[]? generatorBytes, int generator)
    {
        if (generatorBytes is not null) throw NodeDhOps.Fail("DiffieHellman init failed: invalid parameters");
        if (bits > MaxModulusBits) throw NodeDhOps.Range("DiffieHellman init failed: requested prime size too large");
        var (add, rem) = generator switch { 2 => (24, 11), 5 => (10, 3), _ => (2, 1) };
        if (bits < 2 || generator < 2) throw NodeDhOps.Fail("DiffieHellman init failed: could not generate parameters");
        var bigAdd = BigInteger.ValueOf(add);
        var bigRem = BigInteger.ValueOf(rem);
        // A bounded search: tiny sizes may have no such prime at all, and a large one must not hold the isolate's
        // thread past the default CPU limit (the search runs in this one host call, out of the limit's reach).
        var deadline = Environment.TickCount64 + (long)SearchBudget.TotalMilliseconds;
        for (var attempt = 0; attempt < 2_000_000; attempt++)
        {
            if (Environment.TickCount64 > deadline) throw NodeDhOps.Fail("DiffieHellman init failed: key generation exceeded CPU limit");
            var candidate = new BigInteger(bits, Random).SetBit(bits - 1);
            var p = candidate.Subtract(candidate.Mod(bigAdd)).Add(bigRem);
            if (p.BitLength != bits) continue;
            if (!p.ShiftRight(1).IsProbablePrime(40) || !p.IsProbablePrime(40)) continue;
            var dh = new NodeDh(p, BigInteger.ValueOf(generator));
            if (!p.TestBit(0) || dh.G.CompareTo(p) >= 0) throw NodeDhOps.Fail("DiffieHellman init failed: Invalid DH prime generated");
            return dh;
        }
        throw NodeDhOps.Fail("DiffieHellman init failed: could not generate parameters");
    }

    public byte[] Get(int what) => what switch
    {
        1 => P.ToByteArrayUnsigned(),
        2 => G.ToByteArrayUnsigned(),
        3 => (PublicKey ?? throw NodeDhOps.Fail("No public key")).ToByteArrayUnsigned(),
        _ => (PrivateKey ?? throw NodeDhOps.Fail("No private key")).ToByteArrayUnsigned(),
    };

    public void SetPrivateKey(byte[] key) => PrivateKey = new BigInteger(1, key);

    public void SetPublicKey(byte[] key)
    {
        var y = new BigInteger(1, key);
        var problem = CheckPublic(y);
        if (problem == 1) throw NodeDhOps.Range("DiffieHellman setPublicKey() failed: key is too small");
        if (problem == 2) throw NodeDhOps.Range("DiffieHellman setPublicKey() failed: key is too large");
        PublicKey = y;
    }

    /// <summary>DH_generate_key: keeps a private key already set, else draws a random one below 2^(bits(p) - 1).</summary>
    public byte[] GenerateKeys()
    {
        if (PrivateKey is null)
        {
            var bits = Math.Max(P.BitLength - 1, 1);
            BigInteger x;
            do x = new BigInteger(bits, Random); while (x.SignValue == 0);
            PrivateKey = x;
        }
        PublicKey = G.ModPow(PrivateKey, P);
        return PublicKey.ToByteArrayUnsigned();
    }

    public byte[] ComputeSecret(byte[] key)
    {
        if (key.Length == 0) throw NodeDhOps.Fail("DiffieHellman computeSecret() failed: invalid key");
        var y = new BigInteger(1, key);
        var problem = CheckPublic(y);
        if (problem == 1) throw NodeDhOps.Range("DiffieHellman computeSecret() failed: Supplied key is too small");
        if (problem == 2) throw NodeDhOps.Range("DiffieHellman computeSecret() failed: Supplied key is too large");
        return Agree(y) ?? throw NodeDhOps.Fail("DiffieHellman computeSecret() failed: error computing shared secret");
    }

    /// <summary>y^x mod p padded to the prime's size, or null without a private key or for a degenerate secret.</summary>
    public byte[]? Agree(BigInteger peer)
    {
        if (PrivateKey is null) return null;
        var shared = peer.ModPow(PrivateKey, P);
        if (shared.CompareTo(BigInteger.One) <= 0 || shared.Equals(P.Subtract(BigInteger.One))) return null;
        var bytes = shared.ToByteArrayUnsigned();
        var size = (P.BitLength + 7) / 8;
        if (bytes.Length == size) return bytes;
        var padded = new byte[size];
        bytes.CopyTo(padded, size - bytes.Length);
        return padded;
    }

    /// <summary>DH_check_pub_key without q: 0 fine, 1 below 2, 2 above p - 2.</summary>
    private int CheckPublic(BigInteger y) =>
        y.CompareTo(BigInteger.One) <= 0 ? 1 : y.CompareTo(P.Subtract(BigInteger.One)) >= 0 ? 2 : 0;

    /// <summary>
    /// DH_check's flags (Node's verifyError): 1 p not prime, 2 p not a safe prime, 4 generator unchecked,
    /// 8 generator not suitable (BoringSSL's tests: g = 2 needs p ≡ 11 mod 24, g = 5 p ≡ 3 or 7 mod 10).
    /// </summary>
    public int Check()
    {
        if (_check is { } known) return known;
        var flags = 0;
        if (G.Equals(BigInteger.Two)) { if (P.Mod(BigInteger.ValueOf(24)).IntValue != 11) flags |= 8; }
        else if (G.Equals(BigInteger.ValueOf(5))) { var r = P.Mod(BigInteger.Ten).IntValue; if (r != 3 && r != 7) flags |= 8; }
        else flags |= 4;
        // The RFC 3526 primes are safe primes by construction; testing 8192 bits here would take seconds.
        if (!_knownSafePrime)
        {
            if (!P.IsProbablePrime(64)) flags |= 1;
            else if (!P.ShiftRight(1).IsProbablePrime(64)) flags |= 2;
        }
        _check = flags;
        return flags;
    }

    public bool SameGroup(NodeDh other) => P.Equals(other.P) && G.Equals(other.G);

    public void Dispose() { }
}

internal sealed partial class NodeKey
{
    private NodeDh? _dh;

    public static NodeKey FromDh(NodeDh dh) => new() { _dh = dh, _private = true };

    /// <summary>diffieHellman({ privateKey, publicKey }) with two dh keys of the same group.</summary>
    private byte[] AgreeDh(NodeKey other)
    {
        var peer = other._dh!.PublicKey;
        if (!_private || peer is null || !_dh!.SameGroup(other._dh)) throw NodeDhOps.Fail("Failed to derive shared diffie-hellman secret");
        return _dh.Agree(peer) ?? throw NodeDhOps.Fail("Failed to derive shared diffie-hellman secret");
    }
}
