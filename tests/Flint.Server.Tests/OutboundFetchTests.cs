using System.Net;
using System.Text.Json;
using Flint.JavaScript.Web.Network;
using Flint.Server.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Flint.Server.Tests;

/// <summary>A Worker's fetch() against a second Kestrel server on loopback.</summary>
public class OutboundFetchTests : IAsyncLifetime
{
    private WebApplication _origin = null!;
    private string _originUrl = "";

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        _origin = builder.Build();
        _origin.MapGet("/hello", (HttpContext c) => Results.Text($"hello {c.Request.Headers["x-from"]}", "text/plain"));
        _origin.MapPost("/echo", async (HttpContext c) =>
        {
            using var reader = new StreamReader(c.Request.Body);
            return Results.Text($"{c.Request.ContentType}|{await reader.ReadToEndAsync()}");
        });
        _origin.MapGet("/redirect", () => Results.Redirect("/hello"));
        _origin.MapGet("/redirect-to", (string to) => { return Results.Redirect(to); });
        _origin.MapGet("/redirect-raw", (HttpContext c) => { c.Response.StatusCode = 302; c.Response.Headers.Location = "http://[::1"; });
        _origin.MapGet("/slow", async (CancellationToken ct) => { await Task.Delay(5000, ct); return "late"; });
        _origin.MapGet("/big", async (HttpContext c) =>
        {
            // 4 MiB, chunked, in uneven writes.
            c.Response.ContentType = "application/octet-stream";
            var all = BigBody();
            for (var at = 0; at < all.Length;)
            {
                var n = Math.Min(all.Length - at, 100_000 + at % 7777);
                await c.Response.Body.WriteAsync(all.AsMemory(at, n));
                at += n;
            }
        });
        _origin.MapGet("/broken", async (HttpContext c) =>
        {
            // Chunked, and the connection breaks after 256 KiB.
            await c.Response.Body.WriteAsync(new byte[256 * 1024]);
            await c.Response.Body.FlushAsync();
            await Task.Delay(200);
            c.Abort();
        });
        await _origin.StartAsync();
        _originUrl = _origin.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    public async Task DisposeAsync() => await _origin.DisposeAsync();

    /// <summary>A Worker config whose ORIGIN var is the origin server's URL.</summary>
    private string WranglerToml(string more = "") =>
        $"name = \"f\"\nmain = \"index.js\"\ncompatibility_date = \"2025-11-01\"\n[vars]\nORIGIN = \"{_originUrl}\"\n{more}";

