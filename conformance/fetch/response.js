// WHATWG Fetch §5.5 Response.

test("defaults", () => {
  const r = new Response();
  assert_equals(r.status, 200);
  assert_equals(r.statusText, "");
  assert_true(r.ok);
  assert_equals(r.body, null);
  assert_false(r.redirected);
  assert_equals(r.url, "");
  assert_true(r.headers instanceof Headers);
});

test("status and statusText from init", () => {
  const r = new Response("x", { status: 404, statusText: "Nope" });
  assert_equals(r.status, 404);
  assert_equals(r.statusText, "Nope");
  assert_false(r.ok);
});

test("ok is true for 200 to 299 only", () => {
  assert_true(new Response(null, { status: 299 }).ok);
  assert_false(new Response(null, { status: 300 }).ok);
  assert_true(new Response(null, { status: 200 }).ok);
});

test("a status outside 200..599 throws RangeError", () => {
  assert_throws_js(RangeError, () => new Response("", { status: 600 }));
  assert_throws_js(RangeError, () => new Response("", { status: 199 }));
  assert_throws_js(RangeError, () => new Response("", { status: 0 }));
});

test("an invalid statusText throws TypeError", () => {
  assert_throws_js(TypeError, () => new Response("", { statusText: "a\nb" }));
});

test("a null body status with a body throws TypeError", () => {
  for (const status of [204, 205, 304]) {
    assert_throws_js(TypeError, () => new Response("x", { status }), String(status));
    new Response(null, { status });
  }
});

test("a string body: text() and content-type", async () => {
  const r = new Response("héllo");
  assert_equals(r.headers.get("content-type"), "text/plain;charset=UTF-8");
  assert_equals(await r.text(), "héllo");
  assert_true(r.bodyUsed);
});

test("a byte body has no content-type", async () => {
  const r = new Response(new Uint8Array([1, 2, 3]));
  assert_equals(r.headers.get("content-type"), null);
  assert_array_equals(new Uint8Array(await r.arrayBuffer()), [1, 2, 3]);
});

test("Response.json()", async () => {
  const r = Response.json({ a: 1 }, { status: 201, headers: { "x-y": "z" } });
  assert_equals(r.status, 201);
  assert_equals(r.headers.get("content-type"), "application/json");
  assert_equals(r.headers.get("x-y"), "z");
  assert_equals(await r.text(), '{"a":1}');
});

test("Response.json() keeps an explicit content-type", () => {
  const r = Response.json(1, { headers: { "content-type": "application/vnd.x+json" } });
  assert_equals(r.headers.get("content-type"), "application/vnd.x+json");
});

test("Response.json() of a value JSON cannot serialize throws TypeError", () => {
  assert_throws_js(TypeError, () => Response.json(undefined));
  assert_throws_js(TypeError, () => Response.json(() => {}));
  assert_throws_js(TypeError, () => Response.json(Symbol("x")));
});

test("Response.json() of a BigInt throws TypeError", () => {
  assert_throws_js(TypeError, () => Response.json(1n));
});

test("Response.redirect()", () => {
  const r = Response.redirect("https://example.com/next", 301);
  assert_equals(r.status, 301);
  assert_equals(r.headers.get("location"), "https://example.com/next");
  assert_equals(r.body, null);
  assert_equals(Response.redirect("https://example.com/").status, 302);
});

test("Response.redirect() with a bad status throws RangeError", () => {
  assert_throws_js(RangeError, () => Response.redirect("https://example.com/", 200));
});

test("Response.redirect() with an invalid URL throws TypeError", () => {
  assert_throws_js(TypeError, () => Response.redirect("http://[bad"));
});

test("Response.error()", () => {
  const r = Response.error();
  assert_equals(r.type, "error");
  assert_equals(r.status, 0);
  assert_equals(r.statusText, "");
});

test("clone() tees the body", async () => {
  const r = new Response("body", { status: 202, headers: { a: "b" } });
  const c = r.clone();
  assert_equals(c.status, 202);
  assert_equals(c.headers.get("a"), "b");
  assert_equals(await r.text(), "body");
  assert_equals(await c.text(), "body");
});

test("clone() of a used response throws TypeError", async () => {
  const r = new Response("x");
  await r.text();
  assert_throws_js(TypeError, () => r.clone());
});

test("a ReadableStream body", async () => {
  const stream = new ReadableStream({
    start(c) { c.enqueue(new TextEncoder().encode("a")); c.enqueue(new TextEncoder().encode("b")); c.close(); },
  });
  const r = new Response(stream);
  assert_equals(r.body, stream);
  assert_equals(await r.text(), "ab");
});

test("a locked stream cannot be a body", () => {
  const stream = new ReadableStream();
  stream.getReader();
  assert_throws_js(TypeError, () => new Response(stream));
});

test("reading a body twice rejects with TypeError", async () => {
  const r = new Response("x");
  await r.arrayBuffer();
  await promise_rejects_js(TypeError, r.text());
  await promise_rejects_js(TypeError, r.json());
});

test("headers of a Response are mutable", () => {
  const r = new Response("x");
  r.headers.set("x-a", "1");
  assert_equals(r.headers.get("x-a"), "1");
});

test("Response requires new", () => {
  assert_throws_js(TypeError, () => Response("x"));
});

test("init must be an object", () => {
  assert_throws_js(TypeError, () => new Response("x", 5));
});
