using Flint.JavaScript.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Flint.JavaScript.Tests.Web;

// Expected values were taken from workerd (compatibility date 2026-11-01) where it and the DOM
// standard differ.
public class EventTests
{
    [Fact]
    public Task EventAndEventTargetMatchWorkerd() => JsChecks.RunAsync("""
        check("Event defaults", () => {
          const e = new Event("foo");
          eq([e.type, e.bubbles, e.cancelable, e.composed, e.isTrusted, e.defaultPrevented, e.eventPhase, e.returnValue, e.timeStamp, e.cancelBubble],
             ["foo", false, false, false, false, false, Event.NONE, true, 0, false]);
          eq(e.currentTarget, undefined); eq(e.target, undefined); eq(e.srcElement, undefined);
          eq(e.composedPath(), []);
          e.preventDefault(); eq(e.defaultPrevented, false);
          e.stopPropagation(); eq(e.cancelBubble, true);
        });
        check("Event type conversion and arguments", () => {
          eq(new Event({}).type, "[object Object]"); eq(new Event(null).type, "null"); eq(new Event(1).type, "1");
          eq(new Event(undefined).type, "undefined");
          throws(() => new Event(), "TypeError", "parameter 1 is not of type 'string'");
          throws(() => new Event(Symbol("x")), "TypeError");
          throws(() => new Event("foo", 1), "TypeError", "constructor parameter 2 is not of type 'Init'");
          throws(() => new Event("foo", "bar"), "TypeError");
          eq(new Event("x", null).bubbles, false);
        });
        check("Event init", () => {
          const e = new Event("foo", { cancelable: true, bubbles: "truthy", composed: true });
          eq([e.bubbles, e.cancelable, e.composed], [true, true, true]);
          e.preventDefault(); eq(e.defaultPrevented, true); eq(e.returnValue, false);
        });
        check("attributes live on the prototype", () => {
          const e = new Event("foo");
          eq(Object.getOwnPropertyNames(e), []);
          eq(Reflect.getOwnPropertyDescriptor(e, "cancelable"), undefined);
          ok(Object.keys(Event.prototype).includes("type"), "enumerable");
          for (const k of ["NONE", "CAPTURING_PHASE", "AT_TARGET", "BUBBLING_PHASE"]) ok(k in Event && k in Event.prototype, k);
          eq([Event.NONE, Event.CAPTURING_PHASE, Event.AT_TARGET, Event.BUBBLING_PHASE], [0, 1, 2, 3]);
          throws(() => { e.type = "x"; }, "TypeError"); throws(() => { e.returnValue = false; }, "TypeError");
          e.cancelBubble = true; eq(e.cancelBubble, true); e.cancelBubble = false; eq(e.cancelBubble, false);
          class Bar extends Event { constructor() { super("bar"); } get bubbles() { return "hello"; } }
          const b = new Bar(); eq(b.bubbles, "hello"); eq(b.composed, false); eq(b.type, "bar");
          eq(Object.prototype.toString.call(e), "[object Event]");
          throws(() => Object.getOwnPropertyDescriptor(Event.prototype, "type").get.call({}), "TypeError", "Illegal invocation");
        });
        check("basic dispatch", () => {
          const target = new EventTarget();
          const event = new Event("foo");
          let count = 0;
          const handler = (d) => {
            eq(d, event); eq(d.eventPhase, Event.AT_TARGET); eq(d.currentTarget, target); eq(d.target, target);
            eq(d.composedPath().length, 1); ok(d.composedPath()[0] === target);
            count++;
            throws(() => target.dispatchEvent(d), "InvalidStateError", "The event is already being dispatched.");
          };
          target.addEventListener("foo", handler);
          target.addEventListener("foo", handler); // the same listener twice runs once
          target.addEventListener("foo", { handleEvent: handler });
          let classCalled = false;
          target.addEventListener("foo", new (class { handleEvent() { classCalled = true; } })());
          eq(target.dispatchEvent(event), true);
          eq(classCalled, true); eq(count, 2);
          eq(event.eventPhase, Event.NONE); eq(event.currentTarget, target); eq(event.composedPath(), []);
          target.removeEventListener("foo", handler);
          target.dispatchEvent(event); eq(count, 3);
        });
        check("listener argument validation", () => {
          const t = new EventTarget();
          throws(() => t.addEventListener("foo", {}), "TypeError", "Incorrect type for the 'handleEvent' field on 'HandlerObject'");
          throws(() => t.addEventListener("foo", []), "TypeError");
          throws(() => t.addEventListener("foo", "hello"), "TypeError", "parameter 2 is not of type 'function or HandlerObject'");
          throws(() => t.addEventListener("foo", false), "TypeError");
          throws(() => t.addEventListener("foo"), "TypeError");
          throws(() => t.addEventListener(), "TypeError", "parameter 1 is not of type 'string'");
          t.addEventListener("foo", null); t.removeEventListener("foo", null); t.removeEventListener("foo", undefined);
          throws(() => t.dispatchEvent({ type: "foo" }), "TypeError", "parameter 1 is not of type 'Event'");
          throws(() => t.dispatchEvent(), "TypeError");
          throws(() => EventTarget.prototype.addEventListener.call({}, "x", () => {}), "TypeError", "Illegal invocation");
        });
        check("capture is refused, passive accepted", () => {
          const t = new EventTarget();
          throws(() => t.addEventListener("foo", () => {}, true), "TypeError", "addEventListener(): useCapture must be false.");
          throws(() => t.addEventListener("foo", () => {}, { capture: true }), "TypeError", "addEventListener(): options.capture must be false.");
          throws(() => t.removeEventListener("foo", () => {}, true), "TypeError", "removeEventListener(): useCapture must be false.");
          throws(() => t.removeEventListener("foo", () => {}, { capture: true }), "TypeError", "removeEventListener(): options.capture must be false.");
          t.addEventListener("foo", () => {}, { passive: true });
          t.addEventListener("foo", () => {}, { capture: false, passive: false });
          t.addEventListener("foo", () => {}, false);
        });
        check("once", () => {
          const t = new EventTarget(); let n = 0;
          t.addEventListener("foo", () => n++, { once: true });
          t.dispatchEvent(new Event("foo")); t.dispatchEvent(new Event("foo"));
          eq(n, 1);
          // A second registration of the same listener is ignored, options and all.
          let m = 0; const h = () => m++;
          t.addEventListener("y", h); t.addEventListener("y", h, { once: true });
          t.dispatchEvent(new Event("y")); t.dispatchEvent(new Event("y"));
          eq(m, 2);
        });
        check("signal removes the listener", () => {
          const t = new EventTarget(); let n = 0; const ac = new AbortController();
          t.addEventListener("foo", () => n++, { signal: ac.signal });
          t.addEventListener("foo", () => n++, { signal: AbortSignal.abort() }); // never added
          t.dispatchEvent(new Event("foo")); eq(n, 1);
          ac.abort();
          t.dispatchEvent(new Event("foo")); eq(n, 1);
          throws(() => t.addEventListener("foo", () => {}, { signal: 1 }), "TypeError", "Incorrect type for the 'signal' field on 'AddEventListenerOptions'");
          const c = new AbortController(); const s = c.signal;
          s.addEventListener("one", () => {}); s.addEventListener("victim", () => {}, { signal: s }); c.abort();
        });
        check("listeners added or removed during dispatch", () => {
          const t = new EventTarget(); const seen = [];
          const hb = () => seen.push("b");
          t.addEventListener("z", () => { seen.push("a"); t.removeEventListener("z", hb); t.addEventListener("z", () => seen.push("c")); });
          t.addEventListener("z", hb);
          t.dispatchEvent(new Event("z"));
          eq(seen, ["a"]);
        });
        check("on<type> property runs first", () => {
          const t = new EventTarget(); const order = [];
          t.addEventListener("foo", () => order.push("a"));
          t.onfoo = () => order.push("on");
          t.addEventListener("foo", () => order.push("b"));
          t.dispatchEvent(new Event("foo"));
          eq(order, ["on", "a", "b"]);
          t.onfoo = "not a function"; t.dispatchEvent(new Event("foo"));
        });
        check("stopImmediatePropagation and stopPropagation", () => {
          const t = new EventTarget(); let n = 0;
          t.addEventListener("s", (ev) => { ev.stopImmediatePropagation(); n++; });
          t.addEventListener("s", () => { throw new Error("should not run"); });
          const e = new Event("s");
          t.dispatchEvent(e); eq(n, 1);
          const t2 = new EventTarget(); let m = 0;
          t2.addEventListener("s", (ev) => { ev.stopPropagation(); m++; });
          t2.addEventListener("s", () => m++);
          const e2 = new Event("s");
          t2.dispatchEvent(e2); eq(m, 2); eq(e2.cancelBubble, true);
        });
        check("canceling", () => {
          const t = new EventTarget(); const e = new Event("x", { cancelable: true });
          e.preventDefault(); eq(e.defaultPrevented, true);
          let during;
          t.addEventListener("x", (ev) => { during = ev.defaultPrevented; return true; });
          eq(t.dispatchEvent(e), false); eq(during, false); eq(e.defaultPrevented, true);
          const t2 = new EventTarget();
          t2.addEventListener("x", (ev) => ev.preventDefault());
          eq(t2.dispatchEvent(new Event("x", { cancelable: true })), false);
          eq(new EventTarget().dispatchEvent(new Event("x", { cancelable: true })), true);
        });
        check("this in listeners", () => {
          const t = new EventTarget(); let fnThis, objThis;
          t.addEventListener("a", function () { fnThis = this; });
          const obj = { handleEvent() { objThis = this; } };
          t.addEventListener("a", obj);
          t.dispatchEvent(new Event("a"));
          ok(fnThis === t, "function listener's this"); ok(objThis === obj, "handler object's this");
        });
        check("handleEvent is read when added", () => {
          const t = new EventTarget(); const res = [];
          const o = { handleEvent() { res.push("old"); } };
          t.addEventListener("h", o); o.handleEvent = () => res.push("new");
          t.dispatchEvent(new Event("h")); eq(res, ["old"]);
          t.removeEventListener("h", o); t.dispatchEvent(new Event("h")); eq(res, ["old"]);
        });
        check("a throwing listener does not stop the others", () => {
          const t = new EventTarget(); const order = [];
          t.addEventListener("foo", () => { order.push("thrower"); throw new Error("listener boom"); });
          t.addEventListener("foo", () => order.push("after"));
          eq(t.dispatchEvent(new Event("foo")), true);
          eq(order, ["thrower", "after"]);
        });
        check("subclassing EventTarget", () => {
          class My extends EventTarget {}
          const t = new My(); const e = new Event("foo"); let n = 0;
          t.addEventListener("foo", (d) => { eq(d, e); n++; });
          t.dispatchEvent(e); eq(n, 1);
          eq(Object.getOwnPropertyNames(new EventTarget()), []);
          eq(Object.prototype.toString.call(t), "[object EventTarget]");
        });
        check("CustomEvent", () => {
          const e = new CustomEvent("foo", { detail: { a: 123 } });
          ok(e instanceof Event); eq(e.type, "foo"); eq(e.detail, { a: 123 });
          eq(new CustomEvent("c").detail, undefined); eq(new CustomEvent("c", { bubbles: true, detail: null }).bubbles, true);
          eq(new CustomEvent("c", { detail: null }).detail, null);
          ok(Object.getOwnPropertyNames(CustomEvent.prototype).includes("detail"));
          throws(() => new CustomEvent(), "TypeError");
        });
        check("the global scope is an event target", () => {
          eq(typeof globalThis.addEventListener, "function");
          eq(typeof globalThis.removeEventListener, "function");
          eq(typeof globalThis.dispatchEvent, "function");
          let n = 0, self;
          addEventListener("foo", function () { n++; self = this; }, { once: true });
          eq(dispatchEvent(new Event("foo")), true);
          dispatchEvent(new Event("foo"));
          eq(n, 1); ok(self === globalThis, "this is globalThis");
          const h = () => n++;
          addEventListener("bar", h); removeEventListener("bar", h); dispatchEvent(new Event("bar")); eq(n, 1);
          throws(() => addEventListener("x", () => {}, true), "TypeError", "useCapture must be false");
        });
        """);

