using System.Collections.Concurrent;
using Flint.Engine.DurableObjects;
using Flint.JavaScript.Bindings.DurableObjects;
using Microsoft.Extensions.Logging;

namespace Flint.Runtime.DurableObjects;

/// <summary>
/// Runs Durable Object alarms. Each object has at most one, kept in its own storage; the namespace's
/// index records when to wake it (never later than the alarm, so a crash between the two can wake
/// it early, which is harmless: the object's storage decides). At start, every recorded alarm is
/// scheduled, and those that came due while Flint was down fire at once. A failing alarm() is
/// retried as Cloudflare retries it: after 2 s, doubling, with up to 25% jitter, at most 6 times.
/// </summary>
internal sealed class AlarmScheduler(DurableObjectDirectory directory, DurableObjectsData data, TimeProvider time, ILogger log) : IDisposable
{
    private const double JitterFactor = 0.25;
    // A timer cannot wait longer than this; a later alarm is re-checked when it fires.
    private static readonly TimeSpan MaxWait = TimeSpan.FromDays(20);
    private readonly ConcurrentDictionary<ObjectEntry, ITimer> _timers = new();
    private volatile bool _disposed;

    public void Start()
    {
        foreach (var cls in data.Classes.All())
        {
            var store = data.Namespace(cls.Namespace);
            var ns = directory.Namespace(cls.Script, cls.ClassName, out _);
            if (ns is null) continue;
            var names = store.List().ToDictionary(o => o.Id, o => o.Name, StringComparer.Ordinal);
            foreach (var (id, due) in store.Alarms())
            {
                var entry = directory.Entry(new DurableObjectAddress(ns, id, names.GetValueOrDefault(id)));
                entry.Alarm.Restore(due);
                Arm(entry, due, retry: 0);
            }
        }
    }

    /// <summary>Records (durably) and arms, or with null cancels, object <paramref name="entry"/>'s wake-up.</summary>
    public async Task SetAsync(ObjectEntry entry, long? due)
    {
        await data.Namespace(entry.Address.Namespace.StorageName).SetAlarmAsync(entry.Address.Id, due).ConfigureAwait(false);
        if (due is { } t) Arm(entry, t, retry: 0);
        else if (_timers.TryRemove(entry, out var timer)) timer.Dispose();
    }

    private void Arm(ObjectEntry entry, long due, int retry, TimeSpan? after = null)
    {
        if (_disposed) return;
        var wait = after ?? TimeSpan.FromMilliseconds(Math.Max(0, due - time.GetUtcNow().ToUnixTimeMilliseconds()));
        if (wait > MaxWait) wait = MaxWait;
        var timer = time.CreateTimer(_ => _ = FireAsync(entry, due, retry), null, wait, Timeout.InfiniteTimeSpan);
        if (_timers.TryGetValue(entry, out var old)) old.Dispose();
        _timers[entry] = timer;
    }

    private async Task FireAsync(ObjectEntry entry, long due, int retry)
    {
        if (_disposed) return;
        try
        {
            var actor = await entry.ActorAsync().ConfigureAwait(false);
            // The object's storage decides: the alarm may have moved, or gone, since this wake-up was recorded.
            var stored = await actor.ReadAlarmAsync().ConfigureAwait(false);
            if (stored is null)
            {
                await SetIfStill(entry, due, null).ConfigureAwait(false);
                return;
            }
            if (stored.Value > time.GetUtcNow().ToUnixTimeMilliseconds() && retry == 0)
            {
                entry.Alarm.Restore(stored.Value);
                Arm(entry, stored.Value, 0);
                return;
            }
            var outcome = await entry.Dispatch(actor, a => a.AlarmAsync(retry)).ConfigureAwait(false);
            if (outcome.Ok)
            {
                await actor.CompleteAlarmAsync(stored.Value).ConfigureAwait(false);
                return;
            }
            if (retry >= directory.Options.AlarmMaxRetries)
            {
                log.LogWarning("Durable Object {Address}: alarm() failed {Count} times; it will not be retried again.", entry.Address, retry + 1);
                await actor.CompleteAlarmAsync(stored.Value).ConfigureAwait(false);
                return;
            }
            var delay = directory.Options.AlarmRetryStart * Math.Pow(2, Math.Min(retry, 9));
            delay += TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * JitterFactor * delay.TotalMilliseconds);
            log.LogInformation("Durable Object {Address}: alarm() failed ({Error}); retrying in {Delay:F1} s.", entry.Address, outcome.Error, delay.TotalSeconds);
            Arm(entry, stored.Value, retry + 1, delay);
        }
        catch (Exception ex) when (!_disposed)
        {
            // The object could not run (its Worker is not loaded, its isolate is restarting): try again later, uncounted.
            log.LogWarning("Durable Object {Address}: the alarm could not run: {Error}", entry.Address, ex.Message);
            Arm(entry, due, retry, directory.Options.AlarmRetryStart * 5);
        }
    }

    private async Task SetIfStill(ObjectEntry entry, long due, long? value)
    {
        if (entry.Alarm.Scheduled == due) await entry.Alarm.ScheduleAsync(value).ConfigureAwait(false);
    }

    public void Dispose()
    {
        _disposed = true;
        foreach (var timer in _timers.Values) timer.Dispose();
        _timers.Clear();
    }
}

/// <summary>An object's alarm as the scheduler knows it (<see cref="IActorAlarms"/> for its actor).</summary>
internal sealed class ObjectAlarm(AlarmScheduler scheduler, ObjectEntry entry) : IActorAlarms
{
    private long _scheduled = -1;

    public long? Scheduled
    {
        get
        {
            var s = Interlocked.Read(ref _scheduled);
            return s < 0 ? null : s;
        }
    }

    /// <summary>The time recorded in the index at start (or found in the object's storage).</summary>
    public void Restore(long due) => Interlocked.Exchange(ref _scheduled, due);

    public Task ScheduleAsync(long? unixMs)
    {
        Interlocked.Exchange(ref _scheduled, unixMs ?? -1);
        return scheduler.SetAsync(entry, unixMs);
    }
}
