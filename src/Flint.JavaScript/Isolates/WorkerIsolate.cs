using System.Collections.Concurrent;
using System.Diagnostics;
using Flint.JavaScript.Bindings;
using Flint.JavaScript.Isolates.Events;
using Flint.JavaScript.Modules;
using Flint.JavaScript.Rpc;
using Flint.JavaScript.Web;
using Microsoft.ClearScript;
using Microsoft.ClearScript.JavaScript;
using Microsoft.Extensions.Logging;

namespace Flint.JavaScript.Isolates;

/// <summary>
/// One Worker version loaded into its own isolate, as workerd's Worker: its modules, exports and
/// env, and the events it receives. Each event (see <see cref="EventContext"/>) is one typed entry
/// into the isolate; many may be in flight at once, interleaving at their awaits, as in workerd.
/// </summary>
public sealed class WorkerIsolate : IWorkerEvents, IDisposable, IModuleHost
{
    private readonly IsolateOptions _options;
    private readonly ILogger _logger;
    private readonly JsIsolate _isolate;
    private readonly Node.NodeModules _nodeModules;
    private readonly ConcurrentDictionary<int, EventContext> _events = new();
    private readonly CancellationTokenSource _lifetime = new();
    private FetchOps _fetch = null!;
    private BindingOps _bindingCalls = null!;
    private RpcEndpoint _rpc = null!;
    private Bindings.DurableObjects.ActorHost _actors = null!;
    private Bindings.DurableObjects.DurableObjectOps _durableObjects = null!;
    private ScriptObject _dispatchFetch = null!, _dispatchFetchTo = null!, _dispatchScheduled = null!, _dispatchQueue = null!, _webSocketEvent = null!;
    private int _nextEventId;
    private int _inFlight;
    private volatile bool _broken;
    private volatile bool _condemned;
    private volatile bool _disposed;

    private WorkerIsolate(IsolateOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
        _nodeModules = new Node.NodeModules(options.Compatibility);
        _isolate = new JsIsolate(options.WorkerName, options.MaxHeapBytes, options.CpuLimit, new WorkerModuleLoader(options.Modules, this, _nodeModules), logger);
        _isolate.CpuLimitExceeded += OnCpuLimitExceeded;
        _isolate.Stopped += OnStopped;
        Streams = new HostStreams(_isolate);
        WebSockets = new Web.WebSockets.WebSocketHub(this);
        Sockets = new Web.Sockets.TcpSocketHub(this);
    }

    /// <summary>Raised once when the isolate can no longer serve (memory limit): its events failed; the pool drops and replaces it.</summary>
    public event Action<WorkerIsolate>? Broken;

    /// <summary>
    /// Raised once when an event ran out of CPU time and was stopped: that event failed, the
    /// isolate should take no new events (a turn was cut short, its state may be inconsistent),
    /// and the pool replaces it; events in flight on it finish.
    /// </summary>
    public event Action<WorkerIsolate>? Condemned;

    /// <summary>Raised after an event finishes (response sent and waitUntil settled).</summary>
    public event Action<WorkerIsolate>? Idle;

    public int InFlight => Volatile.Read(ref _inFlight);
    public bool IsBroken => _broken;
    /// <summary>False once broken, condemned or disposed: new events go elsewhere.</summary>
    public bool CanServe => !_broken && !_condemned && !_disposed;
    public string? ExportNames { get; private set; }
    public string WorkerName => _options.WorkerName;

    internal JsIsolate Isolate => _isolate;
    internal RpcEndpoint Rpc => _rpc;
    internal TimeSpan CpuLimit => _options.CpuLimit;

    /// <summary>The Durable Objects this isolate runs (see <see cref="Bindings.DurableObjects.Actor"/>).</summary>
    internal Bindings.DurableObjects.ActorHost Actors => _actors;

    /// <summary>The isolate's V8 heap in use after a full collection, in bytes (diagnostics).</summary>
    public Task<long> HeapUsedAfterCollectionAsync() => _isolate.HeapUsedAfterCollectionAsync();

    /// <summary>Starts a Durable Object of class <paramref name="className"/> here; the directory calls this.</summary>
    public Task<Bindings.DurableObjects.Actor> OpenActorAsync(Bindings.DurableObjects.ActorSpec spec, string className) => _actors.OpenAsync(spec, className);
    internal HostStreams Streams { get; }
    /// <summary>The WebSocket connections this isolate serves.</summary>
    internal Web.WebSockets.WebSocketHub WebSockets { get; }

