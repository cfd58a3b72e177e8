using System.Diagnostics;
using System.Text;
using Flint.JavaScript.Isolates;
using Flint.JavaScript.Web.Compression;
using Flint.Runtime.Workers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Flint.Server.Ingress;

/// <summary>
/// Turns an HTTP exchange into a Worker fetch event and the Worker's Response back into HTTP:
/// one crossing in (method, URL, flat headers, a body handle), one out, bodies streamed.
/// </summary>
public sealed class WorkerRequestHandler(WorkerService host, ILogger<WorkerRequestHandler> logger, InFlightNote? inFlight = null)
{
    private static readonly HashSet<string> s_hopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection",
    };

    public async Task HandleAsync(HttpContext context)
    {
        if (inFlight is null)
        {
            await ServeAsync(context).ConfigureAwait(false);
            return;
        }
        var slot = inFlight.Begin(host.Current.Config.Name, context.Request.Method, context.Request.Path.Value + context.Request.QueryString.Value);
        try
        {
            await ServeAsync(context).ConfigureAwait(false);
        }
        finally
        {
            inFlight.Done(slot);
        }
    }

    private async Task ServeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        if (LoopGuard.IsExhausted(context.Request.Headers))
        {
            await RefuseLoopAsync(context).ConfigureAwait(false);
            LogRequest(context, started, LoopGuard.Status, "Loop Detected");
            return;
        }
        var request = ToIncomingRequest(context);
        int status;
        string statusText;
        try
        {
            var response = await host.FetchAsync(request).ConfigureAwait(false);
            status = response.Status;
            statusText = response.StatusText;
            if (response.WebSocket is { } webSocket)
            {
                if (!context.WebSockets.IsWebSocketRequest)
                {
                    // What workerd does: the Worker's socket sees the connection lost, the client gets a 500.
                    webSocket.Reject();
                    throw new WorkerException("TypeError: Worker tried to return a WebSocket in a response to a request which did not contain the header \"Upgrade: websocket\".");
                }
                LogRequest(context, started, status, statusText);
                await RunWebSocketAsync(context, response, webSocket).ConfigureAwait(false);
                return;
            }
            await WriteResponseAsync(context, response).ConfigureAwait(false);
        }
        catch (WorkerException ex)
        {
            if (ex.Message.StartsWith("TypeError: Worker tried to return a WebSocket", StringComparison.Ordinal)) logger.LogError("Uncaught {Error}", ex.Message);
            status = await WriteErrorAsync(context, ex.Status, ex.Message).ConfigureAwait(false);
            statusText = status switch { 400 => "Bad Request", 503 => "Service Unavailable", _ => "Internal Server Error" };
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A fault in Flint itself: its stack goes to the log, the client gets a plain message.
            logger.LogError(ex, "Internal error in Flint serving {Method} {Path} for Worker {Worker}",
                context.Request.Method, context.Request.Path.Value, host.Current.Config.Name);
            status = await WriteErrorAsync(context, 500, "Internal error in Flint. Its log has the details.").ConfigureAwait(false);
            statusText = status == 400 ? "Bad Request" : "Internal Server Error";
        }
        LogRequest(context, started, status, statusText);
    }

    /// <summary>
    /// Answers with an error as plain text, or cuts the connection if the head already went out. A
    /// body the client sent malformed is answered as the client's mistake, a plain 400.
    /// </summary>
    private async Task<int> WriteErrorAsync(HttpContext context, int status, string message)
    {
        if (context.Response.HasStarted)
        {
            // The head was sent and the body failed midway: all we can do is cut the connection.
            context.Abort();
            return status;
        }
        if ((context.Items[typeof(ClientBodyStream)] as ClientBodyStream)?.Malformed is { } malformed)
        {
            logger.LogWarning("{Method} {Path}: malformed request body from the client ({Reason}); answered 400",
                context.Request.Method, context.Request.Path.Value, malformed);
            (status, message) = (400, $"Bad Request: The request body is malformed ({malformed}).");
        }
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain;charset=UTF-8";
        try
        {
            await context.Response.WriteAsync(message, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException) { }
        return status;
    }

    /// <summary>Answers a request that has been through Workers too many times, without running the Worker.</summary>
    private async Task RefuseLoopAsync(HttpContext context)
    {
        var worker = host.Current.Config.Name;
        logger.LogWarning("Worker {Worker}: {Method} {Path} hit the loop limit: it has passed through Workers {Hops} times (CF-EW-Via reached 0). " +
            "Does its fetch() go back to its own URL?", worker, context.Request.Method, context.Request.Path.Value, LoopGuard.MaxInvocations);
        context.Response.StatusCode = LoopGuard.Status;
        context.Response.ContentType = "text/plain;charset=UTF-8";
        await context.Response.WriteAsync(LoopGuard.Message(worker), context.RequestAborted).ConfigureAwait(false);
    }

    private void LogRequest(HttpContext context, long started, int status, string statusText)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            logger.LogInformation("{Method} {Path} {Status} {StatusText} ({Elapsed}ms)",
                context.Request.Method, context.Request.Path.Value + context.Request.QueryString.Value, status, statusText, Math.Round(ms));
        }
    }

    /// <summary>Upgrades the connection and carries the Worker's WebSocket over it until it closes.</summary>
    private static async Task RunWebSocketAsync(HttpContext context, WorkerResponse response, Flint.JavaScript.Web.WebSockets.WorkerWebSocket webSocket)
    {
        var headers = response.Headers;
        for (var i = 0; i + 1 < headers.Count; i += 2)
        {
            var name = headers[i];
            if (s_hopByHop.Contains(name) || name.StartsWith("sec-websocket-", StringComparison.OrdinalIgnoreCase)
                || string.Equals(name, "content-length", StringComparison.OrdinalIgnoreCase)) continue;
            context.Response.Headers.Append(name, headers[i + 1]);
        }
        var requested = context.WebSockets.WebSocketRequestedProtocols;
        var protocol = webSocket.SubProtocol is { Length: > 0 } p && requested.Contains(p, StringComparer.Ordinal) ? p : null;
        Stream? upgraded = null;
        System.Net.WebSockets.WebSocket? socket = null;
        try
        {
            upgraded = await WebSocketUpgrade.AcceptAsync(context, protocol).ConfigureAwait(false);
            if (upgraded is null)
            {
                socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { SubProtocol = protocol }).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or OperationCanceledException)
        {
            webSocket.Reject();
            return;
        }
        if (upgraded is not null) await webSocket.RunAsync(upgraded, protocol, context.RequestAborted).ConfigureAwait(false);
        else await webSocket.RunAsync(socket!, context.RequestAborted).ConfigureAwait(false);
    }

    private static IncomingRequest ToIncomingRequest(HttpContext context)
    {
        var req = context.Request;
        var headers = new List<string>(req.Headers.Count * 2 + 2);
        foreach (var (name, values) in req.Headers)
        {
            foreach (var value in values)
            {
                if (value is null) continue;
                headers.Add(name);
                // This invocation uses one of the hops the request had left (see LoopGuard).
                headers.Add(LoopGuard.IsHeader(name) ? LoopGuard.AfterThisInvocation(value) : value);
            }
        }
        if (context.Connection.RemoteIpAddress is { } ip && !req.Headers.ContainsKey("CF-Connecting-IP"))
        {
            headers.Add("CF-Connecting-IP");
            headers.Add(ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4().ToString() : ip.ToString());
        }
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(rawTarget) || rawTarget[0] != '/') rawTarget = req.Path.Value + req.QueryString.Value;
        var url = string.Concat(req.Scheme, "://", req.Host.Value, rawTarget);
        var canHaveBody = context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? true;
        var body = canHaveBody ? new ClientBodyStream(req.Body) : null;
        if (body is not null) context.Items[typeof(ClientBodyStream)] = body;
        return new IncomingRequest
        {
            Method = req.Method,
            Url = url,
            Headers = headers,
            Body = body,
            Aborted = context.RequestAborted,
        };
    }

    private static async Task WriteResponseAsync(HttpContext context, WorkerResponse response)
    {
        var http = context.Response;
        http.StatusCode = response.Status;
        if (!string.IsNullOrEmpty(response.StatusText))
        {
            context.Features.Get<IHttpResponseFeature>()!.ReasonPhrase = response.StatusText;
        }
        var headers = response.Headers;
        string? declaredLength = null;
        string? contentEncoding = null;
        for (var i = 0; i + 1 < headers.Count; i += 2)
        {
            var name = headers[i];
            if (s_hopByHop.Contains(name)) continue;
            if (string.Equals(name, "content-length", StringComparison.OrdinalIgnoreCase)) { declaredLength = headers[i + 1]; continue; }
            if (string.Equals(name, "content-encoding", StringComparison.OrdinalIgnoreCase)) contentEncoding = headers[i + 1];
            http.Headers.Append(name, headers[i + 1]);
        }
        var isHead = HttpMethods.IsHead(context.Request.Method);
        var aborted = context.RequestAborted;
        if (contentEncoding is null && !response.EncodeBodyManual && EdgeCoding(context, response) is { } edge)
        {
            http.Headers.ContentEncoding = edge;
            contentEncoding = edge;
        }
        // Content-Encoding: gzip or br with encodeBody "automatic": the Worker gave the bytes
        // unencoded and the runtime encodes them, streaming, with no Content-Length (as workerd).
        if (!response.EncodeBodyManual && ContentEncoding.Handled(contentEncoding) is { } coding
            && (response.TextBody is not null || response.BytesBody is not null || response.StreamBody is not null))
        {
            await WriteEncodedAsync(http, response, coding, isHead, aborted).ConfigureAwait(false);
            return;
        }
        if (response.TextBody is { } text)
        {
            var count = Encoding.UTF8.GetByteCount(text);
            http.ContentLength = count;
            if (isHead || count == 0) return;
            Encoding.UTF8.GetBytes(text, http.BodyWriter);
            await http.BodyWriter.FlushAsync(aborted).ConfigureAwait(false);
        }
        else if (response.BytesBody is { } bytes)
        {
            http.ContentLength = bytes.Length;
            if (isHead || bytes.Length == 0) return;
            await http.BodyWriter.WriteAsync(bytes, aborted).ConfigureAwait(false);
        }
        else if (response.StreamBody is { } stream)
        {
            if (declaredLength is not null && long.TryParse(declaredLength, out var length)) http.ContentLength = length;
            if (isHead) { stream.Cancel(); return; }
            await http.StartAsync(aborted).ConfigureAwait(false);
            // A host body nothing read (an R2 object, a fetch response) goes from its source to the client directly.
            if (stream.TakeHostSource() is { } source)
            {
                await using (source.ConfigureAwait(false))
                {
                    try { await BodyWriterCopy.CopyAsync(source, http, aborted).ConfigureAwait(false); }
                    catch (Exception ex) when (ex is OperationCanceledException or IOException) { }
                }
                return;
            }
            try
            {
                while (await stream.ReadAsync().ConfigureAwait(false) is { } chunk)
                {
                    if (chunk.Length == 0) continue;
                    var flush = await http.BodyWriter.WriteAsync(chunk, aborted).ConfigureAwait(false);
                    if (flush.IsCanceled || flush.IsCompleted) { stream.Cancel(); return; }
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException)
            {
                stream.Cancel();
            }
        }
        else
        {
            if (response.Status is not (101 or 204 or 205 or 304)) http.ContentLength = 0;
        }
    }

    /// <summary>
    /// Cloudflare's edge (and wrangler dev after it) compresses an unencoded response of a type it
    /// compresses for a client that accepts gzip or br (<see cref="Flint.Engine.Assets.EdgeCompression"/>).
    /// </summary>
    private static string? EdgeCoding(HttpContext context, WorkerResponse response)
    {
        var accept = context.Request.Headers.AcceptEncoding;
        if (accept.Count == 0 || response.Status is 101 or 204 or 304) return null;
        string? contentType = null;
        for (var i = 0; i + 1 < response.Headers.Count; i += 2)
            if (string.Equals(response.Headers[i], "content-type", StringComparison.OrdinalIgnoreCase)) contentType = response.Headers[i + 1];
        return Flint.Engine.Assets.EdgeCompression.Choose(accept.ToString(), contentType) switch
        {
            Flint.Engine.Assets.EdgeEncoding.Gzip => "gzip",
            Flint.Engine.Assets.EdgeEncoding.Brotli => "br",
            _ => null,
        };
    }

    private static async Task WriteEncodedAsync(HttpResponse http, WorkerResponse response, string coding, bool isHead, CancellationToken aborted)
    {
        var stream = response.StreamBody;
        if (isHead)
        {
            stream?.Cancel();
            return;
        }
        await http.StartAsync(aborted).ConfigureAwait(false);
        try
        {
            await using var encoder = ContentEncoding.Encode(coding, http.Body);
            if (response.TextBody is { } text)
            {
                await encoder.WriteAsync(Encoding.UTF8.GetBytes(text), aborted).ConfigureAwait(false);
            }
            else if (response.BytesBody is { } bytes)
            {
                await encoder.WriteAsync(bytes, aborted).ConfigureAwait(false);
            }
            else if (stream is not null)
            {
                while (await stream.ReadAsync().ConfigureAwait(false) is { } chunk)
                {
                    if (chunk.Length == 0) continue;
                    await encoder.WriteAsync(chunk, aborted).ConfigureAwait(false);
                    // Each chunk the Worker streams goes out as soon as it is encoded.
                    await encoder.FlushAsync(aborted).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            stream?.Cancel();
        }
    }
}