    [Fact]
    public async Task ListenerErrorsAndReturnValuesAreLogged()
    {
        using var w = new TestWorker("""
            export default {
              fetch() {
                const t = new EventTarget();
                t.addEventListener("x", () => { throw new RangeError("listener boom"); });
                t.addEventListener("x", async () => {});
                t.addEventListener("x", () => 5);
                t.dispatchEvent(new Event("x"));
                const c = new AbortController();
                c.signal.onabort = () => { throw "string boom"; };
                c.abort();
                return new Response("ok");
              }
            }
            """);
        var r = await w.FetchAsync();
        Assert.Equal("ok", r.Text);
        var logs = w.Logs.Entries;
        Assert.Contains(logs, e => e.Level == LogLevel.Error && e.Message.StartsWith("Uncaught RangeError: listener boom\n    at "));
        Assert.Contains(logs, e => e.Level == LogLevel.Error && e.Message.Contains("Uncaught") && e.Message.Contains("string boom"));
        // Warned once per target: the promise, not the 5.
        Assert.Single(logs, e => e.Level == LogLevel.Warning && e.Message.Contains("An event handler returned"));
        Assert.Contains(logs, e => e.Level == LogLevel.Warning && e.Message ==
            "An event handler returned a promise that will be ignored. Event handlers should not have a return value and should not be async functions.");
    }

    [Fact]
    public async Task ServiceWorkerFetchListenersUseTheGlobalEventTarget()
    {
        using var w = new TestWorker("""
            const seen = [];
            addEventListener("fetch", { handleEvent(event) { seen.push("object"); } });
            addEventListener("fetch", (event) => {
              seen.push(typeof dispatchEvent);
              event.respondWith(new Response(seen.join(",")));
            });
            """);
        var r = await w.FetchAsync();
        Assert.Equal(200, r.Status);
        Assert.Equal("object,function", r.Text);
    }
}
