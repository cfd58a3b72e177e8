// HTML structured serialization: structuredClone().

test("primitives", () => {
  for (const v of [1, -0, NaN, "s", true, null, undefined, 10n]) assert_equals(structuredClone(v), v);
});

test("plain objects and arrays are deep-copied", () => {
  const src = { a: [1, { b: 2 }], c: "x" };
  const copy = structuredClone(src);
  assert_not_equals(copy, src);
  assert_not_equals(copy.a, src.a);
  assert_object_equals(copy, src);
});

test("cycles and shared references are preserved", () => {
  const o = { name: "o" };
  o.self = o;
  const shared = {};
  const copy = structuredClone({ o, x: shared, y: shared });
  assert_equals(copy.o.self, copy.o);
  assert_equals(copy.x, copy.y);
});

test("Date, RegExp, Map, Set", () => {
  const copy = structuredClone({ d: new Date(5), r: /a+/gi, m: new Map([[1, "a"]]), s: new Set([1, 2]) });
  assert_true(copy.d instanceof Date);
  assert_equals(copy.d.getTime(), 5);
  assert_equals(copy.r.source, "a+");
  assert_equals(copy.r.flags, "gi");
  assert_equals(copy.m.get(1), "a");
  assert_true(copy.s.has(2));
});

test("ArrayBuffer and typed arrays", () => {
  const u = new Uint16Array([1, 2, 3]);
  const copy = structuredClone(u);
  assert_true(copy instanceof Uint16Array);
  assert_array_equals(copy, [1, 2, 3]);
  assert_not_equals(copy.buffer, u.buffer);
});

test("views on the same buffer share the cloned buffer", () => {
  const buf = new ArrayBuffer(8);
  const copy = structuredClone([new Uint8Array(buf), new DataView(buf, 2)]);
  assert_equals(copy[0].buffer, copy[1].buffer);
  assert_equals(copy[1].byteOffset, 2);
});

test("errors keep their type and message", () => {
  const copy = structuredClone(new RangeError("bad"));
  assert_true(copy instanceof RangeError);
  assert_equals(copy.message, "bad");
});

test("functions throw DataCloneError", () => {
  assert_throws_dom("DataCloneError", () => structuredClone(() => {}));
  assert_throws_dom("DataCloneError", () => structuredClone({ f() {} }));
});

test("symbols throw DataCloneError", () => {
  assert_throws_dom("DataCloneError", () => structuredClone(Symbol("s")));
});

test("class instances become plain objects", () => {
  class Point { constructor() { this.x = 1; } get y() { return 2; } }
  const copy = structuredClone(new Point());
  assert_equals(Object.getPrototypeOf(copy), Object.prototype);
  assert_equals(copy.x, 1);
  assert_equals(copy.y, undefined);
});

test("transfer detaches the ArrayBuffer", () => {
  const buf = new Uint8Array([1, 2]).buffer;
  const copy = structuredClone(buf, { transfer: [buf] });
  assert_equals(buf.byteLength, 0);
  assert_array_equals(new Uint8Array(copy), [1, 2]);
});

test("wrapper objects", () => {
  const copy = structuredClone([new Number(3), new String("s"), new Boolean(false)]);
  assert_true(copy[0] instanceof Number);
  assert_equals(copy[0].valueOf(), 3);
  assert_equals(copy[1].valueOf(), "s");
  assert_equals(copy[2].valueOf(), false);
});

test("sparse arrays keep their holes and length", () => {
  const copy = structuredClone([1, , 3]);
  assert_equals(copy.length, 3);
  assert_false(1 in copy);
});

test("structuredClone requires an argument", () => {
  assert_throws_js(TypeError, () => structuredClone());
});
