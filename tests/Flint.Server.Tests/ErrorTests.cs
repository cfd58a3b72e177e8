using System.Net;
using Flint.JavaScript.Isolates;
using Flint.Server.Tests.Support;

namespace Flint.Server.Tests;

/// <summary>What happens when a Worker fails: 500s with stacks, clear startup errors, limits.</summary>
[Collection(AloneCollection.Name)] // it judges the memory limit
public class ErrorTests
{
    [Fact]
    public async Task UncaughtExceptionGives500WithStackAndLaterRequestsWork()
    {
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string>
        {
            ["index.js"] = """
                function explode() { throw new Error("boom"); }
                export default {
                  async fetch(request) {
                    const { pathname } = new URL(request.url);
                    if (pathname === "/throw") explode();
                    if (pathname === "/reject") return Promise.reject(new TypeError("rejected"));
                    if (pathname === "/wrong") return "not a response";
                    if (pathname === "/async") { await null; explode(); }
                    return new Response("fine");
                  }
                }
                """,
        });
        var thrown = await w.Client.GetAsync("/throw");
        Assert.Equal(HttpStatusCode.InternalServerError, thrown.StatusCode);
        var body = await thrown.Content.ReadAsStringAsync();
        Assert.Contains("Error: boom", body);
        Assert.Contains("at explode (index.js:1:", body);
        var logged = await w.Logs.WaitForAsync(l => l.Contains("Error: boom"));
        Assert.Contains("index.js:1:", logged);

