using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Flint.JavaScript.Web.Crypto;

/// <summary>HKDF and PBKDF2 with workerd's limits and messages.</summary>
internal static class Kdf
{
    public static void Hkdf(int hash, ReadOnlySpan<byte> key, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> info, Span<byte> output)
    {
        if (output.Length == 0) return;
        if (output.Length > 255 * HashAlgorithms.Size(hash)) throw CryptoError.Operation("HKDF deriveBits failed.");
        HKDF.DeriveKey(HashAlgorithms.Name(hash), key, output, salt, info);
    }

    /// <summary>Checks what PBKDF2 can be asked, before the work goes to another thread.</summary>
    public static void CheckPbkdf2(int hash, int lengthBytes)
    {
        if (lengthBytes > 255 * HashAlgorithms.Size(hash))
            throw CryptoError.Operation("Pbkdf2 failed: derived key length exceeds maximum for this hash");
    }

    public static byte[] Pbkdf2(int hash, byte[] password, byte[] salt, int iterations, int lengthBytes)
    {
        var output = new byte[lengthBytes];
        if (lengthBytes == 0) return output;
        if (hash != HashAlgorithms.Md5)
        {
            Rfc2898DeriveBytes.Pbkdf2(password, salt, output, iterations, HashAlgorithms.Name(hash));
            return output;
        }
        // The BCL's PBKDF2 refuses MD5, which workerd allows: RFC 8018 section 5.2 over HMAC-MD5.
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.MD5, password);
        Span<byte> u = stackalloc byte[16], t = stackalloc byte[16], index = stackalloc byte[4];
        for (int block = 1, offset = 0; offset < lengthBytes; block++, offset += 16)
        {
            BinaryPrimitives.WriteInt32BigEndian(index, block);
            hmac.AppendData(salt);
            hmac.AppendData(index);
            hmac.GetHashAndReset(u);
            u.CopyTo(t);
            for (var i = 1; i < iterations; i++)
            {
                hmac.AppendData(u);
                hmac.GetHashAndReset(u);
                for (var k = 0; k < 16; k++) t[k] ^= u[k];
            }
            t[..Math.Min(16, lengthBytes - offset)].CopyTo(output.AsSpan(offset));
        }
        return output;
    }
}
