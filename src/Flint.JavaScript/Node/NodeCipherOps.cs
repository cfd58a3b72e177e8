using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Flint.JavaScript.Isolates;
using Microsoft.ClearScript.JavaScript;
using Microsoft.ClearScript.V8.FastProxy;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Encodings;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;

namespace Flint.JavaScript.Node;

/// <summary>
/// The rest of node:crypto's host side: ciphers (createCipheriv / createDecipheriv), key
/// generation, RSA encryption and X509Certificate. Same conventions as <see cref="NodeCryptoOps"/>:
/// objects by handle, results through the output buffer, failures as -1 with the error kept.
/// </summary>
internal static class NodeCipherOps
{
    public static void Register(HostOpTable ops, NodeCryptoOps.State state)
    {
        void Add(string name, V8FastHostFunctionInvoker invoke) => ops.SetProperty(name, new V8FastHostFunction(name, invoke));
        static byte[] Bytes(object? value) => NodeCryptoOps.Bytes(value);

        // name, key, iv (null for none), encrypt -> handle
        Add("nodeCipherCreate", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var name = a.GetString(0, "cipher");
            var key = Bytes(a.Get<object?>(1, "key"));
            var ivValue = a.Get<object?>(2, "iv");
            var iv = ivValue is null ? null : Bytes(ivValue);
            var encrypt = a.IsTruthy(3);
            r.Set(state.Run(() => state.Add(NodeCipher.Create(name, key, iv, encrypt))));
        });

