using Flint.JavaScript.Tests.Support;

namespace Flint.JavaScript.Tests.Web;

// Expected values were taken from workerd (compatibility date 2026-11-01).
public class StructuredCloneTests
{
    [Fact]
    public Task StructuredCloneMatchesWorkerd() => JsChecks.RunAsync("""
        function cloneError(f) {
          try { f(); } catch (e) {
            if (!(e instanceof DOMException)) return `not a DOMException: ${e}`;
            return `${e.name}/${e.code}: ${e.message}`;
          }
          return "no error";
        }
        check("primitives", () => {
          ok(Object.is(structuredClone(-0), -0)); eq(structuredClone(10n), 10n); ok(Number.isNaN(structuredClone(NaN)));
          eq(structuredClone(undefined), undefined); eq(structuredClone(null), null); eq(structuredClone("s"), "s");
          eq(structuredClone(true), true);
        });
        check("wrapper objects", () => {
          const n = structuredClone(Object(5)); ok(n instanceof Number); eq(n.valueOf(), 5);
          const s = structuredClone(Object("s")); ok(s instanceof String); eq(s.valueOf(), "s");
          const b = structuredClone(Object(false)); ok(b instanceof Boolean); eq(b.valueOf(), false);
          const g = structuredClone(Object(10n)); eq(typeof g, "object"); eq(g.valueOf(), 10n);
        });
        check("Date and RegExp", () => {
          const d = new Date(5); const dc = structuredClone(d); ok(dc instanceof Date); eq(dc.getTime(), 5); ok(dc !== d);
          ok(Number.isNaN(structuredClone(new Date(NaN)).getTime()));
          const re = /a+/gi; re.lastIndex = 3; re.extra = 1;
          const rc = structuredClone(re);
          eq([rc.source, rc.flags, rc.lastIndex, rc.extra], ["a+", "gi", 0, undefined]);
        });
        check("objects and arrays", () => {
          class K { constructor() { this.a = 1; } get g() { return 2; } }
          const k = structuredClone(new K());
          ok(Object.getPrototypeOf(k) === Object.prototype, "class instance becomes a plain object"); eq(k, { a: 1 });
          const np = Object.create(null); np.a = 1;
          ok(Object.getPrototypeOf(structuredClone(np)) === Object.prototype);
          eq(Object.getOwnPropertySymbols(structuredClone({ [Symbol("x")]: 1, y: 2 })).length, 0);
          const hidden = {}; Object.defineProperty(hidden, "h", { value: 1, enumerable: false });
          eq(Object.keys(structuredClone(hidden)), []);
          const arr = [1, , 3]; arr.x = "y";
          const ac = structuredClone(arr);
          eq([ac.length, 1 in ac, ac.x], [3, false, "y"]); eq(Object.keys(ac), ["0", "2", "x"]);
          let reads = 0; const withGetter = { get x() { reads++; return 7; } };
          eq(structuredClone(withGetter), { x: 7 }); eq(reads, 1);
          const proto = JSON.parse('{"__proto__": {"polluted": true}}');
          const pc = structuredClone(proto);
          ok(Object.getPrototypeOf(pc) === Object.prototype, "__proto__ stays a data property");
          eq(pc.polluted, undefined); ok(Object.hasOwn(pc, "__proto__"));
        });
        check("cycles and shared references", () => {
          const cyc = { n: 1 }; cyc.self = cyc; cyc.list = [cyc, cyc];
          const c = structuredClone(cyc);
          ok(c !== cyc); ok(c.self === c); ok(c.list[0] === c && c.list[1] === c);
          const shared = { v: 1 }; const two = structuredClone([shared, shared]);
          ok(two[0] === two[1]); ok(two[0] !== shared);
        });
        check("Map and Set", () => {
          const key = { k: 1 };
          const m = new Map([[key, new Set([1, 2])], ["self", null]]); m.set("self", m); m.extra = 1;
          const mc = structuredClone(m);
          ok(mc instanceof Map); eq(mc.size, 2); eq(mc.extra, undefined);
          const [k, v] = [...mc][0];
          eq(k.k, 1); ok(k !== key); ok(v instanceof Set); ok(v.has(2)); ok(mc.get("self") === mc);
          const s = new Set([key, key]); const sc = structuredClone(s); eq(sc.size, 1);
        });
        check("errors", () => {
          const e = new TypeError("tm", { cause: { c: 1 } }); e.extra = 5;
          const ec = structuredClone(e);
          ok(ec instanceof TypeError); ok(ec !== e);
          eq([ec.name, ec.message, ec.cause, ec.extra], ["TypeError", "tm", { c: 1 }, 5]);
          eq(Object.keys(ec), ["stack", "cause", "extra"]);
          eq(Object.getOwnPropertyNames(ec), ["stack", "message", "cause", "extra"]);
          eq(ec.stack, e.stack);
          const md = Object.getOwnPropertyDescriptor(ec, "message");
          eq([md.value, md.writable, md.enumerable, md.configurable], ["tm", true, false, true]);
          eq(Object.getOwnPropertyDescriptor(ec, "stack").enumerable, true);
          for (const C of [Error, RangeError, ReferenceError, SyntaxError, EvalError, URIError]) {
            const c = structuredClone(new C("x")); ok(c instanceof C, C.name); eq(c.message, "x");
          }
          eq(Object.getOwnPropertyNames(structuredClone(new Error())), ["stack", "message"]);
        });
        check("error subclasses and AggregateError", () => {
          class MyErr extends Error { constructor(m) { super(m); this.name = "MyErr"; } }
          const me = structuredClone(new MyErr("x"));
          eq([me.constructor.name, me.name, me.message], ["Error", "MyErr", "x"]);
          eq(Object.getOwnPropertyNames(me), ["stack", "message", "name"]);
          const nd = Object.getOwnPropertyDescriptor(me, "name");
          eq([nd.writable, nd.enumerable, nd.configurable], [true, true, true]);
          const ag = structuredClone(new AggregateError([new Error("in")], "agg"));
          ok(ag instanceof AggregateError); eq(ag.message, "agg"); eq(ag.errors[0].message, "in"); ok(ag.errors[0] instanceof Error);
          eq(Object.keys(ag), ["stack", "errors"]);
          const bad = new Error(); bad.message = 5;
          eq(cloneError(() => structuredClone(bad)), "DataCloneError/25: Deserialization failed: error message is not a string");
        });
        check("DOMException", () => {
          const d = new DOMException("dm", "DataCloneError");
          const dc = structuredClone(d);
          ok(dc instanceof DOMException); ok(dc !== d);
          eq([dc.name, dc.message, dc.code], ["DataCloneError", "dm", 25]); eq(dc.stack, d.stack);
        });
        check("ArrayBuffer and views", () => {
          const ab = new ArrayBuffer(8); const u = new Uint8Array(ab, 2, 4); u[0] = 7;
          const c = structuredClone({ ab, u, d: new DataView(ab, 1, 2), f: new Float64Array([1.5, 2]) });
          ok(c.ab !== ab); eq(c.ab.byteLength, 8); ok(c.u.buffer === c.ab); eq([c.u.byteOffset, c.u.length, c.u[0]], [2, 4, 7]);
          ok(c.d instanceof DataView); ok(c.d.buffer === c.ab); eq([c.d.byteOffset, c.d.byteLength], [1, 2]);
          eq(c.f.constructor.name, "Float64Array"); eq(Array.from(c.f), [1.5, 2]);
          u[1] = 9; eq(c.u[1], 0);
          eq(ab.byteLength, 8);
          const b = new ArrayBuffer(4); const r = structuredClone([new Uint8Array(b), new Uint16Array(b)]);
          ok(r[0].buffer === r[1].buffer);
          const big = structuredClone(new BigInt64Array([5n])); eq(big[0], 5n);
          const rab = new ArrayBuffer(2, { maxByteLength: 10 });
          const rc = structuredClone(rab); eq([rc.resizable, rc.maxByteLength, rc.byteLength], [true, 10, 2]);
        });
        check("transfer", () => {
          const ab = new ArrayBuffer(8); const u = new Uint8Array(ab, 2, 4); u[0] = 7;
          const c = structuredClone({ ab, u, d: new DataView(ab, 1, 2) }, { transfer: [ab] });
          eq([ab.byteLength, ab.detached, u.length], [0, true, 0]);
          eq([c.ab.byteLength, c.u.buffer === c.ab, c.u.byteOffset, c.u[0], c.d.buffer === c.ab, c.d.byteOffset], [8, true, 2, 7, true, 1]);
          eq(cloneError(() => structuredClone(ab)), "DataCloneError/25: An ArrayBuffer is detached and could not be cloned.");
          eq(structuredClone(1, { transfer: [ab] }), 1);
          const ab2 = new ArrayBuffer(4); new Uint8Array(ab2)[3] = 1;
          const moved = structuredClone(ab2, { transfer: [ab2, ab2] });
          eq(ab2.detached, true); eq(moved.byteLength, 4); eq(new Uint8Array(moved)[3], 1);
          const v = new Uint8Array(4); const rv = structuredClone(v, { transfer: [v] });
          eq([v.buffer.detached, rv.length], [true, 4]);
        });
        check("transfer arguments", () => {
          throws(() => structuredClone(1, { transfer: 5 }), "TypeError", "Incorrect type for the 'transfer' field on 'StructuredCloneOptions'");
          throws(() => structuredClone(1, { transfer: [5] }), "TypeError", "Object is not transferable");
          throws(() => structuredClone(1, 5), "TypeError", "parameter 2 is not of type 'StructuredCloneOptions'");
          throws(() => structuredClone(), "TypeError", "parameter 1 is not of type 'Value'");
          eq(structuredClone(3, {}), 3); eq(structuredClone(3, { transfer: [] }), 3);
        });
        check("values that cannot be cloned", () => {
          const cases = [
            [function() {}, "function() {} could not be cloned."],
            [() => 1, "() => 1 could not be cloned."],
            [{ a: function foo(x) { return x; } }, "function foo(x) { return x; } could not be cloned."],
            [class A {}, "class A {} could not be cloned."],
            [Symbol("s"), "Symbol(s) could not be cloned."],
            [Object(Symbol("q")), "[object Symbol] could not be cloned."],
            [new WeakMap(), "#<WeakMap> could not be cloned."],
            [new WeakSet(), "#<WeakSet> could not be cloned."],
            [new WeakRef({}), "#<WeakRef> could not be cloned."],
            [Promise.resolve(), "#<Promise> could not be cloned."],
            [[1, 2].values(), "[object Array Iterator] could not be cloned."],
            [(function* () {})(), "[object Generator] could not be cloned."],
            [(function () { return arguments; })(1, 2), "#<Object> could not be cloned."],
          ];
          for (const [value, message] of cases) eq(cloneError(() => structuredClone(value)), `DataCloneError/25: ${message}`);
        });
        check("Web API objects", () => {
          const type = (name) => `DataCloneError/25: Could not serialize object of type "${name}". This type does not support serialization.`;
          eq(cloneError(() => structuredClone(new AbortController())), type("AbortController"));
          eq(cloneError(() => structuredClone(new Event("x"))), type("Event"));
          eq(cloneError(() => structuredClone(new CustomEvent("x"))), type("CustomEvent"));
          eq(cloneError(() => structuredClone(new EventTarget())), type("EventTarget"));
          eq(cloneError(() => structuredClone(new TextEncoder())), type("TextEncoder"));
          eq(cloneError(() => structuredClone(new TextDecoder())), type("TextDecoder"));
          eq(cloneError(() => structuredClone(crypto)), type("Crypto"));
          eq(cloneError(() => structuredClone(new AbortController().signal)), "DataCloneError/25: AbortSignal serialization is not enabled.");
          eq(cloneError(() => structuredClone(new Response("x"))), "DataCloneError/25: ReadableStream can only be serialized for RPC.");
          eq(cloneError(() => structuredClone(new ReadableStream())), "DataCloneError/25: ReadableStream can only be serialized for RPC.");
          const h = structuredClone(new Headers({ a: "1" }));
          ok(h instanceof Headers); eq(h.get("a"), "1");
          const r = structuredClone(new Response(null, { status: 201, headers: { b: "2" } }));
          ok(r instanceof Response); eq([r.status, r.headers.get("b"), r.body], [201, "2", null]);
        });
        check("getters that throw", () => {
          throws(() => structuredClone({ get x() { throw new RangeError("getter"); } }), "RangeError", "getter");
        });
        check("structuredClone is a global", () => {
          eq(typeof structuredClone, "function"); ok(!Object.keys(globalThis).includes("structuredClone"));
        });
        """);
}
