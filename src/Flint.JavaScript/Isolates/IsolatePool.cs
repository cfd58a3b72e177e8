using Microsoft.Extensions.Logging;

namespace Flint.JavaScript.Isolates;

/// <summary>
/// The isolates of one Worker version, one per core by default so every core serves. A
/// request goes to the least busy isolate; a broken isolate is replaced; a retired pool
/// lets requests in flight finish, then frees its isolates.
/// </summary>
public sealed class IsolatePool : IDisposable
{
    private readonly IsolateOptions _options;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private WorkerIsolate[] _isolates;
    private volatile bool _retired;

    /// <summary>Creates the first isolate now (so load errors surface here) and the rest in the background.</summary>
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

    private WorkerIsolate NewIsolate()
    {
        var isolate = WorkerIsolate.Create(_options, _logger);
        isolate.Broken += OnBroken;
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
            lock (_gate)
            {
                if (_retired) { isolate.Dispose(); return; }
                _isolates = [.. _isolates, isolate];
            }
        }
    }

    public Task<WorkerResponse> FetchAsync(IncomingRequest request)
    {
        try { return Pick().FetchAsync(request); }
        catch (WorkerException ex) { return Task.FromException<WorkerResponse>(ex); }
    }

    private WorkerIsolate Pick()
    {
        var isolates = Volatile.Read(ref _isolates);
        if (isolates.Length == 0) throw new WorkerException("Error: The Worker is restarting; try again.", 503);
        var best = isolates[0];
        var bestLoad = best.IsBroken ? int.MaxValue : best.InFlight;
        for (var i = 1; i < isolates.Length; i++)
        {
            var candidate = isolates[i];
            if (candidate.IsBroken) continue;
            var load = candidate.InFlight;
            if (load < bestLoad) { best = candidate; bestLoad = load; }
        }
        return best;
    }

    private void OnBroken(WorkerIsolate broken)
    {
        lock (_gate)
        {
            _isolates = _isolates.Where(i => i != broken).ToArray();
        }
        broken.Dispose();
        if (_retired) return;
        _ = Task.Run(() =>
        {
            try
            {
                var replacement = NewIsolate();
                lock (_gate)
                {
                    if (_retired) { replacement.Dispose(); return; }
                    _isolates = [.. _isolates, replacement];
                }
            }
            catch (Exception ex)
            {
                _logger.LogError("Could not replace a stopped isolate of {Worker}: {Error}", _options.WorkerName, ex.Message);
            }
        });
        // Until the replacement is up, keep serving with a fresh isolate if none is left.
        if (Count == 0)
        {
            try
            {
                var now = NewIsolate();
                lock (_gate) _isolates = [.. _isolates, now];
            }
            catch (Exception ex) { _logger.LogError("Could not restart {Worker}: {Error}", _options.WorkerName, ex.Message); }
        }
    }

    private void OnIdle(WorkerIsolate isolate)
    {
        if (_retired && isolate.InFlight == 0) isolate.Dispose();
    }

    /// <summary>Stops taking requests; isolates are freed as their requests in flight finish.</summary>
    public void Retire()
    {
        WorkerIsolate[] isolates;
        lock (_gate)
        {
            _retired = true;
            isolates = _isolates;
        }
        foreach (var i in isolates) if (i.InFlight == 0) i.Dispose();
    }

    public void Dispose()
    {
        lock (_gate) _retired = true;
        foreach (var i in _isolates) i.Dispose();
    }
}
