using System.Text.RegularExpressions;

namespace Flint.Engine.Cache;

/// <summary>An inclusive byte range of a stored body.</summary>
public readonly record struct ByteRange(long Start, long End)
{
    public long Length => End - Start + 1;
}

/// <summary>
/// The Range header as wrangler dev's cache reads it: <c>bytes=a-b</c>, <c>a-</c>, <c>-n</c>, several
/// separated by commas, whitespace allowed. Ends past the body are clipped; a start past it, a
/// start after its end, another unit or a malformed range is unsatisfiable (416); a suffix
/// covering the whole body or an empty list asks for all of it.
/// </summary>
public static partial class ByteRanges
{
    [GeneratedRegex("^ *bytes *=", RegexOptions.IgnoreCase)]
    private static partial Regex Prefix();

    [GeneratedRegex(@"^ *(?<start>\d+)? *- *(?<end>\d+)? *$")]
    private static partial Regex One();

    /// <summary>The ranges asked for: null when unsatisfiable, empty for the whole body.</summary>
    public static IReadOnlyList<ByteRange>? Parse(string header, long length)
    {
        var prefix = Prefix().Match(header);
        if (!prefix.Success) return null;
        var rest = header[prefix.Length..];
        if (rest.TrimStart().Length == 0) return [];
        var result = new List<ByteRange>();
        foreach (var part in rest.Split(','))
        {
            var m = One().Match(part);
            if (!m.Success) return null;
            var hasStart = m.Groups["start"].Success;
            var hasEnd = m.Groups["end"].Success;
            if (hasStart && hasEnd)
            {
                if (!TryNumber(m.Groups["start"].Value, out var start) || !TryNumber(m.Groups["end"].Value, out var end)) return null;
                if (start > end || start >= length) return null;
                result.Add(new ByteRange(start, Math.Min(end, length - 1)));
            }
            else if (hasStart)
            {
                if (!TryNumber(m.Groups["start"].Value, out var start) || start >= length) return null;
                result.Add(new ByteRange(start, length - 1));
            }
            else if (hasEnd)
            {
                if (!TryNumber(m.Groups["end"].Value, out var suffix) || suffix >= length) return [];
                if (suffix == 0) continue;
                result.Add(new ByteRange(length - suffix, length - 1));
            }
            else return null;
        }
        return result;
    }

    // Numbers too long for a long are past any body: treat them as such.
    private static bool TryNumber(string digits, out long value)
    {
        if (long.TryParse(digits, out value)) return true;
        value = long.MaxValue;
        return true;
    }
}