    /// <summary>The TCP sockets (connect()) this isolate has open.</summary>
    internal Web.Sockets.TcpSocketHub Sockets { get; }

    /// <summary>The Worker's modules (node:fs shows them under /bundle).</summary>
    internal ModuleSource Modules => _options.Modules;

    /// <summary>Binding <paramref name="index"/> of env, or null.</summary>
    internal Bindings.HostBinding? BindingAt(int index) => (uint)index < (uint)_options.Bindings.Count ? _options.Bindings[index] : null;

    /// <summary>Creates an isolate, runs the built-ins and loads the Worker. Throws <see cref="WorkerLoadException"/>.</summary>
    public static WorkerIsolate Create(IsolateOptions options, ILogger logger)
    {
        var started = Stopwatch.GetTimestamp();
        var worker = new WorkerIsolate(options, logger);
        try
        {
            var v8Ready = Stopwatch.GetElapsedTime(started);
            worker.Boot();
            logger.LogDebug("Isolate ready in {Total:F1} ms (V8 {V8:F1} ms, built-ins {Builtins:F1} ms, Worker {Worker:F1} ms)",
                Stopwatch.GetElapsedTime(started).TotalMilliseconds, v8Ready.TotalMilliseconds,
                worker._builtinsTime.TotalMilliseconds, worker._workerTime.TotalMilliseconds);
            return worker;
        }
        catch
        {
            worker.Dispose();
            throw;
        }
    }

    private TimeSpan _builtinsTime, _workerTime;

    private void Boot()
    {
        var started = Stopwatch.GetTimestamp();
        var ops = new HostOpTable();
        HostOps.Register(ops, this);
        _fetch = FetchOps.Register(ops, this);
        _bindingCalls = BindingOps.Register(ops, _isolate, Streams, WebSockets, _options.Bindings, _logger, _lifetime.Token);
        Web.Crypto.CryptoOps.Register(ops, _isolate);
        Web.Compression.CompressionOps.Register(ops);
        Web.WebSockets.WebSocketOps.Register(ops, this);
        Web.Sockets.SocketOps.Register(ops, this);
        Node.NodeFsOps.Register(ops, _options.Modules);
        Node.NodeZlibOps.Register(ops);
        _rpc = RpcEndpoint.Register(ops, this, _options.Bindings);
        _actors = Bindings.DurableObjects.ActorHost.Register(ops, this, _logger);
        _durableObjects = Bindings.DurableObjects.DurableObjectOps.Register(ops, this, _options.Bindings, _logger);
        _isolate.Boot(ops, string.Join(',', _options.Compatibility.Enabled));
        Streams.Bind();
        _bindingCalls.Bind();
        _rpc.Bind();
        _actors.Bind();
        _durableObjects.Bind();
        var arrows = _isolate.MakeEntryPoints(
            "(a, b, c, d, e, f) => rt.dispatchFetch(a, b, c, d, e, f)",
            "(a, b, c, d, e, f, g, h) => rt.dispatchFetch(a, b, c, d, e, f, g, h, true)",
            "(a, b, c, d, e) => rt.webSocketEvent(a, b, c, d, e)",
            "(name) => rt.loadBuiltinModule(name)",
            "(id, wasm) => rt.moduleBytes(id, wasm)",
            "(exports) => rt.registerModule(exports)",
            "(a, b, c) => rt.dispatchScheduled(a, b, c)",
            "(a, b, c, d) => rt.dispatchQueue(a, b, c, d)");
        (_dispatchFetch, _dispatchFetchTo, _webSocketEvent) = (arrows[0], arrows[1], arrows[2]);
        (_loadBuiltinModule, _moduleBytes, _registerModule) = (arrows[3], arrows[4], arrows[5]);
        _dispatchScheduled = arrows[6];
        _dispatchQueue = arrows[7];
        var runtime = _isolate.Runtime;
        _builtinModules = ParseBuiltinModules(runtime.InvokeMethod("builtinModules") as string);
        _nodeModules.Bridge = (ScriptObject)runtime.GetProperty("nodeBridge");
        runtime.InvokeMethod("configure", _options.EnvJson, _options.DefaultCfJson ?? "{}", BindingsJson(_options.Bindings), _options.SubrequestLimit);
        _builtinsTime = Stopwatch.GetElapsedTime(started);

        var engine = _isolate.Engine;
        var modules = _options.Modules;
        try
        {
            var main = modules.Main();
            if (main.Type == Engine.Config.ModuleType.ESModule && !ModuleSource.LooksLikeEsModule(main.Code))
            {
                // A script without import/export is the service-worker form: bindings are globals.
                runtime.InvokeMethod("exposeEnvAsGlobals");
                engine.Execute(new DocumentInfo(main.Uri), main.Code);
                runtime.InvokeMethod("registerServiceWorker");
            }
            else
            {
                // The entry hands the main module's namespace to the runtime through its import.meta,
                // which no Worker module can reach (nothing is put on the global scope for it).
                var entryMeta = new Dictionary<string, object> { [ModuleMeta.Register] = _registerModule };
                engine.Execute(new DocumentInfo(new Uri("flint:entry")) { Category = ModuleCategory.Standard, ContextCallback = _ => entryMeta },
                    $"import * as worker from {System.Text.Json.JsonSerializer.Serialize("/" + main.Name)};\nimport.meta.{ModuleMeta.Register}(worker);");
            }
            ExportNames = runtime.InvokeMethod("exportsSummary") as string;
            _workerTime = Stopwatch.GetElapsedTime(started) - _builtinsTime;
        }
        catch (ScriptEngineException ex)
        {
            throw new WorkerLoadException(DescribeScriptError(ex));
        }
        catch (ModuleNotFoundException ex)
        {
            throw new WorkerLoadException(ex.Describe());
        }
    }

