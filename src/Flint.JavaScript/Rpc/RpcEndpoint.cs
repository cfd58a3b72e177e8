using System.Collections.Concurrent;
using System.Text;
using Flint.JavaScript.Bindings;
using Flint.JavaScript.Bindings.Service;
using Flint.JavaScript.Isolates;
using Flint.JavaScript.Isolates.Events;
using Microsoft.ClearScript;
using Microsoft.ClearScript.V8.FastProxy;

namespace Flint.JavaScript.Rpc;

/// <summary>
/// One isolate's end of JavaScript RPC (87_rpc.js is the other): the objects it exported (functions
/// and RpcTargets it sent, by export id, with the count of stubs that reference each), the stubs its
/// script holds (imports, each one counted reference to an export somewhere), its calls in flight
/// and the calls it answers. Script knows all of these by integer ids; each belongs to the event
/// that made it and is released when that event closes, as Cloudflare's stubs are.
/// </summary>
internal sealed class RpcEndpoint
{
    private readonly WorkerIsolate _worker;
    private readonly JsIsolate _isolate;
    private readonly IReadOnlyList<HostBinding> _bindings;
    private readonly ConcurrentDictionary<int, Export> _exports = new();
    private readonly ConcurrentDictionary<int, Import> _imports = new();
    private readonly ConcurrentDictionary<int, Outgoing> _outgoing = new(); // by the caller's promise id
    private readonly ConcurrentDictionary<int, Incoming> _incoming = new(); // by call id
    private ScriptObject _dispatchRpc = null!, _invokeExport = null!, _invokePipelined = null!, _completeRpc = null!, _releaseExport = null!, _forgetCall = null!, _disconnect = null!;
    private int _nextExport, _nextImport, _nextCall;

    private RpcEndpoint(WorkerIsolate worker, IReadOnlyList<HostBinding> bindings)
    {
        _worker = worker;
        _isolate = worker.Isolate;
        _bindings = bindings;
    }

    public static RpcEndpoint Register(HostOpTable ops, WorkerIsolate worker, IReadOnlyList<HostBinding> bindings)
    {
        var rpc = new RpcEndpoint(worker, bindings);
        void Add(string name, V8FastHostFunctionInvoker invoke) => ops.SetProperty(name, new V8FastHostFunction(name, invoke));
        Add("rpcExport", (bool _, in V8FastArgs a, in V8FastResult r) => r.Set(rpc.NewExport()));
        Add("rpcCall", (bool _, in V8FastArgs a, in V8FastResult r) =>
            rpc.StartCall(a.GetInt32(0, "promise"), a.GetInt32(1, "targetKind"), a.GetInt32(2, "target"), a.GetString(3, "path"),
                (RpcCallKind)a.GetInt32(4, "kind"), rpc.ReadBytes(a, 5), a.GetString(6, "handles")));
        Add("rpcReturn", (bool _, in V8FastArgs a, in V8FastResult r) =>
            rpc.Return(a.GetInt32(0, "call"), rpc.ReadBytes(a, 1), a.GetString(2, "handles"), a.IsTruthy(3), a.IsTruthy(4)));
        Add("rpcRelease", (bool _, in V8FastArgs a, in V8FastResult r) => rpc.ReleaseImport(a.GetInt32(0, "stub")));
        Add("rpcDup", (bool _, in V8FastArgs a, in V8FastResult r) => r.Set(rpc.DupImport(a.GetInt32(0, "stub"))));
        Add("rpcForget", (bool _, in V8FastArgs a, in V8FastResult r) => rpc.ForgetOutgoing(a.GetInt32(0, "promise")));
        return rpc;
    }

    /// <summary>Makes the entry points into 87_rpc.js once the built-ins run.</summary>
    public void Bind()
    {
        const string payload = "(typeof p === \"number\" ? rt.takeHostTransfer(p) : p)";
        var arrows = _isolate.MakeEntryPoints(
            $"(e, c, n, o, a, k, p, h) => rt.dispatchRpc(e, c, n, o, a, k, {payload}, h)",
            $"(c, x, a, k, p, h) => rt.invokeExport(c, x, a, k, {payload}, h)",
            $"(c, b, a, k, p, h) => rt.invokePipelined(c, b, a, k, {payload}, h)",
            $"(i, p, h, e, m, n) => rt.completeRpc(i, p === null ? null : {payload}, h, e, m, n)",
            "(x) => rt.releaseExport(x)",
            "(c) => rt.forgetCall(c)",
            "(e) => rt.disconnectRpc(e)");
        (_dispatchRpc, _invokeExport, _invokePipelined, _completeRpc, _releaseExport, _forgetCall, _disconnect) =
            (arrows[0], arrows[1], arrows[2], arrows[3], arrows[4], arrows[5], arrows[6]);
    }

