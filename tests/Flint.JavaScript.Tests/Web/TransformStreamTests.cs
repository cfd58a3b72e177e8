using Flint.JavaScript.Tests.Support;

namespace Flint.JavaScript.Tests.Web;

public class TransformStreamTests
{
    [Fact]
    public Task TransformStreamsFollowSpecAndWorkerd() => JsChecks.RunAsync("""
        const tick = () => new Promise((r) => setTimeout(r, 0));
        async function collect(readable) { const out = []; for await (const c of readable) out.push(c); return out; }
        check("identity transform passes chunks through", async () => {
          const ts = new TransformStream(); const w = ts.writable.getWriter();
          w.write("a"); w.write("b"); w.close();
          eq(await collect(ts.readable), ["a", "b"]);
          eq(Object.prototype.toString.call(ts), "[object TransformStream]");
        });
        check("transform and flush with the controller", async () => {
          const ts = new TransformStream({
            transform(chunk, c) { c.enqueue(chunk.toUpperCase()); c.enqueue(chunk.length); },
            flush(c) { c.enqueue("end"); },
          });
          const w = ts.writable.getWriter(); w.write("ab"); w.close();
          eq(await collect(ts.readable), ["AB", 2, "end"]);
        });
        check("start gets the controller; desiredSize reflects the readable side", async () => {
          let c; const ts = new TransformStream({ start(x) { c = x; } }, undefined, { highWaterMark: 2 });
          ok(c instanceof TransformStreamDefaultController); eq(c.desiredSize, 2);
          c.enqueue(1); eq(c.desiredSize, 1);
          throws(() => new TransformStreamDefaultController(), "TypeError", "Illegal constructor");
        });
        check("backpressure: a write waits until the readable side pulls", async () => {
          const ts = new TransformStream(); const w = ts.writable.getWriter();
          let done1 = false, done2 = false;
          eq(w.desiredSize, 1);
          w.write(1).then(() => { done1 = true; }); eq(w.desiredSize, 0);
          w.write(2).then(() => { done2 = true; }); eq(w.desiredSize, -1);
          await tick(); eq([done1, done2], [false, false]);
          const r = ts.readable.getReader(); eq((await r.read()).value, 1);
          await tick(); eq([done1, done2, w.desiredSize], [true, false, 0]);
        });
        check("transform errors error both sides", async () => {
          const ts = new TransformStream({ transform() { throw new RangeError("bad chunk"); } });
          const w = ts.writable.getWriter(); const r = ts.readable.getReader();
          const written = w.write("x"), read = r.read();
          await rejects(written, "RangeError", "bad chunk");
          await rejects(read, "RangeError", "bad chunk");
          await rejects(w.closed, "RangeError");
        });
        check("terminate closes the readable and errors the writable", async () => {
          let c; const ts = new TransformStream({ start(x) { c = x; } });
          c.terminate();
          eq(await ts.readable.getReader().read(), { value: undefined, done: true });
          await rejects(ts.writable.getWriter().write(1), "TypeError", "The transform stream has been terminated");
          throws(() => c.enqueue(1), "TypeError", "The readable side of this TransformStream is no longer readable.");
        });
        check("controller.error", async () => {
          let c; const ts = new TransformStream({ start(x) { c = x; } });
          c.error(new SyntaxError("ts error"));
          await rejects(ts.readable.getReader().read(), "SyntaxError", "ts error");
          await rejects(ts.writable.getWriter().ready, "SyntaxError");
        });
        check("readable cancel errors the writable and calls transformer.cancel", async () => {
          let reason; const ts = new TransformStream({ cancel(r) { reason = r; } });
          await ts.readable.cancel("enough"); eq(reason, "enough");
          try { await ts.writable.getWriter().write(1); ok(false); } catch (e) { eq(e, "enough"); }
        });
        check("writable abort errors the readable", async () => {
          const ts = new TransformStream();
          await ts.writable.abort(new URIError("aborted"));
          await rejects(ts.readable.getReader().read(), "URIError", "aborted");
        });
        check("flush rejection errors the readable and rejects close", async () => {
          const ts = new TransformStream({ flush() { throw new EvalError("flush failed"); } });
          const w = ts.writable.getWriter();
          await rejects(w.close(), "EvalError", "flush failed");
          await rejects(ts.readable.getReader().read(), "EvalError");
        });
        check("constructor checks (a throwing start throws, per spec; not in workerd)", () => {
          throws(() => new TransformStream({ transform: 5 }), "TypeError", "Incorrect type for the 'transform' field on 'Transformer': the provided value is not of type 'function'.");
          throws(() => new TransformStream({ readableType: "bytes" }), undefined, "transformer.readableType must be undefined.");
          throws(() => new TransformStream({ start() { throw new Error("start threw"); } }), "Error", "start threw");
        });
        check("pipeThrough", async () => {
          const src = new ReadableStream({ start(c) { c.enqueue("x"); c.enqueue("y"); c.close(); } });
          const out = src.pipeThrough(new TransformStream({ transform(ch, c) { c.enqueue(ch + ch); } }));
          eq(src.locked, true);
          eq(await collect(out), ["xx", "yy"]);
          throws(() => src.pipeThrough({ readable: 1, writable: new WritableStream() }), "TypeError", "Incorrect type for the 'readable' field on 'Transform': the provided value is not of type 'ReadableStream'.");
        });
        check("pipeTo: closes the destination and resolves", async () => {
          const log = [];
          const src = new ReadableStream({ start(c) { c.enqueue(1); c.enqueue(2); c.close(); } });
          await src.pipeTo(new WritableStream({ write(c) { log.push(c); }, close() { log.push("close"); } }));
          eq(log, [1, 2, "close"]); eq(src.locked, false);
        });
        check("pipeTo: preventClose leaves the destination open", async () => {
          const ws = new WritableStream();
          await new ReadableStream({ start(c) { c.close(); } }).pipeTo(ws, { preventClose: true });
          const w = ws.getWriter(); await w.write("still open");
        });
        check("pipeTo: a source error aborts the destination unless preventAbort", async () => {
          let aborted;
          const err = new RangeError("source failed");
          const p = new ReadableStream({ start(c) { c.error(err); } }).pipeTo(new WritableStream({ abort(r) { aborted = r; } }));
          await rejects(p, "RangeError", "source failed"); eq(aborted, err);
          const ws = new WritableStream({ abort() { aborted = "no"; } });
          await rejects(new ReadableStream({ start(c) { c.error(err); } }).pipeTo(ws, { preventAbort: true }), "RangeError");
          eq(aborted, err); await ws.getWriter().write("usable");
        });
        check("pipeTo: a destination error cancels the source unless preventCancel", async () => {
          let canceled;
          const src = new ReadableStream({ pull(c) { c.enqueue("x"); }, cancel(r) { canceled = r; } });
          const p = src.pipeTo(new WritableStream({ write() { throw new TypeError("dest failed"); } }));
          await rejects(p, "TypeError", "dest failed"); matchError(canceled, "TypeError", "dest failed");
          let canceled2 = false;
          const src2 = new ReadableStream({ pull(c) { c.enqueue("x"); }, cancel() { canceled2 = true; } });
          await rejects(src2.pipeTo(new WritableStream({ write() { throw new TypeError("again"); } }), { preventCancel: true }), "TypeError");
          eq(canceled2, false); eq(src2.locked, false);
        });
        check("pipeTo: a closed destination cancels the source", async () => {
          let canceled;
          const ws = new WritableStream(); await ws.close();
          await rejects(new ReadableStream({ cancel(r) { canceled = r; } }).pipeTo(ws), "TypeError");
          matchError(canceled, "TypeError");
        });
        check("pipeTo: signal aborts the pipe (spec; workerd leaves this pipe pending)", async () => {
          const ac = new AbortController(); let canceled, aborted;
          const src = new ReadableStream({ cancel(r) { canceled = r; } });
          const p = src.pipeTo(new WritableStream({ abort(r) { aborted = r; } }), { signal: ac.signal });
          ac.abort(new Error("user abort"));
          await rejects(p, "Error", "user abort");
          eq(canceled?.message, "user abort"); eq(aborted?.message, "user abort");
          await rejects(new ReadableStream().pipeTo(new WritableStream(), { signal: AbortSignal.abort() }), "AbortError");
        });
        check("pipeTo: backpressure keeps the source from being pulled ahead", async () => {
          let pulls = 0, release;
          const src = new ReadableStream({ pull(c) { pulls++; c.enqueue(pulls); } }, { highWaterMark: 0 });
          const ws = new WritableStream({ write() { return new Promise((r) => { release = r; }); } });
          src.pipeTo(ws).catch(() => {});
          for (let i = 0; i < 5; i++) await tick();
          ok(pulls <= 3, `pulled ${pulls} times while the sink was blocked`);
          const before = pulls; release(); for (let i = 0; i < 3; i++) await tick();
          ok(pulls > before);
        });
        check("pipeTo argument and lock checks", async () => {
          await rejects(new ReadableStream().pipeTo({}), "TypeError", "parameter 1 is not of type 'WritableStream'.");
          const locked = new ReadableStream(); locked.getReader();
          await rejects(locked.pipeTo(new WritableStream()), "TypeError", "This ReadableStream is currently locked to a reader.");
          const ws = new WritableStream(); ws.getWriter();
          await rejects(new ReadableStream().pipeTo(ws), "TypeError", "This WritableStream is currently locked to a writer");
        });
        check("pipeTo a byte stream with many queued chunks", async () => {
          const src = new ReadableStream({ type: "bytes", start(c) { for (let i = 0; i < 5000; i++) c.enqueue(new Uint8Array([i & 255])); c.close(); } });
          let n = 0; await src.pipeTo(new WritableStream({ write(c) { n += c.byteLength; } }, { highWaterMark: 10000 }));
          eq(n, 5000);
        });
        """);

