namespace Flint.JavaScript.Isolates.Events;

/// <summary>
/// One event a Worker handles — a fetch, an RPC call, a scheduled run, and next a queue batch, an
/// alarm, a WebSocket message — as workerd's IoContext: it counts the CPU time of the turns that
/// work for it, and owns what it started (subrequests, bodies, stubs), which is released when the
/// event is done or cancelled. The host knows which event a turn works for: the turn's entry names
/// it, and an operation started during a turn completes back into that turn's event.
/// </summary>
public abstract class EventContext
{
    private readonly object _gate = new();
    // A set, not a list: resources come and go all through an event (a call's bookkeeping per RPC call).
    private HashSet<IDisposable>? _owned;
    private long _cpuUsed;
    private int _closed;

    protected EventContext(TimeSpan cpuLimit)
    {
        CpuLimit = (long)(cpuLimit.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
    }

    /// <summary>The id script knows this event by (0 until the Worker assigns one).</summary>
    public int Id { get; internal set; }

    /// <summary>Which kind of event this is, for logs: "fetch", "rpc", "scheduled", …</summary>
    public abstract string Kind { get; }

    /// <summary>CPU time this event may use, in Stopwatch ticks.</summary>
    internal long CpuLimit { get; }

    /// <summary>CPU time used by the turns that worked for this event, in Stopwatch ticks (written by the isolate's thread).</summary>
    internal long CpuUsed => Volatile.Read(ref _cpuUsed);

    internal void AddCpu(long ticks) => Volatile.Write(ref _cpuUsed, _cpuUsed + ticks);

    public TimeSpan CpuTime => TimeSpan.FromSeconds((double)CpuUsed / System.Diagnostics.Stopwatch.Frequency);

    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>Hands <paramref name="resource"/> to this event: it is disposed when the event closes (at once if it already has).</summary>
    internal void Own(IDisposable resource)
    {
        lock (_gate)
        {
            if (_closed == 0)
            {
                (_owned ??= []).Add(resource);
                return;
            }
        }
        resource.Dispose();
    }

    /// <summary>Takes back a resource handed over with <see cref="Own"/> (it was passed on, or ended by itself).</summary>
    internal void Disown(IDisposable resource)
    {
        lock (_gate) _owned?.Remove(resource);
    }

    /// <summary>The event failed before it could complete: the isolate stopped, the event ran out of CPU, …</summary>
    internal abstract void Fail(WorkerException error);

    /// <summary>Script says the event is over: what it owed its caller and did not give is an error now.</summary>
    internal virtual void Done() => Fail(new WorkerException("Error: The script will never generate a response."));

    /// <summary>Releases what the event still owns. Idempotent.</summary>
    internal void Close()
    {
        HashSet<IDisposable>? owned;
        lock (_gate)
        {
            if (_closed != 0) return;
            _closed = 1;
            owned = _owned;
            _owned = null;
        }
        if (owned is null) return;
        foreach (var resource in owned)
        {
            try { resource.Dispose(); }
            catch (ObjectDisposedException) { }
        }
    }
}
