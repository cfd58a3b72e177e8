using System.Text.Json.Nodes;
using Flint.Runtime.Tests.Support;

namespace Flint.Runtime.Tests;

/// <summary>JavaScript RPC between Workers in one runtime: pipelining, stub lifetimes, three Workers, reloads, limits.</summary>
public sealed class RpcTests
{
    private static string Toml(string name, string services = "") =>
        $"name = \"{name}\"\nmain = \"index.js\"\ncompatibility_date = \"2025-11-01\"\n{services}";

    private static string Bind(params (string Binding, string Service)[] services) =>
        "services = [" + string.Join(", ", services.Select(s => $"{{ binding = \"{s.Binding}\", service = \"{s.Service}\" }}")) + "]\n";

    private const string CounterService = """
        import { WorkerEntrypoint, RpcTarget } from "cloudflare:workers";
        const log = [];
        class Counter extends RpcTarget {
          #n = 0;
          constructor(name) { super(); this.name = name; }
          increment(by = 1) { this.#n += by; return { n: this.#n, at: Date.now() }; }
          [Symbol.dispose]() { log.push("disposed " + this.name); }
        }
        export default class extends WorkerEntrypoint {
          getCounter(name = "c") { return new Counter(name); }
          log() { return log; }
          async keep(fn) { globalThis.kept = fn; return await fn(1); }
          async keepDup(fn) { globalThis.kept = fn.dup(); return await fn(1); }
          async callKept() { return await globalThis.kept(2); }
          spin() { for (;;) {} }
        }
        """;

    [Fact]
    public async Task PipelinedCallRunsInTheCalleeBeforeTheCallerSeesTheFirstResult()
    {
        // The caller sends getCounter() and increment() on its promise, then keeps its own thread busy.
        // Pipelined, increment runs in the callee meanwhile; resolved by the caller it would wait for the spin.
        await using var rt = await TestRuntime.StartAsync(new Dictionary<string, IDictionary<string, string>>
        {
            ["caller"] = new Dictionary<string, string>
            {
                ["wrangler.toml"] = Toml("caller", Bind(("SVC", "counter"))),
                ["index.js"] = """
                    export default {
                      async fetch(request, env) {
                        const t0 = Date.now();
                        using counter = env.SVC.getCounter();
                        const result = counter.increment(5);
                        const end = Date.now() + 800;
                        while (Date.now() < end) {}
                        const { n, at } = await result;
                        return Response.json({ n, ranAfter: at - t0, spin: 800 });
                      }
                    }
                    """,
            },
            ["counter"] = new Dictionary<string, string> { ["index.js"] = CounterService },
        });
        var (status, body, _) = await rt.FetchAsync("caller");
        Assert.Equal(200, status);
        var answer = JsonNode.Parse(body)!;
        Assert.Equal(5, answer["n"]!.GetValue<int>());
        Assert.True(answer["ranAfter"]!.GetValue<int>() < 600, $"increment ran {answer["ranAfter"]} ms after the call, after the caller's 800 ms spin: not pipelined");
    }

