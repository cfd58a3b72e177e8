using System.Security.Cryptography;
using System.Text;
using Microsoft.ClearScript;
using Microsoft.ClearScript.JavaScript;
using Microsoft.ClearScript.V8;
using Microsoft.ClearScript.V8.FastProxy;

namespace Flint.JavaScript.Isolates;

/// <summary>
/// The host operations the built-in JavaScript may call. Each is a V8 fast host function taking
/// only strings, numbers and typed arrays, and none throws into script: failures come back as
/// values the JavaScript turns into the right error type.
/// </summary>
internal static class HostOps
{
    private static readonly UTF8Encoding s_strictUtf8 = new(false, true);

    public static void Register(HostOpTable ops, WorkerIsolate worker)
    {
        var isolate = worker.Isolate;
        var streams = worker.Streams;
        void Add(string name, V8FastHostFunctionInvoker invoke) => ops.SetProperty(name, new V8FastHostFunction(name, invoke));

        Add("log", (bool _, in V8FastArgs a, in V8FastResult r) =>
            worker.Log(a.GetInt32(0, "level"), a.GetString(1, "message")));

        Add("utf8Length", (bool _, in V8FastArgs a, in V8FastResult r) =>
            r.Set(Encoding.UTF8.GetByteCount(a.GetString(0, "text"))));

        Add("utf8Encode", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var text = a.GetString(0, "text");
            var target = a.Get<ITypedArray<byte>>(1, "target");
            using var targetLease = ScriptHandles.Own(target);
            var written = target.InvokeWithDirectAccess(p =>
            {
                unsafe { return Encoding.UTF8.GetBytes(text, new Span<byte>((void*)p, checked((int)target.Length))); }
            });
            r.Set(written);
        });

