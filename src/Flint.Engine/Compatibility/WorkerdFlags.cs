namespace Flint.Engine.Compatibility;

/// <summary>
/// Every compatibility flag workerd knows (<see cref="All"/>, generated into WorkerdFlags.g.cs by
/// generate-workerd-flags.mjs from workerd's compatibility-date.capnp; check-workerd-flags.mjs
/// compares it with a workerd binary).
/// </summary>
internal static partial class WorkerdFlags
{
    public static IReadOnlyList<CompatibilityFlag> All => s_fromSource;

    public static CompatibilityFlag? ByField(string field) => Index.ByField.GetValueOrDefault(field);

    /// <summary>The behaviour a name in <c>compatibility_flags</c> switches, and whether it turns it on or off.</summary>
    public static bool TryGetByName(string name, out CompatibilityFlag flag, out bool enables)
    {
        if (Index.ByName.TryGetValue(name, out var entry))
        {
            (flag, enables) = entry;
            return true;
        }
        (flag, enables) = (null!, false);
        return false;
    }

    // In a class of its own: static fields of the generated part may be initialized after this part's.
    private static class Index
    {
        public static readonly Dictionary<string, CompatibilityFlag> ByField = s_fromSource.ToDictionary(f => f.Field, StringComparer.Ordinal);
        public static readonly Dictionary<string, (CompatibilityFlag Flag, bool Enables)> ByName = BuildNames();
    }

    private static Dictionary<string, (CompatibilityFlag, bool)> BuildNames()
    {
        var names = new Dictionary<string, (CompatibilityFlag, bool)>(StringComparer.Ordinal);
        foreach (var f in s_fromSource)
        {
            if (f.EnableFlag is { } e) names[e] = (f, true);
            if (f.DisableFlag is { } d) names[d] = (f, false);
        }
        return names;
    }
}
