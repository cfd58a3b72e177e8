using System.Diagnostics;
using Flint.JavaScript.Isolates.Events;
using Flint.JavaScript.Modules;
using Flint.JavaScript.Web;
using Microsoft.ClearScript;
using Microsoft.ClearScript.JavaScript;
using Microsoft.ClearScript.V8;
using Microsoft.Extensions.Logging;

namespace Flint.JavaScript.Isolates;

/// <summary>
/// One V8 isolate with Flint's built-ins, as workerd's Isolate: V8 and its thread and event loop,
/// turns of that loop (each working for one event, whose CPU time it counts), the CPU and heap
/// limits, timers, promise-rejection tracking and the transfer buffer bytes cross through. It
/// knows nothing of what Worker runs in it (see <see cref="WorkerIsolate"/>).
/// </summary>
internal sealed class JsIsolate : IDisposable
{
    /// <summary>Size of the buffer bulk bytes cross through (see 00_internal.js).</summary>
    public const int TransferSize = 256 * 1024;

    private readonly ILogger _logger;
    private readonly V8Runtime _runtime;
    private readonly V8ScriptEngine _engine;
    private readonly EventLoop _loop;
    private readonly TimerQueue _timers;
    private readonly Dictionary<int, EventContext?> _timerContexts = []; // loop thread only
    private readonly HeapLimit _heapLimit;
    private readonly GarbagePacer _garbage = new();
    private readonly long _turnCpuLimit;
    // Promise rejection notifications from V8 during the current turn: (kind, promise, reason).
    // Loop thread only; handed to JavaScript once the turn's microtasks have run.
    private readonly List<(int Kind, object Promise, object? Reason)> _rejections = [];
    private ScriptObject _completeOp = null!, _completeOpTransferred = null!, _fireTimer = null!, _newBytes = null!;
    private ScriptObject _trackRejection = null!, _dispatchRejections = null!;
    // The isolate's transfer buffer (see 00_internal.js): loop thread only, emptied by its reader at once.
    private ITypedArray<byte> _transfer = null!;
    private ThreadCpuClock? _cpuClock;

    // The running turn: its start (Stopwatch timestamp, 0 between turns) and its event. Written by
    // the loop thread, read by the watchdog.
    private long _enteredAt;
    private EventContext? _turnContext;
    // The watchdog's latest CPU sample of the running turn, and its last reading of the thread's clock.
    private TurnSample? _sample;
    private long _lastThreadCpu = -1;
    // Set by the watchdog before it interrupts a turn: which turn, why, and for which event.
    private long _interruptedTurn;
    private EventContext? _runaway;
    // Held while the loop ends a turn and while the watchdog interrupts one, so an interrupt is only
    // ever asked for while its turn runs (one that lands after the script returned is cancelled).
    private readonly object _interruptGate = new();
    private volatile bool _heapExceeded;
    private volatile bool _stopped;
    private volatile bool _disposed;

    public JsIsolate(string name, ulong maxHeapBytes, TimeSpan turnCpuLimit, DocumentLoader loader, ILogger logger)
    {
        V8ProcessSettings.EnsureApplied();
        _logger = logger;
        _turnCpuLimit = (long)(turnCpuLimit.TotalSeconds * Stopwatch.Frequency);
        _loop = new EventLoop($"flint-isolate:{name}", ex => _logger.LogError(ex, "Internal error in the event loop of Worker {Worker}", name));
        _loop.Post(() => _cpuClock = ThreadCpuClock.ForCurrentThread());
        _timers = new TimerQueue(_loop.Post, FireTimer);
        _heapLimit = new HeapLimit(maxHeapBytes);
        _runtime = new V8Runtime(_heapLimit.Constraints);
        _engine = _runtime.CreateScriptEngine(
            V8ScriptEngineFlags.DisableGlobalMembers |
            V8ScriptEngineFlags.HideHostExceptions |
            V8ScriptEngineFlags.EnableDynamicModuleImports);
        _engine.DocumentSettings.Loader = loader;
        // Unhandled rejections become `unhandledrejection` / `rejectionhandled` events on the global
        // scope. V8 reports them while script runs; JavaScript must not be re-entered from here.
        _engine.PromiseRejectionCallback = (kind, promise, value) =>
        {
            if (kind == V8PromiseRejectionEventKind.RejectedWithoutHandler) _rejections.Add((1, promise, value));
            else if (kind == V8PromiseRejectionEventKind.HandlerAddedAfterRejection) _rejections.Add((2, promise, null));
        };
    }