        // handle, data -> output length (in output)
        Add("nodeCipherUpdate", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var handle = a.GetInt32(0, "handle");
            var data = Bytes(a.Get<object?>(1, "data"));
            r.Set(state.Run(() => { state.Output = state.Get<NodeCipher>(handle).Update(data); return state.Output.Length; }));
        });

        Add("nodeCipherFinal", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var handle = a.GetInt32(0, "handle");
            r.Set(state.Run(() => { state.Output = state.Get<NodeCipher>(handle).Final(); return state.Output.Length; }));
        });

        // handle, what (1 autoPadding, 2 AAD, 3 auth tag to check), value
        Add("nodeCipherSet", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var handle = a.GetInt32(0, "handle");
            var what = a.GetInt32(1, "what");
            var value = a.Get<object?>(2, "value");
            var bytes = value is bool or null ? null : Bytes(value);
            var flag = value is true;
            r.Set(state.Run(() =>
            {
                var cipher = state.Get<NodeCipher>(handle);
                if (what == 1) cipher.AutoPadding = flag;
                else if (what == 2) cipher.SetAad(bytes!);
                else cipher.SetAuthTag(bytes!);
                return 0;
            }));
        });

        Add("nodeCipherTag", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var handle = a.GetInt32(0, "handle");
            r.Set(state.Run(() => { state.Output = state.Get<NodeCipher>(handle).AuthTag(); return state.Output.Length; }));
        });

        // type (rsa|ec|ed25519|x25519), modulusLength, publicExponent, namedCurve -> private key handle
        Add("nodeKeyGenerate", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var type = a.GetString(0, "type");
            var bits = a.GetInt32(1, "modulusLength");
            var exponent = a.GetDouble(2, "publicExponent");
            var curve = a.GetString(3, "namedCurve");
            r.Set(state.Run(() => state.Add(NodeKey.Generate(type, bits, (long)exponent, curve))));
        });

        // key handle, data, mode (1 publicEncrypt, 2 privateDecrypt, 3 privateEncrypt, 4 publicDecrypt), padding, oaep digest -> output length
        Add("nodeRsaCrypt", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var handle = a.GetInt32(0, "key");
            var data = Bytes(a.Get<object?>(1, "data"));
            var mode = a.GetInt32(2, "mode");
            var padding = a.GetInt32(3, "padding");
            var digest = a.GetString(4, "oaepHash");
            r.Set(state.Run(() => { state.Output = state.Get<NodeKey>(handle).RsaCrypt(data, mode, padding, digest); return state.Output.Length; }));
        });

        // private key handle, public key handle -> shared secret length (X25519, ECDH)
        Add("nodeDiffieHellman", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var privateHandle = a.GetInt32(0, "privateKey");
            var publicHandle = a.GetInt32(1, "publicKey");
            r.Set(state.Run(() => { state.Output = state.Get<NodeKey>(privateHandle).Agree(state.Get<NodeKey>(publicHandle)); return state.Output.Length; }));
        });

        // key handle, public -> the key as a JWK (JSON, in output)
        Add("nodeKeyJwkExport", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var handle = a.GetInt32(0, "key");
            var asPublic = a.IsTruthy(1);
            r.Set(state.Run(() => { state.Output = Encoding.UTF8.GetBytes(state.Get<NodeKey>(handle).ToJwk(asPublic)); return state.Output.Length; }));
        });

        // kind (1 private, 2 public), JWK as JSON -> handle
        Add("nodeKeyJwkImport", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var kind = a.GetInt32(0, "kind");
            var json = a.GetString(1, "jwk");
            r.Set(state.Run(() => state.Add(NodeKey.FromJwk(json, kind == 1))));
        });

        // EC key handle, compressed -> its public point (SEC1)
        Add("nodeEcPoint", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var handle = a.GetInt32(0, "key");
            var compressed = a.IsTruthy(1);
            r.Set(state.Run(() => { state.Output = state.Get<NodeKey>(handle).PublicPoint(compressed); return state.Output.Length; }));
        });

        // curve, private scalar -> EC private key handle (ECDH.setPrivateKey)
        Add("nodeEcFromPrivate", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var curve = a.GetString(0, "curve");
            var d = Bytes(a.Get<object?>(1, "privateKey"));
            r.Set(state.Run(() => state.Add(NodeKey.EcFromPrivate(curve, d))));
        });

        // EC private key handle, peer's public point -> shared secret length (ECDH.computeSecret)
        Add("nodeEcAgreePoint", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var handle = a.GetInt32(0, "key");
            var point = Bytes(a.Get<object?>(1, "point"));
            r.Set(state.Run(() => { state.Output = state.Get<NodeKey>(handle).AgreePoint(point); return state.Output.Length; }));
        });

        // candidate (big-endian), rounds -> 1 probably prime, 0 not
        Add("nodePrimeCheck", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var candidate = Bytes(a.Get<object?>(0, "candidate"));
            var rounds = a.GetInt32(1, "checks");
            r.Set(state.Run(() => new Org.BouncyCastle.Math.BigInteger(1, candidate).IsProbablePrime(Math.Max(rounds, 20) * 2) ? 1 : 0));
        });

        // bits, safe -> a random prime (big-endian, in output)
        Add("nodePrimeGenerate", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var bits = a.GetInt32(0, "bits");
            var safe = a.IsTruthy(1);
            r.Set(state.Run(() => { state.Output = NodeKey.Prime(bits, safe); return state.Output.Length; }));
        });

        // certificate DER, public key handle -> 1 when the key verifies the certificate's signature
        Add("nodeX509Verify", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var certificate = Bytes(a.Get<object?>(0, "certificate"));
            var handle = a.GetInt32(1, "publicKey");
            r.Set(state.Run(() => X509Checks.Verify(certificate, state.Get<NodeKey>(handle).Export("der", "spki", true)) ? 1 : 0));
        });

        // subject certificate DER, issuer certificate DER -> 1 when the second issued the first
        Add("nodeX509CheckIssued", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var subject = Bytes(a.Get<object?>(0, "subject"));
            var issuer = Bytes(a.Get<object?>(1, "issuer"));
            r.Set(state.Run(() => X509Checks.CheckIssued(subject, issuer) ? 1 : 0));
        });

        // certificate (PEM text or DER bytes) -> its facts as JSON (in output), with the public key's SPKI as base64
        Add("nodeX509Parse", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var data = a.Get<object?>(0, "data");
            var bytes = Bytes(data);
            r.Set(state.Run(() => { state.Output = Encoding.UTF8.GetBytes(X509Facts(bytes)); return state.Output.Length; }));
        });
    }

    private static string X509Facts(byte[] data)
    {
        using var cert = data.Length > 0 && data[0] == (byte)'-' ? X509Certificate2.CreateFromPem(Encoding.ASCII.GetString(data)) : X509CertificateLoader.LoadCertificate(data);
        static string Names(X500DistinguishedName name) =>
            string.Join("\n", name.EnumerateRelativeDistinguishedNames().Reverse().Select(n => $"{ShortName(n.GetSingleElementType())}={n.GetSingleElementValue()}"));
        static string ShortName(Oid oid) => oid.Value switch
        {
            "2.5.4.3" => "CN", "2.5.4.6" => "C", "2.5.4.7" => "L", "2.5.4.8" => "ST", "2.5.4.10" => "O", "2.5.4.11" => "OU",
            "1.2.840.113549.1.9.1" => "emailAddress", _ => oid.FriendlyName ?? oid.Value ?? "",
        };
        var san = X509Checks.AltNames(cert);
        var altNames = san.Count == 0 ? null : string.Join(", ", san.Select(n => $"{n.Kind}:{n.Value}"));
        JsonArray Of(string kind) => new(san.Where(n => n.Kind == kind).Select(n => (JsonNode?)n.Value).ToArray());
        JsonArray Subject(string oid) => new(cert.SubjectName.EnumerateRelativeDistinguishedNames()
            .Where(n => n.GetSingleElementType().Value == oid).Select(n => (JsonNode?)n.GetSingleElementValue()).ToArray());
        var basic = cert.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault();
        var fingerprint = (HashAlgorithmName h) => string.Join(':', cert.GetCertHash(h).Select(b => b.ToString("X2")));
        return new JsonObject
        {
            ["subject"] = Names(cert.SubjectName),
            ["issuer"] = Names(cert.IssuerName),
            ["subjectAltName"] = altNames,
            ["validFrom"] = NodeDate(cert.NotBefore),
            ["validTo"] = NodeDate(cert.NotAfter),
            ["validFromMs"] = new DateTimeOffset(cert.NotBefore.ToUniversalTime()).ToUnixTimeMilliseconds(),
            ["validToMs"] = new DateTimeOffset(cert.NotAfter.ToUniversalTime()).ToUnixTimeMilliseconds(),
            ["serialNumber"] = cert.SerialNumber.ToUpperInvariant(),
            ["fingerprint"] = fingerprint(HashAlgorithmName.SHA1),
            ["fingerprint256"] = fingerprint(HashAlgorithmName.SHA256),
            ["fingerprint512"] = fingerprint(HashAlgorithmName.SHA512),
            ["ca"] = basic?.CertificateAuthority ?? false,
            ["raw"] = Convert.ToBase64String(cert.RawData),
            ["spki"] = Convert.ToBase64String(cert.PublicKey.ExportSubjectPublicKeyInfo()),
            ["pem"] = cert.ExportCertificatePem() + "\n",
            ["dnsNames"] = Of("DNS"),
            ["emails"] = Of("email"),
            ["ipAddresses"] = Of("IP Address"),
            ["subjectNames"] = Subject("2.5.4.3"),
            ["subjectEmails"] = Subject("1.2.840.113549.1.9.1"),
            ["signatureAlgorithm"] = cert.SignatureAlgorithm.FriendlyName,
        }.ToJsonString();
    }

    /// <summary>Node's certificate date: "Jan  2 03:04:05 2026 GMT" (the day padded to two places).</summary>
    private static string NodeDate(DateTime date)
    {
        var d = date.ToUniversalTime();
        return $"{d.ToString("MMM", System.Globalization.CultureInfo.InvariantCulture)} {d.Day,2} {d:HH:mm:ss} {d.Year} GMT";
    }
}

