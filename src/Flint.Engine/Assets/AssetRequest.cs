namespace Flint.Engine.Assets;

/// <summary>
/// A request as the asset server reads it: method, absolute URL (the path as the client sent it)
/// and a header lookup. <see cref="Pathname"/> and <see cref="Search"/> are what <c>new URL(url)</c>
/// gives in JavaScript.
/// </summary>
public sealed class AssetRequest
{
    private readonly Func<string, string?> _header;

    public AssetRequest(string method, string url, Func<string, string?> header)
    {
        Method = method;
        Url = url;
        _header = header;
        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0) throw new ArgumentException($"Not an absolute URL: {url}", nameof(url));
        Scheme = url[..schemeEnd].ToLowerInvariant();
        var rest = url[(schemeEnd + 3)..];
        var pathAt = rest.IndexOfAny(['/', '?', '#', '\\']);
        Host = (pathAt < 0 ? rest : rest[..pathAt]).ToLowerInvariant();
        var at = Host.LastIndexOf('@');
        if (at >= 0) Host = Host[(at + 1)..];
        Hostname = HostnameOf(Host);
        var (path, search, _) = UrlPath.Split(pathAt < 0 ? "/" : rest[pathAt..]);
        Pathname = UrlPath.Normalize(path, special: Scheme is "http" or "https" or "ws" or "wss");
        Search = UrlPath.NormalizeSearch(search);
    }

    public string Method { get; }
    public string Url { get; }
    public string Scheme { get; }
    /// <summary>Host with port, as <c>url.host</c>.</summary>
    public string Host { get; }
    /// <summary>Host without port, as <c>url.hostname</c>.</summary>
    public string Hostname { get; }
    public string Pathname { get; }
    /// <summary>The query with its <c>?</c>, or empty.</summary>
    public string Search { get; }
    public string Origin => $"{Scheme}://{Host}";

    public string? Header(string name) => _header(name);

    private static string HostnameOf(string host)
    {
        if (host.StartsWith('['))
        {
            var close = host.IndexOf(']');
            return close < 0 ? host : host[..(close + 1)];
        }
        var colon = host.LastIndexOf(':');
        return colon < 0 ? host : host[..colon];
    }

    /// <summary>
    /// <c>new URL(target, this.Url)</c> for the targets rules hold (a path, or an absolute URL):
    /// its origin, pathname, search and hash.
    /// </summary>
    public (string Origin, string Pathname, string Search, string Hash) Resolve(string target)
    {
        string origin, rest;
        var schemeEnd = target.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd > 0 && target[..schemeEnd].All(char.IsAsciiLetterOrDigit))
        {
            var scheme = target[..schemeEnd].ToLowerInvariant();
            var afterScheme = target[(schemeEnd + 3)..];
            var pathAt = afterScheme.IndexOfAny(['/', '?', '#']);
            var host = (pathAt < 0 ? afterScheme : afterScheme[..pathAt]).ToLowerInvariant();
            if ((scheme == "https" && host.EndsWith(":443", StringComparison.Ordinal)) || (scheme == "http" && host.EndsWith(":80", StringComparison.Ordinal)))
                host = host[..host.LastIndexOf(':')];
            origin = $"{scheme}://{host}";
            rest = pathAt < 0 ? "/" : afterScheme[pathAt..];
        }
        else if (target.StartsWith("//", StringComparison.Ordinal))
        {
            return Resolve($"{Scheme}:{target}");
        }
        else
        {
            origin = Origin;
            rest = target.StartsWith('/') ? target : BaseDirectory() + target;
        }
        var (path, search, hash) = UrlPath.Split(rest);
        return (origin, UrlPath.Normalize(path), UrlPath.NormalizeSearch(search), UrlPath.NormalizeHash(hash));
    }

    private string BaseDirectory() => Pathname[..(Pathname.LastIndexOf('/') + 1)];
}
