using Flint.JavaScript.Bindings.DurableObjects;
using Flint.JavaScript.Rpc;
using Flint.JavaScript.Isolates;
using Flint.Runtime.Workers;
using Microsoft.Extensions.Logging;

namespace Flint.Runtime.DurableObjects;

/// <summary>
/// One object in the directory: its live actor (at most one), the version of its Worker that
/// runs it, its hibernatable WebSockets (which outlive the actor) and its alarm. Starting and
/// stopping are serialized: a new actor starts only once the previous one has stopped and closed
/// its storage.
/// </summary>
internal sealed class ObjectEntry
{
    private readonly DurableObjectDirectory _directory;
    private readonly object _gate = new();
    private Actor? _actor;
    private WorkerVersion? _version;
    private Task<Actor>? _starting;
    private Task _stopped = Task.CompletedTask;
    private int _dispatching;
    private ITimer? _evictTimer;
    private bool _registered;

    public ObjectEntry(DurableObjectDirectory directory, DurableObjectAddress address)
    {
        _directory = directory;
        _address = address;
        Sockets = new HibernatableSockets { Deliver = DeliverSocketEventAsync };
        Alarm = new ObjectAlarm(directory.Alarms, this);
    }

    private DurableObjectAddress _address;

    /// <summary>The object's address, with its namespace as the latest migrations name it (a rename changes the class, not the storage).</summary>
    public DurableObjectAddress Address => Volatile.Read(ref _address);

    /// <summary>A caller's address for the same object: its namespace may be newer (the class was renamed or transferred).</summary>
    public void Refresh(DurableObjectAddress address)
    {
        var current = Address;
        if (current.Namespace == address.Namespace && (address.Name is null || current.Name == address.Name)) return;
        Volatile.Write(ref _address, address with { Name = address.Name ?? current.Name });
    }
    public HibernatableSockets Sockets { get; }
    public ObjectAlarm Alarm { get; }

    /// <summary>The running actor, if it is live and of the Worker's current version.</summary>
    public Actor? LiveActor()
    {
        lock (_gate) return LiveActorLocked();
    }

    /// <summary>The live actor, started (after the previous one stopped) when there is none.</summary>
    public Task<Actor> ActorAsync()
    {
        WorkerService service;
        try { service = _directory.HostOf(Address.Namespace); }
        catch (Exception ex) { return Task.FromException<Actor>(ex); }
        lock (_gate)
        {
            if (_actor is { IsLive: true } a && _version == service.Current) return Task.FromResult(a);
            if (_starting is { } starting) return starting;
            var old = _actor;
            _actor = null;
            var reason = old is null ? null : old.ResetReason ?? (_version != service.Current ? DurableObjectException.CodeUpdated() : null);
            _starting = StartAsync(old, reason);
            return _starting;
        }
    }

    private async Task<Actor> StartAsync(Actor? old, Exception? oldReason)
    {
        try
        {
            if (old is not null) await StopActorAsync(old, oldReason).ConfigureAwait(false);
            Task previous;
            lock (_gate) previous = _stopped;
            await previous.ConfigureAwait(false);
            var service = _directory.HostOf(Address.Namespace);
            var version = service.Current;
            var isolate = await version.Pool.IsolateForAsync(Sockets.Home).ConfigureAwait(false);
            // Hibernatable sockets live in the isolate that accepted them; an object started elsewhere cannot serve them.
            Sockets.CloseNotOn(isolate, 1012, "Durable Object restarted.");
            var store = _directory.Data.Namespace(Address.Namespace.StorageName);
            if (!_registered)
            {
                await store.RegisterAsync(Address.Id, Address.Name, _directory.Time.GetUtcNow()).ConfigureAwait(false);
                _registered = true;
            }
            var spec = new ActorSpec(Address, store.ObjectPath(Address.Id), Alarm, Sockets) { BlockConcurrencyTimeout = _directory.Options.BlockConcurrencyTimeout };
            var actor = await isolate.OpenActorAsync(spec, Address.Namespace.ClassName).ConfigureAwait(false);
            actor.Idle += OnIdle;
            actor.WasReset += OnReset;
            lock (_gate)
            {
                _actor = actor;
                _version = version;
                _starting = null;
            }
            return actor;
        }
        catch
        {
            lock (_gate) _starting = null;
            throw;
        }
    }