/// <summary>
/// A cipher as OpenSSL's EVP interface (and so Node) drives it: update gives what whole blocks
/// allow, final pads (or checks padding) and, for AEAD modes, produces or checks the tag. Built on
/// BouncyCastle's engines and modes.
/// </summary>
internal sealed class NodeCipher : IDisposable
{
    private const string AuthFailed = "Authentication failed"; // workerd's words for every failed final
    private IBlockCipher? _block;       // cbc, ecb: blocks processed here, padding done here
    private IStreamCipher? _stream;     // ctr, ofb, rc4
    private IAeadCipher? _aead;         // gcm, chacha20-poly1305
    private ICipherParameters? _aeadKey;
    private byte[]? _aeadNonce;
    private readonly bool _encrypt;
    private readonly List<byte> _pending = [];
    private readonly List<byte> _aad = [];
    private byte[]? _tag;
    private bool _started, _final;

    public bool AutoPadding { get; set; } = true;

    private NodeCipher(bool encrypt) => _encrypt = encrypt;

    public static NodeCipher Create(string name, byte[] key, byte[]? iv, bool encrypt)
    {
        var n = name.ToLowerInvariant();
        var cipher = new NodeCipher(encrypt);
        (int keyBytes, int ivBytes) sizes;
        if (n.StartsWith("aes-", StringComparison.Ordinal))
        {
            var parts = n.Split('-');
            if (parts.Length != 3 || !int.TryParse(parts[1], out var bits) || bits is not (128 or 192 or 256)) throw Unknown(name);
            sizes = (bits / 8, parts[2] switch { "ecb" => 0, "gcm" => -1, "cbc" or "ctr" or "ofb" => 16, _ => throw Unknown(name) });
            Check(key, iv, sizes);
            var engine = new AesEngine();
            switch (parts[2])
            {
                case "ecb": cipher._block = engine; break;
                case "cbc": cipher._block = new CbcBlockCipher(engine); break;
                case "ctr": cipher._stream = new KeystreamCipher(new SicBlockCipher(engine)); break;
                case "ofb": cipher._stream = new KeystreamCipher(new OfbBlockCipher(engine, 128)); break;
                case "gcm": cipher._aead = new GcmBlockCipher(engine); break;
            }
        }
        else if (n == "chacha20-poly1305")
        {
            Check(key, iv, (32, 12));
            cipher._aead = new Org.BouncyCastle.Crypto.Modes.ChaCha20Poly1305();
        }
        else if (n is "des-ede3-cbc" or "des-ede-cbc" or "des-ede" or "des-cbc" or "des-ecb")
        {
            var triple = n.StartsWith("des-ede", StringComparison.Ordinal);
            var cbc = n.EndsWith("cbc", StringComparison.Ordinal);
            sizes = (n.StartsWith("des-ede3", StringComparison.Ordinal) ? 24 : triple ? 16 : 8, cbc ? 8 : 0);
            Check(key, iv, sizes);
            IBlockCipher engine = triple ? new DesEdeEngine() : new DesEngine();
            cipher._block = cbc ? new CbcBlockCipher(engine) : engine;
        }
        else if (n == "rc4")
        {
            if (key.Length is < 1 or > 256) throw new NodeCryptoException("", "Invalid key length");
            cipher._stream = new RC4Engine();
        }
        else throw Unknown(name);

        var keyParameter = new KeyParameter(key);
        if (cipher._aead is not null) { cipher._aeadKey = keyParameter; cipher._aeadNonce = iv; }
        else
        {
            ICipherParameters parameters = iv is { Length: > 0 } && cipher is not { _stream: RC4Engine } && cipher._block is not (AesEngine or DesEngine or DesEdeEngine)
                ? new ParametersWithIV(keyParameter, iv) : keyParameter;
            cipher._block?.Init(encrypt, parameters);
            cipher._stream?.Init(encrypt, parameters);
        }
        return cipher;
    }

