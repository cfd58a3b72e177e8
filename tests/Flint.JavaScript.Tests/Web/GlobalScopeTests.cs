using Flint.JavaScript.Tests.Support;

namespace Flint.JavaScript.Tests.Web;

// scheduler.wait, MessageChannel/MessagePort, ErrorEvent/reportError, PromiseRejectionEvent and
// the unhandledrejection/rejectionhandled events. Shapes and messages were checked on workerd
// (2026-11-17); where workerd departs from HTML the test says which one Flint follows.
public class GlobalScopeTests
{
    [Fact]
    public Task SchedulerWait() => JsChecks.RunAsync("""
        check("scheduler is a Scheduler", () => {
          eq(Object.prototype.toString.call(scheduler), "[object Scheduler]");
          eq(typeof scheduler.wait, "function");
          throws(() => new Scheduler(), "TypeError", "Illegal constructor");
        });
        check("wait resolves with undefined after the delay", async () => {
          const start = Date.now();
          const r = await scheduler.wait(30);
          eq(r, undefined);
          ok(Date.now() - start >= 25, "waited");
        });
        check("wait orders like timers", async () => {
          const order = [];
          const a = scheduler.wait(20).then(() => order.push(20));
          const b = scheduler.wait(1).then(() => order.push(1));
          await Promise.all([a, b]);
          eq(order, [1, 20]);
        });
        check("wait with no or bad delay is immediate", async () => {
          ok(scheduler.wait() instanceof Promise); await scheduler.wait(); await scheduler.wait("abc"); await scheduler.wait(-5);
        });
        check("an abort rejects with the signal's reason", async () => {
          const ac = new AbortController();
          const p = scheduler.wait(100000, { signal: ac.signal });
          ac.abort();
          await rejects(p, "AbortError", "The operation was aborted");
          await rejects(scheduler.wait(10, { signal: AbortSignal.abort(new RangeError("why")) }), "RangeError", "why");
          try { await scheduler.wait(1, { signal: AbortSignal.abort("x") }); throw new Error("resolved"); } catch (e) { eq(e, "x"); }
        });
        check("a signal that never aborts is let go", async () => {
          const ac = new AbortController();
          await scheduler.wait(1, { signal: ac.signal });
          ac.abort(); // no effect, no error
        });
        check("a bad signal rejects", async () => {
          await rejects(scheduler.wait(1, { signal: {} }), "TypeError", "AbortSignal");
        });
        """);