    // ---- modules -----------------------------------------------------------------------------

    private ScriptObject _loadBuiltinModule = null!, _moduleBytes = null!, _registerModule = null!;
    private IReadOnlyDictionary<string, IReadOnlyList<string>> _builtinModules = new Dictionary<string, IReadOnlyList<string>>();
    // Data and CompiledWasm modules loaded into this isolate, by the id their import.meta names. Loop thread only.
    private readonly List<WorkerModule> _byteModules = [];

    private static IReadOnlyDictionary<string, IReadOnlyList<string>> ParseBuiltinModules(string? json) =>
        json is null ? new Dictionary<string, IReadOnlyList<string>>()
            : System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, List<string>>>(json)!
                .ToDictionary(e => e.Key, e => (IReadOnlyList<string>)e.Value, StringComparer.Ordinal);

    private ModuleNotFoundException? _lastMissingModule;

    void IModuleHost.ModuleNotFound(ModuleNotFoundException error) => _lastMissingModule = error;

    IReadOnlyList<string>? IModuleHost.BuiltinExports(string specifier) => _builtinModules.GetValueOrDefault(specifier);

    IDictionary<string, object> IModuleHost.MetaFor(string? builtin, WorkerModule? module)
    {
        if (builtin is not null) return new Dictionary<string, object> { [ModuleMeta.Builtin] = _loadBuiltinModule };
        var id = _byteModules.IndexOf(module!);
        if (id < 0) { id = _byteModules.Count; _byteModules.Add(module!); }
        return new Dictionary<string, object>
        {
            [module!.Type == Engine.Config.ModuleType.CompiledWasm ? ModuleMeta.Wasm : ModuleMeta.Bytes] = _moduleBytes,
            [ModuleMeta.Id] = id,
        };
    }

    /// <summary>The bytes of module <paramref name="id"/> (see <see cref="IModuleHost.MetaFor"/>): their length when <paramref name="target"/> is null, else copied into it.</summary>
    internal int ModuleBytes(int id, ITypedArray<byte>? target)
    {
        if ((uint)id >= (uint)_byteModules.Count || _byteModules[id].Bytes is not { } bytes) return -1;
        if (target is null) return bytes.Length;
        if ((int)target.Length != bytes.Length) return -1;
        if (bytes.Length > 0) target.WriteBytes(bytes, 0, (ulong)bytes.Length, 0);
        return bytes.Length;
    }

    /// <summary>The bindings as the runtime's configure() takes them: [{name, kind, index, …descriptor}].</summary>
    private static string BindingsJson(IReadOnlyList<HostBinding> bindings)
    {
        var list = new System.Text.Json.Nodes.JsonArray();
        for (var i = 0; i < bindings.Count; i++)
        {
            var b = bindings[i];
            var entry = b.DescriptorJson is { } d ? (System.Text.Json.Nodes.JsonObject)System.Text.Json.Nodes.JsonNode.Parse(d)! : [];
            entry["name"] = b.Name;
            entry["kind"] = b.Kind;
            entry["index"] = i;
            list.Add(entry);
        }
        return list.ToJsonString();
    }