    private static NodeCryptoException Unknown(string name) => new("", $"Unknown or unsupported cipher: {name}");

    private static void Check(byte[] key, byte[]? iv, (int Key, int Iv) sizes)
    {
        if (key.Length != sizes.Key) throw new NodeCryptoException("", "Invalid key length");
        var ivLength = iv?.Length ?? 0;
        if (sizes.Iv == -1 ? ivLength == 0 : ivLength != sizes.Iv) throw new NodeCryptoException("", "Invalid initialization vector");
    }

    private void StartAead()
    {
        if (_started || _aead is null) return;
        _started = true;
        var tagBits = _encrypt || _tag is null ? 128 : _tag.Length * 8;
        _aead.Init(_encrypt, new AeadParameters((KeyParameter)_aeadKey!, tagBits, _aeadNonce!, _aad.ToArray()));
        if (_pending.Count > 0)
        {
            var held = _pending.ToArray();
            _pending.Clear();
            _heldOutput = new byte[_aead.GetUpdateOutputSize(held.Length)];
            _heldOutput = _heldOutput[.._aead.ProcessBytes(held, 0, held.Length, _heldOutput, 0)];
        }
    }

    private byte[]? _heldOutput;

    public void SetAad(byte[] aad)
    {
        if (_aead is null) throw new NodeCryptoException("", "Setting the AAD is only supported for AEAD ciphers");
        if (_started) throw new NodeCryptoException("", "The AAD must be set before any data is processed");
        _aad.AddRange(aad);
    }

    public void SetAuthTag(byte[] tag)
    {
        if (_aead is null || _encrypt) throw new NodeCryptoException("", "Setting the auth tag is only supported for decryption with AEAD ciphers");
        if (tag.Length is < 4 or > 16) throw new NodeCryptoException("", "Invalid authentication tag length");
        _tag = tag;
    }

    public byte[] AuthTag()
    {
        if (!_final || _tag is null) throw new NodeCryptoException("", "Auth tag is only available once cipher context has been finalized");
        return _tag;
    }

