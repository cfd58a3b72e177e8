// WHATWG URL: URLSearchParams.

test("parses a query string", () => {
  const p = new URLSearchParams("?a=1&b=2&a=3");
  assert_equals(p.get("a"), "1");
  assert_array_equals(p.getAll("a"), ["1", "3"]);
  assert_equals(p.get("c"), null);
  assert_equals(p.size, 3);
});

test("plus is space and percent-escapes decode", () => {
  const p = new URLSearchParams("q=a+b%20c%26&%E2%82%AC=euro");
  assert_equals(p.get("q"), "a b c&");
  assert_equals(p.get("€"), "euro");
});

test("serializes with application/x-www-form-urlencoded", () => {
  const p = new URLSearchParams();
  p.append("a b", "c&d=e");
  p.append("é", "*-._~!");
  assert_equals(p.toString(), "a+b=c%26d%3De&%C3%A9=*-._%7E%21");
});

test("from a record and from pairs", () => {
  assert_equals(new URLSearchParams({ a: "1", b: "2" }).toString(), "a=1&b=2");
  assert_equals(new URLSearchParams([["x", "y"], ["x", "z"]]).toString(), "x=y&x=z");
  assert_throws_js(TypeError, () => new URLSearchParams([["a"]]));
});

test("set replaces the first and removes the rest", () => {
  const p = new URLSearchParams("a=1&b=2&a=3");
  p.set("a", "4");
  assert_equals(p.toString(), "a=4&b=2");
});

test("delete with and without a value", () => {
  const p = new URLSearchParams("a=1&a=2&b=3");
  p.delete("a", "2");
  assert_equals(p.toString(), "a=1&b=3");
  p.delete("a");
  assert_equals(p.toString(), "b=3");
});

test("has with a value", () => {
  const p = new URLSearchParams("a=1");
  assert_true(p.has("a"));
  assert_true(p.has("a", "1"));
  assert_false(p.has("a", "2"));
});

test("sort is stable by code units", () => {
  const p = new URLSearchParams("z=1&a=2&z=0&b=3");
  p.sort();
  assert_equals(p.toString(), "a=2&b=3&z=1&z=0");
});

test("iteration", () => {
  const p = new URLSearchParams("a=1&b=2");
  assert_array_equals([...p.keys()], ["a", "b"]);
  assert_array_equals([...p.values()], ["1", "2"]);
  assert_array_equals([...p].map((e) => e.join("=")), ["a=1", "b=2"]);
  const seen = [];
  p.forEach((v, k) => seen.push(k + v));
  assert_array_equals(seen, ["a1", "b2"]);
});

test("empty pairs and missing values", () => {
  const p = new URLSearchParams("&&a&b=&=c");
  assert_array_equals([...p.keys()], ["a", "b", ""]);
  assert_equals(p.get("a"), "");
  assert_equals(p.get(""), "c");
});

test("a lone surrogate becomes U+FFFD when serialized", () => {
  assert_equals(new URLSearchParams([["a", "\ud800"]]).toString(), "a=%EF%BF%BD");
});

test("invalid percent-escapes are kept", () => {
  assert_equals(new URLSearchParams("a=%zz%4").get("a"), "%zz%4");
});

test("toStringTag", () => {
  assert_class_string(new URLSearchParams(), "URLSearchParams");
  assert_class_string(new URLSearchParams().entries(), "URLSearchParams Iterator");
});
