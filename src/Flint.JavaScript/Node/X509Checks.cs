using System.Net;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Security;

namespace Flint.JavaScript.Node;

/// <summary>
/// X509Certificate's checks that need the certificate's structure: verify(publicKey) (the signature,
/// with BouncyCastle), checkIssued(other) (as OpenSSL's X509_check_issued: names, key identifiers,
/// key usage; no signature), and the subject alternative names in order.
/// </summary>
internal static class X509Checks
{
    public static bool Verify(byte[] certificate, byte[] spki)
    {
        var cert = new Org.BouncyCastle.X509.X509CertificateParser().ReadCertificate(certificate);
        try { return cert.IsSignatureValid(PublicKeyFactory.CreateKey(spki)); }
        catch (Exception ex) when (ex is InvalidKeyException or SecurityUtilityException or Org.BouncyCastle.Crypto.CryptoException or InvalidCastException or ArgumentException)
        {
            return false; // a key of another type verifies nothing
        }
    }

    /// <summary>Whether <paramref name="issuer"/> issued <paramref name="subject"/>.</summary>
    public static bool CheckIssued(byte[] subject, byte[] issuer)
    {
        using var child = X509CertificateLoader.LoadCertificate(subject);
        using var parent = X509CertificateLoader.LoadCertificate(issuer);
        if (!child.IssuerName.RawData.AsSpan().SequenceEqual(parent.SubjectName.RawData)) return false;
        var authorityKey = child.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().FirstOrDefault();
        var subjectKey = parent.Extensions.OfType<X509SubjectKeyIdentifierExtension>().FirstOrDefault();
        if (authorityKey?.KeyIdentifier is { } akid && subjectKey is not null
            && !akid.Span.SequenceEqual(subjectKey.SubjectKeyIdentifierBytes.Span)) return false;
        var usage = parent.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault();
        return usage is null || usage.KeyUsages.HasFlag(X509KeyUsageFlags.KeyCertSign);
    }

    /// <summary>The subject alternative names as (kind, value), in the certificate's order.</summary>
    public static IReadOnlyList<(string Kind, string Value)> AltNames(X509Certificate2 cert)
    {
        var extension = cert.Extensions["2.5.29.17"];
        if (extension is null) return [];
        var names = new List<(string, string)>();
        foreach (var name in GeneralNames.GetInstance(Asn1Object.FromByteArray(extension.RawData)).GetNames())
        {
            switch (name.TagNo)
            {
                case GeneralName.DnsName: names.Add(("DNS", ((IAsn1String)name.Name).GetString())); break;
                case GeneralName.Rfc822Name: names.Add(("email", ((IAsn1String)name.Name).GetString())); break;
                case GeneralName.UniformResourceIdentifier: names.Add(("URI", ((IAsn1String)name.Name).GetString())); break;
                case GeneralName.IPAddress: names.Add(("IP Address", new IPAddress(Asn1OctetString.GetInstance(name.Name).GetOctets()).ToString())); break;
            }
        }
        return names;
    }
}
