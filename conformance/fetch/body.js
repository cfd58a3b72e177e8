// WHATWG Fetch §5.3 Body mixin: extracting and consuming bodies.

test("text() decodes UTF-8 and strips a BOM", async () => {
  const bytes = new Uint8Array([0xef, 0xbb, 0xbf, 0x68, 0xc3, 0xa9]);
  assert_equals(await new Response(bytes).text(), "hé");
});

test("text() replaces invalid UTF-8 with U+FFFD", async () => {
  assert_equals(await new Response(new Uint8Array([0x61, 0xff, 0x62])).text(), "a\ufffdb");
});

test("an ArrayBuffer body is copied when the body is made", async () => {
  const buf = new Uint8Array([1, 2, 3]);
  const r = new Response(buf);
  buf[0] = 9;
  assert_array_equals(new Uint8Array(await r.arrayBuffer()), [1, 2, 3]);
});

test("a DataView body", async () => {
  const buf = new Uint8Array([0, 1, 2, 3, 4]).buffer;
  const r = new Response(new DataView(buf, 1, 3));
  assert_array_equals(new Uint8Array(await r.arrayBuffer()), [1, 2, 3]);
});

test("bytes() resolves with a Uint8Array", async () => {
  const r = new Response("ab");
  const b = await r.bytes();
  assert_true(b instanceof Uint8Array);
  assert_array_equals(b, [97, 98]);
});

test("an empty body reads as empty", async () => {
  assert_equals(await new Response("").text(), "");
  assert_equals((await new Response(null).arrayBuffer()).byteLength, 0);
});

test("a null body is not used after reading", async () => {
  const r = new Response(null);
  await r.text();
  assert_false(r.bodyUsed);
});

test("other values are stringified", async () => {
  assert_equals(await new Response(123).text(), "123");
  assert_equals(await new Response({ toString() { return "obj"; } }).text(), "obj");
});

test("a URLSearchParams body is serialized", async () => {
  assert_equals(await new Response(new URLSearchParams([["a", "1 2"], ["b", "&"]])).text(), "a=1+2&b=%26");
});

test("reading the body stream marks it used", async () => {
  const r = new Response("abc");
  const reader = r.body.getReader();
  assert_false(r.bodyUsed, "locking is not using");
  await reader.read();
  assert_true(r.bodyUsed);
  await promise_rejects_js(TypeError, r.text());
});

test("a locked body cannot be consumed", async () => {
  const r = new Response("abc");
  r.body.getReader();
  await promise_rejects_js(TypeError, r.text());
});

test("body is the same stream each time", () => {
  const r = new Response("x");
  assert_equals(r.body, r.body);
});

test("an errored stream body rejects text()", async () => {
  const s = new ReadableStream({ start(c) { c.error(new RangeError("bad")); } });
  await promise_rejects_js(RangeError, new Response(s).text());
});

test("a stream of non-bytes rejects with TypeError", async () => {
  const s = new ReadableStream({ start(c) { c.enqueue("not bytes"); c.close(); } });
  await promise_rejects_js(TypeError, new Response(s).text());
});

test("a Blob body", async () => {
  const r = new Response(new Blob(["a", "b"], { type: "text/x-a" }));
  assert_equals(r.headers.get("content-type"), "text/x-a");
  assert_equals(await r.text(), "ab");
});

test("blob() returns a Blob with the content-type", async () => {
  const b = await new Response("xyz", { headers: { "content-type": "text/x-b" } }).blob();
  assert_true(b instanceof Blob);
  assert_equals(b.type, "text/x-b");
  assert_equals(b.size, 3);
});

test("a FormData body is multipart", async () => {
  const fd = new FormData();
  fd.append("a", "1");
  const r = new Response(fd);
  assert_true(r.headers.get("content-type").startsWith("multipart/form-data; boundary="));
  const back = await r.formData();
  assert_equals(back.get("a"), "1");
});

test("formData() parses urlencoded bodies", async () => {
  const r = new Response("a=1&b=x+y", { headers: { "content-type": "application/x-www-form-urlencoded" } });
  const fd = await r.formData();
  assert_equals(fd.get("a"), "1");
  assert_equals(fd.get("b"), "x y");
});

test("a large body round-trips", async () => {
  const big = "x".repeat(1 << 20);
  assert_equals((await new Response(big).text()).length, 1 << 20);
});