    [Fact]
    public async Task StubLifetimesFollowCloudflares()
    {
        await using var rt = await TestRuntime.StartAsync(new Dictionary<string, IDictionary<string, string>>
        {
            ["caller"] = new Dictionary<string, string>
            {
                ["wrangler.toml"] = Toml("caller", Bind(("SVC", "counter"))),
                ["index.js"] = """
                    let stale;
                    const wait = (ms) => new Promise((r) => setTimeout(r, ms));
                    export default {
                      async fetch(request, env) {
                        const path = new URL(request.url).pathname;
                        const out = {};
                        if (path === "/dup") {
                          const a = await env.SVC.getCounter("a");
                          const b = a.dup();
                          a[Symbol.dispose]();
                          await wait(50);
                          out.afterFirst = await env.SVC.log();
                          out.stillWorks = (await b.increment()).n;
                          try { await a.increment(); } catch (e) { out.disposedUse = `${e.name}: ${e.message}`; }
                          b[Symbol.dispose]();
                          await wait(50);
                          out.afterBoth = await env.SVC.log();
                          {
                            using c = await env.SVC.getCounter("using");
                            await c.increment();
                          }
                          await wait(50);
                          out.afterUsing = await env.SVC.log();
                        } else if (path === "/params") {
                          out.first = await env.SVC.keep((x) => x * 10);
                          try { await env.SVC.callKept(); } catch (e) { out.keptWithoutDup = `${e.name}: ${e.message}`; }
                          out.dupFirst = await env.SVC.keepDup((x) => x * 100);
                          out.keptWithDup = await env.SVC.callKept();
                        } else if (path === "/keep") {
                          stale = await env.SVC.getCounter("stale");
                          out.n = (await stale.increment()).n;
                        } else if (path === "/stale") {
                          try { await stale.increment(); out.stale = "worked"; } catch (e) { out.stale = `${e.name}: ${e.message}`; }
                          out.log = await env.SVC.log();
                        }
                        return Response.json(out);
                      }
                    }
                    """,
            },
            ["counter"] = new Dictionary<string, string> { ["index.js"] = CounterService },
        });
        var dup = JsonNode.Parse((await rt.FetchAsync("caller", "/dup")).Body)!;
        Assert.Equal("[]", dup["afterFirst"]!.ToJsonString());
        Assert.Equal(1, dup["stillWorks"]!.GetValue<int>());
        Assert.Equal("Error: RPC stub used after being disposed.", dup["disposedUse"]!.GetValue<string>());
        Assert.Equal("[\"disposed a\"]", dup["afterBoth"]!.ToJsonString());
        Assert.Equal("[\"disposed a\",\"disposed using\"]", dup["afterUsing"]!.ToJsonString());

        // Stubs received as parameters are disposed when the call returns, unless dup()'d.
        var parameters = JsonNode.Parse((await rt.FetchAsync("caller", "/params")).Body)!;
        Assert.Equal(10, parameters["first"]!.GetValue<int>());
        Assert.Equal("Error: RPC stub used after being disposed.", parameters["keptWithoutDup"]!.GetValue<string>());
        Assert.Equal(100, parameters["dupFirst"]!.GetValue<int>());
        Assert.Equal(200, parameters["keptWithDup"]!.GetValue<int>());

        // A stub lives as long as the event that received it: the next request cannot use it, and the callee's object is let go.
        Assert.Equal(1, JsonNode.Parse((await rt.FetchAsync("caller", "/keep")).Body)!["n"]!.GetValue<int>());
        await Task.Delay(100);
        var stale = JsonNode.Parse((await rt.FetchAsync("caller", "/stale")).Body)!;
        Assert.Equal("Error: RPC stub used after being disposed.", stale["stale"]!.GetValue<string>());
        Assert.Contains("disposed stale", stale["log"]!.ToJsonString());
    }

    [Fact]
    public async Task StubPassedOnToAThirdWorkerCallsBackIntoItsHome()
    {
        await using var rt = await TestRuntime.StartAsync(new Dictionary<string, IDictionary<string, string>>
        {
            ["a"] = new Dictionary<string, string>
            {
                ["wrangler.toml"] = Toml("a", Bind(("B", "b"), ("C", "c"))),
                ["index.js"] = """
                    export default {
                      async fetch(request, env) {
                        using counter = await env.B.getCounter("shared");
                        await counter.increment(1);
                        const viaC = await env.C.useCounter(counter.dup());
                        const local = await env.C.callBack((x) => `a saw ${x}`);
                        return Response.json({ viaC, after: (await counter.increment(0)).n, local });
                      }
                    }
                    """,
            },
            ["b"] = new Dictionary<string, string> { ["index.js"] = CounterService },
            ["c"] = new Dictionary<string, string>
            {
                ["index.js"] = """
                    import { WorkerEntrypoint } from "cloudflare:workers";
                    export default class extends WorkerEntrypoint {
                      async useCounter(counter) { return (await counter.increment(10)).n; }
                      async callBack(fn) { return await fn("from c"); }
                    }
                    """,
            },
        });
        var (status, body, _) = await rt.FetchAsync("a");
        Assert.True(status == 200, body + rt.Logs.All);
        var answer = JsonNode.Parse(body)!;
        Assert.Equal(11, answer["viaC"]!.GetValue<int>());
        Assert.Equal(11, answer["after"]!.GetValue<int>());
        Assert.Equal("a saw from c", answer["local"]!.GetValue<string>());
    }

