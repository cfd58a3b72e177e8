using System.Net.WebSockets;
using System.Text;
using Flint.Server.Tests.Support;

namespace Flint.Server.Tests;

/// <summary>
/// What a Worker may do before its first event, and how long what an event started lives: the
/// answers of bench/oracle/event-scope as wrangler dev gave them, and a WebSocket's sender.
/// </summary>
public class EventScopeTests
{
    [Fact]
    public async Task GlobalScopeRefusalsAndTimerLifetimesAreWorkerds() =>
        await OracleGolden.AssertSameAsWranglerDevAsync("event-scope", isolates: 1); // its requests count in module state

    private const string TickingSocket = """
        export default {
          async fetch(request) {
            const [client, server] = Object.values(new WebSocketPair());
            server.accept();
            let n = 0;
            const timer = setInterval(() => {
              server.send("tick" + (++n));
              if (n === 5) { clearInterval(timer); server.close(1000, "done"); }
            }, 30);
            return new Response(null, { status: 101, webSocket: client });
          },
        };
        """;

    [Fact]
    public async Task TheTimersOfARequestThatAnsweredWithAWebSocketKeepRunning()
    {
        // The request is answered at once, but its socket lives on and so do the timers that feed it (as on workerd).
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string> { ["index.js"] = TickingSocket });
        using var ws = new ClientWebSocket();
        await ws.ConnectAsync(new Uri(w.Url.ToString().Replace("http://", "ws://") + "ws"), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15));
        var got = new List<string>();
        var buffer = new byte[1024];
        while (true)
        {
            var r = await ws.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15));
            if (r.MessageType == WebSocketMessageType.Close) break;
            got.Add(Encoding.UTF8.GetString(buffer, 0, r.Count));
        }
        Assert.Equal(["tick1", "tick2", "tick3", "tick4", "tick5"], got);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, ws.CloseStatus);
        Assert.Equal("done", ws.CloseStatusDescription);
    }

    private const string IntervalUntilClose = """
        let ticks = 0, atClose = -1;
        export default {
          async fetch(request) {
            if (new URL(request.url).pathname === "/ticks") return Response.json({ ticks, atClose });
            const [client, server] = Object.values(new WebSocketPair());
            server.accept();
            setInterval(() => { ticks++; }, 20); // never cleared
            server.addEventListener("close", () => { atClose = ticks; server.close(1000, "bye"); });
            return new Response(null, { status: 101, webSocket: client });
          },
        };
        """;

    [Fact]
    public async Task ARequestsTimersStopWhenTheSocketItAnsweredWithCloses()
    {
        // As on wrangler dev: the request ends with its connection, and an interval it never cleared stops with it.
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string> { ["index.js"] = IntervalUntilClose }, isolates: 1);
        using var ws = new ClientWebSocket();
        await ws.ConnectAsync(new Uri(w.Url.ToString().Replace("http://", "ws://") + "ws"), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15));
        using var http = new HttpClient { BaseAddress = w.Url };
        async Task<(int Ticks, int AtClose)> TicksAsync()
        {
            using var doc = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync("ticks"));
            return (doc.RootElement.GetProperty("ticks").GetInt32(), doc.RootElement.GetProperty("atClose").GetInt32());
        }
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while ((await TicksAsync()).Ticks < 3 && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.True((await TicksAsync()).Ticks >= 3, "the interval ticks while the socket is open");

        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15));
        var (afterClose, atClose) = await TicksAsync();
        Assert.True(atClose >= 3, $"the close event ran (atClose = {atClose})");
        await Task.Delay(300); // fifteen intervals
        var (later, _) = await TicksAsync();
        Assert.True(later <= afterClose + 1, $"the interval stopped with the socket: {afterClose} ticks at close, {later} 300 ms later");
    }

    private const string IntervalsFromListeners = """
        let ticks = 0, afterAwait = 0, afterClose = 0;
        export default {
          async fetch(request) {
            if (new URL(request.url).pathname === "/ticks") return Response.json({ ticks, afterAwait, afterClose });
            const [client, server] = Object.values(new WebSocketPair());
            server.accept();
            server.addEventListener("message", async () => {
              setInterval(() => { ticks++; }, 20);
              await Promise.resolve();
              setInterval(() => { afterAwait++; }, 20);
              server.send("started");
            });
            server.addEventListener("close", async () => {
              server.close(1000, "bye");
              // After the socket closed its context is over: wrangler dev never fires these.
              await Promise.resolve();
              setInterval(() => { afterClose++; }, 20);
            });
            return new Response(null, { status: 101, webSocket: client });
          },
        };
        """;

    [Fact]
    public async Task TimersTheSocketsListenersSetStopWithIt()
    {
        // As on wrangler dev: a listener runs in the request's context, which ends with the socket,
        // both for what it starts at once and after an await.
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string> { ["index.js"] = IntervalsFromListeners }, isolates: 1);
        using var ws = new ClientWebSocket();
        await ws.ConnectAsync(new Uri(w.Url.ToString().Replace("http://", "ws://") + "ws"), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15));
        await ws.SendAsync("go"u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[64];
        var r = await ws.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal("started", Encoding.UTF8.GetString(buffer, 0, r.Count));
        using var http = new HttpClient { BaseAddress = w.Url };
        async Task<(int Ticks, int AfterAwait, int AfterClose)> TicksAsync()
        {
            using var doc = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync("ticks"));
            var root = doc.RootElement;
            return (root.GetProperty("ticks").GetInt32(), root.GetProperty("afterAwait").GetInt32(), root.GetProperty("afterClose").GetInt32());
        }
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while ((await TicksAsync()).AfterAwait < 3 && DateTime.UtcNow < deadline) await Task.Delay(20);
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15));
        var atClose = await TicksAsync();
        Assert.True(atClose.AfterAwait >= 3, $"both intervals ticked while the socket was open ({atClose})");
        await Task.Delay(300);
        var later = await TicksAsync();
        Assert.True(later.Ticks <= atClose.Ticks + 1 && later.AfterAwait <= atClose.AfterAwait + 1,
            $"the intervals stopped with the socket: {atClose} at close, {later} 300 ms later");
        Assert.Equal(0, later.AfterClose); // set after the close, in the close listener after an await
    }

    private const string PassedOnToml = """
        name = "passed-on"
        main = "index.js"
        compatibility_date = "2026-06-01"
        [[durable_objects.bindings]]
        name = "ROOM"
        class_name = "Room"
        [[migrations]]
        tag = "v1"
        new_sqlite_classes = ["Room"]
        """;

    private const string PassedOnWorker = """
        import { DurableObject } from "cloudflare:workers";
        let workerTicks = 0;
        export class Room extends DurableObject {
          async fetch(request) {
            const [client, server] = Object.values(new WebSocketPair());
            server.accept();
            server.addEventListener("message", (e) => server.send("echo:" + e.data));
            return new Response(null, { status: 101, webSocket: client });
          }
        }
        export default {
          async fetch(request, env) {
            if (new URL(request.url).pathname === "/ticks") return Response.json({ workerTicks });
            setInterval(() => { workerTicks++; }, 20);
            return env.ROOM.get(env.ROOM.idFromName("a")).fetch(request);
          },
        };
        """;

    [Fact]
    public async Task ARequestThatPassesOnADurableObjectsSocketEndsWithItsResponse()
    {
        // Checked on wrangler dev (2026-12-02, a Node client, the same Worker and interval): 0 ticks
        // while the socket was open, 0 after it closed. The Worker holds no end of the socket, so its
        // request is over once it answers.
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string> { ["wrangler.toml"] = PassedOnToml, ["index.js"] = PassedOnWorker }, isolates: 1);
        using var ws = new ClientWebSocket();
        await ws.ConnectAsync(new Uri(w.Url.ToString().Replace("http://", "ws://") + "ws"), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15));
        await ws.SendAsync("hi"u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[64];
        var r = await ws.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal("echo:hi", Encoding.UTF8.GetString(buffer, 0, r.Count)); // the socket works
        using var http = new HttpClient { BaseAddress = w.Url };
        async Task<int> TicksAsync()
        {
            using var doc = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync("ticks"));
            return doc.RootElement.GetProperty("workerTicks").GetInt32();
        }
        // It may tick while the request waits for the object (its first start here can take longer
        // than 20 ms), but not once the response is out.
        await Task.Delay(50);
        var answered = await TicksAsync();
        await Task.Delay(300);
        Assert.Equal(answered, await TicksAsync());
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15));
        await Task.Delay(200);
        Assert.Equal(answered, await TicksAsync());
    }
}