    public V8ScriptEngine Engine => _engine;

    /// <summary>The object 90_runtime.js returns: the entry points the host calls.</summary>
    public ScriptObject Runtime { get; private set; } = null!;

    /// <summary>The event the running turn works for (loop thread only; null between turns or for a turn of no event).</summary>
    public EventContext? Current => _turnContext;

    public bool IsStopped => _stopped;
    public bool IsDisposed => _disposed;

    /// <summary>
    /// Raised on the loop thread when a turn ran past its event's CPU limit and was stopped. The
    /// event (null for a turn of no event) has not been failed yet; the isolate keeps running.
    /// </summary>
    public event Action<EventContext?>? CpuLimitExceeded;

    /// <summary>
    /// Raised on the loop thread after each turn's microtasks ran, before the next turn: Durable
    /// Objects commit the writes the turn made here, as one transaction per object.
    /// </summary>
    public event Action? TurnEnded;

    /// <summary>Raised once when the isolate can no longer run (over its memory limit); what runs in it must fail.</summary>
    public event Action<string>? Stopped;

    /// <summary>
    /// Runs the built-ins with <paramref name="ops"/> as their host operations and the compatibility
    /// flags <paramref name="enabledFlags"/> (comma-separated) on. Loop thread or before the loop runs anything.
    /// </summary>
    public void Boot(HostOpTable ops, string enabledFlags)
    {
        var builtins = BuiltinScripts.Compile(_engine);
        var factory = (ScriptObject)_engine.Evaluate(builtins);
        Runtime = (ScriptObject)factory.InvokeAsFunction(ops.Build(_engine), _engine.Script, enabledFlags);
        var arrows = MakeEntryPoints(
            "(a, b, c, d) => rt.completeOp(a, b, c, d)",
            "(a, n) => rt.completeOp(a, rt.takeHostTransfer(n))",
            "(a) => rt.fireTimer(a)",
            "(n) => new Uint8Array(n)",
            "(a, b, c) => rt.trackRejection(a, b, c)",
            "() => rt.dispatchRejections()");
        (_completeOp, _completeOpTransferred, _fireTimer, _newBytes, _trackRejection, _dispatchRejections) =
            (arrows[0], arrows[1], arrows[2], arrows[3], arrows[4], arrows[5]);
        _transfer = (ITypedArray<byte>)Runtime.GetProperty("hostTransfer");
        if ((int)_transfer.Length != TransferSize) throw new InvalidOperationException("The transfer buffer's size differs between C# and 00_internal.js.");
    }

    /// <summary>
    /// Arrow functions over the runtime object (`rt`), made by one Evaluate. The host calls entry
    /// points through arrows: ClearScript invokes those about fifteen times faster than functions
    /// fetched as properties of a script object.
    /// </summary>
    public ScriptObject[] MakeEntryPoints(params string[] arrows)
    {
        var list = (ScriptObject)((ScriptObject)_engine.Evaluate(new DocumentInfo("flint:host"), $"(rt) => [{string.Join(",\n", arrows)}]")).InvokeAsFunction(Runtime);
        var result = new ScriptObject[arrows.Length];
        for (var i = 0; i < arrows.Length; i++) result[i] = (ScriptObject)list[i];
        return result;
    }

