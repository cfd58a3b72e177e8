using System.Text.RegularExpressions;

namespace Flint.Engine.Assets;

/// <summary>One line of <c>_redirects</c>: from, to, status (200 rewrites the path without redirecting).</summary>
public sealed record RedirectRule(string From, string To, int Status, int LineNumber);

/// <summary>A line wrangler skips, with its reason (logged as wrangler logs it).</summary>
public sealed record InvalidRule(string Message, string? Line = null, int? LineNumber = null);

/// <summary>
/// <c>_redirects</c> parsed and matched as Cloudflare does: <c>from to [status]</c> per line (# comments,
/// status 200/301/302/303/307/308, 302 by default), at most 2,000 static and 100 dynamic (splat or
/// placeholder) rules, lines of at most 2,000 characters. Static rules before the first dynamic one are
/// looked up exactly (by <c>https://host/path</c> or path, the earlier line winning); the rest are
/// tried in order.
/// </summary>
public sealed partial class RedirectRules
{
    public const int MaxStaticRules = 2000;
    public const int MaxDynamicRules = 100;
    public const int MaxLineLength = 2000;
    private static readonly HashSet<int> PermittedStatus = [200, 301, 302, 303, 307, 308];

    private readonly Dictionary<string, RedirectRule> _static;
    private readonly List<(RulePattern Pattern, RedirectRule Rule)> _dynamic;

    private RedirectRules(IReadOnlyList<RedirectRule> rules, IReadOnlyList<InvalidRule> invalid,
        Dictionary<string, RedirectRule> staticRules, List<(RulePattern, RedirectRule)> dynamic, IReadOnlyList<string> notes)
    {
        Rules = rules;
        Invalid = invalid;
        _static = staticRules;
        _dynamic = dynamic;
        Notes = notes;
    }

    public static readonly RedirectRules None = new([], [], new(StringComparer.Ordinal), [], []);

    public IReadOnlyList<RedirectRule> Rules { get; }
    public IReadOnlyList<InvalidRule> Invalid { get; }
    /// <summary>Hints wrangler logs at info level (a static rule placed after dynamic ones).</summary>
    public IReadOnlyList<string> Notes { get; }

