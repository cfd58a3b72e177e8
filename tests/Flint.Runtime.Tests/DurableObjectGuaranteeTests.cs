using System.Diagnostics;
using System.Text.Json.Nodes;
using Flint.Engine.Config;
using Flint.Runtime.DurableObjects;
using Flint.Runtime.Tests.Support;

namespace Flint.Runtime.Tests;

/// <summary>
/// Cloudflare's guarantees, on real isolates and SQLite files: one live instance per id running
/// every event in arrival order, the input gate held by blockConcurrencyWhile, writes of one turn
/// committed together, eviction and recreation, a reload stopping the old instance first, alarms
/// with their retries and across a restart, migrations.
/// </summary>
public sealed class DurableObjectGuaranteeTests
{
    private static string Toml(string classes = "Obj", string extra = "") => $"""
        name = "app"
        main = "index.js"
        compatibility_date = "2025-11-01"
        [[durable_objects.bindings]]
        name = "OBJ"
        class_name = "Obj"
        [[migrations]]
        tag = "v1"
        new_sqlite_classes = [{string.Join(", ", classes.Split(',').Select(c => $"\"{c.Trim()}\""))}]
        {extra}
        """;

    private const string Worker = """
        export default {
          async fetch(request, env) {
            const url = new URL(request.url);
            const stub = env.OBJ.getByName(url.searchParams.get("name") ?? "a");
            const method = url.pathname.slice(1);
            if (method === "fetch") return stub.fetch(request);
            const arg = url.searchParams.get("arg");
            try {
              return Response.json(await stub[method](arg === null ? undefined : JSON.parse(arg)));
            } catch (e) {
              return Response.json({ error: e.name, message: e.message, reset: e.durableObjectReset ?? false, retryable: e.retryable ?? false, remote: e.remote ?? false });
            }
          },
        };
        """;

    private static Task<TestRuntime> Start(string objectClass, DurableObjectOptions? options = null, string toml = "") =>
        TestRuntime.StartAsync(new Dictionary<string, IDictionary<string, string>>
        {
            ["app"] = new Dictionary<string, string>
            {
                ["wrangler.toml"] = toml.Length > 0 ? toml : Toml(),
                ["index.js"] = "import { DurableObject } from \"cloudflare:workers\";\nlet constructed = 0;\n" + objectClass + "\n" + Worker,
            },
        }, objects: options ?? new DurableObjectOptions());

    private static async Task<JsonNode?> Call(TestRuntime rt, string method, object? arg = null, string name = "a")
    {
        var query = $"?name={name}" + (arg is null ? "" : "&arg=" + Uri.EscapeDataString(System.Text.Json.JsonSerializer.Serialize(arg)));
        var (status, body, _) = await rt.FetchAsync("app", "/" + method + query);
        Assert.True(status == 200, body + "\n" + rt.Logs.All);
        return JsonNode.Parse(body);
    }

