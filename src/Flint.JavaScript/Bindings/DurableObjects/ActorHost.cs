using System.Text;
using System.Text.Json;
using Flint.Engine.DurableObjects;
using Flint.JavaScript.Isolates;
using Flint.JavaScript.Isolates.Events;
using Flint.JavaScript.Rpc;
using Microsoft.ClearScript;
using Microsoft.ClearScript.V8.FastProxy;
using Microsoft.Extensions.Logging;

namespace Flint.JavaScript.Bindings.DurableObjects;

/// <summary>
/// The actors one isolate runs (88_durable_objects.js is their JavaScript side): it starts and
/// stops them, delivers their events, serves their storage calls synchronously on the isolate's
/// thread (SQLite answers from its page cache; workerd's SQLite-backed objects do the same), and
/// commits each actor's writes when the turn that made them ends — one atomic commit for all the
/// writes of a turn, the coalescing Cloudflare's output gate gives.
/// </summary>
internal sealed class ActorHost
{
    private readonly WorkerIsolate _worker;
    private readonly JsIsolate _isolate;
    private readonly ILogger _logger;
    private readonly Dictionary<int, Actor> _actors = []; // loop thread only
    private readonly List<Actor> _dirty = [];              // actors that wrote during this turn (loop thread)
    private ScriptObject _open = null!, _fetch = null!, _alarm = null!, _webSocket = null!, _stop = null!;
    private byte[]? _big;          // a result too large for the transfer buffer, taken by doTakeBig
    private string _lastError = "Error\nUnknown storage error.";
    private int _nextKey;

    private ActorHost(WorkerIsolate worker, ILogger logger)
    {
        _worker = worker;
        _isolate = worker.Isolate;
        _logger = logger;
        _isolate.TurnEnded += CommitDirty;
    }

    internal WorkerIsolate Worker => _worker;

    public static ActorHost Register(HostOpTable ops, WorkerIsolate worker, ILogger logger)
    {
        var host = new ActorHost(worker, logger);
        ActorOps.Register(ops, host);
        return host;
    }

    public void Bind()
    {
        var arrows = _isolate.MakeEntryPoints(
            "(k, c, i, n, q, t) => rt.actorOpen(k, c, i, n, q, t)",
            "(e, k, m, u, h, b, c) => rt.actorFetch(e, k, m, u, h, b, c)",
            "(e, k, r) => rt.actorAlarm(e, k, r)",
            "(e, k, s, n, d, c, r) => rt.actorWebSocket(e, k, s, n, d, c, r)",
            "(k, m, n, f) => rt.actorStop(k, m, n, f)");
        (_open, _fetch, _alarm, _webSocket, _stop) = (arrows[0], arrows[1], arrows[2], arrows[3], arrows[4]);
    }

    // ---- starting and stopping -----------------------------------------------------------------

    /// <summary>Starts an actor on this isolate; its instance is made by the first event.</summary>
    public Task<Actor> OpenAsync(ActorSpec spec, string className)
    {
        var opened = new TaskCompletionSource<Actor>(TaskCreationOptions.RunContinuationsAsynchronously);
        _isolate.Post(() =>
        {
            try
            {
                var storage = DurableObjectStorage.Open(spec.StoragePath, spec.Address.Namespace.Sqlite);
                var actor = new Actor(this, ++_nextKey, spec, storage);
                _actors[actor.Key] = actor;
                // Hibernated sockets the object kept now send through this instance's output gate.
                foreach (var socket in spec.Sockets.All()) socket.Socket.Gate = actor.Gate;
                _isolate.Run(null, () => _open.InvokeAsFunction(actor.Key, className, spec.Address.Id, spec.Address.Name,
                    spec.Address.Namespace.Sqlite, spec.BlockConcurrencyTimeout.TotalMilliseconds));
                opened.TrySetResult(actor);
            }
            catch (Exception ex)
            {
                opened.TrySetException(ex is ScriptEngineException se ? new DurableObjectException(_worker.DescribeScriptError(se)) : ex);
            }
        });
        return opened.Task;
    }

