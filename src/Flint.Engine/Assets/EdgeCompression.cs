using System.Globalization;
using System.Text.RegularExpressions;

namespace Flint.Engine.Assets;

/// <summary>What Cloudflare's edge does with a response's encoding for a client.</summary>
public enum EdgeEncoding { Identity, Gzip, Brotli, Unacceptable }

/// <summary>
/// Compression as Cloudflare's edge (and wrangler dev, after it) gives it: a response of a type
/// Cloudflare compresses (text, JavaScript, JSON, SVG, fonts, wasm, …, or no Content-Type) goes out in
/// the first of gzip or br the client's Accept-Encoding lists by weight, unless it prefers identity;
/// a client that refuses identity and accepts neither gets 415.
/// </summary>
public static partial class EdgeCompression
{
    private static readonly HashSet<string> s_compressed = new(StringComparer.Ordinal)
    {
        "text/html", "text/richtext", "text/plain", "text/css", "text/x-script", "text/x-component", "text/x-java-source",
        "text/x-markdown", "application/javascript", "application/x-javascript", "text/javascript", "text/js", "image/x-icon",
        "image/vnd.microsoft.icon", "application/x-perl", "application/x-httpd-cgi", "text/xml", "application/xml",
        "application/rss+xml", "application/vnd.api+json", "application/x-protobuf", "application/json", "multipart/bag",
        "multipart/mixed", "application/xhtml+xml", "font/ttf", "font/otf", "font/x-woff", "image/svg+xml",
        "application/vnd.ms-fontobject", "application/ttf", "application/x-ttf", "application/otf", "application/x-otf",
        "application/truetype", "application/opentype", "application/x-opentype", "application/font-woff", "application/eot",
        "application/font", "application/font-sfnt", "application/wasm", "application/javascript-binast",
        "application/manifest+json", "application/ld+json", "application/graphql+json", "application/geo+json",
    };

    [GeneratedRegex(@"^(?<coding>[a-z]+|\*)(?:\s*;\s*q=(?<weight>\d+(?:.\d+)?))?$")]
    private static partial Regex Element();

    public static bool IsCompressible(string? contentType) =>
        contentType is null || s_compressed.Contains(contentType.Split(';')[0].Trim().ToLowerInvariant());

    /// <summary>The encoding to send an unencoded response of <paramref name="contentType"/> in.</summary>
    public static EdgeEncoding Choose(string? acceptEncoding, string? contentType)
    {
        if (acceptEncoding is null || !IsCompressible(contentType)) return EdgeEncoding.Identity;
        var encodings = new List<(string Coding, double Weight)>();
        foreach (var part in acceptEncoding.Split(','))
        {
            var m = Element().Match(part.Trim());
            if (!m.Success) continue;
            var weight = m.Groups["weight"].Success ? double.Parse(m.Groups["weight"].Value, CultureInfo.InvariantCulture) : 1;
            encodings.Add((m.Groups["coding"].Value, weight));
        }
        if (encodings.Count == 0) return EdgeEncoding.Identity;
        var identityDisallowed = false;
        // A stable sort by weight, highest first, as JavaScript's sort is.
        foreach (var (coding, weight) in encodings.OrderByDescending(e => e.Weight))
        {
            if (weight == 0)
            {
                if (coding is "identity" or "*") identityDisallowed = true;
            }
            else if (coding == "gzip") return EdgeEncoding.Gzip;
            else if (coding == "br") return EdgeEncoding.Brotli;
            else if (coding == "identity") break;
        }
        return identityDisallowed ? EdgeEncoding.Unacceptable : EdgeEncoding.Identity;
    }
}