    [Fact]
    public async Task WorkersThatBindEachOtherCallBackAndForth()
    {
        await using var rt = await TestRuntime.StartAsync(new Dictionary<string, IDictionary<string, string>>
        {
            ["ping"] = new Dictionary<string, string>
            {
                ["wrangler.toml"] = Toml("ping", Bind(("PONG", "pong"))),
                ["index.js"] = """
                    import { WorkerEntrypoint } from "cloudflare:workers";
                    export default class extends WorkerEntrypoint {
                      async fetch() { return new Response(await this.env.PONG.ping(3)); }
                      async pong(n) { return n === 0 ? "done" : `ping${n} ` + await this.env.PONG.ping(n - 1); }
                    }
                    """,
            },
            ["pong"] = new Dictionary<string, string>
            {
                ["wrangler.toml"] = Toml("pong", Bind(("PING", "ping"))),
                ["index.js"] = """
                    import { WorkerEntrypoint } from "cloudflare:workers";
                    export default class extends WorkerEntrypoint {
                      async ping(n) { return `pong${n} ` + await this.env.PING.pong(n); }
                    }
                    """,
            },
        });
        var (status, body, _) = await rt.FetchAsync("ping");
        Assert.Equal(200, status);
        Assert.Equal("pong3 ping3 pong2 ping2 pong1 ping1 pong0 done", body);
    }

    [Fact]
    public async Task CallsFindTheCalleesNewVersionAfterItReloads()
    {
        await using var rt = await TestRuntime.StartAsync(new Dictionary<string, IDictionary<string, string>>
        {
            ["caller"] = new Dictionary<string, string>
            {
                ["wrangler.toml"] = Toml("caller", Bind(("SVC", "callee"))),
                ["index.js"] = "export default { async fetch(r, env) { return new Response(await env.SVC.version()); } };",
            },
            ["callee"] = new Dictionary<string, string>
            {
                ["index.js"] = "import { WorkerEntrypoint } from \"cloudflare:workers\";\nexport default class extends WorkerEntrypoint { version() { return \"v1\"; } }",
            },
        });
        Assert.Equal("v1", (await rt.FetchAsync("caller")).Body);
        var callee = rt.Worker("callee");
        var config = callee.Current.Config;
        File.WriteAllText(config.Main, "import { WorkerEntrypoint } from \"cloudflare:workers\";\nexport default class extends WorkerEntrypoint { version() { return \"v2\"; } }");
        callee.Swap(await Flint.Runtime.Workers.WorkerVersion.LoadAsync(config, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance,
            new Flint.Engine.Storage.LocalData(config.PersistDirectory), 1, registry: rt.Registry));
        Assert.Equal("v2", (await rt.FetchAsync("caller")).Body);
    }

    [Fact]
    public async Task StreamsCrossInBothDirectionsInChunks()
    {
        await using var rt = await TestRuntime.StartAsync(new Dictionary<string, IDictionary<string, string>>
        {
            ["caller"] = new Dictionary<string, string>
            {
                ["wrangler.toml"] = Toml("caller", Bind(("SVC", "callee"))),
                ["index.js"] = """
                    function source(chunks, size) {
                      let i = 0;
                      return new ReadableStream({ type: "bytes", pull(c) { if (i++ < chunks) c.enqueue(new Uint8Array(size).fill(i % 256)); else c.close(); } });
                    }
                    export default {
                      async fetch(request, env) {
                        const sent = await env.SVC.count(source(64, 65536));
                        const back = await env.SVC.make(32, 32768);
                        let received = 0, chunks = 0;
                        for await (const chunk of back) { received += chunk.byteLength; chunks++; }
                        const upload = await env.SVC.fetch("http://callee/echo", { method: "PUT", body: source(40, 65536), duplex: "half" });
                        const echoed = (await upload.arrayBuffer()).byteLength;
                        return Response.json({ sent, received, chunks: chunks > 1, echoed });
                      }
                    }
                    """,
            },
            ["callee"] = new Dictionary<string, string>
            {
                ["index.js"] = """
                    import { WorkerEntrypoint } from "cloudflare:workers";
                    export default class extends WorkerEntrypoint {
                      async count(stream) { let n = 0; for await (const c of stream) n += c.byteLength; return n; }
                      make(chunks, size) {
                        let i = 0;
                        return new ReadableStream({ type: "bytes", pull(c) { if (i++ < chunks) c.enqueue(new Uint8Array(size)); else c.close(); } });
                      }
                      fetch(request) { return new Response(request.body); }
                    }
                    """,
            },
        });
        var (status, body, _) = await rt.FetchAsync("caller");
        Assert.True(status == 200, body + rt.Logs.All);
        var answer = JsonNode.Parse(body)!;
        Assert.Equal(64 * 65536, answer["sent"]!.GetValue<int>());
        Assert.Equal(32 * 32768, answer["received"]!.GetValue<int>());
        Assert.True(answer["chunks"]!.GetValue<bool>());
        Assert.Equal(40 * 65536, answer["echoed"]!.GetValue<int>());
    }