    [Fact]
    public Task MessageChannelAndPort() => JsChecks.RunAsync("""
        check("shape", () => {
          const mc = new MessageChannel();
          ok(mc.port1 instanceof MessagePort); ok(mc.port2 instanceof MessagePort); ok(mc.port1 instanceof EventTarget);
          ok(mc.port1 === mc.port1, "same port");
          eq(Object.prototype.toString.call(mc.port1), "[object MessagePort]");
          eq(Object.prototype.toString.call(mc), "[object MessageChannel]");
          eq(mc.port1.onmessage, null);
          throws(() => new MessagePort(), "TypeError", "Illegal constructor");
          for (const m of ["postMessage", "start", "close", "onmessage"]) ok(m in MessagePort.prototype, m);
        });
        check("postMessage delivers a structured clone to the other port", async () => {
          const { port1, port2 } = new MessageChannel();
          const got = new Promise((resolve) => { port2.onmessage = resolve; });
          const msg = { a: 1, d: new Date(0), m: new Map([[1, 2]]), nested: { x: [1, 2] } };
          port1.postMessage(msg);
          msg.a = 2;
          const e = await got;
          ok(e instanceof MessageEvent, "MessageEvent");
          eq(e.type, "message"); ok(e.target === port2, "target"); eq(e.isTrusted, true);
          eq(e.data.a, 1); ok(e.data.d instanceof Date); eq(e.data.m.get(1), 2); eq(e.data.nested.x, [1, 2]);
          ok(e.data !== msg, "a copy");
          eq(e.ports.length, 0); eq(e.lastEventId, "");
        });
        check("messages arrive as tasks, in order, after microtasks", async () => {
          const { port1, port2 } = new MessageChannel();
          const order = [];
          let done; const finished = new Promise((r) => (done = r));
          port2.onmessage = (e) => { order.push("msg" + e.data); Promise.resolve().then(() => order.push("micro" + e.data)); if (e.data === 2) setTimeout(done, 5); };
          port1.postMessage(1); port1.postMessage(2);
          Promise.resolve().then(() => order.push("micro"));
          order.push("sync");
          await finished;
          eq(order, ["sync", "micro", "msg1", "micro1", "msg2", "micro2"]);
        });
        check("both directions and addEventListener", async () => {
          const { port1, port2 } = new MessageChannel();
          const a = new Promise((r) => port1.addEventListener("message", (e) => r(e.data)));
          const b = new Promise((r) => port2.addEventListener("message", (e) => r(e.data)));
          port1.start(); port2.start();
          port1.postMessage("to2"); port2.postMessage("to1");
          eq(await a, "to1"); eq(await b, "to2");
        });
        check("uncloneable values throw DataCloneError synchronously", () => {
          const { port1 } = new MessageChannel();
          throws(() => port1.postMessage(() => 1), "DataCloneError");
          throws(() => port1.postMessage({ s: Symbol("x") }), "DataCloneError");
        });
        check("postMessage() with no message sends undefined", async () => {
          const { port1, port2 } = new MessageChannel();
          const got = new Promise((r) => (port2.onmessage = (e) => r(e)));
          port1.postMessage();
          const e = await got; eq(e.data, undefined);
        });
        check("transfer list and options", async () => {
          const { port1, port2 } = new MessageChannel();
          const got = new Promise((r) => (port2.onmessage = (e) => r(e.data)));
          const buf = new Uint8Array([1, 2, 3]).buffer;
          port1.postMessage(buf, [buf]);
          eq(buf.byteLength, 0);
          eq([...new Uint8Array(await got)], [1, 2, 3]);
          port1.postMessage(1, { transfer: [] });
        });
        check("close stops later messages, both ways", async () => {
          const { port1, port2 } = new MessageChannel();
          const got = [];
          port2.onmessage = (e) => got.push(e.data);
          port1.onmessage = (e) => got.push("back" + e.data);
          port1.postMessage(1);
          port1.close();
          port1.postMessage(2);
          port2.postMessage(3);
          await scheduler.wait(20);
          eq(got, [1]);
          port1.close(); // twice is fine
        });
        check("a closed receiver drops its queue", async () => {
          const { port1, port2 } = new MessageChannel();
          let got = 0; port2.onmessage = () => got++;
          port1.postMessage(1); port2.close();
          await scheduler.wait(20);
          eq(got, 0);
        });
        check("onmessage accepts only functions and objects", () => {
          const { port1 } = new MessageChannel();
          const f = () => {}; port1.onmessage = f; ok(port1.onmessage === f);
          port1.onmessage = 5; eq(port1.onmessage, null);
        });
        check("MessageEvent constructor", () => {
          const e = new MessageEvent("message", { data: { x: 1 }, origin: "o", lastEventId: "7" });
          eq(e.data, { x: 1 }); eq(e.origin, "o"); eq(e.lastEventId, "7"); eq(e.source, null); eq(e.ports.length, 0);
          const d = new MessageEvent("message"); eq(d.data, null); // MessageEventInit's default, as in workerd eq(d.origin, "");
          throws(() => new MessageEvent(), "TypeError");
        });
        """);

    [Fact]
    public Task ErrorEventAndReportError() => JsChecks.RunAsync("""
        check("ErrorEvent", () => {
          const e = new ErrorEvent("error", { message: "m", filename: "f.js", lineno: 3, colno: 4, error: 5 });
          eq([e.type, e.message, e.filename, e.lineno, e.colno, e.error], ["error", "m", "f.js", 3, 4, 5]);
          ok(e instanceof Event); eq(e.cancelable, false); eq(e.bubbles, false);
          const d = new ErrorEvent("error");
          eq([d.message, d.filename, d.lineno, d.colno, d.error], ["", "", 0, 0, undefined]);
          eq(new ErrorEvent("x", { lineno: -1 }).lineno, 4294967295);
          throws(() => new ErrorEvent(), "TypeError", "Failed to construct 'ErrorEvent'");
          eq(Object.prototype.toString.call(e), "[object ErrorEvent]");
        });
        check("reportError dispatches an ErrorEvent at the global scope", () => {
          let seen;
          const listener = (e) => { seen = e; e.preventDefault(); };
          addEventListener("error", listener);
          const err = new Error("boom");
          try { reportError(err); } finally { removeEventListener("error", listener); }
          ok(seen instanceof ErrorEvent, "ErrorEvent");
          eq([seen.type, seen.message, seen.isTrusted, seen.cancelable, seen.defaultPrevented], ["error", "Uncaught Error: boom", true, true, true]);
          ok(seen.error === err, "the error");
        });
        check("reportError with a non-error value", () => {
          let seen;
          const listener = (e) => { seen = [e.message, e.error]; e.preventDefault(); };
          addEventListener("error", listener);
          try { reportError("str"); } finally { removeEventListener("error", listener); }
          eq(seen, ["Uncaught str", "str"]);
        });
        check("a listener's exception is reported at the global scope, and dispatch goes on", () => {
          const seen = [];
          const onError = (e) => { seen.push(["error", e.message, e.error?.message]); e.preventDefault(); };
          addEventListener("error", onError);
          const target = new EventTarget();
          target.addEventListener("ping", () => { throw new Error("listener"); });
          target.addEventListener("ping", () => seen.push(["second"]));
          try { eq(target.dispatchEvent(new Event("ping")), true); } finally { removeEventListener("error", onError); }
          eq(seen, [["error", "Uncaught Error: listener", "listener"], ["second"]]);
        });
        check("an error listener that throws is logged, not reported again", () => {
          let calls = 0;
          const onError = () => { calls++; throw new Error("from the error listener"); };
          addEventListener("error", onError);
          try { reportError(new Error("first")); } finally { removeEventListener("error", onError); }
          eq(calls, 1);
        });
        check("reportError needs an argument and does not throw the error", () => {
          throws(() => reportError(), "TypeError", "parameter 1 is not of type 'Value'");
          globalThis.onerror = (e) => true; // an on-handler returning true cancels
          try { reportError(new Error("quiet")); } finally { globalThis.onerror = undefined; }
        });
        """);