    public byte[] Update(byte[] data)
    {
        if (_final) throw new NodeCryptoException("", "Cipher/decipher context has already been finalized");
        if (_aead is not null)
        {
            // Decrypting before the tag is known: its length (the MAC size) is not known yet either.
            if (!_encrypt && _tag is null && !_started) { _pending.AddRange(data); return []; }
            StartAead();
            var output = new byte[_aead.GetUpdateOutputSize(data.Length)];
            var n = _aead.ProcessBytes(data, 0, data.Length, output, 0);
            return output[..n];
        }
        if (_stream is not null)
        {
            var output = new byte[data.Length];
            _stream.ProcessBytes(data, 0, data.Length, output, 0);
            return output;
        }
        _pending.AddRange(data);
        var size = _block!.GetBlockSize();
        // Decrypting with padding keeps the last whole block back: it may be the padded one.
        var hold = !_encrypt && AutoPadding ? 1 : 0;
        var blocks = Math.Max(0, _pending.Count / size - (hold > 0 && _pending.Count % size == 0 ? 1 : 0));
        return ProcessBlocks(blocks * size);
    }

    private byte[] ProcessBlocks(int length)
    {
        var size = _block!.GetBlockSize();
        var input = _pending.GetRange(0, length).ToArray();
        _pending.RemoveRange(0, length);
        var output = new byte[length];
        for (var at = 0; at < length; at += size) _block.ProcessBlock(input, at, output, at);
        return output;
    }

    public byte[] Final()
    {
        if (_final) throw new NodeCryptoException("", "Cipher/decipher context has already been finalized");
        _final = true;
        if (_aead is not null)
        {
            StartAead();
            try
            {
                if (_encrypt)
                {
                    var output = new byte[_aead.GetOutputSize(0)];
                    var n = _aead.DoFinal(output, 0);
                    _tag = _aead.GetMac();
                    return output[..(n - _tag.Length)];
                }
                if (_tag is null) throw new NodeCryptoException("", AuthFailed);
                var rest = new byte[_aead.GetUpdateOutputSize(_tag.Length) + 16];
                var m = _aead.ProcessBytes(_tag, 0, _tag.Length, rest, 0);
                m += _aead.DoFinal(rest, m);
                return _heldOutput is null ? rest[..m] : [.. _heldOutput, .. rest.AsSpan(0, m)];
            }
            catch (InvalidCipherTextException) { throw new NodeCryptoException("", AuthFailed); }
        }
        if (_stream is not null) return [];
        var size = _block!.GetBlockSize();
        if (_encrypt)
        {
            if (AutoPadding)
            {
                var pad = size - _pending.Count % size;
                for (var i = 0; i < pad; i++) _pending.Add((byte)pad);
            }
            if (_pending.Count % size != 0) throw new NodeCryptoException("", AuthFailed);
            return ProcessBlocks(_pending.Count);
        }
        if (_pending.Count % size != 0 || (AutoPadding && _pending.Count == 0)) throw new NodeCryptoException("", AuthFailed);
        var plain = ProcessBlocks(_pending.Count);
        if (!AutoPadding) return plain;
        var p = plain[^1];
        if (p == 0 || p > size || plain.AsSpan(plain.Length - p).IndexOfAnyExcept(p) >= 0) throw new NodeCryptoException("", AuthFailed);
        return plain[..^p];
    }

    public void Dispose() { }

    /// <summary>CTR or OFB as a stream cipher: the mode run over zero blocks gives the keystream, XORed in byte by byte.</summary>
    private sealed class KeystreamCipher(IBlockCipher mode) : IStreamCipher
    {
        private readonly byte[] _keystream = new byte[mode.GetBlockSize()];
        private readonly byte[] _zero = new byte[mode.GetBlockSize()];
        private int _used;

        public string AlgorithmName => mode.AlgorithmName;

        public void Init(bool forEncryption, ICipherParameters parameters)
        {
            mode.Init(true, parameters); // CTR and OFB run the block cipher forwards either way
            _used = _keystream.Length;
        }

        public byte ReturnByte(byte input)
        {
            if (_used >= _keystream.Length) { mode.ProcessBlock(_zero, 0, _keystream, 0); _used = 0; }
            return (byte)(input ^ _keystream[_used++]);
        }

        public void ProcessBytes(byte[] input, int inOff, int length, byte[] output, int outOff)
        {
            for (var i = 0; i < length; i++) output[outOff + i] = ReturnByte(input[inOff + i]);
        }

        public void ProcessBytes(ReadOnlySpan<byte> input, Span<byte> output)
        {
            for (var i = 0; i < input.Length; i++) output[i] = ReturnByte(input[i]);
        }

        public void Reset() => _used = _keystream.Length;
    }
}

internal sealed partial class NodeKey
{
    private AsymmetricKeyParameter? _x25519;

