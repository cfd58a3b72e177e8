using System.Text;

namespace Flint.Engine.Assets;

/// <summary>
/// URL paths as the asset worker handles them: decoded segment by segment to match files (a segment
/// that does not decode stays as it is), and re-encoded with <c>encodeURIComponent</c> to give the
/// canonical path an asset is served at (<c>/[id]</c> → <c>/%5Bid%5D</c>).
/// </summary>
public static class AssetPaths
{
    /// <summary><c>decodeURIComponent</c> of each segment, then runs of slashes collapsed to one.</summary>
    public static string Decode(string pathname)
    {
        var segments = pathname.Split('/');
        for (var i = 0; i < segments.Length; i++) segments[i] = DecodeComponent(segments[i]) ?? segments[i];
        return CollapseSlashes(string.Join('/', segments));
    }

    /// <summary><c>encodeURIComponent</c> of each segment.</summary>
    public static string Encode(string pathname)
    {
        var segments = pathname.Split('/');
        for (var i = 0; i < segments.Length; i++) segments[i] = EncodeComponent(segments[i]) ?? segments[i];
        return string.Join('/', segments);
    }

    public static string CollapseSlashes(string path)
    {
        if (!path.Contains("//", StringComparison.Ordinal)) return path;
        var sb = new StringBuilder(path.Length);
        foreach (var c in path)
        {
            if (c == '/' && sb.Length > 0 && sb[^1] == '/') continue;
            sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>JavaScript's <c>decodeURIComponent</c>: null where it would throw (a bad escape or invalid UTF-8).</summary>
    public static string? DecodeComponent(string s)
    {
        if (!s.Contains('%')) return s;
        var sb = new StringBuilder(s.Length);
        var bytes = new List<byte>();
        var strict = new UTF8Encoding(false, throwOnInvalidBytes: true);
        for (var i = 0; i < s.Length;)
        {
            if (s[i] != '%') { sb.Append(s[i]); i++; continue; }
            bytes.Clear();
            while (i < s.Length && s[i] == '%')
            {
                if (i + 2 >= s.Length || !IsHex(s[i + 1]) || !IsHex(s[i + 2])) return null;
                bytes.Add(Convert.ToByte(s.Substring(i + 1, 2), 16));
                i += 3;
            }
            try
            {
                sb.Append(strict.GetString(bytes.ToArray()));
            }
            catch (DecoderFallbackException)
            {
                return null;
            }
        }
        return sb.ToString();
    }

    /// <summary>JavaScript's <c>encodeURIComponent</c>: null where it would throw (a lone surrogate).</summary>
    public static string? EncodeComponent(string s)
    {
        var sb = new StringBuilder(s.Length + 8);
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '!' or '~' or '*' or '\'' or '(' or ')')
            {
                sb.Append(c);
                continue;
            }
            int codePoint;
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= s.Length || !char.IsLowSurrogate(s[i + 1])) return null;
                codePoint = char.ConvertToUtf32(c, s[++i]);
            }
            else if (char.IsLowSurrogate(c)) return null;
            else codePoint = c;
            var n = new Rune(codePoint).EncodeToUtf8(utf8);
            for (var b = 0; b < n; b++) sb.Append('%').Append(utf8[b].ToString("X2"));
        }
        return sb.ToString();
    }

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);
}
