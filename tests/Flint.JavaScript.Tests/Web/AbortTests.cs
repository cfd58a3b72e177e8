using Flint.JavaScript.Tests.Support;

namespace Flint.JavaScript.Tests.Web;

// Expected values were taken from workerd (compatibility date 2026-11-01).
public class AbortTests
{
    [Fact]
    public Task AbortControllerAndSignalMatchWorkerd() => JsChecks.RunAsync("""
        check("abort with the default reason", () => {
          const ac = new AbortController();
          ok(ac.signal instanceof AbortSignal); ok(ac.signal instanceof EventTarget);
          eq(ac.signal.aborted, false); eq(ac.signal.reason, undefined); eq(ac.signal.onabort, null);
          ok(ac.signal === ac.signal, "same signal");
          let invoked = 0, event;
          ac.signal.addEventListener("abort", (e) => { invoked++; event = e; });
          ac.signal.throwIfAborted();
          throws(() => { ac.signal.reason = 1; }, "TypeError"); throws(() => { ac.signal.aborted = "x"; }, "TypeError");
          ac.abort();
          ac.signal.addEventListener("abort", () => { throw new Error("should not have been called"); });
          eq(ac.signal.aborted, true);
          const r = ac.signal.reason;
          ok(r instanceof DOMException, "reason is a DOMException");
          eq([r.name, r.message, r.code], ["AbortError", "The operation was aborted", 20]);
          const thrown = throws(() => ac.signal.throwIfAborted(), "AbortError");
          ok(thrown === r, "throwIfAborted throws the reason");
          ac.abort(); ac.abort("again");
          eq(invoked, 1); eq(ac.signal.reason, r);
          eq([event.type, event.isTrusted, event.cancelable, event.target === ac.signal], ["abort", true, false, true]);
        });
        check("abort with a reason", () => {
          const ac = new AbortController(); let seen;
          ac.signal.addEventListener("abort", () => { seen = ac.signal.reason; });
          ac.abort("foo");
          eq(ac.signal.reason, "foo"); eq(seen, "foo");
          const c2 = new AbortController(); c2.abort(null); eq(c2.signal.reason, null);
          const c3 = new AbortController(); c3.abort(1); c3.abort(2); eq(c3.signal.reason, 1);
        });
        check("AbortSignal.abort", () => {
          const a = AbortSignal.abort();
          eq(a.aborted, true); eq(a.reason.name, "AbortError"); eq(a.reason.message, "The operation was aborted");
          throws(() => a.throwIfAborted(), "AbortError");
          const b = AbortSignal.abort("foo");
          try { b.throwIfAborted(); throw new Error("should have thrown"); } catch (e) { eq(e, "foo"); }
          eq(AbortSignal.abort(null).reason, null);
          eq(AbortSignal.abort(undefined).reason.name, "AbortError");
        });
        check("AbortSignal cannot be constructed", () => {
          throws(() => new AbortSignal(), "TypeError", "Illegal constructor");
        });
        check("onabort", () => {
          const ac = new AbortController();
          ok("onabort" in AbortSignal.prototype);
          delete ac.signal.onabort; eq(ac.signal.onabort, null);
          let called = false;
          ac.signal.onabort = () => { called = true; };
          ac.abort(); ok(called, "onabort called");
          for (const v of [123, null, "foo"]) { ac.signal.onabort = () => {}; ac.signal.onabort = v; eq(ac.signal.onabort, null); }
          const handler = {}; ac.signal.onabort = handler; ok(ac.signal.onabort === handler);
        });
        check("onabort runs before listeners; a throwing listener does not stop abort", () => {
          const c = new AbortController(); const order = [];
          c.signal.onabort = () => order.push("on");
          c.signal.addEventListener("abort", () => { order.push("a"); throw new Error("abort listener boom"); });
          c.signal.addEventListener("abort", () => order.push("b"));
          c.signal.onabort = () => order.push("on2");
          c.abort();
          eq(order, ["on2", "a", "b"]); eq(c.signal.aborted, true);
        });
        check("AbortSignal.timeout", async () => {
          const timed = AbortSignal.timeout(20);
          eq(timed.aborted, false);
          let invoked = 0;
          await new Promise((resolve) => { timed.onabort = () => { invoked++; resolve(); }; });
          eq(invoked, 1);
          const r = timed.reason;
          ok(r instanceof DOMException);
          eq([r.name, r.message, r.code], ["TimeoutError", "The operation was aborted due to timeout", 23]);
          throws(() => AbortSignal.timeout(), "TypeError", "parameter 1 is not of type 'number'");
          AbortSignal.timeout(-1); AbortSignal.timeout(1.5);
        });
        check("AbortSignal.timeout ignores a replaced setTimeout", async () => {
          const saved = globalThis.setTimeout;
          globalThis.setTimeout = () => { throw new Error("user setTimeout"); };
          let s;
          try { s = AbortSignal.timeout(5); } finally { globalThis.setTimeout = saved; }
          await new Promise((resolve) => { s.onabort = resolve; });
          eq(s.reason.name, "TimeoutError");
        });
        check("AbortSignal.any", async () => {
          const timed = AbortSignal.timeout(1000000);
          const ac = new AbortController();
          const any = AbortSignal.any([timed, ac.signal]);
          let invoked = 0; any.onabort = () => invoked++;
          ac.abort();
          eq(invoked, 1); eq(any.aborted, true); eq(any.reason.name, "AbortError");
          ok(any.reason === ac.signal.reason, "same reason");
        });
        check("AbortSignal.any follows the first to abort", () => {
          const a1 = new AbortController(), a2 = new AbortController();
          const any = AbortSignal.any([a1.signal, a2.signal]);
          a2.abort("two"); a1.abort("one");
          eq(any.reason, "two");
        });
        check("AbortSignal.any with an aborted signal", () => {
          const any = AbortSignal.any([AbortSignal.timeout(1000000), AbortSignal.abort(123)]);
          eq(any.aborted, true); eq(any.reason, 123);
        });
        check("AbortSignal.any of nothing never aborts", () => {
          const s = AbortSignal.any([]); eq(s.aborted, false); eq(s.reason, undefined);
        });
        check("AbortSignal.any of a dependent signal", () => {
          const ac = new AbortController();
          const inner = AbortSignal.any([ac.signal]);
          const outer = AbortSignal.any([inner]);
          const order = [];
          inner.onabort = () => order.push("inner");
          outer.onabort = () => order.push("outer");
          ac.abort("r");
          eq(order, ["inner", "outer"]); eq(outer.reason, "r");
        });
        check("AbortSignal.any aborts dependents even when a listener stops propagation", () => {
          const ac = new AbortController();
          ac.signal.addEventListener("abort", (e) => e.stopImmediatePropagation());
          const any = AbortSignal.any([ac.signal]);
          ac.abort(); eq(any.aborted, true);
        });
        check("AbortSignal.any arguments", () => {
          throws(() => AbortSignal.any(), "TypeError", "parameter 1 is not of type 'Array'");
          throws(() => AbortSignal.any(5), "TypeError", "parameter 1 is not of type 'Array'");
          throws(() => AbortSignal.any([1]), "TypeError", "Incorrect type for array element 0: the provided value is not of type 'AbortSignal'.");
          throws(() => AbortSignal.any(new Set([AbortSignal.abort()])), "TypeError", "parameter 1 is not of type 'Array'");
        });
        check("interface shape", () => {
          eq(Object.getOwnPropertyNames(AbortController.prototype).sort(), ["abort", "constructor", "signal"]);
          eq(Object.getOwnPropertyNames(AbortSignal.prototype).sort(), ["aborted", "constructor", "onabort", "reason", "throwIfAborted"]);
          for (const k of ["abort", "timeout", "any"]) eq(typeof AbortSignal[k], "function", k);
          eq(Object.keys(new AbortController()), []);
          eq(Object.prototype.toString.call(new AbortController()), "[object AbortController]");
          eq(Object.prototype.toString.call(AbortSignal.abort()), "[object AbortSignal]");
          throws(() => AbortController.prototype.abort.call({}), "TypeError", "Illegal invocation");
        });
        """);
}
