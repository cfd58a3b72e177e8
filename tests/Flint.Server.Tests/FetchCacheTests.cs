using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Flint.Server.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Flint.Server.Tests;

/// <summary>
/// fetch() through the cache as Cloudflare documents it (cf.cacheEverything, cacheTtl, cacheKey,
/// cacheTtlByStatus, the default cached extensions and edge TTLs, origin Cache-Control and
/// Set-Cookie, the Request cache option), against a real origin on loopback that counts its hits.
/// </summary>
public class FetchCacheTests : IAsyncLifetime
{
    private WebApplication _origin = null!;
    private string _originUrl = "";
    private readonly ConcurrentDictionary<string, int> _hits = new();
    private readonly ConcurrentDictionary<string, string> _seenCacheControl = new();
    private readonly ConcurrentDictionary<string, string> _seenMethod = new();

    public static TheoryData<string, string> CacheOptionConfigs => new()
    {
        { "wrangler.toml", "run.json" },
        { "wrangler.before-cache-option.toml", "run.before-cache-option.json" },
        { "wrangler.no-store-only.toml", "run.no-store-only.json" },
        { "wrangler.reload.toml", "run.reload.json" },
        { "wrangler.no-cache-disabled.toml", "run.no-cache-disabled.json" },
    };

    /// <summary>
    /// bench/oracle/fetch-cache probes the Request cache option (which values are taken or throw, by
    /// compatibility date and flag, what a copy keeps, what fetch() sends the origin, workerd's
    /// TypeErrors for cacheTtl and cacheControl); recorded from wrangler dev, one file per config.
    /// </summary>
    [Theory]
    [MemberData(nameof(CacheOptionConfigs))]
    public async Task TheCacheOptionAnswersAsWranglerDevDoes(string config, string expected)
    {
        await OracleGolden.AssertSameAsWranglerDevAsync("fetch-cache", isolates: 1, config: config, expectedFile: expected);
    }

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        _origin = builder.Build();
        // Any path: ?cc= sets Cache-Control, ?status= the status, ?cookie=1 a Set-Cookie, ?size= a body of that many bytes.
        _origin.Run(async c =>
        {
            var key = c.Request.Path + c.Request.QueryString;
            var n = _hits.AddOrUpdate(key, 1, (_, v) => v + 1);
            _seenCacheControl[key] = c.Request.Headers.CacheControl.ToString();
            _seenMethod[key] = c.Request.Method;
            var q = c.Request.Query;
            if (q.TryGetValue("cc", out var cc)) c.Response.Headers.CacheControl = cc.ToString();
            if (q.ContainsKey("cookie")) c.Response.Headers.SetCookie = "session=1";
            c.Response.Headers.ETag = "\"v1\"";
            c.Response.StatusCode = q.TryGetValue("status", out var status) ? int.Parse(status!) : 200;
            if (q.TryGetValue("size", out var sizeText))
            {
                var size = int.Parse(sizeText!);
                var chunk = new byte[64 * 1024];
                for (var at = 0; at < size; at += chunk.Length)
                {
                    var len = Math.Min(chunk.Length, size - at);
                    for (var i = 0; i < len; i++) chunk[i] = (byte)((at + i) % 251);
                    await c.Response.Body.WriteAsync(chunk.AsMemory(0, len));
                }
                return;
            }
            await c.Response.WriteAsync($"answer {n} for {key}");
        });
        await _origin.StartAsync();
        _originUrl = _origin.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    public async Task DisposeAsync() => await _origin.DisposeAsync();

    private int Hits(string pathAndQuery) => _hits.GetValueOrDefault(pathAndQuery);

    // fetch(?url, JSON ?init) and what the Worker saw; /match and /put use caches.default; /partial reads one chunk only.
    private const string Worker = """
        export default {
          async fetch(request) {
            const u = new URL(request.url);
            const target = u.searchParams.get("url");
            if (u.pathname === "/match") {
              const hit = await caches.default.match(target);
              return Response.json(hit ? { status: hit.headers.get("cf-cache-status"), body: await hit.text() } : null);
            }
            if (u.pathname === "/put") {
              await caches.default.put(target, new Response("put by the Cache API", { headers: { "cache-control": "max-age=600" } }));
              return new Response("ok");
            }
            const init = JSON.parse(u.searchParams.get("init") ?? "{}");
            const res = await fetch(target, init);
            if (u.pathname === "/partial") {
              const reader = res.body.getReader();
              await reader.read();
              await reader.cancel();
              return Response.json({ cache: res.headers.get("cf-cache-status") });
            }
            if (u.pathname === "/raw") return res;
            const body = await res.text();
            return Response.json({ status: res.status, statusText: res.statusText, cache: res.headers.get("cf-cache-status"),
              age: res.headers.get("age"), setCookie: res.headers.get("set-cookie"), etag: res.headers.get("etag"), body });
          }
        }
        """;

