using System.Diagnostics;
using System.Net;
using Flint.Server.Tests.Support;

namespace Flint.Server.Tests;

/// <summary>
/// The isolate model a user observes: one isolate per Worker by default (module state shared),
/// the CPU limit counted as the CPU time of each event, and a runaway failing alone.
/// </summary>
public sealed class IsolateModelTests
{
    private const string Toml = "name = \"w\"\nmain = \"index.js\"\ncompatibility_date = \"2025-11-01\"\n";

    [Fact]
    public async Task OneIsolateByDefaultSharesModuleStateBetweenRequests()
    {
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string>
        {
            ["index.js"] = "let count = 0;\nexport default { fetch() { count++; return new Response(String(count)); } };",
        }, isolates: 1);
        var counts = new List<int>();
        for (var i = 0; i < 10; i++) counts.Add(int.Parse(await w.GetStringAsync("/")));
        Assert.Equal(Enumerable.Range(1, 10), counts);
    }

    [Fact]
    public async Task CpuLimitCountsTheCpuTimeOfTheEventAcrossItsTurns()
    {
        // No single turn comes near the limit (each spins ~20 ms), but the event's turns add up past it.
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string>
        {
            ["wrangler.toml"] = Toml + "[limits]\ncpu_ms = 100\n",
            ["index.js"] = """
                export default {
                  async fetch(request) {
                    if (new URL(request.url).pathname === "/turns") {
                      for (let i = 0; i < 60; i++) {
                        const end = Date.now() + 20;
                        while (Date.now() < end) {}
                        await new Promise((r) => setTimeout(r, 0));
                      }
                      return new Response("not stopped");
                    }
                    return new Response("alive");
                  }
                }
                """,
        }, isolates: 1);
        var r = await w.Client.GetAsync("/turns");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, r.StatusCode);
        Assert.Contains("exceeded CPU time limit", await r.Content.ReadAsStringAsync());
        Assert.Equal("alive", await w.GetStringAsync("/"));
    }

    [Fact]
    public async Task TrivialWorkerUnderLoadIsNeverStoppedByASmallCpuLimit()
    {
        // 20 clients at once on a busy machine: turns wait for a core, which is no Worker's CPU time.
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string>
        {
            ["wrangler.toml"] = Toml + "[limits]\ncpu_ms = 50\n",
            ["index.js"] = "export default { fetch() { return new Response(\"ok\"); } };",
        }, isolates: 1);
        var failures = 0;
        var done = 0;
        var until = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ =>
        {
            while (until.Elapsed < TimeSpan.FromSeconds(4))
            {
                using var r = await w.Client.GetAsync("/");
                if (r.StatusCode != HttpStatusCode.OK) Interlocked.Increment(ref failures);
                Interlocked.Increment(ref done);
            }
        }));
        Assert.True(done > 100, $"only {done} requests were made");
        Assert.Equal(0, failures);
        Assert.DoesNotContain(w.Logs.Lines, l => l.Contains("exceeded CPU time limit"));
    }

    [Fact]
    public async Task RunawayFailsAloneWhileOtherRequestsFinishAndNewOnesWait()
    {
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string>
        {
            ["wrangler.toml"] = Toml + "[limits]\ncpu_ms = 100\n",
            ["index.js"] = """
                export default {
                  async fetch(request) {
                    const path = new URL(request.url).pathname;
                    if (path === "/slow") { await new Promise((r) => setTimeout(r, 1500)); return new Response("slow done"); }
                    if (path === "/spin") { while (true) {} }
                    return new Response("alive");
                  }
                }
                """,
        }, isolates: 1);
        var slow = w.Client.GetAsync("/slow");
        await Task.Delay(200);
        var spin = w.Client.GetAsync("/spin");
        await Task.Delay(50);
        // Sent while the runaway spins and its isolate is being replaced.
        var during = Enumerable.Range(0, 5).Select(_ => w.Client.GetAsync("/")).ToList();
        var spun = await spin;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, spun.StatusCode);
        Assert.Contains("exceeded CPU time limit", await spun.Content.ReadAsStringAsync());
        foreach (var r in during)
        {
            var response = await r;
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("alive", await response.Content.ReadAsStringAsync());
        }
        var slowResponse = await slow;
        Assert.Equal(HttpStatusCode.OK, slowResponse.StatusCode);
        Assert.Equal("slow done", await slowResponse.Content.ReadAsStringAsync());
    }
}
