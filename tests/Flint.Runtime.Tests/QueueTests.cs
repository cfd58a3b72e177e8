using System.Text;
using System.Text.Json.Nodes;
using Flint.Engine.Config;
using Flint.Engine.Queues;
using Flint.Runtime.Queues;
using Flint.Runtime.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using static Flint.Runtime.Tests.Support.QueueHarness;

namespace Flint.Runtime.Tests;

/// <summary>
/// Producers and consumers in real isolates over real queue logs, with the dispatcher flint dev
/// runs: what consumers receive, the ack/retry rules, retries, delays, dead letters, batching and
/// concurrency. Tests that depend on time move a fake clock.
/// </summary>
public sealed class QueueTests
{
    // A producer Worker: GET /send?body=JSON&type=…&delay=… sends one message; /batch?n=… sends n numbered ones.
    private const string ProducerJs = """
        export default {
          async fetch(request, env) {
            const u = new URL(request.url), q = env[u.searchParams.get("to") ?? "Q"];
            if (u.pathname === "/batch") {
              const n = Number(u.searchParams.get("n"));
              await q.sendBatch(Array.from({ length: n }, (_, i) => ({ body: { i } })));
              return new Response("sent");
            }
            const options = {};
            if (u.searchParams.has("type")) options.contentType = u.searchParams.get("type");
            if (u.searchParams.has("delay")) options.delaySeconds = Number(u.searchParams.get("delay"));
            try {
              const r = await q.send(JSON.parse(u.searchParams.get("body") ?? "null"), options);
              return Response.json(r);
            } catch (e) {
              return new Response(`${e.name}: ${e.message}`);
            }
          },
        };
        """;

    private static Dictionary<string, string> Worker(string config, string js) => new() { ["wrangler.toml"] = config, ["index.js"] = js };

    private static string Body(DeliveredMessage m) => Encoding.UTF8.GetString(m.Body);