    [Fact]
    public Task PromiseRejectionEvents() => JsChecks.RunAsync("""
        check("PromiseRejectionEvent", () => {
          const p = Promise.resolve();
          const e = new PromiseRejectionEvent("unhandledrejection", { promise: p, reason: 1, cancelable: true });
          ok(e.promise === p); eq(e.reason, 1); eq(e.cancelable, true); ok(e instanceof Event);
          throws(() => new PromiseRejectionEvent("x"), "TypeError", "promise");
          throws(() => new PromiseRejectionEvent("x", {}), "TypeError", "promise");
        });
        check("an unhandled rejection fires unhandledrejection, then rejectionhandled", async () => {
          const seen = [];
          const onUnhandled = (e) => { seen.push(["u", e.constructor.name, e.reason?.message, e.cancelable, e.isTrusted, e.promise === p]); e.preventDefault(); };
          const onHandled = (e) => seen.push(["h", e.reason?.message, e.promise === p]);
          addEventListener("unhandledrejection", onUnhandled);
          addEventListener("rejectionhandled", onHandled);
          const p = Promise.reject(new Error("r1"));
          await scheduler.wait(10);
          eq(seen, [["u", "PromiseRejectionEvent", "r1", true, true, true]]);
          p.catch(() => {});
          await scheduler.wait(10);
          removeEventListener("unhandledrejection", onUnhandled);
          removeEventListener("rejectionhandled", onHandled);
          eq(seen[1], ["h", "r1", true]);
        });
        check("a rejection handled within the turn is not reported", async () => {
          let count = 0;
          const on = (e) => { count++; e.preventDefault(); };
          addEventListener("unhandledrejection", on);
          const p = Promise.reject(1); await null; await null; p.catch(() => {});
          (async () => { throw new Error("caught"); })().catch(() => {});
          await scheduler.wait(10);
          removeEventListener("unhandledrejection", on);
          eq(count, 0);
        });
        check("onunhandledrejection on the global scope", async () => {
          let reason;
          globalThis.onunhandledrejection = (e) => { reason = e.reason; e.preventDefault(); };
          try { Promise.reject(42); await scheduler.wait(10); } finally { globalThis.onunhandledrejection = undefined; }
          eq(reason, 42);
        });
        check("rejections from async functions and undefined reasons", async () => {
          const seen = [];
          const on = (e) => { seen.push(e.reason === undefined ? "undefined" : e.reason.message); e.preventDefault(); };
          addEventListener("unhandledrejection", on);
          (async () => { throw new TypeError("async"); })();
          Promise.reject();
          await scheduler.wait(10);
          removeEventListener("unhandledrejection", on);
          eq(seen, ["async", "undefined"]);
        });
        """);

    [Fact]
    public async Task UnhandledRejectionsAreLoggedUnlessPrevented()
    {
        using var worker = new TestWorker("""
            export default {
              async fetch(request) {
                const url = new URL(request.url);
                if (url.pathname === "/prevent") addEventListener("unhandledrejection", (e) => e.preventDefault());
                Promise.reject(new Error("floating " + url.pathname));
                if (url.pathname === "/report") reportError(new TypeError("reported"));
                await scheduler.wait(5);
                return new Response("ok");
              }
            };
            """);
        Assert.Equal("ok", await worker.TextAsync("http://localhost/plain"));
        Assert.Contains("Uncaught (in promise) Error: floating /plain", worker.Logs.All);
        Assert.Equal("ok", await worker.TextAsync("http://localhost/report"));
        Assert.Contains("Uncaught TypeError: reported", worker.Logs.All);
        Assert.Equal("ok", await worker.TextAsync("http://localhost/prevent"));
        Assert.DoesNotContain("floating /prevent", worker.Logs.All);
    }

    [Fact]
    public async Task AHandlerThatRejectsIsNotAnUnhandledRejection()
    {
        using var worker = new TestWorker("""
            export default { async fetch() { throw new Error("handler failed"); } };
            """);
        await Assert.ThrowsAsync<Flint.JavaScript.Isolates.WorkerException>(() => worker.FetchAsync());
        await Task.Delay(50);
        Assert.Contains("handler failed", worker.Logs.All);
        Assert.DoesNotContain("(in promise)", worker.Logs.All);
    }
}