    private static async Task<JsonObject> Fetch(RunningWorker w, string url, string init = "{}", string route = "/")
    {
        var text = await w.GetStringAsync($"{route}?url={Uri.EscapeDataString(url)}&init={Uri.EscapeDataString(init)}");
        return JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>Fetches until the answer is a HIT: the body reaches the cache while it is read, so the entry lands just after.</summary>
    private static async Task<JsonObject> FetchUntilHit(RunningWorker w, string url, string init = "{}")
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var r = await Fetch(w, url, init);
            if ((string?)r["cache"] == "HIT" || DateTime.UtcNow > deadline) return r;
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task DefaultCachedExtensionsAreKeptByTheirOriginHeadersAndOthersGoToTheOrigin()
    {
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string> { ["index.js"] = Worker });

        // A .js file without Cache-Control: the default edge TTL for a 200.
        var first = await Fetch(w, _originUrl + "/static/app.js");
        Assert.Equal("MISS", (string?)first["cache"]);
        Assert.Equal("answer 1 for /static/app.js", (string?)first["body"]);
        var hit = await FetchUntilHit(w, _originUrl + "/static/app.js");
        Assert.Equal("HIT", (string?)hit["cache"]);
        Assert.Equal("answer 1 for /static/app.js", (string?)hit["body"]);
        Assert.Equal("OK", (string?)hit["statusText"]);
        Assert.Equal("\"v1\"", (string?)hit["etag"]);
        Assert.NotNull((string?)hit["age"]);
        Assert.Equal(1, Hits("/static/app.js"));

        // A HEAD that misses asks the origin with a GET and stores the whole response; the Worker gets the head.
        var head = await Fetch(w, _originUrl + "/static/h.js", """{"method":"HEAD"}""");
        Assert.Equal("MISS", (string?)head["cache"]);
        Assert.Equal("", (string?)head["body"]);
        Assert.Equal("GET", _seenMethod["/static/h.js"]);
        var afterHead = await FetchUntilHit(w, _originUrl + "/static/h.js");
        Assert.Equal("answer 1 for /static/h.js", (string?)afterHead["body"]);
        Assert.Equal(1, Hits("/static/h.js"));

        // Not a default cached type (HTML, no extension): every fetch asks the origin.
        await Fetch(w, _originUrl + "/page");
        var again = await Fetch(w, _originUrl + "/page");
        Assert.Null((string?)again["cache"]);
        Assert.Equal(2, Hits("/page"));

        // The origin says not to: no-store, private, max-age=0, a cookie → BYPASS every time.
        foreach (var q in new[] { "?cc=no-store", "?cc=private", "?cc=max-age%3D0", "?cookie=1" })
        {
            var a = await Fetch(w, _originUrl + "/static/style.css" + q);
            var b = await Fetch(w, _originUrl + "/static/style.css" + q);
            Assert.Equal("BYPASS", (string?)a["cache"]);
            Assert.Equal("BYPASS", (string?)b["cache"]);
            Assert.Equal(2, Hits("/static/style.css" + q));
        }
        // A status Cloudflare does not cache by default.
        await Fetch(w, _originUrl + "/static/e.js?status=500");
        var error = await Fetch(w, _originUrl + "/static/e.js?status=500");
        Assert.Equal("MISS", (string?)error["cache"]);
        Assert.Equal(2, Hits("/static/e.js?status=500"));

        // max-age=1: a hit, then past its time an EXPIRED that asks the origin again.
        await Fetch(w, _originUrl + "/static/short.png?cc=max-age%3D1");
        Assert.Equal("HIT", (string?)(await FetchUntilHit(w, _originUrl + "/static/short.png?cc=max-age%3D1"))["cache"]);
        await Task.Delay(2100);
        var expired = await Fetch(w, _originUrl + "/static/short.png?cc=max-age%3D1");
        Assert.Equal("EXPIRED", (string?)expired["cache"]);
        Assert.Equal(2, Hits("/static/short.png?cc=max-age%3D1"));
    }

