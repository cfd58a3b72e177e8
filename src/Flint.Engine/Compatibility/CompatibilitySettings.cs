using System.Collections.Frozen;

namespace Flint.Engine.Compatibility;

/// <summary>
/// The behaviours a Worker gets from its compatibility date and flags, resolved as workerd
/// resolves them (<see cref="CompatibilityResolver"/>). Ask by the name Cloudflare documents,
/// the flag that turns the behaviour on: <c>IsEnabled("nodejs_compat")</c>.
/// </summary>
public sealed class CompatibilitySettings
{
    private readonly FrozenSet<string> _enabled;

    internal CompatibilitySettings(string date, IReadOnlyList<string> flags, IEnumerable<CompatibilityFlag> enabled)
    {
        Date = date;
        Flags = flags;
        _enabled = enabled.Select(f => f.Name).ToFrozenSet(StringComparer.Ordinal);
    }

    /// <summary>The compatibility date the behaviours were resolved for (YYYY-MM-DD).</summary>
    public string Date { get; }

    /// <summary>The <c>compatibility_flags</c> as written.</summary>
    public IReadOnlyList<string> Flags { get; }

    /// <summary>Names of every enabled behaviour (enable-flag names; a field name for the few without one).</summary>
    public IReadOnlySet<string> Enabled => _enabled;

    /// <summary>
    /// Whether the behaviour that <paramref name="enableFlag"/> turns on is enabled for this Worker.
    /// Throws for a name workerd does not know, so a typo in Flint's code cannot pass silently.
    /// </summary>
    public bool IsEnabled(string enableFlag)
    {
        if (!WorkerdFlags.TryGetByName(enableFlag, out var flag, out var enables) || !enables)
            throw new ArgumentException($"\"{enableFlag}\" is not the enable flag of a behaviour workerd knows.", nameof(enableFlag));
        return _enabled.Contains(flag.Name);
    }

    /// <summary>The behaviours of a Worker with no flags and today's date, as wrangler dev gives one without a compatibility_date.</summary>
    public static CompatibilitySettings Default => s_default.Value;

    private static readonly Lazy<CompatibilitySettings> s_default = new(() =>
        CompatibilityResolver.Resolve(CompatibilityResolver.Today(), [], allowExperimental: true).Settings);
}
