using System.Globalization;

namespace Flint.Engine.Cache;

/// <summary>A header as it is stored and given back: a lower-case name and its value.</summary>
public readonly record struct CacheHeader(string Name, string Value);

/// <summary>Whether a response may be stored, for how long, and the headers it is stored with.</summary>
public sealed record CacheDecision(bool Storable, long TtlMs, IReadOnlyList<CacheHeader> Headers);

/// <summary>
/// Decides what <c>cache.put()</c> stores, as wrangler dev does (Miniflare's cache runs
/// http-cache-semantics 4.1 as a shared cache): only a storable response with a time to live
/// above zero is kept. That means <c>no-store</c>, <c>private</c>, <c>no-cache</c> (and
/// <c>Pragma: no-cache</c>), <c>max-age=0</c>, an <c>s-maxage</c> of 0, a past or invalid
/// <c>Expires</c>, an <c>Age</c> past the max-age, a request with <c>Authorization</c> (unless
/// <c>public</c>, <c>s-maxage</c> or <c>must-revalidate</c>), a status the cache does not
/// understand, and any <c>Set-Cookie</c> are not cached. <c>Cache-Control: private=set-cookie</c>
/// drops the cookie and caches the rest. Without max-age or Expires a <c>Last-Modified</c> gives a
/// tenth of its age (the heuristic). The request's own Cache-Control is ignored, as Cloudflare does.
/// </summary>
/// <remarks>
/// Cloudflare's edge also gives responses without Cache-Control a default TTL by status
/// (<c>Edge TTL</c>: 200 for two hours, …); wrangler dev does not, and neither does Flint.
/// </remarks>
public static class CachePolicy
{
    private static readonly HashSet<int> s_understood = [200, 203, 204, 300, 301, 302, 303, 307, 308, 404, 405, 410, 414, 501];
    private static readonly HashSet<int> s_cacheableByDefault = [200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501];
    // Dropped when stored: connection-level headers (workerd never hands them over) and Date, which the cache sets.
    private static readonly HashSet<string> s_hopByHop = new(StringComparer.Ordinal)
    {
        "date", "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade",
    };

    private const double Heuristic = 0.1;
    // http-cache-semantics takes this in milliseconds and compares it with seconds: an immutable
    // response without other freshness information lives 86,400,000 seconds. Kept, as wrangler has it.
    private const double ImmutableMinTtl = 24 * 3600 * 1000;

    /// <param name="status">The response's status.</param>
    /// <param name="headers">The response's headers, lower-case names, one combined value per name (Set-Cookie may repeat).</param>
    /// <param name="requestHasAuthorization">The cache key request carries an Authorization header.</param>
    /// <param name="nowMs">The time of the put, in Unix milliseconds.</param>
    public static CacheDecision Decide(int status, IReadOnlyList<CacheHeader> headers, bool requestHasAuthorization, long nowMs)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        var hasCookie = false;
        foreach (var h in headers)
        {
            if (h.Name == "set-cookie") hasCookie = true;
            map[h.Name] = h.Value;
        }
        if (map.TryGetValue("cache-control", out var rawCc) && rawCc.Contains("private=set-cookie", StringComparison.OrdinalIgnoreCase))
        {
            // Miniflare's own rewrite, kept to the letter: the value is lower-cased, the directive cut out.
            map["cache-control"] = System.Text.RegularExpressions.Regex.Replace(rawCc.ToLowerInvariant(), "private=set-cookie;?", "",
                System.Text.RegularExpressions.RegexOptions.IgnoreCase);
            map.Remove("set-cookie");
            hasCookie = false;
        }
        var cc = ParseCacheControl(map.GetValueOrDefault("cache-control"));
        if (!map.ContainsKey("cache-control") && map.TryGetValue("pragma", out var pragma) && pragma.Contains("no-cache", StringComparison.Ordinal))
            cc["no-cache"] = null;

        var storable = IsStorable(status, map, cc, requestHasAuthorization) && !hasCookie;
        var ageSeconds = ToNumberOrZero(map.GetValueOrDefault("age"));
        var maxAge = storable ? MaxAge(map, cc, nowMs) : 0;
        var remaining = maxAge - ageSeconds;
        var ttlSeconds = Math.Max(Math.Max(0, remaining),
            Math.Max(remaining + ToNumberOrZero(cc.GetValueOrDefault("stale-if-error")), remaining + ToNumberOrZero(cc.GetValueOrDefault("stale-while-revalidate"))));

