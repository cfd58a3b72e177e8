using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Flint.JavaScript.Web.Network;

/// <summary>
/// How a Worker's outbound TLS (fetch over https, <c>connect()</c> with TLS) trusts a server: the
/// system's roots, plus the PEM certificates named by <c>NODE_EXTRA_CA_CERTS</c>, the variable
/// wrangler dev (and Node) read for the same purpose, so a local service with its own CA works in
/// both. Host names are always checked.
/// </summary>
public static class TlsTrust
{
    private static readonly object s_gate = new();
    private static (string Path, DateTime Written, X509Certificate2Collection Certificates)? s_extra;

    /// <summary>A <see cref="RemoteCertificateValidationCallback"/> applying these rules.</summary>
    public static bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None) return true;
        // A wrong name or no certificate is never excused; only an unknown root may be one of the extra CAs.
        if (errors != SslPolicyErrors.RemoteCertificateChainErrors || certificate is null) return false;
        var extra = ExtraCertificates();
        if (extra.Count == 0) return false;
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(extra);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            foreach (var element in chain.ChainElements) custom.ChainPolicy.ExtraStore.Add(element.Certificate);
        }
        using var leaf = new X509Certificate2(certificate);
        return custom.Build(leaf);
    }

    /// <summary>The certificates of <c>NODE_EXTRA_CA_CERTS</c>, read again when the file changes; empty when unset or unreadable.</summary>
    private static X509Certificate2Collection ExtraCertificates()
    {
        var path = Environment.GetEnvironmentVariable("NODE_EXTRA_CA_CERTS");
        if (string.IsNullOrWhiteSpace(path) || !File.Exists(path)) return [];
        var written = File.GetLastWriteTimeUtc(path);
        lock (s_gate)
        {
            if (s_extra is { } cached && cached.Path == path && cached.Written == written) return cached.Certificates;
            var certificates = new X509Certificate2Collection();
            try { certificates.ImportFromPemFile(path); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException) { }
            s_extra = (path, written, certificates);
            return certificates;
        }
    }
}