    [Fact]
    public async Task EveryContentTypeReachesAConsumerWorkerAsItWasSent()
    {
        const string consumer = """
            const seen = [];
            const show = (v) => v instanceof ArrayBuffer ? ["ArrayBuffer", [...new Uint8Array(v)]] : v instanceof Map ? ["Map", [...v]]
              : v instanceof Date ? ["Date", v.getTime()] : [Object.prototype.toString.call(v), v];
            export default {
              fetch() { return Response.json(seen); },
              async queue(batch, env, ctx) {
                for (const m of batch.messages) seen.push({ queue: batch.queue, body: show(m.body), attempts: m.attempts, id: m.id, ts: m.timestamp.getTime() });
              },
            };
            """;
        const string producer = """
            export default {
              async fetch(request, env) {
                await env.JOBS.sendBatch([
                  { body: "plain text", contentType: "text" },
                  { body: new Uint8Array([0, 255, 7]), contentType: "bytes" },
                  { body: { nested: [1, { two: 2 }], s: "é\u{1F600}" }, contentType: "json" },
                  { body: new Map([["when", 5]]), contentType: "v8" },
                  { body: new Date(42), contentType: "v8" },
                ]);
                return new Response("ok");
              },
            };
            """;
        await using var h = await StartAsync(new Dictionary<string, IDictionary<string, string>>
        {
            ["api"] = Worker(Config("api", Producer("JOBS", "jobs")), producer),
            ["jobs"] = Worker(Config("jobs", Consumer("jobs")), consumer),
        });
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await h.FetchAsync("api");
        await h.WaitForMessagesAsync("jobs", 5);
        var seen = JsonNode.Parse(await h.FetchAsync("jobs"))!.AsArray();
        var json = seen[2]!["body"]![1]!.AsObject();
        Assert.Equal("é😀", json["s"]!.GetValue<string>());
        json.Remove("s");
        Assert.Equal("""[["[object String]","plain text"],["ArrayBuffer",[0,255,7]],["[object Object]",{"nested":[1,{"two":2}]}],["Map",[["when",5]]],["Date",42]]""",
            new JsonArray(seen.Select(s => s!["body"]!.DeepClone()).ToArray()).ToJsonString());
        Assert.All(seen, s => Assert.Equal("jobs", s!["queue"]!.GetValue<string>()));
        Assert.All(seen, s => Assert.Equal(1, s!["attempts"]!.GetValue<int>()));
        Assert.All(seen, s => Assert.InRange(s!["ts"]!.GetValue<long>(), before - 1000, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
        Assert.Equal(5, seen.Select(s => s!["id"]!.GetValue<string>()).Distinct().Count());
        Assert.Contains("QUEUE jobs 5/5", h.Runtime.Logs.All);
        Assert.Equal(0, h.Runtime.Data.Queues.Queue("jobs").Count()); // acknowledged: gone from the log
    }

    [Fact]
    public async Task BatchesFillToMaxBatchSizeOrGoOutMaxBatchTimeoutAfterTheirFirstMessage()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        const string consumer = "export default { fetch() { return new Response('x'); }, async queue(batch) {} };";
        await using var h = await StartAsync(new Dictionary<string, IDictionary<string, string>>
        {
            ["api"] = Worker(Config("api", Producer("Q", "work")), ProducerJs),
            ["work"] = Worker(Config("work", Consumer("work", "max_batch_size = 3\nmax_batch_timeout = 5\nmax_concurrency = 1")), consumer),
        }, time);
        await h.FetchAsync("api", "/batch?n=7");
        var full = await h.WaitForAsync(d => d.Count >= 2);
        Assert.Equal([3, 3], full.Select(d => d.Batch.Messages.Count));
        await h.AssertQuietAsync(2); // the last message waits for the batch timeout
        time.Advance(TimeSpan.FromSeconds(4.9));
        await h.AssertQuietAsync(2);
        time.Advance(TimeSpan.FromSeconds(0.2));
        var all = await h.WaitForAsync(d => d.Count >= 3);
        Assert.Single(all[2].Batch.Messages);
        Assert.Equal(["{\"i\":6}"], all[2].Batch.Messages.Select(Body));

        // A lone message goes out max_batch_timeout after it was sent; the batch reports the backlog behind it.
        await h.FetchAsync("api", "/send?body=1");
        await h.FetchAsync("api", "/send?body=2&delay=60");
        await h.AssertQuietAsync(3);
        time.Advance(TimeSpan.FromSeconds(5));
        var lone = (await h.WaitForAsync(d => d.Count >= 4))[3];
        Assert.Equal(["1"], lone.Batch.Messages.Select(Body));
        Assert.Equal(1, lone.Batch.Metrics.BacklogCount); // the delayed one
    }

    [Fact]
    public async Task ExplicitAcksSurviveAThrowingHandlerAndAMessagesOwnCallWinsOverTheBatchs()
    {
        // The cases wrangler dev gets wrong (it retries every message when the handler throws or calls retryAll()).
        const string consumer = """
            export default {
              fetch() { return new Response("x"); },
              async queue(batch) {
                const [a, b] = batch.messages;
                if (a.attempts > 1 || b.attempts > 1) return;
                switch (a.body.s) {
                  case "ackThenThrow": a.ack(); throw new Error("after ack");
                  case "ackThenRetryAll": a.ack(); batch.retryAll(); return;
                  case "ackAllThenThrow": batch.ackAll(); throw new Error("after ackAll");
                  case "retryThenAckAll": a.retry(); batch.ackAll(); return;
                }
              },
            };
            """;
        const string producer = """
            export default {
              async fetch(request, env) {
                const s = new URL(request.url).searchParams.get("s");
                await env.Q.sendBatch([{ body: { s, k: "a" } }, { body: { s, k: "b" } }]);
                return new Response("sent");
              },
            };
            """;
        await using var h = await StartAsync(new Dictionary<string, IDictionary<string, string>>
        {
            ["api"] = Worker(Config("api", Producer("Q", "rules")), producer),
            ["rules"] = Worker(Config("rules", Consumer("rules", "max_batch_timeout = 0\nmax_concurrency = 1\nmax_retries = 1")), consumer),
        });
        var expected = new Dictionary<string, string[]>
        {
            ["ackThenThrow"] = ["a#1", "b#1", "b#2"],
            ["ackThenRetryAll"] = ["a#1", "b#1", "b#2"],
            ["ackAllThenThrow"] = ["a#1", "b#1"],
            ["retryThenAckAll"] = ["a#1", "b#1", "a#2"],
        };
        foreach (var (scenario, deliveries) in expected)
        {
            var before = h.Deliveries.Count;
            await h.FetchAsync("api", $"/?s={scenario}");
            await h.WaitForAsync(d => d.Skip(before).Sum(x => x.Batch.Messages.Count) >= deliveries.Length);
            await h.AssertQuietAsync(h.Deliveries.Count, 200);
            var got = h.Deliveries.Skip(before).SelectMany(d => d.Batch.Messages)
                .Select(m => $"{JsonNode.Parse(Body(m))!["k"]}#{m.Attempts}").ToArray();
            Assert.True(deliveries.SequenceEqual(got), $"{scenario}: expected {string.Join(" ", deliveries)}, got {string.Join(" ", got)}");
        }
        Assert.Contains("Uncaught Error: after ack", h.Runtime.Logs.All);
        Assert.Equal(0, h.Runtime.Data.Queues.Queue("rules").Count());
    }

    [Fact]
    public async Task RetriesWaitTheirDelayFromRetryRetryAllOrTheConsumersRetryDelay()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        const string consumer = """
            export default {
              fetch() { return new Response("x"); },
              async queue(batch) {
                const m = batch.messages[0];
                if (m.attempts > 1) return;
                if (m.body === "own") m.retry({ delaySeconds: 30 });
                else if (m.body === "all") batch.retryAll({ delaySeconds: 20 });
                else throw new Error("use retry_delay");
              },
            };
            """;
        await using var h = await StartAsync(new Dictionary<string, IDictionary<string, string>>
        {
            ["api"] = Worker(Config("api", Producer("Q", "later")), ProducerJs),
            ["later"] = Worker(Config("later", Consumer("later", "max_batch_timeout = 0\nmax_batch_size = 1\nretry_delay = 10")), consumer),
        }, time);
        foreach (var body in new[] { "own", "all", "config" }) await h.FetchAsync("api", $"/send?body=\"{body}\"");
        await h.WaitForAsync(d => d.Count >= 3);
        await h.AssertQuietAsync(3);
        var redelivered = new List<string>();
        foreach (var step in new[] { 10, 10, 10 })
        {
            var before = h.Deliveries.Count;
            time.Advance(TimeSpan.FromSeconds(step));
            var list = await h.WaitForAsync(d => d.Count > before);
            await h.AssertQuietAsync(list.Count, 100);
            redelivered.Add(string.Join(",", h.Deliveries.Skip(before).SelectMany(d => d.Batch.Messages).Select(m => $"{Body(m)}#{m.Attempts}")));
        }
        Assert.Equal(["\"config\"#2", "\"all\"#2", "\"own\"#2"], redelivered);
    }

