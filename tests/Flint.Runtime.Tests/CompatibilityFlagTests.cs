using System.Text.Json.Nodes;
using Flint.Runtime.Tests.Support;

namespace Flint.Runtime.Tests;

/// <summary>Service-binding and RPC behaviours that Cloudflare switches by compatibility date or flag.</summary>
public sealed class CompatibilityFlagTests
{
    private const string Callee = """
        import { WorkerEntrypoint } from "cloudflare:workers";
        export default class extends WorkerEntrypoint {
          add(a, b) { return a + b; }
          async use(increment) { return await increment(); }
          newCounter() { let n = 0; return { increment: () => ++n }; }
          fetch(request) { return new Response(`${request.method} ${new URL(request.url).pathname}`); }
        }
        """;

    private const string Caller = """
        export default {
          async fetch(request, env) {
            const out = { addType: typeof env.SVC.add, getType: typeof env.SVC.get };
            if (out.addType === "undefined" && out.getType === "function") out.get = await (await env.SVC.get("http://svc/legacy")).text();
            if (out.addType === "function") {
              const counter = await env.SVC.newCounter();
              out.used = await env.SVC.use(counter.increment);
              try { out.afterSend = await counter.increment(); } catch (e) { out.afterSend = `${e.name}: ${e.message}`; }
            }
            return Response.json(out);
          }
        }
        """;

    private static async Task<JsonNode> RunAsync(string date, string flags = "[]")
    {
        await using var rt = await TestRuntime.StartAsync(new Dictionary<string, IDictionary<string, string>>
        {
            ["caller"] = new Dictionary<string, string>
            {
                ["wrangler.toml"] = $"name = \"caller\"\nmain = \"index.js\"\ncompatibility_date = \"{date}\"\ncompatibility_flags = {flags}\nservices = [{{ binding = \"SVC\", service = \"callee\" }}]\n",
                ["index.js"] = Caller,
            },
            ["callee"] = new Dictionary<string, string> { ["index.js"] = Callee },
        });
        var (status, body, _) = await rt.FetchAsync("caller");
        Assert.True(status == 200, body + rt.Logs.All);
        return JsonNode.Parse(body)!;
    }

    [Fact]
    public async Task BeforeRpcAFetcherHasGetPutDeleteAndNoRpcMethods()
    {
        var old = await RunAsync("2024-01-01");
        Assert.Equal("undefined", old["addType"]!.GetValue<string>());
        Assert.Equal("function", old["getType"]!.GetValue<string>());
        Assert.Equal("GET /legacy", old["get"]!.GetValue<string>());
        // The flag turns RPC on before its date; its opposite turns it off after.
        Assert.Equal("function", (await RunAsync("2024-01-01", "[\"rpc\"]"))["addType"]!.GetValue<string>());
        Assert.Equal("undefined", (await RunAsync("2025-11-01", "[\"no_rpc\"]"))["addType"]!.GetValue<string>());
    }

    [Fact]
    public async Task StubsSentAsParametersMoveUntilRpcParamsDupStubs()
    {
        var moved = await RunAsync("2025-11-01");
        Assert.Equal("function", moved["getType"]!.GetValue<string>()); // an RPC method now, not fetch's shorthand
        Assert.Equal(1, moved["used"]!.GetValue<int>());
        Assert.Equal("Error: RPC stub used after being disposed.", moved["afterSend"]!.GetValue<string>());

        var kept = await RunAsync("2026-01-20");
        Assert.Equal(1, kept["used"]!.GetValue<int>());
        Assert.Equal(2, kept["afterSend"]!.GetValue<int>());
        Assert.Equal(2, (await RunAsync("2025-11-01", "[\"rpc_params_dup_stubs\"]"))["afterSend"]!.GetValue<int>());
    }
}
