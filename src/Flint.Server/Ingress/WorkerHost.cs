using Flint.JavaScript.Isolates;

namespace Flint.Server.Ingress;

/// <summary>
/// Holds the Worker version that takes new requests. Swapping in a new version retires the old
/// one: its requests in flight finish on it, then its isolates are freed.
/// </summary>
public sealed class WorkerHost : IDisposable
{
    private WorkerVersion _current;

    public WorkerHost(WorkerVersion initial) => _current = initial;

    public WorkerVersion Current => Volatile.Read(ref _current);

    public void Swap(WorkerVersion next)
    {
        var old = Interlocked.Exchange(ref _current, next);
        old.Pool.Retire();
    }

    public Task<WorkerResponse> FetchAsync(IncomingRequest request) => Current.Pool.FetchAsync(request);

    public void Dispose() => Current.Dispose();
}