    [Fact]
    public async Task OneInstanceRunsEveryEventInArrivalOrder()
    {
        await using var rt = await Start("""
            export class Obj extends DurableObject {
              constructor(ctx, env) { super(ctx, env); constructed++; this.log = []; }
              async append(x) { this.log.push(x); const n = ((await this.ctx.storage.get("n")) ?? 0) + 1; await this.ctx.storage.put("n", n); return n; }
              async burst(count) {
                const stub = this.env.OBJ.getByName("other");
                await Promise.all(Array.from({ length: count }, (_, i) => stub.append(i)));
                return stub.state();
              }
              state() { return { constructed, log: this.log }; }
              async count() { return this.ctx.storage.get("n"); }
            }
            """);
        // Calls made without awaiting each other arrive in the order they were made, to one instance.
        var burst = (await Call(rt, "burst", 50))!;
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (double)i), burst["log"]!.AsArray().Select(x => (double)x!));
        // Concurrent requests from outside: none of their read-modify-writes is lost.
        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Call(rt, "append", 1, "c")));
        Assert.Equal(20, (int)(await Call(rt, "count", null, "c"))!);
        Assert.Equal(3, (int)(await Call(rt, "state", null, "c"))!["constructed"]!); // a, other, c: one instance each
    }

    [Fact]
    public async Task BlockConcurrencyWhileHoldsEventsAndItsFailureOrTimeoutResetsTheObject()
    {
        await using var rt = await Start("""
            export class Obj extends DurableObject {
              constructor(ctx, env) {
                super(ctx, env);
                this.instance = ++constructed;
                ctx.blockConcurrencyWhile(async () => { await scheduler.wait(200); this.ready = true; });
              }
              ready_() { return { ready: this.ready === true, instance: this.instance }; }
              async hang() { return this.ctx.blockConcurrencyWhile(() => new Promise(() => {})); }
              async fail() { await this.ctx.blockConcurrencyWhile(async () => { throw new RangeError("bad start"); }); return "unreachable"; }
            }
            """, new DurableObjectOptions { BlockConcurrencyTimeout = TimeSpan.FromSeconds(2) });
        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Call(rt, "ready_")));
        Assert.All(answers, a => Assert.True((bool)a!["ready"]!));
        Assert.All(answers, a => Assert.Equal(1, (int)a!["instance"]!));

        var hung = (await Call(rt, "hang"))!;
        Assert.Equal("A call to blockConcurrencyWhile() in a Durable Object waited for too long. The call was canceled and the Durable Object was reset.", (string)hung["message"]!);
        Assert.True((bool)hung["reset"]!);
        Assert.Equal(2, (int)(await Call(rt, "ready_"))!["instance"]!); // a new instance

        var failed = (await Call(rt, "fail"))!;
        Assert.Equal(("RangeError", "bad start", true), ((string)failed["error"]!, (string)failed["message"]!, (bool)failed["reset"]!));
        Assert.Equal(3, (int)(await Call(rt, "ready_"))!["instance"]!);
    }

    /// <summary>
    /// The input gate as workerd keeps it (io-gate.h): while a critical section runs, not only new
    /// events wait but also the completions of what the object started outside it — its timers,
    /// RPC answers and stub.fetch() responses — while the section's own ones come in. Recorded on
    /// wrangler dev with <c>bench/oracle.sh bench/oracle/do/gate /bcw /txn /nested /siblings</c>.
    /// </summary>
    [Fact]
    public async Task ACriticalSectionHoldsTheCompletionsOfWorkStartedOutsideIt()
    {
        await using var rt = await Start("""
            import { RpcTarget } from "cloudflare:workers";
            const wait = (ms) => new Promise((r) => setTimeout(r, ms));
            class Target extends RpcTarget {
              constructor(log) { super(); this.log = log; }
              hit() { this.log.push("target call"); return 1; }
            }
            export class Obj extends DurableObject {
              ping() { return "pong"; }
              async fetch(request) { return new Response("fetched"); }
              async section(kind) {
                const log = [];
                const other = this.env.OBJ.getByName("other");
                setTimeout(() => log.push("timer outside"), 0);
                other.ping().then(() => log.push("rpc outside"));
                other.fetch("http://x/").then((r) => r.text()).then(() => log.push("fetch outside"));
                const body = async (txn) => {
                  log.push("section start");
                  await wait(300); log.push("own timer");
                  await other.ping(); log.push("own rpc");
                  await (await other.fetch("http://x/")).text(); log.push("own fetch");
                  if (txn) { await txn.put("k", 1); log.push("own write"); }
                  await wait(100); log.push("section end");
                };
                if (kind === "bcw") await this.ctx.blockConcurrencyWhile(() => body(null));
                else await this.ctx.storage.transaction((txn) => body(txn));
                await wait(100);
                log.push("after");
                return log;
              }
              async nested() {
                const log = [];
                setTimeout(() => log.push("top timer"), 0);
                await this.ctx.blockConcurrencyWhile(async () => {
                  setTimeout(() => log.push("outer timer"), 0);
                  await this.ctx.blockConcurrencyWhile(async () => { await wait(200); log.push("inner done"); });
                  log.push("outer after inner");
                  await wait(100);
                  log.push("outer done");
                });
                await wait(100);
                return log;
              }
              target() { this.tlog = []; return new Target(this.tlog); }
              startHold() {
                this.ctx.blockConcurrencyWhile(async () => { this.tlog.push("section start"); await wait(300); this.tlog.push("section end"); });
                return "started";
              }
              targetLog() { return this.tlog; }
              async viaTarget() {
                const other = this.env.OBJ.getByName("t");
                const t = await other.target();
                await other.startHold();
                await t.hit();
                return other.targetLog();
              }
              async siblings() {
                const log = [];
                const a = this.ctx.blockConcurrencyWhile(async () => { log.push("a start"); await wait(200); log.push("a end"); });
                const b = this.ctx.blockConcurrencyWhile(async () => { log.push("b start"); await wait(50); log.push("b end"); });
                await Promise.all([a, b]);
                return log;
              }
            }
            """);
        string[] Log(JsonNode? answer) => answer!.AsArray().Select(x => (string)x!).ToArray();
        string[] outside = ["fetch outside", "rpc outside", "timer outside"];

        var bcw = Log(await Call(rt, "section", "bcw"));
        Assert.Equal(["section start", "own timer", "own rpc", "own fetch", "section end"], bcw[..5]);
        Assert.Equal(outside, bcw[5..8].Order()); // in the order they arrived, once the section ended
        Assert.Equal("after", bcw[8]);

        var txn = Log(await Call(rt, "section", "txn"));
        Assert.Equal(["section start", "own timer", "own rpc", "own fetch", "own write", "section end"], txn[..6]);
        Assert.Equal(outside, txn[6..9].Order());

        // A nested section holds its parent's timer; when it ends the parent continues first.
        Assert.Equal(["inner done", "outer after inner", "outer timer", "outer done", "top timer"], Log(await Call(rt, "nested")));
        // Two sections started together run one after the other.
        Assert.Equal(["a start", "a end", "b start", "b end"], Log(await Call(rt, "siblings")));
        // A call on an RpcTarget the object gave out is an event of the object too.
        Assert.Equal(["section start", "section end", "target call"], Log(await Call(rt, "viaTarget")));
    }

    [Fact]
    public async Task WritesOfOneTurnAreOneCommit()
    {
        await using var rt = await Start("""
            export class Obj extends DurableObject {
              many(n) { for (let i = 0; i < n; i++) this.ctx.storage.put("k" + i, i); return n; }
              async awaited(n) { for (let i = 0; i < n; i++) await this.ctx.storage.put("w" + i, i); return n; }
              async count() { return (await this.ctx.storage.list()).size; }
            }
            """);
        await Call(rt, "count");
        var actor = Assert.Single(rt.Registry.DurableObjects!.LiveActors());
        var before = actor.CommitCount;
        await Call(rt, "many", 100);
        Assert.Equal(before + 1, actor.CommitCount);
        // Awaiting a storage call does not end the turn's batch either: it resolves within the turn.
        await Call(rt, "awaited", 50);
        Assert.Equal(before + 2, actor.CommitCount);
        Assert.Equal(150, (int)(await Call(rt, "count"))!);
    }

    [Fact]
    public async Task IdleObjectsAreEvictedAndRecreatedWithTheirStorage()
    {
        await using var rt = await Start("""
            export class Obj extends DurableObject {
              constructor(ctx, env) { super(ctx, env); this.instance = ++constructed; }
              async touch() { const n = ((await this.ctx.storage.get("n")) ?? 0) + 1; await this.ctx.storage.put("n", n); this.memory = (this.memory ?? 0) + 1; return { n, memory: this.memory, instance: this.instance }; }
            }
            """, new DurableObjectOptions { IdleTimeout = TimeSpan.FromMilliseconds(300) });
        var first = (await Call(rt, "touch"))!;
        Assert.Equal((1, 1, 1), ((int)first["n"]!, (int)first["memory"]!, (int)first["instance"]!));
        await WaitUntil(() => rt.Registry.DurableObjects!.LiveActors().Count == 0, "the idle object was not evicted");
        // Recreated: the constructor ran again, memory is new, storage is kept.
        var second = (await Call(rt, "touch"))!;
        Assert.Equal((2, 1, 2), ((int)second["n"]!, (int)second["memory"]!, (int)second["instance"]!));
    }

    [Fact]
    public async Task AReloadStopsTheOldInstanceBeforeTheNewOneStarts()
    {
        const string v1 = """
            export class Obj extends DurableObject {
              async version() { await this.ctx.storage.put("last", "v1"); return "v1"; }
              async slow() { await scheduler.wait(20000); return "finished"; }
            }
            """;
        await using var rt = await Start(v1);
        Assert.Equal("v1", (string)(await Call(rt, "version"))!);
        var inFlight = Call(rt, "slow");
        await WaitUntil(() => rt.Registry.DurableObjects!.LiveActors().Single().InFlight > 0, "slow() did not start");
        var old = rt.Registry.DurableObjects!.LiveActors().Single();
        var service = rt.Worker("app");
        var config = service.Current.Config;
        File.WriteAllText(config.Main, File.ReadAllText(config.Main).Replace(v1, """
            export class Obj extends DurableObject {
              async version() { return "v2 after " + await this.ctx.storage.get("last"); }
            }
            """));
        service.Swap(await Flint.Runtime.Workers.WorkerVersion.LoadAsync(config, rt.Loggers, rt.Data, 1, registry: rt.Registry));
        var failed = (await inFlight.WaitAsync(TimeSpan.FromSeconds(10)))!;
        Assert.Equal("Durable Object reset because its code was updated.", (string)failed["message"]!);
        Assert.True((bool)failed["retryable"]!);
        Assert.Equal("v2 after v1", (string)(await Call(rt, "version"))!);
        // The new version's instance started only once the old one had closed its storage.
        Assert.True(old.Closed.IsCompleted, "the old instance's storage was not closed first");
    }

    [Fact]
    public async Task AlarmsFireAndFailingOnesAreRetriedWithTheirCount()
    {
        await using var rt = await Start("""
            export class Obj extends DurableObject {
              async arm(failures) { await this.ctx.storage.put("failures", failures); await this.ctx.storage.setAlarm(Date.now() + 50); return this.ctx.storage.getAlarm() !== null; }
              async alarm(info) {
                const runs = (await this.ctx.storage.get("runs")) ?? [];
                runs.push([info.retryCount, info.isRetry]);
                await this.ctx.storage.put("runs", runs);
                if (runs.length <= (await this.ctx.storage.get("failures"))) throw new Error("alarm failure " + runs.length);
              }
              async runs() { return { runs: (await this.ctx.storage.get("runs")) ?? [], alarm: await this.ctx.storage.getAlarm() }; }
            }
            """, new DurableObjectOptions { AlarmRetryStart = TimeSpan.FromMilliseconds(50) });
        Assert.True((bool)(await Call(rt, "arm", 2))!);
        JsonNode? state = null;
        await WaitUntil(async () => (state = await Call(rt, "runs"))!["runs"]!.AsArray().Count >= 3 && state["alarm"] is null, "the alarm did not run three times");
        Assert.Equal("[[0,false],[1,true],[2,true]]", state!["runs"]!.ToJsonString());
        Assert.Contains(rt.Logs.Lines, l => l.Contains("alarm failure 1"));
    }

    [Fact]
    public async Task AnAlarmDueWhileFlintWasDownFiresAfterTheRestart()
    {
        const string obj = """
            export class Obj extends DurableObject {
              async arm(ms) { await this.ctx.storage.setAlarm(Date.now() + ms); return true; }
              async alarm() { await this.ctx.storage.put("fired", Date.now()); }
              async fired() { return (await this.ctx.storage.get("fired")) ?? null; }
            }
            """;
        var rt = await Start(obj);
        var state = rt.StateDirectory;
        var dir = Path.GetDirectoryName(rt.Worker("app").Current.Config.Main)!;
        try
        {
            await Call(rt, "arm", 400);
            await rt.StopAsync(); // "Flint goes down" before the alarm is due
            await Task.Delay(700);
            await using var again = await TestRuntime.LoadAsync(Path.GetTempPath(), [dir], objects: new DurableObjectOptions(), state: state);
            JsonNode? fired = null;
            await WaitUntil(async () => (fired = await Call(again, "fired")) is not null, "the alarm did not fire after the restart");
        }
        finally
        {
            try { Directory.Delete(dir, true); Directory.Delete(state, true); } catch (IOException) { }
        }
    }

    [Fact]
    public async Task ABindingToAClassNoMigrationCreatedIsCloudflaresError()
    {
        var error = await Assert.ThrowsAsync<ConfigException>(() => Start("export class Obj extends DurableObject {}",
            toml: Toml().Replace("new_sqlite_classes = [\"Obj\"]", "new_sqlite_classes = [\"Other\"]")));
        Assert.StartsWith("Cannot create binding for class 'Obj' because it is not currently configured to implement Durable Objects. Ensure a --new-class migration has been applied to it.", error.Message);
        Assert.Contains("new_sqlite_classes = [\"Obj\"]", error.Message);
    }

    [Fact]
    public async Task ARenamedClassKeepsItsObjects()
    {
        await using var rt = await Start("""
            export class Obj extends DurableObject {
              async put(v) { await this.ctx.storage.put("v", v); return v; }
            }
            """);
        Assert.Equal("kept", (string)(await Call(rt, "put", "kept"))!);
        var service = rt.Worker("app");
        var config = service.Current.Config;
        File.WriteAllText(config.ConfigPath!, Toml().Replace("class_name = \"Obj\"", "class_name = \"Renamed\"") + """

            [[migrations]]
            tag = "v2"
            renamed_classes = [{ from = "Obj", to = "Renamed" }]
            """);
        File.WriteAllText(config.Main, File.ReadAllText(config.Main).Replace("export class Obj extends DurableObject {", "export class Renamed extends DurableObject {\n  async get() { return this.ctx.storage.get(\"v\"); }"));
        var reloaded = ConfigLoader.Load(new ConfigLoadOptions { Target = config.ConfigPath!, PersistTo = rt.StateDirectory }).Config;
        service.Swap(await Flint.Runtime.Workers.WorkerVersion.LoadAsync(reloaded, rt.Loggers, rt.Data, 1, registry: rt.Registry));
        var got = await Call(rt, "get");
        Assert.True(got is JsonValue, got?.ToJsonString() + rt.Logs.All);
        Assert.Equal("kept", (string)got!);
    }

    internal static async Task WaitUntil(Func<bool> condition, string what) => await WaitUntil(() => Task.FromResult(condition()), what);

    internal static async Task WaitUntil(Func<Task<bool>> condition, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(20)) Assert.Fail(what);
            await Task.Delay(50);
        }
    }
}
