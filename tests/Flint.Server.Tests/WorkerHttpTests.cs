using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Flint.Server.Tests.Support;

namespace Flint.Server.Tests;

/// <summary>Module Workers served over real HTTP on 127.0.0.1.</summary>
public class WorkerHttpTests
{
    [Fact]
    public async Task HelloExampleAnswers()
    {
        var example = Path.Combine(RepoRoot.Path, "examples", "hello");
        await using var w = await RunningWorker.StartInAsync(example);
        var response = await w.Client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // The raw header, as sent; read before the body, whose decoding parses (and re-spaces) it.
        Assert.Equal("text/plain;charset=UTF-8", response.Content.Headers.NonValidated["Content-Type"].ToString());
        Assert.Equal("Hello World!", await response.Content.ReadAsStringAsync());
        var line = await w.Logs.WaitForAsync(l => l.Contains("GET / 200 OK"));
        Assert.Matches(@"GET / 200 OK \(\d+ms\)", line);
    }

    [Fact]
    public async Task WorkerSeesMethodUrlHeadersCfAndClientIp()
    {
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string>
        {
            ["index.js"] = """
                export default {
                  async fetch(request) {
                    return Response.json({
                      method: request.method,
                      url: request.url,
                      custom: request.headers.get("X-CUSTOM"),
                      ip: request.headers.get("cf-connecting-ip"),
                      colo: request.cf.colo,
                      country: request.cf.country,
                      body: await request.text(),
                    });
                  }
                }
                """,
        });
        using var req = new HttpRequestMessage(HttpMethod.Put, "/a/b?x=1&y=%20") { Content = new StringContent("payload") };
        req.Headers.Add("x-custom", "yes");
        var response = await w.Client.SendAsync(req);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("PUT", json.GetProperty("method").GetString());
        Assert.Equal($"{w.Url.ToString().TrimEnd('/')}/a/b?x=1&y=%20", json.GetProperty("url").GetString());
        Assert.Equal("yes", json.GetProperty("custom").GetString());
        Assert.Equal("127.0.0.1", json.GetProperty("ip").GetString());
        Assert.Equal("DFW", json.GetProperty("colo").GetString());
        Assert.Equal("US", json.GetProperty("country").GetString());
        Assert.Equal("payload", json.GetProperty("body").GetString());
    }

    [Fact]
    public async Task LargeUploadIsReadChunkByChunk()
    {
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string>
        {
            ["index.js"] = """
                export default {
                  async fetch(request) {
                    let bytes = 0, chunks = 0, sum = 0;
                    for await (const chunk of request.body) { bytes += chunk.byteLength; chunks++; sum = (sum + chunk[0]) % 65536; }
                    return Response.json({ bytes, chunks });
                  }
                }
                """,
        });
        const int size = 32 * 1024 * 1024;
        var content = new StreamContent(new PatternStream(size));
        var response = await w.Client.PostAsync("/", content);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(size, json.GetProperty("bytes").GetInt32());
        Assert.True(json.GetProperty("chunks").GetInt32() > 100, "the body should arrive in many chunks, not buffered whole");
    }

    [Fact]
    public async Task StreamedResponseArrivesInChunks()
    {
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string>
        {
            ["index.js"] = """
                export default {
                  fetch() {
                    let i = 0;
                    const enc = new TextEncoder();
                    return new Response(new ReadableStream({
                      async pull(c) {
                        if (i === 3) { c.close(); return; }
                        await new Promise((r) => setTimeout(r, 50));
                        c.enqueue(enc.encode(`part${i++};`));
                      },
                    }), { headers: { "x-streamed": "1" } });
                  }
                }
                """,
        });
        using var response = await w.Client.GetAsync("/", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("1", response.Headers.GetValues("x-streamed").Single());
        Assert.Null(response.Content.Headers.ContentLength);
        using var stream = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[100];
        var first = await stream.ReadAsync(buffer);
        Assert.Equal("part0;", Encoding.UTF8.GetString(buffer, 0, first));
        var rest = await new StreamReader(stream).ReadToEndAsync();
        Assert.Equal("part1;part2;", rest);
    }

    [Fact]
    public async Task BytesJsonRedirectHeadAndNullBodies()
    {
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string>
        {
            ["index.js"] = """
                export default {
                  fetch(request) {
                    const { pathname } = new URL(request.url);
                    if (pathname === "/bytes") return new Response(new Uint8Array([1, 2, 3]));
                    if (pathname === "/json") return Response.json({ a: 1 }, { status: 201, headers: { "x-a": "b" } });
                    if (pathname === "/redirect") return Response.redirect("https://example.com/x", 301);
                    if (pathname === "/empty") return new Response(null, { status: 204 });
                    if (pathname === "/cookies") {
                      const h = new Headers();
                      h.append("set-cookie", "a=1"); h.append("set-cookie", "b=2");
                      return new Response("ok", { headers: h, status: 299, statusText: "Custom" });
                    }
                    return new Response("body for head");
                  }
                }
                """,
        });
        var bytes = await w.Client.GetByteArrayAsync("/bytes");
        Assert.Equal(new byte[] { 1, 2, 3 }, bytes);

        var json = await w.Client.GetAsync("/json");
        Assert.Equal(HttpStatusCode.Created, json.StatusCode);
        Assert.Equal("application/json", json.Content.Headers.ContentType!.MediaType);
        Assert.Equal("b", json.Headers.GetValues("x-a").Single());
        Assert.Equal("{\"a\":1}", await json.Content.ReadAsStringAsync());

        using var noRedirect = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = w.Url };
        var redirect = await noRedirect.GetAsync("/redirect");
        Assert.Equal(HttpStatusCode.MovedPermanently, redirect.StatusCode);
        Assert.Equal("https://example.com/x", redirect.Headers.Location!.ToString());

        var empty = await w.Client.GetAsync("/empty");
        Assert.Equal(HttpStatusCode.NoContent, empty.StatusCode);

        var cookies = await w.Client.GetAsync("/cookies");
        Assert.Equal(299, (int)cookies.StatusCode);
        Assert.Equal("Custom", cookies.ReasonPhrase);
        Assert.Equal(["a=1", "b=2"], cookies.Headers.GetValues("set-cookie").ToArray());

        using var head = new HttpRequestMessage(HttpMethod.Head, "/");
        var headResponse = await w.Client.SendAsync(head);
        Assert.Equal(HttpStatusCode.OK, headResponse.StatusCode);
        Assert.Equal(13, headResponse.Content.Headers.ContentLength);
        Assert.Empty(await headResponse.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task VarsSecretsAndOverrides()
    {
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string>
        {
            ["wrangler.toml"] = """
                name = "vars"
                main = "index.js"
                compatibility_date = "2025-11-01"
                [vars]
                PLAIN = "text"
                NUMBER = 42
                OBJ = { nested = [1, 2] }
                OVERRIDDEN = "from file"
                """,
            [".dev.vars"] = "SECRET=shh\n",
            ["index.js"] = "export default { fetch(r, env) { return Response.json(env) } }",
        }, vars: new Dictionary<string, string> { ["OVERRIDDEN"] = "from cli" });
        var json = JsonDocument.Parse(await w.GetStringAsync("/")).RootElement;
        Assert.Equal("text", json.GetProperty("PLAIN").GetString());
        Assert.Equal(42, json.GetProperty("NUMBER").GetInt32());
        Assert.Equal(2, json.GetProperty("OBJ").GetProperty("nested")[1].GetInt32());
        Assert.Equal("shh", json.GetProperty("SECRET").GetString());
        Assert.Equal("from cli", json.GetProperty("OVERRIDDEN").GetString());
    }

    [Fact]
    public async Task MultipleModulesOfEveryType()
    {
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string>
        {
            ["index.js"] = """
                import { add } from "./lib/math.js";
                import text from "./data/hello.txt";
                import data from "./data/blob.bin";
                import cjs from "./legacy.cjs";
                import { WorkerEntrypoint, env } from "cloudflare:workers";
                export default {
                  async fetch() {
                    const { late } = await import("./lib/late.js");
                    return Response.json({
                      sum: add(2, 3), text, dataLength: data.byteLength, cjs: cjs.value, late,
                      entry: typeof WorkerEntrypoint, envHasVar: typeof env,
                    });
                  }
                }
                """,
            ["lib/math.js"] = "export const add = (a, b) => a + b;",
            ["lib/late.js"] = "export const late = 'dynamic';",
            ["data/hello.txt"] = "hi there",
            ["data/blob.bin"] = "12345",
            ["legacy.cjs"] = "const helper = require('./helper.cjs'); module.exports = { value: helper.twice(21) };",
            ["helper.cjs"] = "exports.twice = (n) => n * 2;",
        });
        var json = JsonDocument.Parse(await w.GetStringAsync("/")).RootElement;
        Assert.Equal(5, json.GetProperty("sum").GetInt32());
        Assert.Equal("hi there", json.GetProperty("text").GetString());
        Assert.Equal(5, json.GetProperty("dataLength").GetInt32());
        Assert.Equal(42, json.GetProperty("cjs").GetInt32());
        Assert.Equal("dynamic", json.GetProperty("late").GetString());
        Assert.Equal("function", json.GetProperty("entry").GetString());
        Assert.Equal("object", json.GetProperty("envHasVar").GetString());
    }

    [Fact]
    public async Task WorkerEntrypointClassAndServiceWorkerForm()
    {
        await using (var w = await RunningWorker.StartAsync(new Dictionary<string, string>
        {
            ["index.js"] = """
                import { WorkerEntrypoint } from "cloudflare:workers";
                export default class extends WorkerEntrypoint {
                  async fetch(request) { return new Response(`class:${this.env.NAME}:${typeof this.ctx.waitUntil}`); }
                }
                """,
            ["wrangler.toml"] = "name = \"cls\"\nmain = \"index.js\"\ncompatibility_date = \"2025-11-01\"\n[vars]\nNAME = \"n\"\n",
        }))
        {
            Assert.Equal("class:n:function", await w.GetStringAsync("/"));
        }

        await using (var w = await RunningWorker.StartAsync(new Dictionary<string, string>
        {
            ["index.js"] = """
                addEventListener("fetch", (event) => {
                  event.respondWith(new Response("sw:" + NAME + ":" + new URL(event.request.url).pathname));
                });
                """,
            ["wrangler.toml"] = "name = \"sw\"\nmain = \"index.js\"\ncompatibility_date = \"2025-11-01\"\n[vars]\nNAME = \"v\"\n",
        }))
        {
            Assert.Equal("sw:v:/p", await w.GetStringAsync("/p"));
        }
    }

    [Fact]
    public async Task WaitUntilRunsAfterTheResponse()
    {
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string>
        {
            ["index.js"] = """
                let done = [];
                export default {
                  fetch(request, env, ctx) {
                    const { pathname } = new URL(request.url);
                    if (pathname === "/done") return Response.json(done);
                    ctx.waitUntil(new Promise((r) => setTimeout(r, 100)).then(() => { done.push(pathname); console.log("waited", pathname); }));
                    ctx.waitUntil(Promise.reject(new Error("background failure")));
                    return new Response("sent");
                  }
                }
                """,
        });
        // One isolate per core; pin to one by asking the same one until the work is visible.
        Assert.Equal("sent", await w.GetStringAsync("/a"));
        await w.Logs.WaitForAsync(l => l.Contains("waited /a"));
        await w.Logs.WaitForAsync(l => l.Contains("background failure"));
    }
}

/// <summary>A stream of <paramref name="length"/> bytes made on the fly, so a test can upload lots without holding it.</summary>
internal sealed class PatternStream(long length) : Stream
{
    private long _position;
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => length;
    public override long Position { get => _position; set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count)
    {
        var n = (int)Math.Min(count, length - _position);
        for (var i = 0; i < n; i++) buffer[offset + i] = (byte)((_position + i) % 251);
        _position += n;
        return n;
    }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

internal static class RepoRoot
{
    public static string Path { get; } = Find();
    private static string Find()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "Flint.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Flint.slnx not found above the test directory.");
    }
}
