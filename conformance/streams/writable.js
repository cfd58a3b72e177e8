// WHATWG Streams §5 WritableStream and §6 TransformStream.

test("write and close", async () => {
  const chunks = [];
  let closed = false;
  const ws = new WritableStream({ write(c) { chunks.push(c); }, close() { closed = true; } });
  const w = ws.getWriter();
  await w.write("a");
  await w.write("b");
  await w.close();
  assert_array_equals(chunks, ["a", "b"]);
  assert_true(closed);
});

test("getWriter locks the stream", () => {
  const ws = new WritableStream();
  const w = ws.getWriter();
  assert_true(ws.locked);
  assert_throws_js(TypeError, () => ws.getWriter());
  w.releaseLock();
  assert_false(ws.locked);
});

test("desiredSize and ready follow backpressure", async () => {
  let release;
  const ws = new WritableStream({ write() { return new Promise((r) => (release = r)); } }, { highWaterMark: 1 });
  const w = ws.getWriter();
  assert_equals(w.desiredSize, 1);
  w.write("a");
  w.write("b");
  assert_equals(w.desiredSize, -1);
  await delay(0);
  release();
  await delay(0);
  release();
  await w.ready;
  assert_equals(w.desiredSize, 1);
});

test("abort() calls the sink's abort and errors the stream", async () => {
  let reason;
  const ws = new WritableStream({ abort(r) { reason = r; } });
  const w = ws.getWriter();
  await w.abort("stop");
  assert_equals(reason, "stop");
  await promise_rejects_exactly("stop", w.write("x"));
});

test("a throwing write errors the stream", async () => {
  const ws = new WritableStream({ write() { throw new RangeError("no"); } });
  const w = ws.getWriter();
  await promise_rejects_js(RangeError, w.write("x"));
  await promise_rejects_js(RangeError, w.closed);
});

test("write after close rejects with TypeError", async () => {
  const w = new WritableStream().getWriter();
  w.close();
  await promise_rejects_js(TypeError, w.write("x"));
});

test("the controller has a signal that aborts on abort()", async () => {
  let controller;
  const ws = new WritableStream({ start(c) { controller = c; } });
  assert_true(controller.signal instanceof AbortSignal);
  await ws.abort("r");
  assert_true(controller.signal.aborted);
  assert_equals(controller.signal.reason, "r");
});

test("TransformStream identity by default", async () => {
  const t = new TransformStream();
  const w = t.writable.getWriter();
  w.write("a");
  w.close();
  const r = t.readable.getReader();
  assert_equals((await r.read()).value, "a");
  assert_true((await r.read()).done);
});

test("transform and flush", async () => {
  const t = new TransformStream({
    transform(chunk, c) { c.enqueue(chunk.toUpperCase()); },
    flush(c) { c.enqueue("!"); },
  });
  const w = t.writable.getWriter();
  w.write("a"); w.write("b"); w.close();
  const out = [];
  for await (const chunk of t.readable) out.push(chunk);
  assert_array_equals(out, ["A", "B", "!"]);
});

test("a throwing transform errors both sides", async () => {
  const t = new TransformStream({ transform() { throw new TypeError("t"); } });
  const read = t.readable.getReader().read();
  const w = t.writable.getWriter();
  await promise_rejects_js(TypeError, w.write("x"));
  await promise_rejects_js(TypeError, read);
});

test("controller.terminate() closes the readable side", async () => {
  const t = new TransformStream({ start(c) { c.terminate(); } });
  assert_true((await t.readable.getReader().read()).done);
});

test("readableType and writableType are rejected", () => {
  assert_throws_js(RangeError, () => new TransformStream({ readableType: "bytes" }));
  assert_throws_js(RangeError, () => new TransformStream({ writableType: "bytes" }));
});

test("queuing strategies", () => {
  const c = new CountQueuingStrategy({ highWaterMark: 4 });
  assert_equals(c.highWaterMark, 4);
  assert_equals(c.size("anything"), 1);
  const b = new ByteLengthQueuingStrategy({ highWaterMark: 16 });
  assert_equals(b.size(new Uint8Array(5)), 5);
  assert_throws_js(TypeError, () => new CountQueuingStrategy());
});

test("a negative high water mark throws RangeError", () => {
  assert_throws_js(RangeError, () => new WritableStream({}, { highWaterMark: -1 }));
  assert_throws_js(RangeError, () => new ReadableStream({}, { highWaterMark: NaN }));
});
