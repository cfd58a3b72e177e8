using Flint.Server.Tests.Support;

namespace Flint.Server.Tests;

public class ReloadTests
{
    [Fact]
    public async Task EditReloadsWhileInFlightRequestsFinishOnTheOldVersion()
    {
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string>
        {
            ["index.js"] = """
                export default {
                  async fetch(request) {
                    if (new URL(request.url).pathname === "/slow") await new Promise((r) => setTimeout(r, 1500));
                    return new Response("v1");
                  }
                }
                """,
        }, watch: true);
        Assert.Equal("v1", await w.GetStringAsync("/"));
        var slow = w.Client.GetStringAsync("/slow");
        await Task.Delay(200);
        File.WriteAllText(Path.Combine(w.Directory, "index.js"), "export default { fetch() { return new Response('v2') } }");
        await w.Logs.WaitForAsync(l => l.Contains("Reloaded"));
        Assert.Equal("v2", await w.GetStringAsync("/"));
        Assert.Equal("v1", await slow);

        // A broken edit keeps the last good version serving.
        File.WriteAllText(Path.Combine(w.Directory, "index.js"), "export default { fetch() { return new Response('v3' }");
        await w.Logs.WaitForAsync(l => l.Contains("Reload failed"));
        Assert.Equal("v2", await w.GetStringAsync("/"));
    }
}
