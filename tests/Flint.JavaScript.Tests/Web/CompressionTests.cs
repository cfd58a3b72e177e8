using Flint.JavaScript.Tests.Support;

namespace Flint.JavaScript.Tests.Web;

// Expected values were taken from workerd (compatibility date 2025-11-01).
public class CompressionTests
{
    private const string Helpers = """
        const collect = async (rs) => { const r = rs.getReader(); const c = []; for (;;) { const { value, done } = await r.read(); if (done) break; c.push(...value); } return c; };
        const run = async (Cls, fmt, chunks) => {
          const s = new Cls(fmt); const w = s.writable.getWriter(); const p = collect(s.readable);
          for (const c of chunks) await w.write(c);
          await w.close(); return p;
        };
        const enc = (s) => new TextEncoder().encode(s);
        const dec = (a) => new TextDecoder().decode(new Uint8Array(a));
        """;

    [Fact]
    public Task CompressionStreamsMatchWorkerd() => JsChecks.RunAsync(Helpers + """
        check("formats and shape", () => {
          throws(() => new CompressionStream("br"), "TypeError", "The compression format must be either 'deflate', 'deflate-raw' or 'gzip'.");
          throws(() => new DecompressionStream("x"), "TypeError", "The compression format must be either 'deflate', 'deflate-raw' or 'gzip'.");
          throws(() => new CompressionStream(), "TypeError", "Failed to construct 'CompressionStream': constructor parameter 1 is not of type 'string'.");
          const s = new CompressionStream("gzip");
          eq([s.readable.constructor.name, s.writable.constructor.name, Object.prototype.toString.call(s)], ["ReadableStream", "WritableStream", "[object CompressionStream]"]);
          eq(Object.getOwnPropertyNames(CompressionStream.prototype), ["constructor"]);
          ok(s instanceof TransformStream);
        });
        check("gzip header and empty streams", async () => {
          eq((await run(CompressionStream, "gzip", [enc("hello")])).slice(0, 4), [31, 139, 8, 0]);
          const empty = await run(CompressionStream, "gzip", []);
          eq([empty.length, empty[0], empty[1]], [20, 31, 139]);
          eq(await run(CompressionStream, "deflate-raw", []), [3, 0]);
        });
        check("round trips in every format", async () => {
          for (const fmt of ["gzip", "deflate", "deflate-raw"]) {
            const c = await run(CompressionStream, fmt, [enc("hello "), enc("world")]);
            eq(dec(await run(DecompressionStream, fmt, [new Uint8Array(c)])), "hello world", fmt);
          }
          eq((await run(CompressionStream, "deflate", [enc("hello")])).slice(0, 2), [120, 156]);
          eq(dec(await run(DecompressionStream, "deflate-raw", [new Uint8Array([203, 72, 205, 201, 201, 7, 0])])), "hello");
          eq(dec(await run(DecompressionStream, "deflate", [new Uint8Array([120, 156, 203, 72, 205, 201, 201, 7, 0, 6, 44, 2, 21])])), "hello");
        });
        check("chunks may be strings and any BufferSource, not other values", async () => {
          eq(dec(await run(DecompressionStream, "gzip", [new Uint8Array(await run(CompressionStream, "gzip", ["abc"]))])), "abc");
          ok((await run(CompressionStream, "gzip", [new ArrayBuffer(2)])).length > 0);
          ok((await run(CompressionStream, "gzip", [new DataView(new ArrayBuffer(2))])).length > 0);
          await rejects(run(CompressionStream, "gzip", [5]), "TypeError", "This TransformStream is being used as a byte stream, but received an object of non-ArrayBuffer/ArrayBufferView type on its writable side.");
        });
        check("bad input errors", async () => {
          await rejects(run(DecompressionStream, "gzip", [new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])]), "TypeError", "Decompression failed.");
          const c = await run(CompressionStream, "gzip", [enc("hello world")]);
          await rejects(run(DecompressionStream, "gzip", [new Uint8Array(c.slice(0, c.length - 4))]), "TypeError", "Called close() on a decompression stream with incomplete data");
          await rejects(run(DecompressionStream, "gzip", [new Uint8Array([...c, 1, 2, 3])]), "TypeError", "Trailing bytes after end of compressed data");
          await rejects(run(DecompressionStream, "gzip", [new Uint8Array(c), new Uint8Array([1])]), "TypeError", "Trailing bytes after end of compressed data");
          await rejects(run(DecompressionStream, "gzip", [new Uint8Array([...c, ...c])]), "TypeError", "Trailing bytes after end of compressed data");
          const d = await run(CompressionStream, "deflate", [enc("hello world")]);
          await rejects(run(DecompressionStream, "deflate", [new Uint8Array([...d, 1, 2, 3])]), "TypeError", "Trailing bytes after end of compressed data");
          await rejects(run(DecompressionStream, "gzip", []), "TypeError", "Called close() on a decompression stream with incomplete data");
        });
        check("large and highly compressible data, byte by byte input", async () => {
          const big = new Uint8Array(3_000_000).fill(65);
          const c = await run(CompressionStream, "gzip", [big]);
          ok(c.length < 10000, "compresses: " + c.length);
          const s = new DecompressionStream("gzip"); const w = s.writable.getWriter();
          const reading = (async () => { let total = 0, max = 0; const r = s.readable.getReader(); for (;;) { const { value, done } = await r.read(); if (done) return [total, max <= 65536]; total += value.length; max = Math.max(max, value.length); } })();
          await w.write(new Uint8Array(c)); await w.close();
          eq(await reading, [3_000_000, true]);
          const random = crypto.getRandomValues(new Uint8Array(20_000));
          const rc = await run(CompressionStream, "deflate-raw", [random.subarray(0, 10_000), random.subarray(10_000)]);
          const back = await run(DecompressionStream, "deflate-raw", Array.from(rc, (b) => new Uint8Array([b])));
          eq(back.length, 20_000); ok(back.every((b, i) => b === random[i]), "same bytes");
        });
        check("a small chunk that inflates a lot is handed out as the reader asks (no bomb)", async () => {
          const c = new Uint8Array(await run(CompressionStream, "gzip", [new Uint8Array(16 * 1024 * 1024)]));
          ok(c.length < 40_000, "compresses: " + c.length);
          const s = new DecompressionStream("gzip"); const w = s.writable.getWriter(); const r = s.readable.getReader();
          let written = false;
          const write = w.write(c).then(() => { written = true; });
          const first = await r.read();
          eq(first.value.length, 65536);
          for (let i = 0; i < 10; i++) await null;
          ok(!written, "the write waits while 16 MB of output is still unread");
          let total = first.value.length;
          while (total < 16 * 1024 * 1024) total += (await r.read()).value.length;
          await write;
          const closing = w.close();
          eq(await r.read(), { value: undefined, done: true });
          await closing;
          eq(total, 16 * 1024 * 1024);
        });
        check("pipeThrough", async () => {
          eq(await new Response(new Response("hello").body.pipeThrough(new CompressionStream("gzip")).pipeThrough(new DecompressionStream("gzip"))).text(), "hello");
        });
        check("cancel releases the codec", async () => {
          for (let i = 0; i < 50; i++) { const s = new CompressionStream("gzip"); await s.readable.cancel("x"); }
          const s = new DecompressionStream("deflate"); await s.writable.abort("y");
        });
        """);
}