        Add("utf8Decode", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var source = a.Get<ITypedArray<byte>>(0, "bytes");
            using var sourceLease = ScriptHandles.Own(source);
            var fatal = a.IsTruthy(1);
            var ignoreBom = a.IsTruthy(2);
            string? text = source.InvokeWithDirectAccess(p =>
            {
                unsafe
                {
                    var span = new ReadOnlySpan<byte>((void*)p, checked((int)source.Length));
                    if (!ignoreBom && span.Length >= 3 && span[0] == 0xEF && span[1] == 0xBB && span[2] == 0xBF) span = span[3..];
                    if (!fatal) return Encoding.UTF8.GetString(span);
                    try { return s_strictUtf8.GetString(span); }
                    catch (DecoderFallbackException) { return null; }
                }
            });
            if (text is null) r.SetNull(); else r.Set(text);
        });

        Add("randomFill", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var target = a.Get<ITypedArray<byte>>(0, "target");
            using var targetLease = ScriptHandles.Own(target);
            target.InvokeWithDirectAccess(p =>
            {
                unsafe { RandomNumberGenerator.Fill(new Span<byte>((void*)p, checked((int)target.Length))); }
            });
        });

        Add("randomUUID", (bool _, in V8FastArgs a, in V8FastResult r) => r.Set(Guid.NewGuid().ToString()));

        Add("timerStart", (bool _, in V8FastArgs a, in V8FastResult r) =>
            isolate.StartTimer(a.GetInt32(0, "id"), a.GetDouble(1, "delay")));
        Add("timerCancel", (bool _, in V8FastArgs a, in V8FastResult r) =>
            isolate.CancelTimer(a.GetInt32(0, "id")));

        Add("readBody", (bool _, in V8FastArgs a, in V8FastResult r) =>
            streams.Read(a.GetInt32(0, "stream"), a.GetInt32(1, "promise"), a.GetInt32(2, "max")));
        Add("cancelBody", (bool _, in V8FastArgs a, in V8FastResult r) =>
            streams.Close(a.GetInt32(0, "stream")));

        Add("respond", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var id = a.GetInt32(0, "event");
            var status = a.GetInt32(1, "status");
            var statusText = a.GetString(2, "statusText");
            var headers = SplitHeaders(a.GetString(3, "headers"));
            var streamId = a.GetInt32(5, "stream");
            var manual = a.IsTruthy(6);
            var hostStreamId = a.GetInt32(7, "hostStream");
            WorkerResponse response;
            if (streamId > 0) response = worker.StreamedResponse(streamId, status, statusText, headers, manual);
            else if (hostStreamId > 0) response = worker.PipedResponse(hostStreamId, status, statusText, headers, manual);
            else
            {
                var body = a.Get<object?>(4, "body");
                response = body is string s
                    ? new WorkerResponse { Status = status, StatusText = statusText, Headers = headers, TextBody = s, EncodeBodyManual = manual }
                    : new WorkerResponse { Status = status, StatusText = statusText, Headers = headers, BytesBody = ScriptHandles.CopyBytes(body), EncodeBodyManual = manual };
            }
            worker.Respond(id, response);
        });

        Add("respondError", (bool _, in V8FastArgs a, in V8FastResult r) =>
            worker.RespondError(a.GetInt32(0, "event"), a.GetString(1, "error"), a.IsTruthy(2)));

        Add("streamChunk", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            streams.Chunk(a.GetInt32(0, "stream"), ScriptHandles.CopyBytes(a.Get<object?>(1, "chunk")));
        });
        Add("streamChunkTransferred", (bool _, in V8FastArgs a, in V8FastResult r) =>
            streams.Chunk(a.GetInt32(0, "stream"), isolate.TakeTransfer(a.GetInt32(1, "length"))));
        Add("streamError", (bool _, in V8FastArgs a, in V8FastResult r) =>
            streams.Error(a.GetInt32(0, "stream"), a.GetString(1, "error")));

        Add("installWasmGate", (bool _, in V8FastArgs a, in V8FastResult r) => CodeGeneration.InstallWasmGateOnCurrentIsolate());
        Add("wasmGate", (bool _, in V8FastArgs a, in V8FastResult r) => CodeGeneration.SetWasmGate(a.IsTruthy(0)));
        Add("moduleByteLength", (bool _, in V8FastArgs a, in V8FastResult r) => r.Set(worker.ModuleBytes(a.GetInt32(0, "module"), null)));
        Add("moduleBytesInto", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var target = a.Get<ITypedArray<byte>>(1, "target");
            using var targetLease = ScriptHandles.Own(target);
            r.Set(worker.ModuleBytes(a.GetInt32(0, "module"), target));
        });
        Add("eventDone", (bool _, in V8FastArgs a, in V8FastResult r) =>
            worker.EventDone(a.GetInt32(0, "event")));
        Add("scheduledOutcome", (bool _, in V8FastArgs a, in V8FastResult r) =>
            worker.ScheduledOutcome(a.GetInt32(0, "event"), a.IsTruthy(1), a.IsTruthy(2), a.GetString(3, "error")));
        Add("queueOutcome", (bool _, in V8FastArgs a, in V8FastResult r) =>
            worker.QueueOutcome(a.GetInt32(0, "event"), a.IsTruthy(1), a.GetString(2, "error"), a.GetString(3, "calls")));
        Node.ContinuationData.Register(ops);
        Node.NodeCryptoOps.Register(ops);
    }

    private static IReadOnlyList<string> SplitHeaders(string flat) => flat.Length == 0 ? [] : flat.Split('\n');
}

/// <summary>
/// Collects the host ops of an isolate, then hands them to script as one object in a single
/// crossing (setting ~60 properties one by one cost a millisecond and more of every isolate's start).
/// </summary>
internal sealed class HostOpTable
{
    private readonly List<string> _names = [];
    private readonly List<object> _functions = [];

    /// <summary>Adds an op (named like ScriptObject.SetProperty so op files read the same).</summary>
    public void SetProperty(string name, V8FastHostFunction function)
    {
        if (name.Contains(',')) throw new ArgumentException($"Op name \"{name}\" may not contain a comma.", nameof(name));
        _names.Add(name);
        _functions.Add(function);
    }

    public ScriptObject Build(V8ScriptEngine engine)
    {
        var make = (ScriptObject)engine.Evaluate(
            "(names, ...fns) => { const ops = {}; const list = names.split(\",\"); for (let i = 0; i < list.length; i++) ops[list[i]] = fns[i]; return ops; }");
        return (ScriptObject)make.InvokeAsFunction([string.Join(',', _names), .. _functions]);
    }
}
