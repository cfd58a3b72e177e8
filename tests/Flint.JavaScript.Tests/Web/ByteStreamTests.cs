using Flint.JavaScript.Tests.Support;

namespace Flint.JavaScript.Tests.Web;

public class ByteStreamTests
{
    [Fact]
    public Task ByteStreamsAndByobReaders() => JsChecks.RunAsync("""
        const tick = () => new Promise((r) => setTimeout(r, 0));
        check("a byte stream has a ReadableByteStreamController", () => {
          let c; new ReadableStream({ type: "bytes", start(x) { c = x; } });
          ok(c instanceof ReadableByteStreamController); eq(c.desiredSize, 0); eq(c.byobRequest, null);
          throws(() => new ReadableByteStreamController(), "TypeError", "Illegal constructor");
          throws(() => new ReadableStreamBYOBRequest(), "TypeError", "Illegal constructor");
        });
        check("enqueue validates and detaches the chunk's buffer", () => {
          let c; new ReadableStream({ type: "bytes", start(x) { c = x; } });
          throws(() => c.enqueue("x"), "TypeError", "parameter 1 is not of type 'BufferSource'.");
          throws(() => c.enqueue(new Uint8Array(0)), "TypeError", "Cannot enqueue a zero-length ArrayBuffer.");
          const u = new Uint8Array([1, 2, 3]); c.enqueue(u); eq(u.byteLength, 0); eq(c.desiredSize, -3);
          c.close(); throws(() => c.enqueue(new Uint8Array(1)), "TypeError");
          throws(() => c.close(), "TypeError", "This ReadableStream is closed.");
        });
        check("autoAllocateChunkSize is validated", () => {
          throws(() => new ReadableStream({ type: "bytes", autoAllocateChunkSize: 0 }), "TypeError", "The autoAllocateChunkSize option cannot be zero.");
        });
        check("default reader reads enqueued chunks as Uint8Array", async () => {
          const s = new ReadableStream({ type: "bytes", start(c) { c.enqueue(new Uint16Array([0x0201, 0x0403])); c.close(); } });
          const r = s.getReader(); const { value, done } = await r.read();
          eq(done, false); ok(value instanceof Uint8Array); eq([...value], [1, 2, 3, 4]);
          eq(await r.read(), { value: undefined, done: true });
        });
        check("BYOB reader fills the given view; leftovers stay queued", async () => {
          const s = new ReadableStream({ type: "bytes", start(c) { c.enqueue(new Uint8Array([1, 2, 3, 4, 5])); c.close(); } });
          const r = s.getReader({ mode: "byob" }); ok(r instanceof ReadableStreamBYOBReader);
          const buf = new Uint8Array(3);
          const a = await r.read(buf); eq([...a.value], [1, 2, 3]); eq(buf.byteLength, 0, "the view's buffer is detached");
          const b = await r.read(new Uint8Array(8)); eq([...b.value], [4, 5]);
          const c = await r.read(new Uint8Array(8)); eq(c.done, true); eq(c.value.byteLength, 0); ok(c.value instanceof Uint8Array);
        });
        check("byobRequest: respond and respondWithNewView", async () => {
          const s = new ReadableStream({ type: "bytes", pull(c) {
            const req = c.byobRequest; const v = req.view;
            if (v.byteLength === 4) { v[0] = 9; v[1] = 8; req.respond(2); }
            else { const w = new Uint8Array(v.buffer, v.byteOffset, 1); w[0] = 7; req.respondWithNewView(w); }
          } });
          const r = s.getReader({ mode: "byob" });
          eq([...(await r.read(new Uint8Array(4))).value], [9, 8]);
          eq([...(await r.read(new Uint8Array(5))).value], [7]);
        });
        check("respond errors", async () => {
          let err;
          const s = new ReadableStream({ type: "bytes", pull(c) {
            try { c.byobRequest.respond(100); } catch (e) { err ??= e; }
            try { c.byobRequest.respond(0); } catch (e) { err = [err, e]; }
            c.byobRequest.respond(1);
          } });
          await s.getReader({ mode: "byob" }).read(new Uint8Array(4));
          matchError(err[0], "RangeError", "Too many bytes [100] in response to a BYOB read request.");
          matchError(err[1], "TypeError", "The bytesWritten must be more than zero while the stream is open.");
        });
        check("a stale byobRequest is invalidated", async () => {
          let req;
          const s = new ReadableStream({ type: "bytes", pull(c) { req = c.byobRequest; req.respond(1); } });
          await s.getReader({ mode: "byob" }).read(new Uint8Array(2));
          eq(req.view, null); throws(() => req.respond(1), "TypeError");
        });
        check("read() argument checks (min too large: spec RangeError, workerd TypeError)", async () => {
          const r = new ReadableStream({ type: "bytes" }).getReader({ mode: "byob" });
          await rejects(r.read(), "TypeError", "parameter 1 is not of type 'ArrayBufferView'.");
          await rejects(r.read(new Uint8Array(0)), "TypeError", "You must call read() on a \"byob\" reader with a positive-sized TypedArray object.");
          await rejects(r.read(new Uint8Array(4), { min: 0 }), "TypeError", "Requested invalid minimum number of bytes to read (0).");
          await rejects(r.read(new Uint8Array(4), { min: 5 }), "RangeError", "Minimum bytes to read (5) exceeds size of buffer (4).");
        });
        check("read with min waits for enough bytes", async () => {
          let n = 0;
          const s = new ReadableStream({ type: "bytes", pull(c) { n++; c.enqueue(new Uint8Array([n, n])); } });
          const r = s.getReader({ mode: "byob" });
          const { value } = await r.read(new Uint8Array(6), { min: 5 });
          eq([...value], [1, 1, 2, 2, 3, 3]);
          const more = await r.readAtLeast(3, new Uint8Array(4));
          eq([...more.value], [4, 4, 5, 5]);
        });
        check("typed views: element size and remainders", async () => {
          const s = new ReadableStream({ type: "bytes", start(c) { c.enqueue(new Uint8Array([1, 0, 2, 0, 3])); c.close(); } });
          const r = s.getReader({ mode: "byob" });
          const a = await r.read(new Uint16Array(4)); ok(a.value instanceof Uint16Array); eq([...a.value], [1, 2]);
          const b = await r.read(new Uint8Array(4)); eq([...b.value], [3]);
        });
        check("close with a partial element errors a pending BYOB read (spec; workerd closes)", async () => {
          let c; const s = new ReadableStream({ type: "bytes", start(x) { c = x; } });
          const r = s.getReader({ mode: "byob" });
          const p = r.read(new Uint16Array(2));
          await tick(); c.enqueue(new Uint8Array([1]));
          throws(() => c.close(), "TypeError");
          await rejects(p, "TypeError");
        });
        check("DataView reads", async () => {
          const s = new ReadableStream({ type: "bytes", start(c) { c.enqueue(new Uint8Array([5, 6])); } });
          const { value } = await s.getReader({ mode: "byob" }).read(new DataView(new ArrayBuffer(4)));
          ok(value instanceof DataView); eq(value.byteLength, 2); eq(value.getUint8(1), 6);
        });
        check("autoAllocateChunkSize gives default reads a byobRequest", async () => {
          let size;
          const s = new ReadableStream({ type: "bytes", autoAllocateChunkSize: 16, pull(c) { size = c.byobRequest.view.byteLength; c.byobRequest.view[0] = 42; c.byobRequest.respond(1); } });
          const { value } = await s.getReader().read();
          eq(size, 16); eq([...value], [42]);
        });
        check("releasing a BYOB reader with a pending read keeps its request for the next reader (spec; not in workerd)", async () => {
          let ctrl; const s = new ReadableStream({ type: "bytes", start(c) { ctrl = c; } });
          const r = s.getReader({ mode: "byob" });
          const p = r.read(new Uint8Array(4));
          await tick();
          r.releaseLock(); await rejects(p, "TypeError", "This ReadableStream reader has been released.");
          ctrl.byobRequest.view[0] = 3; ctrl.byobRequest.respond(1);
          eq([...(await s.getReader().read()).value], [3]);
        });
        check("cancel resolves a pending BYOB read with done and no view (spec; workerd gives a view)", async () => {
          const s = new ReadableStream({ type: "bytes" });
          const r = s.getReader({ mode: "byob" }); const p = r.read(new Uint8Array(2));
          await r.cancel(); const res = await p; eq(res.done, true); eq(res.value, undefined);
        });
        check("error rejects pending reads", async () => {
          let c; const s = new ReadableStream({ type: "bytes", start(x) { c = x; } });
          const r = s.getReader({ mode: "byob" }); const p = r.read(new Uint8Array(2));
          c.error(new RangeError("bytes failed")); await rejects(p, "RangeError", "bytes failed");
          await rejects(r.closed, "RangeError");
        });
        check("byte stream tee: both branches, with default and BYOB readers", async () => {
          const s = new ReadableStream({ type: "bytes", start(c) { c.enqueue(new Uint8Array([1, 2, 3])); c.close(); } });
          const [a, b] = s.tee();
          const ra = a.getReader({ mode: "byob" }); const rb = b.getReader();
          const x = await ra.read(new Uint8Array(2)); eq([...x.value], [1, 2]);
          eq([...(await ra.read(new Uint8Array(2))).value], [3]);
          eq((await ra.read(new Uint8Array(2))).done, true);
          const got = []; for (let r = await rb.read(); !r.done; r = await rb.read()) got.push(...r.value);
          eq(got, [1, 2, 3]);
        });
        check("byte stream tee: chunks are independent copies", async () => {
          const s = new ReadableStream({ type: "bytes", start(c) { c.enqueue(new Uint8Array([1])); c.close(); } });
          const [a, b] = s.tee();
          const x = (await a.getReader().read()).value; const y = (await b.getReader().read()).value;
          x[0] = 99; eq(y[0], 1); ok(x.buffer !== y.buffer);
        });
        check("byte stream async iteration", async () => {
          const s = new ReadableStream({ type: "bytes", start(c) { c.enqueue(new Uint8Array([1])); c.enqueue(new Uint8Array([2, 3])); c.close(); } });
          const got = []; for await (const chunk of s) got.push(...chunk); eq(got, [1, 2, 3]);
        });
        """);
}
