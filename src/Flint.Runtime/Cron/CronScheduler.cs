using System.Diagnostics;
using Flint.Engine.Cron;
using Flint.JavaScript.Isolates.Events;
using Flint.Runtime.Workers;
using Microsoft.Extensions.Logging;

namespace Flint.Runtime.Cron;

/// <summary>
/// Fires the cron triggers of every Worker in a registry on their schedule (UTC), against a
/// <see cref="TimeProvider"/> so tests can move the clock. Each Worker has its own loop, which
/// starts from the current time: a run missed while the process was down is not made up, as on
/// Cloudflare. A reload that changes a Worker's triggers takes effect at once.
/// </summary>
public sealed class CronScheduler : IDisposable
{
    private readonly WorkerRegistry _registry;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];

    public CronScheduler(WorkerRegistry registry, TimeProvider time, ILogger log)
    {
        _registry = registry;
        _time = time;
        _log = log;
    }

    /// <summary>Raised after each scheduled run with its Worker, cron and outcome (tests and logs).</summary>
    public event Action<string, ScheduledEvent, ScheduledOutcome>? Ran;

    /// <summary>Starts a loop for each Worker in the registry.</summary>
    public void Start()
    {
        foreach (var service in _registry.Workers) _loops.Add(RunAsync(service, _stop.Token));
    }

    // Task.Delay takes at most ~49 days; a trigger further away is waited for in steps.
    private static readonly TimeSpan LongestWait = TimeSpan.FromDays(1);

    private async Task RunAsync(WorkerService service, CancellationToken stop)
    {
        var last = DateTimeOffset.MinValue; // the last time fired: never fire it twice if the timer woke a hair early
        while (!stop.IsCancellationRequested)
        {
            // A new version (its triggers may differ) restarts the wait.
            using var swapped = CancellationTokenSource.CreateLinkedTokenSource(stop);
            void OnSwap(WorkerService _) => swapped.Cancel();
            service.Swapped += OnSwap;
            try
            {
                var schedules = Schedules(service);
                var now = _time.GetUtcNow();
                if (now < last) now = last;
                var due = schedules.Select(s => (Schedule: s, At: s.Next(now))).Where(d => d.At is not null).ToList();
                if (due.Count == 0)
                {
                    await Task.Delay(Timeout.InfiniteTimeSpan, _time, swapped.Token).ConfigureAwait(false);
                    continue;
                }
                var next = due.Min(d => d.At!.Value);
                if (next - now > LongestWait)
                {
                    await Task.Delay(LongestWait, _time, swapped.Token).ConfigureAwait(false);
                    continue;
                }
                await Task.Delay(next - now, _time, swapped.Token).ConfigureAwait(false);
                last = next;
                foreach (var (schedule, at) in due)
                {
                    if (at == next) _ = FireAsync(service, new ScheduledEvent(schedule.Text, next));
                }
            }
            catch (OperationCanceledException) when (!stop.IsCancellationRequested)
            {
                // Swapped: read the new version's triggers.
            }
            catch (OperationCanceledException)
            {
                return;
            }
            finally
            {
                service.Swapped -= OnSwap;
            }
        }
    }

    private IReadOnlyList<CronSchedule> Schedules(WorkerService service)
    {
        var list = new List<CronSchedule>();
        foreach (var text in service.Current.Config.CronTriggers)
        {
            // The config loader validated them; a bad one (a version loaded another way) is skipped, said once per wait.
            try { list.Add(CronSchedule.Parse(text)); }
            catch (FormatException ex) { _log.LogError("Cron trigger \"{Cron}\" of {Worker} is not valid and will not run: {Error}", text, service.Name, ex.Message); }
        }
        return list;
    }

    /// <summary>Runs one scheduled event on <paramref name="service"/> and logs how it went.</summary>
    public async Task<ScheduledOutcome> FireAsync(WorkerService service, ScheduledEvent scheduled)
    {
        var started = Stopwatch.GetTimestamp();
        ScheduledOutcome outcome;
        try
        {
            outcome = await service.ScheduledAsync(scheduled).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is Flint.JavaScript.Isolates.WorkerException)
        {
            outcome = new ScheduledOutcome(false, false, ex.Message);
        }
        _log.LogInformation("Scheduled {Worker} \"{Cron}\" {Outcome} ({Elapsed}ms)", service.Name, scheduled.Cron, outcome.Word,
            Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds));
        Ran?.Invoke(service.Name, scheduled, outcome);
        return outcome;
    }

    public void Dispose() => _stop.Cancel();
}