    [Fact]
    public async Task CfOptionsForceCachingOverrideTheOriginAndChooseTheKey()
    {
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string> { ["index.js"] = Worker });

        // cacheEverything: any file type, by the origin's headers.
        const string everything = """{"cf":{"cacheEverything":true}}""";
        Assert.Equal("MISS", (string?)(await Fetch(w, _originUrl + "/api/a", everything))["cache"]);
        Assert.Equal("HIT", (string?)(await FetchUntilHit(w, _originUrl + "/api/a", everything))["cache"]);
        Assert.Equal(1, Hits("/api/a"));
        // ... but a cookie makes it a MISS every time.
        await Fetch(w, _originUrl + "/api/c?cookie=1", everything);
        Assert.Equal("MISS", (string?)(await Fetch(w, _originUrl + "/api/c?cookie=1", everything))["cache"]);
        Assert.Equal(2, Hits("/api/c?cookie=1"));

        // cacheTtl overrides no-store and drops the stored copy's cookie.
        const string ttl = """{"cf":{"cacheTtl":60}}""";
        var miss = await Fetch(w, _originUrl + "/api/b?cc=no-store&cookie=1", ttl);
        Assert.Equal("MISS", (string?)miss["cache"]);
        Assert.Equal("session=1", (string?)miss["setCookie"]);
        var hit = await FetchUntilHit(w, _originUrl + "/api/b?cc=no-store&cookie=1", ttl);
        Assert.Equal("HIT", (string?)hit["cache"]);
        Assert.Null((string?)hit["setCookie"]);
        Assert.Equal(1, Hits("/api/b?cc=no-store&cookie=1"));

        // A negative cacheTtl: not cached; 0: expires at once. Both ask the origin every time.
        foreach (var (value, status) in new[] { ("-1", "BYPASS"), ("0", "MISS") })
        {
            var init = "{\"cf\":{\"cacheTtl\":" + value + "}}";
            await Fetch(w, _originUrl + "/api/t" + value, init);
            await Task.Delay(100);
            Assert.Equal(status, (string?)(await Fetch(w, _originUrl + "/api/t" + value, init))["cache"]);
            Assert.Equal(2, Hits("/api/t" + value));
        }

        // cacheTtlByStatus: a matching range decides; a negative value is not cached.
        const string byStatus = """{"cf":{"cacheTtlByStatus":{"200-299":60,"404":-1,"500-599":0}}}""";
        Assert.Equal("HIT", (string?)(await FetchUntilHit(w, _originUrl + "/api/s?cc=no-store", byStatus))["cache"]);
        Assert.Equal(1, Hits("/api/s?cc=no-store"));
        await Fetch(w, _originUrl + "/api/s?status=404", byStatus);
        var notFound = await Fetch(w, _originUrl + "/api/s?status=404", byStatus);
        Assert.Equal(404, (int)notFound["status"]!);
        Assert.Equal("BYPASS", (string?)notFound["cache"]);
        Assert.Equal(2, Hits("/api/s?status=404"));

        // cacheKey: another URL with the same key is answered by the first one's entry.
        Assert.Equal("HIT", (string?)(await FetchUntilHit(w, _originUrl + "/api/k1", """{"cf":{"cacheTtl":60,"cacheKey":"shared"}}"""))["cache"]);
        var other = await Fetch(w, _originUrl + "/api/k2", """{"cf":{"cacheTtl":60,"cacheKey":"shared"}}""");
        Assert.Equal("HIT", (string?)other["cache"]);
        Assert.Equal("answer 1 for /api/k1", (string?)other["body"]);
        Assert.Equal(0, Hits("/api/k2"));

