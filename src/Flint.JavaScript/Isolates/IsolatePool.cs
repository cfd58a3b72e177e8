using Flint.JavaScript.Rpc;
using Microsoft.Extensions.Logging;

namespace Flint.JavaScript.Isolates;

/// <summary>
/// The isolates of one Worker version. An event goes to the least busy isolate. An isolate that
/// was stopped is replaced: one over its memory limit at once (its events failed with it), one
/// whose event ran out of CPU time once its other events finish (only the runaway failed).
/// Events that arrive while no isolate can take them wait for the replacement. A retired pool
/// lets events in flight finish, then frees its isolates.
/// </summary>
public sealed class IsolatePool : IWorkerEvents, IDisposable
{
    /// <summary>How long an event waits for a replacement isolate before it gets a 503.</summary>
    private static readonly TimeSpan ReplacementWait = TimeSpan.FromSeconds(30);

    private readonly IsolateOptions _options;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private WorkerIsolate[] _isolates;
    // Condemned isolates still finishing their events, freed once idle.
    private readonly HashSet<WorkerIsolate> _draining = [];
    private TaskCompletionSource? _available; // completed when an isolate joins an empty pool
    private int _replacing;
    private volatile bool _retired;

    /// <summary>Creates the first isolate now (so load errors surface here) and the rest in the background.</summary>
    /// <param name="size">Isolates to keep; 0 means one per core.</param>
    public IsolatePool(IsolateOptions options, ILogger logger, int size = 0)
    {
        _options = options;
        _logger = logger;
        Size = size > 0 ? size : Math.Max(1, Environment.ProcessorCount);
        var first = NewIsolate();
        _isolates = [first];
        ExportNames = first.ExportNames;
        if (Size > 1) _ = Task.Run(FillAsync);
    }

    public int Size { get; }
    public string? ExportNames { get; }
    public int Count => Volatile.Read(ref _isolates).Length;
    public string WorkerName => _options.WorkerName;

    private WorkerIsolate NewIsolate()
    {
        var isolate = WorkerIsolate.Create(_options, _logger);
        isolate.Broken += OnBroken;
        isolate.Condemned += OnCondemned;
        isolate.Idle += OnIdle;
        return isolate;
    }

    private void FillAsync()
    {
        while (!_retired && Count < Size)
        {
            WorkerIsolate isolate;
            try { isolate = NewIsolate(); }
            catch (Exception ex)
            {
                _logger.LogError("Could not start another isolate for {Worker}: {Error}", _options.WorkerName, ex.Message);
                return;
            }
            if (!Add(isolate)) return;
        }
    }

    /// <summary>Adds a serving isolate; false (and the isolate freed) when the pool was retired meanwhile.</summary>
    private bool Add(WorkerIsolate isolate)
    {
        TaskCompletionSource? waiting;
        lock (_gate)
        {
            if (_retired)
            {
                isolate.Dispose();
                return false;
            }
            _isolates = [.. _isolates, isolate];
            waiting = _available;
            _available = null;
        }
        waiting?.TrySetResult();
        return true;
    }

    public Task<WorkerResponse> FetchAsync(IncomingRequest request) => DispatchAsync(static (isolate, r) => isolate.FetchAsync(r), request);

    public Task<Events.ScheduledOutcome> ScheduledAsync(Events.ScheduledEvent scheduled) =>
        DispatchAsync(static (isolate, s) => isolate.ScheduledAsync(s), scheduled);

    public Task<Engine.Queues.QueueOutcome> QueueAsync(Engine.Queues.QueueBatch batch) =>
        DispatchAsync(static (isolate, b) => isolate.QueueAsync(b), batch);

    public RpcAnswer Call(RpcCall call)
    {
        if (Pick() is { } isolate) return isolate.Call(call);
        var answer = new RpcAnswer();
        _ = answer.FollowAsync(DispatchAsync(static (i, c) => Task.FromResult(i.Call(c)), call));
        return answer;
    }

    /// <summary>
    /// An isolate to run a Durable Object on: <paramref name="preferred"/> (where its WebSockets are)
    /// while it serves, else the least busy one, waiting for one while the pool replaces a stopped isolate.
    /// </summary>
    public Task<WorkerIsolate> IsolateForAsync(WorkerIsolate? preferred)
    {
        if (preferred is { CanServe: true } && Volatile.Read(ref _isolates).Contains(preferred)) return Task.FromResult(preferred);
        return DispatchAsync(static (isolate, _) => Task.FromResult(isolate), 0);
    }

