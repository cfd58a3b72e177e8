using System.Buffers.Binary;
using System.Security.Cryptography;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.Encodings;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math.EC.Rfc7748;
using Org.BouncyCastle.Math.EC.Rfc8032;
using Org.BouncyCastle.Security;
using BigInteger = Org.BouncyCastle.Math.BigInteger;

namespace Flint.JavaScript.Web.Crypto;

/// <summary>An asymmetric key held in the isolate's table; script sees only its handle.</summary>
internal abstract class HostKey(bool isPrivate) : IDisposable
{
    public bool IsPrivate { get; } = isPrivate;
    public virtual void Dispose() { }
}

internal sealed class RsaHostKey(RSA rsa, bool isPrivate) : HostKey(isPrivate)
{
    private RsaKeyParameters? _bouncy;
    public RSA Rsa { get; } = rsa;
    public int ModulusBytes => Rsa.KeySize / 8;

    /// <summary>The same key for BouncyCastle, for PSS salt lengths and OAEP labels the BCL cannot express.</summary>
    public RsaKeyParameters Bouncy => _bouncy ??= AsymmetricKeys.ToBouncy(Rsa.ExportParameters(IsPrivate), IsPrivate);

    public override void Dispose() => Rsa.Dispose();
}

internal sealed class EcHostKey(ECAlgorithm key, int curve, bool isPrivate) : HostKey(isPrivate)
{
    /// <summary>An <see cref="ECDsa"/> for ECDSA keys, an <see cref="ECDiffieHellman"/> for ECDH keys.</summary>
    public ECAlgorithm Key { get; } = key;
    public int Curve { get; } = curve;
    public override void Dispose() => Key.Dispose();
}

/// <summary>Ed25519 or X25519: the 32-byte private key (seed or scalar) and the 32-byte public key.</summary>
internal sealed class OkpHostKey(bool x25519, byte[]? privateKey, byte[] publicKey) : HostKey(privateKey is not null)
{
    public bool X25519 { get; } = x25519;
    public byte[]? PrivateKey { get; } = privateKey;
    public byte[] PublicKey { get; } = publicKey;
    public override void Dispose() { if (PrivateKey is not null) CryptographicOperations.ZeroMemory(PrivateKey); }
}

/// <summary>
/// Import, export, generation and the operations of RSA, EC and OKP keys. The ids below are the
/// ones 70_crypto.js passes; its normalization has already checked names, usages and dictionaries.
/// </summary>
internal static class AsymmetricKeys
{
    public const int KindRsa = 1, KindEcdsa = 2, KindEcdh = 3, KindEd25519 = 4, KindX25519 = 5;
    public const int FormatRaw = 1, FormatSpki = 2, FormatPkcs8 = 3, FormatJwkPublic = 4, FormatJwkPrivate = 5;
    public const int AlgRsaPkcs1 = 1, AlgRsaPss = 2, AlgEcdsa = 3, AlgEd25519 = 4;

    private static readonly SecureRandom s_random = new();

    // ---- curves -----------------------------------------------------------------------------

    private static (string Name, string Oid, int Size, ECCurve Curve) CurveInfo(int curve) => curve switch
    {
        1 => ("P-256", "1.2.840.10045.3.1.7", 32, ECCurve.NamedCurves.nistP256),
        2 => ("P-384", "1.3.132.0.34", 48, ECCurve.NamedCurves.nistP384),
        3 => ("P-521", "1.3.132.0.35", 66, ECCurve.NamedCurves.nistP521),
        _ => throw CryptoError.NotSupported("Unrecognized or unimplemented EC curve requested."),
    };

    private static ECAlgorithm NewEc(int kind) => kind == KindEcdh ? ECDiffieHellman.Create() : ECDsa.Create();

    private static ECAlgorithm NewEc(int kind, ECParameters parameters)
    {
        var key = NewEc(kind);
        try { key.ImportParameters(parameters); }
        catch { key.Dispose(); throw; }
        return key;
    }

    // ---- import -----------------------------------------------------------------------------

