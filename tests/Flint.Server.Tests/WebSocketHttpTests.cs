using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Flint.Server.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Flint.Server.Tests;

/// <summary>WebSockets over real connections: a Worker's 101 Response upgrades Kestrel's connection; outbound sockets reach a Kestrel echo server.</summary>
public class WebSocketHttpTests
{
    private const string Worker = """
        export default {
          async fetch(request) {
            const path = new URL(request.url).pathname;
            if (path === "/plain") return new Response("plain");
            const [client, server] = Object.values(new WebSocketPair());
            server.accept();
            server.addEventListener("message", (e) => {
              if (e.data === "close") server.close(4001, "as asked");
              else if (e.data === "close-no-code") server.close();
              else if (e.data === "throw") throw new Error("thrown by a listener");
              else if (typeof e.data === "string") server.send("echo:" + e.data);
              else server.send(new Uint8Array(e.data).reverse());
            });
            server.addEventListener("close", (e) => console.log(`worker saw close ${e.code} "${e.reason}" ${e.wasClean}`));
            server.addEventListener("error", (e) => console.log(`worker saw error ${e.message} readyState=${server.readyState}`));
            server.send("hello from server");
            const headers = { "x-test": "yes" };
            if (path === "/proto") headers["sec-websocket-protocol"] = "p2";
            return new Response(null, { status: 101, webSocket: client, headers });
          }
        };
        """;

    // A close from the client is answered with the same close (web_socket_auto_reply_to_close, the
    // default from 2026-04-07; before it the Worker answers itself: see AClosePeerIsAnsweredByTheWorkerBeforeAutoReply).
    private static Dictionary<string, string> WorkerFiles() => new()
    {
        ["index.js"] = Worker,
        ["wrangler.toml"] = "name = \"test\"\nmain = \"index.js\"\ncompatibility_date = \"2025-11-01\"\ncompatibility_flags = [\"web_socket_auto_reply_to_close\"]\n",
    };

    private static Uri WsUrl(RunningWorker w, string path) => new(new Uri(w.Url.ToString().Replace("http://", "ws://")), path);

