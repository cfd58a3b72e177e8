using System.Formats.Asn1;
using System.Security.Cryptography;

namespace Flint.JavaScript.Node;

/// <summary>
/// PKCS#5 PBES2 (RFC 8018) for encrypted PKCS#8 keys, as OpenSSL 3 writes them: PBKDF2 with
/// HMAC-SHA256, 2,048 iterations, a 16-byte salt, then AES-CBC or DES-EDE3-CBC. The structure is
/// written and read with System.Formats.Asn1; PBKDF2 and the ciphers are .NET's. (BouncyCastle's
/// PBES2 knows no DES-EDE3-CBC, which workerd accepts.)
/// </summary>
internal static class Pbes2
{
    private const string Pbes2Oid = "1.2.840.113549.1.5.13";
    private const string Pbkdf2Oid = "1.2.840.113549.1.5.12";
    private const int Iterations = 2048;

    // Node's cipher name -> (OID, key bytes, block bytes)
    public static readonly Dictionary<string, (string Oid, int KeySize, int BlockSize)> Ciphers = new(StringComparer.OrdinalIgnoreCase)
    {
        ["aes-128-cbc"] = ("2.16.840.1.101.3.4.1.2", 16, 16),
        ["aes-192-cbc"] = ("2.16.840.1.101.3.4.1.22", 24, 16),
        ["aes-256-cbc"] = ("2.16.840.1.101.3.4.1.42", 32, 16),
        ["des-ede3-cbc"] = ("1.2.840.113549.3.7", 24, 8),
    };

    // PBKDF2's PRF OIDs (hmacWithSHA1 is the default when absent).
    private static readonly Dictionary<string, HashAlgorithmName> Prfs = new()
    {
        ["1.2.840.113549.2.7"] = HashAlgorithmName.SHA1,
        ["1.2.840.113549.2.9"] = HashAlgorithmName.SHA256,
        ["1.2.840.113549.2.10"] = HashAlgorithmName.SHA384,
        ["1.2.840.113549.2.11"] = HashAlgorithmName.SHA512,
    };

    public static byte[] Encrypt(byte[] privateKeyInfo, string cipher, byte[] passphrase)
    {
        var (oid, keySize, blockSize) = Ciphers[cipher];
        var salt = RandomNumberGenerator.GetBytes(16);
        var iv = RandomNumberGenerator.GetBytes(blockSize);
        var key = Rfc2898DeriveBytes.Pbkdf2(passphrase, salt, Iterations, HashAlgorithmName.SHA256, keySize);
        using var algorithm = Create(oid, key);
        var encrypted = algorithm.EncryptCbc(privateKeyInfo, iv);

        var w = new AsnWriter(AsnEncodingRules.DER);
        using (w.PushSequence())
        {
            using (w.PushSequence())
            {
                w.WriteObjectIdentifier(Pbes2Oid);
                using (w.PushSequence())
                {
                    using (w.PushSequence())
                    {
                        w.WriteObjectIdentifier(Pbkdf2Oid);
                        using (w.PushSequence())
                        {
                            w.WriteOctetString(salt);
                            w.WriteInteger(Iterations);
                            using (w.PushSequence()) { w.WriteObjectIdentifier("1.2.840.113549.2.9"); w.WriteNull(); }
                        }
                    }
                    using (w.PushSequence()) { w.WriteObjectIdentifier(oid); w.WriteOctetString(iv); }
                }
            }
            w.WriteOctetString(encrypted);
        }
        return w.Encode();
    }

    /// <summary>The PrivateKeyInfo inside a PBES2 / PBKDF2 EncryptedPrivateKeyInfo, or null for another scheme.</summary>
    public static byte[]? TryDecrypt(byte[] der, byte[] passphrase)
    {
        try
        {
            var outer = new AsnReader(der, AsnEncodingRules.BER).ReadSequence();
            var algorithm = outer.ReadSequence();
            if (algorithm.ReadObjectIdentifier() != Pbes2Oid) return null;
            var parameters = algorithm.ReadSequence();
            var kdf = parameters.ReadSequence();
            if (kdf.ReadObjectIdentifier() != Pbkdf2Oid) return null;
            var kdfParameters = kdf.ReadSequence();
            var salt = kdfParameters.ReadOctetString();
            var iterations = (int)kdfParameters.ReadInteger();
            int? keyLength = null;
            if (kdfParameters.HasData && kdfParameters.PeekTag() == Asn1Tag.Integer) keyLength = (int)kdfParameters.ReadInteger();
            var prf = HashAlgorithmName.SHA1;
            if (kdfParameters.HasData)
            {
                var prfId = kdfParameters.ReadSequence().ReadObjectIdentifier();
                if (!Prfs.TryGetValue(prfId, out prf)) return null;
            }
            var scheme = parameters.ReadSequence();
            var cipherOid = scheme.ReadObjectIdentifier();
            var iv = scheme.ReadOctetString();
            var known = Ciphers.Values.Where(c => c.Oid == cipherOid).ToList();
            if (known.Count == 0) return null;
            var encrypted = outer.ReadOctetString();
            var key = Rfc2898DeriveBytes.Pbkdf2(passphrase, salt, iterations, prf, keyLength ?? known[0].KeySize);
            using var cipher = Create(cipherOid, key);
            return cipher.DecryptCbc(encrypted, iv);
        }
        catch (Exception ex) when (ex is AsnContentException or CryptographicException or OverflowException or InvalidOperationException)
        {
            throw EncryptedKeys.ParseFailed();
        }
    }

    private static SymmetricAlgorithm Create(string oid, byte[] key)
    {
        SymmetricAlgorithm algorithm = oid == "1.2.840.113549.3.7" ? TripleDES.Create() : Aes.Create();
        algorithm.Key = key;
        return algorithm;
    }
}
