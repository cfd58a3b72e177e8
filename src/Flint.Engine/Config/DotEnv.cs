using System.Text;

namespace Flint.Engine.Config;

/// <summary>
/// Reads <c>.dev.vars</c> / <c>.env</c> files the way the <c>dotenv</c> package wrangler uses does:
/// <c>KEY=value</c> (or <c>KEY: value</c>), an optional <c>export </c> prefix, <c>#</c> comments,
/// single, double or back quotes (which may span lines), and <c>\n</c> / <c>\r</c> escapes in double
/// quotes. Unquoted values end at <c>#</c> and are trimmed. A later key wins over an earlier one.
/// </summary>
public static class DotEnv
{
    /// <summary>One problem line, for a warning: dotenv skips such lines silently.</summary>
    public sealed record Issue(int Line, string Text);

    public static IReadOnlyDictionary<string, string> Parse(string text) => Parse(text, out _);

    public static IReadOnlyDictionary<string, string> Parse(string text, out IReadOnlyList<Issue> issues)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var problems = new List<Issue>();
        text = text.Replace("\r\n", "\n").Replace('\r', '\n');
        if (text.Length > 0 && text[0] == '\uFEFF') text = text[1..];
        var pos = 0;
        var line = 1;
        while (pos < text.Length)
        {
            var lineStart = pos;
            var startLine = line;
            var end = text.IndexOf('\n', pos);
            if (end < 0) end = text.Length;
            var i = pos;
            SkipSpaces(text, ref i, end);
            if (i >= end || text[i] == '#')
            {
                Advance(ref pos, ref line, end, text);
                continue;
            }
            if (string.CompareOrdinal(text, i, "export", 0, 6) == 0 && i + 6 < end && text[i + 6] is ' ' or '\t')
            {
                i += 6;
                SkipSpaces(text, ref i, end);
            }
            var keyStart = i;
            while (i < end && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '_' or '.' or '-')) i++;
            var key = text[keyStart..i];
            SkipSpaces(text, ref i, end);
            var separated = false;
            if (i < end && text[i] == '=') { i++; separated = true; }
            else if (i < end && text[i] == ':' && (i + 1 >= end || text[i + 1] is ' ' or '\t')) { i++; separated = true; }
            if (key.Length == 0 || !separated)
            {
                problems.Add(new Issue(startLine, text[lineStart..end]));
                Advance(ref pos, ref line, end, text);
                continue;
            }
            SkipSpaces(text, ref i, end);
            string value;
            if (i < end && text[i] is '"' or '\'' or '`' && FindClosingQuote(text, i) is var close && close > 0)
            {
                var quote = text[i];
                value = text[(i + 1)..close];
                if (quote == '"') value = value.Replace("\\n", "\n").Replace("\\r", "\r");
                // Whatever follows the closing quote up to the end of its line is ignored (normally a comment).
                for (var k = i; k < close; k++) if (text[k] == '\n') line++;
                end = text.IndexOf('\n', close);
                if (end < 0) end = text.Length;
            }
            else
            {
                var hash = text.IndexOf('#', i, end - i);
                value = text[i..(hash < 0 ? end : hash)].Trim();
            }
            result[key] = value;
            Advance(ref pos, ref line, end, text);
        }
        issues = problems;
        return result;
    }

    /// <summary>
    /// Expands <c>${NAME}</c>, <c>${NAME:-default}</c> and <c>$NAME</c> from <paramref name="values"/> as
    /// dotenv-expand does for <c>.env</c> files (not for <c>.dev.vars</c>); <c>\$</c> is a literal dollar.
    /// </summary>
    public static Dictionary<string, string> Expand(IReadOnlyDictionary<string, string> values)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in values) result[key] = ExpandOne(value, values, 0);
        return result;
    }

    private static string ExpandOne(string value, IReadOnlyDictionary<string, string> values, int depth)
    {
        if (depth > 10 || !value.Contains('$')) return value;
        var sb = new StringBuilder();
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '\\' && i + 1 < value.Length && value[i + 1] == '$') { sb.Append('$'); i++; continue; }
            if (c != '$' || i + 1 >= value.Length) { sb.Append(c); continue; }
            string name;
            string? fallback = null;
            if (value[i + 1] == '{')
            {
                var close = value.IndexOf('}', i + 2);
                if (close < 0) { sb.Append(c); continue; }
                var inner = value[(i + 2)..close];
                var dash = inner.IndexOf(":-", StringComparison.Ordinal);
                if (dash >= 0) { fallback = inner[(dash + 2)..]; inner = inner[..dash]; }
                name = inner;
                i = close;
            }
            else
            {
                var j = i + 1;
                while (j < value.Length && (char.IsAsciiLetterOrDigit(value[j]) || value[j] == '_')) j++;
                if (j == i + 1) { sb.Append(c); continue; }
                name = value[(i + 1)..j];
                i = j - 1;
            }
            if (values.TryGetValue(name, out var v) && v.Length > 0) sb.Append(ExpandOne(v, values, depth + 1));
            else if (fallback is not null) sb.Append(ExpandOne(fallback, values, depth + 1));
        }
        return sb.ToString();
    }

    private static int FindClosingQuote(string text, int open)
    {
        var quote = text[open];
        for (var k = open + 1; k < text.Length; k++)
        {
            if (text[k] == '\\' && k + 1 < text.Length && text[k + 1] == quote) { k++; continue; }
            if (text[k] == quote)
            {
                // dotenv only takes the quoted form when the rest of that line is blank or a comment.
                var j = k + 1;
                while (j < text.Length && text[j] is ' ' or '\t') j++;
                return j >= text.Length || text[j] is '\n' or '#' ? k : -1;
            }
        }
        return -1;
    }

    private static void SkipSpaces(string text, ref int i, int end)
    {
        while (i < end && text[i] is ' ' or '\t') i++;
    }

    private static void Advance(ref int pos, ref int line, int end, string text)
    {
        pos = end + 1;
        line++;
    }
}