    /// <summary>
    /// A stream an RPC call returns lasts with the call, as on wrangler dev: its pulls may wait on
    /// timers, even once the caller has passed it on as its response body and is done itself
    /// (checked on wrangler dev: five ticks both ways). It hung here: the caller's end cancelled the
    /// call's timers.
    /// </summary>
    [Fact]
    public async Task AStreamAnRpcCallReturnsMayWaitOnTimersAfterTheCallerPassedItOn()
    {
        await using var rt = await TestRuntime.StartAsync(new Dictionary<string, IDictionary<string, string>>
        {
            ["caller"] = new Dictionary<string, string>
            {
                ["wrangler.toml"] = Toml("caller", Bind(("SVC", "callee"))),
                ["index.js"] = """
                    export default {
                      async fetch(request, env) {
                        const stream = await env.SVC.ticking(5);
                        if (new URL(request.url).pathname === "/read") return new Response(await new Response(stream).text());
                        return new Response(stream);
                      }
                    }
                    """,
            },
            ["callee"] = new Dictionary<string, string>
            {
                ["index.js"] = """
                    import { WorkerEntrypoint } from "cloudflare:workers";
                    export default class extends WorkerEntrypoint {
                      ticking(n) {
                        let i = 0;
                        return new ReadableStream({
                          async pull(c) {
                            await new Promise((r) => setTimeout(r, 20));
                            c.enqueue(new TextEncoder().encode(`tick ${i}\n`));
                            if (++i === n) c.close();
                          },
                        });
                      }
                    }
                    """,
            },
        });
        const string Ticks = "tick 0\ntick 1\ntick 2\ntick 3\ntick 4\n";
        foreach (var path in new[] { "/read", "/" })
        {
            var (status, body, _) = await rt.FetchAsync("caller", path).WaitAsync(TimeSpan.FromSeconds(15));
            Assert.True(status == 200, body + rt.Logs.All);
            Assert.Equal(Ticks, body);
        }
    }

    [Fact]
    public async Task CalleeThatRunsOutOfCpuFailsTheCallAndRecovers()
    {
        await using var rt = await TestRuntime.StartAsync(new Dictionary<string, IDictionary<string, string>>
        {
            ["caller"] = new Dictionary<string, string>
            {
                ["wrangler.toml"] = Toml("caller", Bind(("SVC", "counter"))),
                ["index.js"] = """
                    export default {
                      async fetch(request, env) {
                        let spin;
                        try { await env.SVC.spin(); spin = "returned"; } catch (e) { spin = `${e.name}: ${e.message}`; }
                        using c = await env.SVC.getCounter();
                        return Response.json({ spin, after: (await c.increment()).n });
                      }
                    }
                    """,
            },
            ["counter"] = new Dictionary<string, string>
            {
                ["wrangler.toml"] = Toml("counter") + "[limits]\ncpu_ms = 100\n",
                ["index.js"] = CounterService,
            },
        });
        var answer = JsonNode.Parse((await rt.FetchAsync("caller")).Body)!;
        Assert.Equal("Error: Worker exceeded CPU time limit.", answer["spin"]!.GetValue<string>());
        Assert.Equal(1, answer["after"]!.GetValue<int>());
    }
}
