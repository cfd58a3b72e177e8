using System.Text.RegularExpressions;

namespace Flint.Engine.Assets;

/// <summary>One block of <c>_headers</c>: a path rule, the headers it sets (names lower-cased) and those it removes.</summary>
public sealed record HeaderRule(string Path, IReadOnlyList<KeyValuePair<string, string>> Set, IReadOnlyList<string> Unset);

/// <summary>
/// <c>_headers</c> parsed and applied as Cloudflare does: a path line (relative, or <c>https://host/path</c>
/// without a port; one <c>*</c> at most) followed by indented <c>Name: value</c> lines and <c>! Name</c>
/// removals; at most 100 rules and lines of 2,000 characters. Every matching rule applies, in order:
/// a header set by an earlier rule is appended to, one already on the response is replaced.
/// </summary>
public sealed partial class HeaderRules
{
    public const int MaxRules = 100;
    public const int MaxLineLength = 2000;

    private readonly List<(RulePattern Pattern, HeaderRule Rule)> _compiled;

    private HeaderRules(IReadOnlyList<HeaderRule> rules, IReadOnlyList<InvalidRule> invalid)
    {
        Rules = rules;
        Invalid = invalid;
        _compiled = rules.Select(r => (RulePattern.Compile(r.Path), r)).Where(p => p.Item1 is not null).Select(p => (p.Item1!, p.r)).ToList();
    }

    public static readonly HeaderRules None = new([], []);

    public IReadOnlyList<HeaderRule> Rules { get; }
    public IReadOnlyList<InvalidRule> Invalid { get; }

    [GeneratedRegex(@"^([^\s]+://|^/)")]
    private static partial Regex LooksLikePath();

    [GeneratedRegex(@":splat(?![A-Za-z0-9_])")]
    private static partial Regex SplatPlaceholder();

    public static HeaderRules Parse(string input)
    {
        var lines = input.Split('\n');
        var rules = new List<HeaderRule>();
        var invalid = new List<InvalidRule>();
        string? path = null, pathLine = null;
        List<KeyValuePair<string, string>>? set = null;
        List<string>? unset = null;
        var skipUntilNextPath = false;

        void Close(int? lineNumber)
        {
            if (path is null) return;
            if (set!.Count > 0 || unset!.Count > 0) rules.Add(new HeaderRule(path, set, unset!));
            else invalid.Add(new InvalidRule("No headers specified", pathLine, lineNumber));
        }

        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            if (line.Length > MaxLineLength)
            {
                invalid.Add(new InvalidRule($"Ignoring line {i + 1} as it exceeds the maximum allowed length of {MaxLineLength}."));
                continue;
            }
            if (LooksLikePath().IsMatch(line))
            {
                skipUntilNextPath = false;
                if (rules.Count >= MaxRules)
                {
                    invalid.Add(new InvalidRule($"Maximum number of rules supported is {MaxRules}. Skipping remaining {lines.Length - i} lines of file."));
                    path = null;
                    break;
                }
                Close(i + 1);
                path = null;
                var (url, error) = RuleUrl.Validate(line, disallowPorts: true);
                error ??= url is null ? null : MultipleWildcards(url);
                if (error is not null)
                {
                    invalid.Add(new InvalidRule(error, line, i + 1));
                    skipUntilNextPath = true;
                    continue;
                }
                (path, pathLine, set, unset) = (url, line, [], []);
                continue;
            }
            if (skipUntilNextPath) continue;
            var colon = line.IndexOf(':');
            if (colon < 0)
            {
                if (path is null) invalid.Add(new InvalidRule("Expected a path beginning with at least one forward-slash", line, i + 1));
                else if (line.StartsWith("! ", StringComparison.Ordinal)) unset!.Add(ReplaceFirst(line, "! "));
                else invalid.Add(new InvalidRule("Expected a colon-separated header pair (e.g. name: value)", line, i + 1));
                continue;
            }
            var name = line[..colon].Trim().ToLowerInvariant();
            if (name.Contains(' '))
            {
                invalid.Add(new InvalidRule("Header name cannot include spaces", line, i + 1));
                continue;
            }
            var value = line[(colon + 1)..].Trim();
            if (name.Length == 0)
            {
                invalid.Add(new InvalidRule("No header name specified", line, i + 1));
                continue;
            }
            if (value.Length == 0)
            {
                invalid.Add(new InvalidRule("No header value specified", line, i + 1));
                continue;
            }
            if (path is null)
            {
                invalid.Add(new InvalidRule($"Path should come before header ({name}: {value})", line, i + 1));
                continue;
            }
            var existing = set!.FindIndex(h => h.Key == name);
            if (existing >= 0) set[existing] = new(name, $"{set[existing].Value}, {value}");
            else set.Add(new(name, value));
        }
        Close(null);
        return new HeaderRules(rules, invalid);
    }

    private static string ReplaceFirst(string s, string what)
    {
        var i = s.IndexOf(what, StringComparison.Ordinal);
        return i < 0 ? s : s[..i] + s[(i + what.Length)..];
    }

    private static string? MultipleWildcards(string path)
    {
        var wildcards = path.Count(c => c == '*');
        if (wildcards > 1) return $"Only one wildcard is allowed per rule. Use a named placeholder (e.g. :project) instead. Skipping {path}.";
        if (wildcards > 0 && SplatPlaceholder().IsMatch(path))
            return $"Cannot combine a wildcard * with a :splat placeholder because wildcards are converted to :splat at runtime. Skipping {path}.";
        return null;
    }

    /// <summary>Applies every rule that matches the request to <paramref name="headers"/> (a response's, in order).</summary>
    public void Apply(string hostname, string pathname, ResponseHeaders headers)
    {
        if (_compiled.Count == 0) return;
        var setByRules = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (pattern, rule) in _compiled)
        {
            if (pattern.Match(hostname, pathname) is not { } captures) continue;
            foreach (var name in rule.Unset) headers.Remove(name);
            foreach (var (name, value) in rule.Set)
            {
                var replaced = RulePattern.Replace(value, captures);
                if (setByRules.Add(name)) headers.Set(name, replaced);
                else headers.Append(name, replaced);
            }
        }
    }
}