    /// <summary>A script error as a person wants it: the JavaScript error and stack, with file paths made relative.</summary>
    internal string DescribeScriptError(ScriptEngineException ex)
    {
        var text = string.IsNullOrWhiteSpace(ex.ErrorDetails) ? ex.Message : ex.ErrorDetails;
        if (ExceptionChain.Find<ModuleNotFoundException>(ex) is { } mnf) text = mnf.Describe();
        else if (_lastMissingModule is { } missing && text.Contains(missing.Message, StringComparison.Ordinal))
        {
            text = text.Replace(missing.Message, missing.Describe(), StringComparison.Ordinal);
        }
        return RelativizePaths(text);
    }

    /// <summary>Shows the Worker's modules by their names (<c>src/index.js</c>), as workerd does, never by host paths.</summary>
    private string RelativizePaths(string text)
    {
        var dir = _options.Modules.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        return BuiltinFrames.Strip(text.Replace("file:///bundle/", "", StringComparison.Ordinal).Replace("(/bundle/", "(", StringComparison.Ordinal)
            .Replace(" /bundle/", " ", StringComparison.Ordinal).Replace(dir, "", StringComparison.Ordinal)).TrimEnd();
    }

    /// <summary>
    /// A connection the outbound policy refused: the Worker sees workerd's "internal error" with a
    /// reference, and the log says which address was refused under that reference.
    /// </summary>
    internal string DeniedOutbound(Web.Network.OutboundDeniedException denied)
    {
        var reference = NewErrorReference();
        _logger.LogWarning("Worker {Worker}: {Denied}: outbound connections may reach public addresses only, unless the server's outbound allow-list names it (reference = {Reference})",
            _options.WorkerName, denied.Message, reference);
        return $"internal error; reference = {reference}";
    }

    /// <summary>What the Worker is told of a failure it cannot act on, as workerd words it; the log gets <paramref name="detail"/> under the same reference.</summary>
    internal string InternalError(string detail)
    {
        var reference = NewErrorReference();
        _logger.LogWarning("Worker {Worker}: {Detail} (reference = {Reference})", _options.WorkerName, detail, reference);
        return $"internal error; reference = {reference}";
    }

    internal Web.Network.OutboundPolicy Outbound => _options.Outbound;

    internal Engine.Cache.CacheStore? SubrequestCache => _options.SubrequestCache;

