using Flint.JavaScript.Isolates;
using Flint.JavaScript.Rpc;

namespace Flint.Runtime.Workers;

/// <summary>
/// A Worker by name, as the registry holds it: the version that takes new events. Swapping in a
/// new version retires the old one: its events in flight finish on it, then its isolates are
/// freed. Callers (ingress, service bindings, cron) hold the name or this object, never a version.
/// </summary>
public sealed class WorkerService : IWorkerEvents, IDisposable
{
    private WorkerVersion _current;

    public WorkerService(WorkerVersion initial)
    {
        _current = initial;
        Name = initial.Config.Name;
    }

    /// <summary>The name callers find it by (the config's <c>name</c> when it was first loaded).</summary>
    public string Name { get; }

    public WorkerVersion Current => Volatile.Read(ref _current);

    /// <summary>Raised after a new version took over.</summary>
    public event Action<WorkerService>? Swapped;

    public void Swap(WorkerVersion next)
    {
        var old = Interlocked.Exchange(ref _current, next);
        old.Pool.Retire();
        Swapped?.Invoke(this);
    }

    public Task<WorkerResponse> FetchAsync(IncomingRequest request) => Current.Pool.FetchAsync(request);

    public RpcAnswer Call(RpcCall call) => Current.Pool.Call(call);

    public Task<Flint.JavaScript.Isolates.Events.ScheduledOutcome> ScheduledAsync(Flint.JavaScript.Isolates.Events.ScheduledEvent scheduled) =>
        Current.Pool.ScheduledAsync(scheduled);

    public Task<Flint.Engine.Queues.QueueOutcome> QueueAsync(Flint.Engine.Queues.QueueBatch batch) => Current.Pool.QueueAsync(batch);

    public void Dispose() => Current.Dispose();
}