    // Events that arrived while the object was starting, in arrival order (E-order, as Cloudflare keeps it).
    private readonly Queue<(Action<Actor> Send, Action<Exception> Fail)> _queued = new();

    /// <summary>
    /// Delivers an event in arrival order: at once to the live actor, or after the ones that wait
    /// for the object to start. <paramref name="fail"/> hears when it cannot start.
    /// </summary>
    public void Enqueue(Action<Actor> send, Action<Exception> fail)
    {
        Task<Actor> starting;
        lock (_gate)
        {
            if (_queued.Count == 0 && LiveActorLocked() is { } live)
            {
                DispatchLocked(live, send);
                return;
            }
            _queued.Enqueue((send, fail));
            if (_queued.Count > 1) return; // the first one waiting drains the queue
            starting = ActorAsync();
        }
        _ = DrainWhenStartedAsync(starting);
    }

    private async Task DrainWhenStartedAsync(Task<Actor> starting)
    {
        while (true)
        {
            Actor? actor = null;
            Exception? error = null;
            try { actor = await starting.ConfigureAwait(false); }
            catch (Exception ex) { error = ex; }
            lock (_gate)
            {
                if (error is not null)
                {
                    while (_queued.TryDequeue(out var item)) item.Fail(error);
                    return;
                }
                // Stopped again before the queue drained (a reset): start once more.
                if (!actor!.IsLive) { starting = ActorAsync(); continue; }
                while (_queued.TryDequeue(out var item)) DispatchLocked(actor, item.Send);
                return;
            }
        }
    }

    private Actor? LiveActorLocked()
    {
        try
        {
            return _actor is { IsLive: true } a && _version is { } v && _directory.HostOf(Address.Namespace).Current == v ? a : null;
        }
        catch (DurableObjectException) { return null; }
    }

    private void DispatchLocked(Actor actor, Action<Actor> send)
    {
        _evictTimer?.Dispose();
        _evictTimer = null;
        _dispatching++;
        try { send(actor); }
        finally { _dispatching--; }
        if (actor.InFlight == 0) OnIdleLocked(actor);
    }

    /// <summary>Sends one event to <paramref name="actor"/>; while it is being handed over, the object is not evicted.</summary>
    public T Dispatch<T>(Actor actor, Func<Actor, T> send)
    {
        lock (_gate)
        {
            _dispatching++;
            _evictTimer?.Dispose();
            _evictTimer = null;
        }
        try { return send(actor); }
        finally
        {
            lock (_gate) _dispatching--;
            if (actor.InFlight == 0) OnIdle(actor);
        }
    }

    private void OnIdle(Actor actor)
    {
        lock (_gate) OnIdleLocked(actor);
    }

    private void OnIdleLocked(Actor actor)
    {
        if (_actor != actor || _dispatching > 0 || actor.HasOpenSockets || actor.InFlight > 0) return;
        var timeout = Sockets.Count > 0 ? _directory.Options.HibernationTimeout : _directory.Options.IdleTimeout;
        _evictTimer?.Dispose();
        _evictTimer = _directory.Time.CreateTimer(_ => Evict(actor), null, timeout, Timeout.InfiniteTimeSpan);
    }

    private void Evict(Actor actor)
    {
        lock (_gate)
        {
            if (_actor != actor || actor.InFlight > 0 || _dispatching > 0 || actor.HasOpenSockets) return;
            _actor = null;
            _evictTimer?.Dispose();
            _evictTimer = null;
            _directory.Log.LogDebug("Durable Object {Address} evicted after being idle{Hibernating}", Address, Sockets.Count > 0 ? " (hibernating)" : "");
            _stopped = StopActorAsync(actor, null);
        }
    }