    private static async Task<(WebSocketMessageType Type, byte[] Data, WebSocketReceiveResult Last)> ReceiveAsync(WebSocket ws)
    {
        var buffer = new byte[64 * 1024];
        using var all = new MemoryStream();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var r = await ws.ReceiveAsync(buffer, timeout.Token);
            all.Write(buffer, 0, r.Count);
            if (r.EndOfMessage || r.MessageType == WebSocketMessageType.Close) return (r.MessageType, all.ToArray(), r);
        }
    }

    private static async Task<string> ReceiveTextAsync(WebSocket ws)
    {
        var (type, data, _) = await ReceiveAsync(ws);
        Assert.Equal(WebSocketMessageType.Text, type);
        return Encoding.UTF8.GetString(data);
    }

    private static Task SendTextAsync(WebSocket ws, string text) =>
        ws.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    [Fact]
    public async Task EchoesTextAndBinaryAndTheServerMaySpeakFirst()
    {
        await using var w = await RunningWorker.StartAsync(WorkerFiles());
        using var ws = new ClientWebSocket();
        ws.Options.CollectHttpResponseDetails = true;
        await ws.ConnectAsync(WsUrl(w, "/ws"), CancellationToken.None);
        Assert.Equal(HttpStatusCode.SwitchingProtocols, ws.HttpStatusCode);
        Assert.Equal("yes", ws.HttpResponseHeaders!["x-test"].Single());
        Assert.Equal("hello from server", await ReceiveTextAsync(ws));
        await SendTextAsync(ws, "hi");
        Assert.Equal("echo:hi", await ReceiveTextAsync(ws));
        await SendTextAsync(ws, "héllo 🌍");
        Assert.Equal("echo:héllo 🌍", await ReceiveTextAsync(ws));
        var bytes = new byte[100_000];
        new Random(5).NextBytes(bytes);
        await ws.SendAsync(bytes, WebSocketMessageType.Binary, true, CancellationToken.None);
        var (type, echoed, _) = await ReceiveAsync(ws);
        Assert.Equal(WebSocketMessageType.Binary, type);
        Assert.Equal(bytes.Reverse().ToArray(), echoed);
        // Many messages in a row keep their order.
        for (var i = 0; i < 50; i++) await SendTextAsync(ws, i.ToString());
        for (var i = 0; i < 50; i++) Assert.Equal("echo:" + i, await ReceiveTextAsync(ws));
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, ws.CloseStatus);
        await w.Logs.WaitForAsync(l => l.Contains("worker saw close 1000 \"done\" true"));
    }

    [Fact]
    public async Task CloseCodesAndReasonsTravelBothWays()
    {
        await using var w = await RunningWorker.StartAsync(WorkerFiles());

        // The client closes: the Worker sees the code and reason, and its close answers with the same code.
        using (var ws = new ClientWebSocket())
        {
            await ws.ConnectAsync(WsUrl(w, "/a"), CancellationToken.None);
            Assert.Equal("hello from server", await ReceiveTextAsync(ws));
            await ws.CloseAsync((WebSocketCloseStatus)4000, "client bye", CancellationToken.None);
            Assert.Equal(4000, (int)ws.CloseStatus!);
            await w.Logs.WaitForAsync(l => l.Contains("worker saw close 4000 \"client bye\" true"));
        }

        // The Worker closes: the client gets its code and reason.
        using (var ws = new ClientWebSocket())
        {
            await ws.ConnectAsync(WsUrl(w, "/b"), CancellationToken.None);
            Assert.Equal("hello from server", await ReceiveTextAsync(ws));
            await SendTextAsync(ws, "close");
            var (type, _, last) = await ReceiveAsync(ws);
            Assert.Equal(WebSocketMessageType.Close, type);
            Assert.Equal(4001, (int)last.CloseStatus!);
            Assert.Equal("as asked", last.CloseStatusDescription);
            await ws.CloseOutputAsync((WebSocketCloseStatus)4001, "", CancellationToken.None);
            await w.Logs.WaitForAsync(l => l.Contains("worker saw close 4001 \"\" true"));
        }

        // A close without a code sends a close frame without one (the peer sees 1005, as with workerd),
        // and an empty close from the peer reaches the Worker as 1005. .NET's WebSocket reports an
        // empty close as 1000, so this is checked on the wire.
        using (var raw = await RawWebSocket.ConnectAsync(w.Url, "/c"))
        {
            Assert.Equal((0x81, "hello from server"), await raw.ReadFrameAsync());
            await raw.WriteFrameAsync(0x81, "close-no-code");
            Assert.Equal((0x88, ""), await raw.ReadFrameAsync());
            await raw.WriteFrameAsync(0x88, "");
            await w.Logs.WaitForAsync(l => l.Contains("worker saw close 1005 \"\" true"));
        }

        // The connection drops without a close frame: the Worker sees an abnormal close.
        using (var ws = new ClientWebSocket())
        {
            await ws.ConnectAsync(WsUrl(w, "/d"), CancellationToken.None);
            Assert.Equal("hello from server", await ReceiveTextAsync(ws));
            ws.Abort();
            await w.Logs.WaitForAsync(l => l.Contains("worker saw close 1006 \"WebSocket disconnected without sending Close frame.\" false"));
        }
    }

    [Fact]
    public async Task AListenerThatThrowsDropsTheConnectionAsWorkerdDoes()
    {
        await using var w = await RunningWorker.StartAsync(WorkerFiles());
        using var ws = new ClientWebSocket();
        await ws.ConnectAsync(WsUrl(w, "/t"), CancellationToken.None);
        Assert.Equal("hello from server", await ReceiveTextAsync(ws));
        await SendTextAsync(ws, "throw");
        // No close frame: the connection just ends, which a client sees as 1006.
        var error = await Assert.ThrowsAsync<WebSocketException>(() => ReceiveAsync(ws));
        Assert.Equal(WebSocketError.ConnectionClosedPrematurely, error.WebSocketErrorCode);
        await w.Logs.WaitForAsync(l => l.Contains("worker saw error Uncaught Error: thrown by a listener readyState=3"));
        Assert.Contains(w.Logs.Lines, l => l.Contains("Uncaught Error: thrown by a listener") && !l.Contains("worker saw"));
        // The Worker goes on serving, and the socket got no close event after its error.
        Assert.Equal("plain", await w.Client.GetStringAsync("/plain"));
        Assert.DoesNotContain(w.Logs.Lines, l => l.Contains("worker saw close"));
    }

    [Fact]
    public async Task NegotiatesTheWorkersSubprotocolAndCapsMessageSize()
    {
        await using var w = await RunningWorker.StartAsync(WorkerFiles());
        using var ws = new ClientWebSocket();
        ws.Options.AddSubProtocol("p1");
        ws.Options.AddSubProtocol("p2");
        await ws.ConnectAsync(WsUrl(w, "/proto"), CancellationToken.None);
        Assert.Equal("p2", ws.SubProtocol);
        Assert.Equal("hello from server", await ReceiveTextAsync(ws));

        // A message over workerd's 1 MiB limit closes the connection with 1009.
        var big = new byte[(1 << 20) + 1];
        await ws.SendAsync(big, WebSocketMessageType.Binary, true, CancellationToken.None);
        var (type, _, last) = await ReceiveAsync(ws);
        Assert.Equal(WebSocketMessageType.Close, type);
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, last.CloseStatus);
        await w.Logs.WaitForAsync(l => l.Contains("worker saw error") && l.Contains("too large"));
    }

    [Fact]
    public async Task AnOpenSocketKeepsItsIsolateAcrossAReload()
    {
        await using var w = await RunningWorker.StartAsync(WorkerFiles(), watch: true);
        using var ws = new ClientWebSocket();
        await ws.ConnectAsync(WsUrl(w, "/ws"), CancellationToken.None);
        Assert.Equal("hello from server", await ReceiveTextAsync(ws));
        File.WriteAllText(Path.Combine(w.Directory, "index.js"), "export default { fetch() { return new Response('v2') } }");
        await w.Logs.WaitForAsync(l => l.Contains("Reloaded"));
        Assert.Equal("v2", await w.Client.GetStringAsync("/"));
        // The old version's isolate still serves the socket it accepted.
        await SendTextAsync(ws, "still there?");
        Assert.Equal("echo:still there?", await ReceiveTextAsync(ws));
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
        await w.Logs.WaitForAsync(l => l.Contains("worker saw close 1000"));
    }

    [Fact]
    public async Task AWebSocketResponseToAPlainRequestIsAnError()
    {
        await using var w = await RunningWorker.StartAsync(WorkerFiles());
        var response = await w.Client.GetAsync("/ws");
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains("Worker tried to return a WebSocket in a response to a request which did not contain the header \"Upgrade: websocket\".",
            await response.Content.ReadAsStringAsync());
        await w.Logs.WaitForAsync(l => l.Contains("worker saw close 1006"));
        // The Worker still serves.
        Assert.Equal("plain", await w.Client.GetStringAsync("/plain"));
    }

    [Fact]
    public async Task OutboundWebSocketsReachAnEchoServer()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        await using var origin = builder.Build();
        origin.UseWebSockets();
        origin.Map("/echo", async (HttpContext c) =>
        {
            if (!c.WebSockets.IsWebSocketRequest) { c.Response.StatusCode = 400; await c.Response.WriteAsync("not a websocket"); return; }
            using var ws = await c.WebSockets.AcceptWebSocketAsync(c.WebSockets.WebSocketRequestedProtocols.FirstOrDefault());
            var buffer = new byte[64 * 1024];
            await ws.SendAsync(Encoding.UTF8.GetBytes("from " + c.Request.Headers["x-from"]), WebSocketMessageType.Text, true, CancellationToken.None);
            while (true)
            {
                var r = await ws.ReceiveAsync(buffer, CancellationToken.None);
                if (r.MessageType == WebSocketMessageType.Close)
                {
                    await ws.CloseOutputAsync(r.CloseStatus ?? WebSocketCloseStatus.Empty, r.CloseStatusDescription, CancellationToken.None);
                    return;
                }
                await ws.SendAsync(buffer.AsMemory(0, r.Count), r.MessageType, r.EndOfMessage, CancellationToken.None);
            }
        });
        await origin.StartAsync();
        var originUrl = origin.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string>
        {
            ["wrangler.toml"] = $"name = \"ws\"\nmain = \"index.js\"\ncompatibility_date = \"2025-11-01\"\n[vars]\nORIGIN = \"{originUrl}\"\n",
            ["index.js"] = """
                function collect(ws, count) {
                  return new Promise((resolve) => {
                    const got = [];
                    ws.addEventListener("message", (e) => { got.push(typeof e.data === "string" ? e.data : [...new Uint8Array(e.data)]); if (got.length === count) resolve(got); });
                  });
                }
                function closed(ws) { return new Promise((resolve) => ws.addEventListener("close", (e) => resolve([e.code, e.reason, e.wasClean]))); }
                export default {
                  async fetch(request, env) {
                    const out = {};
                    // fetch() with Upgrade: websocket gives a 101 Response whose socket must be accepted.
                    const resp = await fetch(`${env.ORIGIN}/echo`, { headers: { Upgrade: "websocket", "x-from": "fetch" } });
                    out.status = resp.status;
                    const ws = resp.webSocket;
                    out.hasSocket = ws instanceof WebSocket;
                    const messages = collect(ws, 3);
                    const done = closed(ws);
                    ws.accept();
                    ws.send("one");
                    ws.send(new Uint8Array([1, 2, 3]));
                    out.messages = await messages;
                    ws.close(3005, "fetch done");
                    out.close = await done;

                    // new WebSocket(url): opens by itself.
                    const url = env.ORIGIN.replace("http", "ws") + "/echo";
                    const ws2 = new WebSocket(url, ["chat"]);
                    out.initial = ws2.readyState;
                    const events = [];
                    const opened = new Promise((resolve) => ws2.addEventListener("open", () => { events.push("open"); resolve(); }));
                    const messages2 = collect(ws2, 2);
                    const done2 = closed(ws2);
                    await opened;
                    out.protocol = ws2.protocol;
                    out.url = ws2.url;
                    ws2.send("two");
                    out.messages2 = await messages2;
                    ws2.close(1000);
                    out.close2 = await done2;
                    out.finalState = ws2.readyState;

                    // A server that does not upgrade: fetch gives its answer, without a socket.
                    const plain = await fetch(`${env.ORIGIN}/nothing`, { headers: { Upgrade: "websocket" } });
                    out.plain = [plain.status, plain.webSocket];

                    // new WebSocket that fails: an error event, then close 1006, with workerd's messages.
                    const failure = (ws) => new Promise((resolve) => {
                      const seen = [];
                      ws.onerror = (e) => seen.push(e.message);
                      ws.onclose = (e) => { seen.push(e.code, e.reason, e.wasClean, ws.readyState); resolve(seen); };
                    });
                    out.refused = await failure(new WebSocket("ws://127.0.0.1:1/"));
                    out.notUpgraded = await failure(new WebSocket(url.replace("/echo", "/nothing")));
                    try { await fetch("http://127.0.0.1:1/", { headers: { Upgrade: "websocket" } }); } catch (e) { out.fetchRefused = `${e.name}: ${e.message}`; }
                    try { ws2.accept(); } catch (e) { out.acceptClient = e.message; }
                    return Response.json(out);
                  }
                };
                """,
        });
        var json = await w.Client.GetStringAsync("/");
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.Equal(101, root.GetProperty("status").GetInt32());
        Assert.True(root.GetProperty("hasSocket").GetBoolean());
        Assert.Equal("""["from fetch","one",[1,2,3]]""", root.GetProperty("messages").GetRawText());
        Assert.Equal("""[3005,"fetch done",true]""", root.GetProperty("close").GetRawText());
        Assert.Equal(0, root.GetProperty("initial").GetInt32());
        Assert.Equal("chat", root.GetProperty("protocol").GetString());
        Assert.EndsWith("/echo", root.GetProperty("url").GetString());
        Assert.Equal("""["from ","two"]""", root.GetProperty("messages2").GetRawText());
        Assert.Equal("""[1000,"",true]""", root.GetProperty("close2").GetRawText());
        Assert.Equal(3, root.GetProperty("finalState").GetInt32());
        Assert.Equal("""[404,null]""", root.GetProperty("plain").GetRawText());
        Assert.Equal("""["Uncaught Error: Network connection lost.",1006,"Failed to establish websocket connection",false,3]""", root.GetProperty("refused").GetRawText());
        Assert.Equal("""["Uncaught TypeError: Failed to establish the WebSocket connection: expected server to reply with HTTP status code 101 (switching protocols), but received 404 instead.",1006,"Failed to establish websocket connection",false,3]""",
            root.GetProperty("notUpgraded").GetRawText());
        Assert.Equal("Error: Network connection lost.", root.GetProperty("fetchRefused").GetString());
        Assert.Equal("Can't accept() WebSocket that was already used in a response.", root.GetProperty("acceptClient").GetString());
    }
    /// <summary>A WebSocket client that shows the frames on the wire as they are (client frames masked, as RFC 6455 requires).</summary>
    private sealed class RawWebSocket : IDisposable
    {
        private readonly System.Net.Sockets.TcpClient _tcp;
        private readonly Stream _stream;

        private RawWebSocket(System.Net.Sockets.TcpClient tcp) { _tcp = tcp; _stream = tcp.GetStream(); }

        public static async Task<RawWebSocket> ConnectAsync(Uri server, string path)
        {
            var tcp = new System.Net.Sockets.TcpClient();
            await tcp.ConnectAsync(server.Host, server.Port);
            var raw = new RawWebSocket(tcp);
            var request = $"GET {path} HTTP/1.1\r\nHost: {server.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
            await raw._stream.WriteAsync(Encoding.ASCII.GetBytes(request));
            var head = new StringBuilder();
            while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal)) head.Append((char)await raw.ReadByteAsync());
            Assert.StartsWith("HTTP/1.1 101", head.ToString());
            // The RFC's own example key and answer.
            Assert.Contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", head.ToString(), StringComparison.OrdinalIgnoreCase);
            return raw;
        }

        /// <summary>The next frame's first byte (FIN and opcode) and its payload as UTF-8.</summary>
        public async Task<(int FirstByte, string Payload)> ReadFrameAsync()
        {
            var first = await ReadByteAsync();
            var length = await ReadByteAsync();
            Assert.True(length < 126, "a short frame");
            var payload = new byte[length];
            await _stream.ReadExactlyAsync(payload);
            return (first, Encoding.UTF8.GetString(payload));
        }

        public async Task WriteFrameAsync(int firstByte, string text)
        {
            var payload = Encoding.UTF8.GetBytes(text);
            var frame = new byte[6 + payload.Length];
            frame[0] = (byte)firstByte;
            frame[1] = (byte)(0x80 | payload.Length);
            byte[] mask = [1, 2, 3, 4];
            mask.CopyTo(frame, 2);
            for (var i = 0; i < payload.Length; i++) frame[6 + i] = (byte)(payload[i] ^ mask[i % 4]);
            await _stream.WriteAsync(frame);
        }

        private async Task<int> ReadByteAsync()
        {
            var one = new byte[1];
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _stream.ReadExactlyAsync(one, timeout.Token);
            return one[0];
        }

        public void Dispose() => _tcp.Dispose();
    }

    private const string CloseReplies = """
        const log = [];
        export default {
          async fetch(request) {
            const u = new URL(request.url);
            if (u.pathname === "/log") return Response.json(log.splice(0));
            const [client, server] = Object.values(new WebSocketPair());
            server.accept();
            server.addEventListener("close", (e) => {
              log.push(`close ${e.code} ${e.reason} state=${server.readyState}`);
              if (u.searchParams.get("reply") === "1") { server.close(1000, "bye"); log.push(`after close() state=${server.readyState}`); }
            });
            return new Response(null, { status: 101, webSocket: client });
          },
        };
        """;

    /// <summary>
    /// How a close from the client is answered, as wrangler dev answered this Worker on each date:
    /// from 2026-04-07 (web_socket_auto_reply_to_close) with the same close, the socket already
    /// closed in its close event; before, by the Worker's own close(), the socket closing until then,
    /// and not at all if the Worker does not answer.
    /// </summary>
    [Theory]
    [InlineData("2026-05-01", "1", 4001, "done", "[\"close 4001 done state=3\",\"after close() state=3\"]")]
    [InlineData("2026-05-01", "0", 4001, "done", "[\"close 4001 done state=3\"]")]
    [InlineData("2025-11-01", "1", 1000, "bye", "[\"close 4001 done state=2\",\"after close() state=3\"]")]
    [InlineData("2025-11-01", "0", null, null, "[\"close 4001 done state=2\"]")]
    public async Task AClosePeerIsAnsweredAsTheCompatibilityDateSays(string date, string reply, int? code, string? reason, string log)
    {
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string>
        {
            ["index.js"] = CloseReplies,
            ["wrangler.toml"] = $"name = \"test\"\nmain = \"index.js\"\ncompatibility_date = \"{date}\"\n",
        }, isolates: 1);
        using var ws = new ClientWebSocket();
        await ws.ConnectAsync(WsUrl(w, "/ws?reply=" + reply), CancellationToken.None);
        await ws.CloseOutputAsync((WebSocketCloseStatus)4001, "done", CancellationToken.None);
        var buffer = new byte[64];
        var receive = ws.ReceiveAsync(buffer, CancellationToken.None);
        if (code is null)
        {
            // Unanswered: nothing comes back (wrangler dev waited over 3 s; Flint drops the connection after 5).
            Assert.NotSame(receive, await Task.WhenAny(receive, Task.Delay(TimeSpan.FromSeconds(1))));
        }
        else
        {
            var r = await receive.WaitAsync(TimeSpan.FromSeconds(15));
            Assert.Equal(WebSocketMessageType.Close, r.MessageType);
            Assert.Equal(code, (int?)ws.CloseStatus);
            Assert.Equal(reason, ws.CloseStatusDescription);
        }
        using var http = new HttpClient { BaseAddress = w.Url };
        var deadline = DateTime.UtcNow.AddSeconds(15);
        var seen = "[]";
        while (seen == "[]" && DateTime.UtcNow < deadline) { seen = await http.GetStringAsync("log"); if (seen == "[]") await Task.Delay(20); }
        Assert.Equal(log, seen);
    }
}
