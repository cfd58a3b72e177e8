using System.Security.Cryptography;
using System.Text;
using Flint.JavaScript.Isolates;
using Microsoft.ClearScript.JavaScript;
using Microsoft.ClearScript.V8.FastProxy;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Security;

namespace Flint.JavaScript.Node;

/// <summary>
/// The host side of node:crypto's synchronous API (Node/js/crypto.js): running hashes and HMACs,
/// PBKDF2, HKDF, scrypt, and signing / verifying with PEM or DER keys. Running objects stay in a
/// per-isolate table; script holds integer handles. Bytes come in as Uint8Arrays and results go
/// into a Uint8Array script passes. No op throws into script: a failing op returns -1 and
/// <c>nodeCryptoError()</c> gives "code\nmessage".
/// </summary>
internal static class NodeCryptoOps
{
    public static void Register(HostOpTable ops)
    {
        var state = new State();
        void Add(string name, V8FastHostFunctionInvoker invoke) => ops.SetProperty(name, new V8FastHostFunction(name, invoke));

        Add("nodeCryptoError", (bool _, in V8FastArgs a, in V8FastResult r) => r.Set(state.TakeError()));

        // algorithm name -> handle (or -1: unknown digest)
        Add("nodeHashCreate", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var name = a.GetString(0, "algorithm");
            var hmacKey = a.Get<object?>(1, "hmacKey");
            r.Set(state.Run(() =>
            {
                var digest = Digests.Create(name) ?? throw new NodeCryptoException("ERR_CRYPTO_INVALID_DIGEST", hmacKey is null ? "Digest method not supported" : $"Invalid digest: {name}");
                return state.Add(hmacKey is null ? new RunningHash(digest) : new RunningHash(digest, Bytes(hmacKey)));
            }));
        });