    [Fact]
    public async Task AfterMaxRetriesMessagesMoveToTheDeadLetterQueueOrAreDroppedWithALogLine()
    {
        const string consumer = """
            const dead = [];
            export default {
              fetch() { return Response.json(dead); },
              async queue(batch) {
                if (batch.queue === "dlq") { for (const m of batch.messages) dead.push([m.body, m.attempts, m.id]); return; }
                throw new Error("always fails");
              },
            };
            """;
        await using var h = await StartAsync(new Dictionary<string, IDictionary<string, string>>
        {
            ["api"] = Worker(Config("api", Producer("Q", "src") + Producer("DROP", "drop")), ProducerJs),
            ["work"] = Worker(Config("work", Consumer("src", "max_batch_timeout = 0\nmax_retries = 2\ndead_letter_queue = \"dlq\"") +
                Consumer("dlq") + Consumer("drop", "max_batch_timeout = 0\nmax_retries = 0")), consumer),
        });
        await h.FetchAsync("api", "/send?body=\"doomed\"");
        await h.FetchAsync("api", "/send?body=\"gone\"&to=DROP");
        // A delivery is recorded once its outcome is committed, and the third's includes the move to the
        // dead-letter queue, whose own delivery may be recorded first: wait for all of them.
        var list = await h.WaitForAsync(d => d.Any(x => x.Queue == "dlq") && d.Any(x => x.Queue == "drop") && d.Count(x => x.Queue == "src") >= 3);
        var src = list.Where(d => d.Queue == "src").SelectMany(d => d.Batch.Messages).ToList();
        Assert.Equal([1, 2, 3], src.Select(m => m.Attempts));
        var dead = JsonNode.Parse(await h.FetchAsync("work"))!.AsArray();
        Assert.Equal("doomed", dead[0]![0]!.GetValue<string>());
        Assert.Equal(1, dead[0]![1]!.GetValue<int>());
        Assert.Equal(src[0].Id, dead[0]![2]!.GetValue<string>());
        var logs = h.Runtime.Logs.All;
        Assert.Contains($"Moving message \"{src[0].Id}\" on queue \"src\" to dead letter queue \"dlq\" after 3 failed attempts...", logs);
        var dropped = list.Single(d => d.Queue == "drop").Batch.Messages[0];
        Assert.Contains($"Dropped message \"{dropped.Id}\" on queue \"drop\" after 1 failed attempt!", logs);
        await h.AssertQuietAsync(h.Deliveries.Count);
        Assert.Equal(0, h.Runtime.Data.Queues.Queue("src").Count() + h.Runtime.Data.Queues.Queue("drop").Count());
    }