        // Only GET and HEAD go through the cache; a HEAD is answered from the entry.
        var post = await Fetch(w, _originUrl + "/api/a", """{"method":"POST","body":"x","cf":{"cacheEverything":true}}""");
        Assert.Equal("DYNAMIC", (string?)post["cache"]);
        Assert.Equal(2, Hits("/api/a"));
        var head = await Fetch(w, _originUrl + "/api/a", """{"method":"HEAD","cf":{"cacheEverything":true}}""");
        Assert.Equal("HIT", (string?)head["cache"]);
        Assert.Equal("", (string?)head["body"]);
        Assert.Equal(2, Hits("/api/a"));
    }

    [Fact]
    public async Task TheCacheOptionBypassesOrRevalidatesAndTheCacheIsSharedWithCachesDefault()
    {
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string> { ["index.js"] = Worker });
        var url = _originUrl + "/lib/a.js";
        Assert.Equal("HIT", (string?)(await FetchUntilHit(w, url))["cache"]);
        Assert.Equal(1, Hits("/lib/a.js"));

        // no-store: past the cache (the entry stays), and the origin is told no-cache.
        var noStore = await Fetch(w, url, """{"cache":"no-store"}""");
        Assert.Equal("BYPASS", (string?)noStore["cache"]);
        Assert.Equal("answer 2 for /lib/a.js", (string?)noStore["body"]);
        Assert.Equal("no-cache", _seenCacheControl["/lib/a.js"]);
        // no-cache: the origin is asked each time and its answer stored.
        var noCache = await Fetch(w, url, """{"cache":"no-cache"}""");
        Assert.Equal("MISS", (string?)noCache["cache"]);
        Assert.Equal(3, Hits("/lib/a.js"));
        var later = await FetchUntilHit(w, url);
        Assert.Equal("answer 3 for /lib/a.js", (string?)later["body"]);

        // caches.default sees what fetch() stored, and fetch() is answered by what caches.default.put() stored.
        var matched = JsonNode.Parse(await w.GetStringAsync($"/match?url={Uri.EscapeDataString(url)}"))!;
        Assert.Equal("HIT", (string?)matched["status"]);
        Assert.Equal("answer 3 for /lib/a.js", (string?)matched["body"]);
        var putUrl = _originUrl + "/lib/put.js";
        await w.GetStringAsync($"/put?url={Uri.EscapeDataString(putUrl)}");
        var fromPut = await Fetch(w, putUrl);
        Assert.Equal("HIT", (string?)fromPut["cache"]);
        Assert.Equal("put by the Cache API", (string?)fromPut["body"]);
        Assert.Equal(0, Hits("/lib/put.js"));
    }

    [Fact]
    public async Task ALargeBodyIsStreamedIntoTheCacheAndOneNotReadToItsEndIsNotStored()
    {
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string> { ["index.js"] = Worker });
        const int size = 5 * 1024 * 1024 + 13;
        var url = $"{_originUrl}/files/big.bin?size={size}";
        string Raw(string u) => $"/raw?url={Uri.EscapeDataString(u)}&init=%7B%7D";

        // Returned as is, the body is piped to the client and into the cache.
        var first = await w.Client.GetAsync(Raw(url));
        Assert.Equal("MISS", first.Headers.GetValues("cf-cache-status").Single());
        AssertPattern(await first.Content.ReadAsByteArrayAsync(), size);
        HttpResponseMessage hit = first;
        for (var deadline = DateTime.UtcNow.AddSeconds(15); DateTime.UtcNow < deadline;)
        {
            hit = await w.Client.GetAsync(Raw(url));
            if (hit.Headers.GetValues("cf-cache-status").Single() == "HIT") break;
            await hit.Content.ReadAsByteArrayAsync();
            await Task.Delay(50);
        }
        Assert.Equal("HIT", hit.Headers.GetValues("cf-cache-status").Single());
        AssertPattern(await hit.Content.ReadAsByteArrayAsync(), size);
        Assert.Equal(1, Hits($"/files/big.bin?size={size}"));

        // Cancelled after one chunk: nothing is stored, the next fetch asks the origin again.
        var partialUrl = $"{_originUrl}/files/partial.bin?size={size}";
        var partial = JsonNode.Parse(await w.GetStringAsync($"/partial?url={Uri.EscapeDataString(partialUrl)}&init=%7B%7D"))!;
        Assert.Equal("MISS", (string?)partial["cache"]);
        await Task.Delay(300);
        var next = await w.Client.GetAsync(Raw(partialUrl));
        Assert.Equal("MISS", next.Headers.GetValues("cf-cache-status").Single());
        AssertPattern(await next.Content.ReadAsByteArrayAsync(), size);
        Assert.Equal(2, Hits($"/files/partial.bin?size={size}"));
    }

    private static void AssertPattern(byte[] bytes, int size)
    {
        Assert.Equal(size, bytes.Length);
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] != (byte)(i % 251)) Assert.Fail($"byte {i} is {bytes[i]}, not {i % 251}");
        }
    }
}
