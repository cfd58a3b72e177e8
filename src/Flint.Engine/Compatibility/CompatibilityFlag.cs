namespace Flint.Engine.Compatibility;

/// <summary>
/// One behaviour workerd switches by compatibility date or flag, as compatibility-date.capnp
/// declares it: the flag that turns it on before its date, the one that keeps it off after, the
/// date from which it is on, and the flags that imply it from a date on.
/// </summary>
/// <param name="Field">The field's name in workerd's CompatibilityFlags struct (the behaviour).</param>
/// <param name="Ordinal">Its position there; implied flags are resolved in this order, as workerd does.</param>
/// <param name="EnableFlag">The name in <c>compatibility_flags</c> that turns it on, if any.</param>
/// <param name="DisableFlag">The name that keeps it off after its date, if any.</param>
/// <param name="EnableDate">The compatibility date (YYYY-MM-DD) from which it is on without a flag, if any.</param>
/// <param name="EnableAllDates">On for every date.</param>
/// <param name="Experimental">Only with workerd's <c>--experimental</c> (which wrangler dev passes).</param>
/// <param name="NeededByFl">Read by Cloudflare's proxy in front of Workers; no effect in a local runtime.</param>
/// <param name="ImpliedBy">Other behaviours that turn this one on when the date is on or after a given date.</param>
/// <param name="Summary">The first sentence of workerd's comment on it.</param>
public sealed record CompatibilityFlag(
    string Field,
    int Ordinal,
    string? EnableFlag,
    string? DisableFlag,
    string? EnableDate,
    bool EnableAllDates,
    bool Experimental,
    bool NeededByFl,
    IReadOnlyList<ImpliedByAfterDate> ImpliedBy,
    string Summary)
{
    /// <summary>The name people know it by: its enable flag, else its field.</summary>
    public string Name => EnableFlag ?? Field;
}

/// <summary>The behaviour is on when any of <paramref name="Fields"/> is and the compatibility date is on or after <paramref name="Date"/>.</summary>
public sealed record ImpliedByAfterDate(IReadOnlyList<string> Fields, string Date);
