// DOM Standard §2 Events: Event, CustomEvent, EventTarget.

test("Event defaults", () => {
  const e = new Event("x");
  assert_equals(e.type, "x");
  assert_false(e.bubbles);
  assert_false(e.cancelable);
  assert_false(e.composed);
  assert_false(e.defaultPrevented);
  assert_false(e.isTrusted);
  assert_equals(e.target, null);
  assert_equals(e.currentTarget, null);
  assert_equals(e.eventPhase, Event.NONE);
  assert_equals(typeof e.timeStamp, "number");
});

test("Event init dictionary", () => {
  const e = new Event("x", { bubbles: true, cancelable: true, composed: true });
  assert_true(e.bubbles);
  assert_true(e.cancelable);
  assert_true(e.composed);
});

test("Event phase constants", () => {
  assert_equals(Event.NONE, 0);
  assert_equals(Event.CAPTURING_PHASE, 1);
  assert_equals(Event.AT_TARGET, 2);
  assert_equals(Event.BUBBLING_PHASE, 3);
});

test("Event requires a type", () => {
  assert_throws_js(TypeError, () => new Event());
});

test("preventDefault only affects cancelable events", () => {
  const a = new Event("x");
  a.preventDefault();
  assert_false(a.defaultPrevented);
  const b = new Event("x", { cancelable: true });
  b.preventDefault();
  assert_true(b.defaultPrevented);
  assert_false(b.returnValue);
});

test("dispatchEvent calls listeners in order with target set", () => {
  const t = new EventTarget();
  const calls = [];
  t.addEventListener("x", (e) => calls.push(["a", e.target === t, e.currentTarget === t, e.eventPhase]));
  t.addEventListener("x", () => calls.push(["b"]));
  const e = new Event("x");
  assert_true(t.dispatchEvent(e));
  assert_equals(calls.length, 2);
  assert_array_equals(calls[0], ["a", true, true, Event.AT_TARGET]);
  assert_equals(e.eventPhase, Event.NONE);
});

test("dispatchEvent returns false when canceled", () => {
  const t = new EventTarget();
  t.addEventListener("x", (e) => e.preventDefault());
  assert_false(t.dispatchEvent(new Event("x", { cancelable: true })));
});

test("the same listener is added once", () => {
  const t = new EventTarget();
  let n = 0;
  const l = () => n++;
  t.addEventListener("x", l);
  t.addEventListener("x", l);
  t.dispatchEvent(new Event("x"));
  assert_equals(n, 1);
});

test("removeEventListener", () => {
  const t = new EventTarget();
  let n = 0;
  const l = () => n++;
  t.addEventListener("x", l);
  t.removeEventListener("x", l);
  t.dispatchEvent(new Event("x"));
  assert_equals(n, 0);
});

test("once listeners run once", () => {
  const t = new EventTarget();
  let n = 0;
  t.addEventListener("x", () => n++, { once: true });
  t.dispatchEvent(new Event("x"));
  t.dispatchEvent(new Event("x"));
  assert_equals(n, 1);
});

test("a signal removes the listener", () => {
  const t = new EventTarget();
  const ac = new AbortController();
  let n = 0;
  t.addEventListener("x", () => n++, { signal: ac.signal });
  t.dispatchEvent(new Event("x"));
  ac.abort();
  t.dispatchEvent(new Event("x"));
  assert_equals(n, 1);
});

test("stopImmediatePropagation stops later listeners", () => {
  const t = new EventTarget();
  const calls = [];
  t.addEventListener("x", (e) => { calls.push(1); e.stopImmediatePropagation(); });
  t.addEventListener("x", () => calls.push(2));
  t.dispatchEvent(new Event("x"));
  assert_array_equals(calls, [1]);
});

test("handleEvent objects", () => {
  const t = new EventTarget();
  let self;
  const obj = { handleEvent(e) { self = this; } };
  t.addEventListener("x", obj);
  t.dispatchEvent(new Event("x"));
  assert_equals(self, obj);
});

test("an event being dispatched cannot be dispatched again", () => {
  const t = new EventTarget();
  const e = new Event("x");
  let thrown;
  t.addEventListener("x", () => { try { t.dispatchEvent(e); } catch (err) { thrown = err; } });
  t.dispatchEvent(e);
  assert_true(thrown instanceof DOMException);
  assert_equals(thrown.name, "InvalidStateError");
});

test("dispatchEvent requires an Event", () => {
  assert_throws_js(TypeError, () => new EventTarget().dispatchEvent("x"));
});

test("listeners added during dispatch do not run in it", () => {
  const t = new EventTarget();
  let late = 0;
  t.addEventListener("x", () => t.addEventListener("x", () => late++));
  t.dispatchEvent(new Event("x"));
  assert_equals(late, 0);
});

test("a listener that throws does not stop the others", () => {
  const t = new EventTarget();
  let ran = false;
  const prevent = (e) => e.preventDefault();
  addEventListener("error", prevent);
  try {
    t.addEventListener("x", () => { throw new Error("listener error"); });
    t.addEventListener("x", () => { ran = true; });
    t.dispatchEvent(new Event("x"));
  } finally {
    removeEventListener("error", prevent);
  }
  assert_true(ran);
});

test("CustomEvent detail", () => {
  const e = new CustomEvent("c", { detail: { a: 1 } });
  assert_true(e instanceof Event);
  assert_equals(e.detail.a, 1);
  assert_equals(new CustomEvent("c").detail, null);
});

test("EventTarget can be subclassed", () => {
  class My extends EventTarget {}
  const t = new My();
  let hit = false;
  t.addEventListener("y", () => { hit = true; });
  t.dispatchEvent(new Event("y"));
  assert_true(hit);
});

test("composedPath during and after dispatch", () => {
  const t = new EventTarget();
  let during;
  t.addEventListener("x", (e) => { during = e.composedPath(); });
  const e = new Event("x");
  t.dispatchEvent(e);
  assert_equals(during.length, 1);
  assert_equals(during[0], t);
  assert_equals(e.composedPath().length, 0);
});