    private byte[] ReadBytes(in V8FastArgs a, int index) =>
        a.TryGet(index, out int length) ? _isolate.TakeTransfer(length) : ScriptHandles.CopyBytes(a.Get<object?>(index, "bytes")) ?? [];

    // ---- exports and imports -------------------------------------------------------------------

    private int NewExport()
    {
        var context = _isolate.Current;
        var export = new Export(this, Interlocked.Increment(ref _nextExport), context);
        _exports[export.Id] = export;
        context?.Own(export);
        return export.Id;
    }

    internal void AddRef(int exportId)
    {
        if (_exports.TryGetValue(exportId, out var export)) Interlocked.Increment(ref export.Refs);
    }

    internal void ReleaseRef(int exportId)
    {
        if (!_exports.TryGetValue(exportId, out var export) || Interlocked.Decrement(ref export.Refs) > 0) return;
        if (!_exports.TryRemove(exportId, out _)) return;
        export.Context?.Disown(export);
        _isolate.PostTurn(export.Context, () => _releaseExport.InvokeAsFunction(exportId));
    }

    private int AddImport(StubRef stub, EventContext? context)
    {
        var import = new Import(this, Interlocked.Increment(ref _nextImport), stub, context);
        _imports[import.Id] = import;
        context?.Own(import);
        return import.Id;
    }

    private void ReleaseImport(int importId)
    {
        if (!_imports.TryRemove(importId, out var import)) return;
        import.Context?.Disown(import);
        import.Stub.Dispose();
    }

    private int DupImport(int importId) =>
        _imports.TryGetValue(importId, out var import) ? AddImport(import.Stub.Dup(), _isolate.Current) : AddImport(StubRef.Disposed(this), _isolate.Current);

    // ---- values crossing ---------------------------------------------------------------------

    /// <summary>A value script serialized: its handle tokens (e: a new export, s: a stub it holds, r: a stream) become handles.</summary>
    private RpcValue ToValue(byte[] bytes, string tokens, EventContext? context)
    {
        if (tokens.Length == 0) return new RpcValue(bytes, []);
        var parts = tokens.Split(',');
        var handles = new RpcHandle[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            var id = int.Parse(parts[i].AsSpan(1));
            handles[i] = parts[i][0] switch
            {
                'e' => new StubRef(this, id),
                's' => _imports.TryGetValue(id, out var import) ? import.Stub.Dup() : StubRef.Disposed(this),
                'r' => new StreamHandle(_worker.Streams.OpenRead(id, context)),
                _ => throw new InvalidOperationException($"Unknown RPC handle token {parts[i]}."),
            };
        }
        return new RpcValue(bytes, handles);
    }

    /// <summary>Takes a value's handles into this isolate for <paramref name="context"/>: the tokens script turns into stubs and streams. In a turn.</summary>
    private string TakeHandles(RpcValue value, EventContext? context)
    {
        var handles = value.TakeHandles();
        if (handles.Length == 0) return "";
        var tokens = new StringBuilder();
        foreach (var handle in handles)
        {
            if (tokens.Length > 0) tokens.Append(',');
            switch (handle)
            {
                case StubRef stub:
                    tokens.Append('s').Append(AddImport(stub, context));
                    break;
                case StreamHandle stream:
                    var taken = stream.Take() ?? Stream.Null;
                    tokens.Append('r').Append(_worker.Streams.Register(taken, owner: taken, context));
                    break;
                default:
                    handle.Dispose();
                    tokens.Append("s0");
                    break;
            }
        }
        return tokens.ToString();
    }

    /// <summary>The value's bytes as script takes them: a length in the transfer buffer, or a Uint8Array when too large. In a turn.</summary>
    private object Payload(RpcValue value) => _isolate.WriteTransferOrBytes(value.Bytes);

    // ---- calls this isolate makes ----------------------------------------------------------------

    private void StartCall(int promiseId, int targetKind, int target, string path, RpcCallKind kind, byte[] bytes, string tokens)
    {
        var context = _isolate.Current;
        var args = ToValue(bytes, tokens, context);
        RpcAnswer Refuse(string message, string name = "Error")
        {
            args.Dispose();
            return RpcAnswer.Failed(new RpcException(message, name));
        }
        var answer = targetKind switch
        {
            1 => (uint)target < (uint)_bindings.Count && _bindings[target] is ServiceBinding service
                ? service.Call(kind, path, args, context)
                : Refuse("No such binding."),
            2 => _imports.TryGetValue(target, out var import) ? import.Stub.Call(kind, path, args) : Refuse("RPC stub used after being disposed."),
            3 => _outgoing.TryGetValue(target, out var call)
                ? call.Answer.Pipeline(kind, path, args)
                : Refuse("Calls cannot be pipelined on the result of an RPC call once it is disposed.", "TypeError"),
            _ => Refuse("Unknown RPC target."),
        };
        var outgoing = new Outgoing(this, promiseId, answer);
        _outgoing[promiseId] = outgoing;
        context?.Own(outgoing);
        _ = DeliverAsync(outgoing, context);
    }

