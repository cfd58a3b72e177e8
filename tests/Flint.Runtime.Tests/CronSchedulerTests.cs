using System.Text.Json.Nodes;
using Flint.JavaScript.Isolates.Events;
using Flint.Runtime.Cron;
using Flint.Runtime.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Flint.Runtime.Tests;

/// <summary>The cron scheduler against a clock the test moves: what fires, when, with which controller.</summary>
public sealed class CronSchedulerTests
{
    private const string Recorder = """
        const runs = [];
        export default {
          fetch() { return Response.json(runs); },
          scheduled(controller, env, ctx) {
            runs.push({ cron: controller.cron, at: new Date(controller.scheduledTime).toISOString(), tag: Object.prototype.toString.call(controller) });
            if (controller.cron === "30 * * * *") { controller.noRetry(); throw new Error("half past fails"); }
          },
        };
        """;

    private static async Task<TestRuntime> StartAsync(string crons) => await TestRuntime.StartAsync(new Dictionary<string, IDictionary<string, string>>
    {
        ["cron"] = new Dictionary<string, string>
        {
            ["wrangler.toml"] = $"name = \"cron\"\nmain = \"index.js\"\ncompatibility_date = \"2025-11-01\"\n[triggers]\ncrons = {crons}\n",
            ["index.js"] = Recorder,
        },
    });

    private static async Task<List<(ScheduledEvent Event, ScheduledOutcome Outcome)>> AdvanceAsync(FakeTimeProvider time, CronScheduler scheduler, TimeSpan by, int expectedRuns)
    {
        var runs = new List<(ScheduledEvent, ScheduledOutcome)>();
        void OnRan(string _, ScheduledEvent e, ScheduledOutcome o) { lock (runs) runs.Add((e, o)); }
        scheduler.Ran += OnRan;
        try
        {
            // Step a minute at a time, as a real clock would, letting each wait see its deadline pass.
            for (var moved = TimeSpan.Zero; moved < by; moved += TimeSpan.FromMinutes(1))
            {
                time.Advance(TimeSpan.FromMinutes(1));
                await Task.Delay(20);
            }
            var deadline = DateTime.UtcNow.AddSeconds(15);
            while (DateTime.UtcNow < deadline) { lock (runs) if (runs.Count >= expectedRuns) break; await Task.Delay(20); }
            await Task.Delay(200); // no extra runs trail behind
            lock (runs) return runs.OrderBy(r => r.Item1.ScheduledTime).ThenBy(r => r.Item1.Cron).ToList();
        }
        finally
        {
            scheduler.Ran -= OnRan;
        }
    }

    [Fact]
    public async Task TriggersFireOnTheirScheduleInUtcWithTheirCronAndTime()
    {
        await using var rt = await StartAsync("[\"*/15 * * * *\", \"0 12 * * 1\", \"30 * * * *\"]");
        // Saturday 2026-01-17 11:50 UTC: the next Sunday (day 1) noon is a day away.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 17, 11, 50, 0, TimeSpan.Zero));
        using var scheduler = new CronScheduler(rt.Registry, time, NullLogger.Instance);
        scheduler.Start();
        await Task.Delay(100);

        var firstHour = await AdvanceAsync(time, scheduler, TimeSpan.FromMinutes(55), expectedRuns: 5);
        Assert.Equal(["*/15 * * * *@12:00", "*/15 * * * *@12:15", "*/15 * * * *@12:30", "30 * * * *@12:30", "*/15 * * * *@12:45"],
            firstHour.Select(r => $"{r.Event.Cron}@{r.Event.ScheduledTime:HH:mm}"));
        var failed = firstHour.Single(r => r.Event.Cron == "30 * * * *").Outcome;
        Assert.False(failed.Ok);
        Assert.True(failed.NoRetry);
        Assert.Contains("half past fails", failed.Error);
        Assert.All(firstHour.Where(r => r.Event.Cron != "30 * * * *"), r => Assert.True(r.Outcome.Ok));

        // What the Worker saw: each run's cron and scheduled time, on a ScheduledController.
        var seen = JsonNode.Parse((await rt.FetchAsync("cron")).Body)!.AsArray();
        Assert.Equal(5, seen.Count);
        Assert.Equal("2026-01-17T12:00:00.000Z", seen[0]!["at"]!.GetValue<string>());
        Assert.Equal("[object ScheduledController]", seen[0]!["tag"]!.GetValue<string>());
    }

    [Fact]
    public async Task WeekdayOneIsSundayAndARunMissedBeforeStartIsNotMadeUp()
    {
        await using var rt = await StartAsync("[\"0 12 * * 1\"]");
        // Sunday 2026-01-18 12:01: this Sunday's noon already passed when the scheduler started.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 18, 12, 1, 0, TimeSpan.Zero));
        using var scheduler = new CronScheduler(rt.Registry, time, NullLogger.Instance);
        scheduler.Start();
        await Task.Delay(100);
        Assert.Empty(await AdvanceAsync(time, scheduler, TimeSpan.FromMinutes(10), expectedRuns: 0));
        time.Advance(TimeSpan.FromDays(7) - TimeSpan.FromMinutes(12));
        var nextSunday = await AdvanceAsync(time, scheduler, TimeSpan.FromMinutes(2), expectedRuns: 1);
        Assert.Equal("2026-01-25T12:00:00.0000000+00:00", Assert.Single(nextSunday).Event.ScheduledTime.ToString("O"));
    }
}
