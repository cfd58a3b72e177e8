using System.Globalization;

namespace Flint.Engine.Cache;

/// <summary>A <c>cf.cacheTtlByStatus</c> entry: statuses <see cref="From"/>–<see cref="To"/> are kept for <see cref="Seconds"/>.</summary>
public readonly record struct StatusTtl(int From, int To, long Seconds);

/// <summary>
/// What a Worker's fetch() asks of the cache: where its entry lives (the key is <c>cf.cacheKey</c> or
/// the URL), the <c>cf</c> options <c>cacheEverything</c>, <c>cacheTtl</c>, <c>cacheTtlByStatus</c>,
/// and the Request's <c>cache</c> mode (<c>no-store</c> and <c>reload</c> bypass the cache,
/// <c>no-cache</c> always asks the origin).
/// </summary>
public sealed record SubrequestCacheRequest(string Namespace, string Key, bool CacheEverything, long? CacheTtl,
    IReadOnlyList<StatusTtl> CacheTtlByStatus, bool Bypass, bool Revalidate)
{
    /// <summary>The Worker set one of the cf cache options, which force caching of any file type.</summary>
    public bool Forced => CacheEverything || CacheTtl is not null || CacheTtlByStatus.Count > 0;
}

/// <summary>Whether the origin's response is kept, for how long, under which headers, and the <c>cf-cache-status</c> it gets.</summary>
public sealed record SubrequestCacheDecision(long TtlMs, IReadOnlyList<CacheHeader> Headers, string Status)
{
    public bool Stored => TtlMs > 0;
}

