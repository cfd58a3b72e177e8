using System.Text;
using Flint.JavaScript.Isolates;
using Flint.JavaScript.Tests.Support;

namespace Flint.JavaScript.Tests.Web;

/// <summary>Request and response bodies as streams, in the isolate and across to the host.</summary>
public class BodyStreamTests
{
    [Fact]
    public Task BodiesInTheIsolate() => JsChecks.RunAsync("""
        check("body is one byte stream, the same object each time", async () => {
          const r = new Response("hello world");
          ok(r.body instanceof ReadableStream); eq(r.body, r.body);
          const rd = r.body.getReader({ mode: "byob" });
          eq([...(await rd.read(new Uint8Array(4))).value], [104, 101, 108, 108]);
          eq(new Response(null).body, null);
        });
        check("bodyUsed: not on getReader, yes once read", async () => {
          const r = new Response("x"); r.body.getReader(); eq(r.bodyUsed, false);
          await rejects(r.text(), "TypeError", "This ReadableStream is currently locked to a reader.");
          const s = new Response("y"); await s.body.getReader().read(); eq(s.bodyUsed, true);
          await rejects(s.text(), "TypeError", "Body has already been used. It can only be used once. Use tee() first if you need to read it twice.");
        });
        check("reading a body twice", async () => {
          const r = new Response("a"); eq(await r.text(), "a"); eq(r.bodyUsed, true);
          await rejects(r.text(), "TypeError", "Body has already been used. It can only be used once. Use tee() first if you need to read it twice.");
          await rejects(r.arrayBuffer(), "TypeError", "Body has already been used.");
          const s = new Response(new ReadableStream({ start(c) { c.enqueue(new Uint8Array([1])); c.close(); } }));
          await s.arrayBuffer();
          await rejects(s.bytes(), "TypeError", "Body has already been used.");
          eq(s.body.locked, true, "a consumed body's stream stays locked, as in workerd");
        });
        check("clone of a used body", async () => {
          const r = new Response("x"); await r.text();
          throws(() => r.clone(), "TypeError", "This ReadableStream is currently locked to a reader,");
        });
        check("streams that cannot be bodies", async () => {
          const s = new ReadableStream({ start(c) { c.enqueue(new Uint8Array(1)); } });
          await s.getReader().read();
          throws(() => new Response(s), "TypeError", "This ReadableStream is disturbed (has already been read from), and cannot be used as a body.");
          const t = new ReadableStream(); t.getReader();
          throws(() => new Response(t), "TypeError", "This ReadableStream is locked to a reader, and cannot be used as a body.");
        });
        check("a stream of non-bytes is rejected", async () => {
          await rejects(new Response(new ReadableStream({ start(c) { c.enqueue("str"); c.close(); } })).text(), "TypeError", "This ReadableStream did not return bytes.");
        });
        check("a body stream is read lazily", async () => {
          let pulls = 0;
          const s = new ReadableStream({ pull(c) { pulls++; c.enqueue(new Uint8Array([pulls])); if (pulls === 3) c.close(); } }, { highWaterMark: 0 });
          const r = new Response(s);
          await new Promise((res) => setTimeout(res, 0)); eq(pulls, 0);
          eq([...await r.bytes()], [1, 2, 3]);
        });
        check("clone tees a stream body", async () => {
          const r = new Response(new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode("tee")); c.close(); } }));
          const c = r.clone(); eq(await c.text(), "tee"); eq(await r.text(), "tee");
        });
        check("text, json, bytes of byte streams and transforms", async () => {
          const { readable, writable } = new TransformStream();
          const w = writable.getWriter(); w.write(new TextEncoder().encode('{"a":')); w.write(new TextEncoder().encode("1}")); w.close();
          eq(await new Response(readable).json(), { a: 1 });
        });
        """);

    [Fact]
    public async Task RequestBodyStreamsFromTheHostInChunks()
    {
        using var w = new TestWorker("""
            export default {
              async fetch(req) {
                const reader = req.body.getReader();
                let chunks = 0, total = 0, max = 0;
                for (let r = await reader.read(); !r.done; r = await reader.read()) {
                  ok(r.value instanceof Uint8Array);
                  chunks++; total += r.value.byteLength; max = Math.max(max, r.value.byteLength);
                }
                return Response.json({ chunks, total, max, used: req.bodyUsed });
              }
            };
            function ok(v) { if (!v) throw new Error("not bytes"); }
            """);
        var body = new byte[300_000];
        var r = await w.FetchAsync(method: "POST", body: body);
        Assert.True(r.Status == 200, r.Text + w.Logs.All);
        using var doc = System.Text.Json.JsonDocument.Parse(r.Text);
        Assert.Equal(300_000, doc.RootElement.GetProperty("total").GetInt32());
        Assert.True(doc.RootElement.GetProperty("chunks").GetInt32() >= 5, r.Text);
        Assert.True(doc.RootElement.GetProperty("max").GetInt32() <= 65536, r.Text);
        Assert.True(doc.RootElement.GetProperty("used").GetBoolean());
    }