        Assert.Equal(HttpStatusCode.InternalServerError, (await w.Client.GetAsync("/reject")).StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, (await w.Client.GetAsync("/async")).StatusCode);
        var wrong = await w.Client.GetAsync("/wrong");
        Assert.Contains("did not resolve to 'Response'", await wrong.Content.ReadAsStringAsync());
        Assert.Equal("fine", await w.GetStringAsync("/"));
    }

    [Fact]
    public async Task SyntaxErrorIsReportedAtStartupWithFileAndLine()
    {
        var ex = await Assert.ThrowsAsync<WorkerLoadException>(() => RunningWorker.StartAsync(new Dictionary<string, string>
        {
            ["index.js"] = "import { x } from './other.js';\nexport default { fetch() { return new Response(x) } }",
            ["other.js"] = "export const x = 1;\nlet broken = ;\n",
        }));
        Assert.Contains("SyntaxError", ex.Message);
        Assert.Contains("other.js:2", ex.Message);
    }

    [Fact]
    public async Task MissingModuleAndThrowingTopLevelAreClearErrors()
    {
        var missing = await Assert.ThrowsAsync<WorkerLoadException>(() => RunningWorker.StartAsync(new Dictionary<string, string>
        {
            ["index.js"] = "import x from './nope.js';\nexport default { fetch() { return new Response(x) } }",
        }));
        Assert.Contains("No such module \"nope.js\"", missing.Message);
        Assert.Contains("imported from \"index.js\"", missing.Message);

        var throws = await Assert.ThrowsAsync<WorkerLoadException>(() => RunningWorker.StartAsync(new Dictionary<string, string>
        {
            ["index.js"] = "throw new Error('bad start');\nexport default {}",
        }));
        Assert.Contains("Error: bad start", throws.Message);
        Assert.Contains("index.js:1", throws.Message);
    }

    [Fact]
    public async Task MissingFetchHandlerIs500()
    {
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string>
        {
            ["index.js"] = "export default { scheduled() {} }",
        });
        var r = await w.Client.GetAsync("/");
        Assert.Equal(HttpStatusCode.InternalServerError, r.StatusCode);
        Assert.Contains("Handler does not export a fetch() function.", await r.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task RunawayWorkerIsStoppedAtItsCpuLimitAndReplaced()
    {
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string>
        {
            ["wrangler.toml"] = "name = \"spin\"\nmain = \"index.js\"\ncompatibility_date = \"2025-11-01\"\n[limits]\ncpu_ms = 100\n",
            ["index.js"] = """
                export default {
                  fetch(request) {
                    if (new URL(request.url).pathname === "/spin") { while (true) {} }
                    return new Response("alive");
                  }
                }
                """,
        });
        var spin = await w.Client.GetAsync("/spin");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, spin.StatusCode);
        Assert.Contains("exceeded CPU time limit", await spin.Content.ReadAsStringAsync());
        for (var i = 0; i < 4; i++) Assert.Equal("alive", await w.GetStringAsync("/"));
    }

    [Fact]
    public async Task WorkerThatAllocatesWithoutBoundInOneRequestIsStoppedAtItsMemoryLimit()
    {
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string>
        {
            ["index.js"] = """
                export default {
                  fetch(request) {
                    if (new URL(request.url).pathname === "/hog") {
                      const keep = [];
                      // Not `new Array(n)`: V8 cannot interrupt a loop of those once optimized (see HeapLimit).
                      while (true) keep.push("x".repeat(256) + keep.length);
                    }
                    return new Response("alive");
                  }
                }
                """,
        });
        var hog = await w.Client.GetAsync("/hog");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, hog.StatusCode);
        Assert.Contains("exceeded memory limit", await hog.Content.ReadAsStringAsync());
        for (var i = 0; i < 4; i++) Assert.Equal("alive", await w.GetStringAsync("/"));
    }

    [Fact]
    public async Task WorkerThatLeaksAcrossRequestsIsReplacedOnceOverItsMemoryLimit()
    {
        // Each request keeps about 8 MB; within 128 MB the isolate must be replaced, and the
        // replacement starts with an empty heap (the counter restarts).
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string>
        {
            ["index.js"] = """
                const leak = [];
                export default {
                  fetch() {
                    leak.push(Array.from({ length: 1024 * 1024 }, (_, i) => i + leak.length));
                    return new Response(String(leak.length));
                  }
                }
                """,
        });
        var statuses = new List<HttpStatusCode>();
        var counts = new List<int>();
        for (var i = 0; i < 40; i++)
        {
            var r = await w.Client.GetAsync("/");
            statuses.Add(r.StatusCode);
            if (r.IsSuccessStatusCode) counts.Add(int.Parse(await r.Content.ReadAsStringAsync()));
        }
        Assert.True(counts.Max() < 20, $"the heap grew to {counts.Max()} × 8 MB without the isolate being replaced");
        Assert.Contains(counts.Skip(1).Zip(counts), pair => pair.First < pair.Second);
        await w.Logs.WaitForAsync(l => l.Contains("exceeded memory limit"));
    }

    /// <summary>
    /// A client that sends a malformed chunked body gets a plain 400 (its mistake), not a 500 whose
    /// body is a stack through Flint's built-in JavaScript; stacks never show Flint's own frames.
    /// </summary>
    [Fact]
    public async Task AMalformedChunkedBodyIsAPlain400()
    {
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string>
        {
            ["index.js"] = """
                export default {
                  async fetch(request) {
                    if (new URL(request.url).pathname === "/rethrow") {
                      try { await request.text(); } catch (e) { return new Response(e.stack, { status: 500 }); }
                    }
                    return new Response("got " + (await request.text()).length);
                  }
                }
                """,
        });
        foreach (var path in new[] { "/", "/rethrow" })
        {
            using var socket = new System.Net.Sockets.TcpClient();
            await socket.ConnectAsync(w.Url.Host, w.Url.Port);
            var stream = socket.GetStream();
            await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(
                $"POST {path} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\nZZ\r\nabc\r\n0\r\n\r\n"));
            using var reader = new StreamReader(stream);
            var answer = await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(20));
            Assert.DoesNotContain("flint:builtins", answer);
            Assert.DoesNotContain("[temp]", answer);
            if (path == "/")
            {
                Assert.StartsWith("HTTP/1.1 400 Bad Request", answer);
                Assert.Contains("The request body is malformed", answer);
                Assert.DoesNotContain("    at ", answer);
            }
        }
        await w.Logs.WaitForAsync(l => l.Contains("malformed request body"));
    }
}
