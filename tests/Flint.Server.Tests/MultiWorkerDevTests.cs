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
}
