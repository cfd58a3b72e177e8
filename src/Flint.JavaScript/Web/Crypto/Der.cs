using System.Formats.Asn1;

namespace Flint.JavaScript.Web.Crypto;

/// <summary>
/// Just enough DER to tell which kind of key an SPKI or PKCS#8 blob holds, and to read and write
/// the Ed25519/X25519 forms (RFC 8410) the BCL has no type for.
/// </summary>
internal static class Der
{
    public const string RsaEncryption = "1.2.840.113549.1.1.1";
    public const string EcPublicKey = "1.2.840.10045.2.1";
    public const string Ed25519 = "1.3.101.112";
    public const string X25519 = "1.3.101.110";

    /// <summary>
    /// The algorithm OID (and for EC keys the curve OID) of an SPKI or PKCS#8 structure, and its
    /// encoded length. Like BoringSSL's d2i_AutoPrivateKey, which workerd's "pkcs8" import uses, a
    /// private key may also be a bare PKCS#1 RSAPrivateKey or SEC 1 ECPrivateKey ("traditional").
    /// </summary>
    public static (string Algorithm, string? Curve, int Length, bool Traditional) ReadAlgorithm(ReadOnlySpan<byte> der, bool pkcs8)
    {
        var what = pkcs8 ? "PKCS8" : "SPKI";
        try
        {
            if (!AsnDecoder.TryReadEncodedValue(der, AsnEncodingRules.DER, out var tag, out _, out _, out var consumed) || tag != Asn1Tag.Sequence)
                throw CryptoError.BadData($"Invalid {what} input.");
            var outer = new AsnReader(der[..consumed].ToArray(), AsnEncodingRules.DER).ReadSequence();
            if (pkcs8)
            {
                var version = outer.ReadInteger();
                var next = outer.PeekTag();
                if (version.IsZero && next == Asn1Tag.Integer) return (RsaEncryption, null, consumed, true);
                if (version.IsOne && next == Asn1Tag.PrimitiveOctetString)
                {
                    outer.ReadOctetString();
                    var parameters = new Asn1Tag(TagClass.ContextSpecific, 0, true);
                    if (!outer.HasData || outer.PeekTag() != parameters) throw CryptoError.BadData($"Invalid {what} input.");
                    return (EcPublicKey, outer.ReadSequence(parameters).ReadObjectIdentifier(), consumed, true);
                }
            }
            var algorithm = outer.ReadSequence();
            var oid = algorithm.ReadObjectIdentifier();
            string? curve = null;
            if (oid == EcPublicKey && algorithm.HasData && algorithm.PeekTag() == Asn1Tag.ObjectIdentifier) curve = algorithm.ReadObjectIdentifier();
            return (oid, curve, consumed, false);
        }
        catch (AsnContentException)
        {
            throw CryptoError.BadData($"Invalid {what} input.");
        }
    }

    public static void RequireNoTrailing(ReadOnlySpan<byte> der, int length, bool pkcs8)
    {
        if (length != der.Length) throw CryptoError.BadData($"Invalid {der.Length - length} trailing bytes after {(pkcs8 ? "PKCS8" : "SPKI")} input.");
    }

    /// <summary>The 32-byte key of an RFC 8410 SPKI.</summary>
    public static byte[] ReadOkpPublic(ReadOnlySpan<byte> der)
    {
        try
        {
            var spki = new AsnReader(der.ToArray(), AsnEncodingRules.DER).ReadSequence();
            spki.ReadSequence();
            var key = spki.ReadBitString(out var unused);
            if (unused != 0 || spki.HasData) throw CryptoError.BadData("Invalid SPKI input.");
            return key;
        }
        catch (AsnContentException)
        {
            throw CryptoError.BadData("Invalid SPKI input.");
        }
    }

    /// <summary>The 32-byte private key of an RFC 8410 PKCS#8 (its CurvePrivateKey OCTET STRING).</summary>
    public static byte[] ReadOkpPrivate(ReadOnlySpan<byte> der)
    {
        try
        {
            var info = new AsnReader(der.ToArray(), AsnEncodingRules.DER).ReadSequence();
            info.ReadInteger();
            info.ReadSequence();
            var inner = info.ReadOctetString();
            return new AsnReader(inner, AsnEncodingRules.DER).ReadOctetString();
        }
        catch (AsnContentException)
        {
            throw CryptoError.BadData("Invalid PKCS8 input.");
        }
    }

    public static byte[] WriteOkpPublic(string oid, ReadOnlySpan<byte> key)
    {
        var w = new AsnWriter(AsnEncodingRules.DER);
        using (w.PushSequence())
        {
            using (w.PushSequence()) w.WriteObjectIdentifier(oid);
            w.WriteBitString(key);
        }
        return w.Encode();
    }

    /// <summary>PKCS#8 v1 without the optional public key, as BoringSSL writes it.</summary>
    public static byte[] WriteOkpPrivate(string oid, ReadOnlySpan<byte> key)
    {
        var inner = new AsnWriter(AsnEncodingRules.DER);
        inner.WriteOctetString(key);
        var w = new AsnWriter(AsnEncodingRules.DER);
        using (w.PushSequence())
        {
            w.WriteInteger(0);
            using (w.PushSequence()) w.WriteObjectIdentifier(oid);
            w.WriteOctetString(inner.Encode());
        }
        return w.Encode();
    }
}