    [Fact]
    public Task EncodingStreams() => JsChecks.RunAsync("""
        async function collect(readable) { const out = []; for await (const c of readable) out.push(c); return out; }
        check("TextEncoderStream encodes and joins surrogate pairs across chunks", async () => {
          const t = new TextEncoderStream(); eq(t.encoding, "utf-8");
          const w = t.writable.getWriter(); w.write("\uD83D"); w.write("\uDE00a"); w.write(""); w.close();
          const out = await collect(t.readable);
          eq(out.map((c) => [...c]), [[240, 159, 152, 128, 97]]); ok(out[0] instanceof Uint8Array);
        });
        check("TextEncoderStream: a lone high surrogate at the end becomes U+FFFD", async () => {
          const t = new TextEncoderStream(); const w = t.writable.getWriter(); w.write("a\uD800"); w.close();
          eq((await collect(t.readable)).map((c) => [...c]), [[97], [0xef, 0xbf, 0xbd]]);
        });
        check("TextDecoderStream decodes across chunk boundaries", async () => {
          const t = new TextDecoderStream(); eq([t.encoding, t.fatal, t.ignoreBOM], ["utf-8", false, false]);
          const w = t.writable.getWriter();
          w.write(new Uint8Array([0xF0, 0x9F])); w.write(new Uint8Array([0x98, 0x80, 0x61])); w.write(new Uint8Array([0xF0])); w.close();
          eq(await collect(t.readable), ["😀a", "\uFFFD"]);
        });
        check("TextDecoderStream: labels, BOM, fatal", async () => {
          throws(() => new TextDecoderStream("nope"), "RangeError", "\"nope\" is not a valid encoding.");
          const t = new TextDecoderStream("utf-16le"); eq(t.encoding, "utf-16le");
          const w = t.writable.getWriter(); w.write(new Uint8Array([0xFF, 0xFE, 0x68])); w.write(new Uint8Array([0, 0x69, 0])); w.close();
          eq((await collect(t.readable)).join(""), "hi");
          const f = new TextDecoderStream("utf-8", { fatal: true }); eq(f.fatal, true);
          f.writable.getWriter().write(new Uint8Array([0xFF])).catch(() => {});
          await rejects(f.readable.getReader().read(), "TypeError", "Failed to decode input.");
        });
        check("TextDecoderStream rejects non-bytes at once", async () => {
          const t = new TextDecoderStream(); const w = t.writable.getWriter();
          await rejects(w.write("abc"), "TypeError", "This TransformStream is being used as a byte stream, but received a value that is not a BufferSource.");
        });
        check("encoding streams transform the first chunk before a read, as workerd does", async () => {
          const t = new TextEncoderStream(); const w = t.writable.getWriter();
          let done = false; w.write("x").then(() => { done = true; });
          await new Promise((r) => setTimeout(r, 0)); eq(done, true); eq(w.desiredSize, 1);
        });
        check("pipeThrough a decoder and an encoder", async () => {
          const bytes = new TextEncoder().encode("héllo wörld");
          const src = new ReadableStream({ start(c) { for (const b of bytes) c.enqueue(new Uint8Array([b])); c.close(); } });
          const text = (await collect(src.pipeThrough(new TextDecoderStream()))).join("");
          eq(text, "héllo wörld");
          const back = await new Response(ReadableStream.from([text]).pipeThrough(new TextEncoderStream())).text();
          eq(back, "héllo wörld");
        });
        """);

