using Flint.Engine.DurableObjects;
using Flint.JavaScript.Isolates;
using Flint.JavaScript.Isolates.Events;
using Flint.JavaScript.Rpc;

namespace Flint.JavaScript.Bindings.DurableObjects;

/// <summary>What the directory gives an actor when it starts one.</summary>
public sealed record ActorSpec(DurableObjectAddress Address, string StoragePath, IActorAlarms Alarms, HibernatableSockets Sockets)
{
    /// <summary>How long blockConcurrencyWhile() may keep the object's input gate shut before the object is reset (Cloudflare: 30 s).</summary>
    public TimeSpan BlockConcurrencyTimeout { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>Where an actor's alarm is scheduled: the directory's alarm index and timer.</summary>
public interface IActorAlarms
{
    /// <summary>The time the scheduler will wake the object (Unix ms), or null.</summary>
    long? Scheduled { get; }

    /// <summary>Schedules (or with null, cancels) the wake-up, durably; completes when recorded.</summary>
    Task ScheduleAsync(long? unixMs);
}

/// <summary>
/// One Durable Object instance, pinned to one isolate (workerd's Worker::Actor): its storage, its
/// output gate, the events in flight in it, and the instance of its class inside the isolate,
/// which is made on the first event and dropped when the actor stops. Every event for its id runs
/// here, in the order it arrives; the input gate (in the isolate, 88_durable_objects.js) holds
/// what is delivered to it while a critical section (blockConcurrencyWhile, transaction()) runs. The directory starts and stops actors; nothing else does.
/// </summary>
public sealed class Actor
{
    private readonly ActorHost _host;
    private int _inFlight;
    private int _commitBlockers;
    private volatile bool _stopped;
    private Exception? _resetBy;

    internal Actor(ActorHost host, int key, ActorSpec spec, DurableObjectStorage storage)
    {
        _host = host;
        Key = key;
        Spec = spec;
        Storage = storage;
        Gate = new ActorOutputGate(storage.Durability);
        Gate.Broken += error => ResetBy(error as DurableObjectException ??
            new DurableObjectException($"Internal error in Durable Object storage caused object to be reset: {error.Message}") { Reset = true });
    }

    internal int Key { get; }
    internal ActorSpec Spec { get; }
    internal DurableObjectStorage Storage { get; }
    internal ActorOutputGate Gate { get; }
    internal bool CommitBlocked => Volatile.Read(ref _commitBlockers) > 0;

    public DurableObjectAddress Address => Spec.Address;
    public WorkerIsolate Isolate => _host.Worker;

    /// <summary>
    /// True while an explicit transaction is open. Its writes commit when it ends, so an outgoing
    /// call made inside it (awaited before it can end) is not held for them.
    /// </summary>
    internal bool InTransaction => Storage.TransactionDepth > 0;

    /// <summary>How many commits the object's storage made since it started (writes of one turn are one commit).</summary>
    public long CommitCount => Storage.Durability.CommittedSeq;

    /// <summary>Events running in the object now (requests, RPC calls, alarms, WebSocket events).</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>False once stopped or reset, or when its isolate can no longer run it: the directory starts a new one.</summary>
    public bool IsLive => !_stopped && _resetBy is null && _host.Worker.CanServe;

    /// <summary>Why the object reset itself (blockConcurrencyWhile threw or timed out, abort(), a broken output gate), or null.</summary>
    public Exception? ResetReason => _resetBy;

    /// <summary>Raised (off the isolate thread) when no event is running in it any more.</summary>
    public event Action<Actor>? Idle;

    /// <summary>Raised once when the object reset itself; the directory replaces it on the next event.</summary>
    public event Action<Actor>? WasReset;

    public Task<WorkerResponse> FetchAsync(IncomingRequest request) => _host.FetchAsync(this, request);

    public RpcAnswer Call(RpcCall call) => _host.Call(this, call);

    /// <summary>Runs the object's alarm() handler (<paramref name="retryCount"/> earlier attempts failed).</summary>
    public Task<AlarmOutcome> AlarmAsync(int retryCount) => _host.AlarmAsync(this, retryCount);

    /// <summary>Delivers an event of a hibernatable WebSocket to the object's webSocketMessage/Close/Error handler.</summary>
    public Task WebSocketEventAsync(HibernatableSocket socket, int kind, object? data, int code, string? reason) =>
        _host.WebSocketEventAsync(this, socket, kind, data, code, reason);

    /// <summary>
    /// Stops the object: its instance is dropped, its writes committed and made durable, its storage
    /// closed. With <paramref name="failWith"/> (a reset, a code update) events still running fail
    /// with it; without (eviction) the directory only stops idle objects.
    /// </summary>
    public Task StopAsync(Exception? failWith) => _host.StopAsync(this, failWith);

    /// <summary>The alarm in the object's storage (Unix ms), or null: what the scheduler checks before running alarm().</summary>
    public Task<long?> ReadAlarmAsync() => _host.ReadAlarmAsync(this);

    /// <summary>alarm() for <paramref name="scheduledTime"/> is done: the alarm is deleted unless the handler set another.</summary>
    public Task CompleteAlarmAsync(long scheduledTime) => _host.CompleteAlarmAsync(this, scheduledTime);

    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the object has stopped and its storage is closed.</summary>
    public Task Closed => _closed.Task;

    internal void MarkClosed() => _closed.TrySetResult();

    internal bool MarkStopped()
    {
        if (_stopped) return false;
        _stopped = true;
        return true;
    }

    private readonly HashSet<Web.WebSockets.WorkerWebSocket> _pinning = [];

    /// <summary>True while a WebSocket it accepted with accept() (not hibernatable) is open: such an object is never evicted.</summary>
    public bool HasOpenSockets { get { lock (_pinning) return _pinning.Count > 0; } }

    /// <summary>A WebSocket the object made: it sends through the output gate and keeps the object in memory until it ends or hibernates.</summary>
    internal void AdoptSocket(Web.WebSockets.WorkerWebSocket socket)
    {
        socket.Gate = Gate;
        lock (_pinning) _pinning.Add(socket);
        socket.Finished += () => Unpin(socket);
    }

    /// <summary>Closes the sockets it accept()ed (the object was reset or its code updated), as Cloudflare disconnects them.</summary>
    internal void CloseOpenSockets(int code, string reason)
    {
        List<Web.WebSockets.WorkerWebSocket> open;
        lock (_pinning) open = [.. _pinning];
        foreach (var socket in open) socket.Close(code, reason);
    }

    /// <summary>The socket was accepted with acceptWebSocket(): it no longer keeps the object in memory.</summary>
    internal void Unpin(Web.WebSockets.WorkerWebSocket socket)
    {
        bool idle;
        lock (_pinning) idle = _pinning.Remove(socket) && _pinning.Count == 0;
        if (idle && InFlight == 0) Idle?.Invoke(this);
    }

    internal void EventStarted() => Interlocked.Increment(ref _inFlight);

    internal void EventEnded()
    {
        if (Interlocked.Decrement(ref _inFlight) == 0) Idle?.Invoke(this);
    }

    /// <summary>The object reset itself: the directory stops it and starts a new instance for the next event.</summary>
    internal void ResetBy(Exception reason)
    {
        if (Interlocked.CompareExchange(ref _resetBy, reason, null) != null) return;
        // Nothing the reset instance still sends gets out: its callers get the reset's error instead.
        Gate.Break(reason);
        WasReset?.Invoke(this);
    }

    private bool _alarmChanged;

    /// <summary>
    /// The object sets (or deletes) its alarm in the open transaction. As workerd does: an earlier
    /// alarm is recorded with the scheduler before the write commits (a spurious early wake-up is
    /// harmless, the object's storage decides), a later one or a deletion after it is durable.
    /// </summary>
    internal void AlarmChanging(long? time)
    {
        if (time is { } t && (Spec.Alarms.Scheduled is not { } scheduled || t < scheduled)) BlockCommitUntil(Spec.Alarms.ScheduleAsync(t));
        else _alarmChanged = true;
    }

    /// <summary>A commit happened: a later alarm (or none) goes to the scheduler once it is durable.</summary>
    internal void AfterCommit()
    {
        if (!_alarmChanged) return;
        _alarmChanged = false;
        var alarm = Storage.GetAlarm();
        var seq = Storage.Durability.CommittedSeq;
        if (alarm == Spec.Alarms.Scheduled) return;
        Storage.Durability.WhenDurable(seq).ContinueWith(t => { if (t.IsCompletedSuccessfully) _ = Spec.Alarms.ScheduleAsync(alarm); },
            TaskContinuationOptions.ExecuteSynchronously);
    }

    /// <summary>The commit of the open transaction waits for <paramref name="task"/> (an earlier alarm recorded before the write that sets it).</summary>
    internal void BlockCommitUntil(Task task)
    {
        Interlocked.Increment(ref _commitBlockers);
        task.ContinueWith(t =>
        {
            Interlocked.Decrement(ref _commitBlockers);
            if (t.IsFaulted) Gate.Break(t.Exception!.InnerException ?? t.Exception);
            else _host.CommitLater(this);
        }, TaskContinuationOptions.ExecuteSynchronously);
    }
}

/// <summary>How an alarm() run went: <see cref="Ok"/> unless the handler threw (then it is retried).</summary>
public sealed record AlarmOutcome(bool Ok, string? Error = null);