        Add("nodeHashUpdate", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var handle = a.GetInt32(0, "handle");
            var data = a.Get<ITypedArray<byte>>(1, "data");
            using var lease = ScriptHandles.Own(data);
            r.Set(state.Run(() =>
            {
                var hash = state.Get<RunningHash>(handle);
                data.InvokeWithDirectAccess(p => { unsafe { hash.Update(new ReadOnlySpan<byte>((void*)p, checked((int)data.Length))); } });
                return 0;
            }));
        });

        // Copies the running hash (hash.copy()); returns the new handle.
        Add("nodeHashCopy", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var handle = a.GetInt32(0, "handle");
            r.Set(state.Run(() => state.Add(state.Get<RunningHash>(handle).Copy())));
        });

        // Writes the digest into `out` (its size from nodeHashSize) and frees the handle; returns its length.
        Add("nodeHashDigest", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var handle = a.GetInt32(0, "handle");
            var output = a.Get<ITypedArray<byte>>(1, "out");
            using var lease = ScriptHandles.Own(output);
            r.Set(state.Run(() =>
            {
                var bytes = state.Get<RunningHash>(handle).Final();
                state.Release(handle);
                output.WriteBytes(bytes, 0, (ulong)Math.Min(bytes.Length, (int)output.Length), 0);
                return bytes.Length;
            }));
        });

        Add("nodeHashSize", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var name = a.GetString(0, "algorithm");
            r.Set(Digests.Create(name)?.GetDigestSize() ?? -1);
        });

        Add("nodeRelease", (bool _, in V8FastArgs a, in V8FastResult r) => state.Release(a.GetInt32(0, "handle")));

        // digest, password, salt, iterations, out
        Add("nodePbkdf2", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var digest = a.GetString(0, "digest");
            var password = Bytes(a.Get<object?>(1, "password"));
            var salt = Bytes(a.Get<object?>(2, "salt"));
            var iterations = a.GetInt32(3, "iterations");
            var output = a.Get<ITypedArray<byte>>(4, "out");
            using var lease = ScriptHandles.Own(output);
            r.Set(state.Run(() =>
            {
                var bytes = Pbkdf2(digest, password, salt, iterations, (int)output.Length);
                output.WriteBytes(bytes, 0, (ulong)bytes.Length, 0);
                return bytes.Length;
            }));
        });

        // digest, key, salt, info, out
        Add("nodeHkdf", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var digest = a.GetString(0, "digest");
            var key = Bytes(a.Get<object?>(1, "key"));
            var salt = Bytes(a.Get<object?>(2, "salt"));
            var info = Bytes(a.Get<object?>(3, "info"));
            var output = a.Get<ITypedArray<byte>>(4, "out");
            using var lease = ScriptHandles.Own(output);
            r.Set(state.Run(() =>
            {
                var d = Digests.Create(digest) ?? throw new NodeCryptoException("ERR_CRYPTO_INVALID_DIGEST", $"Invalid digest: {digest}");
                var generator = new HkdfBytesGenerator(d);
                generator.Init(new HkdfParameters(key, salt, info));
                var bytes = new byte[(int)output.Length];
                generator.GenerateBytes(bytes, 0, bytes.Length);
                output.WriteBytes(bytes, 0, (ulong)bytes.Length, 0);
                return bytes.Length;
            }));
        });

        // password, salt, N, r, p, out
        Add("nodeScrypt", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var password = Bytes(a.Get<object?>(0, "password"));
            var salt = Bytes(a.Get<object?>(1, "salt"));
            var n = a.GetInt32(2, "N");
            var blockSize = a.GetInt32(3, "r");
            var parallel = a.GetInt32(4, "p");
            var output = a.Get<ITypedArray<byte>>(5, "out");
            using var lease = ScriptHandles.Own(output);
            r.Set(state.Run(() =>
            {
                var bytes = SCrypt.Generate(password, salt, n, blockSize, parallel, (int)output.Length);
                output.WriteBytes(bytes, 0, (ulong)bytes.Length, 0);
                return bytes.Length;
            }));
        });

        // Parses a key (PEM text or DER bytes) -> handle; kind: 1 private, 2 public. Type and facts via nodeKeyInfo.
        Add("nodeKeyImport", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var kind = a.GetInt32(0, "kind");
            var data = a.Get<object?>(1, "data");
            var format = a.GetString(2, "format");
            var passphrase = a.Get<object?>(3, "passphrase");
            r.Set(state.Run(() => state.Add(NodeKey.Import(kind == 1, data is string s ? s : null, data is string ? null : Bytes(data), format,
                passphrase is null ? null : Bytes(passphrase)))));
        });

        // "type\nbits\ncurve" of a key handle
        Add("nodeKeyInfo", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var handle = a.GetInt32(0, "handle");
            string? info = null;
            state.Run(() => { info = state.Get<NodeKey>(handle).Info; return 0; });
            if (info is null) r.SetNull(); else r.Set(info);
        });

        // Exports a key: format pem|der, type pkcs8|spki|pkcs1|sec1; PEM as text (into `out` as UTF-8)
        Add("nodeKeyExport", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var handle = a.GetInt32(0, "handle");
            var format = a.GetString(1, "format");
            var type = a.GetString(2, "type");
            var isPublic = a.IsTruthy(3);
            r.Set(state.Run(() =>
            {
                var bytes = state.Get<NodeKey>(handle).Export(format, type, isPublic);
                state.Output = bytes;
                return bytes.Length;
            }));
        });

        Add("nodeTakeOutput", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var output = a.Get<ITypedArray<byte>>(0, "out");
            using var lease = ScriptHandles.Own(output);
            var bytes = state.Output ?? [];
            state.Output = null;
            output.WriteBytes(bytes, 0, (ulong)Math.Min(bytes.Length, (int)output.Length), 0);
        });

        // digest ('' for Ed25519), key handle, data, padding (1 PKCS1, 6 PSS), saltLength, dsaEncoding (0 der, 1 ieee-p1363) -> signature length (in output)
        Add("nodeSign", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var digest = a.GetString(0, "digest");
            var handle = a.GetInt32(1, "key");
            var data = Bytes(a.Get<object?>(2, "data"));
            var padding = a.GetInt32(3, "padding");
            var saltLength = a.GetInt32(4, "saltLength");
            var p1363 = a.GetInt32(5, "dsaEncoding") == 1;
            r.Set(state.Run(() =>
            {
                var signature = state.Get<NodeKey>(handle).Sign(digest, data, padding, saltLength, p1363);
                state.Output = signature;
                return signature.Length;
            }));
        });

        Add("nodeVerify", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var digest = a.GetString(0, "digest");
            var handle = a.GetInt32(1, "key");
            var data = Bytes(a.Get<object?>(2, "data"));
            var signature = Bytes(a.Get<object?>(3, "signature"));
            var padding = a.GetInt32(4, "padding");
            var saltLength = a.GetInt32(5, "saltLength");
            var p1363 = a.GetInt32(6, "dsaEncoding") == 1;
            r.Set(state.Run(() => state.Get<NodeKey>(handle).Verify(digest, data, signature, padding, saltLength, p1363) ? 1 : 0));
        });

        // key handle, format (pem|der), type (pkcs8|pkcs1|sec1), cipher, passphrase -> encrypted private key length (in output)
        Add("nodeKeyExportEncrypted", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var handle = a.GetInt32(0, "handle");
            var format = a.GetString(1, "format");
            var type = a.GetString(2, "type");
            var cipher = a.GetString(3, "cipher");
            var passphrase = Bytes(a.Get<object?>(4, "passphrase"));
            r.Set(state.Run(() =>
            {
                var key = state.Get<NodeKey>(handle);
                state.Output = EncryptedKeys.Export(key.Export("der", "pkcs8", false), format, type, cipher, passphrase);
                return state.Output.Length;
            }));
        });

        // key handle -> a new handle to its public half
        Add("nodeKeyToPublic", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var handle = a.GetInt32(0, "handle");
            r.Set(state.Run(() => state.Add(state.Get<NodeKey>(handle).ToPublic())));
        });

        NodeCipherOps.Register(ops, state);
        NodeDhOps.Register(ops, state);
    }

    internal static byte[] Bytes(object? value) => value switch
    {
        null => [],
        string s => Encoding.UTF8.GetBytes(s),
        _ => ScriptHandles.CopyBytes(value) ?? [],
    };

    private static byte[] Pbkdf2(string digest, byte[] password, byte[] salt, int iterations, int length)
    {
        var name = Digests.DotNetName(digest);
        if (name is { } n) return Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, n, length);
        var d = Digests.Create(digest) ?? throw new NodeCryptoException("ERR_CRYPTO_INVALID_DIGEST", $"Invalid digest: {digest}");
        var generator = new Pkcs5S2ParametersGenerator(d);
        generator.Init(password, salt, iterations);
        return ((KeyParameter)generator.GenerateDerivedMacParameters(length * 8)).GetKey();
    }

    internal sealed class State
    {
        private readonly Dictionary<int, IDisposable> _objects = [];
        private int _next;
        private string? _error;
        public byte[]? Output;

        public int Add(IDisposable o) { _objects[++_next] = o; return _next; }
        public T Get<T>(int handle) where T : class =>
            _objects.TryGetValue(handle, out var o) && o is T t ? t : throw new NodeCryptoException("ERR_INVALID_STATE", "Invalid state: the object was already used or freed.");
        public void Release(int handle) { if (_objects.Remove(handle, out var o)) o.Dispose(); }
        public string TakeError() { var e = _error ?? "ERR_CRYPTO_OPERATION_FAILED\nOperation failed"; _error = null; return e; }

        public int Run(Func<int> op)
        {
            try { return op(); }
            catch (NodeCryptoException ex) { _error = $"{ex.Code}\n{ex.Message}"; }
            catch (Exception ex) when (ex is CryptographicException or CryptoException or ArgumentException or FormatException or InvalidOperationException or NotSupportedException or SecurityUtilityException or IOException)
            {
                _error = $"ERR_CRYPTO_OPERATION_FAILED\n{ex.Message}";
            }
            return -1;
        }
    }
}

