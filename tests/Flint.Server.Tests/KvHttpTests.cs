using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Flint.Server.Tests.Support;

namespace Flint.Server.Tests;

/// <summary>Workers KV through a real Worker over HTTP, with the engine's files on disk.</summary>
public class KvHttpTests
{
    private const string Config = """
        name = "kv"
        main = "index.js"
        compatibility_date = "2025-11-01"
        kv_namespaces = [{ binding = "KV", id = "ns1" }, { binding = "OTHER" }]
        """;

    /// <summary>
    /// bench/oracle/kv probes ~70 KV behaviours (values, errors, shapes); its expected answers were
    /// recorded from wrangler dev with bench/oracle.sh. Flint must give the same JSON.
    /// </summary>
    [Fact]
    public async Task AnswersAsWranglerDevDoesOnTheKvOracle()
    {
        await OracleGolden.AssertSameAsWranglerDevAsync("kv");
    }

    [Fact]
    public async Task NamespacesAreIsolatedAndDataSurvivesARestart()
    {
        var files = new Dictionary<string, string>
        {
            ["wrangler.toml"] = Config,
            ["index.js"] = """
                export default {
                  async fetch(request, env) {
                    const url = new URL(request.url);
                    const key = url.searchParams.get("key");
                    if (request.method === "PUT") { await env.KV.put(key, request.body, { metadata: { by: "put" } }); return new Response("stored"); }
                    if (url.pathname === "/other") return new Response(String(await env.OTHER.get(key)));
                    const { value, metadata } = await env.KV.getWithMetadata(key, "stream");
                    if (value === null) return new Response("missing", { status: 404 });
                    return new Response(value, { headers: { "x-meta": JSON.stringify(metadata) } });
                  }
                }
                """,
        };
        var dir = RunningWorker.WriteFiles(files);
        try
        {
            var big = new byte[3 * 1024 * 1024 + 5];
            Random.Shared.NextBytes(big);
            await using (var w = await RunningWorker.StartInAsync(dir))
            {
                var put = await w.Client.PutAsync("/?key=big", new StreamContent(new MemoryStream(big)));
                Assert.Equal("stored", await put.Content.ReadAsStringAsync());
                Assert.Equal("null", await w.GetStringAsync("/other?key=big"));
            }
            Assert.True(Directory.Exists(Path.Combine(dir, ".flint", "kv", "ns1")), "KV data lives in .flint/kv/<id> beside the config");
            await using (var w = await RunningWorker.StartInAsync(dir))
            {
                using var response = await w.Client.GetAsync("/?key=big", HttpCompletionOption.ResponseHeadersRead);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal("""{"by":"put"}""", response.Headers.GetValues("x-meta").Single());
                Assert.Equal(big, await response.Content.ReadAsByteArrayAsync());
                Assert.Equal(HttpStatusCode.NotFound, (await w.Client.GetAsync("/?key=nope")).StatusCode);
            }
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public async Task ConcurrentRequestsWriteWithoutLockErrors()
    {
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string>
        {
            ["wrangler.toml"] = Config,
            ["index.js"] = """
                export default {
                  async fetch(request, env) {
                    const n = new URL(request.url).searchParams.get("n");
                    await env.KV.put("k" + n, "v" + n);
                    return new Response(await env.KV.get("k" + n));
                  }
                }
                """,
        });
        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => w.GetStringAsync($"/?n={i}")));
        Assert.Equal(Enumerable.Range(0, 200).Select(i => $"v{i}"), results);
    }
}