    [Fact]
    public async Task AQueueWithoutAConsumerKeepsItsMessagesUntilAReloadAddsOne()
    {
        const string consumer = "export default { fetch() { return new Response('x'); }, async queue(batch) {} };";
        await using var h = await StartAsync(new Dictionary<string, IDictionary<string, string>>
        {
            ["api"] = Worker(Config("api", Producer("Q", "waiting")), ProducerJs),
            ["late"] = Worker(Config("late", ""), consumer),
        });
        for (var i = 0; i < 3; i++) await h.FetchAsync("api", $"/send?body={i}");
        await h.AssertQuietAsync(0);
        Assert.Equal(3, h.Runtime.Data.Queues.Queue("waiting").Count());
        await h.ReloadAsync("late", Config("late", Consumer("waiting")));
        var list = await h.WaitForMessagesAsync("waiting", 3);
        Assert.Equal(["0", "1", "2"], list.SelectMany(d => d.Batch.Messages).Select(Body));
        Assert.All(list, d => Assert.Equal("late", d.Worker));
    }

    [Fact]
    public async Task ServiceWorkersGetTheQueueEventAndEntrypointClassesTheirQueueMethod()
    {
        const string sw = """
            const seen = [];
            addEventListener("fetch", (e) => e.respondWith(Response.json(seen)));
            addEventListener("queue", (event) => {
              seen.push([Object.prototype.toString.call(event), event.type, event.queue, event.messages.map((m) => [m.body, m.attempts])]);
              if (event.messages[0].attempts === 1) event.retryAll();
              event.waitUntil(Promise.resolve());
            });
            """;
        const string entrypoint = """
            import { WorkerEntrypoint } from "cloudflare:workers";
            const seen = [];
            export default class extends WorkerEntrypoint {
              fetch() { return Response.json(seen); }
              async queue(batch) { seen.push([batch.queue, batch.messages.map((m) => m.body), typeof this.env.Q, typeof this.ctx.waitUntil]); }
            }
            """;
        await using var h = await StartAsync(new Dictionary<string, IDictionary<string, string>>
        {
            ["api"] = Worker(Config("api", Producer("Q", "sw") + Producer("E", "ep")), ProducerJs),
            ["sw"] = Worker(Config("sw", Consumer("sw")), sw),
            ["ep"] = Worker(Config("ep", Consumer("ep") + Producer("Q", "sw")), entrypoint),
        });
        await h.FetchAsync("api", "/send?body=\"s\"");
        await h.FetchAsync("api", "/send?body=\"e\"&to=E");
        await h.WaitForAsync(d => d.Count(x => x.Queue == "sw") >= 2 && d.Any(x => x.Queue == "ep"));
        Assert.Equal("""[["[object QueueEvent]","queue","sw",[["s",1]]],["[object QueueEvent]","queue","sw",[["s",2]]]]""", await h.FetchAsync("sw"));
        Assert.Equal("""[["ep",["e"],"object","function"]]""", await h.FetchAsync("ep"));
    }

    [Fact]
    public async Task AWorkerWithoutAQueueHandlerFailsEveryBatchAndSaysWhy()
    {
        await using var h = await StartAsync(new Dictionary<string, IDictionary<string, string>>
        {
            ["api"] = Worker(Config("api", Producer("Q", "nohandler")), ProducerJs),
            ["plain"] = Worker(Config("plain", Consumer("nohandler", "max_batch_timeout = 0\nmax_retries = 1")), "export default { fetch() { return new Response('x'); } };"),
        });
        await h.FetchAsync("api", "/send?body=1");
        var list = await h.WaitForMessagesAsync("nohandler", 2);
        Assert.All(list, d => Assert.Contains("Handler does not export a queue() function.", d.Outcome.Error));
        Assert.Contains("Did you remember to export a queue() function?", h.Runtime.Logs.All);
        Assert.Contains("Dropped message", h.Runtime.Logs.All);
    }

