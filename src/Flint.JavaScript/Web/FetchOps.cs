using System.Collections.Concurrent;
using Flint.JavaScript.Isolates;
using Flint.JavaScript.Isolates.Events;
using Microsoft.ClearScript.V8.FastProxy;

namespace Flint.JavaScript.Web;

/// <summary>
/// The host side of 60_fetch.js: a Worker's fetch() crosses once (method, URL, flat headers, a
/// body as text, bytes, a JavaScript stream or a host stream passed on unread) and its answer
/// comes back as one head string with a handle to the body. A subrequest belongs to the event
/// that made it: it is cancelled if that event closes first.
/// </summary>
internal sealed class FetchOps
{
    private readonly WorkerIsolate _worker;
    private readonly JsIsolate _isolate;
    private readonly HostStreams _streams;
    private readonly ConcurrentDictionary<int, Subrequest> _inFlight = new();

    private FetchOps(WorkerIsolate worker)
    {
        _worker = worker;
        _isolate = worker.Isolate;
        _streams = worker.Streams;
    }

    public static FetchOps Register(HostOpTable ops, WorkerIsolate worker)
    {
        var fetch = new FetchOps(worker);
        void Add(string name, V8FastHostFunctionInvoker invoke) => ops.SetProperty(name, new V8FastHostFunction(name, invoke));
        Add("fetch", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var value = a.Get<object?>(4, "body");
            var body = value is string s ? (object)s : ScriptHandles.CopyBytes(value);
            fetch.Start(a.GetInt32(0, "promise"), a.GetString(1, "method"), a.GetString(2, "url"), a.GetString(3, "headers"),
                body, a.GetInt32(5, "stream"), a.IsTruthy(6), a.GetInt32(7, "hostStream"), a.GetString(8, "cache"));
        });
        Add("fetchAbort", (bool _, in V8FastArgs a, in V8FastResult r) => fetch.Abort(a.GetInt32(0, "promise")));
        return fetch;
    }

    private void Start(int promiseId, string method, string url, string headers, object? body, int streamId, bool manualRedirect, int hostStreamId, string cachePlan)
    {
        var context = _isolate.Current;
        HttpContent? content = body switch
        {
            string text => new StringContent(text, System.Text.Encoding.UTF8) { Headers = { ContentType = null } },
            byte[] bytes => new ByteArrayContent(bytes),
            _ when streamId > 0 => new StreamContent(_streams.OpenRead(streamId, context)),
            // A body the Worker passed on unread leaves the isolate's care and is sent as is.
            _ when hostStreamId > 0 => _streams.Take(hostStreamId) is { } hs ? new HostStreamContent(hs.Stream, hs.Owner) : new ByteArrayContent([]),
            _ => null,
        };
        var call = new Subrequest(promiseId);
        _inFlight[promiseId] = call;
        context?.Own(call);
        var request = new OutboundRequest(method, url, headers.Length == 0 ? [] : headers.Split('\n'), content, manualRedirect)
        {
            Cache = cachePlan.Length == 0 || _worker.SubrequestCache is null ? null : ParseCachePlan(cachePlan),
        };
        // A Durable Object's subrequest is an outgoing message: it leaves once the writes before it are durable.
        if (context?.Actor is { Gate.WouldHold: true, InTransaction: false } actor)
            actor.Gate.Send(() => _ = SendAsync(call, request, context), e => _worker.CompleteOpLater(promiseId, null, e.Message, "Error"));
        else _ = SendAsync(call, request, context);
    }

    private async Task SendAsync(Subrequest call, OutboundRequest request, EventContext? context)
    {
        string? head = null, error = null;
        var errorName = "TypeError";
        try
        {
            var response = request.Cache is { } plan && _worker.SubrequestCache is { } cache
                ? await Network.SubrequestCache.SendAsync(cache, _worker.Outbound, request, plan, _worker.LogDebug, call.Cancellation.Token).ConfigureAwait(false)
                : await OutboundFetch.SendAsync(_worker.Outbound, request, call.Cancellation.Token).ConfigureAwait(false);
            var bodyId = response.Body is null ? 0 : _streams.Register(response.Body, response.Owner, context);
            if (response.Body is null) response.Owner.Dispose();
            head = OutboundFetch.EncodeHead(response, bodyId);
        }
        catch (OperationCanceledException) when (call.Cancellation.IsCancellationRequested)
        {
            return; // the Worker aborted it (and rejected the promise), or its event is over
        }
        catch (Exception ex) when (ExceptionChain.Find<Network.OutboundDeniedException>(ex) is { } denied)
        {
            (error, errorName) = (_worker.DeniedOutbound(denied), "Error");
        }
        catch (OutboundFetchException ex)
        {
            error = ex.Message;
        }
        catch (Exception ex) when (ex is HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError })
        {
            // workerd: a name that does not resolve is an internal error with a reference; the log says which.
            (error, errorName) = (_worker.InternalError($"fetch({request.Url}): {ex.Message}"), "Error");
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException or UriFormatException or WorkerException)
        {
            // workerd's words for a refused, reset or broken connection; the cause goes to the log.
            (error, errorName) = ("Network connection lost.", "Error");
            _worker.LogDebug($"fetch({request.Url}) failed: {ex.Message}");
        }
        catch (Exception ex)
        {
            // Never leave the Worker's promise pending: a fault in Flint is logged with its stack.
            _worker.LogError(ex, $"fetch({request.Url}) failed inside Flint");
            error = $"Network connection lost. (internal error in Flint: {ex.GetType().Name}; see Flint's log)";
        }
        finally
        {
            _inFlight.TryRemove(call.PromiseId, out _);
            context?.Disown(call);
            call.Cancellation.Dispose();
        }
        if (error is not null) _isolate.Reject(context, call.PromiseId, error, errorName);
        else _isolate.Resolve(context, call.PromiseId, head);
    }

    /// <summary>The plan 60_fetch.js sends: {ns, key, everything, ttl, byStatus: [[from, to, seconds]…], bypass, revalidate}.</summary>
    private static Engine.Cache.SubrequestCacheRequest ParseCachePlan(string json)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        var root = doc.RootElement;
        var byStatus = new List<Engine.Cache.StatusTtl>();
        foreach (var range in root.GetProperty("byStatus").EnumerateArray())
            byStatus.Add(new Engine.Cache.StatusTtl(range[0].GetInt32(), range[1].GetInt32(), (long)range[2].GetDouble()));
        var ttl = root.GetProperty("ttl");
        return new Engine.Cache.SubrequestCacheRequest(root.GetProperty("ns").GetString()!, root.GetProperty("key").GetString()!,
            root.GetProperty("everything").GetBoolean(), ttl.ValueKind == System.Text.Json.JsonValueKind.Number ? (long)ttl.GetDouble() : null,
            byStatus, root.GetProperty("bypass").GetBoolean(), root.GetProperty("revalidate").GetBoolean());
    }

    private void Abort(int promiseId)
    {
        if (_inFlight.TryGetValue(promiseId, out var call)) call.Dispose();
    }

    /// <summary>The isolate went away: cancel every subrequest.</summary>
    public void CancelAll()
    {
        foreach (var call in _inFlight.Values) call.Dispose();
    }

    /// <summary>One subrequest in flight; disposing it cancels it.</summary>
    private sealed class Subrequest(int promiseId) : IDisposable
    {
        public int PromiseId { get; } = promiseId;
        public CancellationTokenSource Cancellation { get; } = new();

        public void Dispose()
        {
            try { Cancellation.Cancel(); }
            catch (ObjectDisposedException) { } // it finished meanwhile
        }
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
}
