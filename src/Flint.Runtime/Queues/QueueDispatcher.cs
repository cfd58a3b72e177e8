using System.Diagnostics;
using Flint.Engine.Config;
using Flint.Engine.Queues;
using Flint.JavaScript.Isolates;
using Flint.Runtime.Workers;
using Microsoft.Extensions.Logging;

namespace Flint.Runtime.Queues;

/// <summary>One batch's delivery as it went, for logs and tests.</summary>
public sealed record QueueDelivery(string Queue, string Worker, QueueBatch Batch, QueueOutcome Outcome, IReadOnlyList<Settlement> Settlements)
{
    public int Acked => Settlements.Count(s => s.Kind == SettlementKind.Ack);
}

/// <summary>
/// Delivers every consumed queue's messages to its consumer Worker, found by name in the registry
/// at each batch: batches fill up to max_batch_size, or go out max_batch_timeout after their oldest
/// message became ready; up to max_concurrency run at once. Each batch's outcome is written to the
/// queue's log before the next step (retries with their delay, dead letters to their queue). A
/// queue nobody consumes keeps its messages until a consumer appears (a reload adds one). Consumers
/// are re-read when a Worker reloads. Times come from a <see cref="TimeProvider"/> for tests.
/// </summary>
public sealed class QueueDispatcher : IDisposable
{
    // How often logs are checked for changes made by another process (flint queues purge), and expired messages removed.
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ExpireInterval = TimeSpan.FromMinutes(1);

    private readonly WorkerRegistry _registry;
    private readonly QueueStorage _storage;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, ConsumerLoop> _loops = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private IReadOnlyDictionary<string, QueueConsumer> _consumers = new Dictionary<string, QueueConsumer>();
    private bool _started;

    /// <summary>Reads the consumers now, so a config mistake is reported at start. Throws <see cref="ConfigException"/>.</summary>
    public QueueDispatcher(WorkerRegistry registry, QueueStorage storage, TimeProvider time, ILogger log)
    {
        _registry = registry;
        _storage = storage;
        _time = time;
        _log = log;
        _consumers = QueueConsumers.Read(registry);
    }

    /// <summary>Raised after each batch's outcome is on disk.</summary>
    public event Action<QueueDelivery>? Delivered;

    public IReadOnlyDictionary<string, QueueConsumer> Consumers => Volatile.Read(ref _consumers);

    /// <summary>Starts delivering: finishes dead-letter moves a crash interrupted, then runs a loop per consumed queue.</summary>
    public void Start()
    {
        lock (_gate)
        {
            if (_started) return;
            _started = true;
        }
        _storage.Changed += OnChanged;
        foreach (var service in _registry.Workers) service.Swapped += OnSwapped;
        StartLoops();
        _ = MaintainAsync(_stop.Token);
    }

    private void OnSwapped(WorkerService service)
    {
        try
        {
            Volatile.Write(ref _consumers, QueueConsumers.Read(_registry));
        }
        catch (ConfigException ex)
        {
            _log.LogError("{Error} The queue consumers stay as they were.", ex.Message);
            return;
        }
        StartLoops();
        lock (_gate) foreach (var loop in _loops.Values) loop.Signal();
    }

    private void StartLoops()
    {
        foreach (var (queue, _) in Consumers)
        {
            ConsumerLoop loop;
            lock (_gate)
            {
                if (_stop.IsCancellationRequested || _loops.ContainsKey(queue)) continue;
                loop = new ConsumerLoop(this, _storage.Queue(queue));
                _loops[queue] = loop;
            }
            _ = loop.RunAsync(_stop.Token);
        }
    }

    private void OnChanged(QueueLog log)
    {
        ConsumerLoop? loop;
        lock (_gate) _loops.TryGetValue(log.Name, out loop);
        loop?.Signal();
    }