    [Fact]
    public async Task FetchFollowsRedirectsSendsBodiesAndAborts()
    {
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string>
        {
            ["wrangler.toml"] = WranglerToml(),
            ["index.js"] = """
                export default {
                  async fetch(request, env) {
                    const o = env.ORIGIN;
                    const hello = await fetch(`${o}/hello`, { headers: { "x-from": "worker" } });
                    const echoed = await fetch(`${o}/echo`, { method: "POST", body: JSON.stringify({ a: 1 }), headers: { "content-type": "application/json" } });
                    const streamed = await fetch(`${o}/echo`, { method: "POST", body: new Blobless("chunked").stream() });
                    const followed = await fetch(`${o}/redirect`);
                    const manual = await fetch(`${o}/redirect`, { redirect: "manual" });
                    let aborted;
                    try { await fetch(`${o}/slow`, { signal: AbortSignal.timeout(100) }); } catch (e) { aborted = e.name; }
                    let refused;
                    try { await fetch("http://127.0.0.1:1/"); } catch (e) { refused = e.constructor.name + ": " + e.message; }
                    let badScheme;
                    try { await fetch("ftp://example.com/"); } catch (e) { badScheme = e.message; }
                    return Response.json({
                      hello: await hello.text(), helloType: hello.headers.get("content-type"), status: hello.status,
                      echoed: await echoed.text(), streamed: await streamed.text(),
                      followed: await followed.text(), redirected: followed.redirected, followedUrl: followed.url,
                      manualStatus: manual.status, manualLocation: manual.headers.get("location"),
                      aborted, refused, badScheme,
                    });
                  }
                }
                class Blobless {
                  constructor(text) { this.text = text; }
                  stream() {
                    const bytes = new TextEncoder().encode(this.text);
                    return new ReadableStream({ start(c) { c.enqueue(bytes.slice(0, 3)); c.enqueue(bytes.slice(3)); c.close(); } });
                  }
                }
                """,
        });
        var json = JsonDocument.Parse(await w.GetStringAsync("/")).RootElement;
        Assert.Equal("hello worker", json.GetProperty("hello").GetString());
        Assert.StartsWith("text/plain", json.GetProperty("helloType").GetString());
        Assert.Equal(200, json.GetProperty("status").GetInt32());
        Assert.Equal("application/json|{\"a\":1}", json.GetProperty("echoed").GetString());
        Assert.Equal("|chunked", json.GetProperty("streamed").GetString());
        Assert.Equal("hello ", json.GetProperty("followed").GetString());
        Assert.True(json.GetProperty("redirected").GetBoolean());
        Assert.EndsWith("/hello", json.GetProperty("followedUrl").GetString());
        Assert.Equal(302, json.GetProperty("manualStatus").GetInt32());
        Assert.Equal("/hello", json.GetProperty("manualLocation").GetString());
        Assert.Equal("TimeoutError", json.GetProperty("aborted").GetString());
        Assert.StartsWith("TypeError: Network connection lost", json.GetProperty("refused").GetString());
        Assert.Equal("Fetch API cannot load: ftp://example.com/", json.GetProperty("badScheme").GetString());
    }

    private const string FetchOriginWorker = """
        export default {
          async fetch(request, env) {
            const path = new URL(request.url).pathname;
            try {
              if (path === "/ws") {
                const ws = new WebSocket(env.ORIGIN.replace("http", "ws") + "/hello");
                return await new Promise((resolve) => {
                  ws.addEventListener("open", () => resolve(new Response("opened")));
                  ws.addEventListener("error", (e) => resolve(new Response(`${e.error?.name}: ${e.error?.message ?? e.message}`)));
                });
              }
              const r = await fetch(`${env.ORIGIN}/hello`, { headers: { "x-from": "worker" } });
              return new Response(await r.text());
            } catch (e) {
              return new Response(`${e.constructor.name}: ${e.message}`);
            }
          },
        };
        """;

    [Fact]
    public async Task AServerPolicyOfPublicAddressesRefusesLoopbackAndSaysWhyInTheLog()
    {
        var hits = 0;
        _origin.Use(async (context, next) => { Interlocked.Increment(ref hits); await next(); });
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string>
        {
            ["wrangler.toml"] = WranglerToml(),
            ["index.js"] = FetchOriginWorker,
        }, outbound: OutboundPolicy.PublicOnly());
        // As workerd with `network = (allow = ["public"])`: an internal error with a reference, and the refused address in the log.
        var answer = await w.GetStringAsync("/");
        Assert.Matches("^Error: internal error; reference = [0-9a-f]{24}$", answer);
        var reference = answer[^24..];
        var port = new Uri(_originUrl).Port;
        var line = await w.Logs.WaitForAsync(l => l.Contains(reference));
        Assert.Contains($"connecting to 127.0.0.1:{port} is not allowed", line);
        Assert.Equal(0, Volatile.Read(ref hits));
    }

    [Fact]
    public async Task TheOutboundAllowListOpensNamedAddresses()
    {
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string>
        {
            ["wrangler.toml"] = WranglerToml(),
            ["index.js"] = FetchOriginWorker,
        }, outbound: OutboundPolicy.PublicOnly(["127.0.0.0/8"]));
        Assert.Equal("hello worker", await w.GetStringAsync("/"));
    }

    [Fact]
    public async Task OutboundWebSocketsFollowThePolicyToo()
    {
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string>
        {
            ["wrangler.toml"] = WranglerToml(),
            ["index.js"] = FetchOriginWorker,
        }, outbound: OutboundPolicy.PublicOnly());
        var answer = await w.GetStringAsync("/ws");
        Assert.Contains("internal error; reference = ", answer);
        Assert.Contains(w.Logs.Lines, l => l.Contains("is not allowed"));
    }

    private static byte[] BigBody()
    {
        var body = new byte[4 * 1024 * 1024];
        new Random(11).NextBytes(body);
        return body;
    }

    [Fact]
    public async Task BodiesPassedOnUnreadArriveWholeOrCutTheConnection()
    {
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string>
        {
            ["wrangler.toml"] = WranglerToml(),
            ["index.js"] = """
                export default {
                  async fetch(request, env) {
                    const path = new URL(request.url).pathname;
                    if (path === "/upload") return fetch(env.ORIGIN + "/echo", { method: "POST", body: request.body, headers: { "content-type": "text/plain" } });
                    const upstream = await fetch(env.ORIGIN + path);
                    if (path === "/big") return upstream;
                    // A new Response around the same unread body, with a header of its own.
                    return new Response(upstream.body, { headers: { "x-proxied": "yes" } });
                  }
                }
                """,
        });
        var big = await w.Client.GetAsync("/big");
        Assert.Equal("application/octet-stream", big.Content.Headers.ContentType?.MediaType);
        var proxied = await big.Content.ReadAsByteArrayAsync();
        Assert.True(BigBody().AsSpan().SequenceEqual(proxied), "the proxied bytes differ");
        var head = await w.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/big"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);

        // An upload passed on unread to the origin (whose answer is passed on too).
        var text = string.Concat(Enumerable.Range(0, 100_000).Select(i => (char)('a' + i % 26)));
        var upload = await w.Client.PostAsync("/upload", new StringContent(text));
        Assert.Equal("text/plain|" + text, await upload.Content.ReadAsStringAsync());

        // The origin breaks midway: the client must see a broken response, not a short one that looks whole.
        var broken = await w.Client.GetAsync("/broken", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("yes", broken.Headers.GetValues("x-proxied").Single());
        await Assert.ThrowsAnyAsync<Exception>(() => broken.Content.ReadAsByteArrayAsync());
        // The Worker goes on serving.
        var again = await w.Client.GetByteArrayAsync("/big");
        Assert.True(BigBody().AsSpan().SequenceEqual(again), "the proxied bytes differ");
    }

    [Fact]
    public async Task SubrequestLimitComesFromTheConfig()
    {
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string>
        {
            ["wrangler.toml"] = WranglerToml("[limits]\nsubrequests = 3\n"),
            ["index.js"] = """
                export default {
                  async fetch(request, env) {
                    const results = [];
                    for (let i = 0; i < 4; i++) {
                      try { results.push((await fetch(`${env.ORIGIN}/hello`)).status); } catch (e) { results.push(`${e.name}: ${e.message}`); }
                    }
                    return Response.json(results);
                  }
                }
                """,
        });
        // Each request gets its own budget.
        for (var round = 0; round < 2; round++)
            Assert.Equal("""[200,200,200,"Error: Too many subrequests."]""", await w.GetStringAsync("/"));
    }

    /// <summary>
    /// A redirect to a URL fetch() cannot load settles the promise as workerd does (checked with
    /// bench/node_modules/.bin/workerd): data:, javascript:, blob:, about: and a malformed Location
    /// are "Invalid Location header" TypeErrors, ftp: (and file:, where workerd fails with an internal
    /// error) a lost connection. None may leave the promise pending or read a local file.
    /// </summary>
    [Fact]
    public async Task ARedirectToASchemeFetchCannotLoadRejects()
    {
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string>
        {
            ["wrangler.toml"] = WranglerToml(),
            ["index.js"] = """
                export default {
                  async fetch(request, env) {
                    const r = {};
                    for (const to of ["file:///etc/passwd", "ftp://127.0.0.1/x", "data:text/plain,hello", "javascript:alert(1)", "about:blank"]) {
                      try { const res = await fetch(env.ORIGIN + "/redirect-to?to=" + encodeURIComponent(to)); r[to] = `${res.status} ${await res.text()}`; }
                      catch (e) { r[to] = `${e.constructor.name}: ${e.message}`; }
                    }
                    try { await fetch(env.ORIGIN + "/redirect-raw"); r.malformed = "followed"; } catch (e) { r.malformed = `${e.constructor.name}: ${e.message}`; }
                    return Response.json(r);
                  }
                }
                """,
        });
        var body = JsonDocument.Parse(await w.GetStringAsync("/")).RootElement;
        const string invalid = "TypeError: Invalid Location header; unable to follow redirect.";
        Assert.StartsWith("TypeError: Network connection lost.", body.GetProperty("file:///etc/passwd").GetString());
        Assert.StartsWith("TypeError: Network connection lost.", body.GetProperty("ftp://127.0.0.1/x").GetString());
        Assert.Equal(invalid, body.GetProperty("data:text/plain,hello").GetString());
        Assert.Equal(invalid, body.GetProperty("javascript:alert(1)").GetString());
        Assert.Equal(invalid, body.GetProperty("about:blank").GetString());
        Assert.Equal(invalid, body.GetProperty("malformed").GetString());
    }

    /// <summary>
    /// A Worker that fetches its own URL (a proxy whose origin points back at itself) is stopped as
    /// Cloudflare stops it: each invocation counts down CF-EW-Via from 16, and at zero the request
    /// gets error 1019 without running the Worker, so the chain ends after 16 hops.
    /// </summary>
    [Fact]
    public async Task AWorkerThatFetchesItselfHitsTheLoopLimit()
    {
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string>
        {
            ["wrangler.toml"] = "name = \"proxy-loop\"\nmain = \"index.js\"\ncompatibility_date = \"2025-11-01\"\n",
            ["index.js"] = """
                export default {
                  async fetch(request) {
                    const url = new URL(request.url);
                    if (url.pathname === "/left") return new Response(String(request.headers.get("cf-ew-via")));
                    // A fresh request, without the incoming headers: the count must still go on.
                    if (url.pathname === "/fresh") return fetch(url.href);
                    return fetch(request);
                  }
                }
                """,
        });
        foreach (var path in new[] { "/", "/fresh" })
        {
            using var response = await w.Client.GetAsync(path);
            Assert.Equal(508, (int)response.StatusCode);
            var body = await response.Content.ReadAsStringAsync();
            Assert.Contains("error code: 1019", body);
            Assert.Contains("proxy-loop", body);
        }
        await w.Logs.WaitForAsync(l => l.Contains("Worker proxy-loop") && l.Contains("loop limit"));
        // 16 invocations per chain, then the refused one: each is one logged request.
        Assert.Equal(2 * 17, w.Logs.Lines.Count(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"GET /(fresh)? \d{3} ")));

        // The count a Worker sees, and a request that arrives with none left.
        Assert.Equal("4", await (await w.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/left") { Headers = { { "CF-EW-Via", "5" } } })).Content.ReadAsStringAsync());
        Assert.Equal("null", await w.GetStringAsync("/left"));
        var refused = await w.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/left") { Headers = { { "CF-EW-Via", "0" } } });
        Assert.Equal(508, (int)refused.StatusCode);
    }
}
