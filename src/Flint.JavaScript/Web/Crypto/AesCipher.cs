using System.Buffers.Binary;
using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;

namespace Flint.JavaScript.Web.Crypto;

/// <summary>AES-GCM, AES-CBC, AES-CTR and AES-KW over raw key bytes, with workerd's error messages.</summary>
internal static class AesCipher
{
    public const int Gcm = 1, Cbc = 2, Ctr = 3, Kw = 4;

    private const string DecryptFailed = "Decryption failed. This could be due to a ciphertext authentication failure, bad padding, " +
        "incorrect CryptoKey, or another algorithm-specific reason. Input length was {0}, output length expected to be {1} for {2}";

    private static Aes CreateAes(ReadOnlySpan<byte> key)
    {
        var aes = Aes.Create();
        aes.SetKey(key);
        return aes;
    }

    // ---- GCM --------------------------------------------------------------------------------

    /// <summary>Encrypts into ciphertext‖tag, or decrypts ciphertext‖tag; returns the bytes written.</summary>
    public static int GcmCrypt(bool encrypt, ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad,
        int tagBits, ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (iv.Length == 0) throw CryptoError.Operation("AES-GCM IV must not be empty.");
        if (tagBits is not (32 or 64 or 96 or 104 or 112 or 120 or 128)) throw CryptoError.Operation($"Invalid AES-GCM tag length {tagBits}.");
        var tagBytes = tagBits / 8;
        if (encrypt)
        {
            if ((ulong)input.Length > (1UL << 39) - 256)
                throw CryptoError.Operation($"AES-GCM can only encrypt up to 2^39 - 256 bytes of plaintext at a time, but requested {input.Length} bytes.");
        }
        else if (input.Length < tagBytes)
        {
            throw CryptoError.Operation($"Ciphertext length of {input.Length * 8} bits must be greater than or equal to the size of the AES-GCM tag length of {tagBits} bits.");
        }

        // The BCL's AesGcm takes only 96-bit nonces and tags of 96 bits or more; the rest of what
        // Web Crypto allows goes through BouncyCastle.
        if (iv.Length == 12 && tagBytes >= 12)
        {
            using var gcm = new AesGcm(key, tagBytes);
            if (encrypt)
            {
                gcm.Encrypt(iv, input, output[..input.Length], output.Slice(input.Length, tagBytes), aad);
                return input.Length + tagBytes;
            }
            var textLength = input.Length - tagBytes;
            try
            {
                gcm.Decrypt(iv, input[..textLength], input[textLength..], output[..textLength], aad);
            }
            catch (AuthenticationTagMismatchException)
            {
                output[..textLength].Clear();
                throw CryptoError.Operation(string.Format(DecryptFailed, textLength, textLength, "AES-GCM"));
            }
            return textLength;
        }

        var cipher = new GcmBlockCipher(new AesEngine());
        cipher.Init(encrypt, new AeadParameters(new KeyParameter(key), tagBits, iv.ToArray(), aad.ToArray()));
        try
        {
            var n = cipher.ProcessBytes(input, output);
            return n + cipher.DoFinal(output[n..]);
        }
        catch (Org.BouncyCastle.Crypto.InvalidCipherTextException)
        {
            var textLength = input.Length - tagBytes;
            output[..Math.Min(output.Length, input.Length)].Clear();
            throw CryptoError.Operation(string.Format(DecryptFailed, textLength, textLength, "AES-GCM"));
        }
    }

    // ---- CBC --------------------------------------------------------------------------------

    public static int CbcCrypt(bool encrypt, ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (iv.Length != 16)
            throw CryptoError.Operation(encrypt
                ? $"AES-CBC IV must be 16 bytes long (provided {iv.Length} bytes)."
                : $"AES-CBC IV must be 16 bytes long (provided {iv.Length}).");
        using var aes = CreateAes(key);
        if (encrypt) return aes.EncryptCbc(input, iv, output, PaddingMode.PKCS7);
        try
        {
            return aes.DecryptCbc(input, iv, output, PaddingMode.PKCS7);
        }
        catch (CryptographicException)
        {
            // OpenSSL holds back the last whole block until the padding is checked; workerd reports
            // how much it had decrypted by then.
            var rest = input.Length % 16;
            var decrypted = Math.Max(0, input.Length - (rest == 0 ? 16 : rest));
            throw CryptoError.Operation(string.Format(DecryptFailed, input.Length, decrypted, "AES-CBC"));
        }
    }

    // ---- CTR --------------------------------------------------------------------------------

    /// <summary>AES-CTR where only the rightmost <paramref name="counterBits"/> bits of the block count (and wrap).</summary>
    public static int CtrCrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> counter, int counterBits, ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (counter.Length != 16) throw CryptoError.Operation($"Counter must have length of 16 bytes (provided {counter.Length}).");
        if (counterBits is <= 0 or > 128) throw CryptoError.Operation($"Invalid counter of {counterBits} bits length provided.");
        var blocks = ((long)input.Length + 15) / 16;
        if (counterBits < 63 && blocks > 1L << counterBits) throw CryptoError.Operation("Counter block values will repeat.");

