using System.Collections.Concurrent;
using System.Diagnostics;
using Flint.JavaScript.Bindings;
using Flint.JavaScript.Modules;
using Flint.JavaScript.Web;
using Flint.JavaScript.Isolates.Streams;
using Microsoft.ClearScript;
using Microsoft.ClearScript.JavaScript;
using Microsoft.ClearScript.V8;
using Microsoft.Extensions.Logging;

namespace Flint.JavaScript.Isolates;

/// <summary>Options shared by the isolates of one Worker version.</summary>
public sealed record IsolateOptions
{
    public required string WorkerName { get; init; }
    public required ModuleSource Modules { get; init; }
    /// <summary>env as a JSON object: vars and secrets (bindings join later).</summary>
    public string EnvJson { get; init; } = "{}";
    /// <summary>Bindings the host serves (KV, D1, …), added to env under their names.</summary>
    public IReadOnlyList<Bindings.HostBinding> Bindings { get; init; } = [];
    /// <summary>The request.cf object given to requests that bring none.</summary>
    public string? DefaultCfJson { get; init; }
    /// <summary>Longest one entry into JavaScript may run before the isolate is stopped.</summary>
    public TimeSpan CpuLimit { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Subrequests (fetch calls) one event may make.</summary>
    public int SubrequestLimit { get; init; } = 1000;
    /// <summary>V8 heap size at which the isolate is stopped and replaced.</summary>
    public ulong MaxHeapBytes { get; init; } = 128UL * 1024 * 1024;
    /// <summary>Which addresses fetch() and outbound WebSockets may reach.</summary>
    public Web.Network.OutboundPolicy Outbound { get; init; } = Web.Network.OutboundPolicy.AllowAll;
    /// <summary>The behaviours the Worker's compatibility date and flags give; the built-ins ask with compatEnabled("flag").</summary>
    public Engine.Compatibility.CompatibilitySettings Compatibility { get; init; } = Engine.Compatibility.CompatibilitySettings.Default;
}

/// <summary>The Worker failed to load: a syntax error, a missing module, an exception at startup.</summary>
public sealed class WorkerLoadException(string message) : Exception(message);

/// <summary>
/// One V8 isolate running one Worker version. All entry into it goes through its
/// <see cref="EventLoop"/>; host I/O completes back into that loop. Many requests may be in
/// flight at once, interleaving at their awaits, as in workerd.
/// </summary>
public sealed class WorkerIsolate : IDisposable, IModuleHost
{
    private readonly IsolateOptions _options;
    private readonly ILogger _logger;
    private readonly V8Runtime _runtime;
    private readonly V8ScriptEngine _engine;
    private readonly EventLoop _loop;
    private readonly ConcurrentDictionary<int, PendingEvent> _events = new();
    private readonly TimerQueue _timers;
    private readonly Node.NodeModules _nodeModules;
    private readonly ConcurrentDictionary<int, HostStream> _hostStreams = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<ReadOnlyMemory<byte>?>> _jsPulls = new();
    private readonly ConcurrentDictionary<int, CancellationTokenSource> _fetches = new();
    private readonly CancellationTokenSource _lifetime = new();
    private ScriptObject _webSocketEvent = null!;
    private ScriptObject _dispatchFetch = null!, _pullStream = null!, _cancelJsStream = null!, _completeOp = null!, _completeBinding = null!, _fireTimer = null!, _newBytes = null!;
    private ScriptObject _trackRejection = null!, _dispatchRejections = null!, _completeOpTransferred = null!;
    // The isolate's transfer buffer (see 00_internal.js): loop thread only, emptied by its reader at once.
    private ITypedArray<byte> _transfer = null!;
    private const int TransferSize = 256 * 1024;
    // Promise rejection notifications from V8 during the current turn: (kind, promise, reason).
    // Loop thread only; handed to JavaScript once the turn's microtasks have run.
    private readonly List<(int Kind, object Promise, object? Reason)> _rejections = [];
    private int _nextEventId;
    private int _nextHostStreamId;
    private int _inFlight;
    private long _enteredAt; // Stopwatch timestamp while JavaScript runs, else 0
    private readonly HeapLimit _heapLimit;
    private readonly GarbagePacer _garbage = new();
    private volatile bool _heapExceeded; // set by the watchdog before it interrupts a turn for memory
    private volatile bool _broken;
    private volatile bool _disposed;

    /// <summary>Raised once when the isolate can no longer serve (CPU or memory limit); the pool replaces it.</summary>
    public event Action<WorkerIsolate>? Broken;