        var stored = new List<CacheHeader>(map.Count + 2);
        foreach (var h in headers)
        {
            if (s_hopByHop.Contains(h.Name) || h.Name is "age" or "set-cookie" || !map.TryGetValue(h.Name, out var value)) continue;
            if (stored.Exists(s => s.Name == h.Name)) continue;
            stored.Add(new CacheHeader(h.Name, value));
        }
        if (map.TryGetValue("warning", out var warning))
        {
            // 1xx warnings describe freshness, which the cache recomputes.
            var kept = warning.Split(',').Where(w => !System.Text.RegularExpressions.Regex.IsMatch(w, @"^\s*1[0-9][0-9]")).ToList();
            stored.RemoveAll(s => s.Name == "warning");
            if (kept.Count > 0) stored.Add(new CacheHeader("warning", string.Join(',', kept).Trim()));
        }
        stored.Add(new CacheHeader("age", Math.Round(ageSeconds, MidpointRounding.AwayFromZero).ToString(CultureInfo.InvariantCulture)));
        stored.Add(new CacheHeader("date", DateTimeOffset.FromUnixTimeMilliseconds(nowMs).ToString("r", CultureInfo.InvariantCulture)));
        var ttlMs = (long)Math.Min(ttlSeconds * 1000, long.MaxValue / 4);
        return new CacheDecision(storable && ttlMs > 0, ttlMs, stored);
    }

    private static bool IsStorable(int status, Dictionary<string, string> map, Dictionary<string, string?> cc, bool authorization)
    {
        if (!s_understood.Contains(status)) return false;
        // wrangler dev's cache cannot rebuild a response of a null-body status (its Response
        // constructor refuses one with a body), so a 204 is never kept there.
        if (status is 101 or 204 or 205 or 304) return false;
        if (Has(cc, "no-store") || Has(cc, "private")) return false;
        if (authorization && !(Has(cc, "must-revalidate") || Has(cc, "public") || Has(cc, "s-maxage"))) return false;
        return map.ContainsKey("expires") || Has(cc, "max-age") || Has(cc, "s-maxage") || Has(cc, "public") ||
            s_cacheableByDefault.Contains(status);
    }

    /// <summary>Seconds of freshness from the response's Date (http-cache-semantics' maxAge for a shared cache).</summary>
    private static double MaxAge(Dictionary<string, string> map, Dictionary<string, string?> cc, long nowMs)
    {
        if (Has(cc, "no-cache") || map.GetValueOrDefault("vary") == "*") return 0;
        if (Has(cc, "proxy-revalidate")) return 0;
        if (Has(cc, "s-maxage")) return ToNumberOrZero(cc["s-maxage"]);
        if (Has(cc, "max-age")) return ToNumberOrZero(cc["max-age"]);
        var defaultMinTtl = Has(cc, "immutable") ? ImmutableMinTtl : 0;
        var serverDate = ParseDate(map.GetValueOrDefault("date")) ?? nowMs;
        if (map.TryGetValue("expires", out var expiresText))
        {
            var expires = ParseDate(expiresText);
            return expires is null || expires < serverDate ? 0 : Math.Max(defaultMinTtl, (expires.Value - serverDate) / 1000.0);
        }
        if (map.TryGetValue("last-modified", out var lastModifiedText) && ParseDate(lastModifiedText) is { } lastModified && serverDate > lastModified)
            return Math.Max(defaultMinTtl, (serverDate - lastModified) / 1000.0 * Heuristic);
        return defaultMinTtl;
    }

    /// <summary>
    /// A directive is "set" as JavaScript truthiness has it in http-cache-semantics: present without
    /// a value (null here) or with a non-empty one ("0" included); <c>max-age=</c> is not.
    /// </summary>
    private static bool Has(Dictionary<string, string?> cc, string name) => cc.TryGetValue(name, out var v) && (v is null || v.Length > 0);

    /// <summary>Cache-Control as http-cache-semantics reads it: split on commas, then on the first '=', quotes dropped.</summary>
    internal static Dictionary<string, string?> ParseCacheControl(string? header)
    {
        var cc = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(header)) return cc;
        foreach (var part in header.Trim().Split(','))
        {
            var eq = part.IndexOf('=');
            var name = (eq < 0 ? part : part[..eq]).Trim();
            cc[name] = eq < 0 ? null : part[(eq + 1)..].Trim().Trim('"');
        }
        return cc;
    }

    /// <summary>parseInt(s, 10), or 0 when it is not a number.</summary>
    private static double ToNumberOrZero(string? s)
    {
        if (string.IsNullOrEmpty(s)) return 0;
        var t = s.TrimStart();
        var end = 0;
        if (end < t.Length && (t[end] == '-' || t[end] == '+')) end++;
        while (end < t.Length && char.IsAsciiDigit(t[end])) end++;
        return double.TryParse(t.AsSpan(0, end), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : 0;
    }

    /// <summary>An HTTP date in Unix milliseconds, or null (lenient like JavaScript's Date.parse for the usual forms).</summary>
    internal static long? ParseDate(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (DateTimeOffset.TryParseExact(text.Trim(), "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var rfc))
            return rfc.ToUnixTimeMilliseconds();
        if (DateTimeOffset.TryParse(text.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var any))
            return any.ToUnixTimeMilliseconds();
        return null;
    }
}