    /// <summary>Stops <paramref name="actor"/> (see <see cref="Actor.StopAsync"/>); completes once its storage is durable and closed.</summary>
    public Task StopAsync(Actor actor, Exception? failWith)
    {
        if (!actor.MarkStopped()) return actor.Closed;
        _isolate.Post(() =>
        {
            var error = failWith ?? actor.ResetReason;
            // Events still running fail with the reason; their late answers find nothing to answer.
            if (error is not null)
            {
                foreach (var ev in _worker.EventsOf(actor)) _worker.FailEvent(ev, () => FailWith(ev, error));
                actor.CloseOpenSockets(1012, error is DurableObjectException { Retryable: true } ? "Durable Object reset because its code was updated." : "Durable Object reset.");
            }
            var flags = error is DurableObjectException d ? d.Flags : "";
            try
            {
                _isolate.Run(null, () => _stop.InvokeAsFunction(actor.Key, error?.Message, (error as DurableObjectException)?.Name ?? "Error", flags));
            }
            catch (ScriptEngineException ex) { _logger.LogError("Stopping Durable Object {Address}: {Error}", actor.Address, ex.Message); }
            _dirty.Remove(actor);
            _actors.Remove(actor.Key);
            long last = 0;
            try
            {
                if (actor.ResetReason is not null || actor.Storage.TransactionDepth > 0) Rollback(actor);
                else last = actor.Storage.Commit();
                if (last > 0) actor.Gate.Committed(last);
            }
            catch (Exception ex) when (ex is DurableObjectStorageException or IOException)
            {
                _logger.LogError("Durable Object {Address}: its last writes could not be committed: {Error}", actor.Address, ex.Message);
            }
            var durable = last > 0 ? actor.Storage.Durability.WhenDurable(last) : Task.CompletedTask;
            durable.ContinueWith(_ => _isolate.Post(() =>
            {
                actor.Storage.Dispose();
                actor.MarkClosed();
            }), TaskContinuationOptions.ExecuteSynchronously);
        });
        return actor.Closed;
    }

    /// <summary>
    /// The isolate is being disposed (its version retired, the server stopping): every actor still
    /// on it commits what it can and closes its storage now, on the loop, before V8 goes away.
    /// </summary>
    public void DisposeAll()
    {
        _isolate.Post(() =>
        {
            foreach (var actor in _actors.Values.ToList())
            {
                actor.MarkStopped();
                try
                {
                    if (actor.Storage.TransactionDepth > 0 || actor.ResetReason is not null) Rollback(actor);
                    else if (actor.Storage.Commit() is var seq and > 0) actor.Gate.Committed(seq);
                }
                catch (Exception ex) when (ex is DurableObjectStorageException or IOException) { Rollback(actor); }
                actor.Storage.Dispose();
                actor.MarkClosed();
            }
            _actors.Clear();
            _dirty.Clear();
        });
    }

    public Task<long?> ReadAlarmAsync(Actor actor)
    {
        var read = new TaskCompletionSource<long?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _isolate.Post(() =>
        {
            if (!_actors.ContainsKey(actor.Key)) { read.TrySetException(new DurableObjectException("Durable Object was stopped; try again.") { Retryable = true }); return; }
            try { read.TrySetResult(actor.Storage.GetAlarm()); }
            catch (Exception ex) { read.TrySetException(ex); }
        });
        return read.Task;
    }