/// <summary>An error with Node's code, given to script as "code\nmessage".</summary>
internal sealed class NodeCryptoException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

/// <summary>Node's digest names (as OpenSSL takes them) to BouncyCastle digests.</summary>
internal static class Digests
{
    public static string Normalize(string name)
    {
        var n = name.ToLowerInvariant();
        if (n.StartsWith("rsa-", StringComparison.Ordinal)) n = n[4..];
        return n switch
        {
            "sha-1" => "sha1", "sha-224" => "sha224", "sha-256" => "sha256", "sha-384" => "sha384", "sha-512" => "sha512",
            "sha-512/224" or "sha512/224" => "sha512-224", "sha-512/256" or "sha512/256" => "sha512-256",
            "ripemd" or "ripemd-160" or "rmd160" => "ripemd160",
            _ => n,
        };
    }

    public static IDigest? Create(string name) => Normalize(name) switch
    {
        "md5" => new MD5Digest(),
        "sha1" => new Sha1Digest(),
        "sha224" => new Sha224Digest(),
        "sha256" => new Sha256Digest(),
        "sha384" => new Sha384Digest(),
        "sha512" => new Sha512Digest(),
        "sha512-224" => new Sha512tDigest(224),
        "sha512-256" => new Sha512tDigest(256),
        "sha3-224" => new Sha3Digest(224),
        "sha3-256" => new Sha3Digest(256),
        "sha3-384" => new Sha3Digest(384),
        "sha3-512" => new Sha3Digest(512),
        "shake128" => new ShakeDigest(128),
        "shake256" => new ShakeDigest(256),
        "ripemd160" => new RipeMD160Digest(),
        _ => null,
    };

