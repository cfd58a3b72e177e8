using System.Text;
using System.Text.RegularExpressions;
using Cronos;

namespace Flint.Engine.Cron;

/// <summary>
/// A cron trigger as Cloudflare reads it (workers/configuration/cron-triggers): five fields
/// (minute, hour, day of month, month, day of week) in UTC, with <c>L</c>, <c>W</c> and <c>#</c> and
/// three-letter names. Weekdays are 1–7 with Sunday = 1, as in Quartz, so they are renumbered for
/// Cronos (Sunday = 0), which does the parsing and the arithmetic.
/// </summary>
public sealed partial class CronSchedule
{
    private static readonly string[] s_days = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
    private readonly CronExpression _expression;

    private CronSchedule(string text, CronExpression expression)
    {
        Text = text;
        _expression = expression;
    }

    /// <summary>The expression as written in the config (and as <c>controller.cron</c> gives it).</summary>
    public string Text { get; }

    /// <summary>Parses <paramref name="text"/>; throws <see cref="FormatException"/> saying what is wrong.</summary>
    public static CronSchedule Parse(string text)
    {
        var fields = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 5)
            throw new FormatException($"it has {fields.Length} field{(fields.Length == 1 ? "" : "s")}; Cloudflare's cron expressions have five: minute hour day-of-month month day-of-week (e.g. \"*/5 * * * *\")");
        fields[4] = Weekdays(fields[4]);
        try
        {
            return new CronSchedule(text, CronExpression.Parse(string.Join(' ', fields), CronFormat.Standard));
        }
        catch (CronFormatException ex)
        {
            throw new FormatException(ex.Message.TrimEnd('.'), ex);
        }
    }

    /// <summary>The first time after <paramref name="after"/> (exclusive) the trigger fires, or null if never.</summary>
    public DateTimeOffset? Next(DateTimeOffset after) => _expression.GetNextOccurrence(after, TimeZoneInfo.Utc);

    /// <summary>Renumbers a day-of-week field from Cloudflare's 1–7 (Sunday = 1) to Cronos's 0–6; names are kept.</summary>
    private static string Weekdays(string field)
    {
        var items = field.Split(',');
        var sb = new StringBuilder();
        foreach (var item in items)
        {
            if (sb.Length > 0) sb.Append(',');
            var slash = item.IndexOf('/');
            var (range, step) = slash < 0 ? (item, "") : (item[..slash], item[slash..]);
            // Names become Cronos's numbers too, so suffixes work the same on both ("friL" as "6L").
            range = DayName().Replace(range, m => (Array.IndexOf(s_days, m.Value.ToUpperInvariant()) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
            sb.Append(DayNumber().Replace(range, m =>
            {
                var n = int.Parse(m.Value, System.Globalization.CultureInfo.InvariantCulture);
                if (n is < 1 or > 7) throw new FormatException($"day of week {n} is out of range: weekdays are 1-7 (Sunday is 1) or SUN-SAT");
                return (n - 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            })).Append(step);
        }
        return sb.ToString();
    }

    // A weekday number: digits at the start of an item or after '-', not a count after '#'.
    [GeneratedRegex(@"(?<=^|-)\d+")]
    private static partial Regex DayNumber();

    [GeneratedRegex("SUN|MON|TUE|WED|THU|FRI|SAT", RegexOptions.IgnoreCase)]
    private static partial Regex DayName();

    public override string ToString() => Text;
}