    [Fact]
    public async Task RequestBodyWithAByobReader()
    {
        using var w = new TestWorker("""
            export default {
              async fetch(req) {
                const reader = req.body.getReader({ mode: "byob" });
                const sizes = []; let buf = new ArrayBuffer(1000);
                for (;;) {
                  const { value, done } = await reader.read(new Uint8Array(buf));
                  if (done) break;
                  sizes.push(value.byteLength); buf = value.buffer;
                }
                return new Response(sizes.reduce((a, b) => a + b, 0) + " " + Math.max(...sizes));
              }
            };
            """);
        var r = await w.FetchAsync(method: "POST", body: new byte[5000]);
        Assert.Equal("5000 1000", r.Text);
    }

    [Fact]
    public async Task EchoingARequestBody()
    {
        using var w = new TestWorker("export default { fetch(req) { return new Response(req.body); } };");
        var body = new byte[1_000_000];
        new Random(1).NextBytes(body);
        var r = await w.FetchAsync(method: "POST", body: body);
        Assert.Equal(200, r.Status);
        Assert.Equal(body, r.Body);
    }

    [Fact]
    public async Task AResponseStreamGeneratedInTheWorker()
    {
        using var w = new TestWorker("""
            export default {
              fetch() {
                let i = 0;
                return new Response(new ReadableStream({
                  pull(c) { if (i === 100) { c.close(); return; } c.enqueue(new TextEncoder().encode(`line ${i++}\n`)); },
                }));
              }
            };
            """);
        var r = await w.FetchAsync();
        var lines = r.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(100, lines.Length);
        Assert.Equal("line 99", lines[^1]);
        Assert.Null(r.Header("content-length"));
    }

    [Fact]
    public async Task ATransformStreamWrittenAfterTheResponseIsReturned()
    {
        using var w = new TestWorker("""
            export default {
              fetch(req, env, ctx) {
                const { readable, writable } = new TransformStream();
                const writer = writable.getWriter();
                ctx.waitUntil((async () => {
                  for (let i = 0; i < 50; i++) await writer.write(new Uint8Array(1000).fill(i));
                  await writer.close();
                })());
                return new Response(readable);
              }
            };
            """);
        var r = await w.FetchAsync();
        Assert.Equal(50_000, r.Body.Length);
        Assert.Equal(49, r.Body[^1]);
    }

    [Fact]
    public async Task AFixedLengthStreamBodyHasAContentLength()
    {
        using var w = new TestWorker("""
            export default {
              fetch(req) {
                const path = new URL(req.url).pathname;
                if (path === "/expected") {
                  return new Response(new ReadableStream({ expectedLength: 5, start(c) { c.enqueue(new TextEncoder().encode("hello")); c.close(); } }));
                }
                const { readable, writable } = path === "/fixed" || path === "/clone" ? new FixedLengthStream(11) : new IdentityTransformStream();
                const writer = writable.getWriter();
                writer.write(new TextEncoder().encode("hello ")); writer.write(new TextEncoder().encode("world")); writer.close();
                const res = new Response(readable);
                if (res.headers.has("content-length")) return new Response("unexpected header");
                return path === "/clone" ? res.clone() : res;
              }
            };
            """);
        var fixedLength = await w.FetchAsync("http://localhost/fixed");
        Assert.Equal("hello world", fixedLength.Text);
        Assert.Equal("11", fixedLength.Header("content-length"));
        var clone = await w.FetchAsync("http://localhost/clone");
        Assert.Equal("hello world", clone.Text);
        Assert.Equal("11", clone.Header("content-length"));
        var expected = await w.FetchAsync("http://localhost/expected");
        Assert.Equal("hello", expected.Text);
        Assert.Equal("5", expected.Header("content-length"));
        var identity = await w.FetchAsync("http://localhost/identity");
        Assert.Equal("hello world", identity.Text);
        Assert.Null(identity.Header("content-length"));
    }

    [Fact]
    public async Task AResponseStreamOfNonBytesFailsTheBody()
    {
        using var w = new TestWorker("""
            export default { fetch() { return new Response(new ReadableStream({ start(c) { c.enqueue("text"); c.close(); } })); } };
            """);
        var ex = await Assert.ThrowsAsync<WorkerException>(() => w.FetchAsync());
        Assert.Contains("This ReadableStream did not return bytes.", ex.Message);
    }

    [Fact]
    public async Task TheHostPullsAResponseStreamAtMostOneChunkAheadOfItsReads()
    {
        using var w = new TestWorker("""
            let pulls = 0, canceled = null;
            export default {
              fetch(req) {
                if (new URL(req.url).pathname === "/state") return Response.json({ pulls, canceled });
                return new Response(new ReadableStream({
                  pull(c) { pulls++; c.enqueue(new Uint8Array(1024)); },
                  cancel(reason) { canceled = String(reason); },
                }, { highWaterMark: 0 }));
              }
            };
            """);
        var response = await w.Pool.FetchAsync(new IncomingRequest { Method = "GET", Url = "http://localhost/", Headers = [] });
        var stream = response.StreamBody!;
        for (var i = 0; i < 3; i++) Assert.Equal(1024, (await stream.ReadAsync())!.Value.Length);
        await Task.Delay(50);
        // Three chunks read, one asked for ahead (made while the last one is written), no more.
        var state = await w.TextAsync("http://localhost/state");
        Assert.Contains("\"pulls\":4", state);
        stream.Cancel();
        await Task.Delay(50);
        state = await w.TextAsync("http://localhost/state");
        Assert.Contains("The stream's reader went away.", state);
    }
}
