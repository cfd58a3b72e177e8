using System.Text;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.OpenSsl;
using Org.BouncyCastle.Security;

namespace Flint.JavaScript.Node;

/// <summary>
/// Passphrase-protected private keys as node:crypto reads and writes them: encrypted PKCS#8
/// (PBES2 with PBKDF2-HMAC-SHA256, 2,048 iterations and a 16-byte salt, OpenSSL 3's defaults) in PEM
/// or DER (<see cref="Pbes2"/>), and OpenSSL's legacy PEM encryption of PKCS#1 / SEC1 keys (Proc-Type /
/// DEK-Info, through BouncyCastle's OpenSSL PEM code). Every failure to decrypt is workerd's
/// "Failed to parse private key".
/// </summary>
internal static class EncryptedKeys
{
    private static readonly SecureRandom Random = new();

    // The ciphers OpenSSL's legacy PEM encryption takes (DEK-Info names).
    private static readonly HashSet<string> LegacyCiphers = new(StringComparer.OrdinalIgnoreCase)
    {
        "aes-128-cbc", "aes-192-cbc", "aes-256-cbc", "des-ede3-cbc", "des-cbc",
    };

    public static NodeCryptoException ParseFailed() => new("", "Failed to parse private key");

    /// <summary>Runs an import of an encrypted key; a wrong passphrase or broken structure is workerd's parse error.</summary>
    public static void Decrypting(Action import)
    {
        try { import(); }
        catch (NodeCryptoException) { throw; }
        catch (Exception ex) when (ex is CryptoException or IOException or ArgumentException or InvalidCastException or InvalidOperationException
            or FormatException or SecurityUtilityException or PemException or Org.BouncyCastle.Security.InvalidKeyException)
        {
            throw ParseFailed();
        }
    }

    /// <summary>EncryptedPrivateKeyInfo is SEQUENCE { AlgorithmIdentifier, OCTET STRING }; PrivateKeyInfo starts with an INTEGER.</summary>
    public static bool IsEncryptedPkcs8(byte[] der)
    {
        try { return Asn1Sequence.GetInstance(der) is { Count: 2 } seq && seq[0] is Asn1Sequence && seq[1] is Asn1OctetString; }
        catch (Exception ex) when (ex is ArgumentException or IOException or InvalidCastException) { return false; }
    }

    /// <summary>A PKCS#1 or SEC1 PEM with Proc-Type: 4,ENCRYPTED, decrypted with the passphrase.</summary>
    public static AsymmetricKeyParameter ReadLegacyPem(string pem, byte[] passphrase)
    {
        using var reader = new StringReader(pem);
        var read = new PemReader(reader, new Passphrase(ByteChars(passphrase))).ReadObject();
        return read switch
        {
            AsymmetricCipherKeyPair pair => pair.Private,
            AsymmetricKeyParameter { IsPrivate: true } key => key,
            _ => throw ParseFailed(),
        };
    }

    /// <summary>keyObject.export({ type, format, cipher, passphrase }) of a private key given as PKCS#8 DER.</summary>
    public static byte[] Export(byte[] pkcs8, string format, string type, string cipher, byte[] passphrase)
    {
        if (type == "pkcs8")
        {
            if (!Pbes2.Ciphers.ContainsKey(cipher)) throw new NodeCryptoException("", "Failed to export key");
            var der = Pbes2.Encrypt(pkcs8, cipher, passphrase);
            return format == "der" ? der : Encoding.ASCII.GetBytes(System.Security.Cryptography.PemEncoding.WriteString("ENCRYPTED PRIVATE KEY", der) + "\n");
        }
        // pkcs1 (RSA) or sec1 (EC), PEM only: OpenSSL's Proc-Type / DEK-Info encryption.
        if (!LegacyCiphers.Contains(cipher)) throw new NodeCryptoException("", "Failed to export key");
        var key = PrivateKeyFactory.CreateKey(pkcs8);
        if ((type == "pkcs1") != key is Org.BouncyCastle.Crypto.Parameters.RsaKeyParameters
            || (type == "sec1") != key is Org.BouncyCastle.Crypto.Parameters.ECPrivateKeyParameters)
            throw new NodeCryptoException("ERR_CRYPTO_INCOMPATIBLE_KEY_OPTIONS", $"The selected key encoding {type} can only be used for {(type == "pkcs1" ? "RSA" : "EC")} keys.");
        var generated = new MiscPemGenerator(key, cipher.ToUpperInvariant(), ByteChars(passphrase), Random).Generate();
        using var text = new StringWriter();
        var writer = new Org.BouncyCastle.Utilities.IO.Pem.PemWriter(text);
        writer.WriteObject(generated);
        writer.Writer.Flush();
        return Encoding.ASCII.GetBytes(text.ToString().Replace("\r\n", "\n", StringComparison.Ordinal));
    }

    /// <summary>An EncryptedPrivateKeyInfo's PrivateKeyInfo: PBES2 with PBKDF2 here, other schemes through BouncyCastle.</summary>
    public static AsymmetricKeyParameter Decrypt(byte[] der, byte[] passphrase) =>
        Pbes2.TryDecrypt(der, passphrase) is { } info ? PrivateKeyFactory.CreateKey(info) : PrivateKeyFactory.DecryptKey(Chars(passphrase), der);

    private static char[] Chars(byte[] passphrase) => Encoding.UTF8.GetString(passphrase).ToCharArray();

    // OpenSSL's legacy PEM key derivation (EVP_BytesToKey) takes the passphrase's bytes; BouncyCastle takes each
    // char's low byte, so one char per byte keeps a UTF-8 passphrase exact.
    private static char[] ByteChars(byte[] passphrase) => Encoding.Latin1.GetString(passphrase).ToCharArray();

    private sealed class Passphrase(char[] value) : IPasswordFinder
    {
        public char[] GetPassword() => (char[])value.Clone();
    }
}
