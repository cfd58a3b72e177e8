using System.Net;
using System.Text.Json;
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
        _origin.MapGet("/slow", async (CancellationToken ct) => { await Task.Delay(5000, ct); return "late"; });
        await _origin.StartAsync();
        _originUrl = _origin.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    public async Task DisposeAsync() => await _origin.DisposeAsync();

    [Fact]
    public async Task FetchFollowsRedirectsSendsBodiesAndAborts()
    {
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string>
        {
            ["wrangler.toml"] = $"name = \"f\"\nmain = \"index.js\"\ncompatibility_date = \"2025-11-01\"\n[vars]\nORIGIN = \"{_originUrl}\"\n",
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

    [Fact]
    public async Task SubrequestLimitComesFromTheConfig()
    {
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string>
        {
            ["wrangler.toml"] = $"name = \"f\"\nmain = \"index.js\"\ncompatibility_date = \"2025-11-01\"\n[vars]\nORIGIN = \"{_originUrl}\"\n[limits]\nsubrequests = 3\n",
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
}