    public static HostKey Import(int kind, int format, int curve, ReadOnlySpan<byte> data) => kind switch
    {
        KindRsa => ImportRsa(format, data),
        KindEcdsa or KindEcdh => ImportEc(kind, format, curve, data),
        KindEd25519 or KindX25519 => ImportOkp(kind == KindX25519, format, data),
        _ => throw CryptoError.NotSupported("Unrecognized key import algorithm requested."),
    };

    private static HostKey ImportRsa(int format, ReadOnlySpan<byte> data)
    {
        if (format is FormatJwkPublic or FormatJwkPrivate) return ImportRsaJwk(Unpack(data, 8), format == FormatJwkPrivate);
        var pkcs8 = format == FormatPkcs8;
        var (oid, _, length, traditional) = Der.ReadAlgorithm(data, pkcs8);
        if (oid != Der.RsaEncryption) throw CryptoError.BadData("Input was not an RSA key.");
        Der.RequireNoTrailing(data, length, pkcs8);
        var rsa = RSA.Create();
        try
        {
            if (traditional) rsa.ImportRSAPrivateKey(data, out _);
            else if (pkcs8) rsa.ImportPkcs8PrivateKey(data, out _);
            else rsa.ImportSubjectPublicKeyInfo(data, out _);
        }
        catch (CryptographicException)
        {
            rsa.Dispose();
            throw CryptoError.BadData(pkcs8 ? "Invalid PKCS8 input." : "Invalid SPKI input.");
        }
        return new RsaHostKey(rsa, pkcs8);
    }

    private static HostKey ImportRsaJwk(byte[]?[] c, bool isPrivate)
    {
        // n, e, d, p, q, dp, dq, qi; the JavaScript has checked presence and base64url.
        var n = StripZeros(c[0]!);
        var parameters = new RSAParameters { Modulus = n, Exponent = StripZeros(c[1]!) };
        if (n.Length == 0) throw CryptoError.Operation("The modulus length must be a multiple of 8 and between 256 and 16k, but 0 was requested.");
        if (isPrivate)
        {
            var half = (n.Length + 1) / 2;
            byte[] p, q, dp, dq, qi;
            if (c[3] is null) (p, q, dp, dq, qi) = RecoverPrimes(n, parameters.Exponent, c[2]!);
            else (p, q, dp, dq, qi) = (c[3]!, c[4]!, c[5]!, c[6]!, c[7]!);
            try
            {
                parameters.D = Pad(c[2]!, n.Length);
                parameters.P = Pad(p, half);
                parameters.Q = Pad(q, half);
                parameters.DP = Pad(dp, half);
                parameters.DQ = Pad(dq, half);
                parameters.InverseQ = Pad(qi, half);
            }
            catch (CryptoError)
            {
                throw CryptoError.BadData("Invalid RSA key in JSON Web Key; invalid RSA private key parameters.");
            }
        }
        var rsa = RSA.Create();
        try
        {
            rsa.ImportParameters(parameters);
        }
        catch (CryptographicException)
        {
            rsa.Dispose();
            throw CryptoError.BadData("Invalid RSA key in JSON Web Key.");
        }
        return new RsaHostKey(rsa, isPrivate);
    }

