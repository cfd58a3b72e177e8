// WHATWG URL Pattern.

test("pathname pattern with a named group", () => {
  const p = new URLPattern({ pathname: "/users/:id" });
  assert_true(p.test("https://example.com/users/42"));
  assert_false(p.test("https://example.com/users/42/x"));
  const m = p.exec("https://example.com/users/42");
  assert_equals(m.pathname.groups.id, "42");
  assert_equals(m.pathname.input, "/users/42");
});

test("components default to a wildcard", () => {
  const p = new URLPattern({ pathname: "/a" });
  assert_equals(p.protocol, "*");
  assert_equals(p.hostname, "*");
  assert_equals(p.pathname, "/a");
  assert_true(p.test("http://anything:1234/a?x#y"));
});

test("a string pattern with a base URL", () => {
  const p = new URLPattern("/books/:isbn", "https://example.com");
  assert_equals(p.hostname, "example.com");
  assert_true(p.test("https://example.com/books/123"));
  assert_false(p.test("https://other.com/books/123"));
});

test("a full string pattern", () => {
  const p = new URLPattern("https://*.example.com/:path*");
  const m = p.exec("https://api.example.com/a/b");
  assert_equals(m.hostname.groups["0"], "api");
  assert_equals(m.pathname.groups.path, "a/b");
});

test("optional and repeated groups", () => {
  const p = new URLPattern({ pathname: "/files/:name?" });
  assert_true(p.test({ pathname: "/files" }));
  assert_true(p.test({ pathname: "/files/x" }));
  const q = new URLPattern({ pathname: "/p/:rest+" });
  assert_false(q.test({ pathname: "/p" }));
  assert_equals(q.exec({ pathname: "/p/a/b" }).pathname.groups.rest, "a/b");
});

test("regexp groups", () => {
  const p = new URLPattern({ pathname: "/n/:num(\\d+)" });
  assert_true(p.test({ pathname: "/n/123" }));
  assert_false(p.test({ pathname: "/n/abc" }));
});

test("exec returns null when there is no match", () => {
  assert_equals(new URLPattern({ pathname: "/a" }).exec({ pathname: "/b" }), null);
});

test("an invalid pattern throws TypeError", () => {
  assert_throws_js(TypeError, () => new URLPattern({ pathname: "/:id(" }));
  assert_throws_js(TypeError, () => new URLPattern("relative/path"));
});

test("ignoreCase", () => {
  assert_false(new URLPattern({ pathname: "/ABC" }).test({ pathname: "/abc" }));
  assert_true(new URLPattern({ pathname: "/ABC" }, { ignoreCase: true }).test({ pathname: "/abc" }));
});

test("hasRegExpGroups", () => {
  assert_false(new URLPattern({ pathname: "/:a" }).hasRegExpGroups);
  assert_true(new URLPattern({ pathname: "/:a(\\d+)" }).hasRegExpGroups);
});

test("search and hash components", () => {
  const p = new URLPattern({ search: "q=:term", hash: "sec-:n" });
  const m = p.exec("https://x/?q=cats#sec-2");
  assert_equals(m.search.groups.term, "cats");
  assert_equals(m.hash.groups.n, "2");
});

test("pattern strings are normalized", () => {
  const p = new URLPattern({ protocol: "HTTPS", hostname: "EXAMPLE.com" });
  assert_equals(p.protocol, "https");
  assert_equals(p.hostname, "example.com");
});

test("test() with a base URL for the input", () => {
  const p = new URLPattern({ pathname: "/x/:y" });
  assert_true(p.test("/x/1", "https://h/"));
});