    /// <summary>The V8 heap in use after a full collection, in bytes (diagnostics: what live script state costs).</summary>
    public Task<long> HeapUsedAfterCollectionAsync()
    {
        var measured = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        _loop.Post(() =>
        {
            if (_disposed) { measured.TrySetResult(0); return; }
            _runtime.CollectGarbage(true);
            measured.TrySetResult((long)_runtime.GetHeapInfo().UsedHeapSize);
        });
        return measured.Task;
    }

    // ---- turns ---------------------------------------------------------------------------------

    /// <summary>Queues work on the isolate's thread (not a turn: it must not enter JavaScript).</summary>
    public void Post(Action work) => _loop.Post(work);

    /// <summary>Queues a turn working for <paramref name="context"/>.</summary>
    public void PostTurn(EventContext? context, Action action) => _loop.Post(() => Run(context, action));

    /// <summary>
    /// Runs <paramref name="action"/> as one turn of the loop working for <paramref name="context"/>,
    /// under the CPU watchdog and the heap limit. Loop thread only.
    /// </summary>
    public void Run(EventContext? context, Action action)
    {
        if (_stopped || _disposed) return;
        var entered = Stopwatch.GetTimestamp();
        _turnContext = context;
        Volatile.Write(ref _enteredAt, entered);
        CpuWatchdog.Watch(this);
        var interrupted = false;
        try
        {
            action();
            if (_rejections.Count > 0) DispatchRejections();
            TurnEnded?.Invoke();
        }
        catch (ScriptInterruptedException)
        {
            interrupted = true;
        }
        catch (ScriptEngineException ex) when (ex.IsFatal)
        {
            _heapExceeded = true;
            interrupted = true;
        }
        finally
        {
            lock (_interruptGate) Volatile.Write(ref _enteredAt, 0);
            _turnContext = null;
            context?.AddCpu(TurnCpu(entered, Stopwatch.GetTimestamp()));
        }
        if (Volatile.Read(ref _interruptedTurn) == entered)
        {
            var runaway = _runaway;
            _runaway = null;
            if (_heapExceeded) Stop("Worker exceeded memory limit.");
            else if (interrupted) CpuLimitExceeded?.Invoke(runaway ?? context);
            else _engine.CancelInterrupt(); // the script returned just as the watchdog stopped it
            if (_stopped) return;
        }
        else if (interrupted)
        {
            // V8 gave up on the turn by itself (a fatal error: out of memory).
            Stop("Worker exceeded memory limit.");
            return;
        }
        if (_heapLimit.IsExceededAfterTurn(_runtime, entered)) Stop("Worker exceeded memory limit.");
        else _garbage.AfterTurn(_runtime);
    }

    /// <summary>The CPU time of the turn that ran from <paramref name="entered"/> to <paramref name="ended"/>: the watchdog's sample if it saw the turn, else its wall time.</summary>
    private long TurnCpu(long entered, long ended)
    {
        var wall = ended - entered;
        if (Volatile.Read(ref _sample) is { } s && s.Turn == entered) return Math.Min(wall, s.Cpu + (ended - s.At));
        return wall;
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
        if (_rejections.Count > 0) PostTurn(null, static () => { });
    }

    /// <summary>
    /// Called by the watchdog every tick while the isolate is watched: samples the CPU time of the
    /// running turn, stops a turn whose event has used up its CPU time, or that grew past the heap
    /// limit. Returns whether the isolate is still busy (else the watchdog drops it until its next turn).
    /// </summary>
    internal bool CheckLimits(long now, Lazy<long> nativeMemory, int turnsRunning = 1)
    {
        if (_disposed) return false;
        var cpu = _cpuClock?.Read() ?? -1;
        var previous = _lastThreadCpu;
        _lastThreadCpu = cpu;
        var entered = Volatile.Read(ref _enteredAt);
        if (entered == 0) return false;
        var context = _turnContext;
        var sample = Volatile.Read(ref _sample);
        long turnCpu;
        if (cpu < 0) turnCpu = now - entered;
        else if (sample is null || sample.Turn != entered)
        {
            // First sight of this turn: it used at most the time since it began, and at most what
            // the thread used since the last tick (less when the machine is busy and it waited).
            turnCpu = previous >= 0 ? Math.Min(now - entered, cpu - previous) : now - entered;
        }
        else turnCpu = sample.Cpu + (cpu - sample.ThreadCpu);
        Volatile.Write(ref _sample, new TurnSample(entered, Math.Max(0, turnCpu), cpu, now));
        if (Volatile.Read(ref _interruptedTurn) == entered) return true;
        var used = (context?.CpuUsed ?? 0) + turnCpu;
        if (used > (context?.CpuLimit ?? _turnCpuLimit)) Interrupt(entered, context, memory: false);
        else if (_heapLimit.IsExceededDuringTurn(entered, nativeMemory.Value, Math.Max(0, turnCpu), turnsRunning)) Interrupt(entered, context, memory: true);
        return true;
    }