    public Task CompleteAlarmAsync(Actor actor, long scheduledTime)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _isolate.Post(() =>
        {
            try
            {
                if (_actors.ContainsKey(actor.Key) && actor.Storage.GetAlarm() == scheduledTime && actor.Storage.TransactionDepth == 0)
                {
                    actor.Storage.SetAlarm(null);
                    actor.AlarmChanging(null);
                    actor.Gate.Wrote(true);
                    CommitNow(actor);
                }
                done.TrySetResult();
            }
            catch (Exception ex) { done.TrySetException(ex); }
        });
        return done.Task;
    }

    private static void FailWith(EventContext ev, Exception error)
    {
        switch (ev)
        {
            case FetchContext fetch: fetch.Response.TrySetException(error); break;
            case RpcContext rpc: rpc.Answer.Fail(error); break;
            case AlarmContext alarm: alarm.Outcome.TrySetResult(new AlarmOutcome(false, error.Message)); break;
            case ActorSocketContext socket: socket.Completed.TrySetResult(); break;
            default: ev.Fail(new WorkerException("Error: " + error.Message)); break;
        }
    }

    // ---- events --------------------------------------------------------------------------------

    private T Admit<T>(Actor actor, T ev) where T : EventContext
    {
        ev.Actor = actor;
        if (!actor.IsLive) throw actor.ResetReason ?? new DurableObjectException("Durable Object was stopped; try again.") { Retryable = true };
        if (!_worker.Admit(ev)) throw new DurableObjectException("The Durable Object's isolate was stopped; try again.") { Retryable = true };
        actor.EventStarted();
        return ev;
    }

    public Task<WorkerResponse> FetchAsync(Actor actor, IncomingRequest request)
    {
        FetchContext ev;
        try { ev = Admit(actor, new FetchContext(request, _worker.CpuLimit)); }
        catch (Exception ex) { return Task.FromException<WorkerResponse>(ex); }
        var bodyId = request.Body is null ? 0 : _worker.Streams.Register(request.Body, owner: null, ev);
        ev.RequestBodyId = bodyId;
        var headers = string.Join('\n', request.Headers);
        PostEvent(ev, () => _fetch.InvokeAsFunction(ev.Id, actor.Key, request.Method, request.Url, headers, bodyId, request.CfJson));
        return ev.Response.Task;
    }

    public RpcAnswer Call(Actor actor, RpcCall call)
    {
        RpcContext ev;
        try { ev = Admit(actor, new RpcContext(call, new RpcAnswer(), _worker.CpuLimit)); }
        catch (Exception ex)
        {
            call.Args.Dispose();
            return RpcAnswer.Failed(ex);
        }
        return _worker.Rpc.AcceptActor(ev, actor.Key);
    }

    public Task<AlarmOutcome> AlarmAsync(Actor actor, int retryCount)
    {
        AlarmContext ev;
        try { ev = Admit(actor, new AlarmContext(_worker.CpuLimit)); }
        catch (Exception ex) { return Task.FromResult(new AlarmOutcome(false, ex.Message)); }
        PostEvent(ev, () => _alarm.InvokeAsFunction(ev.Id, actor.Key, retryCount));
        return ev.Outcome.Task;
    }

    public Task WebSocketEventAsync(Actor actor, HibernatableSocket socket, int kind, object? data, int code, string? reason)
    {
        ActorSocketContext ev;
        try { ev = Admit(actor, new ActorSocketContext(_worker.CpuLimit)); }
        catch (Exception ex) { return Task.FromException(ex); }
        PostEvent(ev, () => JsIsolate.InvokeAndRelease(_webSocket, ev.Id, actor.Key, socket.HostId, kind,
            data is byte[] bytes ? _isolate.ToJsBytes(bytes) : data, code, reason));
        return ev.Completed.Task;
    }

    private void PostEvent(EventContext ev, Action dispatch)
    {
        _isolate.PostTurn(ev, () =>
        {
            try { dispatch(); }
            catch (ScriptEngineException ex) when (!ex.IsFatal)
            {
                var error = _worker.DescribeScriptError(ex);
                _logger.LogError("Uncaught {Error}", error);
                _worker.FailEvent(ev, () => FailWith(ev, new DurableObjectException(error)));
            }
        });
    }

    internal void FetchError(int eventId, string name, string message, string flags, string stack)
    {
        _logger.LogError("Uncaught {Error}", stack);
        if (_worker.FindEvent(eventId) is not FetchContext { Actor: { } actor } fetch) return;
        var error = new DurableObjectException(message, name) { Remote = flags.Contains("remote"), Reset = flags.Contains("durableObjectReset") };
        actor.Gate.Send(() => fetch.Response.TrySetException(error), e => fetch.Response.TrySetException(e));
    }

    /// <summary>Script reports how alarm event <paramref name="eventId"/> went.</summary>
    internal void AlarmResult(int eventId, bool ok, string error)
    {
        if (_worker.FindEvent(eventId) is AlarmContext alarm) alarm.Result = new AlarmOutcome(ok, ok ? null : error);
    }

    // ---- writes and commits ----------------------------------------------------------------------

    internal Actor? Find(int key) => _actors.GetValueOrDefault(key);

    /// <summary>A write joined <paramref name="actor"/>'s open transaction: it commits when this turn ends.</summary>
    internal void Wrote(Actor actor, bool confirmed)
    {
        actor.Gate.Wrote(confirmed);
        if (!_dirty.Contains(actor)) _dirty.Add(actor);
    }

    /// <summary>The turn ended: each actor that wrote commits its writes as one transaction (unless an explicit transaction or an alarm write holds it open).</summary>
    private void CommitDirty()
    {
        if (_dirty.Count == 0) return;
        for (var i = _dirty.Count - 1; i >= 0; i--)
        {
            var actor = _dirty[i];
            if (actor.Storage.TransactionDepth > 0 || actor.CommitBlocked) continue;
            _dirty.RemoveAt(i);
            CommitNow(actor);
        }
    }

    /// <summary>Commits when what held the commit back is done (on the loop, outside a turn).</summary>
    internal void CommitLater(Actor actor) => _isolate.Post(() =>
    {
        if (!_actors.ContainsKey(actor.Key) || actor.Storage.TransactionDepth > 0 || actor.CommitBlocked) return;
        _dirty.Remove(actor);
        CommitNow(actor);
    });

    private void CommitNow(Actor actor)
    {
        try
        {
            var seq = actor.Storage.Commit();
            if (seq > 0) actor.Gate.Committed(seq);
            actor.AfterCommit();
        }
        catch (Exception ex) when (ex is DurableObjectStorageException or IOException)
        {
            _logger.LogError("Durable Object {Address}: commit failed, the object is reset: {Error}", actor.Address, ex.Message);
            Rollback(actor);
            actor.Gate.Break(ex);
        }
    }

    private static void Rollback(Actor actor)
    {
        actor.Storage.RollbackUncommitted();
        actor.Gate.RolledBack();
    }

    // ---- results crossing to script ---------------------------------------------------------------

    /// <summary>Bytes for script: into the transfer buffer when they fit (script reads them there at once), else kept for doTakeBig.</summary>
    internal int PutBytes(byte[] bytes)
    {
        if (bytes.Length <= JsIsolate.TransferSize)
        {
            _isolate.WriteTransfer(bytes);
            _big = null;
        }
        else _big = bytes;
        return bytes.Length;
    }

    internal byte[]? TakeBig()
    {
        var big = _big;
        _big = null;
        return big;
    }

    /// <summary>Remembers an error for script to read with doLastError (ops never throw into script).</summary>
    internal void SetError(Exception ex)
    {
        _lastError = ex switch
        {
            DurableObjectStorageException s => $"{s.Name}\n{s.Message}",
            DurableObjectException d => $"{d.Name}\n{d.Message}",
            ArgumentException a => $"TypeError\n{a.Message}",
            _ => $"Error\n{InternalError(ex)}",
        };
    }

    internal string LastError => _lastError;

    private string InternalError(Exception ex)
    {
        var reference = WorkerIsolate.NewErrorReference();
        _logger.LogError(ex, "Durable Object storage failed (reference = {Reference})", reference);
        return $"internal error; reference = {reference}";
    }

    internal JsIsolate Isolate => _isolate;

    /// <summary>The isolate stops for good: every actor on it is gone.</summary>
    public void FailAll(Exception reason)
    {
        foreach (var actor in _actors.Values.ToList()) actor.ResetBy(reason);
    }
}

/// <summary>An alarm() run in a Durable Object.</summary>
internal sealed class AlarmContext(TimeSpan cpuLimit) : EventContext(cpuLimit)
{
    public override string Kind => "alarm";
    public TaskCompletionSource<AlarmOutcome> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public AlarmOutcome? Result { get; set; }
    internal override void Fail(WorkerException error) => Outcome.TrySetResult(new AlarmOutcome(false, error.Message));
    internal override void Done() => Outcome.TrySetResult(Result ?? new AlarmOutcome(false, "The alarm event ended without an outcome."));
}

/// <summary>An event of a hibernatable WebSocket in a Durable Object: webSocketMessage, webSocketClose or webSocketError.</summary>
internal sealed class ActorSocketContext(TimeSpan cpuLimit) : EventContext(cpuLimit)
{
    public override string Kind => "websocket";
    public TaskCompletionSource Completed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    internal override void Fail(WorkerException error) => Completed.TrySetResult();
    internal override void Done() => Completed.TrySetResult();
}