        using var aes = CreateAes(key);
        const int ChunkBlocks = 256;
        Span<byte> block = stackalloc byte[16];
        counter.CopyTo(block);
        var counters = new byte[Math.Min(blocks, ChunkBlocks) * 16];
        var stream = new byte[counters.Length];
        var done = 0;
        while (done < input.Length)
        {
            var chunk = Math.Min(counters.Length, (input.Length - done + 15) / 16 * 16);
            for (var o = 0; o < chunk; o += 16)
            {
                block.CopyTo(counters.AsSpan(o));
                Increment(block, counterBits);
            }
            aes.EncryptEcb(counters.AsSpan(0, chunk), stream, PaddingMode.None);
            var n = Math.Min(chunk, input.Length - done);
            for (var i = 0; i < n; i++) output[done + i] = (byte)(input[done + i] ^ stream[i]);
            done += n;
        }
        return input.Length;
    }

    /// <summary>Adds one to the low <paramref name="bits"/> bits of a big-endian block, leaving the rest as it is.</summary>
    private static void Increment(Span<byte> block, int bits)
    {
        for (var i = 15; i >= 0 && bits > 0; i--, bits -= 8)
        {
            if (bits >= 8)
            {
                if (++block[i] != 0) return;
                continue;
            }
            var mask = (byte)((1 << bits) - 1);
            block[i] = (byte)((block[i] & ~mask) | ((block[i] + 1) & mask));
            return;
        }
    }

    // ---- KW (RFC 3394) ------------------------------------------------------------------------

    private const ulong KwIv = 0xA6A6A6A6A6A6A6A6UL;

    public static int Wrap(ReadOnlySpan<byte> key, ReadOnlySpan<byte> plain, Span<byte> output)
    {
        if (plain.Length % 8 != 0)
            throw CryptoError.Operation($"Unwrapped key bit length must be a multiple of 64 bits but unwrapped key has a length of {plain.Length * 8} bits.");
        if (plain.Length < 16)
            throw CryptoError.Operation($"Unwrapped key has length {plain.Length} bytes but it should be greater than or equal to 16 and less than or equal to {ulong.MaxValue - 8}");
        using var aes = CreateAes(key);
        var n = plain.Length / 8;
        var r = output.Slice(8, plain.Length);
        plain.CopyTo(r);
        var a = KwIv;
        Span<byte> b = stackalloc byte[16];
        for (var j = 0; j < 6; j++)
        {
            for (var i = 1; i <= n; i++)
            {
                BinaryPrimitives.WriteUInt64BigEndian(b, a);
                r.Slice((i - 1) * 8, 8).CopyTo(b[8..]);
                aes.EncryptEcb(b, b, PaddingMode.None);
                a = BinaryPrimitives.ReadUInt64BigEndian(b) ^ (ulong)(n * j + i);
                b[8..].CopyTo(r.Slice((i - 1) * 8, 8));
            }
        }
        BinaryPrimitives.WriteUInt64BigEndian(output, a);
        return plain.Length + 8;
    }

    public static int Unwrap(ReadOnlySpan<byte> key, ReadOnlySpan<byte> wrapped, Span<byte> output)
    {
        if (wrapped.Length % 8 != 0)
            throw CryptoError.Operation($"Provided a wrapped key to unwrap that is {wrapped.Length * 8} bits which isn't a multiple of 64 bits.");
        if (wrapped.Length < 24)
            throw CryptoError.Operation($"Provided a wrapped key to unwrap this is {wrapped.Length * 8} bits that is less than the minimal length of 192 bits.");
        using var aes = CreateAes(key);
        var n = wrapped.Length / 8 - 1;
        var r = output[..(n * 8)];
        wrapped[8..].CopyTo(r);
        var a = BinaryPrimitives.ReadUInt64BigEndian(wrapped);
        Span<byte> b = stackalloc byte[16];
        for (var j = 5; j >= 0; j--)
        {
            for (var i = n; i >= 1; i--)
            {
                BinaryPrimitives.WriteUInt64BigEndian(b, a ^ (ulong)(n * j + i));
                r.Slice((i - 1) * 8, 8).CopyTo(b[8..]);
                aes.DecryptEcb(b, b, PaddingMode.None);
                a = BinaryPrimitives.ReadUInt64BigEndian(b);
                b[8..].CopyTo(r.Slice((i - 1) * 8, 8));
            }
        }
        if (a != KwIv)
        {
            r.Clear();
            throw CryptoError.Operation("AES-KW key unwrapping failed.");
        }
        return n * 8;
    }
}