    /// <summary>Whether JavaScript is running in this isolate now (a turn has begun and not ended).</summary>
    internal bool InTurn => Volatile.Read(ref _enteredAt) != 0;

    private void Interrupt(long turn, EventContext? context, bool memory)
    {
        lock (_interruptGate)
        {
            if (Volatile.Read(ref _enteredAt) != turn) return; // it ended meanwhile
            _runaway = context;
            if (memory) _heapExceeded = true;
            Volatile.Write(ref _interruptedTurn, turn);
            _engine.Interrupt();
        }
    }

    private void Stop(string reason)
    {
        if (_stopped) return;
        _stopped = true;
        Stopped?.Invoke(reason);
    }

    // ---- completing host operations --------------------------------------------------------------

    /// <summary>Settles promise <paramref name="promiseId"/> with <paramref name="value"/> (a string, number or null) in a turn for <paramref name="context"/>.</summary>
    public void Resolve(EventContext? context, int promiseId, object? value) =>
        PostTurn(context, () => _completeOp.InvokeAsFunction(promiseId, value));

    /// <summary>Rejects promise <paramref name="promiseId"/> with <c>new {name}(message)</c> in a turn for <paramref name="context"/>.</summary>
    public void Reject(EventContext? context, int promiseId, string message, string? name) =>
        PostTurn(context, () => _completeOp.InvokeAsFunction(promiseId, null, message, name ?? "Error"));

    /// <summary>Settles promise <paramref name="promiseId"/> with a copy of <paramref name="length"/> bytes as a Uint8Array, in a turn for <paramref name="context"/>.</summary>
    public void ResolveBytes(EventContext? context, int promiseId, byte[] data, int length) =>
        PostTurn(context, () => ResolveBytesNow(promiseId, data, length));

    /// <summary>Resolves promise <paramref name="promiseId"/> with a copy of the first <paramref name="length"/> bytes, through the transfer buffer when they fit. In a turn.</summary>
    public void ResolveBytesNow(int promiseId, byte[] data, int length)
    {
        if (length > TransferSize)
        {
            InvokeAndRelease(_completeOp, promiseId, ToJsBytes(length == data.Length ? data : data[..length]));
            return;
        }
        if (length > 0) _transfer.WriteBytes(data, 0, (ulong)length, 0);
        _completeOpTransferred.InvokeAsFunction(promiseId, length);
    }

    /// <summary>Invokes completeOp(id, args…) in the current turn, releasing the script objects among the arguments.</summary>
    public void CompleteNow(int promiseId, object? value) => InvokeAndRelease(_completeOp, promiseId, value);

    /// <summary>
    /// Runs <paramref name="work"/> on the thread pool, then settles promise <paramref name="promiseId"/>
    /// on the loop: resolved with its value (a byte[] arrives as a Uint8Array) or rejected with its
    /// error name and message. For work too slow for the isolate's thread, such as RSA key generation.
    /// </summary>
    public void CompleteOffThread(int promiseId, Func<(object? Value, string? Error, string? ErrorName)> work)
    {
        var context = Current;
        ThreadPool.UnsafeQueueUserWorkItem(_ =>
        {
            (object? Value, string? Error, string? ErrorName) result;
            try { result = work(); }
            catch (Exception ex) { result = (null, ex.Message, "OperationError"); }
            if (result.Error is not null) Reject(context, promiseId, result.Error, result.ErrorName);
            else if (result.Value is byte[] bytes) ResolveBytes(context, promiseId, bytes, bytes.Length);
            else Resolve(context, promiseId, result.Value);
        }, null);
    }

