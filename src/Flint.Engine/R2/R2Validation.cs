using System.Text;
using System.Text.RegularExpressions;

namespace Flint.Engine.R2;

/// <summary>R2's checks of keys, metadata, limits, conditions and ranges, with R2's answers.</summary>
public static partial class R2Validation
{
    private static readonly UTF8Encoding s_lenientUtf8 = new(false, false);

    public static void Key(string key)
    {
        if (Encoding.UTF8.GetByteCount(key) > R2Limits.MaxKeyBytes) throw R2Errors.InvalidObjectName();
    }

    /// <summary>
    /// Custom metadata's size as R2 (Miniflare) counts it: each name and value by its UTF-16
    /// length, doubled when it holds a character above U+00FF.
    /// </summary>
    public static int MetadataSize(IReadOnlyList<KeyValuePair<string, string>> metadata)
    {
        static int Length(string s)
        {
            foreach (var c in s) if (c >= 256) return s.Length * 2;
            return s.Length;
        }
        var total = 0;
        foreach (var (k, v) in metadata) total += Length(k) + Length(v);
        return total;
    }

    public static void Metadata(IReadOnlyList<KeyValuePair<string, string>> metadata)
    {
        if (MetadataSize(metadata) > R2Limits.MaxMetadataSize) throw R2Errors.MetadataTooLarge();
    }

    public static void ListLimit(int limit)
    {
        if (limit < 1 || limit > R2Limits.MaxListKeys) throw R2Errors.InvalidMaxKeys();
    }

    // ---- cursors ----------------------------------------------------------------------------

    /// <summary>A list cursor names the last key a page covered, base64-encoded (as wrangler dev's are).</summary>
    public static string EncodeCursor(string lastKey) => Convert.ToBase64String(Encoding.UTF8.GetBytes(lastKey));

    /// <summary>
    /// The key a cursor names. Decoded leniently, as Node's base64 decoding does: characters
    /// outside the alphabet are skipped, so a foreign cursor lists from wherever it decodes to.
    /// </summary>
    public static string DecodeCursor(string cursor)
    {
        var clean = new StringBuilder(cursor.Length + 3);
        foreach (var c in cursor)
        {
            if (char.IsAsciiLetterOrDigit(c) || c is '+' or '/') clean.Append(c);
            else if (c == '-') clean.Append('+');
            else if (c == '_') clean.Append('/');
            else if (c == '=') break;
        }
        if (clean.Length % 4 == 1) clean.Length--; // a lone trailing character carries no whole byte
        while (clean.Length % 4 != 0) clean.Append('=');
        return s_lenientUtf8.GetString(Convert.FromBase64String(clean.ToString()));
    }

    // ---- conditions -------------------------------------------------------------------------

    /// <summary>
    /// Whether <paramref name="conditional"/> holds for an object (null when there is none),
    /// with R2's rules: If-None-Match compares weakly and, when given, overrides
    /// If-Modified-Since; If-Match likewise overrides If-Unmodified-Since.
    /// </summary>
    public static bool ConditionHolds(R2Conditional conditional, string? etag, long uploaded)
    {
        if (etag is null) return conditional.EtagMatches is null && conditional.UploadedAfter is null;
        var ifMatch = conditional.EtagMatches is null || IncludesEtag(conditional.EtagMatches, etag, weak: false);
        var ifNoneMatch = conditional.EtagDoesNotMatch is null || !IncludesEtag(conditional.EtagDoesNotMatch, etag, weak: true);
        long Truncate(long ms) => conditional.SecondsGranularity ? ms / 1000 * 1000 : ms;
        var lastModified = Truncate(uploaded);
        var ifModifiedSince = conditional.UploadedAfter is not { } after || Truncate(after) < lastModified
            || (conditional.EtagDoesNotMatch is not null && ifNoneMatch);
        var ifUnmodifiedSince = conditional.UploadedBefore is not { } before || lastModified < Truncate(before)
            || (conditional.EtagMatches is not null && ifMatch);
        return ifMatch && ifNoneMatch && ifModifiedSince && ifUnmodifiedSince;
    }

    private static bool IncludesEtag(IReadOnlyList<R2Etag> etags, string etag, bool weak)
    {
        foreach (var e in etags)
        {
            if (e.Kind == R2EtagKind.Wildcard) return true;
            if (e.Value == etag && (e.Kind == R2EtagKind.Strong || weak)) return true;
        }
        return false;
    }

