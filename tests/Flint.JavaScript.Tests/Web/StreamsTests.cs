using Flint.JavaScript.Tests.Support;

namespace Flint.JavaScript.Tests.Web;

public class StreamsTests
{
    [Fact]
    public Task ReadableStreamDefaultStreams() => JsChecks.RunAsync("""
        check("enqueue then read in order", async () => {
          const s = new ReadableStream({ start(c) { c.enqueue(1); c.enqueue(2); c.close(); } });
          const r = s.getReader();
          eq(await r.read(), { value: 1, done: false }); eq(await r.read(), { value: 2, done: false }); eq(await r.read(), { done: true });
        });
        check("pull is called on demand", async () => {
          let pulls = 0;
          const s = new ReadableStream({ pull(c) { pulls++; if (pulls > 3) c.close(); else c.enqueue(pulls); } }, { highWaterMark: 0 });
          eq(pulls, 0);
          const got = []; for await (const v of s) got.push(v);
          eq(got, [1, 2, 3]);
        });
        check("locking", () => {
          const s = new ReadableStream(); const r = s.getReader(); eq(s.locked, true);
          throws(() => s.getReader(), "TypeError"); r.releaseLock(); eq(s.locked, false);
        });
        check("error propagates", async () => {
          const s = new ReadableStream({ start(c) { c.error(new RangeError("bad")); } });
          await rejects(s.getReader().read(), "RangeError", "bad");
        });
        check("cancel calls the source", async () => {
          let reason; const s = new ReadableStream({ cancel(r) { reason = r; } });
          await s.cancel("why"); eq(reason, "why");
        });
        check("tee", async () => {
          const s = new ReadableStream({ start(c) { c.enqueue("a"); c.enqueue("b"); c.close(); } });
          const [x, y] = s.tee(); const rx = [], ry = [];
          for await (const v of x) rx.push(v); for await (const v of y) ry.push(v);
          eq(rx, ["a", "b"]); eq(ry, ["a", "b"]);
        });
        check("from async iterable", async () => {
          async function* gen() { yield 1; yield 2; }
          const got = []; for await (const v of ReadableStream.from(gen())) got.push(v); eq(got, [1, 2]);
          const got2 = []; for await (const v of ReadableStream.from([3, 4])) got2.push(v); eq(got2, [3, 4]);
        });
        check("desiredSize and strategies", () => {
          let ctrl; new ReadableStream({ start(c) { ctrl = c; } }, new CountQueuingStrategy({ highWaterMark: 3 }));
          eq(ctrl.desiredSize, 3); ctrl.enqueue("x"); eq(ctrl.desiredSize, 2);
          eq(new ByteLengthQueuingStrategy({ highWaterMark: 8 }).size(new Uint8Array(5)), 5);
        });
        check("response body is a stream", async () => {
          const body = new Response("abc").body; ok(body instanceof ReadableStream);
          const { value } = await body.getReader().read(); eq([...value], [97, 98, 99]);
        });
        """);