    /// <summary>The .NET name when .NET (OpenSSL underneath, faster) has the digest.</summary>
    public static HashAlgorithmName? DotNetName(string name) => Normalize(name) switch
    {
        "md5" => HashAlgorithmName.MD5,
        "sha1" => HashAlgorithmName.SHA1,
        "sha256" => HashAlgorithmName.SHA256,
        "sha384" => HashAlgorithmName.SHA384,
        "sha512" => HashAlgorithmName.SHA512,
        _ => null,
    };
}

/// <summary>A hash or HMAC being fed: .NET's IncrementalHash where .NET has the digest, else BouncyCastle.</summary>
internal sealed class RunningHash : IDisposable
{
    private readonly IncrementalHash? _dotnet;
    private readonly IDigest? _digest;
    private readonly Org.BouncyCastle.Crypto.Macs.HMac? _hmac;

    public RunningHash(IDigest digest, byte[]? hmacKey = null)
    {
        var name = Digests.DotNetName(digest.AlgorithmName.Replace("-", "", StringComparison.Ordinal));
        if (name is { } n && digest is not ShakeDigest)
        {
            _dotnet = hmacKey is null ? IncrementalHash.CreateHash(n) : IncrementalHash.CreateHMAC(n, hmacKey);
        }
        else if (hmacKey is null) _digest = digest;
        else
        {
            _hmac = new Org.BouncyCastle.Crypto.Macs.HMac(digest);
            _hmac.Init(new KeyParameter(hmacKey));
        }
    }

    private RunningHash(IncrementalHash? dotnet, IDigest? digest, Org.BouncyCastle.Crypto.Macs.HMac? hmac) => (_dotnet, _digest, _hmac) = (dotnet, digest, hmac);

    public void Update(ReadOnlySpan<byte> data)
    {
        if (_dotnet is not null) _dotnet.AppendData(data);
        else if (_digest is not null) _digest.BlockUpdate(data);
        else _hmac!.BlockUpdate(data);
    }

    public byte[] Final()
    {
        if (_dotnet is not null) return _dotnet.GetCurrentHash();
        if (_digest is not null)
        {
            var output = new byte[_digest.GetDigestSize()];
            _digest.DoFinal(output, 0);
            return output;
        }
        var mac = new byte[_hmac!.GetMacSize()];
        _hmac.DoFinal(mac, 0);
        return mac;
    }