    private void OnReset(Actor actor)
    {
        lock (_gate)
        {
            if (_actor == actor) _actor = null;
            _stopped = StopActorAsync(actor, actor.ResetReason);
        }
    }

    /// <summary>The Worker was reloaded: the object's clients are disconnected and it stops; the new version starts it on its next event.</summary>
    public async Task CodeUpdatedAsync(WorkerVersion current)
    {
        Actor? actor;
        lock (_gate)
        {
            actor = _actor;
            if (actor is null || _version == current) return;
            _actor = null;
        }
        Sockets.CloseAll(1012, "Durable Object reset because its code was updated.");
        var stop = StopActorAsync(actor, DurableObjectException.CodeUpdated());
        lock (_gate) _stopped = stop;
        await stop.ConfigureAwait(false);
    }

    /// <summary>Stops the object (if running) and waits until its storage is closed.</summary>
    public async Task StopAsync(Exception? reason)
    {
        Actor? actor;
        Task previous;
        lock (_gate)
        {
            actor = _actor;
            _actor = null;
            _evictTimer?.Dispose();
            _evictTimer = null;
            previous = _stopped;
        }
        if (actor is not null) await StopActorAsync(actor, reason).ConfigureAwait(false);
        await previous.ConfigureAwait(false);
    }

    private async Task StopActorAsync(Actor actor, Exception? reason)
    {
        try { await actor.StopAsync(reason).ConfigureAwait(false); }
        catch (Exception ex) { _directory.Log.LogError("Stopping Durable Object {Address}: {Error}", Address, ex.Message); }
    }

    /// <summary>A hibernatable socket's event: wakes the object if it hibernates, then delivers the event to it.</summary>
    private Task DeliverSocketEventAsync(HibernatableSocket socket, int kind, object? data, int code, string? reason)
    {
        var delivered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Enqueue(actor => actor.WebSocketEventAsync(socket, kind, data, code, reason).ContinueWith(_ => delivered.TrySetResult(), TaskContinuationOptions.ExecuteSynchronously),
            error =>
            {
                _directory.Log.LogWarning("Durable Object {Address} could not take a WebSocket event: {Error}", Address, error.Message);
                delivered.TrySetResult();
            });
        return delivered.Task;
    }

    /// <summary>A request for the object, delivered in arrival order.</summary>
    public Task<WorkerResponse> FetchAsync(IncomingRequest request)
    {
        var response = new TaskCompletionSource<WorkerResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        Enqueue(actor => actor.FetchAsync(request).ContinueWith(t =>
        {
            if (t.IsCompletedSuccessfully) response.TrySetResult(t.Result);
            else response.TrySetException(t.Exception!.InnerExceptions);
        }, TaskContinuationOptions.ExecuteSynchronously), error => response.TrySetException(error));
        return response.Task;
    }

    /// <summary>An RPC call on the object, delivered in arrival order; returned at once for pipelining.</summary>
    public RpcAnswer Call(RpcCall call)
    {
        lock (_gate)
        {
            if (_queued.Count == 0 && LiveActorLocked() is { } live)
            {
                RpcAnswer direct = null!;
                DispatchLocked(live, a => direct = a.Call(call));
                return direct;
            }
        }
        var inner = new TaskCompletionSource<RpcAnswer>(TaskCreationOptions.RunContinuationsAsynchronously);
        var answer = new RpcAnswer();
        _ = answer.FollowAsync(inner.Task);
        Enqueue(actor => inner.TrySetResult(actor.Call(call)), error =>
        {
            call.Args.Dispose();
            inner.TrySetResult(RpcAnswer.Failed(error));
        });
        return answer;
    }
}
