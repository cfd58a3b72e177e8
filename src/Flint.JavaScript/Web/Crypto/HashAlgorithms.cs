using System.Security.Cryptography;

namespace Flint.JavaScript.Web.Crypto;

/// <summary>The digests Web Crypto names, by the small ids the JavaScript passes (see 70_crypto.js HASHES).</summary>
internal static class HashAlgorithms
{
    public const int Sha1 = 1, Sha256 = 2, Sha384 = 3, Sha512 = 4, Md5 = 5;

    public static HashAlgorithmName Name(int id) => id switch
    {
        Sha1 => HashAlgorithmName.SHA1,
        Sha256 => HashAlgorithmName.SHA256,
        Sha384 => HashAlgorithmName.SHA384,
        Sha512 => HashAlgorithmName.SHA512,
        Md5 => HashAlgorithmName.MD5,
        _ => throw CryptoError.NotSupported("Unrecognized or unimplemented digest algorithm requested."),
    };

    public static int Size(int id) => id switch
    {
        Sha1 => 20,
        Sha256 => 32,
        Sha384 => 48,
        Sha512 => 64,
        Md5 => 16,
        _ => throw CryptoError.NotSupported("Unrecognized or unimplemented digest algorithm requested."),
    };

    public static void Digest(int id, ReadOnlySpan<byte> data, Span<byte> output)
    {
        switch (id)
        {
            case Sha1: SHA1.HashData(data, output); break;
            case Sha256: SHA256.HashData(data, output); break;
            case Sha384: SHA384.HashData(data, output); break;
            case Sha512: SHA512.HashData(data, output); break;
            case Md5: MD5.HashData(data, output); break;
            default: throw CryptoError.NotSupported("Unrecognized or unimplemented digest algorithm requested.");
        }
    }

    public static void Hmac(int id, ReadOnlySpan<byte> key, ReadOnlySpan<byte> data, Span<byte> output)
    {
        switch (id)
        {
            case Sha1: HMACSHA1.HashData(key, data, output); break;
            case Sha256: HMACSHA256.HashData(key, data, output); break;
            case Sha384: HMACSHA384.HashData(key, data, output); break;
            case Sha512: HMACSHA512.HashData(key, data, output); break;
            case Md5: HMACMD5.HashData(key, data, output); break;
            default: throw CryptoError.NotSupported("Unrecognized or unimplemented digest algorithm requested.");
        }
    }

    /// <summary>The BouncyCastle digest of the same name, for the few operations the BCL cannot parameterize.</summary>
    public static Org.BouncyCastle.Crypto.IDigest BouncyDigest(int id) => id switch
    {
        Sha1 => new Org.BouncyCastle.Crypto.Digests.Sha1Digest(),
        Sha256 => new Org.BouncyCastle.Crypto.Digests.Sha256Digest(),
        Sha384 => new Org.BouncyCastle.Crypto.Digests.Sha384Digest(),
        Sha512 => new Org.BouncyCastle.Crypto.Digests.Sha512Digest(),
        Md5 => new Org.BouncyCastle.Crypto.Digests.MD5Digest(),
        _ => throw CryptoError.NotSupported("Unrecognized or unimplemented digest algorithm requested."),
    };
}
