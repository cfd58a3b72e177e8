// HTML / WinterTC global scope: self, performance, navigator, scheduler, MessageChannel,
// ErrorEvent, reportError, unhandled rejections.

test("self is the global object", () => {
  assert_equals(self, globalThis);
});

test("the Web API classes are globals that are not enumerable", () => {
  for (const name of ["Request", "Response", "Headers", "URL", "ReadableStream", "TextEncoder", "Event", "AbortController", "crypto", "fetch"]) {
    const d = Object.getOwnPropertyDescriptor(globalThis, name);
    assert_true(d !== undefined, name);
    assert_false(d.enumerable, name);
  }
});

test("performance.now() is a number that does not go backwards", () => {
  const a = performance.now();
  const b = performance.now();
  assert_equals(typeof a, "number");
  assert_true(b >= a);
  assert_equals(typeof performance.timeOrigin, "number");
});

test("navigator.userAgent", () => {
  assert_equals(typeof navigator.userAgent, "string");
});

test("scheduler.wait resolves after the delay", async () => {
  const start = Date.now();
  assert_equals(await scheduler.wait(20), undefined);
  assert_true(Date.now() - start >= 15);
});

test("scheduler.wait rejects when its signal aborts", async () => {
  const ac = new AbortController();
  const p = scheduler.wait(10000, { signal: ac.signal });
  ac.abort();
  await promise_rejects_dom("AbortError", p);
});

test("MessageChannel delivers a structured clone", async () => {
  const { port1, port2 } = new MessageChannel();
  const msg = { n: 1, d: new Date(0) };
  const got = new Promise((resolve) => { port2.onmessage = (e) => resolve(e); });
  port1.postMessage(msg);
  msg.n = 2;
  const e = await got;
  assert_true(e instanceof MessageEvent);
  assert_equals(e.data.n, 1);
  assert_true(e.data.d instanceof Date);
});

test("MessagePort messages are delivered after the poster's microtasks", async () => {
  const { port1, port2 } = new MessageChannel();
  const order = [];
  const got = new Promise((resolve) => { port2.onmessage = () => { order.push("message"); resolve(); }; });
  port1.postMessage(1);
  Promise.resolve().then(() => order.push("microtask"));
  await got;
  assert_array_equals(order, ["microtask", "message"]);
});

test("postMessage of a function throws DataCloneError", () => {
  assert_throws_dom("DataCloneError", () => new MessageChannel().port1.postMessage(() => {}));
});

test("MessagePort cannot be constructed", () => {
  assert_throws_js(TypeError, () => new MessagePort());
});

test("ErrorEvent", () => {
  const e = new ErrorEvent("error", { message: "m", filename: "f", lineno: 1, colno: 2, error: 3 });
  assert_array_equals([e.message, e.filename, e.lineno, e.colno, e.error], ["m", "f", 1, 2, 3]);
  const d = new ErrorEvent("error");
  assert_array_equals([d.message, d.filename, d.lineno, d.colno], ["", "", 0, 0]);
});

test("reportError fires an ErrorEvent at the global scope", () => {
  let seen;
  const l = (e) => { seen = e; e.preventDefault(); };
  addEventListener("error", l);
  const err = new Error("reported");
  try { reportError(err); } finally { removeEventListener("error", l); }
  assert_true(seen instanceof ErrorEvent);
  assert_equals(seen.error, err);
  assert_true(seen.cancelable, "cancelable");
});

test("PromiseRejectionEvent can be constructed", () => {
  const p = Promise.resolve();
  const e = new PromiseRejectionEvent("unhandledrejection", { promise: p, reason: 1 });
  assert_equals(e.promise, p);
  assert_equals(e.reason, 1);
});

test("an unhandled rejection fires unhandledrejection", async () => {
  let seen;
  const l = (e) => { seen = e; e.preventDefault(); };
  addEventListener("unhandledrejection", l);
  const p = Promise.reject(new Error("nobody catches"));
  try { await delay(20); } finally { removeEventListener("unhandledrejection", l); }
  assert_true(seen !== undefined, "fired");
  assert_equals(seen.promise, p);
  assert_equals(seen.reason.message, "nobody catches");
  assert_true(seen.cancelable, "cancelable");
  p.catch(() => {});
});

test("a rejection handled in the same turn is not reported", async () => {
  let fired = false;
  const l = (e) => { fired = true; e.preventDefault(); };
  addEventListener("unhandledrejection", l);
  const p = Promise.reject(1);
  await null; await null;
  p.catch(() => {});
  try { await delay(20); } finally { removeEventListener("unhandledrejection", l); }
  assert_false(fired);
});

test("rejectionhandled fires when a reported rejection is handled", async () => {
  let handled;
  const u = (e) => e.preventDefault();
  const h = (e) => { handled = e; };
  addEventListener("unhandledrejection", u);
  addEventListener("rejectionhandled", h);
  const p = Promise.reject(new Error("late"));
  try {
    await delay(10);
    p.catch(() => {});
    await delay(10);
  } finally {
    removeEventListener("unhandledrejection", u);
    removeEventListener("rejectionhandled", h);
  }
  assert_true(handled !== undefined, "fired");
  assert_equals(handled.promise, p);
  assert_equals(handled.reason?.message, "late");
});
