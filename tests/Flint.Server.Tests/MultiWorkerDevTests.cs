using System.Net;
using Flint.Server.Tests.Support;

namespace Flint.Server.Tests;

/// <summary><c>flint dev -c a -c b</c>: several Workers in one session, the first served, each reloading on its own.</summary>
public sealed class MultiWorkerDevTests
{
    private static string WriteWorker(string root, string name, string toml, string code)
    {
        var dir = Path.Combine(root, name);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "wrangler.toml"), toml);
        File.WriteAllText(Path.Combine(dir, "index.js"), code);
        return dir;
    }

    [Fact]
    public async Task FirstConfigIsServedAndReachesTheOthersThroughBindingsEachReloadingOnItsOwn()
    {
        var root = Directory.CreateTempSubdirectory("flint-multi-").FullName;
        var gateway = WriteWorker(root, "gateway", """
            name = "gateway"
            main = "index.js"
            compatibility_date = "2025-11-01"
            services = [{ binding = "USERS", service = "users" }, { binding = "AUTH", service = "auth", entrypoint = "Auth", props = { tenant = "t1" } }]
            """, """
            export default {
              async fetch(request, env) {
                const user = await (await env.USERS.fetch(new Request("http://users/u/7", { headers: { "x-from": "gateway" } }))).text();
                const who = await env.AUTH.whoami();
                return new Response(`${user} | ${who}`);
              }
            }
            """);
        var users = WriteWorker(root, "users", "name = \"users\"\nmain = \"index.js\"\ncompatibility_date = \"2025-11-01\"\n",
            "export default { fetch(r) { return new Response(`users v1 ${new URL(r.url).pathname} ${r.headers.get('x-from')}`); } };");
        var auth = WriteWorker(root, "auth", "name = \"auth\"\nmain = \"index.js\"\ncompatibility_date = \"2025-11-01\"\n", """
            import { WorkerEntrypoint } from "cloudflare:workers";
            export class Auth extends WorkerEntrypoint { whoami() { return `auth for ${this.ctx.props.tenant}`; } }
            export default { fetch() { return new Response("auth's own fetch"); } };
            """);
        await using var w = await RunningWorker.StartInAsync(gateway, watch: true, auxiliaryTargets: [users, auth]);
        Assert.Equal("users v1 /u/7 gateway | auth for t1", await w.GetStringAsync("/"));

        File.WriteAllText(Path.Combine(users, "index.js"), "export default { fetch(r) { return new Response(`users v2 ${new URL(r.url).pathname}`); } };");
        await w.Logs.WaitForAsync(l => l.Contains("Reloaded users"));
        Assert.Equal("users v2 /u/7 | auth for t1", await w.GetStringAsync("/"));
        Assert.DoesNotContain(w.Logs.Lines, l => l.Contains("Reloaded gateway") || l.Contains("Reloaded auth"));
        Directory.Delete(root, true);
    }

    [Fact]
    public async Task CallingAWorkerThatIsNotRunningGivesWranglersErrorAndNamesTheConfigToAdd()
    {
        var root = Directory.CreateTempSubdirectory("flint-multi-").FullName;
        var caller = WriteWorker(root, "caller", """
            name = "caller"
            main = "index.js"
            compatibility_date = "2025-11-01"
            services = [{ binding = "BILLING", service = "billing" }]
            """, """
            export default {
              async fetch(request, env) {
                const r = await env.BILLING.fetch("http://billing/");
                let rpc;
                try { await env.BILLING.charge(1); rpc = "no error"; } catch (e) { rpc = `${e.name}: ${e.message}`; }
                return Response.json({ status: r.status, body: await r.text(), rpc });
              }
            }
            """);
        // A config for "billing" sits beside the caller's, not passed with -c.
        WriteWorker(root, "billing-service", "name = \"billing\"\nmain = \"index.js\"\ncompatibility_date = \"2025-11-01\"\n", "export default {}");
        await using var w = await RunningWorker.StartInAsync(caller);
        var answer = System.Text.Json.Nodes.JsonNode.Parse(await w.GetStringAsync("/"))!;
        Assert.Equal(503, answer["status"]!.GetValue<int>());
        Assert.Equal("Worker \"billing\" not found. Make sure it is running locally.", answer["body"]!.GetValue<string>());
        Assert.Equal("Error: Worker \"billing\" not found. Make sure it is running locally.", answer["rpc"]!.GetValue<string>());
        var hint = await w.Logs.WaitForAsync(l => l.Contains("env.BILLING") && l.Contains("-c"));
        Assert.Contains(Path.Combine("billing-service", "wrangler.toml"), hint);
        Directory.Delete(root, true);
    }

    /// <summary>A gateway that proxies a WebSocket to another Worker, and one that accept()s it and relays (the same answers as wrangler dev).</summary>
    [Theory]
    [InlineData("/ws", "echo hi|echo bye")]
    [InlineData("/ws-accept", "via gw: echo hi|via gw: echo bye")]
    public async Task AWebSocketAnswerCrossesAServiceBinding(string path, string expected)
    {
        var root = Directory.CreateTempSubdirectory("flint-multi-").FullName;
        var gateway = WriteWorker(root, "gw", """
            name = "gw"
            main = "index.js"
            compatibility_date = "2025-11-01"
            services = [{ binding = "BE", service = "be" }]
            """, """
            export default {
              async fetch(request, env) {
                if (new URL(request.url).pathname === "/ws") return env.BE.fetch(request);
                const answer = await env.BE.fetch(request);
                const upstream = answer.webSocket;
                upstream.accept();
                const [client, server] = Object.values(new WebSocketPair());
                server.accept();
                upstream.addEventListener("message", (e) => server.send("via gw: " + e.data));
                upstream.addEventListener("close", (e) => server.close(e.code, e.reason));
                server.addEventListener("message", (e) => upstream.send(e.data));
                return new Response(null, { status: 101, webSocket: client });
              }
            }
            """);
        var backend = WriteWorker(root, "be", "name = \"be\"\nmain = \"index.js\"\ncompatibility_date = \"2025-11-01\"\n", """
            export default {
              fetch(request) {
                if (request.headers.get("Upgrade") !== "websocket") return new Response("be");
                const [client, server] = Object.values(new WebSocketPair());
                server.accept();
                server.addEventListener("message", (e) => { server.send("echo " + e.data); if (e.data === "bye") server.close(1000, "ok"); });
                return new Response(null, { status: 101, webSocket: client });
              }
            }
            """);
        await using var w = await RunningWorker.StartInAsync(gateway, auxiliaryTargets: [backend]);
        using var ws = new System.Net.WebSockets.ClientWebSocket();
        await ws.ConnectAsync(new Uri(w.Url.ToString().Replace("http://", "ws://") + path.TrimStart('/')), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15));
        foreach (var text in new[] { "hi", "bye" })
            await ws.SendAsync(System.Text.Encoding.UTF8.GetBytes(text), System.Net.WebSockets.WebSocketMessageType.Text, true, CancellationToken.None);
        var got = new List<string>();
        var buffer = new byte[1024];
        while (true)
        {
            var r = await ws.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15));
            if (r.MessageType == System.Net.WebSockets.WebSocketMessageType.Close) break;
            got.Add(System.Text.Encoding.UTF8.GetString(buffer, 0, r.Count));
        }
        Assert.Equal(expected, string.Join("|", got));
        Assert.Equal(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, ws.CloseStatus);
        Assert.Equal("ok", ws.CloseStatusDescription);
        Directory.Delete(root, true);
    }
}