    public RunningHash Copy()
    {
        if (_dotnet is not null) return new RunningHash(_dotnet.Clone(), null, null);
        if (_digest is Org.BouncyCastle.Utilities.IMemoable memo) return new RunningHash(null, (IDigest)memo.Copy(), null);
        throw new NodeCryptoException("ERR_CRYPTO_HASH_FINALIZED", "Digest already called");
    }

    public void Dispose() => _dotnet?.Dispose();
}

/// <summary>A key node:crypto holds (KeyObject): RSA and EC through .NET, Ed25519 through BouncyCastle.</summary>
internal sealed partial class NodeKey : IDisposable
{
    private RSA? _rsa;
    private ECDsa? _ec;
    private AsymmetricKeyParameter? _ed;
    private bool _private;

    public string Info => _rsa is not null ? $"rsa\n{_rsa.KeySize}\n"
        : _ec is not null ? $"ec\n{_ec.KeySize}\n{CurveName(_ec)}"
        : _x25519 is not null ? "x25519\n256\n"
        : _dh is not null ? $"dh\n{_dh.P.BitLength}\n"
        : "ed25519\n256\n";

    private static string CurveName(ECDsa ec) => ec.KeySize switch { 256 => "prime256v1", 384 => "secp384r1", 521 => "secp521r1", _ => "" };

    public static NodeKey Import(bool isPrivate, string? pem, byte[]? der, string format, byte[]? passphrase)
    {
        var key = new NodeKey { _private = isPrivate };
        if (pem is not null)
        {
            if (pem.Contains("-----BEGIN", StringComparison.Ordinal) is false)
                throw new NodeCryptoException("ERR_OSSL_PEM_NO_START_LINE", "error:1E08010C:DECODER routines::unsupported");
            var label = pem[(pem.IndexOf("-----BEGIN ", StringComparison.Ordinal) + 11)..];
            label = label[..label.IndexOf("-----", StringComparison.Ordinal)];
            var isPrivateText = label.Contains("PRIVATE", StringComparison.Ordinal);
            if (!isPrivate && isPrivateText) key._private = true; // a public key derived from a private one
            if (isPrivate && !isPrivateText) throw new NodeCryptoException("ERR_OSSL_UNSUPPORTED", "error:1E08010C:DECODER routines::unsupported");
            if (pem.Contains("Proc-Type: 4,ENCRYPTED", StringComparison.Ordinal))
                EncryptedKeys.Decrypting(() => key.ImportParameters(EncryptedKeys.ReadLegacyPem(pem, passphrase ?? throw EncryptedKeys.ParseFailed()), true));
            else if (label is "RSA PRIVATE KEY" or "RSA PUBLIC KEY") { key._rsa = RSA.Create(); key._rsa.ImportFromPem(pem); }
            else if (label == "EC PRIVATE KEY") { key._ec = ECDsa.Create(); key._ec.ImportFromPem(pem); }
            else if (label == "ENCRYPTED PRIVATE KEY")
                EncryptedKeys.Decrypting(() => key.ImportDer(Convert.FromBase64String(PemBody(pem)), true, passphrase ?? throw EncryptedKeys.ParseFailed()));
            else key.ImportDer(Convert.FromBase64String(PemBody(pem)), label.Contains("PRIVATE", StringComparison.Ordinal), null);
        }
        else
        {
            // The structure says what the DER holds; a public key may be taken from a private one's.
            var privateStructure = format is "pkcs8" or "sec1" || (format == "pkcs1" && isPrivate) || (format == "" && isPrivate);
            if (format == "pkcs8" && EncryptedKeys.IsEncryptedPkcs8(der!))
                EncryptedKeys.Decrypting(() => key.ImportDer(der!, true, passphrase ?? throw EncryptedKeys.ParseFailed()));
            else key.ImportDer(der!, privateStructure, null, format);
        }
        if (!isPrivate) key.MakePublic();
        return key;
    }

    private static string PemBody(string pem)
    {
        var start = pem.IndexOf("-----", pem.IndexOf("-----BEGIN", StringComparison.Ordinal) + 10, StringComparison.Ordinal) + 5;
        var end = pem.IndexOf("-----END", start, StringComparison.Ordinal);
        return string.Concat(pem[start..end].Where(c => !char.IsWhiteSpace(c)));
    }