/// <summary>
/// Cloudflare's edge cache rules for subrequests, as its docs give them ("Default cache behavior",
/// "Cache by status code", "Origin Cache Control", the Workers <c>cf</c> request properties):
/// <list type="bullet">
/// <item>Only GET and HEAD go through the cache. Without cf options only the default cached file
/// extensions are (not HTML; <c>robots.txt</c> is); <c>cacheEverything</c>, <c>cacheTtl</c> or
/// <c>cacheTtlByStatus</c> make any file type eligible.</item>
/// <item><c>cacheTtlByStatus</c> (a matching range) and then <c>cacheTtl</c> override the origin's
/// headers: a positive value keeps the response that long (its Set-Cookie dropped from the stored
/// copy), 0 expires it at once, a negative value does not cache it. <c>cacheTtl</c> applies to the
/// statuses Cloudflare caches by default.</item>
/// <item>Otherwise the origin's headers decide: <c>no-store</c>, <c>no-cache</c>, <c>private</c>,
/// <c>max-age=0</c>, a past Expires, an Authorization on the request (without <c>public</c>,
/// <c>s-maxage</c> or <c>must-revalidate</c>) and a Set-Cookie mean not cached; <c>s-maxage</c>, then
/// <c>max-age</c>, then Expires give the TTL (less the origin's Age); without them the default edge
/// TTL by status applies (200, 206, 301: 120 min; 302, 303: 20 min; 404, 410: 3 min; others not
/// cached).</item>
/// </list>
/// </summary>
public static class SubrequestCachePolicy
{
    private static readonly HashSet<string> s_defaultExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        "7z", "csv", "gif", "midi", "png", "tif", "zip", "avi", "doc", "gz", "mkv", "ppt", "tiff", "zst", "avif", "docx",
        "ico", "mp3", "pptx", "ttf", "apk", "dmg", "iso", "mp4", "ps", "webm", "bin", "ejs", "jar", "ogg", "rar", "webp",
        "bmp", "eot", "jpg", "otf", "svg", "woff", "bz2", "eps", "jpeg", "pdf", "svgz", "woff2", "class", "exe", "js",
        "pict", "swf", "xls", "css", "flac", "mid", "pls", "tar", "xlsx",
    };

    // Headers of one connection, and those the cache sets itself, are not stored.
    private static readonly HashSet<string> s_notStored = new(StringComparer.Ordinal)
    {
        "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade",
        "age", "cf-cache-status",
    };

    /// <summary>The name of the stored header that holds when the response was made (never given to a Worker).</summary>
    public const string StoredAtHeader = ":stored-at";

    /// <summary>The name of the stored header that holds the origin's status text (never given to a Worker).</summary>
    public const string StatusTextHeader = ":status-text";

    /// <summary>The default edge TTL for a status when the origin sends no Cache-Control or Expires, in seconds; null when not cached.</summary>
    public static long? DefaultEdgeTtlSeconds(int status) => status switch
    {
        200 or 206 or 301 => 120 * 60,
        302 or 303 => 20 * 60,
        404 or 410 => 3 * 60,
        _ => null,
    };

    /// <summary>Whether Cloudflare caches this URL's path without being told to: by file extension, and robots.txt.</summary>
    public static bool CachedByDefault(Uri url)
    {
        var path = url.AbsolutePath;
        var slash = path.LastIndexOf('/');
        var file = path[(slash + 1)..];
        if (file.Equals("robots.txt", StringComparison.OrdinalIgnoreCase)) return true;
        var dot = file.LastIndexOf('.');
        return dot >= 0 && s_defaultExtensions.Contains(file[(dot + 1)..]);
    }

    /// <summary>Whether this subrequest is looked up in the cache at all.</summary>
    public static bool Eligible(string method, Uri url, SubrequestCacheRequest request) =>
        !request.Bypass && (method is "GET" or "HEAD") && (request.Forced || CachedByDefault(url));

    /// <param name="status">The origin's status.</param>
    /// <param name="headers">The origin's headers, lower-case names (Set-Cookie may repeat).</param>
    /// <param name="request">What the Worker asked for.</param>
    /// <param name="requestHasAuthorization">The subrequest carried an Authorization header.</param>
    /// <param name="nowMs">The time of the response, in Unix milliseconds.</param>
    public static SubrequestCacheDecision Decide(int status, string statusText, IReadOnlyList<CacheHeader> headers, SubrequestCacheRequest request,
        bool requestHasAuthorization, long nowMs)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        var hasCookie = false;
        foreach (var h in headers)
        {
            if (h.Name == "set-cookie") hasCookie = true;
            else map[h.Name] = map.TryGetValue(h.Name, out var v) ? v + ", " + h.Value : h.Value;
        }
        var originAge = map.TryGetValue("age", out var ageText) && long.TryParse(ageText.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var a) ? a : 0;

        long? forced = null;
        foreach (var range in request.CacheTtlByStatus)
        {
            if (status >= range.From && status <= range.To) { forced = range.Seconds; break; }
        }
        if (forced is null && request.CacheTtl is { } ttl && DefaultEdgeTtlSeconds(status) is not null) forced = ttl;
        if (forced is { } seconds)
        {
            // Set by the Worker: the origin's headers do not count, and its cookie is not stored.
            if (seconds < 0) return NotStored("BYPASS");
            return Store(seconds * 1000, dropCookie: true, age: 0);
        }
        if (request.CacheTtl is not null) return NotStored("MISS"); // a status cacheTtl does not apply to

        var cc = CachePolicy.ParseCacheControl(map.GetValueOrDefault("cache-control"));
        if (cc.ContainsKey("no-store") || cc.ContainsKey("no-cache") || cc.ContainsKey("private")) return NotStored("BYPASS");
        if (!map.ContainsKey("cache-control") && map.TryGetValue("pragma", out var pragma) && pragma.Contains("no-cache", StringComparison.OrdinalIgnoreCase))
            return NotStored("BYPASS");
        // A cookie: with Cache Everything the response is passed on and never cached (MISS each time);
        // at the default level the origin's cache control makes it a BYPASS.
        if (hasCookie) return NotStored(request.CacheEverything ? "MISS" : "BYPASS");
        if (requestHasAuthorization && !(cc.ContainsKey("public") || cc.ContainsKey("s-maxage") || cc.ContainsKey("must-revalidate")))
            return NotStored("BYPASS");

        long? freshSeconds = null;
        if (Seconds(cc, "s-maxage") is { } sMaxAge) freshSeconds = sMaxAge;
        else if (Seconds(cc, "max-age") is { } maxAge) freshSeconds = maxAge;
        else if (map.TryGetValue("expires", out var expiresText))
        {
            var expires = CachePolicy.ParseDate(expiresText);
            var date = CachePolicy.ParseDate(map.GetValueOrDefault("date")) ?? nowMs;
            if (expires is null || expires <= date) return NotStored("BYPASS");
            freshSeconds = (expires.Value - date) / 1000;
        }
        if (freshSeconds is { } fresh)
        {
            if (fresh - originAge <= 0) return NotStored("BYPASS");
            return Store((fresh - originAge) * 1000, dropCookie: false, originAge);
        }
        return DefaultEdgeTtlSeconds(status) is { } edge ? Store(edge * 1000, dropCookie: false, originAge) : NotStored("MISS");

        SubrequestCacheDecision NotStored(string cacheStatus) => new(0, [], cacheStatus);

        SubrequestCacheDecision Store(long ttlMs, bool dropCookie, long age)
        {
            if (ttlMs <= 0) return NotStored("MISS"); // 0: expires at once, the next request asks the origin again
            var stored = new List<CacheHeader>(headers.Count + 2);
            foreach (var h in headers)
            {
                if (s_notStored.Contains(h.Name) || h.Name.StartsWith(':')) continue;
                if (h.Name == "set-cookie" && dropCookie) continue;
                // The stored body is the one the Worker read (decoded); its length is the file's.
                if (h.Name == "content-length") continue;
                stored.Add(h);
            }
            stored.Add(new CacheHeader(StoredAtHeader, (nowMs - age * 1000).ToString(CultureInfo.InvariantCulture)));
            stored.Add(new CacheHeader(StatusTextHeader, statusText));
            return new SubrequestCacheDecision(ttlMs, stored, "MISS");
        }
    }

    /// <summary>A directive's whole seconds, or null when it is absent or not a number.</summary>
    private static long? Seconds(Dictionary<string, string?> cc, string name) =>
        cc.TryGetValue(name, out var v) && v is not null && long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : null;
}
