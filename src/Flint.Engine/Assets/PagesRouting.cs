using System.Text.RegularExpressions;

namespace Flint.Engine.Assets;

/// <summary>
/// Which requests of a Pages project reach its Worker (Functions or <c>_worker.js</c>): those a rule of
/// <see cref="Include"/> matches and no rule of <see cref="Exclude"/> does (<c>_routes.json</c>, or the
/// routes of the Functions); the rest are served from the assets without running it. Without a
/// Worker every request is an asset. Rules as Pages reads them: <c>/foo/*</c> also matches <c>/foo</c>,
/// <c>/foo</c> also <c>/foo/</c>, <c>*</c> anything.
/// </summary>
public sealed class PagesRouting
{
    private readonly Regex[] _include;
    private readonly Regex[] _exclude;

    public PagesRouting(bool hasWorker, IReadOnlyList<string> include, IReadOnlyList<string> exclude)
    {
        HasWorker = hasWorker;
        Include = include;
        Exclude = exclude;
        _include = include.Select(ToRegex).ToArray();
        _exclude = exclude.Select(ToRegex).ToArray();
    }

    public bool HasWorker { get; }
    public IReadOnlyList<string> Include { get; }
    public IReadOnlyList<string> Exclude { get; }

    public bool ToWorker(string pathname) =>
        HasWorker && !_exclude.Any(r => r.IsMatch(pathname)) && _include.Any(r => r.IsMatch(pathname));

    /// <summary>wrangler's isRoutingRuleMatch, as a regular expression.</summary>
    public static Regex ToRegex(string rule)
    {
        string transformed;
        if (rule is "/" or "/*") transformed = rule;
        else if (rule.EndsWith("/*", StringComparison.Ordinal)) transformed = rule[..^2] + "(/*)?";
        else if (rule.EndsWith('/')) transformed = rule[..^1] + "(/)?";
        else if (rule.EndsWith('*')) transformed = rule;
        else transformed = rule + "(/)?";
        return new Regex("^" + transformed.Replace(".", "\\.").Replace("*", ".*") + "$", RegexOptions.CultureInvariant);
    }
}