    /// <summary>A reference tying what the Worker is told of an internal error to Flint's log line, like workerd's.</summary>
    internal static string NewErrorReference() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12));

    // ---- limits --------------------------------------------------------------------------------

    private void OnCpuLimitExceeded(EventContext? runaway)
    {
        const string reason = "Worker exceeded CPU time limit.";
        if (runaway is not null)
        {
            _logger.LogError("Worker {Worker}: {Reason} The {Kind} event was stopped after {Cpu:F0} ms of CPU time; its isolate will be replaced.",
                _options.WorkerName, reason, runaway.Kind, runaway.CpuTime.TotalMilliseconds);
            FailEvent(runaway, new WorkerException($"Error: {reason}", 503));
        }
        else
        {
            _logger.LogError("Worker {Worker}: {Reason} Its isolate will be replaced.", _options.WorkerName, reason);
        }
        if (_condemned) return;
        _condemned = true;
        _actors.FailAll(new Bindings.DurableObjects.DurableObjectException($"Durable Object reset: {reason}") { Reset = true });
        Condemned?.Invoke(this);
        if (InFlight == 0) Idle?.Invoke(this);
    }

    private void OnStopped(string reason)
    {
        if (_broken) return;
        _broken = true;
        _logger.LogError("Worker {Worker}: {Reason} Its isolate was stopped and will be replaced.", _options.WorkerName, reason);
        var error = new WorkerException($"Error: {reason}", 503);
        foreach (var ev in _events.Values) FailEvent(ev, error);
        Streams.FailAll(error, closeAll: false);
        _rpc.FailAll(reason);
        _actors.FailAll(new Bindings.DurableObjects.DurableObjectException(reason) { Reset = true, Retryable = true });
        Broken?.Invoke(this);
    }

    private void FailEvent(EventContext ev, WorkerException error) => FailEvent(ev, () => ev.Fail(error));

    /// <summary>Ends event <paramref name="ev"/> early: <paramref name="fail"/> tells its caller why.</summary>
    internal void FailEvent(EventContext ev, Action fail)
    {
        if (!_events.TryRemove(ev.Id, out _)) return;
        fail();
        ev.Close();
        if (ev is RpcContext rpc) rpc.Disconnect?.Detach();
        Interlocked.Decrement(ref _inFlight);
        ev.Actor?.EventEnded();
    }

    /// <summary>The events running in Durable Object <paramref name="actor"/>.</summary>
    internal IEnumerable<EventContext> EventsOf(Bindings.DurableObjects.Actor actor) => _events.Values.Where(e => e.Actor == actor).ToList();

    internal EventContext? FindEvent(int id) => _events.GetValueOrDefault(id);

    /// <summary>Starts an event: gives it an id, counts it in flight. Null when the isolate cannot take it.</summary>
    internal bool Admit(EventContext ev)
    {
        if (_broken || _disposed) return false;
        ev.Id = Interlocked.Increment(ref _nextEventId);
        _events[ev.Id] = ev;
        Interlocked.Increment(ref _inFlight);
        return true;
    }

    // ---- fetch events ------------------------------------------------------------------------

    /// <summary>Delivers a request to the Worker; completes when its Response (head) is ready.</summary>
    public Task<WorkerResponse> FetchAsync(IncomingRequest request)
    {
        var ev = new FetchContext(request, _options.CpuLimit);
        if (!Admit(ev)) return Task.FromException<WorkerResponse>(new WorkerException("Error: The Worker's isolate was stopped.", 503));
        ev.WatchClient();
        var bodyId = request.Body is null ? 0 : Streams.Register(request.Body, owner: null, ev);
        ev.RequestBodyId = bodyId;
        var headers = string.Join('\n', request.Headers);
        var direct = request.Entrypoint is null && request.PropsJson is null && !request.NoDefaultCf;
        _isolate.PostTurn(ev, () =>
        {
            try
            {
                if (direct) _dispatchFetch.InvokeAsFunction(ev.Id, request.Method, request.Url, headers, bodyId, request.CfJson);
                else _dispatchFetchTo.InvokeAsFunction(ev.Id, request.Method, request.Url, headers, bodyId, request.CfJson, request.Entrypoint, request.PropsJson);
            }
            catch (ScriptEngineException ex) when (!ex.IsFatal)
            {
                // The runtime itself failed before the Worker's handler could: fail this event only.
                var error = DescribeScriptError(ex);
                _logger.LogError("Uncaught {Error}", error);
                FailEvent(ev, new WorkerException(error));
            }
        });
        return ev.Response.Task;
    }

    // ---- RPC events ----------------------------------------------------------------------------

    /// <summary>An RPC call on one of the Worker's entrypoints, as its own event.</summary>
    public RpcAnswer Call(RpcCall call)
    {
        var ev = new RpcContext(call, new RpcAnswer(), _options.CpuLimit);
        if (!Admit(ev))
        {
            call.Args.Dispose();
            return RpcAnswer.Failed(new RpcException("The Worker's isolate was stopped."));
        }
        return _rpc.Accept(ev);
    }

    // ---- scheduled events ----------------------------------------------------------------------

    /// <summary>Runs the Worker's scheduled() handler (or `scheduled` listeners); completes when the event is over.</summary>
    public Task<ScheduledOutcome> ScheduledAsync(ScheduledEvent scheduled)
    {
        var ev = new ScheduledContext(scheduled, _options.CpuLimit);
        if (!Admit(ev)) return Task.FromException<ScheduledOutcome>(new WorkerException("Error: The Worker's isolate was stopped.", 503));
        _isolate.PostTurn(ev, () =>
        {
            try
            {
                _dispatchScheduled.InvokeAsFunction(ev.Id, scheduled.Cron, (double)scheduled.ScheduledTime.ToUnixTimeMilliseconds());
            }
            catch (ScriptEngineException ex) when (!ex.IsFatal)
            {
                var error = DescribeScriptError(ex);
                _logger.LogError("Uncaught {Error}", error);
                FailEvent(ev, new WorkerException(error));
            }
        });
        return ev.Outcome.Task;
    }

    /// <summary>Script reports how scheduled event <paramref name="id"/> went; the event ends once its waitUntil work settles.</summary>
    internal void ScheduledOutcome(int id, bool ok, bool noRetry, string error)
    {
        if (_events.TryGetValue(id, out var ev) && ev is ScheduledContext scheduled)
            scheduled.Result = new ScheduledOutcome(ok, noRetry, ok ? null : RelativizePaths(error));
    }

    // ---- queue events --------------------------------------------------------------------------

    /// <summary>Delivers a batch to the Worker's queue() handler (or `queue` listeners); completes with what the handler did with it.</summary>
    public Task<Engine.Queues.QueueOutcome> QueueAsync(Engine.Queues.QueueBatch batch)
    {
        var ev = new QueueContext(batch, _options.CpuLimit);
        if (!Admit(ev)) return Task.FromException<Engine.Queues.QueueOutcome>(new WorkerException("Error: The Worker's isolate was stopped.", 503));
        var (header, bytes) = QueueBatchEncoding.Encode(batch);
        _isolate.PostTurn(ev, () =>
        {
            try
            {
                JsIsolate.InvokeAndRelease(_dispatchQueue, ev.Id, batch.Queue, header, bytes is null ? null : _isolate.ToJsBytes(bytes));
            }
            catch (ScriptEngineException ex) when (!ex.IsFatal)
            {
                var error = DescribeScriptError(ex);
                _logger.LogError("Uncaught {Error}", error);
                FailEvent(ev, new WorkerException(error));
            }
        });
        return ev.Outcome.Task;
    }

    /// <summary>Script reports what queue event <paramref name="id"/>'s handler did: its result and its ack/retry calls (JSON, see 82_queues.js).</summary>
    internal void QueueOutcome(int id, bool ok, string error, string calls)
    {
        if (!_events.TryGetValue(id, out var ev) || ev is not QueueContext queue) return;
        queue.Outcome.TrySetResult(ParseQueueOutcome(ok, ok ? null : RelativizePaths(error), calls));
    }

    private static Engine.Queues.QueueOutcome ParseQueueOutcome(bool ok, string? error, string calls)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(calls);
        var root = doc.RootElement;
        var acks = root.GetProperty("acks").EnumerateArray().Select(a => a.GetInt32()).ToHashSet();
        var retries = new Dictionary<int, int?>();
        foreach (var r in root.GetProperty("retries").EnumerateArray())
            retries[r[0].GetInt32()] = r[1].ValueKind == System.Text.Json.JsonValueKind.Number ? r[1].GetInt32() : null;
        var retryAllDelay = root.GetProperty("retryAllDelay");
        return new Engine.Queues.QueueOutcome(ok, error, root.GetProperty("ackAll").GetBoolean(), root.GetProperty("retryAll").GetBoolean(),
            retryAllDelay.ValueKind == System.Text.Json.JsonValueKind.Number ? retryAllDelay.GetInt32() : null, acks, retries);
    }

    // Responses are completed by a loop item posted after the current JavaScript turn, not inside the
    // op: the server's continuation (writing the response) then runs right there on the same thread,
    // outside V8, instead of hopping to another thread.
    internal void Respond(int id, WorkerResponse response)
    {
        if (!_events.TryGetValue(id, out var ev) || ev is not FetchContext fetch) return;
        fetch.StopWatchingClient();
        // A Durable Object's response waits for the writes before it to be durable (its output gate).
        if (ev.Actor is { } actor) actor.Gate.Send(() => _isolate.Post(() => fetch.Response.TrySetResult(response)), e => fetch.Response.TrySetException(e));
        else _isolate.Post(() => fetch.Response.TrySetResult(response));
    }

    internal void RespondError(int id, string error, bool passThrough)
    {
        error = RelativizePaths(error);
        _logger.LogError("Uncaught {Error}", error);
        if (!_events.TryGetValue(id, out var ev)) return;
        if (ev.Actor is { } actor) actor.Gate.Send(() => ev.Fail(new WorkerException(error)), e => ev.Fail(new WorkerException(e.Message)));
        else _isolate.Post(() => ev.Fail(new WorkerException(error)));
    }

    internal WorkerResponse StreamedResponse(int streamId, int status, string statusText, IReadOnlyList<string> headers, bool encodeBodyManual)
    {
        var context = _isolate.Current;
        var body = new ResponseBodyStream(() => Streams.Pull(streamId, context), () => Streams.Cancel(streamId, context));
        return new WorkerResponse { Status = status, StatusText = statusText, Headers = headers, StreamBody = body, EncodeBodyManual = encodeBodyManual };
    }

    /// <summary>
    /// A response whose body is host stream <paramref name="hostStreamId"/> (a request or fetch body
    /// the Worker passed on unread): it leaves the isolate's care and is piped to the client as is.
    /// </summary>
    internal WorkerResponse PipedResponse(int hostStreamId, int status, string statusText, IReadOnlyList<string> headers, bool encodeBodyManual)
    {
        // Script only hands over a stream nothing read, so it is still here unless the isolate is going away.
        var body = Streams.Take(hostStreamId) is { } hs ? ResponseBodyStream.Pipe(hs.Stream, hs.Owner) : ResponseBodyStream.Empty();
        return new WorkerResponse { Status = status, StatusText = statusText, Headers = headers, StreamBody = body, EncodeBodyManual = encodeBodyManual };
    }

    /// <summary>Script says event <paramref name="id"/> is over (its response sent, its waitUntil work settled): release what it owns.</summary>
    internal void EventDone(int id)
    {
        if (!_events.TryRemove(id, out var ev)) return;
        (ev as FetchContext)?.StopWatchingClient();
        // What the event left behind (a request body nothing read, an unread fetch body) is let go with it.
        ev.Close();
        if (ev is RpcContext rpc) rpc.Disconnect?.Detach();
        // In a Durable Object, what the event owed its caller leaves after its answer, through the output gate.
        if (ev.Actor is { } actor) actor.Gate.Send(() => _isolate.Post(ev.Done), _ => ev.Done());
        else _isolate.Post(ev.Done);
        Interlocked.Decrement(ref _inFlight);
        ev.Actor?.EventEnded();
        Idle?.Invoke(this);
    }

    // ---- WebSockets ----------------------------------------------------------------------------

    /// <summary>
    /// Delivers one event of WebSocket connection <paramref name="socketId"/> (1 message, 2 close,
    /// 3 error) as its own turn of the loop; completes after that turn, so the connection reads
    /// its next message only when the Worker has seen this one.
    /// </summary>
    internal Task PostWebSocketEvent(int socketId, int kind, object? data, int code, string? reason)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _isolate.Post(() =>
        {
            try
            {
                _isolate.Run(null, () => JsIsolate.InvokeAndRelease(_webSocketEvent, socketId, kind, data is byte[] bytes ? _isolate.ToJsBytes(bytes) : data, code, reason));
            }
            catch (ScriptEngineException ex)
            {
                _logger.LogError("Uncaught {Error}", DescribeScriptError(ex));
            }
            finally
            {
                done.TrySetResult();
            }
        });
        return done.Task;
    }

    /// <summary>Settles promise <paramref name="promiseId"/> on the loop with a string or an error.</summary>
    internal void CompleteOpLater(int promiseId, string? value, string? error, string errorName)
    {
        if (error is not null) _isolate.Reject(null, promiseId, error, errorName);
        else _isolate.Resolve(null, promiseId, value);
    }

    internal void LogDebug(string message) => _logger.LogDebug("{Message}", message);

    internal void LogError(Exception ex, string what) => _logger.LogError(ex, "{What} in Worker {Worker}", what, _options.WorkerName);

    /// <summary>Counts a long-lived connection as work in flight, so a retired pool keeps this isolate for it.</summary>
    internal void HoldOpen() => Interlocked.Increment(ref _inFlight);

    internal void ReleaseHold()
    {
        Interlocked.Decrement(ref _inFlight);
        Idle?.Invoke(this);
    }

    // ---- logging -----------------------------------------------------------------------------

    internal void Log(int level, string message)
    {
        var logLevel = (LogLevel)Math.Clamp(level, 0, 5);
        if (_logger.IsEnabled(logLevel)) _logger.Log(logLevel, "{Message}", message);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        var unloaded = new WorkerException("Error: The Worker was unloaded.");
        _actors?.DisposeAll();
        Streams.FailAll(unloaded, closeAll: true);
        _fetch?.CancelAll();
        _rpc?.FailAll("The Worker was unloaded.");
        WebSockets.AbortAll();
        Sockets.AbortAll();
        _lifetime.Cancel();
        foreach (var ev in _events.Values)
        {
            ev.Fail(unloaded);
            ev.Close();
        }
        _events.Clear();
        _isolate.Dispose();
    }
}
