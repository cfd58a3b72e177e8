using System.Text.Json;
using System.Text.Json.Nodes;
using Flint.Engine.DurableObjects;
using Flint.JavaScript.Isolates;
using Flint.JavaScript.Isolates.Events;
using Microsoft.ClearScript;
using Microsoft.ClearScript.V8.FastProxy;
using Microsoft.Extensions.Logging;

namespace Flint.JavaScript.Bindings.DurableObjects;

/// <summary>
/// The host side of namespaces and stubs in 88_durable_objects.js: ids (made and checked with the
/// namespace's key) and a stub's fetch(), whose request and response cross as a head and a body
/// handle, and whose response may carry the object's WebSocket to the caller's client.
/// </summary>
internal sealed class DurableObjectOps
{
    private readonly WorkerIsolate _worker;
    private readonly JsIsolate _isolate;
    private readonly IReadOnlyList<HostBinding> _bindings;
    private readonly ILogger _logger;
    private ScriptObject _fetchDone = null!, _fetchFailed = null!;

    private DurableObjectOps(WorkerIsolate worker, IReadOnlyList<HostBinding> bindings, ILogger logger)
    {
        _worker = worker;
        _isolate = worker.Isolate;
        _bindings = bindings;
        _logger = logger;
    }

    public static DurableObjectOps Register(HostOpTable ops, WorkerIsolate worker, IReadOnlyList<HostBinding> bindings, ILogger logger)
    {
        var self = new DurableObjectOps(worker, bindings, logger);
        void Add(string name, V8FastHostFunctionInvoker invoke) => ops.SetProperty(name, new V8FastHostFunction(name, invoke));

        // An id's hex, or "!" + name + "\n" + message when the namespace cannot be found.
        Add("doIdFromName", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var name = a.GetString(1, "name");
            var jurisdiction = a.IsNull(2) ? null : a.GetString(2, "jurisdiction");
            r.Set(self.WithNamespace(a.GetInt32(0, "binding"), ns => ns.Ids.FromName(name, jurisdiction)));
        });
        Add("doNewUniqueId", (bool _, in V8FastArgs a, in V8FastResult r) =>
            r.Set(self.WithNamespace(a.GetInt32(0, "binding"), ns => ns.Ids.NewUnique())));
        // "" when the id is this namespace's, else the error as above.
        Add("doIdCheck", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var hex = a.GetString(1, "id");
            r.Set(self.WithNamespace(a.GetInt32(0, "binding"), ns =>
                !DurableObjectIds.IsWellFormed(hex) ? "!TypeError\nInvalid Durable Object ID: must be 64 hex digits"
                : ns.Ids.IsValid(hex) ? "" : "!TypeError\nDurable Object ID is not valid for this namespace."));
        });
        Add("doFetch", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var bytes = a.IsNull(5) ? null : ScriptHandles.CopyBytes(a.Get<object?>(5, "bytes"));
            self.StartFetch(a.GetInt32(0, "promise"), a.GetInt32(1, "binding"), a.GetString(2, "id"), a.IsNull(3) ? null : a.GetString(3, "name"),
                a.GetString(4, "head"), bytes, a.GetInt32(6, "stream"));
        });
        return self;
    }

    public void Bind()
    {
        var arrows = _isolate.MakeEntryPoints(
            "(p, h, b, s, w) => rt.doFetchDone(p, h, b, s, w)",
            "(p, m, n, f) => rt.doFetchFailed(p, m, n, f)");
        (_fetchDone, _fetchFailed) = (arrows[0], arrows[1]);
    }

    private string WithNamespace(int index, Func<DurableObjectNamespace, string> use)
    {
        if ((uint)index >= (uint)_bindings.Count || _bindings[index] is not DurableObjectNamespaceBinding binding) return "!Error\nNo such binding.";
        try { return use(binding.Namespace()); }
        catch (DurableObjectException ex) { return $"!{ex.Name}\n{ex.Message}"; }
    }

    private void StartFetch(int promiseId, int index, string id, string? name, string headJson, byte[]? bytes, int streamId)
    {
        var context = _isolate.Current;
        var body = streamId > 0 ? _worker.Streams.OpenRead(streamId, context) : bytes is null ? null : new MemoryStream(bytes, writable: false);
        // The object may read the body after its response head came back: it goes with the calling event.
        if (body is not null && streamId > 0) context?.Own(body);
        _ = FetchAsync(promiseId, index, id, name, headJson, body, context);
    }

    private async Task FetchAsync(int promiseId, int index, string id, string? name, string headJson, Stream? body, EventContext? context)
    {
        WorkerResponse response;
        try
        {
            await Task.Yield(); // off the isolate's thread: finding the object may start it
            if ((uint)index >= (uint)_bindings.Count || _bindings[index] is not DurableObjectNamespaceBinding binding)
                throw new DurableObjectException("No such binding.");
            var ns = binding.Namespace();
            using var head = JsonDocument.Parse(headJson);
            var root = head.RootElement;
            var request = new IncomingRequest
            {
                Method = root.GetProperty("method").GetString()!,
                Url = root.GetProperty("url").GetString()!,
                Headers = root.GetProperty("headers").EnumerateArray().Select(h => h.GetString() ?? "").ToList(),
                Body = body,
                CfJson = root.TryGetProperty("cf", out var cf) && cf.ValueKind == JsonValueKind.String ? cf.GetString() : null,
                NoDefaultCf = true,
            };
            response = await binding.Directory.FetchAsync(new DurableObjectAddress(ns, id, name), request).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            var (message, errorName, flags) = ex switch
            {
                DurableObjectException d => (d.Message, d.Name, d.Flags),
                WorkerException w => (StripName(w.Message), "Error", ""),
                Rpc.RpcException rpc => (rpc.Message, rpc.Name, ""),
                _ => (Internal(ex), "Error", ""),
            };
            if (!_isolate.IsDisposed) _isolate.PostTurn(context, () => _fetchFailed.InvokeAsFunction(promiseId, message, errorName, flags));
            return;
        }
        if (_isolate.IsDisposed || context is { IsClosed: true })
        {
            response.WebSocket?.Reject();
            if (response.StreamBody is { } orphan) await orphan.AsStream().DisposeAsync().ConfigureAwait(false);
            return;
        }
        var headOut = new JsonObject
        {
            ["status"] = response.Status,
            ["statusText"] = response.StatusText,
            ["headers"] = new JsonArray(response.Headers.Select(h => (JsonNode?)h).ToArray()),
        };
        if (response.TextBody is { } text) headOut["text"] = text;
        var json = headOut.ToJsonString();
        _isolate.PostTurn(context, () =>
        {
            var streamId = response.StreamBody is { } stream ? _worker.Streams.Register(stream.AsStream(), owner: null, context) : 0;
            var socketId = response.WebSocket is { } socket ? _worker.WebSockets.AddForeign(socket) : 0;
            JsIsolate.InvokeAndRelease(_fetchDone, promiseId, json, response.BytesBody is { } b ? _isolate.ToJsBytes(b) : null, streamId, socketId);
        });
    }

    private string Internal(Exception ex)
    {
        var reference = WorkerIsolate.NewErrorReference();
        _logger.LogError(ex, "Durable Object fetch failed (reference = {Reference})", reference);
        return $"internal error; reference = {reference}";
    }

    private static string StripName(string message) => message.StartsWith("Error: ", StringComparison.Ordinal) ? message[7..] : message;
}