    private void ImportDer(byte[] der, bool isPrivate, byte[]? passphrase, string type = "")
    {
        AsymmetricKeyParameter parameters = isPrivate
            ? (passphrase is null ? (type == "pkcs1" ? RsaPrivate(der) : PrivateKeyFactory.CreateKey(der))
                : EncryptedKeys.Decrypt(der, passphrase))
            : (type == "pkcs1" ? RsaPublic(der) : PublicKeyFactory.CreateKey(der));
        ImportParameters(parameters, isPrivate);
    }

    private void ImportParameters(AsymmetricKeyParameter parameters, bool isPrivate)
    {
        _private = isPrivate;
        switch (parameters)
        {
            case RsaKeyParameters rsa:
                _rsa = RSA.Create();
                _rsa.ImportParameters(isPrivate ? DotNetUtilities.ToRSAParameters((RsaPrivateCrtKeyParameters)rsa) : DotNetUtilities.ToRSAParameters(rsa));
                break;
            case ECPrivateKeyParameters or ECPublicKeyParameters:
                _ec = ECDsa.Create();
                if (isPrivate) _ec.ImportPkcs8PrivateKey(Org.BouncyCastle.Pkcs.PrivateKeyInfoFactory.CreatePrivateKeyInfo(parameters).GetDerEncoded(), out _);
                else _ec.ImportSubjectPublicKeyInfo(Org.BouncyCastle.X509.SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(parameters).GetDerEncoded(), out _);
                break;
            case Ed25519PrivateKeyParameters or Ed25519PublicKeyParameters:
                _ed = parameters;
                break;
            case X25519PrivateKeyParameters or X25519PublicKeyParameters:
                _x25519 = parameters;
                break;
            case DHPrivateKeyParameters or DHPublicKeyParameters: // workerd reads no dh keys
                throw NodeDhOps.Fail(isPrivate ? "Failed to parse private key" : "Failed to parse public key");
            default:
                throw new NodeCryptoException("ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE", "Unsupported key type");
        }
    }

    private static AsymmetricKeyParameter RsaPrivate(byte[] der)
    {
        var s = Org.BouncyCastle.Asn1.Pkcs.RsaPrivateKeyStructure.GetInstance(der);
        return new RsaPrivateCrtKeyParameters(s.Modulus, s.PublicExponent, s.PrivateExponent, s.Prime1, s.Prime2, s.Exponent1, s.Exponent2, s.Coefficient);
    }

    private static AsymmetricKeyParameter RsaPublic(byte[] der)
    {
        var s = Org.BouncyCastle.Asn1.X509.RsaPublicKeyStructure.GetInstance(der);
        return new RsaKeyParameters(false, s.Modulus, s.PublicExponent);
    }

    private void MakePublic()
    {
        if (!_private) return;
        if (_rsa is not null) { var pub = RSA.Create(); pub.ImportParameters(_rsa.ExportParameters(false)); _rsa.Dispose(); _rsa = pub; }
        else if (_ec is not null) { var pub = ECDsa.Create(); pub.ImportParameters(_ec.ExportParameters(false)); _ec.Dispose(); _ec = pub; }
        else if (_ed is Ed25519PrivateKeyParameters ed) _ed = ed.GeneratePublicKey();
        else if (_x25519 is X25519PrivateKeyParameters x) _x25519 = x.GeneratePublicKey();
        _private = false;
    }

    /// <summary>The public half as a new key (createPublicKey(privateKeyObject)).</summary>
    public NodeKey ToPublic()
    {
        if (_dh is not null) return new NodeKey { _dh = _dh, _private = false };
        return Import(false, null, Export("der", _private ? "pkcs8" : "spki", false), _private ? "pkcs8" : "spki", null);
    }

