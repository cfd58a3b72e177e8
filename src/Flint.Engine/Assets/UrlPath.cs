using System.Text;

namespace Flint.Engine.Assets;

/// <summary>
/// The bits of WHATWG URL parsing the asset rules depend on, so paths compare as
/// <c>new URL(…).pathname</c> gives them in the asset worker: dot segments resolved (also when
/// written <c>%2e</c>), characters of the path percent-encode set and non-ASCII percent-encoded
/// (existing escapes kept), and for http(s) URLs a backslash read as a slash.
/// </summary>
public static class UrlPath
{
    /// <summary>The pathname of a path (which may include a query and fragment, returned apart).</summary>
    public static (string Path, string Search, string Hash) Split(string pathAndMore)
    {
        var hash = "";
        var hashAt = pathAndMore.IndexOf('#');
        if (hashAt >= 0) { hash = pathAndMore[hashAt..]; pathAndMore = pathAndMore[..hashAt]; }
        var search = "";
        var q = pathAndMore.IndexOf('?');
        if (q >= 0) { search = pathAndMore[q..]; pathAndMore = pathAndMore[..q]; }
        return (pathAndMore, search.Length == 1 ? "" : search, hash.Length == 1 ? "" : hash);
    }

    /// <summary>A path as URL's pathname gives it. <paramref name="special"/> for http/https (backslash is a separator).</summary>
    public static string Normalize(string path, bool special = true)
    {
        if (special) path = path.Replace('\\', '/');
        if (path.Length == 0 || path[0] != '/') path = "/" + path;
        var segments = path[1..].Split('/');
        var output = new List<string>(segments.Length);
        for (var i = 0; i < segments.Length; i++)
        {
            var segment = segments[i];
            var last = i == segments.Length - 1;
            if (IsDot(segment))
            {
                if (last) output.Add("");
                continue;
            }
            if (IsDoubleDot(segment))
            {
                if (output.Count > 0) output.RemoveAt(output.Count - 1);
                if (last) output.Add("");
                continue;
            }
            output.Add(EncodeSet(segment, PathSet));
        }
        return "/" + string.Join('/', output);
    }

    /// <summary>A query or fragment with the characters URL would escape escaped (the leading ? or # kept).</summary>
    public static string NormalizeSearch(string search) => EncodeSet(search, QuerySet);
    public static string NormalizeHash(string hash) => EncodeSet(hash, FragmentSet);

    private static bool IsDot(string s) => s == "." || s.Equals("%2e", StringComparison.OrdinalIgnoreCase);

    private static bool IsDoubleDot(string s) =>
        s.Length is >= 2 and <= 6 && s.Replace("%2e", ".", StringComparison.OrdinalIgnoreCase) == "..";

    private static bool PathSet(char c) => c <= 0x20 || c is '"' or '#' or '<' or '>' or '?' or '`' or '{' or '}' || c >= 0x7f;
    private static bool QuerySet(char c) => c <= 0x20 || c is '"' or '#' or '<' or '>' || c >= 0x7f;
    private static bool FragmentSet(char c) => c <= 0x20 || c is '"' or '<' or '>' or '`' || c >= 0x7f;

    private static string EncodeSet(string s, Func<char, bool> set)
    {
        var needs = false;
        foreach (var c in s) if (set(c)) { needs = true; break; }
        if (!needs) return s;
        var sb = new StringBuilder(s.Length + 16);
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (!set(c)) { sb.Append(c); continue; }
            int cp = c;
            if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) cp = char.ConvertToUtf32(c, s[++i]);
            else if (char.IsSurrogate(c)) cp = 0xFFFD;
            var n = new Rune(cp).EncodeToUtf8(utf8);
            for (var b = 0; b < n; b++) sb.Append('%').Append(utf8[b].ToString("X2"));
        }
        return sb.ToString();
    }
}
