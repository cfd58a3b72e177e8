using Flint.Runtime.Tests.Support;

namespace Flint.Runtime.Tests;

public sealed class DurableObjectSmokeTests
{
    internal const string Toml = """
        name = "app"
        main = "index.js"
        compatibility_date = "2025-11-01"
        [[durable_objects.bindings]]
        name = "COUNTER"
        class_name = "Counter"
        [[migrations]]
        tag = "v1"
        new_sqlite_classes = ["Counter"]
        """;

    [Fact]
    public async Task CounterCountsThroughFetchAndRpc()
    {
        await using var rt = await TestRuntime.StartAsync(new Dictionary<string, IDictionary<string, string>>
        {
            ["app"] = new Dictionary<string, string>
            {
                ["wrangler.toml"] = Toml,
                ["index.js"] = """
                    import { DurableObject } from "cloudflare:workers";
                    export class Counter extends DurableObject {
                      async increment(by) { const n = ((await this.ctx.storage.get("n")) ?? 0) + by; await this.ctx.storage.put("n", n); return n; }
                      async fetch(request) { return new Response(String(await this.increment(1))); }
                    }
                    export default {
                      async fetch(request, env) {
                        const stub = env.COUNTER.getByName("a");
                        const url = new URL(request.url);
                        if (url.pathname === "/rpc") return new Response(String(await stub.increment(10)));
                        return stub.fetch(request);
                      }
                    };
                    """,
            },
        });
        var (s1, b1, _) = await rt.FetchAsync("app", "/");
        Assert.True(s1 == 200, b1 + rt.Logs.All);
        Assert.Equal("1", b1);
        Assert.Equal("11", (await rt.FetchAsync("app", "/rpc")).Body);
        Assert.Equal("12", (await rt.FetchAsync("app", "/")).Body);
    }
}