    /// <summary>A new private key (generateKeyPair): rsa, ec (P-256/384/521), ed25519 or x25519.</summary>
    public static NodeKey Generate(string type, int modulusLength, long publicExponent, string namedCurve)
    {
        var key = new NodeKey { _private = true };
        switch (type)
        {
            case "rsa":
                if (publicExponent != 65537)
                {
                    var generator = new RsaKeyPairGenerator();
                    generator.Init(new RsaKeyGenerationParameters(Org.BouncyCastle.Math.BigInteger.ValueOf(publicExponent), new SecureRandom(), modulusLength, 80));
                    var pair = generator.GenerateKeyPair();
                    key._rsa = RSA.Create();
                    key._rsa.ImportParameters(DotNetUtilities.ToRSAParameters((RsaPrivateCrtKeyParameters)pair.Private));
                }
                else key._rsa = RSA.Create(modulusLength);
                break;
            case "ec":
                key._ec = ECDsa.Create(CurveOf(namedCurve));
                break;
            case "ed25519":
                key._ed = new Ed25519PrivateKeyParameters(new SecureRandom());
                break;
            case "x25519":
                key._x25519 = new X25519PrivateKeyParameters(new SecureRandom());
                break;
            default:
                throw new NodeCryptoException("ERR_INVALID_ARG_VALUE", $"The argument 'type' must be one of: 'rsa', 'ec', 'ed25519', 'x25519', 'dh'. Received '{type}'");
        }
        return key;
    }

    private static ECCurve CurveOf(string name) => name switch
    {
        "P-256" or "prime256v1" or "secp256r1" => ECCurve.NamedCurves.nistP256,
        "P-384" or "secp384r1" => ECCurve.NamedCurves.nistP384,
        "P-521" or "secp521r1" => ECCurve.NamedCurves.nistP521,
        _ => throw new NodeCryptoException("ERR_CRYPTO_INVALID_CURVE", "Invalid EC curve name"),
    };

    /// <summary>RSA encryption as Node's publicEncrypt (1), privateDecrypt (2), privateEncrypt (3) and publicDecrypt (4).</summary>
    public byte[] RsaCrypt(byte[] data, int mode, int padding, string oaepHash)
    {
        if (_rsa is null) throw new NodeCryptoException("ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE", "Invalid key type: an RSA key is needed.");
        if ((mode is 2 or 3) && !_private) throw new NodeCryptoException("ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE", "Invalid key object type public, expected private.");
        const int pkcs1 = 1, noPadding = 3, oaep = 4;
        if (mode is 1 or 2 && padding != noPadding)
        {
            var encryption = padding == pkcs1 ? RSAEncryptionPadding.Pkcs1 : padding == oaep
                ? RSAEncryptionPadding.CreateOaep(Digests.DotNetName(oaepHash) ?? throw new NodeCryptoException("ERR_OSSL_EVP_INVALID_DIGEST", "Invalid digest used"))
                : throw new NodeCryptoException("ERR_OSSL_RSA_UNKNOWN_PADDING_TYPE", "error:1C8000A5:Provider routines::illegal or unsupported padding mode");
            try { return mode == 1 ? _rsa.Encrypt(data, encryption) : _rsa.Decrypt(data, encryption); }
            catch (CryptographicException) when (mode == 2) { throw new NodeCryptoException("ERR_OSSL_RSA_OAEP_DECODING_ERROR", "error:02000079:rsa routines::oaep decoding error"); }
        }
        // privateEncrypt / publicDecrypt (and no padding): the raw RSA operation, with PKCS#1 type 1 padding by default.
        var parameters = _private && mode is 2 or 3 ? DotNetUtilities.GetRsaKeyPair(_rsa).Private : DotNetUtilities.GetRsaPublicKey(_rsa);
        IAsymmetricBlockCipher engine = padding == noPadding ? new RsaEngine() : new Pkcs1Encoding(new RsaEngine());
        engine.Init(mode is 1 or 3, parameters);
        return engine.ProcessBlock(data, 0, data.Length);
    }

    /// <summary>diffieHellman({ privateKey, publicKey }): X25519 or ECDH.</summary>
    public byte[] Agree(NodeKey other)
    {
        if (_dh is not null && other._dh is not null) return AgreeDh(other);
        if (_x25519 is X25519PrivateKeyParameters mine && other._x25519 is { } theirs)
        {
            var agreement = new Org.BouncyCastle.Crypto.Agreement.X25519Agreement();
            agreement.Init(mine);
            var secret = new byte[agreement.AgreementSize];
            agreement.CalculateAgreement(theirs is X25519PrivateKeyParameters p ? p.GeneratePublicKey() : theirs, secret, 0);
            return secret;
        }
        if (_ec is not null && other._ec is not null && _private)
        {
            using var ecdh = ECDiffieHellman.Create(_ec.ExportParameters(true));
            using var peer = ECDiffieHellman.Create(other._ec.ExportParameters(false));
            return ecdh.DeriveRawSecretAgreement(peer.PublicKey);
        }
        throw new NodeCryptoException("ERR_CRYPTO_INCOMPATIBLE_KEY", "Incompatible key types for Diffie-Hellman: x25519 and ec keys are supported");
    }

