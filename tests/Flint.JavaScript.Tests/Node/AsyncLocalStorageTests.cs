using System.Text.Json;
using Flint.JavaScript.Tests.Support;

namespace Flint.JavaScript.Tests.Node;

/// <summary>
/// AsyncLocalStorage as workerd has it (bench/oracle/node/async-hooks-surface.json was recorded from
/// workerd 1.20261117.1): the store follows await, promise reactions, queueMicrotask and timers, and
/// concurrent requests keep their own.
/// </summary>
public class AsyncLocalStorageTests
{
    private static readonly (string, string[]) NodeCompat = ("2026-11-01", ["nodejs_compat"]);

    [Fact]
    public Task StoreFollowsAsyncWork() => JsChecks.RunAsync("""
        import { AsyncLocalStorage, AsyncResource } from "node:async_hooks";
        const als = new AsyncLocalStorage();
        check("run returns, passes arguments, nests and exits", () => {
          eq(als.run(5, (a, b) => [als.getStore(), a, b], 1, 2), [5, 1, 2]);
          eq(als.run(1, () => als.run(2, () => als.getStore())), 2);
          eq(als.run(1, () => als.exit(() => als.getStore())), undefined);
          eq(als.getStore(), undefined);
        });
        check("await, then, queueMicrotask, timers, Promise.all", async () => {
          const seen = await als.run("a", async () => {
            const out = [];
            await null; out.push(als.getStore());
            await new Promise((r) => setTimeout(r, 1)); out.push(als.getStore());
            await new Promise((r) => queueMicrotask(() => { out.push(als.getStore()); r(); }));
            await Promise.resolve().then(() => out.push(als.getStore()));
            const all = await Promise.all([1, 2].map(async () => { await null; return als.getStore(); }));
            out.push(...all);
            await new Promise((r) => setTimeout(() => { out.push(als.getStore()); r(); }, 0));
            return out;
          });
          eq(seen, ["a", "a", "a", "a", "a", "a", "a"]);
        });
        check("interleaved runs keep their own store", async () => {
          const work = (name) => als.run(name, async () => { await new Promise((r) => setTimeout(r, name === "x" ? 5 : 1)); await null; return als.getStore(); });
          eq(await Promise.all([work("x"), work("y"), work("z")]), ["x", "y", "z"]);
        });
        check("two storages are independent", () => {
          const other = new AsyncLocalStorage();
          eq(als.run(1, () => other.run(2, () => [als.getStore(), other.getStore()])), [1, 2]);
        });
        check("snapshot, bind, AsyncResource", () => {
          const snap = als.run("s", () => AsyncLocalStorage.snapshot());
          eq(snap(() => als.getStore()), "s");
          const bound = als.run("b", () => AsyncLocalStorage.bind(() => als.getStore()));
          eq(bound(), "b");
          const res = als.run("r", () => new AsyncResource("X"));
          eq(res.runInAsyncScope(() => als.getStore()), "r");
          eq(typeof res.asyncId(), "number");
        });
        check("workerd's errors", () => {
          throws(() => als.enterWith(1), "Error", "asyncLocalStorage.enterWith() is not implemented");
          throws(() => als.disable(), "Error", "asyncLocalStorage.disable() is not implemented");
          throws(() => als.run(1), "TypeError", "Failed to execute 'run' on 'AsyncLocalStorage': parameter 2 is not of type 'function'.");
        });
        check("surface", () => {
          eq(Object.getOwnPropertyNames(AsyncLocalStorage).sort(), ["bind", "length", "name", "prototype", "snapshot"]);
          for (const m of ["run", "exit", "getStore", "enterWith", "disable", "name"]) ok(m in AsyncLocalStorage.prototype, m);
        });
        """, compatibility: NodeCompat);

