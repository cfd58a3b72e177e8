// DOM Standard §3 Aborting: AbortController and AbortSignal.

test("abort() sets aborted and a default AbortError reason", () => {
  const ac = new AbortController();
  assert_false(ac.signal.aborted);
  ac.abort();
  assert_true(ac.signal.aborted);
  assert_true(ac.signal.reason instanceof DOMException);
  assert_equals(ac.signal.reason.name, "AbortError");
});

test("abort(reason) keeps the reason; later aborts are ignored", () => {
  const ac = new AbortController();
  ac.abort("first");
  ac.abort("second");
  assert_equals(ac.signal.reason, "first");
});

test("the abort event fires once", () => {
  const ac = new AbortController();
  let n = 0, evt;
  ac.signal.addEventListener("abort", (e) => { n++; evt = e; });
  ac.abort(); ac.abort();
  assert_equals(n, 1);
  assert_equals(evt.type, "abort");
  assert_true(evt.isTrusted);
});

test("onabort", () => {
  const ac = new AbortController();
  let called = false;
  ac.signal.onabort = () => { called = true; };
  ac.abort();
  assert_true(called);
});

test("throwIfAborted throws the reason", () => {
  const ac = new AbortController();
  ac.signal.throwIfAborted();
  ac.abort(new RangeError("r"));
  assert_throws_js(RangeError, () => ac.signal.throwIfAborted());
});

test("AbortSignal.abort()", () => {
  const s = AbortSignal.abort();
  assert_true(s.aborted);
  assert_equals(s.reason.name, "AbortError");
  assert_equals(AbortSignal.abort("x").reason, "x");
});

test("AbortSignal.timeout() aborts with TimeoutError", async () => {
  const s = AbortSignal.timeout(10);
  assert_false(s.aborted);
  await new Promise((resolve) => s.addEventListener("abort", resolve));
  assert_true(s.reason instanceof DOMException);
  assert_equals(s.reason.name, "TimeoutError");
});

test("AbortSignal.any() follows the first to abort", () => {
  const a = new AbortController(), b = new AbortController();
  const any = AbortSignal.any([a.signal, b.signal]);
  b.abort("b");
  assert_true(any.aborted);
  assert_equals(any.reason, "b");
  a.abort("a");
  assert_equals(any.reason, "b");
});

test("AbortSignal.any() with an already aborted signal", () => {
  const any = AbortSignal.any([new AbortController().signal, AbortSignal.abort("done")]);
  assert_true(any.aborted);
  assert_equals(any.reason, "done");
});

test("AbortSignal cannot be constructed", () => {
  assert_throws_js(TypeError, () => new AbortSignal());
});

test("the signal is an EventTarget and is the same object each time", () => {
  const ac = new AbortController();
  assert_true(ac.signal instanceof EventTarget);
  assert_equals(ac.signal, ac.signal);
});

test("fetch() with an aborted signal rejects with the reason", async () => {
  await promise_rejects_dom("AbortError", fetch("https://example.invalid/", { signal: AbortSignal.abort() }));
});
