using Flint.Engine.Cron;

namespace Flint.Engine.Tests.Cron;

/// <summary>Cloudflare's cron syntax (the examples of workers/configuration/cron-triggers), read the way Cloudflare reads it.</summary>
public sealed class CronScheduleTests
{
    // Wednesday 2026-01-14 10:07:30 UTC.
    private static readonly DateTimeOffset s_now = new(2026, 1, 14, 10, 7, 30, TimeSpan.Zero);

    [Theory]
    [InlineData("* * * * *", "2026-01-14T10:08:00")]
    [InlineData("*/30 * * * *", "2026-01-14T10:30:00")]
    [InlineData("45 * * * *", "2026-01-14T10:45:00")]
    [InlineData("0 17 * * sun", "2026-01-18T17:00:00")]        // Sunday
    [InlineData("0 17 * * 1", "2026-01-18T17:00:00")]          // 1 is Sunday too
    [InlineData("10 7 * * mon-fri", "2026-01-15T07:10:00")]    // the next weekday
    [InlineData("10 7 * * 2-6", "2026-01-15T07:10:00")]        // 2-6 is Monday to Friday
    [InlineData("0 15 1 * *", "2026-02-01T15:00:00")]
    [InlineData("0 18 * * 6L", "2026-01-30T18:00:00")]         // the last Friday of January 2026
    [InlineData("0 18 * * friL", "2026-01-30T18:00:00")]
    [InlineData("59 23 LW * *", "2026-01-30T23:59:00")]        // the last weekday of January 2026
    [InlineData("0 9 * * 2#3", "2026-01-19T09:00:00")]         // the third Monday
    [InlineData("0 0 1 JAN *", "2027-01-01T00:00:00")]
    [InlineData("0 12 * * 7", "2026-01-17T12:00:00")]          // 7 is Saturday
    [InlineData("0 12 * * 1-7/2", "2026-01-15T12:00:00")]      // Sun, Tue, Thu, Sat: the next is Thursday
    public void NextRunIsWhereCloudflareWouldRunIt(string cron, string expected)
    {
        var next = CronSchedule.Parse(cron).Next(s_now);
        Assert.Equal(DateTimeOffset.Parse(expected + "Z"), next);
    }

    [Theory]
    [InlineData("* * * *", "five")]
    [InlineData("61 * * * *", "Minute")]
    [InlineData("* * * * 0", "1-7 (Sunday is 1)")]
    [InlineData("* * * * 8", "1-7 (Sunday is 1)")]
    [InlineData("every minute", "five")]
    public void InvalidExpressionsSayWhatIsWrong(string cron, string mentioned)
    {
        var error = Assert.Throws<FormatException>(() => CronSchedule.Parse(cron));
        Assert.Contains(mentioned, error.Message, StringComparison.OrdinalIgnoreCase);
    }
}