    [Fact]
    public async Task ConcurrentRequestsSeeTheirOwnStore()
    {
        using var worker = new TestWorker("""
            import { AsyncLocalStorage } from "node:async_hooks";
            const als = new AsyncLocalStorage();
            export default {
              fetch(request) {
                const id = new URL(request.url).searchParams.get("id");
                return als.run(id, async () => {
                  await new Promise((r) => setTimeout(r, 20 - Number(id)));
                  await fetchless();
                  return new Response(`${id}=${als.getStore()}`);
                });
              },
            };
            async function fetchless() { await null; await new Promise((r) => setTimeout(r, 1)); }
            """, compatibility: ("2024-01-01", ["nodejs_als"]));
        var responses = await Task.WhenAll(Enumerable.Range(1, 10).Select(i => worker.FetchAsync($"http://x/?id={i}")));
        Assert.Equal(Enumerable.Range(1, 10).Select(i => $"{i}={i}"), responses.Select(r => r.Text));
    }

    [Fact]
    public async Task ModulesNeedTheirFlagsAsInWorkerd()
    {
        const string probe = """
            export default {
              async fetch() {
                const out = {};
                for (const m of ["node:buffer", "buffer", "node:nope", "node:async_hooks", "node-internal:bridge"]) {
                  try { const ns = await import(m); out[m] = "ok"; } catch (e) { out[m] = `${e.name}: ${e.message}`; }
                }
                return Response.json(out);
              },
            };
            """;
        // Recorded from workerd 1.20261117.1 with the same flags.
        var cases = new (string Date, string[] Flags, string Expected)[]
        {
            ("2024-01-01", [], """{"node:buffer":"Error: No such module \"node:buffer\".","buffer":"Error: No such module \"buffer\".","node:nope":"Error: No such module \"node:nope\".","node:async_hooks":"Error: No such module \"node:async_hooks\".","node-internal:bridge":"Error: No such module \"node-internal:bridge\"."}"""),
            ("2024-01-01", ["nodejs_als"], """{"node:buffer":"Error: No such module \"node:buffer\".","buffer":"Error: No such module \"buffer\".","node:nope":"Error: No such module \"node:nope\".","node:async_hooks":"ok","node-internal:bridge":"Error: No such module \"node-internal:bridge\"."}"""),
            ("2024-01-01", ["nodejs_compat"], """{"node:buffer":"ok","buffer":"Error: No such module \"buffer\".","node:nope":"Error: No such module \"node:nope\".","node:async_hooks":"ok","node-internal:bridge":"Error: No such module \"node-internal:bridge\"."}"""),
            ("2025-01-01", ["nodejs_compat"], """{"node:buffer":"ok","buffer":"ok","node:nope":"Error: No such module \"node:nope\".","node:async_hooks":"ok","node-internal:bridge":"Error: No such module \"node-internal:bridge\"."}"""),
        };
        foreach (var (date, flags, expected) in cases)
        {
            using var worker = new TestWorker(probe, compatibility: (date, flags));
            var actual = JsonDocument.Parse((await worker.FetchAsync()).Text).RootElement;
            foreach (var property in JsonDocument.Parse(expected).RootElement.EnumerateObject())
            {
                // Flint adds a line on where a bare name was looked for; the first line is workerd's.
                var got = actual.GetProperty(property.Name).GetString()!.Split('\n')[0];
                Assert.True(property.Value.GetString() == got, $"{date} [{string.Join(",", flags)}] {property.Name}: expected {property.Value} but got {got}");
            }
        }
    }

    [Fact]
    public async Task GlobalsFollowNodejsCompatV2()
    {
        const string probe = """
            export default { fetch() { return Response.json([typeof Buffer, typeof process, typeof global, Object.keys(globalThis).includes("Buffer")]); } };
            """;
        using (var v1 = new TestWorker(probe, compatibility: ("2024-09-01", ["nodejs_compat"])))
            Assert.Equal("""["undefined","undefined","undefined",false]""", (await v1.FetchAsync()).Text);
        using (var v2 = new TestWorker(probe, compatibility: ("2024-09-23", ["nodejs_compat"])))
            Assert.Equal("""["function","object","object",true]""", (await v2.FetchAsync()).Text);
        using (var byDate = new TestWorker(probe, compatibility: ("2026-11-01", [])))
            Assert.Equal("""["function","object","object",true]""", (await byDate.FetchAsync()).Text);
    }
}
