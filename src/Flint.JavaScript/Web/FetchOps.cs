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
                body, a.GetInt32(5, "stream"), a.IsTruthy(6), a.GetInt32(7, "hostStream"));
        });
        Add("fetchAbort", (bool _, in V8FastArgs a, in V8FastResult r) => fetch.Abort(a.GetInt32(0, "promise")));
        return fetch;
    }

    private void Start(int promiseId, string method, string url, string headers, object? body, int streamId, bool manualRedirect, int hostStreamId)
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
        var request = new OutboundRequest(method, url, headers.Length == 0 ? [] : headers.Split('\n'), content, manualRedirect);
        _ = SendAsync(call, request, context);
    }

    private async Task SendAsync(Subrequest call, OutboundRequest request, EventContext? context)
    {
        string? head = null, error = null;
        var errorName = "TypeError";
        try
        {
            var response = await OutboundFetch.SendAsync(_worker.Outbound, request, call.Cancellation.Token).ConfigureAwait(false);
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
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException or UriFormatException or WorkerException)
        {
            error = $"Network connection lost. ({ex.Message})";
            if (ex is HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError })
                error = $"Network connection lost. Could not connect to {new Uri(request.Url).Authority}: {ex.Message}";
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
