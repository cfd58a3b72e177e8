using System.Text.RegularExpressions;

namespace Flint.Engine.Assets;

/// <summary>
/// The URL tokens of <c>_headers</c> and <c>_redirects</c> checked and normalized as wrangler does
/// (its <c>validateUrl</c>): relative paths, or <c>https://host/path</c> where allowed; the path as URL
/// parsing gives it.
/// </summary>
public static partial class RuleUrl
{
    [GeneratedRegex(@"^https:/{2,}(?<host>[^/]+)/?(?<path>.*)", RegexOptions.Singleline)]
    private static partial Regex Absolute();

    [GeneratedRegex(@"^.*:\d+$", RegexOptions.Singleline)]
    private static partial Regex HostWithPort();

    /// <summary>The normalized URL, or an error saying why the token was skipped.</summary>
    public static (string? Url, string? Error) Validate(string token, bool onlyRelative = false, bool disallowPorts = false,
        bool includeSearch = false, bool includeHash = false)
    {
        var host = Absolute().Match(token);
        if (host.Success && host.Groups["host"].Value.Length > 0)
        {
            if (onlyRelative) return (null, $"Only relative URLs are allowed. Skipping absolute URL {token}.");
            if (disallowPorts && HostWithPort().IsMatch(host.Groups["host"].Value))
                return (null, $"Specifying ports is not supported. Skipping absolute URL {token}.");
            return ($"https://{host.Groups["host"].Value}{ExtractPathname(host.Groups["path"].Value, includeSearch, includeHash)}", null);
        }
        if (!token.StartsWith('/') && onlyRelative) token = "/" + token;
        if (token.StartsWith('/')) return (ExtractPathname(token, includeSearch, includeHash), null);
        return (null, onlyRelative
            ? "URLs should begin with a forward-slash."
            : "URLs should either be relative (e.g. begin with a forward-slash), or use HTTPS (e.g. begin with \"https://\").");
    }

    /// <summary>Whether a token names a host (<c>https://host…</c>).</summary>
    public static bool HasHost(string token)
    {
        var m = Absolute().Match(token);
        return m.Success && m.Groups["host"].Value.Length > 0;
    }

    /// <summary><c>new URL("//" + path, "relative://")</c>'s pathname (+ search, + hash).</summary>
    private static string ExtractPathname(string path, bool includeSearch, bool includeHash)
    {
        if (!path.StartsWith('/')) path = "/" + path;
        var (p, search, hash) = UrlPath.Split(path);
        var result = UrlPath.Normalize(p, special: false);
        if (includeSearch) result += UrlPath.NormalizeSearch(search);
        if (includeHash) result += UrlPath.NormalizeHash(hash);
        return result;
    }
}
