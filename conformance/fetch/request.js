// WHATWG Fetch §5.4 Request.

test("defaults", () => {
  const r = new Request("https://example.com/path?q=1#frag");
  assert_equals(r.method, "GET");
  assert_equals(r.url, "https://example.com/path?q=1#frag");
  assert_equals(r.redirect, "follow");
  assert_true(r.headers instanceof Headers);
  assert_equals(r.body, null);
  assert_false(r.bodyUsed);
  assert_true(r.signal instanceof AbortSignal);
  assert_false(r.signal.aborted);
});

test("the URL is parsed and serialized", () => {
  assert_equals(new Request("https://EXAMPLE.com/a/../b").url, "https://example.com/b");
  assert_equals(new Request(new URL("https://example.com")).url, "https://example.com/");
});

test("an invalid URL throws TypeError", () => {
  assert_throws_js(TypeError, () => new Request("not a url"));
  assert_throws_js(TypeError, () => new Request("http://"));
});

test("a URL with credentials throws TypeError", () => {
  assert_throws_js(TypeError, () => new Request("https://user:pass@example.com/"));
});

test("methods are normalized when they are standard ones", () => {
  for (const m of ["get", "post", "put", "delete", "head", "options"]) {
    assert_equals(new Request("https://example.com", { method: m }).method, m.toUpperCase());
  }
  assert_equals(new Request("https://example.com", { method: "patch" }).method, "patch");
  assert_equals(new Request("https://example.com", { method: "Custom" }).method, "Custom");
});

test("an invalid method token throws TypeError", () => {
  assert_throws_js(TypeError, () => new Request("https://example.com", { method: "a b" }));
  assert_throws_js(TypeError, () => new Request("https://example.com", { method: "" }));
});

test("GET and HEAD cannot have a body", () => {
  assert_throws_js(TypeError, () => new Request("https://example.com", { body: "x" }));
  assert_throws_js(TypeError, () => new Request("https://example.com", { method: "HEAD", body: "x" }));
  new Request("https://example.com", { body: null });
});

test("headers from init", () => {
  const r = new Request("https://example.com", { headers: { "X-A": "1" } });
  assert_equals(r.headers.get("x-a"), "1");
});

test("a string body sets content-type text/plain;charset=UTF-8", () => {
  const r = new Request("https://example.com", { method: "POST", body: "hi" });
  assert_equals(r.headers.get("content-type"), "text/plain;charset=UTF-8");
});

test("an explicit content-type is kept", () => {
  const r = new Request("https://example.com", { method: "POST", body: "hi", headers: { "content-type": "application/x-custom" } });
  assert_equals(r.headers.get("content-type"), "application/x-custom");
});

test("a URLSearchParams body sets its content-type", () => {
  const r = new Request("https://example.com", { method: "POST", body: new URLSearchParams("a=1&b=2") });
  assert_equals(r.headers.get("content-type"), "application/x-www-form-urlencoded;charset=UTF-8");
});

test("text() reads the body once", async () => {
  const r = new Request("https://example.com", { method: "POST", body: "hello" });
  assert_equals(await r.text(), "hello");
  assert_true(r.bodyUsed);
  await promise_rejects_js(TypeError, r.text());
});

test("clone() copies method, URL, headers and body", async () => {
  const r = new Request("https://example.com/x", { method: "PUT", body: "data", headers: { a: "1" } });
  const c = r.clone();
  assert_equals(c.method, "PUT");
  assert_equals(c.url, "https://example.com/x");
  assert_equals(c.headers.get("a"), "1");
  assert_equals(await c.text(), "data");
  assert_equals(await r.text(), "data");
});

test("clone() of a used request throws TypeError", async () => {
  const r = new Request("https://example.com", { method: "POST", body: "x" });
  await r.text();
  assert_throws_js(TypeError, () => r.clone());
});

test("new Request(request) copies it", async () => {
  const a = new Request("https://example.com/a", { method: "POST", body: "b", headers: { h: "v" } });
  const b = new Request(a);
  assert_equals(b.url, "https://example.com/a");
  assert_equals(b.method, "POST");
  assert_equals(b.headers.get("h"), "v");
  assert_equals(await b.text(), "b");
});

test("new Request(request, init) overrides members", () => {
  const a = new Request("https://example.com/a", { headers: { h: "v" } });
  const b = new Request(a, { method: "DELETE", headers: { other: "1" } });
  assert_equals(b.method, "DELETE");
  assert_false(b.headers.has("h"));
  assert_equals(b.headers.get("other"), "1");
});

test("redirect must be follow, error or manual", () => {
  assert_equals(new Request("https://example.com", { redirect: "manual" }).redirect, "manual");
  assert_throws_js(TypeError, () => new Request("https://example.com", { redirect: "bogus" }));
});

test("a signal from init follows the given signal", () => {
  const ac = new AbortController();
  const r = new Request("https://example.com", { signal: ac.signal });
  ac.abort();
  assert_true(r.signal.aborted);
});

test("arrayBuffer() and json()", async () => {
  const a = new Request("https://example.com", { method: "POST", body: new Uint8Array([104, 105]) });
  const buf = await a.arrayBuffer();
  assert_true(buf instanceof ArrayBuffer);
  assert_array_equals(new Uint8Array(buf), [104, 105]);
  const j = new Request("https://example.com", { method: "POST", body: '{"x":[1]}' });
  assert_object_equals(await j.json(), { x: [1] });
});

test("json() of invalid JSON rejects with SyntaxError", async () => {
  const r = new Request("https://example.com", { method: "POST", body: "{" });
  await promise_rejects_js(SyntaxError, r.json());
});

test("body is a ReadableStream for a request with a body", async () => {
  const r = new Request("https://example.com", { method: "POST", body: "abc" });
  assert_true(r.body instanceof ReadableStream);
  const reader = r.body.getReader();
  let text = "";
  const dec = new TextDecoder();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    assert_true(value instanceof Uint8Array);
    text += dec.decode(value, { stream: true });
  }
  assert_equals(text, "abc");
  assert_true(r.bodyUsed);
});

test("Request requires new and an argument", () => {
  assert_throws_js(TypeError, () => Request("https://example.com"));
  assert_throws_js(TypeError, () => new Request());
});