    /// <summary>
    /// Sends an event to the least busy isolate that can take it, waiting for one while the pool
    /// replaces a stopped isolate.
    /// </summary>
    public Task<T> DispatchAsync<T, TArg>(Func<WorkerIsolate, TArg, Task<T>> send, TArg arg)
    {
        if (Pick() is { } isolate) return send(isolate, arg);
        return WaitThenDispatchAsync(send, arg);
    }

    private async Task<T> WaitThenDispatchAsync<T, TArg>(Func<WorkerIsolate, TArg, Task<T>> send, TArg arg)
    {
        var deadline = DateTime.UtcNow + ReplacementWait;
        while (true)
        {
            if (Pick() is { } isolate) return await send(isolate, arg).ConfigureAwait(false);
            if (_retired) throw new WorkerException("Error: The Worker was unloaded.", 503);
            Task available;
            lock (_gate)
            {
                if (Count > 0 && _isolates.Any(i => i.CanServe)) continue;
                available = (_available ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
                if (Volatile.Read(ref _replacing) == 0) StartReplacement();
            }
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || await Task.WhenAny(available, Task.Delay(left)).ConfigureAwait(false) != available)
                throw new WorkerException("Error: The Worker's isolate is restarting and did not come back in time; try again.", 503);
            await available.ConfigureAwait(false); // rethrows when the replacement failed to start
        }
    }

    private WorkerIsolate? Pick()
    {
        var isolates = Volatile.Read(ref _isolates);
        WorkerIsolate? best = null;
        var bestLoad = int.MaxValue;
        foreach (var candidate in isolates)
        {
            if (!candidate.CanServe) continue;
            var load = candidate.InFlight;
            if (load < bestLoad) { best = candidate; bestLoad = load; }
        }
        return best;
    }

    private void Remove(WorkerIsolate isolate)
    {
        lock (_gate) _isolates = _isolates.Where(i => i != isolate).ToArray();
    }

    private void OnBroken(WorkerIsolate broken)
    {
        Remove(broken);
        broken.Dispose();
        if (!_retired) StartReplacement();
    }

    private void OnCondemned(WorkerIsolate condemned)
    {
        lock (_gate)
        {
            _isolates = _isolates.Where(i => i != condemned).ToArray();
            _draining.Add(condemned);
        }
        if (!_retired) StartReplacement();
    }

    private void StartReplacement()
    {
        Interlocked.Increment(ref _replacing);
        _ = Task.Run(() =>
        {
            try
            {
                Add(NewIsolate());
            }
            catch (Exception ex)
            {
                _logger.LogError("Could not restart {Worker}: {Error}", _options.WorkerName, ex.Message);
                TaskCompletionSource? waiting;
                lock (_gate)
                {
                    waiting = _available;
                    _available = null;
                }
                waiting?.TrySetException(new WorkerException($"Error: The Worker could not be restarted: {ex.Message}", 503));
            }
            finally
            {
                Interlocked.Decrement(ref _replacing);
            }
        });
    }

    private void OnIdle(WorkerIsolate isolate)
    {
        if (isolate.InFlight != 0) return;
        bool free;
        lock (_gate) free = _draining.Remove(isolate) || (_retired && !isolate.IsBroken);
        if (free) isolate.Dispose();
    }

    /// <summary>Stops taking events; isolates are freed as their events in flight finish.</summary>
    public void Retire()
    {
        WorkerIsolate[] isolates;
        lock (_gate)
        {
            _retired = true;
            isolates = [.. _isolates, .. _draining];
        }
        foreach (var i in isolates) if (i.InFlight == 0) i.Dispose();
    }

    public void Dispose()
    {
        WorkerIsolate[] isolates;
        lock (_gate)
        {
            _retired = true;
            isolates = [.. _isolates, .. _draining];
            _draining.Clear();
        }
        foreach (var i in isolates) i.Dispose();
        lock (_gate) _available?.TrySetException(new WorkerException("Error: The Worker was unloaded.", 503));
    }
}