    [Fact]
    public Task IdentityTransformStreamAndFixedLengthStream() => JsChecks.RunAsync("""
        const tick = () => new Promise((r) => setTimeout(r, 0));
        check("IdentityTransformStream is a byte TransformStream", async () => {
          const t = new IdentityTransformStream();
          ok(t instanceof TransformStream); eq(Object.prototype.toString.call(t), "[object IdentityTransformStream]");
          ok(t.readable instanceof ReadableStream); ok(t.writable instanceof WritableStream);
          const r = t.readable.getReader({ mode: "byob" }); ok(r instanceof ReadableStreamBYOBReader);
        });
        check("a write settles only when the reader took its bytes; desiredSize stays at the highWaterMark", async () => {
          const t = new IdentityTransformStream(); const w = t.writable.getWriter();
          let done = false; const p = w.write(new Uint8Array([1, 2, 3])).then(() => { done = true; });
          eq(w.desiredSize, 1);
          await tick(); eq(done, false);
          const x = await t.readable.getReader().read(); await p;
          eq([...x.value], [1, 2, 3]); eq(done, true); eq(w.desiredSize, 1);
          eq(new IdentityTransformStream({ highWaterMark: 10 }).writable.getWriter().desiredSize, 10);
        });
        check("BYOB reads smaller than a chunk take it in parts", async () => {
          const t = new IdentityTransformStream(); const w = t.writable.getWriter();
          let done = false; w.write(new Uint8Array([1, 2, 3, 4, 5])).then(() => { done = true; });
          const r = t.readable.getReader({ mode: "byob" });
          const a = await r.read(new Uint8Array(2)); await tick();
          eq([...a.value], [1, 2]); eq(done, false);
          const b = await r.read(new Uint8Array(10)); await tick();
          eq([...b.value], [3, 4, 5]); eq(done, true);
        });
        check("close ends the readable, also under a pending BYOB read", async () => {
          const t = new IdentityTransformStream(); const w = t.writable.getWriter();
          const r = t.readable.getReader({ mode: "byob" }); const p = r.read(new Uint8Array(4));
          await w.close(); const res = await p; eq(res.done, true);
          const t2 = new IdentityTransformStream(); const w2 = t2.writable.getWriter();
          w2.write(new Uint8Array(0)); w2.close();
          eq(await t2.readable.getReader().read(), { value: undefined, done: true });
        });
        check("only bytes (or strings, as UTF-8) may be written", async () => {
          const t0 = new IdentityTransformStream(); const w0 = t0.writable.getWriter();
          w0.write("str"); eq([...(await t0.readable.getReader().read()).value], [115, 116, 114]);
          const t = new IdentityTransformStream(); const w = t.writable.getWriter();
          const r = t.readable.getReader(); const read = r.read();
          await rejects(w.write({}), "TypeError", "This TransformStream is being used as a byte stream, but received an object of non-ArrayBuffer/ArrayBufferView type on its writable side.");
          // The readable side errors too (workerd leaves it pending).
          await rejects(read, "TypeError");
        });
        check("abort and cancel cross over", async () => {
          const t = new IdentityTransformStream(); const w = t.writable.getWriter();
          w.abort(new Error("why"));
          await rejects(t.readable.getReader().read(), "Error", "why");
          const t2 = new IdentityTransformStream(); const w2 = t2.writable.getWriter();
          const pending = w2.write(new Uint8Array(2));
          await t2.readable.cancel(new Error("cwhy"));
          await rejects(pending, "Error", "cwhy");
          await rejects(w2.write(new Uint8Array(1)));
        });
        check("FixedLengthStream: argument checks", () => {
          throws(() => new FixedLengthStream(), "TypeError", "Failed to construct 'FixedLengthStream': constructor parameter 1 is not of type 'bigint'.");
          throws(() => new FixedLengthStream(-1), "TypeError", "The value cannot be converted because it is negative and this API expects a positive bigint.");
          ok(new FixedLengthStream(3n) instanceof IdentityTransformStream);
        });
        check("FixedLengthStream: exact length passes", async () => {
          const t = new FixedLengthStream(3); const w = t.writable.getWriter(); const r = t.readable.getReader();
          w.write(new Uint8Array([1, 2, 3])); const a = await r.read(); await w.close();
          eq(a.value.length, 3); eq(await r.read(), { value: undefined, done: true });
        });
        check("FixedLengthStream: too many bytes error the readable", async () => {
          const t = new FixedLengthStream(2); const w = t.writable.getWriter(); const r = t.readable.getReader();
          w.write(new Uint8Array(3));
          await rejects(r.read(), "TypeError", "Attempt to write too many bytes through a FixedLengthStream.");
        });
        check("FixedLengthStream: too few bytes error the readable at close", async () => {
          const t = new FixedLengthStream(5); const w = t.writable.getWriter(); const r = t.readable.getReader();
          w.write(new Uint8Array(3)); await r.read();
          await w.close();
          await rejects(r.read(), "TypeError", "FixedLengthStream did not see all expected bytes before close().");
        });
        check("a Response over an IdentityTransformStream", async () => {
          const t = new IdentityTransformStream(); const w = t.writable.getWriter();
          const res = new Response(t.readable);
          w.write(new TextEncoder().encode("he")); w.write(new TextEncoder().encode("llo")); w.close();
          eq(await res.text(), "hello");
        });
        """);
}
