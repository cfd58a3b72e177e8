using System.Globalization;

namespace Flint.Engine.Compatibility;

/// <summary>A resolution: the behaviours, and workerd's errors and warnings about the flags (plus Flint's own warnings).</summary>
public sealed record CompatibilityResolution(CompatibilitySettings Settings, IReadOnlyList<string> Errors, IReadOnlyList<string> Warnings);

/// <summary>
/// Resolves a compatibility date and flags into the enabled behaviours the way workerd's
/// compileCompatibilityFlags does (io/compatibility-date.c++): a behaviour is on when its enable
/// flag is given, or when the date is on or after its enable date and its disable flag is not
/// given; then behaviours implied by others from a date on are turned on. Errors and warnings use
/// workerd's words. Flint adds a warning for each flag it does not act on yet.
/// </summary>
public static class CompatibilityResolver
{
    /// <param name="date">YYYY-MM-DD; validated by the config reader (a bad one is an error here too).</param>
    /// <param name="flags">The Worker's <c>compatibility_flags</c>.</param>
    /// <param name="allowExperimental">Accept experimental flags, as workerd does with <c>--experimental</c> (wrangler dev passes it).</param>
    public static CompatibilityResolution Resolve(string date, IReadOnlyList<string> flags, bool allowExperimental)
    {
        var errors = new List<string>();
        var warnings = new List<string>();
        if (!IsCompatibilityDate(date)) errors.Add($"Invalid compatibility date: {date}");

        var given = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in flags)
        {
            if (!given.Add(name)) errors.Add($"Compatibility flag specified multiple times: {name}");
        }

        var all = WorkerdFlags.All;
        var enabled = new Dictionary<string, bool>(all.Count, StringComparer.Ordinal);
        var implied = new List<(CompatibilityFlag Flag, string Other)>();
        foreach (var flag in all)
        {
            var byFlag = flag.EnableFlag is { } e && given.Contains(e);
            var disabledByFlag = flag.DisableFlag is { } d && given.Contains(d);
            var byDate = flag.EnableAllDates || (flag.EnableDate is { } on && string.CompareOrdinal(date, on) >= 0);

            if (byFlag && disabledByFlag)
                errors.Add($"Compatibility flags are mutually contradictory: {flag.EnableFlag} vs {flag.DisableFlag}");
            if (byFlag && byDate)
            {
                warnings.Add(flag.EnableDate is { } since
                    ? $"The compatibility flag {flag.EnableFlag} became the default as of {since} so does not need to be specified anymore."
                    : $"The compatibility flag {flag.EnableFlag} is the default, so does not need to be specified anymore.");
            }
            if (byFlag && flag.Experimental && !allowExperimental)
            {
                errors.Add($"The compatibility flag {flag.EnableFlag} is experimental and may break or be removed in a future version of workerd. " +
                           "To use this flag, you must pass --experimental on the command line.");
            }
            if (!disabledByFlag)
            {
                foreach (var by in flag.ImpliedBy)
                {
                    if (string.CompareOrdinal(date, by.Date) < 0) continue;
                    foreach (var other in by.Fields) implied.Add((flag, other));
                }
            }
            enabled[flag.Field] = byFlag || (byDate && !disabledByFlag);
            WarnIfNotActedOn(flag, byFlag, disabledByFlag, warnings);
        }
        // In the order workerd applies them: a behaviour implied by one that is itself implied
        // (enable_nodejs_http_server_modules by enable_nodejs_http_modules by nodejs_compat) follows it.
        foreach (var (flag, other) in implied)
        {
            if (enabled.GetValueOrDefault(other)) enabled[flag.Field] = true;
        }
        foreach (var name in flags)
        {
            if (!WorkerdFlags.TryGetByName(name, out _, out _)) errors.Add($"No such compatibility flag: {name}");
        }
        var enabledFlags = all.Where(f => enabled[f.Field]);
        return new CompatibilityResolution(new CompatibilitySettings(date, flags, enabledFlags), errors.Distinct().ToList(), warnings);
    }

    private static void WarnIfNotActedOn(CompatibilityFlag flag, bool byFlag, bool disabledByFlag, List<string> warnings)
    {
        var support = FlintFlagSupport.Of(flag);
        if (byFlag && support == FlagSupport.AlwaysOff)
            warnings.Add($"Flint does not implement the compatibility flag {flag.EnableFlag} yet: it has no effect here.");
        else if (disabledByFlag && support == FlagSupport.AlwaysOn)
            warnings.Add($"Flint does not implement the compatibility flag {flag.DisableFlag} yet: Flint always behaves as {flag.EnableFlag} describes.");
    }

    /// <summary>workerd's date check: YYYY-MM-DD with a year from 2000 to 2999 (it does not check the day against the month).</summary>
    public static bool IsCompatibilityDate(string date) =>
        date.Length == 10 && date[0] == '2' && date[4] == '-' && date[7] == '-' &&
        date.All(c => c is '-' or (>= '0' and <= '9')) &&
        int.TryParse(date.AsSpan(5, 2), CultureInfo.InvariantCulture, out var month) && month is >= 1 and <= 12 &&
        int.TryParse(date.AsSpan(8, 2), CultureInfo.InvariantCulture, out var day) && day is >= 1 and <= 31 &&
        date.Count(c => c == '-') == 2;

    /// <summary>Today's date (UTC) as a compatibility date.</summary>
    public static string Today() => DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
