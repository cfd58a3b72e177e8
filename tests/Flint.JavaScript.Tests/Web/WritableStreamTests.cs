using Flint.JavaScript.Tests.Support;

namespace Flint.JavaScript.Tests.Web;

public class WritableStreamTests
{
    [Fact]
    public Task WritableStreamsFollowSpecAndWorkerd() => JsChecks.RunAsync("""
        const tick = () => new Promise((r) => setTimeout(r, 0));
        check("writes reach the sink in order, one at a time", async () => {
          const log = []; let inFlight = 0, maxInFlight = 0;
          const ws = new WritableStream({
            async write(chunk, c) { inFlight++; maxInFlight = Math.max(maxInFlight, inFlight); await tick(); log.push(chunk); inFlight--; ok(c instanceof WritableStreamDefaultController); },
            close() { log.push("close"); },
          });
          const w = ws.getWriter();
          w.write("a"); w.write("b"); await w.close();
          eq(log, ["a", "b", "close"]); eq(maxInFlight, 1);
          eq(await w.closed, undefined);
        });
        check("start runs first and writes wait for it", async () => {
          const log = []; let release;
          const ws = new WritableStream({ start() { log.push("start"); return new Promise((r) => { release = r; }); }, write(c) { log.push(c); } });
          const w = ws.getWriter(); const p = w.write(1);
          await tick(); eq(log, ["start"]);
          release(); await p; eq(log, ["start", 1]);
        });
        check("desiredSize and ready follow the queue (backpressure)", async () => {
          let release;
          const ws = new WritableStream({ write() { return new Promise((r) => { release = r; }); } }, new CountQueuingStrategy({ highWaterMark: 2 }));
          const w = ws.getWriter();
          eq(w.desiredSize, 2);
          w.write("a"); eq(w.desiredSize, 1);
          w.write("b"); eq(w.desiredSize, 0);
          let ready = false; w.ready.then(() => { ready = true; });
          await tick(); eq(ready, false);
          release(); await tick(); eq(w.desiredSize, 1); eq(ready, true);
        });
        check("size and highWaterMark validation (hwm: spec RangeError, workerd TypeError)", () => {
          throws(() => new WritableStream({}, { highWaterMark: -1 }), "RangeError");
          throws(() => new WritableStream({ write: 1 }), "TypeError", "Incorrect type for the 'write' field on 'UnderlyingSink': the provided value is not of type 'function'.");
        });
        check("a sink write rejection errors the stream", async () => {
          const ws = new WritableStream({ write() { throw new RangeError("sink broke"); } });
          const w = ws.getWriter();
          await rejects(w.write("x"), "RangeError", "sink broke");
          await rejects(w.write("y"), "RangeError", "sink broke");
          await rejects(w.closed, "RangeError", "sink broke");
          eq(w.desiredSize, null);
        });
        check("controller.error errors the stream", async () => {
          let c; const ws = new WritableStream({ start(x) { c = x; } });
          c.error(new Error("boom"));
          await rejects(ws.getWriter().write(1), "Error", "boom");
        });
        check("locking and messages", async () => {
          const ws = new WritableStream(); const w = ws.getWriter();
          eq(ws.locked, true);
          throws(() => ws.getWriter(), "TypeError", "This WritableStream is currently locked to a writer.");
          await rejects(ws.abort(), "TypeError", "This WritableStream is currently locked to a writer.");
          await rejects(ws.close(), "TypeError", "This WritableStream is currently locked to a writer.");
          w.releaseLock(); eq(ws.locked, false);
          await rejects(w.write(1), "TypeError", "This WritableStream writer has been released.");
          await rejects(w.closed, "TypeError", "This WritableStream writer has been released.");
          throws(() => w.desiredSize, "TypeError", "This WritableStream writer has been released.");
          throws(() => new WritableStreamDefaultController(), "TypeError", "Illegal constructor");
          throws(() => new WritableStreamDefaultWriter({}), "TypeError");
        });
        check("released writer's ready rejects (spec; workerd resolves)", async () => {
          const w = new WritableStream().getWriter(); w.releaseLock();
          await rejects(w.ready, "TypeError", "This WritableStream writer has been released.");
        });
        check("close twice and write after close", async () => {
          const ws = new WritableStream(); const w = ws.getWriter();
          const p = w.close();
          await rejects(w.close(), "TypeError", "This WritableStream has been closed.");
          await rejects(w.write(1), "TypeError", "This WritableStream has been closed.");
          await p; eq(w.desiredSize, 0);
        });
        check("abort: the sink's abort gets the reason, queued writes reject", async () => {
          let aborted; let release;
          const ws = new WritableStream({ write() { return new Promise((r) => { release = r; }); }, abort(r) { aborted = r; } });
          const w = ws.getWriter();
          const w1 = w.write("in flight"); const w2 = w.write("queued");
          await tick();
          const a = w.abort("stop");
          await tick();
          eq(aborted, undefined, "abort waits for the write in flight");
          release(); await w1; await a; eq(aborted, "stop");
          try { await w2; ok(false); } catch (e) { eq(e, "stop"); }
          try { await w.closed; ok(false); } catch (e) { eq(e, "stop"); }
          try { await w.write(1); ok(false); } catch (e) { eq(e, "stop"); }
        });
        check("abort a closed stream resolves; abort twice returns the same promise", async () => {
          const ws = new WritableStream(); await ws.close(); eq(await ws.abort("x"), undefined);
          const ws2 = new WritableStream({ start() { return new Promise(() => {}); } });
          const a = ws2.abort(1); const b = ws2.abort(2); eq(a, b);
        });
        check("controller.signal aborts with the reason", async () => {
          let c; const ws = new WritableStream({ start(x) { c = x; } });
          const signal = c.signal; ok(signal instanceof AbortSignal); eq(signal.aborted, false);
          let seen; signal.addEventListener("abort", () => { seen = signal.reason; });
          await ws.abort("R"); eq(signal.aborted, true); eq(seen, "R");
          let d; const ws2 = new WritableStream({ start(x) { d = x; } });
          ws2.abort("late"); eq(d.signal.aborted, true); eq(d.signal.reason, "late");
        });
        check("close waits for queued writes and rejections of close propagate", async () => {
          const ws = new WritableStream({ close() { throw new SyntaxError("close failed"); } });
          const w = ws.getWriter();
          await rejects(w.close(), "SyntaxError", "close failed");
          await rejects(w.closed, "SyntaxError");
        });
        check("writer on an errored or closed stream", async () => {
          const closed = new WritableStream(); await closed.close();
          const w = closed.getWriter(); eq(await w.closed, undefined); eq(w.desiredSize, 0);
          let c; const errored = new WritableStream({ start(x) { c = x; } }); c.error(new Error("e"));
          await tick();
          const w2 = errored.getWriter(); await rejects(w2.closed, "Error", "e"); await rejects(w2.ready, "Error", "e");
        });
        check("toStringTag and brand checks", async () => {
          eq(Object.prototype.toString.call(new WritableStream()), "[object WritableStream]");
          throws(() => Object.getOwnPropertyDescriptor(WritableStream.prototype, "locked").get.call({}), "TypeError");
        });
        """);
}