    /// <summary>
    /// Parses an If-Match / If-None-Match header as workerd does: quoted strong etags, <c>W/"…"</c>
    /// weak ones, <c>*</c>; throws <see cref="FormatException"/> with workerd's message when malformed.
    /// </summary>
    public static IReadOnlyList<R2Etag> ParseEtagHeader(string header)
    {
        var result = new List<R2Etag>();
        var s = header.AsSpan();
        var needComma = false;
        while (true)
        {
            s = s.TrimStart(" \t");
            if (s.IsEmpty) return result;
            switch (s[0])
            {
                case ',':
                    s = s[1..];
                    needComma = false;
                    continue;
                case '*':
                    if (needComma) throw new FormatException("Comma was expected to separate etags. Encountered a wildcard character '*' instead.");
                    return [R2Etag.Wildcard];
                case 'W':
                    if (needComma) throw new FormatException("Comma was expected to separate etags. Encountered a weak quotation character 'W' instead. This would otherwise indicate the start of a new weak etag.");
                    if (s.Length <= 2 || s[1] != '/' || s[2] != '"') throw new FormatException("Weak etags must start with W/ and their value must be quoted");
                    s = s[3..];
                    {
                        var close = s.IndexOf('"');
                        if (close < 0) throw new FormatException("Unclosed double quote for Etag");
                        result.Add(new R2Etag(R2EtagKind.Weak, s[..close].ToString()));
                        s = s[(close + 1)..];
                    }
                    needComma = true;
                    continue;
                case '"':
                    if (needComma) throw new FormatException("Comma was expected to separate etags. Encountered a double quote character '\"' instead. This would otherwise indicate the start of a new strong etag.");
                    s = s[1..];
                    {
                        var close = s.IndexOf('"');
                        if (close < 0) throw new FormatException("Unclosed double quote for Etag");
                        result.Add(new R2Etag(R2EtagKind.Strong, s[..close].ToString()));
                        s = s[(close + 1)..];
                    }
                    needComma = true;
                    continue;
                default:
                    return result;
            }
        }
    }

    // ---- ranges -----------------------------------------------------------------------------

    /// <summary>
    /// The bytes of an object of <paramref name="size"/> bytes that a range request selects, or
    /// null for the whole object. Offset/length/suffix out of bounds is InvalidRange; a Range
    /// header that is malformed, unsatisfiable or names several ranges selects the whole object.
    /// </summary>
    public static R2Range? ResolveRange(R2RangeRequest? request, long size)
    {
        if (request is null) return null;
        if (request.Header is { } header)
        {
            var ranges = ParseRangeHeader(header, size);
            return ranges is { Count: 1 } ? ranges[0] : null;
        }
        long? offset = request.Offset, length = request.Length;
        if (request.Suffix is { } suffix)
        {
            if (suffix <= 0) throw R2Errors.InvalidRange();
            if (suffix > size) suffix = size;
            offset = size - suffix;
            length = suffix;
        }
        var start = offset ?? 0;
        var count = length ?? size - start;
        if (start < 0 || start > size || count <= 0) throw R2Errors.InvalidRange();
        if (start + count > size) count = size - start;
        return new R2Range(start, count);
    }

    [GeneratedRegex(@"^ *bytes *=", RegexOptions.IgnoreCase)]
    private static partial Regex RangePrefix();

    [GeneratedRegex(@"^ *(?<start>\d+)? *- *(?<end>\d+)? *$")]
    private static partial Regex RangeSpec();

    /// <summary>A Range header's ranges, clamped to the object; null when malformed or unsatisfiable (Miniflare's rules).</summary>
    public static List<R2Range>? ParseRangeHeader(string header, long size)
    {
        var prefix = RangePrefix().Match(header);
        if (!prefix.Success) return null;
        var rest = header[prefix.Length..];
        var result = new List<R2Range>();
        if (rest.TrimStart().Length == 0) return result;
        foreach (var spec in rest.Split(','))
        {
            var m = RangeSpec().Match(spec);
            if (!m.Success) return null;
            var hasStart = m.Groups["start"].Success;
            var hasEnd = m.Groups["end"].Success;
            if (hasStart)
            {
                if (!long.TryParse(m.Groups["start"].ValueSpan, out var start)) return null;
                var end = size - 1;
                if (hasEnd)
                {
                    if (!long.TryParse(m.Groups["end"].ValueSpan, out end)) return null;
                    if (start > end) return null;
                }
                if (start >= size) return null;
                if (end >= size) end = size - 1;
                result.Add(new R2Range(start, end - start + 1));
            }
            else if (hasEnd)
            {
                if (!long.TryParse(m.Groups["end"].ValueSpan, out var suffix)) return null;
                if (suffix >= size) return [];
                if (suffix == 0) continue;
                result.Add(new R2Range(size - suffix, suffix));
            }
            else return null;
        }
        return result;
    }
}