    private async Task DeliverAsync(Outgoing outgoing, EventContext? context)
    {
        RpcResult result;
        try
        {
            result = await outgoing.Answer.Result.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            DropOutgoing(outgoing);
            var (message, name) = ex is RpcException rpc ? (rpc.Message, rpc.Name) : (ex.Message, "Error");
            _isolate.PostTurn(context, () => _completeRpc.InvokeAsFunction(outgoing.PromiseId, null, "", true, message, name));
            return;
        }
        // A result nothing keeps for pipelining needs no forgetting.
        if (!result.Retained) DropOutgoing(outgoing);
        if (_worker.IsBroken || _isolate.IsDisposed || context is { IsClosed: true })
        {
            result.Value.Dispose();
            if (result.Retained) outgoing.Answer.Forget();
            return;
        }
        _isolate.PostTurn(context, () =>
        {
            var tokens = TakeHandles(result.Value, context);
            var payload = Payload(result.Value);
            JsIsolate.InvokeAndRelease(_completeRpc, outgoing.PromiseId, payload, tokens, result.IsError, null, null);
        });
    }

    private void DropOutgoing(Outgoing outgoing)
    {
        if (_outgoing.TryRemove(outgoing.PromiseId, out _)) _isolate.Current?.Disown(outgoing);
    }

    private void ForgetOutgoing(int promiseId)
    {
        if (!_outgoing.TryRemove(promiseId, out var outgoing)) return;
        outgoing.Context?.Disown(outgoing);
        outgoing.Answer.Forget();
    }

    // ---- calls this isolate answers ----------------------------------------------------------

    /// <summary>A call through a service binding arrives as event <paramref name="ev"/> (already admitted by the Worker).</summary>
    public RpcAnswer Accept(RpcContext ev)
    {
        var call = ev.Call;
        if (call.Caller is { } caller)
        {
            // When the caller's event ends, this one stops waiting for the stubs it gave out.
            var disconnect = new Disconnect(this, ev, caller);
            ev.Disconnect = disconnect;
            caller.Own(disconnect);
        }
        var callId = Interlocked.Increment(ref _nextCall);
        var incoming = new Incoming(this, callId, ev.Answer, ev);
        _incoming[callId] = incoming;
        ev.Own(incoming);
        ev.Answer.Accepted(this, callId);
        _isolate.PostTurn(ev, () =>
        {
            var tokens = TakeHandles(call.Args, ev);
            JsIsolate.InvokeAndRelease(_dispatchRpc, ev.Id, callId, call.Entrypoint, call.PropsJson, call.PathJson, (int)call.Kind, Payload(call.Args), tokens);
        });
        return ev.Answer;
    }

    /// <summary>A call on export <paramref name="exportId"/>, run in a turn for the event that exported it.</summary>
    internal void InvokeExport(int exportId, RpcCallKind kind, string pathJson, RpcValue args, RpcAnswer answer)
    {
        if (_isolate.IsDisposed || _worker.IsBroken || !_exports.TryGetValue(exportId, out var export))
        {
            args.Dispose();
            answer.Fail(new RpcException("RPC stub used after its Worker's execution context ended."));
            return;
        }
        var context = export.Context;
        var callId = Interlocked.Increment(ref _nextCall);
        var incoming = new Incoming(this, callId, answer, context);
        _incoming[callId] = incoming;
        context?.Own(incoming);
        answer.Accepted(this, callId);
        _isolate.PostTurn(context, () =>
        {
            var tokens = TakeHandles(args, context);
            JsIsolate.InvokeAndRelease(_invokeExport, callId, exportId, pathJson, (int)kind, Payload(args), tokens);
        });
    }

