using System.Net;
using System.Net.Http.Headers;
using Flint.Server.Tests.Support;

namespace Flint.Server.Tests;

/// <summary>The Cache API through a real Worker over HTTP, with the cache's files on disk.</summary>
public class CacheHttpTests
{
    /// <summary>
    /// bench/oracle/cache probes ~110 Cache API behaviours (what is stored and for how long,
    /// conditional and range matches, errors, namespaces); its expected answers were recorded from
    /// wrangler dev with bench/oracle.sh. Flint must give the same JSON.
    /// </summary>
    [Fact]
    public async Task AnswersAsWranglerDevDoesOnTheCacheOracle()
    {
        await OracleGolden.AssertSameAsWranglerDevAsync("cache");
    }

    // A read-through cache in front of a generated "origin" response, as Workers use it.
    private const string ReadThrough = """
        export default {
          async fetch(request, env, ctx) {
            const url = new URL(request.url);
            const cache = url.searchParams.has("ns") ? await caches.open(url.searchParams.get("ns")) : caches.default;
            if (request.method === "DELETE") return new Response(String(await cache.delete("https://flint.test" + url.pathname)));
            const key = new Request("https://flint.test" + url.pathname, { headers: request.headers });
            const hit = await cache.match(key);
            if (hit) return hit;
            const size = Number(url.searchParams.get("size") ?? "5");
            const body = new Uint8Array(size).fill(97);
            const response = new Response(body, { headers: { "cache-control": "max-age=3600", "etag": '"e1"', "x-made": String(Date.now()) } });
            ctx.waitUntil(cache.put(key, response.clone()));
            return response;
          }
        }
        """;

    [Fact]
    public async Task AHitIsServedFromTheCacheWithItsHeadersAndSurvivesARestart()
    {
        var dir = RunningWorker.WriteFiles(new Dictionary<string, string> { ["index.js"] = ReadThrough, ["wrangler.toml"] = "name = \"c\"\nmain = \"index.js\"\ncompatibility_date = \"2025-11-01\"\n" });
        try
        {
            string made;
            var big = 3 * 1024 * 1024 + 7; // several chunks, streamed from the file
            await using (var w = await RunningWorker.StartInAsync(dir))
            {
                var first = await w.Client.GetAsync("/page");
                Assert.False(first.Headers.Contains("cf-cache-status"));
                var hit = await WaitForHitAsync(w, "/page");
                Assert.Equal("aaaaa", await hit.Content.ReadAsStringAsync());
                made = hit.Headers.GetValues("x-made").Single();
                Assert.Equal(made, (await w.Client.GetAsync("/page")).Headers.GetValues("x-made").Single());

                await w.Client.GetAsync($"/big?size={big}");
                var bigHit = await WaitForHitAsync(w, $"/big?size={big}");
                var bytes = await bigHit.Content.ReadAsByteArrayAsync();
                Assert.Equal(big, bytes.Length);
                Assert.All(bytes, b => Assert.Equal((byte)'a', b));

                // Conditional and range requests are answered by cache.match() itself.
                var conditional = new HttpRequestMessage(HttpMethod.Get, "/page");
                conditional.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"e1\""));
                Assert.Equal(HttpStatusCode.NotModified, (await w.Client.SendAsync(conditional)).StatusCode);
                var range = new HttpRequestMessage(HttpMethod.Get, $"/big?size={big}");
                range.Headers.Range = new RangeHeaderValue(big - 3, null);
                var partial = await w.Client.SendAsync(range);
                Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
                Assert.Equal("aaa", await partial.Content.ReadAsStringAsync());
            }
            Assert.True(Directory.Exists(Path.Combine(dir, ".flint", "cache")), "the cache lives in .flint/cache beside the config");

            await using (var w = await RunningWorker.StartInAsync(dir))
            {
                var hit = await w.Client.GetAsync("/page");
                Assert.Equal("HIT", hit.Headers.GetValues("cf-cache-status").Single());
                Assert.Equal(made, hit.Headers.GetValues("x-made").Single());
                var deleted = await w.Client.DeleteAsync("/page");
                Assert.Equal("true", await deleted.Content.ReadAsStringAsync());
                Assert.False((await w.Client.GetAsync("/page")).Headers.Contains("cf-cache-status"));
            }
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public async Task NamedCachesAreSeparate()
    {
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string> { ["index.js"] = ReadThrough });
        await w.Client.GetAsync("/p?ns=a");
        await WaitForHitAsync(w, "/p?ns=a");
        Assert.False((await w.Client.GetAsync("/p?ns=b")).Headers.Contains("cf-cache-status"));
        Assert.False((await w.Client.GetAsync("/p")).Headers.Contains("cf-cache-status"));
    }

    /// <summary>The put runs in waitUntil after the response: poll until it landed.</summary>
    private static async Task<HttpResponseMessage> WaitForHitAsync(RunningWorker w, string path)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var response = await w.Client.GetAsync(path);
            if (response.Headers.TryGetValues("cf-cache-status", out var status) && status.Single() == "HIT") return response;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{path} never became a cache hit.");
            await Task.Delay(20);
        }
    }
}