    [Fact]
    public async Task AFailedWaitUntilFailsTheBatchUnlessTheWorkerStopsWaitingForIt()
    {
        const string consumer = """
            export default {
              fetch() { return new Response("x"); },
              async queue(batch, env, ctx) {
                if (batch.messages[0].attempts === 1) ctx.waitUntil(Promise.reject(new Error("background work failed")));
              },
            };
            """;
        await using var h = await StartAsync(new Dictionary<string, IDictionary<string, string>>
        {
            ["api"] = Worker(Config("api", Producer("W", "waits") + Producer("N", "nowait")), ProducerJs),
            ["waits"] = Worker(Config("waits", Consumer("waits")), consumer),
            ["nowait"] = Worker(Config("nowait", "compatibility_flags = [\"queue_consumer_no_wait_for_wait_until\"]\n" + Consumer("nowait")), consumer),
        });
        await h.FetchAsync("api", "/send?body=1&to=W");
        await h.FetchAsync("api", "/send?body=1&to=N");
        await h.WaitForAsync(d => d.Count(x => x.Queue == "waits") >= 2 && d.Any(x => x.Queue == "nowait"));
        await h.AssertQuietAsync(h.Deliveries.Count);
        Assert.Equal([1, 2], h.Deliveries.Where(d => d.Queue == "waits").Select(d => d.Batch.Messages[0].Attempts));
        Assert.Equal([1], h.Deliveries.Where(d => d.Queue == "nowait").Select(d => d.Batch.Messages[0].Attempts));
        Assert.Contains("Uncaught (in promise) Error: background work failed", h.Runtime.Logs.All);
    }

    [Fact]
    public async Task TheDefaultContentTypeIsV8BeforeQueuesJsonMessagesAndJsonFrom2024_03_18()
    {
        const string producer = """
            export default {
              async fetch(request, env) { await env.Q.send({ when: new Date(7), big: 1 }); return new Response("sent"); },
            };
            """;
        const string consumer = """
            const seen = [];
            export default {
              fetch() { return Response.json(seen); },
              async queue(batch) { for (const m of batch.messages) seen.push(m.body.when instanceof Date ? "Date" : typeof m.body.when); },
            };
            """;
        await using var h = await StartAsync(new Dictionary<string, IDictionary<string, string>>
        {
            ["old"] = Worker(Config("old", Producer("Q", "types"), "2024-03-17"), producer),
            ["new"] = Worker(Config("new", Producer("Q", "types"), "2024-03-18"), producer),
            ["c"] = Worker(Config("c", Consumer("types", "max_batch_timeout = 0\nmax_concurrency = 1")), consumer),
        });
        await h.FetchAsync("old");
        await h.WaitForMessagesAsync("types", 1);
        await h.FetchAsync("new");
        var list = await h.WaitForMessagesAsync("types", 2);
        Assert.Equal(["v8", "json"], list.SelectMany(d => d.Batch.Messages).Select(m => m.ContentType));
        Assert.Equal("""["Date","string"]""", await h.FetchAsync("c"));
    }