    public byte[] Export(string format, string type, bool asPublic)
    {
        if (_dh is not null) throw NodeDhOps.Fail("Failed to export key"); // as workerd: dh keys do not export
        if (asPublic || !_private)
        {
            var spki = _rsa?.ExportSubjectPublicKeyInfo() ?? _ec?.ExportSubjectPublicKeyInfo()
                ?? Org.BouncyCastle.X509.SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(
                    _ed is Ed25519PrivateKeyParameters p ? p.GeneratePublicKey() : _x25519 is X25519PrivateKeyParameters x ? x.GeneratePublicKey() : (_ed ?? _x25519)!).GetDerEncoded();
            if (type == "pkcs1" && _rsa is not null) return Pem(format, "RSA PUBLIC KEY", _rsa.ExportRSAPublicKey());
            return Pem(format, "PUBLIC KEY", spki);
        }
        if (type == "pkcs1" && _rsa is not null) return Pem(format, "RSA PRIVATE KEY", _rsa.ExportRSAPrivateKey());
        if (type == "sec1" && _ec is not null) return Pem(format, "EC PRIVATE KEY", _ec.ExportECPrivateKey());
        var pkcs8 = _rsa?.ExportPkcs8PrivateKey() ?? _ec?.ExportPkcs8PrivateKey()
            ?? Org.BouncyCastle.Pkcs.PrivateKeyInfoFactory.CreatePrivateKeyInfo((_ed ?? _x25519)!).GetDerEncoded();
        return Pem(format, "PRIVATE KEY", pkcs8);
    }

    private static byte[] Pem(string format, string label, byte[] der) =>
        format == "der" ? der : Encoding.ASCII.GetBytes(PemEncoding.WriteString(label, der) + "\n");

    public byte[] Sign(string digest, byte[] data, int padding, int saltLength, bool p1363)
    {
        if (!_private) throw new NodeCryptoException("ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE", "Invalid key object type public, expected private.");
        if (_x25519 is not null) throw new NodeCryptoException("ERR_OSSL_EVP_OPERATION_NOT_SUPPORTED_FOR_THIS_KEYTYPE", "operation not supported for this keytype");
        if (_ed is Ed25519PrivateKeyParameters ed)
        {
            var signer = new Ed25519Signer();
            signer.Init(true, ed);
            signer.BlockUpdate(data, 0, data.Length);
            return signer.GenerateSignature();
        }
        var name = HashName(digest);
        if (_rsa is not null) return _rsa.SignData(data, name, Padding(padding, saltLength));
        return _ec!.SignData(data, name, p1363 ? DSASignatureFormat.IeeeP1363FixedFieldConcatenation : DSASignatureFormat.Rfc3279DerSequence);
    }

    public bool Verify(string digest, byte[] data, byte[] signature, int padding, int saltLength, bool p1363)
    {
        if (_ed is not null)
        {
            var signer = new Ed25519Signer();
            signer.Init(false, _ed is Ed25519PrivateKeyParameters p ? p.GeneratePublicKey() : _ed);
            signer.BlockUpdate(data, 0, data.Length);
            return signer.VerifySignature(signature);
        }
        var name = HashName(digest);
        if (_rsa is not null) return _rsa.VerifyData(data, signature, name, Padding(padding, saltLength));
        return _ec!.VerifyData(data, signature, name, p1363 ? DSASignatureFormat.IeeeP1363FixedFieldConcatenation : DSASignatureFormat.Rfc3279DerSequence);
    }

    private static HashAlgorithmName HashName(string digest) =>
        Digests.DotNetName(digest) ?? throw new NodeCryptoException("ERR_CRYPTO_INVALID_DIGEST", $"Invalid digest: {digest}");

    // Node's RSA_PKCS1_PSS_PADDING is 6; .NET picks PSS's salt length as the digest's size, which is Node's
    // RSA_PSS_SALTLEN_DIGEST (-1) and its default for signing with RSA-PSS keys is the maximum: not offered by .NET.
    private static RSASignaturePadding Padding(int padding, int saltLength) =>
        padding == 6 ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;

    public void Dispose()
    {
        _rsa?.Dispose();
        _ec?.Dispose();
    }
}
