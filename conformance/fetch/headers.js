// WHATWG Fetch §5.2 Headers.

test("Headers is a constructor with an iterable interface", () => {
  assert_equals(typeof Headers, "function");
  const h = new Headers();
  assert_class_string(h, "Headers");
  for (const m of ["append", "delete", "get", "getSetCookie", "has", "set", "entries", "keys", "values", "forEach"]) {
    assert_equals(typeof h[m], "function", m);
  }
  assert_equals(h[Symbol.iterator], h.entries);
});

test("Headers() requires new", () => {
  assert_throws_js(TypeError, () => Headers());
});

test("names are case-insensitive and lowercased on iteration", () => {
  const h = new Headers({ "Content-Type": "text/plain", "X-CUSTOM": "1" });
  assert_equals(h.get("content-type"), "text/plain");
  assert_equals(h.get("CONTENT-TYPE"), "text/plain");
  assert_array_equals([...h.keys()], ["content-type", "x-custom"]);
});

test("iteration is sorted by name", () => {
  const h = new Headers([["b", "2"], ["a", "1"], ["c", "3"]]);
  assert_array_equals([...h.keys()], ["a", "b", "c"]);
  assert_array_equals([...h.values()], ["1", "2", "3"]);
});

test("append combines values with a comma and space", () => {
  const h = new Headers();
  h.append("Accept", "text/html");
  h.append("accept", "application/json");
  assert_equals(h.get("accept"), "text/html, application/json");
  assert_array_equals([...h.entries()].map((e) => e.join("=")), ["accept=text/html, application/json"]);
});

test("set replaces all previous values", () => {
  const h = new Headers([["a", "1"], ["a", "2"]]);
  h.set("A", "3");
  assert_equals(h.get("a"), "3");
});

test("delete removes a header, has reports it", () => {
  const h = new Headers({ a: "1" });
  assert_true(h.has("A"));
  h.delete("a");
  assert_false(h.has("a"));
  assert_equals(h.get("a"), null);
  h.delete("never-there");
});

test("get returns null for a missing header", () => {
  assert_equals(new Headers().get("x"), null);
});

test("values are normalized: leading and trailing HTTP whitespace is removed", () => {
  const h = new Headers();
  h.append("a", "  \t value \t ");
  h.set("b", "\n\r x \r\n");
  assert_equals(h.get("a"), "value");
  assert_equals(h.get("b"), "x");
});

test("invalid header names throw TypeError", () => {
  const h = new Headers();
  for (const name of ["", "a b", "a:b", "é", "a\nb", "(x)"]) {
    assert_throws_js(TypeError, () => h.append(name, "v"), JSON.stringify(name));
  }
});

test("invalid header values throw TypeError", () => {
  const h = new Headers();
  for (const value of ["a\nb", "a\rb", "a\0b"]) {
    assert_throws_js(TypeError, () => h.append("x", value), JSON.stringify(value));
  }
});

test("constructor accepts a record, a sequence of pairs and another Headers", () => {
  const a = new Headers({ x: "1" });
  const b = new Headers([["y", "2"]]);
  const c = new Headers(a);
  assert_equals(c.get("x"), "1");
  assert_equals(b.get("y"), "2");
  a.set("x", "changed");
  assert_equals(c.get("x"), "1", "a copy");
});

test("a pair that is not of length 2 throws TypeError", () => {
  assert_throws_js(TypeError, () => new Headers([["a"]]));
  assert_throws_js(TypeError, () => new Headers([["a", "b", "c"]]));
});

test("a non-object init throws TypeError", () => {
  assert_throws_js(TypeError, () => new Headers(5));
  assert_throws_js(TypeError, () => new Headers("a"));
});

test("undefined init is allowed, null is not", () => {
  new Headers(undefined);
  assert_throws_js(TypeError, () => new Headers(null));
});

test("values are converted to strings", () => {
  const h = new Headers({ n: 1, b: true });
  assert_equals(h.get("n"), "1");
  assert_equals(h.get("b"), "true");
});

test("getSetCookie returns each set-cookie value separately", () => {
  const h = new Headers();
  h.append("Set-Cookie", "a=1");
  h.append("set-cookie", "b=2");
  assert_array_equals(h.getSetCookie(), ["a=1", "b=2"]);
  assert_equals(h.get("set-cookie"), "a=1, b=2");
});

test("set-cookie headers are not combined when iterating", () => {
  const h = new Headers([["set-cookie", "a=1"], ["set-cookie", "b=2"], ["x", "y"]]);
  assert_array_equals([...h].map((e) => e.join(": ")), ["set-cookie: a=1", "set-cookie: b=2", "x: y"]);
});

test("getSetCookie is empty without set-cookie", () => {
  assert_array_equals(new Headers({ a: "b" }).getSetCookie(), []);
});

test("forEach passes value, name and the headers object", () => {
  const h = new Headers({ b: "2", a: "1" });
  const seen = [];
  h.forEach(function (value, name, object) { seen.push([name, value, object === h, this]); }, "ctx");
  assert_equals(seen.length, 2);
  assert_array_equals(seen[0], ["a", "1", true, "ctx"]);
});

test("iteration sees headers added during iteration in sort order", () => {
  const h = new Headers({ a: "1", c: "3" });
  const names = [];
  for (const [name] of h) {
    names.push(name);
    if (name === "a") h.set("b", "2");
  }
  assert_array_equals(names, ["a", "b", "c"]);
});

test("the iterator has the right prototype chain and toStringTag", () => {
  const it = new Headers().entries();
  assert_class_string(it, "Headers Iterator");
  assert_equals(typeof it.next, "function");
  assert_equals(Object.getPrototypeOf(Object.getPrototypeOf(it)), Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())));
});

test("append requires two arguments", () => {
  assert_throws_js(TypeError, () => new Headers().append("a"));
});

test("empty values are kept", () => {
  const h = new Headers();
  h.append("a", "");
  assert_true(h.has("a"));
  assert_equals(h.get("a"), "");
});

test("a record's own enumerable keys only", () => {
  const proto = { inherited: "x" };
  const init = Object.create(proto);
  init.own = "y";
  const h = new Headers(init);
  assert_false(h.has("inherited"));
  assert_true(h.has("own"));
});