    /// <summary>Finds p and q from n, e and d (NIST SP 800-56B, appendix C), for JWKs that omit the CRT parameters.</summary>
    private static (byte[] P, byte[] Q, byte[] DP, byte[] DQ, byte[] QI) RecoverPrimes(byte[] nBytes, byte[] eBytes, byte[] dBytes)
    {
        var n = new BigInteger(1, nBytes);
        var e = new BigInteger(1, eBytes);
        var d = new BigInteger(1, dBytes);
        var k = d.Multiply(e).Subtract(BigInteger.One);
        if (k.SignValue <= 0 || k.TestBit(0)) throw CryptoError.BadData("Invalid RSA key in JSON Web Key.");
        var t = k.GetLowestSetBit();
        var r = k.ShiftRight(t);
        var nMinusOne = n.Subtract(BigInteger.One);
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var g = new BigInteger(n.BitLength, s_random).Mod(n);
            if (g.CompareTo(BigInteger.Two) < 0) continue;
            var y = g.ModPow(r, n);
            if (y.Equals(BigInteger.One) || y.Equals(nMinusOne)) continue;
            for (var i = 1; i <= t; i++)
            {
                var x = y.ModPow(BigInteger.Two, n);
                if (x.Equals(BigInteger.One))
                {
                    var p = y.Subtract(BigInteger.One).Gcd(n);
                    var q = n.Divide(p);
                    if (p.CompareTo(q) < 0) (p, q) = (q, p);
                    return (p.ToByteArrayUnsigned(), q.ToByteArrayUnsigned(),
                        d.Mod(p.Subtract(BigInteger.One)).ToByteArrayUnsigned(),
                        d.Mod(q.Subtract(BigInteger.One)).ToByteArrayUnsigned(),
                        q.ModInverse(p).ToByteArrayUnsigned());
                }
                if (x.Equals(nMinusOne)) break;
                y = x;
            }
        }
        throw CryptoError.BadData("Invalid RSA key in JSON Web Key.");
    }

    private static HostKey ImportEc(int kind, int format, int curve, ReadOnlySpan<byte> data)
    {
        var info = CurveInfo(curve);
        switch (format)
        {
            case FormatRaw:
            {
                var (x, y) = DecodePoint(info.Name, info.Size, data);
                try { return new EcHostKey(NewEc(kind, new ECParameters { Curve = info.Curve, Q = new ECPoint { X = x, Y = y } }), curve, false); }
                catch (CryptographicException) { throw CryptoError.BadData("Invalid raw EC key provided."); }
            }
            case FormatJwkPublic or FormatJwkPrivate:
            {
                var c = Unpack(data, 3);
                ECPoint q;
                try { q = new ECPoint { X = Pad(c[0]!, info.Size), Y = Pad(c[1]!, info.Size) }; }
                catch (CryptoError) { throw CryptoError.Operation("Invalid EC key; public key coordinates \"x\" and \"y\" are invalid: Point is not on curve.."); }
                try { NewEc(kind, new ECParameters { Curve = info.Curve, Q = q }).Dispose(); }
                catch (CryptographicException) { throw CryptoError.Operation("Invalid EC key; public key coordinates \"x\" and \"y\" are invalid: Point is not on curve.."); }
                if (format == FormatJwkPublic) return new EcHostKey(NewEc(kind, new ECParameters { Curve = info.Curve, Q = q }), curve, false);
                byte[] d;
                try { d = Pad(c[2]!, info.Size); }
                catch (CryptoError) { throw CryptoError.Operation("Invalid EC key; private key component \"d\" is invalid."); }
                try { return new EcHostKey(NewEc(kind, new ECParameters { Curve = info.Curve, Q = q, D = d }), curve, true); }
                catch (CryptographicException) { throw CryptoError.BadData("Invalid EC key in JSON Web Key."); }
            }
            default:
            {
                var pkcs8 = format == FormatPkcs8;
                var (oid, curveOid, length, traditional) = Der.ReadAlgorithm(data, pkcs8);
                if (oid != Der.EcPublicKey)
                    throw CryptoError.BadData(kind == KindEcdh ? "Input was not an EC public key nor a DH key." : "Input was not an EC key.");
                Der.RequireNoTrailing(data, length, pkcs8);
                if (curveOid != info.Oid)
                    throw CryptoError.BadData($"\"algorithm.namedCurve\" \"{info.Name}\"{(kind == KindEcdh ? "," : "")} does not match the curve specified by the input key data.");
                var key = NewEc(kind);
                try
                {
                    if (traditional) key.ImportECPrivateKey(data, out _);
                    else if (pkcs8) key.ImportPkcs8PrivateKey(data, out _);
                    else key.ImportSubjectPublicKeyInfo(data, out _);
                }
                catch (CryptographicException)
                {
                    key.Dispose();
                    throw CryptoError.BadData(pkcs8 ? "Invalid PKCS8 input." : "Invalid SPKI input.");
                }
                return new EcHostKey(key, curve, pkcs8);
            }
        }
    }

    /// <summary>An uncompressed or compressed SEC 1 point, checked to be on the curve.</summary>
    private static (byte[] X, byte[] Y) DecodePoint(string curveName, int size, ReadOnlySpan<byte> raw)
    {
        var compressed = raw.Length == 1 + size && raw[0] is 2 or 3;
        if (!compressed && !(raw.Length == 1 + 2 * size && raw[0] == 4))
            throw CryptoError.BadData("Failed to import raw EC key data: Invalid point encoding..");
        try
        {
            var point = ECNamedCurveTable.GetByName(curveName).Curve.DecodePoint(raw.ToArray()).Normalize();
            return (Pad(point.AffineXCoord.ToBigInteger().ToByteArrayUnsigned(), size), Pad(point.AffineYCoord.ToBigInteger().ToByteArrayUnsigned(), size));
        }
        catch (ArgumentException)
        {
            throw CryptoError.BadData(compressed
                ? "Failed to import raw EC key data: Invalid compressed point.."
                : "Failed to import raw EC key data: Point is not on curve..");
        }
    }

    private static HostKey ImportOkp(bool x25519, int format, ReadOnlySpan<byte> data)
    {
        var name = x25519 ? "X25519" : "Ed25519";
        var oid = x25519 ? Der.X25519 : Der.Ed25519;
        switch (format)
        {
            case FormatRaw:
                if (data.Length != 32) throw CryptoError.BadData($"{name} raw keys must be exactly 32-bytes (provided {data.Length}).");
                return new OkpHostKey(x25519, null, data.ToArray());
            case FormatJwkPublic or FormatJwkPrivate:
            {
                var c = Unpack(data, 2);
                if (c[0]!.Length != 32) throw CryptoError.BadData($"Invalid length {c[0]!.Length} for public key");
                if (format == FormatJwkPublic) return new OkpHostKey(x25519, null, c[0]!);
                if (c[1]!.Length != 32) throw CryptoError.BadData($"Invalid length {c[1]!.Length} for private key");
                // The private key decides; like BoringSSL, "x" is not checked against it.
                return new OkpHostKey(x25519, c[1], PublicFromPrivate(x25519, c[1]!));
            }
            default:
            {
                var pkcs8 = format == FormatPkcs8;
                var (keyOid, _, length, _) = Der.ReadAlgorithm(data, pkcs8);
                Der.RequireNoTrailing(data, length, pkcs8);
                if (keyOid != oid) throw CryptoError.BadData(pkcs8 ? "Invalid PKCS8 input." : "Invalid SPKI input.");
                if (!pkcs8)
                {
                    var key = Der.ReadOkpPublic(data);
                    if (key.Length != 32) throw CryptoError.BadData("Invalid SPKI input.");
                    return new OkpHostKey(x25519, null, key);
                }
                var secret = Der.ReadOkpPrivate(data);
                if (secret.Length != 32) throw CryptoError.BadData("Invalid PKCS8 input.");
                return new OkpHostKey(x25519, secret, PublicFromPrivate(x25519, secret));
            }
        }
    }

    private static byte[] PublicFromPrivate(bool x25519, byte[] privateKey)
    {
        var pub = new byte[32];
        if (x25519) X25519.GeneratePublicKey(privateKey, pub);
        else Ed25519.GeneratePublicKey(privateKey, pub);
        return pub;
    }

    // ---- key facts ----------------------------------------------------------------------------

    /// <summary>For RSA: modulus length in bits (as bytes × 8, like workerd) then the public exponent, minimal big-endian.</summary>
    public static byte[] RsaInfo(RsaHostKey key)
    {
        var exponent = StripZeros(key.Rsa.ExportParameters(false).Exponent!);
        var info = new byte[2 + exponent.Length];
        BinaryPrimitives.WriteUInt16BigEndian(info, (ushort)Math.Min(key.ModulusBytes * 8, ushort.MaxValue));
        exponent.CopyTo(info, 2);
        return info;
    }

    // ---- export -------------------------------------------------------------------------------

    public static byte[] Export(HostKey key, int format)
    {
        switch (key)
        {
            case RsaHostKey rsa:
                switch (format)
                {
                    case FormatSpki: return rsa.Rsa.ExportSubjectPublicKeyInfo();
                    case FormatPkcs8: return rsa.Rsa.ExportPkcs8PrivateKey();
                    default:
                    {
                        var p = rsa.Rsa.ExportParameters(rsa.IsPrivate);
                        return rsa.IsPrivate
                            ? Pack(p.Modulus, p.Exponent, p.D, p.P, p.Q, p.DP, p.DQ, p.InverseQ)
                            : Pack(p.Modulus, p.Exponent);
                    }
                }
            case EcHostKey ec:
                switch (format)
                {
                    case FormatSpki: return ec.Key.ExportSubjectPublicKeyInfo();
                    case FormatPkcs8: return ec.Key.ExportPkcs8PrivateKey();
                    case FormatRaw:
                    {
                        var q = ec.Key.ExportParameters(false).Q;
                        return [4, .. q.X!, .. q.Y!];
                    }
                    default:
                    {
                        var p = ec.Key.ExportParameters(ec.IsPrivate);
                        // JWK members are unpadded integers in BoringSSL only for RSA; EC ones keep the field size.
                        return ec.IsPrivate ? PackRaw(p.Q.X!, p.Q.Y!, p.D!) : PackRaw(p.Q.X!, p.Q.Y!);
                    }
                }
            case OkpHostKey okp:
            {
                var oid = okp.X25519 ? Der.X25519 : Der.Ed25519;
                return format switch
                {
                    FormatSpki => Der.WriteOkpPublic(oid, okp.PublicKey),
                    FormatPkcs8 => Der.WriteOkpPrivate(oid, okp.PrivateKey!),
                    FormatRaw => (byte[])okp.PublicKey.Clone(),
                    _ => okp.IsPrivate ? PackRaw(okp.PublicKey, okp.PrivateKey!) : PackRaw(okp.PublicKey),
                };
            }
            default:
                throw CryptoError.InvalidAccess("Not an asymmetric key.");
        }
    }

    // ---- generation ---------------------------------------------------------------------------

    public static (HostKey Private, HostKey Public) Generate(int kind, int curve)
    {
        switch (kind)
        {
            case KindEcdsa or KindEcdh:
            {
                var info = CurveInfo(curve);
                ECAlgorithm key = kind == KindEcdh ? ECDiffieHellman.Create(info.Curve) : ECDsa.Create(info.Curve);
                var pub = NewEc(kind, key.ExportParameters(false));
                return (new EcHostKey(key, curve, true), new EcHostKey(pub, curve, false));
            }
            case KindEd25519 or KindX25519:
            {
                var secret = new byte[32];
                if (kind == KindX25519) X25519.GeneratePrivateKey(s_random, secret);
                else Ed25519.GeneratePrivateKey(s_random, secret);
                var pub = PublicFromPrivate(kind == KindX25519, secret);
                return (new OkpHostKey(kind == KindX25519, secret, pub), new OkpHostKey(kind == KindX25519, null, pub));
            }
            default:
                throw CryptoError.NotSupported("Unrecognized key generation algorithm requested.");
        }
    }

    /// <summary>Generates an RSA pair; slow, so callers run it off the isolate's thread.</summary>
    public static (HostKey Private, HostKey Public) GenerateRsa(int bits, byte[] exponent)
    {
        // BoringSSL, and so workerd, refuses to generate keys under 512 bits.
        if (bits < 512) throw CryptoError.Operation("RSA key size is too small.");
        RSA rsa;
        if (StripZeros(exponent) is [1, 0, 1])
        {
            rsa = RSA.Create(bits);
        }
        else
        {
            // The BCL generates only e = 65537; workerd also allows e = 3.
            var generator = new RsaKeyPairGenerator();
            generator.Init(new RsaKeyGenerationParameters(new BigInteger(1, exponent), s_random, bits, 100));
            var k = (RsaPrivateCrtKeyParameters)generator.GenerateKeyPair().Private;
            var size = (bits + 7) / 8;
            var half = (size + 1) / 2;
            rsa = RSA.Create();
            rsa.ImportParameters(new RSAParameters
            {
                Modulus = Pad(k.Modulus.ToByteArrayUnsigned(), size),
                Exponent = k.PublicExponent.ToByteArrayUnsigned(),
                D = Pad(k.Exponent.ToByteArrayUnsigned(), size),
                P = Pad(k.P.ToByteArrayUnsigned(), half),
                Q = Pad(k.Q.ToByteArrayUnsigned(), half),
                DP = Pad(k.DP.ToByteArrayUnsigned(), half),
                DQ = Pad(k.DQ.ToByteArrayUnsigned(), half),
                InverseQ = Pad(k.QInv.ToByteArrayUnsigned(), half),
            });
        }
        var pub = RSA.Create();
        pub.ImportParameters(rsa.ExportParameters(false));
        return (new RsaHostKey(rsa, true), new RsaHostKey(pub, false));
    }

    // ---- sign and verify ----------------------------------------------------------------------

    public static int Sign(HostKey key, int alg, int hash, int saltLength, ReadOnlySpan<byte> data, Span<byte> output)
    {
        if (!key.IsPrivate) throw CryptoError.InvalidAccess("Asymmetric signing requires a private key.");
        switch (alg)
        {
            case AlgRsaPkcs1:
            {
                var rsa = (RsaHostKey)key;
                var hashSize = HashAlgorithms.Size(hash);
                if (hashSize + 32 > rsa.ModulusBytes)
                    throw CryptoError.Operation($"key too small for signing with given digest, need at least {8 * (hashSize + 32)}bits.");
                if (!rsa.Rsa.TrySignData(data, output, HashAlgorithms.Name(hash), RSASignaturePadding.Pkcs1, out var written))
                    throw CryptoError.Operation("RSA operation failed.");
                return written;
            }
            case AlgRsaPss:
            {
                var rsa = (RsaHostKey)key;
                var hashSize = HashAlgorithms.Size(hash);
                CheckPssSalt(rsa, hashSize, saltLength);
                if (saltLength == hashSize)
                {
                    if (!rsa.Rsa.TrySignData(data, output, HashAlgorithms.Name(hash), RSASignaturePadding.Pss, out var written))
                        throw CryptoError.Operation("RSA operation failed.");
                    return written;
                }
                var signer = new PssSigner(new RsaBlindedEngine(), HashAlgorithms.BouncyDigest(hash), HashAlgorithms.BouncyDigest(hash), saltLength);
                signer.Init(true, new ParametersWithRandom(rsa.Bouncy, s_random));
                signer.BlockUpdate(data);
                var signature = signer.GenerateSignature();
                signature.CopyTo(output);
                return signature.Length;
            }
            case AlgEcdsa:
            {
                var ec = (ECDsa)((EcHostKey)key).Key;
                if (!ec.TrySignData(data, output, HashAlgorithms.Name(hash), DSASignatureFormat.IeeeP1363FixedFieldConcatenation, out var written))
                    throw CryptoError.Operation("ECDSA signing failed.");
                return written;
            }
            case AlgEd25519:
            {
                var okp = (OkpHostKey)key;
                // Spans, not arrays: with a byte[] second argument the overload taken is Ed25519ctx's.
                Ed25519.Sign((ReadOnlySpan<byte>)okp.PrivateKey, (ReadOnlySpan<byte>)okp.PublicKey, data, output[..64]);
                return 64;
            }
            default:
                throw CryptoError.NotSupported("The sign operation is not implemented for this algorithm.");
        }
    }

    private static void CheckPssSalt(RsaHostKey rsa, int hashSize, int saltLength)
    {
        if (saltLength < 0) throw CryptoError.BadData($"SaltLength for RSA-PSS must be non-negative (provided {saltLength}).");
        if (hashSize + 2 > rsa.ModulusBytes) throw CryptoError.Operation("key too small for signing with given digest");
        if (saltLength > rsa.ModulusBytes - hashSize - 2) throw CryptoError.Operation("key too small for signing with given digest and salt length");
    }

    public static bool Verify(HostKey key, int alg, int hash, int saltLength, ReadOnlySpan<byte> signature, ReadOnlySpan<byte> data)
    {
        if (key.IsPrivate) throw CryptoError.InvalidAccess("Asymmetric verification requires a public key.");
        switch (alg)
        {
            case AlgRsaPkcs1:
                return ((RsaHostKey)key).Rsa.VerifyData(data, signature, HashAlgorithms.Name(hash), RSASignaturePadding.Pkcs1);
            case AlgRsaPss:
            {
                var rsa = (RsaHostKey)key;
                if (saltLength < 0) throw CryptoError.BadData($"SaltLength for RSA-PSS must be non-negative (provided {saltLength}).");
                if (saltLength == HashAlgorithms.Size(hash))
                    return rsa.Rsa.VerifyData(data, signature, HashAlgorithms.Name(hash), RSASignaturePadding.Pss);
                var verifier = new PssSigner(new RsaEngine(), HashAlgorithms.BouncyDigest(hash), HashAlgorithms.BouncyDigest(hash), saltLength);
                verifier.Init(false, rsa.Bouncy);
                verifier.BlockUpdate(data);
                return verifier.VerifySignature(signature.ToArray());
            }
            case AlgEcdsa:
            {
                var ec = (EcHostKey)key;
                // A signature of the wrong size is simply not valid (workerd does not throw).
                if (signature.Length != 2 * CurveInfo(ec.Curve).Size) return false;
                return ((ECDsa)ec.Key).VerifyData(data, signature, HashAlgorithms.Name(hash), DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            }
            case AlgEd25519:
                if (signature.Length != 64) throw CryptoError.Operation($"Invalid Ed25519 signature length {signature.Length}");
                return Ed25519.Verify(signature, ((OkpHostKey)key).PublicKey, data);
            default:
                throw CryptoError.NotSupported("The verify operation is not implemented for this algorithm.");
        }
    }

    // ---- RSA-OAEP -------------------------------------------------------------------------------

    public static int Oaep(RsaHostKey key, bool encrypt, int hash, ReadOnlySpan<byte> label, ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (encrypt && key.IsPrivate) throw CryptoError.InvalidAccess("Encryption/key wrapping only works with public keys, not \"private\".");
        if (!encrypt && !key.IsPrivate) throw CryptoError.InvalidAccess("Decryption/key unwrapping only works with private keys, not \"public\".");
        // BoringSSL's complaint about a ciphertext of the wrong size, as workerd words it.
        if (!encrypt && input.Length != key.ModulusBytes) throw CryptoError.Operation("RSA-OAEP failed encrypt/decrypt: Invalid RSA signature..");
        var hashSize = HashAlgorithms.Size(hash);
        if (encrypt && key.ModulusBytes < 2 * hashSize + 2) throw CryptoError.Operation("RSA-OAEP failed encrypt/decrypt: RSA key size is too small..");
        try
        {
            if (label.Length == 0)
            {
                var padding = RSAEncryptionPadding.CreateOaep(HashAlgorithms.Name(hash));
                var ok = encrypt ? key.Rsa.TryEncrypt(input, output, padding, out var written) : key.Rsa.TryDecrypt(input, output, padding, out written);
                if (!ok) throw CryptoError.Operation("RSA-OAEP failed encrypt/decrypt.");
                return written;
            }
            // The BCL's OAEP has no label parameter.
            var oaep = new OaepEncoding(new RsaBlindedEngine(), HashAlgorithms.BouncyDigest(hash), HashAlgorithms.BouncyDigest(hash), label.ToArray());
            oaep.Init(encrypt, encrypt ? new ParametersWithRandom(key.Bouncy, s_random) : key.Bouncy);
            var result = oaep.ProcessBlock(input.ToArray(), 0, input.Length);
            result.CopyTo(output);
            return result.Length;
        }
        catch (Exception ex) when (ex is CryptographicException or Org.BouncyCastle.Crypto.CryptoException or Org.BouncyCastle.Crypto.DataLengthException)
        {
            throw CryptoError.Operation("RSA-OAEP failed encrypt/decrypt.");
        }
    }

    // ---- ECDH and X25519 ------------------------------------------------------------------------

    public static int DeriveBits(HostKey key, HostKey peer, Span<byte> output)
    {
        if (!key.IsPrivate) throw CryptoError.InvalidAccess("The deriveBits operation is only valid for a private key, not \"public\".");
        if (peer.IsPrivate) throw CryptoError.InvalidAccess("The provided key has type \"private\", not \"public\"");
        switch (key, peer)
        {
            case (EcHostKey { Key: ECDiffieHellman mine } ec, EcHostKey { Key: ECDiffieHellman theirs } other):
            {
                if (ec.Curve != other.Curve)
                    throw CryptoError.InvalidAccess($"Private key for derivation is using curve \"{CurveInfo(ec.Curve).Name}\" while public key is using \"{CurveInfo(other.Curve).Name}\".");
                using var theirPublic = theirs.PublicKey;
                var secret = mine.DeriveRawSecretAgreement(theirPublic);
                secret.CopyTo(output);
                CryptographicOperations.ZeroMemory(secret);
                return secret.Length;
            }
            case (OkpHostKey { X25519: true } mine, OkpHostKey { X25519: true } theirs):
                // BoringSSL refuses the all-zero result of a small-order peer point; so does workerd.
                if (!X25519.CalculateAgreement(mine.PrivateKey, theirs.PublicKey, output[..32]))
                    throw CryptoError.Operation("Failed to derive EDDH key: public key routines INVALID_PEER_KEY.");
                return 32;
            default:
                throw CryptoError.InvalidAccess("The keys cannot be used together to derive bits.");
        }
    }

    // ---- helpers --------------------------------------------------------------------------------

    internal static RsaKeyParameters ToBouncy(RSAParameters p, bool isPrivate)
    {
        static BigInteger B(byte[]? x) => new(1, x!);
        return isPrivate
            ? new RsaPrivateCrtKeyParameters(B(p.Modulus), B(p.Exponent), B(p.D), B(p.P), B(p.Q), B(p.DP), B(p.DQ), B(p.InverseQ))
            : new RsaKeyParameters(false, B(p.Modulus), B(p.Exponent));
    }

    private static byte[] StripZeros(byte[] value)
    {
        var i = 0;
        while (i < value.Length && value[i] == 0) i++;
        return i == 0 ? value : value[i..];
    }

    /// <summary>A big-endian integer left-padded to <paramref name="size"/> bytes; fails if it does not fit.</summary>
    private static byte[] Pad(byte[] value, int size)
    {
        value = StripZeros(value);
        if (value.Length > size) throw CryptoError.BadData("Integer too large.");
        if (value.Length == size) return value;
        var padded = new byte[size];
        value.CopyTo(padded, size - value.Length);
        return padded;
    }

    /// <summary>Components as [u16 length][bytes]…; 0xFFFF marks one that is absent. Integers lose their leading zeros.</summary>
    private static byte[] Pack(params byte[]?[] parts) => PackRaw(parts.Select(p => p is null ? null : StripZeros(p)).ToArray());

    private static byte[] PackRaw(params byte[]?[] parts)
    {
        var total = parts.Sum(p => 2 + (p?.Length ?? 0));
        var packed = new byte[total];
        var offset = 0;
        foreach (var p in parts)
        {
            BinaryPrimitives.WriteUInt16BigEndian(packed.AsSpan(offset), (ushort)(p?.Length ?? 0xFFFF));
            offset += 2;
            if (p is null) continue;
            p.CopyTo(packed, offset);
            offset += p.Length;
        }
        return packed;
    }

    private static byte[]?[] Unpack(ReadOnlySpan<byte> packed, int count)
    {
        var parts = new byte[]?[count];
        var offset = 0;
        for (var i = 0; i < count && offset + 2 <= packed.Length; i++)
        {
            var length = BinaryPrimitives.ReadUInt16BigEndian(packed[offset..]);
            offset += 2;
            if (length == 0xFFFF) continue;
            if (offset + length > packed.Length) throw CryptoError.BadData("Invalid JSON Web Key.");
            parts[i] = packed.Slice(offset, length).ToArray();
            offset += length;
        }
        return parts;
    }
}