    [Fact]
    public async Task TheProducersDeliveryDelayAppliesUnlessTheSendGivesItsOwn()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var h = await StartAsync(new Dictionary<string, IDictionary<string, string>>
        {
            ["api"] = Worker(Config("api", Producer("Q", "delayed", "delivery_delay = 60")), ProducerJs),
            ["c"] = Worker(Config("c", Consumer("delayed", "max_batch_timeout = 0\nmax_batch_size = 1")), "export default { async queue() {} };"),
        }, time);
        await h.FetchAsync("api", "/send?body=\"default\"");
        await h.FetchAsync("api", "/send?body=\"zero\"&delay=0");
        await h.FetchAsync("api", "/send?body=\"ten\"&delay=10");
        var now = await h.WaitForAsync(d => d.Count >= 1);
        Assert.Equal("\"zero\"", Body(now[0].Batch.Messages[0]));
        await h.AssertQuietAsync(1);
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal("\"ten\"", Body((await h.WaitForAsync(d => d.Count >= 2))[1].Batch.Messages[0]));
        time.Advance(TimeSpan.FromSeconds(49));
        await h.AssertQuietAsync(2);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("\"default\"", Body((await h.WaitForAsync(d => d.Count >= 3))[2].Batch.Messages[0]));
    }

    [Fact]
    public async Task MaxConcurrencyBoundsTheBatchesInFlight()
    {
        const string consumer = """
            let running = 0, most = 0;
            export default {
              fetch() { return new Response(String(most)); },
              async queue(batch) { running++; most = Math.max(most, running); await scheduler.wait(150); running--; },
            };
            """;
        await using var h = await StartAsync(new Dictionary<string, IDictionary<string, string>>
        {
            ["api"] = Worker(Config("api", Producer("ONE", "one") + Producer("THREE", "three")), ProducerJs),
            ["one"] = Worker(Config("one", Consumer("one", "max_batch_timeout = 0\nmax_batch_size = 1\nmax_concurrency = 1")), consumer),
            ["three"] = Worker(Config("three", Consumer("three", "max_batch_timeout = 0\nmax_batch_size = 1\nmax_concurrency = 3")), consumer),
        });
        await h.FetchAsync("api", "/batch?n=6&to=ONE");
        await h.FetchAsync("api", "/batch?n=6&to=THREE");
        await h.WaitForAsync(d => d.Count(x => x.Queue == "one") == 6 && d.Count(x => x.Queue == "three") == 6);
        Assert.Equal("1", await h.FetchAsync("one"));
        Assert.Equal("3", await h.FetchAsync("three"));
    }

    [Fact]
    public async Task AHandlerStillRunningAfterFifteenMinutesFailsItsBatch()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var h = await StartAsync(new Dictionary<string, IDictionary<string, string>>
        {
            ["api"] = Worker(Config("api", Producer("Q", "stuck")), ProducerJs),
            ["c"] = Worker(Config("c", Consumer("stuck", "max_batch_timeout = 0\nmax_retries = 0")), "export default { queue() { return new Promise(() => {}); } };"),
        }, time);
        await h.FetchAsync("api", "/send?body=1");
        await h.AssertQuietAsync(0);
        time.Advance(TimeSpan.FromMinutes(15));
        var list = await h.WaitForAsync(d => d.Count == 1);
        Assert.Contains("wall time limit", list[0].Outcome.Error);
        Assert.Contains("ran longer than 15 minutes", h.Runtime.Logs.All);
        Assert.Contains("Dropped message", h.Runtime.Logs.All);
    }

    [Fact]
    public async Task ConfigMistakesInConsumersAreClearErrors()
    {
        var twice = Assert.Throws<ConfigException>(() => QueueConsumerSettings.From(new QueueConsumerConfig("q", 0, null, null, null, null, null), "a/wrangler.toml"));
        Assert.Contains("max_batch_size = 0 is out of range", twice.Message);
        var error = await Assert.ThrowsAsync<ConfigException>(() => StartAsync(new Dictionary<string, IDictionary<string, string>>
        {
            ["a"] = Worker(Config("a", Consumer("shared")), "export default { async queue() {} };"),
            ["b"] = Worker(Config("b", Consumer("shared")), "export default { async queue() {} };"),
        }));
        Assert.Contains("Queue \"shared\" has two consumers:", error.Message);
        Assert.Contains("A queue has one consumer Worker", error.Message);
    }

    [Fact]
    public async Task QueueExposeErrorCodesEndsRefusalsWithQueuesErrorCode()
    {
        await using var h = await StartAsync(new Dictionary<string, IDictionary<string, string>>
        {
            ["old"] = Worker(Config("old", Producer("Q", "codes")), ProducerJs),
            ["new"] = Worker(Config("new", Producer("Q", "codes"), "2026-03-12"), ProducerJs),
        });
        var big = Uri.EscapeDataString("\"" + new string('x', 128_000) + "\"");
        Assert.Equal("Error: Queue send failed: message length of 128002 bytes exceeds limit of 128000", await h.FetchAsync("old", $"/send?body={big}"));
        Assert.Equal("Error: message length of 128002 bytes exceeds limit of 128000 (10204)", await h.FetchAsync("new", $"/send?body={big}"));
        Assert.Equal("Error: message delay of -5 seconds is invalid: it must be from 0 to 43200 (12 hours) (10203)", await h.FetchAsync("new", "/send?body=1&delay=-5"));
    }
}
