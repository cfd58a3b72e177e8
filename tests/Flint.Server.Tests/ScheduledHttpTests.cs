using System.Net;
using System.Text.Json.Nodes;
using Flint.Server.Tests.Support;

namespace Flint.Server.Tests;

/// <summary>wrangler's test endpoints for scheduled(), answered as wrangler dev --test-scheduled answers them (recorded from wrangler 4).</summary>
public sealed class ScheduledHttpTests
{
    private const string Toml = "name = \"cron\"\nmain = \"index.js\"\ncompatibility_date = \"2025-11-01\"\n[triggers]\ncrons = [\"*/5 * * * *\"]\n";

    [Fact]
    public async Task TestEndpointsRunTheScheduledHandler()
    {
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string>
        {
            ["wrangler.toml"] = Toml,
            ["index.js"] = """
                let last = null;
                export default {
                  fetch() { return Response.json(last); },
                  async scheduled(controller, env, ctx) {
                    last = { cron: controller.cron, time: controller.scheduledTime, keys: Object.keys(controller),
                      noRetry: typeof controller.noRetry, waitUntil: typeof ctx.waitUntil };
                    if (controller.cron === "throw") throw new Error("boom");
                  },
                };
                """,
        });
        var ran = await w.Client.GetAsync("/__scheduled?cron=*+*+*+*+*");
        Assert.Equal(HttpStatusCode.OK, ran.StatusCode);
        Assert.Equal("Ran scheduled event", await ran.Content.ReadAsStringAsync());
        var last = JsonNode.Parse(await w.GetStringAsync("/"))!;
        Assert.Equal("* * * * *", last["cron"]!.GetValue<string>());
        Assert.Equal("[\"cron\",\"scheduledTime\"]", last["keys"]!.ToJsonString());
        Assert.Equal("function", last["noRetry"]!.GetValue<string>());

        var ok = await w.Client.GetAsync("/cdn-cgi/handler/scheduled?cron=*/2+*+*+*+*&time=999");
        Assert.Equal("ok", await ok.Content.ReadAsStringAsync());
        last = JsonNode.Parse(await w.GetStringAsync("/"))!;
        Assert.Equal("*/2 * * * *", last["cron"]!.GetValue<string>());
        Assert.Equal(999, last["time"]!.GetValue<long>());

        var thrown = await w.Client.GetAsync("/__scheduled?cron=throw");
        Assert.Equal(HttpStatusCode.InternalServerError, thrown.StatusCode);
        Assert.StartsWith("Error: boom", await thrown.Content.ReadAsStringAsync());
        var exception = await w.Client.GetAsync("/cdn-cgi/handler/scheduled?cron=throw");
        Assert.Equal(HttpStatusCode.InternalServerError, exception.StatusCode);
        Assert.Equal("exception", await exception.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ServiceWorkerScheduledListenerRunsWithWaitUntil()
    {
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string>
        {
            ["wrangler.toml"] = Toml,
            ["index.js"] = """
                let seen = "nothing";
                addEventListener("fetch", (e) => e.respondWith(new Response(seen)));
                addEventListener("scheduled", (e) => {
                  e.waitUntil(new Promise((r) => setTimeout(r, 50)).then(() => { seen = `${e.type} ${e.cron} ${typeof e.scheduledTime}`; }));
                });
                """,
        });
        Assert.Equal("ok", await w.GetStringAsync("/cdn-cgi/handler/scheduled?cron=0+*+*+*+*"));
        // The endpoint answers once the event is over, waitUntil work included.
        Assert.Equal("scheduled 0 * * * * number", await w.GetStringAsync("/"));
    }
}
