// WHATWG Streams §4 ReadableStream.

async function readAll(stream) {
  const reader = stream.getReader();
  const chunks = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return chunks;
    chunks.push(value);
  }
}

test("enqueue, close, read", async () => {
  const s = new ReadableStream({ start(c) { c.enqueue(1); c.enqueue(2); c.close(); } });
  assert_array_equals(await readAll(s), [1, 2]);
});

test("read() after the end keeps returning done", async () => {
  const s = new ReadableStream({ start(c) { c.close(); } });
  const r = s.getReader();
  const a = await r.read();
  const b = await r.read();
  assert_true(a.done); assert_true(b.done);
  assert_equals(a.value, undefined);
});

test("getReader locks the stream", () => {
  const s = new ReadableStream();
  assert_false(s.locked);
  const r = s.getReader();
  assert_true(s.locked);
  assert_throws_js(TypeError, () => s.getReader());
  r.releaseLock();
  assert_false(s.locked);
});

test("pull is called on demand", async () => {
  let n = 0;
  const s = new ReadableStream({ pull(c) { n++; c.enqueue(n); if (n === 3) c.close(); } }, { highWaterMark: 0 });
  assert_array_equals(await readAll(s), [1, 2, 3]);
});

test("start is called synchronously with the controller", () => {
  let controller;
  new ReadableStream({ start(c) { controller = c; } });
  assert_class_string(controller, "ReadableStreamDefaultController");
});

test("desiredSize follows the queue and the high water mark", () => {
  let c;
  new ReadableStream({ start(ctrl) { c = ctrl; } }, { highWaterMark: 3 });
  assert_equals(c.desiredSize, 3);
  c.enqueue("a");
  assert_equals(c.desiredSize, 2);
  c.close();
  assert_equals(c.desiredSize, 2, "still readable while chunks are queued");
  let empty;
  new ReadableStream({ start(ctrl) { empty = ctrl; } });
  empty.close();
  assert_equals(empty.desiredSize, 0, "closed");
});

test("a size function counts chunks", () => {
  let c;
  new ReadableStream({ start(ctrl) { c = ctrl; } }, { highWaterMark: 10, size: (chunk) => chunk.length });
  c.enqueue("abcd");
  assert_equals(c.desiredSize, 6);
});

test("error() rejects pending and later reads", async () => {
  let c;
  const s = new ReadableStream({ start(ctrl) { c = ctrl; } });
  const r = s.getReader();
  const p = r.read();
  c.error(new TypeError("boom"));
  await promise_rejects_js(TypeError, p);
  await promise_rejects_js(TypeError, r.read());
  await promise_rejects_js(TypeError, r.closed);
});

test("cancel() calls the source's cancel with the reason", async () => {
  let reason;
  const s = new ReadableStream({ cancel(r) { reason = r; } });
  const result = await s.cancel("why");
  assert_equals(result, undefined);
  assert_equals(reason, "why");
});

test("cancel() of a locked stream rejects", async () => {
  const s = new ReadableStream();
  s.getReader();
  await promise_rejects_js(TypeError, s.cancel());
});

test("enqueue after close throws TypeError", () => {
  new ReadableStream({
    start(c) {
      c.close();
      assert_throws_js(TypeError, () => c.enqueue(1));
      assert_throws_js(TypeError, () => c.close());
    },
  });
});

test("a throwing start makes the constructor throw", () => {
  assert_throws_js(RangeError, () => new ReadableStream({ start() { throw new RangeError("start"); } }));
});

test("a rejecting start errors the stream", async () => {
  const s = new ReadableStream({ start() { return Promise.reject(new RangeError("start")); } });
  await promise_rejects_js(RangeError, s.getReader().read());
});

test("a rejecting pull errors the stream", async () => {
  const s = new ReadableStream({ pull() { return Promise.reject(new SyntaxError("pull")); } });
  await promise_rejects_js(SyntaxError, s.getReader().read());
});