    public int InFlight => Volatile.Read(ref _inFlight);
    public bool IsBroken => _broken;
    public string? ExportNames { get; private set; }

    private WorkerIsolate(IsolateOptions options, ILogger logger)
    {
        V8ProcessSettings.EnsureApplied();
        _options = options;
        _logger = logger;
        _loop = new EventLoop($"flint-isolate:{options.WorkerName}", ex => _logger.LogError(ex, "Internal error in the event loop of Worker {Worker}", options.WorkerName));
        _timers = new TimerQueue(_loop.Post, id => Enter(() => _fireTimer.InvokeAsFunction(id)));
        _heapLimit = new HeapLimit(options.MaxHeapBytes);
        _runtime = new V8Runtime(_heapLimit.Constraints);
        _engine = _runtime.CreateScriptEngine(
            V8ScriptEngineFlags.DisableGlobalMembers |
            V8ScriptEngineFlags.HideHostExceptions |
            V8ScriptEngineFlags.EnableDynamicModuleImports);
        _nodeModules = new Node.NodeModules(options.Compatibility);
        _engine.DocumentSettings.Loader = new WorkerModuleLoader(options.Modules, this, _nodeModules);
        // Unhandled rejections become `unhandledrejection` / `rejectionhandled` events on the global
        // scope. V8 reports them while script runs; JavaScript must not be re-entered from here.
        _engine.PromiseRejectionCallback = (kind, promise, value) =>
        {
            if (kind == V8PromiseRejectionEventKind.RejectedWithoutHandler) _rejections.Add((1, promise, value));
            else if (kind == V8PromiseRejectionEventKind.HandlerAddedAfterRejection) _rejections.Add((2, promise, null));
        };
        WebSockets = new Web.WebSockets.WebSocketHub(this);
        Sockets = new Web.Sockets.TcpSocketHub(this);
    }

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
        var isolate = new WorkerIsolate(options, logger);
        try
        {
            var v8Ready = Stopwatch.GetElapsedTime(started);
            isolate.Boot();
            logger.LogDebug("Isolate ready in {Total:F1} ms (V8 {V8:F1} ms, built-ins {Builtins:F1} ms, Worker {Worker:F1} ms)",
                Stopwatch.GetElapsedTime(started).TotalMilliseconds, v8Ready.TotalMilliseconds,
                isolate._builtinsTime.TotalMilliseconds, isolate._workerTime.TotalMilliseconds);
            return isolate;
        }
        catch
        {
            isolate.Dispose();
            throw;
        }
    }

    private TimeSpan _builtinsTime, _workerTime;