    // ---- bytes -------------------------------------------------------------------------------

    /// <summary>A copy of the first <paramref name="length"/> bytes of the transfer buffer, which script just filled. Loop thread only.</summary>
    public byte[] TakeTransfer(int length)
    {
        length = Math.Clamp(length, 0, TransferSize);
        var bytes = new byte[length];
        if (length > 0) _transfer.ReadBytes(0, (ulong)length, bytes, 0);
        return bytes;
    }

    /// <summary>
    /// Hands bytes to script in a turn: written into the transfer buffer when they fit (returns their
    /// length, which script passes to takeHostTransfer), else as a new Uint8Array to release after the call.
    /// </summary>
    public object WriteTransferOrBytes(byte[] data)
    {
        if (data.Length > TransferSize) return ToJsBytes(data);
        if (data.Length > 0) _transfer.WriteBytes(data, 0, (ulong)data.Length, 0);
        return data.Length;
    }

    /// <summary>Writes <paramref name="data"/> (at most <see cref="TransferSize"/> bytes) at the start of the transfer buffer for script to read at once. Loop thread only.</summary>
    public void WriteTransfer(byte[] data)
    {
        if (data.Length > TransferSize) throw new ArgumentException("Too large for the transfer buffer.", nameof(data));
        if (data.Length > 0) _transfer.WriteBytes(data, 0, (ulong)data.Length, 0);
    }

    /// <summary>Copies bytes into a new Uint8Array inside the isolate; pass it on with <see cref="InvokeAndRelease"/>. Loop thread only.</summary>
    public ITypedArray<byte> ToJsBytes(byte[] data)
    {
        var array = (ITypedArray<byte>)_newBytes.InvokeAsFunction(data.Length);
        if (data.Length > 0) array.WriteBytes(data, 0, (ulong)data.Length, 0);
        return array;
    }

    /// <summary>Calls <paramref name="function"/>, then releases the script objects among <paramref name="args"/> (<see cref="ScriptHandles"/>).</summary>
    public static void InvokeAndRelease(ScriptObject function, params object?[] args)
    {
        try { function.InvokeAsFunction(args); }
        finally { foreach (var arg in args) ScriptHandles.Release(arg); }
    }

    // ---- timers ------------------------------------------------------------------------------

    /// <summary>Starts JavaScript timer <paramref name="id"/>; it fires in a turn for the event that started it. Loop thread only.</summary>
    public void StartTimer(int id, double delayMs)
    {
        _timerContexts[id] = Current;
        // Counted from the call, as on wrangler dev, whose Date.now() advances while JavaScript runs
        // too: `await` of a 20 ms timeout always shows 20 ms of Date.now(), however long the turn ran
        // before it (counting from the turn's start, as a frozen clock would, showed less).
        _timers.Start(id, delayMs);
    }

    public void CancelTimer(int id)
    {
        _timerContexts.Remove(id);
        _timers.Cancel(id);
    }

    private void FireTimer(int id)
    {
        _timerContexts.Remove(id, out var context);
        Run(context, () => _fireTimer.InvokeAsFunction(id));
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _loop.Post(_timers.Dispose);
        // Dispose inside the loop so no JavaScript is running while V8 goes away.
        _loop.Post(() =>
        {
            _engine.Dispose();
            _runtime.Dispose();
        });
        _loop.Stop();
    }

    /// <summary>The watchdog's CPU sample of turn <see cref="Turn"/>: CPU used by then, the thread's clock and the time it was read.</summary>
    private sealed record TurnSample(long Turn, long Cpu, long ThreadCpu, long At);
}