test("tee() gives two branches with the same chunks", async () => {
  const s = new ReadableStream({ start(c) { c.enqueue("a"); c.enqueue("b"); c.close(); } });
  const [a, b] = s.tee();
  assert_true(s.locked);
  const [ra, rb] = await Promise.all([readAll(a), readAll(b)]);
  assert_array_equals(ra, ["a", "b"]);
  assert_array_equals(rb, ["a", "b"]);
});

test("async iteration", async () => {
  const s = new ReadableStream({ start(c) { c.enqueue(1); c.enqueue(2); c.close(); } });
  const out = [];
  for await (const chunk of s) out.push(chunk);
  assert_array_equals(out, [1, 2]);
});

test("breaking out of async iteration cancels the stream", async () => {
  let cancelled = false;
  const s = new ReadableStream({ pull(c) { c.enqueue(1); }, cancel() { cancelled = true; } });
  for await (const chunk of s) { assert_equals(chunk, 1); break; }
  assert_true(cancelled);
  assert_false(s.locked);
});

test("values({ preventCancel: true }) leaves the stream open", async () => {
  let cancelled = false;
  const s = new ReadableStream({ pull(c) { c.enqueue(1); }, cancel() { cancelled = true; } });
  for await (const chunk of s.values({ preventCancel: true })) { break; }
  assert_false(cancelled);
  assert_false(s.locked);
});

test("ReadableStream.from() an iterable", async () => {
  const s = ReadableStream.from([1, 2, 3]);
  assert_array_equals(await readAll(s), [1, 2, 3]);
});

test("ReadableStream.from() an async generator", async () => {
  async function* gen() { yield "x"; yield "y"; }
  assert_array_equals(await readAll(ReadableStream.from(gen())), ["x", "y"]);
});

test("ReadableStream.from() a non-iterable throws TypeError", () => {
  assert_throws_js(TypeError, () => ReadableStream.from(5));
});

test("pipeTo() a WritableStream", async () => {
  const s = new ReadableStream({ start(c) { c.enqueue("a"); c.enqueue("b"); c.close(); } });
  const written = [];
  await s.pipeTo(new WritableStream({ write(chunk) { written.push(chunk); } }));
  assert_array_equals(written, ["a", "b"]);
  assert_false(s.locked);
});

test("pipeThrough() a TransformStream", async () => {
  const s = new ReadableStream({ start(c) { c.enqueue(1); c.enqueue(2); c.close(); } });
  const t = new TransformStream({ transform(chunk, c) { c.enqueue(chunk * 10); } });
  assert_array_equals(await readAll(s.pipeThrough(t)), [10, 20]);
});

test("pipeTo() with an aborted signal rejects with its reason", async () => {
  const s = new ReadableStream();
  const ws = new WritableStream();
  await promise_rejects_dom("AbortError", s.pipeTo(ws, { signal: AbortSignal.abort() }));
});

test("an unknown type throws TypeError (not a ReadableStreamType)", () => {
  assert_throws_js(TypeError, () => new ReadableStream({ type: "nope" }));
});

test("a byte stream with a BYOB reader", async () => {
  const s = new ReadableStream({
    type: "bytes",
    pull(c) {
      const v = c.byobRequest.view;
      v[0] = 7; v[1] = 8;
      c.byobRequest.respond(2);
      c.close();
    },
  });
  const r = s.getReader({ mode: "byob" });
  const { value } = await r.read(new Uint8Array(4));
  assert_true(value instanceof Uint8Array);
  assert_array_equals(value, [7, 8]);
});

test("a default stream cannot give a BYOB reader", () => {
  assert_throws_js(TypeError, () => new ReadableStream().getReader({ mode: "byob" }));
});

test("releaseLock() with a pending read rejects it", async () => {
  const s = new ReadableStream();
  const r = s.getReader();
  const p = r.read();
  r.releaseLock();
  await promise_rejects_js(TypeError, p);
});

test("closed resolves when the stream closes", async () => {
  let c;
  const s = new ReadableStream({ start(ctrl) { c = ctrl; } });
  const r = s.getReader();
  c.close();
  assert_equals(await r.closed, undefined);
});

test("the constructor rejects a non-object source", () => {
  assert_throws_js(TypeError, () => new ReadableStream(5));
});
