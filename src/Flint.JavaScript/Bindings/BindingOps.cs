using Flint.JavaScript.Isolates;
using Flint.JavaScript.Isolates.Events;
using Flint.JavaScript.Isolates.Streams;
using Microsoft.ClearScript;
using Microsoft.ClearScript.V8.FastProxy;
using Microsoft.Extensions.Logging;

namespace Flint.JavaScript.Bindings;

/// <summary>
/// The host side of 75_bindings.js: one crossing per call of a binding's method, served by its
/// <see cref="HostBinding"/> off the isolate's thread (or inline, when the binding can answer at
/// once). The answer settles the call's promise in a turn for the event that made it.
/// </summary>
internal sealed class BindingOps
{
    private readonly JsIsolate _isolate;
    private readonly HostStreams _streams;
    private readonly Web.WebSockets.WebSocketHub _webSockets;
    private readonly IReadOnlyList<HostBinding> _bindings;
    private readonly ILogger _logger;
    private readonly CancellationToken _lifetime;
    private ScriptObject _completeBinding = null!;

    private BindingOps(JsIsolate isolate, HostStreams streams, Web.WebSockets.WebSocketHub webSockets, IReadOnlyList<HostBinding> bindings,
        ILogger logger, CancellationToken lifetime)
    {
        _isolate = isolate;
        _streams = streams;
        _webSockets = webSockets;
        _bindings = bindings;
        _logger = logger;
        _lifetime = lifetime;
    }

    public static BindingOps Register(HostOpTable ops, JsIsolate isolate, HostStreams streams, Web.WebSockets.WebSocketHub webSockets,
        IReadOnlyList<HostBinding> bindings, ILogger logger, CancellationToken lifetime)
    {
        var calls = new BindingOps(isolate, streams, webSockets, bindings, logger, lifetime);
        void Add(string name, V8FastHostFunctionInvoker invoke) => ops.SetProperty(name, new V8FastHostFunction(name, invoke));
        Add("bindingCall", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var bytes = ScriptHandles.CopyBytes(a.Get<object?>(4, "bytes"));
            calls.Call(a.GetInt32(0, "promise"), a.GetInt32(1, "binding"), a.GetString(2, "method"), a.GetString(3, "args"),
                bytes, a.GetInt32(5, "stream"), a.GetInt32(7, "hostStream"));
        });
        Add("bindingCallInline", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var text = calls.CallInline(a.GetInt32(0, "binding"), a.GetString(1, "method"), a.GetString(2, "args"));
            if (text is null) r.SetNull(); else r.Set(text);
        });
        return calls;
    }

    /// <summary>Makes the entry point into 75_bindings.js once the built-ins run.</summary>
    // Text in slices (BindingResult.TextParts) comes as further arguments, joined here.
    public void Bind() => _completeBinding = _isolate.MakeEntryPoints("""
        (a, b, c, d, e, ...t) => {
          if (t.length > 0) { b = ""; for (let i = 0; i < t.length; i++) b += t[i]; }
          return rt.completeBinding(a, b, c, d, e);
        }
        """)[0];

    /// <summary>
    /// Starts a call to binding <paramref name="index"/>; its result settles promise
    /// <paramref name="promiseId"/> through completeBinding(id, text, bytes, streamId, socketId) or completeOp's rejection.
    /// </summary>
    private void Call(int promiseId, int index, string method, string args, byte[]? bytes, int streamId, int hostStreamId)
    {
        var context = _isolate.Current;
        if ((uint)index >= (uint)_bindings.Count)
        {
            _isolate.Reject(context, promiseId, "No such binding.", "Error");
            return;
        }
        var body = streamId > 0 ? _streams.OpenRead(streamId, context) : null;
        IDisposable? owner = null;
        // A request or fetch body passed on unread goes to the binding as it is, never entering V8.
        if (hostStreamId > 0 && _streams.Take(hostStreamId) is { } hs) (body, owner) = (hs.Stream, hs.Owner);
        var binding = _bindings[index];
        if (body is not null && binding.KeepsBody)
        {
            context?.Own(body);
            if (owner is not null) context?.Own(owner);
            owner = null;
        }
        // A call made for a request whose client went away before it was answered is cancelled (a D1 query stops).
        var clientGone = (context as FetchContext)?.ClientGone ?? CancellationToken.None;
        _ = CallAsync(promiseId, binding, new BindingCall(method, args, bytes, body) { Context = context }, context, clientGone, owner);
    }

    /// <summary>A script error's text ("TypeError: message\n    at …") as the message and name to rethrow it with.</summary>
    private static (string Message, string Name) ScriptErrorParts(string text)
    {
        var line = text.Split('\n', 2)[0];
        var colon = line.IndexOf(": ", StringComparison.Ordinal);
        var name = colon > 0 ? line[..colon] : "";
        return name is "Error" or "TypeError" or "RangeError" ? (line[(colon + 2)..], name) : (line, "Error");
    }

    /// <summary>A binding's answer right away when it can give one cheaply (see <see cref="HostBinding.TryInvokeInline"/>), else null.</summary>
    private string? CallInline(int index, string method, string args)
    {
        if ((uint)index >= (uint)_bindings.Count) return null;
        var binding = _bindings[index];
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

    private async Task CallAsync(int promiseId, HostBinding binding, BindingCall call, EventContext? context, CancellationToken clientGone, IDisposable? bodyOwner)
    {
        BindingResult? result = null;
        string? error = null, errorName = null;
        using var cancel = clientGone.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(_lifetime, clientGone) : null;
        try
        {
            // Off the loop: the engines may do synchronous work (SQLite) before their first await.
            if (!binding.StartsOnCaller) await Task.Yield();
            result = await binding.InvokeAsync(call, cancel?.Token ?? _lifetime).ConfigureAwait(false);
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
            var reference = WorkerIsolate.NewErrorReference();
            _logger.LogError(ex, "Binding {Binding} failed in {Method} (reference = {Reference})", binding.Name, call.Method, reference);
            (error, errorName) = ($"internal error; reference = {reference}", "Error");
        }
        finally
        {
            if (call.Body is not null && !binding.KeepsBody) await call.Body.DisposeAsync().ConfigureAwait(false);
            bodyOwner?.Dispose();
        }
        if (_isolate.IsDisposed)
        {
            result?.WebSocket?.Reject();
            if (result?.Stream is { } orphan) await orphan.DisposeAsync().ConfigureAwait(false);
            return;
        }
        if (error is not null)
        {
            _isolate.Reject(context, promiseId, error, errorName);
            return;
        }
        // The stream owns itself: reading it to the end or cancelling it closes it.
        var streamId = result!.Stream is { } stream ? _streams.Register(stream, owner: stream, context) : 0;
        var webSocket = result.WebSocket;
        if (webSocket is not null && context is { IsClosed: true })
        {
            webSocket.Reject(); // the event that asked for it is over: nobody will take it
            webSocket = null;
        }
        _isolate.PostTurn(context, () =>
        {
            var socketId = webSocket is not null ? _webSockets.AddForeign(webSocket) : 0;
            object?[] args = [promiseId, result.Text, result.Bytes is { } b ? _isolate.ToJsBytes(b) : null, streamId, socketId, .. result.TextParts ?? []];
            JsIsolate.InvokeAndRelease(_completeBinding, args);
        });
    }
}