    [Fact]
    public Task ReadableStreamFollowsSpecAndWorkerdErrors() => JsChecks.RunAsync("""
        check("constructor validates the source and type (hwm: spec RangeError, workerd TypeError)", () => {
          throws(() => new ReadableStream({ type: "foo" }), "TypeError", "\"foo\" is not a valid type of ReadableStream.");
          throws(() => new ReadableStream({ pull: 5 }), "TypeError", "Incorrect type for the 'pull' field on 'UnderlyingSource': the provided value is not of type 'function'.");
          throws(() => new ReadableStream({}, { highWaterMark: -1 }), "RangeError");
          throws(() => new ReadableStream({}, { highWaterMark: NaN }), "RangeError");
          throws(() => new ReadableStream({ start() { throw new SyntaxError("from start"); } }), "SyntaxError", "from start");
        });
        check("strategy is read before the source (spec; workerd reads the source first)", () => {
          const order = [];
          new ReadableStream({ get start() { order.push("start"); return undefined; } }, { get highWaterMark() { order.push("hwm"); return 1; }, get size() { order.push("size"); return undefined; } });
          eq(order, ["hwm", "size", "start"]);
        });
        check("start runs synchronously and pull waits for it", async () => {
          const log = []; let resolveStart;
          new ReadableStream({ start() { log.push("start"); return new Promise((r) => { resolveStart = r; }); }, pull() { log.push("pull"); } });
          log.push("after");
          await Promise.resolve(); eq(log, ["start", "after"]);
          resolveStart(); await new Promise((r) => setTimeout(r, 0));
          eq(log, ["start", "after", "pull"]);
        });
        check("pull is not called again until its promise settles", async () => {
          let pulls = 0, release;
          const s = new ReadableStream({ pull(c) { pulls++; c.enqueue(pulls); return new Promise((r) => { release = r; }); } }, { highWaterMark: 4 });
          await new Promise((r) => setTimeout(r, 0));
          eq(pulls, 1);
          release(); await new Promise((r) => setTimeout(r, 0));
          eq(pulls, 2);
        });
        check("pull rejection errors the stream", async () => {
          const s = new ReadableStream({ pull() { return Promise.reject(new RangeError("pull failed")); } });
          await rejects(s.getReader().read(), "RangeError", "pull failed");
        });
        check("controller errors and messages", () => {
          let c; new ReadableStream({ start(x) { c = x; } });
          c.close();
          throws(() => c.enqueue(1), "TypeError", "Unable to enqueue");
          throws(() => c.close(), "TypeError", "This ReadableStream is closed.");
          let d; new ReadableStream({ start(x) { d = x; } });
          d.error(new Error("e")); throws(() => d.enqueue(1), "TypeError", "Unable to enqueue");
          eq(d.desiredSize, null); eq(c.desiredSize, 0);
          throws(() => new ReadableStreamDefaultController(), "TypeError", "Illegal constructor");
        });
        check("size function results are validated (spec; workerd ignores them)", async () => {
          let c; const s = new ReadableStream({ start(x) { c = x; } }, { size() { return -1; } });
          throws(() => c.enqueue("x"), "RangeError");
          await rejects(s.getReader().closed, "RangeError");
        });
        check("queued chunks drain before close", async () => {
          const s = new ReadableStream({ start(c) { c.enqueue("a"); c.close(); } });
          const r = s.getReader();
          eq(await r.read(), { value: "a", done: false });
          eq(await r.read(), { value: undefined, done: true });
          eq(await r.closed, undefined);
        });
        check("reader release and locking messages", async () => {
          const s = new ReadableStream(); const r = s.getReader();
          throws(() => s.getReader(), "TypeError", "This ReadableStream is currently locked to a reader.");
          await rejects(s.cancel(), "TypeError", "This ReadableStream is currently locked to a reader.");
          const pending = r.read();
          r.releaseLock();
          await rejects(pending, "TypeError", "This ReadableStream reader has been released.");
          await rejects(r.read(), "TypeError", "This ReadableStream reader has been released.");
          await rejects(r.closed, "TypeError", "This ReadableStream reader has been released.");
          r.releaseLock();
          eq(s.locked, false);
          throws(() => new ReadableStreamDefaultReader({}), "TypeError", "constructor parameter 1 is not of type 'ReadableStream'.");
          throws(() => s.getReader({ mode: "x" }), "TypeError", "mode must be undefined or 'byob' in call to getReader().");
          throws(() => s.getReader({ mode: "byob" }), "TypeError", "This ReadableStream does not support BYOB reads.");
        });
        check("cancel resolves pending reads with done and reaches the source", async () => {
          let reason; const s = new ReadableStream({ cancel(r) { reason = r; return new Promise((res) => setTimeout(res, 1)); } });
          const r = s.getReader(); const p = r.read();
          eq(await r.cancel("bye"), undefined);
          eq(await p, { value: undefined, done: true }); eq(reason, "bye");
          eq(await r.read(), { value: undefined, done: true });
        });
        check("cancel of an errored stream rejects with the error", async () => {
          const s = new ReadableStream({ start(c) { c.error(new URIError("x")); } });
          await rejects(s.cancel(), "URIError");
        });
        check("async iteration: break cancels, preventCancel keeps the stream", async () => {
          let canceled = false;
          const s = new ReadableStream({ start(c) { c.enqueue(1); c.enqueue(2); }, cancel() { canceled = true; } });
          for await (const v of s) { eq(v, 1); break; }
          eq(canceled, true); eq(s.locked, false);
          const t = new ReadableStream({ start(c) { c.enqueue(1); c.enqueue(2); c.close(); } });
          for await (const v of t.values({ preventCancel: true })) { eq(v, 1); break; }
          eq(t.locked, false);
          eq(await t.getReader().read(), { value: 2, done: false });
        });
        check("async iterator shape and errors (values === @@asyncIterator per Web IDL; not in workerd)", async () => {
          const s = new ReadableStream({ start(c) { c.error(new EvalError("it")); } });
          const it = s[Symbol.asyncIterator]();
          eq(ReadableStream.prototype.values, ReadableStream.prototype[Symbol.asyncIterator]);
          eq(typeof it.next, "function"); eq(typeof it.return, "function");
          ok(Object.getPrototypeOf(Object.getPrototypeOf(it)) === Object.getPrototypeOf(Object.getPrototypeOf(async function* () {}).prototype));
          await rejects(it.next(), "EvalError");
          eq(await it.next(), { value: undefined, done: true });
          const locked = new ReadableStream(); locked.getReader();
          throws(() => locked.values(), "TypeError", "This ReadableStream is currently locked to a reader.");
        });
        check("next() calls are queued", async () => {
          let n = 0; const s = new ReadableStream({ pull(c) { return new Promise((r) => setTimeout(() => { c.enqueue(++n); r(); }, 1)); } }, { highWaterMark: 0 });
          const it = s.values();
          const [a, b, c] = await Promise.all([it.next(), it.next(), it.next()]);
          eq([a.value, b.value, c.value], [1, 2, 3]);
          await it.return();
        });
        check("ReadableStream.from: sync iterables await their values, errors propagate", async () => {
          const got = []; for await (const v of ReadableStream.from([Promise.resolve("a"), "b"])) got.push(v); eq(got, ["a", "b"]);
          const got2 = []; for await (const v of ReadableStream.from("hi")) got2.push(v); eq(got2, ["h", "i"]);
          throws(() => ReadableStream.from(5), "TypeError", "parameter 1 is not of type 'AsyncGenerator'.");
          const bad = ReadableStream.from({ [Symbol.asyncIterator]() { return { next() { return Promise.reject(new Error("nx")); } }; } });
          await rejects(bad.getReader().read(), "Error", "nx");
        });
        check("ReadableStream.from: cancel calls return() and pulls lazily", async () => {
          let returned, pulled = 0;
          const it = { [Symbol.asyncIterator]() { return this; }, next() { pulled++; return Promise.resolve({ value: pulled, done: false }); }, return(r) { returned = r; return Promise.resolve({ done: true }); } };
          const s = ReadableStream.from(it);
          await new Promise((r) => setTimeout(r, 0)); eq(pulled, 0);
          const r = s.getReader(); eq((await r.read()).value, 1);
          await r.cancel("stop"); eq(returned, "stop");
        });
        check("tee: both branches get every chunk; cancel of both gives the source both reasons (spec; workerd passes the last)", async () => {
          let reason; const s = new ReadableStream({ start(c) { c.enqueue("x"); }, cancel(r) { reason = r; } });
          const [a, b] = s.tee();
          eq((await a.getReader().read()).value, "x"); eq((await b.getReader().read()).value, "x");
          throws(() => s.tee(), "TypeError", "This ReadableStream is currently locked to a reader,");
          const [c, d] = new ReadableStream({ cancel(r) { reason = r; } }).tee();
          const p1 = c.cancel("one"); await new Promise((r) => setTimeout(r, 0)); eq(reason, undefined);
          await Promise.all([p1, d.cancel("two")]); eq(reason, ["one", "two"]);
        });
        check("tee: canceling one branch resolves at once and the other reads on (workerd; the spec waits)", async () => {
          let canceled = false;
          const s = new ReadableStream({ start(c) { c.enqueue(1); c.enqueue(2); c.close(); }, cancel() { canceled = true; } });
          const [a, b] = s.tee();
          eq(await a.cancel("one"), undefined);
          const got = []; for await (const v of b) got.push(v);
          eq(got, [1, 2]); eq(canceled, false);
          const bytes = new Response("clone me"); await bytes.clone().body.cancel(); eq(await bytes.text(), "clone me");
        });
        check("tee: an error reaches both branches", async () => {
          let ctrl; const s = new ReadableStream({ start(c) { ctrl = c; } });
          const [a, b] = s.tee(); ctrl.error(new TypeError("teed"));
          await rejects(a.getReader().read(), "TypeError", "teed"); await rejects(b.getReader().read(), "TypeError", "teed");
        });
        check("queuing strategies (one shared size function per spec; workerd makes one per instance)", () => {
          const c = new CountQueuingStrategy({ highWaterMark: 4 }); eq(c.highWaterMark, 4); eq(c.size(), 1);
          const b = new ByteLengthQueuingStrategy({ highWaterMark: "16" }); eq(b.highWaterMark, 16); eq(b.size(new ArrayBuffer(7)), 7);
          eq(c.size, new CountQueuingStrategy({ highWaterMark: 1 }).size);
          throws(() => new CountQueuingStrategy(), "TypeError", "constructor parameter 1 is not of type 'QueuingStrategyInit'.");
          eq(Object.prototype.toString.call(c), "[object CountQueuingStrategy]");
        });
        check("brand checks (promise methods reject per Web IDL; workerd throws)", async () => {
          const get = Object.getOwnPropertyDescriptor(ReadableStream.prototype, "locked").get;
          throws(() => get.call({}), "TypeError");
          await rejects(ReadableStream.prototype.cancel.call({}), "TypeError");
          await rejects(ReadableStreamDefaultReader.prototype.read.call({}), "TypeError");
          eq(Object.prototype.toString.call(new ReadableStream()), "[object ReadableStream]");
        });
        check("many queued chunks are read without deep recursion", async () => {
          const s = new ReadableStream({ start(c) { for (let i = 0; i < 20000; i++) c.enqueue(new Uint8Array([i & 255])); c.close(); } });
          const bytes = await new Response(s).arrayBuffer();
          eq(bytes.byteLength, 20000);
        });
        """);
}
