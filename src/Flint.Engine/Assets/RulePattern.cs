using System.Text;
using System.Text.RegularExpressions;

namespace Flint.Engine.Assets;

/// <summary>
/// A path rule of <c>_headers</c> / <c>_redirects</c> compiled as the asset worker compiles it: <c>*</c>
/// captures a <c>splat</c>, <c>:name</c> a placeholder (one path segment; in an <c>https://</c> rule's
/// host, one label), the rest literal, the whole anchored. A rule with an absolute URL is matched
/// against <c>https://{hostname}{pathname}</c> whatever the request's scheme, as on Cloudflare.
/// </summary>
public sealed partial class RulePattern
{
    private readonly Regex _regex;

    private RulePattern(string rule, Regex regex, bool crossHost)
    {
        Rule = rule;
        _regex = regex;
        CrossHost = crossHost;
    }

    public string Rule { get; }
    public bool CrossHost { get; }

    [GeneratedRegex(@"(?<=^https:\\/\\/[^/]*?):([A-Za-z][A-Za-z0-9_]*)(?=\\)")]
    private static partial Regex HostPlaceholder();

    [GeneratedRegex(":([A-Za-z][A-Za-z0-9_]*)")]
    private static partial Regex Placeholder();

    /// <summary>Compiles a rule; null when the asset worker's RegExp would fail (then the rule is skipped, as there).</summary>
    public static RulePattern? Compile(string rule)
    {
        var pattern = string.Join("(?<splat>.*)", rule.Split('*').Select(EscapeRegex));
        foreach (Match m in HostPlaceholder().Matches(pattern))
            pattern = pattern.Replace(m.Value, $"(?<{m.Groups[1].Value}>[^/.]+)", StringComparison.Ordinal);
        foreach (Match m in Placeholder().Matches(pattern))
            pattern = pattern.Replace(m.Value, $"(?<{m.Groups[1].Value}>[^/]+)", StringComparison.Ordinal);
        pattern = "^" + pattern + "$";
        try
        {
            var regex = new Regex(pattern, RegexOptions.CultureInvariant);
            // JavaScript refuses a group name used twice; .NET would merge them.
            var names = regex.GetGroupNames().Where(n => !int.TryParse(n, out _)).ToList();
            if (CountNamedGroups(pattern) != names.Count) return null;
            return new RulePattern(rule, regex, rule.StartsWith("https://", StringComparison.Ordinal));
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static int CountNamedGroups(string pattern) => NamedGroup().Count(pattern);

    [GeneratedRegex(@"\(\?<[A-Za-z]")]
    private static partial Regex NamedGroup();

    /// <summary>The rule's captures when it matches (in the order the groups appear), else null.</summary>
    public IReadOnlyList<(string Name, string Value)>? Match(string hostname, string pathname)
    {
        var test = CrossHost ? $"https://{hostname}{pathname}" : pathname;
        var m = _regex.Match(test);
        if (!m.Success) return null;
        var groups = new List<(string, string)>();
        foreach (Group g in m.Groups)
        {
            if (int.TryParse(g.Name, out _)) continue;
            // An unmatched group is `undefined` in JavaScript, which replaceAll() writes as text.
            groups.Add((g.Name, g.Success ? g.Value : "undefined"));
        }
        return groups;
    }

    /// <summary>The asset worker's replacer: every <c>:name</c> in <paramref name="text"/> becomes its capture.</summary>
    public static string Replace(string text, IReadOnlyList<(string Name, string Value)> captures)
    {
        foreach (var (name, value) in captures) text = text.Replace(":" + name, value, StringComparison.Ordinal);
        return text;
    }

    /// <summary>A <c>run_worker_first</c> / <c>_routes.json</c>-style rule: <c>*</c> matches anything, nothing else is special.</summary>
    public static Regex GlobOnly(string rule) =>
        new("^" + string.Join(".*", rule.Split('*').Select(EscapeRegex)) + "$", RegexOptions.CultureInvariant);

    private static string EscapeRegex(string s)
    {
        var sb = new StringBuilder(s.Length + 8);
        foreach (var c in s)
        {
            if (c is '-' or '/' or '\\' or '^' or '$' or '*' or '+' or '?' or '.' or '(' or ')' or '|' or '[' or ']' or '{' or '}') sb.Append('\\');
            sb.Append(c);
        }
        return sb.ToString();
    }
}
