using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Flint.Runtime.DurableObjects;
using Flint.Server.Tests.Support;

namespace Flint.Server.Tests;

/// <summary>
/// WebSockets served by Durable Objects over real connections: a standard accept() inside an
/// object, and the hibernation API — an object whose sockets are all hibernatable is evicted while
/// its clients stay connected, and the next message recreates it with tags and attachments.
/// </summary>
public sealed class DurableObjectWebSocketTests
{
    private const string Toml = """
        name = "rooms"
        main = "index.js"
        compatibility_date = "2025-11-01"
        [[durable_objects.bindings]]
        name = "ROOM"
        class_name = "Room"
        [[durable_objects.bindings]]
        name = "ECHO"
        class_name = "Echo"
        [[migrations]]
        tag = "v1"
        new_sqlite_classes = ["Room", "Echo"]
        """;

    private const string Worker = """
        import { DurableObject } from "cloudflare:workers";
        let constructed = 0;
        export class Room extends DurableObject {
          constructor(ctx, env) {
            super(ctx, env);
            this.instance = ++constructed;
            ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
          }
          async fetch(request) {
            const url = new URL(request.url);
            if (url.pathname === "/stats") {
              const sockets = this.ctx.getWebSockets();
              return Response.json({
                instance: this.instance, sockets: sockets.length, tagged: this.ctx.getWebSockets("bob").length,
                tags: sockets.map((ws) => this.ctx.getTags(ws).join("+")).sort(),
                pongAt: sockets.map((ws) => this.ctx.getWebSocketAutoResponseTimestamp(ws) !== null),
              });
            }
            const name = url.searchParams.get("name");
            const [client, server] = Object.values(new WebSocketPair());
            this.ctx.acceptWebSocket(server, [name, "member"]);
            server.serializeAttachment({ name, joined: this.instance });
            await this.ctx.storage.put("joined:" + name, true);
            return new Response(null, { status: 101, webSocket: client });
          }
          async webSocketMessage(ws, message) {
            const { name, joined } = ws.deserializeAttachment();
            const count = ((await this.ctx.storage.get("count")) ?? 0) + 1;
            await this.ctx.storage.put("count", count);
            for (const other of this.ctx.getWebSockets()) other.send(`${name}: ${message} #${count} (instance ${this.instance}, joined in ${joined})`);
          }
          async webSocketClose(ws, code, reason, wasClean) {
            for (const other of this.ctx.getWebSockets()) if (other !== ws) other.send(`${ws.deserializeAttachment().name} left ${code} ${reason}`);
          }
        }
        export class Echo extends DurableObject {
          async fetch(request) {
            const [client, server] = Object.values(new WebSocketPair());
            server.accept();
            server.addEventListener("message", async (e) => {
              const n = ((await this.ctx.storage.get("n")) ?? 0) + 1;
              this.ctx.storage.put("n", n);
              server.send(`echo ${e.data} ${n}`);
            });
            return new Response(null, { status: 101, webSocket: client });
          }
        }
        export default {
          async fetch(request, env) {
            const url = new URL(request.url);
            if (url.pathname === "/echo") return env.ECHO.getByName("e").fetch(request);
            return env.ROOM.getByName(url.searchParams.get("room") ?? "lobby").fetch(request);
          },
        };
        """;

    private static Task<ClientWebSocket> Join(RunningWorker w, string name) => JoinRoom(w, "lobby", name);

    private static int Instance(string message) => int.Parse(System.Text.RegularExpressions.Regex.Match(message, @"instance (\d+)").Groups[1].Value);