    [GeneratedRegex(@"\s+#.*$", RegexOptions.Singleline)]
    private static partial Regex InlineComment();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(":[A-Za-z][A-Za-z0-9_]*")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"/index(\.html)?$")]
    private static partial Regex ToIndex();

    [GeneratedRegex(@"^(\w+://)")]
    private static partial Regex Protocol();

    private static bool IsDynamic(string from) => from.Contains('*') || Placeholder().IsMatch(from);

    /// <param name="htmlHandling">The assets' html_handling (<c>/ /index</c> loops only when it is not "none"); null for Pages.</param>
    public static RedirectRules Parse(string input, string? htmlHandling = null)
    {
        var lines = input.Split('\n');
        var rules = new List<RedirectRule>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var invalid = new List<InvalidRule>();
        int staticCount = 0, dynamicCount = 0;
        var canCreateStatic = true;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            if (line.Length > MaxLineLength)
            {
                invalid.Add(new InvalidRule($"Ignoring line {i + 1} as it exceeds the maximum allowed length of {MaxLineLength}."));
                continue;
            }
            var tokens = Whitespace().Split(InlineComment().Replace(line, ""));
            if (tokens.Length is < 2 or > 3)
            {
                invalid.Add(new InvalidRule($"Expected exactly 2 or 3 whitespace-separated tokens. Got {tokens.Length}.", line, i + 1));
                continue;
            }
            var statusText = tokens.Length == 3 ? tokens[2] : "302";
            var (from, fromError) = RuleUrl.Validate(tokens[0], onlyRelative: true, disallowPorts: true);
            if (from is null)
            {
                invalid.Add(new InvalidRule(fromError!, line, i + 1));
                continue;
            }
            if (canCreateStatic && !IsDynamic(from))
            {
                if (++staticCount > MaxStaticRules)
                {
                    invalid.Add(new InvalidRule($"Maximum number of static rules supported is {MaxStaticRules}. Skipping line."));
                    continue;
                }
            }
            else
            {
                canCreateStatic = false;
                if (++dynamicCount > MaxDynamicRules)
                {
                    invalid.Add(new InvalidRule($"Maximum number of dynamic rules supported is {MaxDynamicRules}. Skipping remaining {lines.Length - i} lines of file."));
                    break;
                }
            }
            var (to, toError) = RuleUrl.Validate(tokens[1], includeSearch: true, includeHash: true);
            if (to is null)
            {
                invalid.Add(new InvalidRule(toError!, line, i + 1));
                continue;
            }
            if (!int.TryParse(statusText, System.Globalization.NumberStyles.None, null, out var status) || !PermittedStatus.Contains(status))
            {
                invalid.Add(new InvalidRule($"Valid status codes are 200, 301, 302 (default), 303, 307, or 308. Got {statusText}.", line, i + 1));
                continue;
            }
            // `/* /index.html` always loops, `/ /index` too while html_handling strips /index.
            var relative = !RuleUrl.HasHost(to);
            var wildcardToIndex = from.EndsWith("/*", StringComparison.Ordinal) && ToIndex().IsMatch(to);
            var rootToIndex = from.EndsWith('/') && ToIndex().IsMatch(to);
            if (relative && (wildcardToIndex || (rootToIndex && htmlHandling != "none")))
            {
                invalid.Add(new InvalidRule("Infinite loop detected in this rule and has been ignored. This will cause a redirect to strip `.html` or `/index` and end up triggering this rule again. Please fix or remove this rule to silence this warning.", line, i + 1));
                continue;
            }
            if (!seen.Add(from))
            {
                invalid.Add(new InvalidRule($"Ignoring duplicate rule for path {from}.", line, i + 1));
                continue;
            }
            if (status == 200 && RuleUrl.HasHost(to))
            {
                invalid.Add(new InvalidRule($"Proxy (200) redirects can only point to relative paths. Got {to}", line, i + 1));
                continue;
            }
            rules.Add(new RedirectRule(from, to, status, i + 1));
        }

        // As wrangler uploads them: static rules up to the first dynamic one, then the rest in order.
        var statics = new Dictionary<string, RedirectRule>(StringComparer.Ordinal);
        var dynamic = new List<(RulePattern, RedirectRule)>();
        var notes = new List<string>();
        var staticAllowed = true;
        foreach (var rule in rules)
        {
            if (!IsDynamic(rule.From))
            {
                if (staticAllowed)
                {
                    statics[rule.From] = rule;
                    continue;
                }
                notes.Add($"The redirect rule {rule.From} → {rule.Status} {rule.To} could be made more performant by bringing it above any lines with splats or placeholders.");
            }
            if (RulePattern.Compile(rule.From) is { } pattern) dynamic.Add((pattern, rule));
            staticAllowed = false;
        }
        return new RedirectRules(rules, invalid, statics, dynamic, notes);
    }

    /// <summary>The rule a request matches, with its target's placeholders filled in, or null.</summary>
    /// <param name="asWritten">Pages: the target with its placeholders filled in and nothing else changed.</param>
    public (int Status, string To)? Match(string host, string hostname, string pathname, bool asWritten = false)
    {
        _static.TryGetValue($"https://{host}{pathname}", out var withHost);
        _static.TryGetValue(pathname, out var withoutHost);
        var found = withHost is not null && withoutHost is not null
            ? (withHost.LineNumber < withoutHost.LineNumber ? withHost : withoutHost)
            : withHost ?? withoutHost;
        if (found is not null) return (found.Status, found.To);
        foreach (var (pattern, rule) in _dynamic)
        {
            if (pattern.Match(hostname, pathname) is not { } captures) continue;
            var target = RulePattern.Replace(rule.To, captures);
            if (asWritten) return (rule.Status, target);
            target = target.Trim();
            // A relative target loses runs of slashes; an external one is kept as written.
            return (rule.Status, Protocol().IsMatch(target) ? target : AssetPaths.CollapseSlashes(target));
        }
        return null;
    }
}