    private void Boot()
    {
        var started = Stopwatch.GetTimestamp();
        var ops = HostOps.Create(_engine, this);
        var builtins = BuiltinScripts.Compile(_engine);
        var factory = (ScriptObject)_engine.Evaluate(builtins);
        var runtime = (ScriptObject)factory.InvokeAsFunction(ops, _engine.Script, string.Join(',', _options.Compatibility.Enabled));
        // Entry points are called through arrows made by Evaluate: ClearScript invokes those about
        // fifteen times faster than functions fetched as properties of a script object. One Evaluate
        // makes them all; one-shot calls at load use InvokeMethod instead of an arrow each.
        var arrows = (ScriptObject)((ScriptObject)_engine.Evaluate(new DocumentInfo("flint:host"), """
            (rt) => [
              (a, b, c, d, e, f) => rt.dispatchFetch(a, b, c, d, e, f),
              (a) => rt.pullStream(a),
              (a) => rt.cancelJsStream(a),
              (a, b, c, d) => rt.completeOp(a, b, c, d),
              (a, b, c, d) => rt.completeBinding(a, b, c, d),
              (a) => rt.fireTimer(a),
              (n) => new Uint8Array(n),
              (a, b, c) => rt.trackRejection(a, b, c),
              () => rt.dispatchRejections(),
              (a, b, c, d, e) => rt.webSocketEvent(a, b, c, d, e),
              (a, n) => rt.completeOp(a, rt.takeHostTransfer(n)),
              (name) => rt.loadBuiltinModule(name),
              (id, wasm) => rt.moduleBytes(id, wasm),
              (exports) => rt.registerModule(exports),
            ]
            """)).InvokeAsFunction(runtime);
        ScriptObject Arrow(int i) => (ScriptObject)arrows[i];
        (_dispatchFetch, _pullStream, _cancelJsStream, _completeOp, _completeBinding, _fireTimer, _newBytes) =
            (Arrow(0), Arrow(1), Arrow(2), Arrow(3), Arrow(4), Arrow(5), Arrow(6));
        (_trackRejection, _dispatchRejections) = (Arrow(7), Arrow(8));
        _webSocketEvent = Arrow(9);
        _completeOpTransferred = Arrow(10);
        (_loadBuiltinModule, _moduleBytes, _registerModule) = (Arrow(11), Arrow(12), Arrow(13));
        _builtinModules = ParseBuiltinModules(runtime.InvokeMethod("builtinModules") as string);
        _transfer = (ITypedArray<byte>)runtime.GetProperty("hostTransfer");
        if ((int)_transfer.Length != TransferSize) throw new InvalidOperationException("The transfer buffer's size differs between C# and 00_internal.js.");
        _nodeModules.Bridge = (ScriptObject)runtime.GetProperty("nodeBridge");
        runtime.InvokeMethod("configure", _options.EnvJson, _options.DefaultCfJson ?? "{}", BindingsJson(_options.Bindings), _options.SubrequestLimit);
        _builtinsTime = Stopwatch.GetElapsedTime(started);

        var modules = _options.Modules;
        try
        {
            var main = modules.Main();
            if (main.Type == Engine.Config.ModuleType.ESModule && !ModuleSource.LooksLikeEsModule(main.Code))
            {
                // A script without import/export is the service-worker form: bindings are globals.
                runtime.InvokeMethod("exposeEnvAsGlobals");
                _engine.Execute(new DocumentInfo(main.Uri), main.Code);
                runtime.InvokeMethod("registerServiceWorker");
            }
            else
            {
                // The entry hands the main module's namespace to the runtime through its import.meta,
                // which no Worker module can reach (nothing is put on the global scope for it).
                var entryMeta = new Dictionary<string, object> { [ModuleMeta.Register] = _registerModule };
                _engine.Execute(new DocumentInfo(new Uri("flint:entry")) { Category = ModuleCategory.Standard, ContextCallback = _ => entryMeta },
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
    private static string BindingsJson(IReadOnlyList<Bindings.HostBinding> bindings)
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

    // ---- entering JavaScript ---------------------------------------------------------------

    /// <summary>Runs <paramref name="action"/> as one event-loop turn, under the CPU watchdog and the heap limit.</summary>
    private void Enter(Action action)
    {
        if (_broken || _disposed) return;
        var entered = Stopwatch.GetTimestamp();
        Volatile.Write(ref _enteredAt, entered);
        CpuWatchdog.Watch(this);
        try
        {
            action();
            if (_rejections.Count > 0) DispatchRejections();
        }
        catch (ScriptInterruptedException)
        {
            if (_heapExceeded) Break("Worker exceeded memory limit.", 503);
            else Break("Worker exceeded CPU time limit.", 503);
        }
        catch (ScriptEngineException ex) when (ex.IsFatal)
        {
            Break("Worker exceeded memory limit.", 503);
        }
        finally
        {
            Volatile.Write(ref _enteredAt, 0);
        }
        if (_broken) return;
        if (_heapLimit.IsExceededAfterTurn(_runtime, entered)) Break("Worker exceeded memory limit.", 503);
        else _garbage.AfterTurn(_runtime);
    }

    /// <summary>
    /// Hands the turn's promise rejection notifications to JavaScript, which fires
    /// `unhandledrejection` for those still unhandled after the microtasks (and
    /// `rejectionhandled` for reported ones that got a handler). Rejections made by those
    /// listeners are dispatched in a later turn, so a listener cannot loop here forever.
    /// </summary>
    private void DispatchRejections()
    {
        var batch = _rejections.ToArray();
        _rejections.Clear();
        foreach (var (kind, promise, reason) in batch) InvokeAndRelease(_trackRejection, kind, promise, reason);
        _dispatchRejections.InvokeAsFunction();
        if (_rejections.Count > 0) _loop.Post(() => Enter(static () => { }));
    }

    /// <summary>Called by the watchdog: stops JavaScript that has run past the CPU limit, or grown past the heap limit in one turn.</summary>
    internal bool CheckCpu(long now, Lazy<long> nativeMemory)
    {
        var entered = Volatile.Read(ref _enteredAt);
        if (entered == 0) return false;
        var running = Stopwatch.GetElapsedTime(entered, now);
        if (running > _options.CpuLimit)
        {
            _engine.Interrupt();
            return true;
        }
        if (!_heapExceeded && _heapLimit.IsExceededDuringTurn(entered, nativeMemory.Value))
        {
            _heapExceeded = true;
            _engine.Interrupt();
        }
        return !_disposed;
    }

    private void Break(string reason, int status)
    {
        if (_broken) return;
        _broken = true;
        _logger.LogError("Worker {Worker}: {Reason} Its isolate was stopped and will be replaced.", _options.WorkerName, reason);
        foreach (var ev in _events.Values)
        {
            ev.Response.TrySetException(new WorkerException($"Error: {reason}", status));
        }
        _events.Clear();
        foreach (var pull in _jsPulls.Values) pull.TrySetException(new WorkerException($"Error: {reason}", status));
        _jsPulls.Clear();
        Broken?.Invoke(this);
    }

    // ---- fetch events ------------------------------------------------------------------------

    /// <summary>Delivers a request to the Worker; completes when its Response (head) is ready.</summary>
    public Task<WorkerResponse> FetchAsync(IncomingRequest request)
    {
        if (_broken || _disposed) return Task.FromException<WorkerResponse>(new WorkerException("Error: The Worker's isolate was stopped.", 503));
        var id = Interlocked.Increment(ref _nextEventId);
        var bodyId = request.Body is null ? 0 : RegisterHostStream(request.Body, owner: null);
        var ev = new PendingEvent(id) { RequestBodyId = bodyId };
        ev.WatchClient(request.Aborted);
        _events[id] = ev;
        Interlocked.Increment(ref _inFlight);
        var headers = string.Join('\n', request.Headers);
        _loop.Post(() => Enter(() =>
        {
            try
            {
                _dispatchFetch.InvokeAsFunction(id, request.Method, request.Url, headers, bodyId, request.CfJson);
            }
            catch (ScriptEngineException ex) when (!ex.IsFatal)
            {
                // The runtime itself failed before the Worker's handler could: fail this event only.
                var error = DescribeScriptError(ex);
                _logger.LogError("Uncaught {Error}", error);
                ev.Response.TrySetException(new WorkerException(error));
                if (_events.TryRemove(id, out _)) Interlocked.Decrement(ref _inFlight);
                if (bodyId != 0) CloseHostStream(bodyId);
            }
        }));
        return ev.Response.Task;
    }

    // Responses are completed by a loop item posted after the current JavaScript turn, not inside the
    // op: the server's continuation (writing the response) then runs right there on the same thread,
    // outside V8, instead of hopping to another thread.
    internal void Respond(int id, WorkerResponse response)
    {
        if (!_events.TryGetValue(id, out var ev)) return;
        ev.StopWatchingClient();
        _loop.Post(() => ev.Response.TrySetResult(response));
    }

    internal void RespondError(int id, string error, bool passThrough)
    {
        error = RelativizePaths(error);
        _logger.LogError("Uncaught {Error}", error);
        if (_events.TryGetValue(id, out var ev)) _loop.Post(() => ev.Response.TrySetException(new WorkerException(error)));
    }

    internal WorkerResponse StreamedResponse(int streamId, int status, string statusText, IReadOnlyList<string> headers, bool encodeBodyManual)
    {
        var body = new ResponseBodyStream(() => PullJsStream(streamId), () => CancelJsStream(streamId));
        return new WorkerResponse { Status = status, StatusText = statusText, Headers = headers, StreamBody = body, EncodeBodyManual = encodeBodyManual };
    }

    /// <summary>
    /// A response whose body is host stream <paramref name="hostStreamId"/> (a request or fetch body
    /// the Worker passed on unread): it leaves the isolate's care and is piped to the client as is.
    /// </summary>
    internal WorkerResponse PipedResponse(int hostStreamId, int status, string statusText, IReadOnlyList<string> headers, bool encodeBodyManual)
    {
        // Script only hands over a stream nothing read, so it is still here unless the isolate is going away.
        var body = _hostStreams.TryRemove(hostStreamId, out var hs) ? ResponseBodyStream.Pipe(hs.Stream, hs.Owner) : ResponseBodyStream.Empty();
        return new WorkerResponse { Status = status, StatusText = statusText, Headers = headers, StreamBody = body, EncodeBodyManual = encodeBodyManual };
    }

    internal void EventDone(int id)
    {
        if (_events.TryRemove(id, out var ev))
        {
            ev.StopWatchingClient();
            // A request body nothing read (or passed on) is let go with its event.
            if (ev.RequestBodyId != 0) CloseHostStream(ev.RequestBodyId);
            _loop.Post(() => ev.Response.TrySetException(new WorkerException("Error: The script will never generate a response.")));
            Interlocked.Decrement(ref _inFlight);
            Idle?.Invoke(this);
        }
    }

    /// <summary>Raised after an event finishes (response sent and waitUntil settled).</summary>
    public event Action<WorkerIsolate>? Idle;

    // ---- host streams: bodies JavaScript reads from the host ---------------------------------

    internal int RegisterHostStream(Stream stream, IDisposable? owner)
    {
        var id = Interlocked.Increment(ref _nextHostStreamId);
        _hostStreams[id] = new HostStream(stream, owner);
        return id;
    }

    /// <summary>Reads the next chunk (or, with max &lt; 0, everything) and resolves the promise with bytes or null at the end.</summary>
    internal void ReadHostStream(int streamId, int promiseId, int max)
    {
        if (!_hostStreams.TryGetValue(streamId, out var hs))
        {
            _loop.Post(() => Enter(() => _completeOp.InvokeAsFunction(promiseId, null)));
            return;
        }
        _ = ReadHostStreamAsync(streamId, hs, promiseId, max);
    }

    private async Task ReadHostStreamAsync(int streamId, HostStream hs, int promiseId, int max)
    {
        byte[]? data;
        var length = 0;
        string? error = null, errorName = null;
        try
        {
            if (max < 0)
            {
                using var all = new MemoryStream();
                await hs.Stream.CopyToAsync(all).ConfigureAwait(false);
                data = all.ToArray();
                length = data.Length;
                CloseHostStream(streamId);
            }
            else
            {
                // The stream's one buffer serves every read: the next read starts only after the
                // Worker asks again, by which time this chunk was copied into the isolate.
                var buffer = max <= TransferSize ? hs.ReadBuffer(max) : new byte[max];
                length = await hs.Stream.ReadAsync(buffer.AsMemory(0, max)).ConfigureAwait(false);
                data = length == 0 ? null : buffer;
                if (length == 0) CloseHostStream(streamId);
            }
        }
        catch (Exception ex)
        {
            data = null;
            error = ex is Web.Compression.ContentDecodingException ? ex.Message : $"Network connection lost. ({ex.Message})";
            errorName = ex is Web.Compression.ContentDecodingException ? "TypeError" : "Error";
            CloseHostStream(streamId);
        }
        _loop.Post(() => Enter(() =>
        {
            if (error is not null) _completeOp.InvokeAsFunction(promiseId, null, error, errorName);
            else if (data is null) _completeOp.InvokeAsFunction(promiseId, null);
            else CompleteOpWithBytes(promiseId, data, length);
        }));
    }

    internal void CloseHostStream(int streamId)
    {
        if (_hostStreams.TryRemove(streamId, out var hs)) hs.Owner?.Dispose();
    }

    // ---- JavaScript streams the host reads -------------------------------------------------

    internal ValueTask<ReadOnlyMemory<byte>?> PullJsStream(int streamId)
    {
        var tcs = new TaskCompletionSource<ReadOnlyMemory<byte>?>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_jsPulls.TryAdd(streamId, tcs)) throw new InvalidOperationException($"Stream {streamId} is already being read.");
        _loop.Post(() => Enter(() => _pullStream.InvokeAsFunction(streamId)));
        return new ValueTask<ReadOnlyMemory<byte>?>(tcs.Task);
    }

    internal void CancelJsStream(int streamId) => _loop.Post(() => Enter(() => _cancelJsStream.InvokeAsFunction(streamId)));

    internal void StreamChunk(int streamId, byte[]? chunk)
    {
        if (!_jsPulls.TryRemove(streamId, out var tcs)) return;
        // Spelled out: a null byte[] converts implicitly to an empty, non-null ReadOnlyMemory, which would hide the end.
        if (chunk is null) tcs.TrySetResult((ReadOnlyMemory<byte>?)null);
        else tcs.TrySetResult(new ReadOnlyMemory<byte>(chunk));
    }

    internal void StreamError(int streamId, string error)
    {
        if (_jsPulls.TryRemove(streamId, out var tcs)) tcs.TrySetException(new WorkerException(error));
    }

    // ---- outbound fetch ----------------------------------------------------------------------

    internal void StartFetch(int promiseId, string method, string url, string headers, object? body, int streamId, bool manualRedirect, int hostStreamId)
    {
        HttpContent? content = body switch
        {
            string text => new StringContent(text, System.Text.Encoding.UTF8) { Headers = { ContentType = null } },
            byte[] bytes => new ByteArrayContent(bytes),
            _ when streamId > 0 => new StreamContent(new JsReadStream(this, streamId)),
            // A body the Worker passed on unread leaves the isolate's care and is sent as is.
            _ when hostStreamId > 0 => _hostStreams.TryRemove(hostStreamId, out var hs) ? new HostStreamContent(hs.Stream, hs.Owner) : new ByteArrayContent([]),
            _ => null,
        };
        var cts = new CancellationTokenSource();
        _fetches[promiseId] = cts;
        var request = new OutboundRequest(method, url, headers.Length == 0 ? [] : headers.Split('\n'), content, manualRedirect);
        _ = FetchAsync(promiseId, request, cts);
    }

    private async Task FetchAsync(int promiseId, OutboundRequest request, CancellationTokenSource cts)
    {
        string? head = null, error = null;
        var errorName = "TypeError";
        try
        {
            var response = await OutboundFetch.SendAsync(_options.Outbound, request, cts.Token).ConfigureAwait(false);
            var bodyId = response.Body is null ? 0 : RegisterHostStream(response.Body, response.Owner);
            if (response.Body is null) response.Owner.Dispose();
            head = OutboundFetch.EncodeHead(response, bodyId);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            return; // the Worker aborted it and already rejected the promise
        }
        catch (Exception ex) when (ExceptionChain.Find<Web.Network.OutboundDeniedException>(ex) is { } denied)
        {
            (error, errorName) = (DeniedOutbound(denied), "Error");
        }
        catch (OutboundFetchException ex)
        {
            error = ex.Message;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException or UriFormatException or WorkerException)
        {
            error = $"Network connection lost. ({ex.Message})";
            if (ex is HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError })
                error = $"Network connection lost. Could not connect to {new Uri(request.Url).Authority}: {ex.Message}";
        }
        catch (Exception ex)
        {
            // Never leave the Worker's promise pending: a fault in Flint is logged with its stack.
            _logger.LogError(ex, "fetch({Url}) failed inside Flint in Worker {Worker}", request.Url, _options.WorkerName);
            error = $"Network connection lost. (internal error in Flint: {ex.GetType().Name}; see Flint's log)";
        }
        finally
        {
            _fetches.TryRemove(promiseId, out _);
            cts.Dispose();
        }
        _loop.Post(() => Enter(() =>
        {
            if (error is not null) _completeOp.InvokeAsFunction(promiseId, null, error, errorName);
            else _completeOp.InvokeAsFunction(promiseId, head);
        }));
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

    internal Web.Network.OutboundPolicy Outbound => _options.Outbound;

    /// <summary>A reference tying what the Worker is told of an internal error to Flint's log line, like workerd's.</summary>
    private static string NewErrorReference() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12));

    internal void AbortFetch(int promiseId)
    {
        if (_fetches.TryGetValue(promiseId, out var cts)) cts.Cancel();
    }

    // ---- binding calls ---------------------------------------------------------------------

    /// <summary>
    /// Starts a call to binding <paramref name="index"/>; its result settles promise
    /// <paramref name="promiseId"/> through completeBinding(id, text, bytes, streamId) or completeOp's rejection.
    /// </summary>
    internal void CallBinding(int promiseId, int index, string method, string args, byte[]? bytes, int streamId, int eventId, int hostStreamId)
    {
        if ((uint)index >= (uint)_options.Bindings.Count)
        {
            _loop.Post(() => Enter(() => _completeOp.InvokeAsFunction(promiseId, null, "No such binding.", "Error")));
            return;
        }
        Stream? body = streamId > 0 ? new JsReadStream(this, streamId) : null;
        IDisposable? owner = null;
        // A request or fetch body passed on unread goes to the binding as it is, never entering V8.
        if (hostStreamId > 0 && _hostStreams.TryRemove(hostStreamId, out var hs)) (body, owner) = (hs.Stream, hs.Owner);
        var clientGone = _events.TryGetValue(eventId, out var ev) ? ev.ClientGone : CancellationToken.None;
        _ = CallBindingAsync(promiseId, _options.Bindings[index], new BindingCall(method, args, bytes, body), clientGone, owner);
    }

    /// <summary>A binding's answer right away when it can give one cheaply (see <see cref="HostBinding.TryInvokeInline"/>), else null.</summary>
    internal string? CallBindingInline(int index, string method, string args)
    {
        if ((uint)index >= (uint)_options.Bindings.Count) return null;
        var binding = _options.Bindings[index];
        try
        {
            return binding.TryInvokeInline(new BindingCall(method, args));
        }
        catch (Exception ex)
        {
            // The async path will run the call again and report what went wrong.
            _logger.LogDebug(ex, "Binding {Binding} could not answer {Method} inline", binding.Name, method);
            return null;
        }
    }

    private async Task CallBindingAsync(int promiseId, HostBinding binding, BindingCall call, CancellationToken clientGone, IDisposable? bodyOwner)
    {
        BindingResult? result = null;
        string? error = null, errorName = null;
        // A call made for a request whose client went away before it was answered is cancelled (a D1 query stops).
        using var cancel = clientGone.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(_lifetime.Token, clientGone) : null;
        try
        {
            // Off the loop: the engines may do synchronous work (SQLite) before their first await.
            await Task.Yield();
            result = await binding.InvokeAsync(call, cancel?.Token ?? _lifetime.Token).ConfigureAwait(false);
        }
        catch (BindingException ex) { (error, errorName) = (ex.Message, ex.Name); }
        catch (WorkerException ex) when (call.Body is JsReadStream)
        {
            // The Worker's own stream failed while the binding read it: the call fails with that error.
            (error, errorName) = ScriptErrorParts(ex.Message);
        }
        catch (OperationCanceledException) when (_lifetime.IsCancellationRequested) { return; }
        catch (OperationCanceledException) when (clientGone.IsCancellationRequested)
        {
            (error, errorName) = ($"{binding.Name}.{call.Method}() was cancelled: the request's client disconnected.", "Error");
        }
        catch (Exception ex)
        {
            // As workerd: the Worker learns only that it failed and a reference; the log has the rest.
            var reference = NewErrorReference();
            _logger.LogError(ex, "Binding {Binding} failed in {Method} (reference = {Reference})", binding.Name, call.Method, reference);
            (error, errorName) = ($"internal error; reference = {reference}", "Error");
        }
        finally
        {
            if (call.Body is not null) await call.Body.DisposeAsync().ConfigureAwait(false);
            bodyOwner?.Dispose();
        }
        if (_disposed)
        {
            if (result?.Stream is { } orphan) await orphan.DisposeAsync().ConfigureAwait(false);
            return;
        }
        // The stream owns itself: reading it to the end or cancelling it closes it.
        var streamId = result?.Stream is { } stream ? RegisterHostStream(stream, owner: stream) : 0;
        _loop.Post(() => Enter(() =>
        {
            if (error is not null) _completeOp.InvokeAsFunction(promiseId, null, error, errorName);
            else InvokeAndRelease(_completeBinding, promiseId, result!.Text, result.Bytes is { } b ? ToJsBytes(b) : null, streamId);
        }));
    }

    /// <summary>A script error's text ("TypeError: message\n    at …") as the message and name to rethrow it with.</summary>
    private static (string Message, string Name) ScriptErrorParts(string text)
    {
        var line = text.Split('\n', 2)[0];
        var colon = line.IndexOf(": ", StringComparison.Ordinal);
        var name = colon > 0 ? line[..colon] : "";
        return name is "Error" or "TypeError" or "RangeError" ? (line[(colon + 2)..], name) : (line, "Error");
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
        _loop.Post(() =>
        {
            try
            {
                Enter(() => InvokeAndRelease(_webSocketEvent, socketId, kind, data is byte[] bytes ? ToJsBytes(bytes) : data, code, reason));
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
    internal void CompleteOpLater(int promiseId, string? value, string? error, string errorName) =>
        _loop.Post(() => Enter(() =>
        {
            if (error is not null) _completeOp.InvokeAsFunction(promiseId, null, error, errorName);
            else _completeOp.InvokeAsFunction(promiseId, value);
        }));

    internal void LogDebug(string message) => _logger.LogDebug("{Message}", message);

    /// <summary>Counts a long-lived connection as work in flight, so a retired pool keeps this isolate for it.</summary>
    internal void HoldOpen() => Interlocked.Increment(ref _inFlight);

    internal void ReleaseHold()
    {
        Interlocked.Decrement(ref _inFlight);
        Idle?.Invoke(this);
    }

    // ---- CPU-heavy host work -----------------------------------------------------------------

    /// <summary>
    /// Runs <paramref name="work"/> on the thread pool, then settles promise <paramref name="promiseId"/>
    /// on the loop: resolved with its value (a byte[] arrives as a Uint8Array) or rejected with its
    /// error name and message. For work too slow for the isolate's thread, such as RSA key generation.
    /// </summary>
    internal void CompleteOffThread(int promiseId, Func<(object? Value, string? Error, string? ErrorName)> work)
    {
        ThreadPool.UnsafeQueueUserWorkItem(_ =>
        {
            (object? Value, string? Error, string? ErrorName) result;
            try { result = work(); }
            catch (Exception ex) { result = (null, ex.Message, "OperationError"); }
            _loop.Post(() => Enter(() =>
            {
                if (result.Error is not null) _completeOp.InvokeAsFunction(promiseId, null, result.Error, result.ErrorName);
                else if (result.Value is byte[] bytes) CompleteOpWithBytes(promiseId, bytes, bytes.Length);
                else _completeOp.InvokeAsFunction(promiseId, result.Value);
            }));
        }, null);
    }

    /// <summary>Resolves promise <paramref name="promiseId"/> with a copy of the first <paramref name="length"/> bytes, through the transfer buffer when they fit. Loop thread only.</summary>
    private void CompleteOpWithBytes(int promiseId, byte[] data, int length)
    {
        if (length > TransferSize)
        {
            InvokeAndRelease(_completeOp, promiseId, ToJsBytes(length == data.Length ? data : data[..length]));
            return;
        }
        if (length > 0) _transfer.WriteBytes(data, 0, (ulong)length, 0);
        _completeOpTransferred.InvokeAsFunction(promiseId, length);
    }

    /// <summary>A copy of the first <paramref name="length"/> bytes of the transfer buffer, which script just filled. Loop thread only.</summary>
    internal byte[] TakeTransfer(int length)
    {
        length = Math.Clamp(length, 0, TransferSize);
        var bytes = new byte[length];
        if (length > 0) _transfer.ReadBytes(0, (ulong)length, bytes, 0);
        return bytes;
    }

    /// <summary>Calls <paramref name="function"/>, then releases the script objects among <paramref name="args"/> (<see cref="ScriptHandles"/>).</summary>
    private static void InvokeAndRelease(ScriptObject function, params object?[] args)
    {
        try { function.InvokeAsFunction(args); }
        finally { foreach (var arg in args) ScriptHandles.Release(arg); }
    }

    /// <summary>Copies bytes into a new Uint8Array inside the isolate; pass it on with <see cref="InvokeAndRelease"/>. Loop thread only.</summary>
    private ITypedArray<byte> ToJsBytes(byte[] data)
    {
        var array = (ITypedArray<byte>)_newBytes.InvokeAsFunction(data.Length);
        if (data.Length > 0) array.WriteBytes(data, 0, (ulong)data.Length, 0);
        return array;
    }

    // ---- timers ------------------------------------------------------------------------------

    internal void StartTimer(int id, double delayMs) => _timers.Start(id, delayMs);

    internal void CancelTimer(int id) => _timers.Cancel(id);

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
        _loop.Post(_timers.Dispose);
        foreach (var id in _hostStreams.Keys) CloseHostStream(id);
        foreach (var cts in _fetches.Values) cts.Cancel();
        WebSockets.AbortAll();
        Sockets.AbortAll();
        _lifetime.Cancel();
        foreach (var pull in _jsPulls.Values) pull.TrySetException(new WorkerException("Error: The Worker was unloaded."));
        foreach (var ev in _events.Values) ev.Response.TrySetException(new WorkerException("Error: The Worker was unloaded."));
        // Dispose inside the loop so no JavaScript is running while V8 goes away.
        _loop.Post(() =>
        {
            _engine.Dispose();
            _runtime.Dispose();
        });
        _loop.Stop();
    }

    /// <summary>A host stream sent as a fetch body; what owns the stream goes with it.</summary>
    private sealed class HostStreamContent(Stream stream, IDisposable? owner) : StreamContent(stream)
    {
        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            if (disposing) owner?.Dispose();
        }
    }

    private sealed class PendingEvent(int id)
    {
        public int Id { get; } = id;
        /// <summary>The host stream of the request's body, 0 if it has none.</summary>
        public int RequestBodyId { get; init; }
        /// <summary>Completed only outside JavaScript (see <see cref="Respond"/>), so continuations may run inline.</summary>
        public TaskCompletionSource<WorkerResponse> Response { get; } = new();

        private CancellationTokenSource? _clientGone;
        private CancellationTokenRegistration _watch;

        /// <summary>Cancelled when the client goes away before the response is ready (not after: waitUntil work goes on).</summary>
        public CancellationToken ClientGone => _clientGone?.Token ?? CancellationToken.None;

        public void WatchClient(CancellationToken aborted)
        {
            if (!aborted.CanBeCanceled) return;
            _clientGone = new CancellationTokenSource();
            _watch = aborted.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _clientGone);
        }

        public void StopWatchingClient() => _watch.Dispose();
    }

    private sealed record HostStream(Stream Stream, IDisposable? Owner)
    {
        private byte[]? _buffer;

        /// <summary>The buffer this stream's chunked reads reuse, at least <paramref name="size"/> bytes.</summary>
        public byte[] ReadBuffer(int size) => _buffer is { } b && b.Length >= size ? b : _buffer = new byte[size];
    }
}
