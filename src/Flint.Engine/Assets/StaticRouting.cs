using System.Text.RegularExpressions;
using Flint.Engine.Config;

namespace Flint.Engine.Assets;

/// <summary>
/// <c>run_worker_first</c> given as rules: paths (with <c>*</c>) that go to the Worker before any asset,
/// and <c>!</c> rules that go to the assets whatever the Worker rules say. Validated with wrangler's
/// messages: at most 100 rules of under 100 characters, unique, not made redundant by a wider glob,
/// at least one positive rule.
/// </summary>
public sealed class StaticRouting
{
    public const int MaxRules = 100;
    public const int MaxRuleLength = 100;

    private readonly Regex[] _assetRules;
    private readonly Regex[] _workerRules;

    private StaticRouting(IReadOnlyList<string> assetRules, IReadOnlyList<string> workerRules)
    {
        AssetRules = assetRules;
        WorkerRules = workerRules;
        _assetRules = assetRules.Select(RulePattern.GlobOnly).ToArray();
        _workerRules = workerRules.Select(RulePattern.GlobOnly).ToArray();
    }

    public IReadOnlyList<string> AssetRules { get; }
    public IReadOnlyList<string> WorkerRules { get; }

    /// <summary>Parses the rules; throws <see cref="ConfigException"/> naming every invalid one.</summary>
    public static StaticRouting Parse(IReadOnlyList<string> rules, string key = "assets.run_worker_first")
    {
        if (rules.Count == 0)
            throw new ConfigException($"No `run_worker_first` rules were provided; must provide at least 1 rule. Set \"{key}\" to true, false, or a list of paths such as [\"/api/*\"].");
        if (rules.Count > MaxRules)
            throw new ConfigException($"Too many `run_worker_first` rules were provided; {rules.Count} rules provided exceeds max of {MaxRules}.");
        var rawAsset = new List<string>();
        var asset = new List<string>();
        var worker = new List<string>();
        var invalid = new List<string>();
        foreach (var rule in rules)
        {
            if (rule.StartsWith("!/", StringComparison.Ordinal)) { asset.Add(rule[1..]); rawAsset.Add(rule); }
            else if (rule.StartsWith('/')) worker.Add(rule);
            else if (rule.StartsWith('!')) invalid.Add($"'{rule}': negative rules must start with '!/'");
            else invalid.Add($"'{rule}': rules must start with '/' or '!/'");
        }
        if (asset.Count > 0 && worker.Count == 0)
            throw new ConfigException("Only negative `run_worker_first` rules were provided; must provide at least 1 non-negative rule");
        invalid.AddRange(Check(worker));
        invalid.AddRange(Check(rawAsset));
        if (invalid.Count > 0) throw new ConfigException("Invalid routes in `run_worker_first`:\n" + string.Join("\n", invalid));
        return new StaticRouting(asset, worker);
    }

    private static IEnumerable<string> Check(List<string> rules)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var rule in rules)
        {
            if (rule.Length > MaxRuleLength) yield return $"'{rule}': all rules must be less than {MaxRuleLength} characters in length";
            if (seen.Contains(rule)) yield return $"'{rule}': rule is a duplicate; rules must be unique";
            if (rule.EndsWith('*'))
            {
                foreach (var other in rules)
                {
                    if (other != rule && other.StartsWith(rule[..^1], StringComparison.Ordinal)) yield return $"'{other}': rule '{rule}' makes it redundant";
                }
            }
            seen.Add(rule);
        }
    }

    /// <summary>True when a <c>!</c> rule sends the path to the assets.</summary>
    public bool ToAssets(string pathname) => _assetRules.Any(r => r.IsMatch(pathname));

    /// <summary>True when a rule sends the path to the Worker first.</summary>
    public bool ToWorker(string pathname) => _workerRules.Any(r => r.IsMatch(pathname));
}
