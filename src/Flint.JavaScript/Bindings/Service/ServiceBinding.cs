using System.Text.Json;
using System.Text.Json.Nodes;
using Flint.JavaScript.Isolates;
using Flint.JavaScript.Isolates.Events;
using Flint.JavaScript.Rpc;

namespace Flint.JavaScript.Bindings.Service;

/// <summary>
/// A service binding: <c>env.NAME</c> reaching another Worker by name, with <c>fetch()</c> (an HTTP
/// event in that Worker, without HTTP: the request and its body cross as they are, bodies streamed)
/// and JavaScript RPC on its entrypoint. The Worker is looked up at each call, so reloads of either
/// side, or two Workers that bind each other, just work.
/// </summary>
public sealed class ServiceBinding : HostBinding
{
    private readonly Func<string, IWorkerEvents?> _resolve;
    private readonly Func<string, string> _notFound;

    /// <param name="resolve">Finds the Worker named <paramref name="service"/> at each call (null when it is not running).</param>
    /// <param name="notFound">The message a caller gets when it is not.</param>
    public ServiceBinding(string name, string service, string? entrypoint, string? propsJson, Func<string, IWorkerEvents?> resolve, Func<string, string> notFound)
        : base(name)
    {
        Service = service;
        Entrypoint = entrypoint;
        PropsJson = propsJson;
        _resolve = resolve;
        _notFound = notFound;
    }

    public string Service { get; }
    public string? Entrypoint { get; }
    public string? PropsJson { get; }

    public override string Kind => "service";

    /// <summary>A request body goes on to the other Worker, which reads it after the response head came back.</summary>
    public override bool KeepsBody => true;

    public override string? DescriptorJson => new JsonObject { ["service"] = Service, ["entrypoint"] = Entrypoint }.ToJsonString();

    /// <summary>An RPC call on the bound entrypoint; <paramref name="caller"/> is the calling event.</summary>
    public RpcAnswer Call(RpcCallKind kind, string pathJson, RpcValue args, EventContext? caller)
    {
        if (_resolve(Service) is not { } worker)
        {
            args.Dispose();
            return RpcAnswer.Failed(new RpcException(_notFound(Service)));
        }
        return worker.Call(new RpcCall(Entrypoint, PropsJson, kind, pathJson, args) { Caller = caller });
    }

    /// <summary><c>fetch()</c>: <c>Args</c> is the request head as JSON ({method, url, headers, cf}); the body comes as bytes or a stream.</summary>
    public override async ValueTask<BindingResult> InvokeAsync(BindingCall call, CancellationToken cancellationToken)
    {
        if (call.Method != "fetch") throw new BindingException($"Service bindings have no method {call.Method}.");
        using var head = JsonDocument.Parse(call.Args);
        var root = head.RootElement;
        var headers = root.GetProperty("headers").EnumerateArray().Select(h => h.GetString() ?? "").ToList();
        Stream? body = call.Body ?? (call.Bytes is { } bytes ? new MemoryStream(bytes, writable: false) : null);
        if (_resolve(Service) is not { } worker)
        {
            // What wrangler dev answers: a 503 naming the Worker.
            if (body is not null) await body.DisposeAsync().ConfigureAwait(false);
            return Head(503, "Service Unavailable", ["content-type", "text/plain;charset=UTF-8"], text: _notFound(Service));
        }
        var request = new IncomingRequest
        {
            Method = root.GetProperty("method").GetString()!,
            Url = root.GetProperty("url").GetString()!,
            Headers = headers,
            Body = body,
            CfJson = root.TryGetProperty("cf", out var cf) && cf.ValueKind == JsonValueKind.String ? cf.GetString() : null,
            Entrypoint = Entrypoint,
            PropsJson = PropsJson,
            NoDefaultCf = true,
            Aborted = cancellationToken,
        };
        var response = await worker.FetchAsync(request).ConfigureAwait(false);
        if (response.WebSocket is { } socket)
            return Head(response.Status, response.StatusText, response.Headers, webSocket: socket);
        if (response.StreamBody is { } stream)
            return Head(response.Status, response.StatusText, response.Headers, stream: stream.AsStream());
        return Head(response.Status, response.StatusText, response.Headers, text: response.TextBody, bytes: response.BytesBody);
    }

    private static BindingResult Head(int status, string statusText, IReadOnlyList<string> headers, string? text = null, byte[]? bytes = null,
        Stream? stream = null, Web.WebSockets.WorkerWebSocket? webSocket = null)
    {
        var head = new JsonObject
        {
            ["status"] = status,
            ["statusText"] = statusText,
            ["headers"] = new JsonArray(headers.Select(h => (JsonNode?)h).ToArray()),
        };
        if (text is not null) head["text"] = text;
        return new BindingResult { Text = head.ToJsonString(), Bytes = bytes, Stream = stream, WebSocket = webSocket };
    }
}