    /// <summary>Picks up what other processes changed in the consumed queues' logs, and drops expired messages.</summary>
    private async Task MaintainAsync(CancellationToken stop)
    {
        var lastExpiry = DateTimeOffset.MinValue;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(RefreshInterval, _time, stop).ConfigureAwait(false);
                List<ConsumerLoop> loops;
                lock (_gate) loops = [.. _loops.Values];
                var expire = _time.GetUtcNow() - lastExpiry >= ExpireInterval;
                if (expire) lastExpiry = _time.GetUtcNow();
                foreach (var loop in loops)
                {
                    await loop.Log.RefreshAsync(stop).ConfigureAwait(false);
                    if (expire && await loop.Log.ExpireAsync(stop).ConfigureAwait(false) is > 0 and var n)
                        _log.LogWarning("Deleted {Count} messages of queue \"{Queue}\" older than its retention period ({Seconds} s).", n, loop.Log.Name, loop.Log.Settings.RetentionSeconds);
                }
            }
            catch (OperationCanceledException) { return; }
            catch (ObjectDisposedException) { return; }
            catch (Exception ex)
            {
                _log.LogError(ex, "Queue maintenance failed; trying again.");
            }
        }
    }

    /// <summary>
    /// Delivers one batch and records its outcome; never throws. <paramref name="handlerDone"/> runs
    /// once the handler's invocation is over, before its outcome is committed: the batch's messages
    /// stay leased until that commit, but its concurrency slot is free, so the next batch need not
    /// wait for an fsync (the outcome is committed with whatever sends are waiting).
    /// </summary>
    private async Task DeliverAsync(QueueLog log, QueueConsumer consumer, IReadOnlyList<DeliveredMessage> messages, Action handlerDone)
    {
        var queue = log.Name;
        var batch = new QueueBatch(queue, messages, log.Metrics());
        var started = Stopwatch.GetTimestamp();
        QueueOutcome outcome;
        var service = _registry.Find(consumer.Worker);
        if (service is null)
        {
            // The consumer Worker is not running (it cannot be: consumers come from running Workers). Keep the messages.
            _log.LogWarning("Queue \"{Queue}\" is consumed by Worker \"{Worker}\", which is not running; its messages wait.", queue, consumer.Worker);
            log.Release(messages.Select(m => m.Seq));
            return;
        }
        try
        {
            outcome = await service.QueueAsync(batch).WaitAsync(QueueLimits.ConsumerWallTime, _time).ConfigureAwait(false);
        }
        catch (WorkerException ex)
        {
            outcome = QueueOutcome.Failed(ex.Message);
        }
        catch (TimeoutException)
        {
            // As on Cloudflare: an invocation still running after 15 minutes fails; what it reports later is ignored.
            _log.LogError("Worker {Worker}'s queue() handler ran longer than {Minutes} minutes on a batch of queue \"{Queue}\"; the batch counts as failed.",
                consumer.Worker, QueueLimits.ConsumerWallTime.TotalMinutes, queue);
            outcome = QueueOutcome.Failed("Error: The queue() handler exceeded its wall time limit.");
        }
        var settlements = outcome.Settle(messages, consumer.Settings);
        handlerDone();
        try
        {
            await log.SettleAsync(settlements).ConfigureAwait(false);
            var elapsed = Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            var acked = settlements.Count(s => s.Kind == SettlementKind.Ack);
            _log.LogInformation("QUEUE {Queue} {Acked}/{Total} ({Elapsed}ms)", queue, acked, messages.Count, elapsed);
            await MoveDeadLettersAsync(log, messages, settlements, consumer.Settings).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ObjectDisposedException or OperationCanceledException)
        {
            return; // shutting down: the messages are delivered again at the next start
        }
        catch (Exception ex)
        {
            _log.LogError(ex, "Could not record the outcome of a batch of queue \"{Queue}\"; its messages will be delivered again after a restart.", queue);
            return;
        }
        Delivered?.Invoke(new QueueDelivery(queue, consumer.Worker, batch, outcome, settlements));
    }

    private async Task MoveDeadLettersAsync(QueueLog log, IReadOnlyList<DeliveredMessage> messages, IReadOnlyList<Settlement> settlements, QueueConsumerSettings settings)
    {
        var attempts = settings.MaxAttempts == 1 ? "attempt" : "attempts";
        var letters = new List<DeadLetter>();
        for (var i = 0; i < settlements.Count; i++)
        {
            var m = messages[i];
            switch (settlements[i].Kind)
            {
                case SettlementKind.DeadLetter:
                    _log.LogWarning("Moving message \"{Id}\" on queue \"{Queue}\" to dead letter queue \"{DeadLetterQueue}\" after {Max} failed {Attempts}...",
                        m.Id, log.Name, settlements[i].DeadLetterQueue, settings.MaxAttempts, attempts);
                    letters.Add(new DeadLetter(m.Seq, m.Id, m.TimestampMs, m.ContentType, m.Body, settlements[i].DeadLetterQueue!));
                    break;
                case SettlementKind.Drop:
                    _log.LogWarning("Dropped message \"{Id}\" on queue \"{Queue}\" after {Max} failed {Attempts}!", m.Id, log.Name, settings.MaxAttempts, attempts);
                    break;
            }
        }
        await MoveAsync(log, letters).ConfigureAwait(false);
    }

    /// <summary>Puts dead letters into their queue, then forgets them in the source log (finishable after a crash).</summary>
    private async Task MoveAsync(QueueLog source, IReadOnlyList<DeadLetter> letters)
    {
        foreach (var group in letters.GroupBy(l => l.Queue, StringComparer.Ordinal))
        {
            var list = group.ToList();
            await _storage.Queue(group.Key).AcceptDeadLettersAsync(list).ConfigureAwait(false);
            await source.ForgetDeadLettersAsync(list.Select(l => l.Seq)).ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _storage.Changed -= OnChanged;
        foreach (var service in _registry.Workers) service.Swapped -= OnSwapped;
    }

    /// <summary>Delivery for one queue: waits until a batch is due, leases it, hands it to the consumer.</summary>
    private sealed class ConsumerLoop(QueueDispatcher dispatcher, QueueLog log)
    {
        private readonly object _gate = new();
        private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _inFlight;

        public QueueLog Log { get; } = log;

        public void Signal()
        {
            TaskCompletionSource wake;
            lock (_gate) wake = _wake;
            wake.TrySetResult();
        }

        private Task NextWake()
        {
            lock (_gate)
            {
                if (_wake.Task.IsCompleted) _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
                return _wake.Task;
            }
        }

        public async Task RunAsync(CancellationToken stop)
        {
            try
            {
                await FinishInterruptedMovesAsync().ConfigureAwait(false);
                while (!stop.IsCancellationRequested)
                {
                    // Take the wake-up first, so a change while deciding is not missed.
                    var wake = NextWake();
                    var wait = Step();
                    if (wait == TimeSpan.Zero) continue;
                    if (wait == Timeout.InfiniteTimeSpan) await wake.WaitAsync(stop).ConfigureAwait(false);
                    else await Task.WhenAny(wake, Task.Delay(wait, dispatcher._time, stop)).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) { }
            catch (ObjectDisposedException) { }
            catch (Exception ex)
            {
                dispatcher._log.LogError(ex, "Delivery of queue \"{Queue}\" stopped.", Log.Name);
            }
        }

        private async Task FinishInterruptedMovesAsync()
        {
            var pending = Log.PendingDeadLetters();
            if (pending.Count == 0) return;
            await dispatcher.MoveAsync(Log, pending).ConfigureAwait(false);
        }

        /// <summary>Sends a batch if one is due; returns how long to wait before looking again (zero: look again now).</summary>
        private TimeSpan Step()
        {
            if (!dispatcher.Consumers.TryGetValue(Log.Name, out var consumer)) return Timeout.InfiniteTimeSpan;
            var settings = consumer.Settings;
            if (Volatile.Read(ref _inFlight) >= settings.MaxConcurrency) return Timeout.InfiniteTimeSpan;
            var (ready, readySince, nextDue) = Log.Schedule();
            var now = dispatcher._time.GetUtcNow().ToUnixTimeMilliseconds();
            if (ready > 0)
            {
                var flushAt = readySince!.Value + (long)settings.MaxBatchTimeout.TotalMilliseconds;
                if (ready >= settings.MaxBatchSize || now >= flushAt)
                {
                    var messages = Log.Lease(settings.MaxBatchSize);
                    if (messages.Count > 0)
                    {
                        Interlocked.Increment(ref _inFlight);
                        _ = DeliverThenWakeAsync(consumer, messages);
                    }
                    return TimeSpan.Zero;
                }
                var untilFlush = flushAt - now;
                if (nextDue is { } due && due - now < untilFlush) untilFlush = Math.Max(0, due - now);
                return TimeSpan.FromMilliseconds(Math.Max(1, untilFlush));
            }
            return nextDue is { } next ? TimeSpan.FromMilliseconds(Math.Max(1, next - now)) : Timeout.InfiniteTimeSpan;
        }

        private async Task DeliverThenWakeAsync(QueueConsumer consumer, IReadOnlyList<DeliveredMessage> messages)
        {
            var released = 0;
            void Release()
            {
                if (Interlocked.Exchange(ref released, 1) != 0) return;
                Interlocked.Decrement(ref _inFlight);
                Signal();
            }
            try
            {
                await Task.Yield(); // the batch runs off the loop's turn
                await dispatcher.DeliverAsync(Log, consumer, messages, Release).ConfigureAwait(false);
            }
            finally
            {
                Release();
            }
        }
    }
}