    private static string B64(byte[] bytes) => Base64Url(bytes);
    private static string Base64Url(ReadOnlySpan<byte> bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    private static byte[] FromB64(JsonNode? node) => node is null ? throw new NodeCryptoException("ERR_CRYPTO_INVALID_JWK", "Invalid JWK data")
        : Convert.FromBase64String(PadBase64(node.GetValue<string>().Replace('-', '+').Replace('_', '/')));
    private static string PadBase64(string s) => s + new string('=', (4 - s.Length % 4) % 4);

    private static string JwkCurve(ECParameters p) => p.Curve.Oid?.FriendlyName switch
    {
        "nistP256" or "ECDSA_P256" => "P-256",
        "nistP384" or "ECDSA_P384" => "P-384",
        "nistP521" or "ECDSA_P521" => "P-521",
        _ => p.Q.X!.Length switch { 32 => "P-256", 48 => "P-384", _ => "P-521" },
    };

    /// <summary>KeyObject.export({ format: "jwk" }).</summary>
    public string ToJwk(bool asPublic)
    {
        if (_dh is not null) throw NodeDhOps.Fail("Key type is invalid for JWK export");
        var withPrivate = _private && !asPublic;
        var jwk = new JsonObject();
        if (_rsa is not null)
        {
            var p = _rsa.ExportParameters(withPrivate);
            jwk["kty"] = "RSA"; jwk["n"] = B64(p.Modulus!); jwk["e"] = B64(p.Exponent!);
            if (withPrivate) { jwk["d"] = B64(p.D!); jwk["p"] = B64(p.P!); jwk["q"] = B64(p.Q!); jwk["dp"] = B64(p.DP!); jwk["dq"] = B64(p.DQ!); jwk["qi"] = B64(p.InverseQ!); }
        }
        else if (_ec is not null)
        {
            var p = _ec.ExportParameters(withPrivate);
            jwk["kty"] = "EC"; jwk["crv"] = JwkCurve(p); jwk["x"] = B64(p.Q.X!); jwk["y"] = B64(p.Q.Y!);
            if (withPrivate) jwk["d"] = B64(p.D!);
        }
        else
        {
            var isEd = _ed is not null;
            var key = (_ed ?? _x25519)!;
            byte[] x = key switch
            {
                Ed25519PrivateKeyParameters e => e.GeneratePublicKey().GetEncoded(),
                Ed25519PublicKeyParameters e => e.GetEncoded(),
                X25519PrivateKeyParameters x2 => x2.GeneratePublicKey().GetEncoded(),
                X25519PublicKeyParameters x2 => x2.GetEncoded(),
                _ => throw new NodeCryptoException("ERR_CRYPTO_JWK_UNSUPPORTED_KEY_TYPE", "Unsupported JWK Key Type."),
            };
            jwk["crv"] = isEd ? "Ed25519" : "X25519"; jwk["x"] = B64(x);
            if (withPrivate) jwk["d"] = B64(key is Ed25519PrivateKeyParameters ep ? ep.GetEncoded() : ((X25519PrivateKeyParameters)key).GetEncoded());
            jwk["kty"] = "OKP";
        }
        return jwk.ToJsonString();
    }

    /// <summary>createPrivateKey / createPublicKey({ key, format: "jwk" }).</summary>
    public static NodeKey FromJwk(string json, bool isPrivate)
    {
        var jwk = JsonNode.Parse(json) as JsonObject ?? throw new NodeCryptoException("ERR_CRYPTO_INVALID_JWK", "Invalid JWK data");
        var key = new NodeKey { _private = isPrivate };
        switch ((string?)jwk["kty"])
        {
            case "RSA":
                key._rsa = RSA.Create();
                key._rsa.ImportParameters(isPrivate
                    ? new RSAParameters { Modulus = FromB64(jwk["n"]), Exponent = FromB64(jwk["e"]), D = FromB64(jwk["d"]), P = FromB64(jwk["p"]), Q = FromB64(jwk["q"]), DP = FromB64(jwk["dp"]), DQ = FromB64(jwk["dq"]), InverseQ = FromB64(jwk["qi"]) }
                    : new RSAParameters { Modulus = FromB64(jwk["n"]), Exponent = FromB64(jwk["e"]) });
                break;
            case "EC":
                var parameters = new ECParameters { Curve = CurveOf((string?)jwk["crv"] ?? ""), Q = new ECPoint { X = FromB64(jwk["x"]), Y = FromB64(jwk["y"]) } };
                if (isPrivate) parameters.D = FromB64(jwk["d"]);
                key._ec = ECDsa.Create(parameters);
                break;
            case "OKP":
                var crv = (string?)jwk["crv"];
                var raw = FromB64(isPrivate ? jwk["d"] : jwk["x"]);
                if (crv == "Ed25519") key._ed = isPrivate ? new Ed25519PrivateKeyParameters(raw) : new Ed25519PublicKeyParameters(raw);
                else if (crv == "X25519") key._x25519 = isPrivate ? new X25519PrivateKeyParameters(raw) : new X25519PublicKeyParameters(raw);
                else throw new NodeCryptoException("ERR_CRYPTO_INVALID_JWK", "Invalid JWK OKP key");
                break;
            default:
                throw new NodeCryptoException("ERR_CRYPTO_INVALID_JWK", "Invalid JWK data");
        }
        return key;
    }

    /// <summary>The EC public key as a SEC1 point: 04‖X‖Y, or 02/03‖X when compressed.</summary>
    public byte[] PublicPoint(bool compressed)
    {
        var q = (_ec ?? throw new NodeCryptoException("ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE", "Invalid key type: an EC key is needed.")).ExportParameters(false).Q;
        return compressed ? [(byte)((q.Y![^1] & 1) == 0 ? 2 : 3), .. q.X!] : [4, .. q.X!, .. q.Y!];
    }

    public byte[] PrivateScalar() => _ec!.ExportParameters(true).D!;

    public static NodeKey EcFromPrivate(string curve, byte[] d)
    {
        using var temp = ECDiffieHellman.Create(new ECParameters { Curve = CurveOf(curve), D = d });
        var parameters = temp.ExportParameters(true);
        return new NodeKey { _private = true, _ec = ECDsa.Create(parameters) };
    }

    /// <summary>ECDH with a peer's SEC1 public point (uncompressed or compressed).</summary>
    public byte[] AgreePoint(byte[] point)
    {
        if (_ec is null || !_private) throw new NodeCryptoException("ERR_CRYPTO_ECDH_INVALID_PUBLIC_KEY", "Public key is not valid for specified curve");
        var mine = _ec.ExportParameters(true);
        var size = mine.Q.X!.Length;
        ECPoint q;
        if (point.Length == 1 + 2 * size && point[0] == 4) q = new ECPoint { X = point[1..(1 + size)], Y = point[(1 + size)..] };
        else if (point.Length == 1 + size && point[0] is 2 or 3)
        {
            var curve = Org.BouncyCastle.Asn1.X9.ECNamedCurveTable.GetByName(JwkCurve(mine));
            var decoded = curve.Curve.DecodePoint(point).Normalize();
            q = new ECPoint { X = decoded.AffineXCoord.GetEncoded(), Y = decoded.AffineYCoord.GetEncoded() };
        }
        else throw new NodeCryptoException("ERR_CRYPTO_ECDH_INVALID_PUBLIC_KEY", "Public key is not valid for specified curve");
        using var ecdh = ECDiffieHellman.Create(mine);
        using var peer = ECDiffieHellman.Create(new ECParameters { Curve = mine.Curve, Q = q });
        try { return ecdh.DeriveRawSecretAgreement(peer.PublicKey); }
        catch (CryptographicException) { throw new NodeCryptoException("ERR_CRYPTO_ECDH_INVALID_PUBLIC_KEY", "Public key is not valid for specified curve"); }
    }

    /// <summary>generatePrime: a random probable prime of <paramref name="bits"/> bits ((p-1)/2 prime too when safe).</summary>
    public static byte[] Prime(int bits, bool safe)
    {
        if (bits < 2) throw new NodeCryptoException("ERR_OUT_OF_RANGE", "The value of \"size\" is out of range.");
        var random = new SecureRandom();
        while (true)
        {
            var p = Org.BouncyCastle.Math.BigInteger.ProbablePrime(bits, random);
            if (!safe || p.ShiftRight(1).IsProbablePrime(40)) return p.ToByteArrayUnsigned();
        }
    }
}