    private static async Task<ClientWebSocket> JoinRoom(RunningWorker w, string room, string name)
    {
        var ws = new ClientWebSocket();
        await ws.ConnectAsync(new Uri(w.Url.ToString().Replace("http://", "ws://") + $"join?name={name}&room={room}"), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15));
        return ws;
    }

    private static Task Send(ClientWebSocket ws, string text) =>
        ws.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    private static async Task<string> Receive(ClientWebSocket ws)
    {
        var buffer = new byte[16 * 1024];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var r = await ws.ReceiveAsync(buffer, timeout.Token);
        return r.MessageType == WebSocketMessageType.Close ? $"[close {(int?)r.CloseStatus} {r.CloseStatusDescription}]" : Encoding.UTF8.GetString(buffer, 0, r.Count);
    }

    [Fact]
    public async Task AHibernatingRoomIsEvictedWhileItsClientsStayAndWakesForTheNextMessage()
    {
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string> { ["wrangler.toml"] = Toml, ["index.js"] = Worker },
            isolates: 1, durableObjects: new DurableObjectOptions { HibernationTimeout = TimeSpan.FromMilliseconds(300) });
        try { await Hibernation(w); }
        catch (Exception ex) { throw new Exception(ex.Message + "\nLogs:\n" + w.Logs.All, ex); }
    }

    private static async Task Hibernation(RunningWorker w)
    {
        using var alice = await Join(w, "alice");
        using var bob = await Join(w, "bob");
        await Send(alice, "hi");
        // The room may already have hibernated once under a slow machine: instance numbers are compared, not fixed.
        var first = await Receive(alice);
        Assert.Matches(@"^alice: hi #1 \(instance \d+, joined in \d+\)$", first);
        Assert.Equal(first, await Receive(bob));
        var before = Instance(first);

        var directory = w.Server.Registry.DurableObjects!;
        await WaitUntil(() => directory.LiveActors().Count == 0, "the room did not hibernate");
        // The auto-response answers without waking the room.
        await Send(alice, "ping");
        Assert.Equal("pong", await Receive(alice));
        Assert.Empty(directory.LiveActors());

        await Send(bob, "yo");
        var woken = await Receive(alice);
        Assert.Equal(woken, await Receive(bob));
        // A new instance delivers it; the attachment is the one the first instance serialized.
        Assert.Matches(@"^bob: yo #2 \(instance \d+, joined in \d+\)$", woken);
        Assert.True(Instance(woken) > before, woken);
        Assert.True(int.Parse(System.Text.RegularExpressions.Regex.Match(woken, @"joined in (\d+)").Groups[1].Value) < Instance(woken), woken);

        var stats = JsonNode.Parse(await w.GetStringAsync("/stats"))!;
        Assert.Equal(2, (int)stats["sockets"]!);
        Assert.Equal(1, (int)stats["tagged"]!);
        Assert.Equal(["alice+member", "bob+member"], stats["tags"]!.AsArray().Select(t => (string)t!));

        await bob.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("bob left 1000 bye", await Receive(alice));
        await WaitUntil(async () => (int)JsonNode.Parse(await w.GetStringAsync("/stats"))!["sockets"]! == 1, "the closed socket stayed");
    }

    [Fact]
    public async Task AnObjectAcceptingAWebSocketStaysInMemoryAndItsSendsFollowItsWrites()
    {
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string> { ["wrangler.toml"] = Toml, ["index.js"] = Worker },
            isolates: 1, durableObjects: new DurableObjectOptions { IdleTimeout = TimeSpan.FromMilliseconds(200) });
        using var ws = new ClientWebSocket();
        await ws.ConnectAsync(new Uri(w.Url.ToString().Replace("http://", "ws://") + "echo"), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15));
        await Send(ws, "one");
        Assert.Equal("echo one 1", await Receive(ws));
        await Task.Delay(600);
        Assert.Single(w.Server.Registry.DurableObjects!.LiveActors()); // an open accept()ed socket keeps it
        await Send(ws, "two");
        Assert.Equal("echo two 2", await Receive(ws));
    }

    /// <summary>
    /// Events of a socket the object accept()ed wait at its input gate like its other events: a
    /// critical section holds the messages that arrive meanwhile. wrangler dev answers the same
    /// (bench/oracle/do/ws-gate: <c>node client.mjs ws://…/ws</c> prints this log).
    /// </summary>
    [Fact]
    public async Task MessagesOfAnAcceptedWebSocketWaitAtTheObjectsInputGate()
    {
        var dir = Path.Combine(RepoRoot.Path, "bench", "oracle", "do", "ws-gate");
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string>
        {
            ["wrangler.toml"] = File.ReadAllText(Path.Combine(dir, "wrangler.toml")),
            ["index.js"] = File.ReadAllText(Path.Combine(dir, "index.js")),
        }, isolates: 1);
        using var ws = new ClientWebSocket();
        await ws.ConnectAsync(new Uri(w.Url.ToString().Replace("http://", "ws://") + "ws"), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15));
        await Send(ws, "hold");
        Assert.Equal("held", await Receive(ws)); // the section runs (500 ms): what arrives now waits for it
        await Send(ws, "a");
        await Send(ws, "b");
        await Send(ws, "log");
        Assert.Equal("""["section start","section end","message a","message b"]""", await Receive(ws));
    }

    /// <summary>
    /// A Worker that gets an object's WebSocket from stub.fetch() can accept() it and talk to the
    /// object itself, as on workerd: messages both ways, the object's writes before its answers, its
    /// close. wrangler dev gives the same answers (<c>bench/oracle.sh bench/oracle/do/ws-accept /talk /closed</c>).
    /// </summary>
    [Fact]
    public async Task AWorkerCanAcceptTheWebSocketAnObjectReturnedAndTalkToIt()
    {
        var dir = Path.Combine(RepoRoot.Path, "bench", "oracle", "do", "ws-accept");
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string>
        {
            ["wrangler.toml"] = File.ReadAllText(Path.Combine(dir, "wrangler.toml")),
            ["index.js"] = File.ReadAllText(Path.Combine(dir, "index.js")),
        }, isolates: 1);
        Assert.Equal("""{"log":[101,1],"messages":["echo one 1","echo bytes 3 2","close 4000 done"],"readyState":3}""", await w.GetStringAsync("/talk"));
        // The object hears the Worker's answer to its close a moment after the Worker's close event.
        await WaitUntil(async () => await w.GetStringAsync("/closed") != "null", "the object did not see its socket close");
        Assert.Equal("\"4000 done\"", await w.GetStringAsync("/closed"));
        // Twice: the second conversation continues the object's count.
        Assert.Contains("\"echo one 3\"", await w.GetStringAsync("/talk"));
    }

    [Fact]
    public async Task AnIdleHibernatedRoomCostsNoIsolateMemory()
    {
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string> { ["wrangler.toml"] = Toml, ["index.js"] = Worker },
            isolates: 1, durableObjects: new DurableObjectOptions { HibernationTimeout = TimeSpan.FromMilliseconds(300) });
        var directory = w.Server.Registry.DurableObjects!;
        // Warm up with the same load in another room: its code compiled and optimized, then hibernated.
        var warm = new List<ClientWebSocket>();
        for (var i = 0; i < 50; i++) warm.Add(await JoinRoom(w, "warm", "w" + i));
        await Send(warm[0], "warming");
        foreach (var c in warm) Assert.StartsWith("w0: warming", await Receive(c));
        var isolate0 = directory.LiveActors().Single().Isolate;
        await WaitUntil(() => directory.LiveActors().Count == 0, "the warm-up room did not hibernate");
        var before = await isolate0.HeapUsedAfterCollectionAsync();

        var clients = new List<ClientWebSocket>();
        for (var i = 0; i < 50; i++) clients.Add(await Join(w, "c" + i));
        await Send(clients[0], "hello");
        foreach (var c in clients) Assert.StartsWith("c0: hello", await Receive(c));
        var isolate = directory.LiveActors().Single().Isolate;
        var live = await isolate.HeapUsedAfterCollectionAsync();
        await WaitUntil(() => directory.LiveActors().Count == 0, "the room did not hibernate");
        var hibernated = await isolate.HeapUsedAfterCollectionAsync();
        // Nothing of the room stays in the isolate: its instance, state and 50 WebSocket objects are gone.
        Console.WriteLine($"V8 heap after a full collection: before the room {before / 1024} KiB, live with 50 clients {live / 1024} KiB, hibernated with them {hibernated / 1024} KiB");
        Assert.True(live - hibernated > 20 * 1024, $"the live room should cost memory: live {live}, hibernated {hibernated}");
        // What stays is the isolate's own growth from serving a second room (code, feedback, the id's
        // strings), a few KiB that GC timing moves about; the room's objects are most of the live cost.
        Assert.True(hibernated - before < (live - before) / 3, $"the hibernated room still costs {hibernated - before} of its {live - before} bytes of V8 heap (before {before}, live {live}, hibernated {hibernated})");
        // Its clients are still connected: a message wakes it.
        await Send(clients[7], "awake?");
        Assert.StartsWith("c7: awake?", await Receive(clients[3]));
        foreach (var c in clients.Concat(warm)) c.Dispose();
    }

    private static async Task WaitUntil(Func<bool> condition, string what) => await WaitUntil(() => Task.FromResult(condition()), what);

    private static async Task WaitUntil(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail(what);
            await Task.Delay(50);
        }
    }
}