    /// <summary>A call on the result of call <paramref name="baseCallId"/>, which this isolate keeps.</summary>
    internal void InvokePipelined(int baseCallId, RpcCallKind kind, string pathJson, RpcValue args, RpcAnswer answer)
    {
        if (_isolate.IsDisposed || !_incoming.TryGetValue(baseCallId, out var baseCall))
        {
            args.Dispose();
            answer.Fail(new RpcException("Calls cannot be pipelined on the result of an RPC call once it is disposed.", "TypeError"));
            return;
        }
        var context = baseCall.Context;
        var callId = Interlocked.Increment(ref _nextCall);
        var incoming = new Incoming(this, callId, answer, context);
        _incoming[callId] = incoming;
        context?.Own(incoming);
        answer.Accepted(this, callId);
        _isolate.PostTurn(context, () =>
        {
            var tokens = TakeHandles(args, context);
            JsIsolate.InvokeAndRelease(_invokePipelined, callId, baseCallId, pathJson, (int)kind, Payload(args), tokens);
        });
    }

    /// <summary>Script answered call <paramref name="callId"/>; with <paramref name="retained"/> it keeps the result for pipelined calls.</summary>
    private void Return(int callId, byte[] bytes, string tokens, bool isError, bool retained)
    {
        var value = ToValue(bytes, tokens, _isolate.Current);
        if (!_incoming.TryGetValue(callId, out var incoming))
        {
            value.Dispose();
            return;
        }
        if (!retained) RemoveIncoming(incoming);
        incoming.Answer.Complete(new RpcResult(value, isError, retained));
    }

    /// <summary>The caller forgot call <paramref name="callId"/>: script may drop the result it kept.</summary>
    internal void Forget(int callId)
    {
        if (!_incoming.TryGetValue(callId, out var incoming)) return;
        RemoveIncoming(incoming);
        _isolate.PostTurn(incoming.Context, () => _forgetCall.InvokeAsFunction(callId));
    }

    private void RemoveIncoming(Incoming incoming)
    {
        if (_incoming.TryRemove(incoming.CallId, out _)) incoming.Context?.Disown(incoming);
    }

    /// <summary>The isolate went away: calls it was answering fail, its exports are gone.</summary>
    public void FailAll(string message)
    {
        foreach (var incoming in _incoming.Values)
        {
            if (_incoming.TryRemove(incoming.CallId, out _)) incoming.Answer.Fail(new RpcException(message));
        }
        _exports.Clear();
        foreach (var import in _imports.Values) import.Dispose();
    }

    // ---- table entries, each owned by an event -----------------------------------------------------

    /// <summary>The calling event of <paramref name="ev"/> ended: tell script, unless <paramref name="ev"/> is over already.</summary>
    internal sealed class Disconnect(RpcEndpoint endpoint, RpcContext ev, EventContext caller) : IDisposable
    {
        /// <summary><paramref name="ev"/> ended first: the caller need not hold this any longer.</summary>
        public void Detach() => caller.Disown(this);

        public void Dispose()
        {
            if (ev.IsClosed) return;
            endpoint._isolate.PostTurn(ev, () => endpoint._disconnect.InvokeAsFunction(ev.Id));
        }
    }

    private sealed class Export(RpcEndpoint endpoint, int id, EventContext? context) : IDisposable
    {
        public int Id { get; } = id;
        public EventContext? Context { get; } = context;
        public int Refs;

        /// <summary>Its event closed: the object is gone, and calls through stubs to it fail.</summary>
        public void Dispose() => endpoint._exports.TryRemove(Id, out _);
    }

    private sealed class Import(RpcEndpoint endpoint, int id, StubRef stub, EventContext? context) : IDisposable
    {
        public int Id { get; } = id;
        public StubRef Stub { get; } = stub;
        public EventContext? Context { get; } = context;

        /// <summary>Its event closed (or the stub was disposed): the reference is dropped.</summary>
        public void Dispose()
        {
            endpoint._imports.TryRemove(Id, out _);
            Stub.Dispose();
        }
    }

    private sealed class Outgoing(RpcEndpoint endpoint, int promiseId, RpcAnswer answer) : IDisposable
    {
        public int PromiseId { get; } = promiseId;
        public RpcAnswer Answer { get; } = answer;
        public EventContext? Context { get; } = endpoint._isolate.Current;

        /// <summary>Its event closed: the callee may forget the result it keeps.</summary>
        public void Dispose()
        {
            endpoint._outgoing.TryRemove(PromiseId, out _);
            Answer.Forget();
        }
    }

    private sealed class Incoming(RpcEndpoint endpoint, int callId, RpcAnswer answer, EventContext? context) : IDisposable
    {
        public int CallId { get; } = callId;
        public RpcAnswer Answer { get; } = answer;
        public EventContext? Context { get; } = context;

        /// <summary>Its event closed before answering (or while keeping the result): the caller hears so.</summary>
        public void Dispose()
        {
            if (endpoint._incoming.TryRemove(CallId, out _))
                Answer.Fail(new RpcException("The Worker's execution context ended before the RPC call returned."));
        }
    }
}
