using System.Diagnostics;
using Flint.Cli.Tests.Support;

namespace Flint.Cli.Tests;

/// <summary>
/// flint dev runs its server in a child process and starts it again when that process dies
/// (V8 aborting it, the OOM killer, kill -9), on the same port and data, naming what it served.
/// </summary>
public sealed class SupervisorTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("flint-supervise-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public async Task AServerProcessThatDiesIsReportedAndStartedAgainOnTheSameData()
    {
        File.WriteAllText(Path.Combine(_dir, "wrangler.toml"), """
            name = "phoenix"
            main = "index.js"
            compatibility_date = "2025-11-01"
            kv_namespaces = [{ binding = "KV", id = "ns" }]
            """);
        File.WriteAllText(Path.Combine(_dir, "index.js"), """
            export default {
              async fetch(request, env) {
                const url = new URL(request.url);
                if (url.pathname === "/put") { await env.KV.put("k", "kept"); return new Response("ok"); }
                if (url.pathname === "/slow") { await scheduler.wait(60_000); return new Response("late"); }
                if (url.pathname === "/split") {
                  try { "x".repeat(2 ** 28).split(""); } catch (e) { return new Response(e.name, { status: 500 }); }
                }
                return new Response(await env.KV.get("k"));
              }
            }
            """);
        using var flint = await FlintProcess.StartDevAsync(_dir);
        using var http = new HttpClient { BaseAddress = new Uri(flint.Url), Timeout = TimeSpan.FromSeconds(30) };
        Assert.Equal("ok", await http.GetStringAsync("/put"));
        // What once aborted V8 (and the whole process) is a RangeError or a memory-limit stop now.
        var split = await http.GetAsync("/split");
        Assert.Contains((int)split.StatusCode, new[] { 500, 503 });

        var server = Assert.Single(flint.ChildIds());
        var slow = http.GetAsync("/slow");
        await Task.Delay(500); // let it reach the Worker
        Process.GetProcessById(server).Kill(); // SIGKILL, as the OOM killer would
        await Assert.ThrowsAnyAsync<Exception>(() => slow);

        var died = await flint.WaitForOutputAsync(@"The flint dev server process died \(SIGKILL.*\)(.*)\.");
        Assert.Contains("Worker \"phoenix\": GET /slow", died.Groups[1].Value);
        var again = await flint.WaitForOutputAsync(@"Ready on (http://\S+)", skip: 1);
        Assert.Equal(flint.Url, again.Groups[1].Value);
        Assert.Equal("kept", await http.GetStringAsync("/"));
        Assert.NotEqual(server, Assert.Single(flint.ChildIds()));

        // Stopping the supervisor stops its server too.
        var newServer = flint.ChildIds()[0];
        flint.Process.Kill();
        await flint.Process.WaitForExitAsync();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (IsRunning(newServer) && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.False(IsRunning(newServer), "the server process outlived its supervisor");
    }

    [Fact]
    public async Task AnExitTheServerChoosesEndsTheSupervisorWithItsCode()
    {
        var (code, _, err) = await FlintProcess.RunAsync(TimeSpan.FromSeconds(60), "dev", _dir, "--port", "0");
        Assert.Equal(1, code);
        Assert.Contains("[ERROR]", err);
        Assert.DoesNotContain("died", err);
    }

    private static bool IsRunning(int pid)
    {
        try { using var p = Process.GetProcessById(pid); return !p.HasExited; }
        catch (ArgumentException) { return false; }
    }
}
