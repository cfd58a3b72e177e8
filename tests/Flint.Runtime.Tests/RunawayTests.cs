using System.Diagnostics;
using System.Text.RegularExpressions;
using Flint.Runtime.Tests.Support;

namespace Flint.Runtime.Tests;

/// <summary>
/// Runaway work V8 does not interrupt by itself (issue 18): builtins that loop in C++/Torque are
/// stopped at the CPU limit, and an allocation loop at the memory limit, instead of minutes later.
/// </summary>
[Collection(AloneCollection.Name)] // its 4.3M-element arrays and memory limit must not share the process's growth with other tests
public sealed partial class RunawayTests
{
    private static Task<TestRuntime> StartAsync(int cpuMs) => TestRuntime.StartAsync(new Dictionary<string, IDictionary<string, string>>
    {
        ["w"] = new Dictionary<string, string>
        {
            ["wrangler.toml"] = $"name = \"w\"\nmain = \"index.js\"\ncompatibility_date = \"2025-11-01\"\n[limits]\ncpu_ms = {cpuMs}\n",
            ["index.js"] = """
                export default {
                  fetch(request) {
                    const p = new URL(request.url).pathname;
                    if (p === "/from") return new Response(String(Array.from({ length: 2 ** 27 }).length));
                    if (p === "/fill") return new Response(String(new Array(2 ** 27).fill(0).length));
                    if (p === "/bytes") { const keep = []; for (;;) keep.push(new Uint8Array(1024 * 1024)); }
                    // Just over the size where the interruptible versions take over; one array per request.
                    const n = 4_300_000;
                    if (p === "/big/from") { const a = Array.from({ length: n }, (_, i) => i); return Response.json([a.length, a[n - 1], Array.isArray(a)]); }
                    if (p === "/big/fill") { const b = new Array(n).fill(1, 1); return Response.json([b.length, b[0], b[1], b[n - 1]]); }
                    if (p === "/big/iterable") { const c = Array.from(new Uint8Array(n).fill(2)); return Response.json([c.length, c[123]]); }
                    if (p === "/small") return Response.json([Array.from({ length: 3 }, (_, i) => i * 2), new Array(4).fill(7), Array.from("abc"), Array.from(new Set([1, 2]))]);
                    return new Response("alive");
                  }
                }
                """,
        },
    });

    [Theory]
    [InlineData("/from")]
    [InlineData("/fill")]
    [InlineData("/bytes")]
    public async Task BuiltinLoopsAndAllocationLoopsAreStoppedAtTheCpuLimit(string path)
    {
        await using var rt = await StartAsync(cpuMs: 50);
        var wall = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<Flint.JavaScript.Isolates.WorkerException>(() => rt.FetchAsync("w", path));
        Assert.Equal("Error: Worker exceeded CPU time limit.", error.Message);
        // It ran 43 s (Array.from) and 72 s (fill) past the limit before; now the event is stopped near it.
        Assert.True(wall.Elapsed < TimeSpan.FromSeconds(15), $"stopped after {wall.Elapsed}");
        var line = rt.Logs.Lines.Single(l => l.Contains("exceeded CPU time limit"));
        var cpu = int.Parse(CpuMs().Match(line).Groups[1].Value);
        Assert.True(cpu < 250, $"stopped after {cpu} ms of CPU time for a 50 ms limit: {line}");
        Assert.Equal("alive", (await rt.FetchAsync("w", "/")).Body);
    }

    [Fact]
    public async Task AllocationLoopIsStoppedAtTheMemoryLimit()
    {
        await using var rt = await StartAsync(cpuMs: 30_000);
        var wall = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<Flint.JavaScript.Isolates.WorkerException>(() => rt.FetchAsync("w", "/bytes"));
        Assert.Equal("Error: Worker exceeded memory limit.", error.Message);
        Assert.True(wall.Elapsed < TimeSpan.FromSeconds(15), $"stopped after {wall.Elapsed}");
        Assert.Equal("alive", (await rt.FetchAsync("w", "/")).Body);
    }

    [Fact]
    public async Task SmallAndLargeInputsGiveTheNativeResults()
    {
        await using var rt = await StartAsync(cpuMs: 30_000);
        Assert.Equal("[[0,2,4],[7,7,7,7],[\"a\",\"b\",\"c\"],[1,2]]", (await rt.FetchAsync("w", "/small")).Body);
        Assert.Equal("[4300000,4299999,true]", (await rt.FetchAsync("w", "/big/from")).Body);
        Assert.Equal("[4300000,null,1,1]", (await rt.FetchAsync("w", "/big/fill")).Body);
        Assert.Equal("[4300000,2]", (await rt.FetchAsync("w", "/big/iterable")).Body);
    }

    [GeneratedRegex(@"stopped after (\d+) ms of CPU time")]
    private static partial Regex CpuMs();
}
