using Flint.JavaScript.Tests.Support;

namespace Flint.JavaScript.Tests.Node;

/// <summary>
/// node: modules against Node's behaviour: each expectation was checked by running the same
/// statement under Node.js 20 (`node -e`), including the error codes.
/// </summary>
public class NodeModulesTests
{
    private static readonly (string, string[]) NodeCompat = ("2026-11-01", ["nodejs_compat"]);

    [Fact]
    public Task AModuleImportedFromSeveralPlacesIsOneInstance() => JsChecks.RunAsync("""
        import { box } from "./shared.js";
        import { fromA } from "./a.js";
        import net from "node:net";
        import { TLSSocket } from "node:tls";
        import { Duplex } from "node:stream";
        check("the Worker's own modules", async () => {
          ok(box === fromA, "shared.js was instantiated twice");
          ok(box === (await import("./shared.js")).box, "a dynamic import made a second instance");
        });
        check("node: modules, also as other node: modules import them", async () => {
          ok(net === (await import("node:net")).default);
          ok(Object.getPrototypeOf(TLSSocket) === net.Socket);
          ok(Object.getPrototypeOf(net.Socket) === Duplex);
        });
        """, new Dictionary<string, string>
    {
        ["shared.js"] = "export const box = {};",
        ["a.js"] = "import { box } from \"./shared.js\"; export const fromA = box;",
    }, compatibility: NodeCompat);

    [Fact]
    public Task BufferBehavesAsNodes() => JsChecks.RunAsync("""
        import { Buffer, constants, isUtf8, isAscii, kMaxLength } from "node:buffer";
        check("encodings", () => {
          eq(Buffer.from("héllo").toString("hex"), "68c3a96c6c6f");
          eq(Buffer.from("68c3a96c6c6f", "hex").toString(), "héllo");
          eq(Buffer.from("aGVsbG8=", "base64").toString(), "hello");
          eq(Buffer.from("hello").toString("base64url"), "aGVsbG8");
          eq(Buffer.from("aGVsbG8", "base64url").toString(), "hello");
          eq(Buffer.from("ÿ", "latin1")[0], 255);
          eq(Buffer.from("hi", "utf16le").length, 4);
          eq(Buffer.byteLength("héllo"), 6);
          eq(Buffer.isEncoding("base64url"), true);
          eq(Buffer.isEncoding("nope"), false);
        });
        check("lenient decoding and ranges, as Node", () => {
          const hex = (s, e) => Buffer.from(s, e).toString("hex");
          eq(hex("aGVsbG8", "base64"), "68656c6c6f"); eq(hex("aGV sbG8=\n", "base64"), "68656c6c6f");
          eq(hex("_-8", "base64"), "ffef"); eq(hex("aGk!!", "base64"), "6869"); eq(hex("aGk_", "base64url"), "68693f");
          eq(hex("abzz12", "hex"), "ab"); eq(hex("abc", "hex"), "ab");
          eq(Buffer.from([1, 2, 3, 4, 5]).toString("base64", 1, 3), "AgM="); eq(Buffer.from([1, 2, 3]).toString("hex", -1, 99), "010203");
          eq(Buffer.from([1, 2]).toString("base64", 5), "");
        });
        check("alloc, concat, compare, slices share memory", () => {
          eq([...Buffer.alloc(3, 1)], [1, 1, 1]);
          eq(Buffer.concat([Buffer.from("a"), Buffer.from("bc")]).toString(), "abc");
          eq(Buffer.compare(Buffer.from("a"), Buffer.from("b")), -1);
          const b = Buffer.from("hello"); const s = b.subarray(1, 3); s[0] = 0x41; eq(b.toString(), "hAllo");
          ok(Buffer.isBuffer(b)); ok(b instanceof Uint8Array);
          eq(b.equals(Buffer.from("hAllo")), true);
          eq(b.indexOf("ll"), 2); eq(b.includes("zz"), false);
        });
        check("numbers", () => {
          const b = Buffer.alloc(8);
          b.writeUInt32BE(0xdeadbeef, 0); eq(b.readUInt32BE(0), 0xdeadbeef);
          b.writeInt16LE(-2, 4); eq(b.readInt16LE(4), -2);
          b.writeDoubleLE(1.5, 0); eq(b.readDoubleLE(0), 1.5);
          b.writeBigUInt64BE(2n ** 63n, 0); eq(b.readBigUInt64BE(0), 2n ** 63n);
          const e = throws(() => b.readUInt32BE(6), "RangeError"); eq(e.code, "ERR_OUT_OF_RANGE");
        });
        check("json and inspect", () => {
          eq(JSON.stringify(Buffer.from([1, 2])), '{"type":"Buffer","data":[1,2]}');
          eq(isUtf8(Buffer.from([0xc3, 0xa9])), true); eq(isUtf8(Buffer.from([0xc3])), false);
          eq(isAscii(Buffer.from("abc")), true);
          eq(typeof kMaxLength, "number"); eq(constants.MAX_LENGTH, kMaxLength);
        });
        """, compatibility: NodeCompat);

    [Fact]
    public Task AssertQuerystringUrlTimersChannels() => JsChecks.RunAsync("""
        import assert, { AssertionError } from "node:assert";
        import strict from "node:assert/strict";
        import querystring from "node:querystring";
        import url, { fileURLToPath, pathToFileURL } from "node:url";
        import { setTimeout as sleep } from "node:timers/promises";
        import diagnostics from "node:diagnostics_channel";
        import EventEmitter, { once } from "node:events";
        import { promisify, inspect, callbackify, inherits } from "node:util";
        check("assert", async () => {
          assert.ok(true); assert.equal(1, "1"); assert.deepStrictEqual({ a: [1] }, { a: [1] });
          const e = throws(() => assert.strictEqual(1, 2), "AssertionError"); eq(e.code, "ERR_ASSERTION"); ok(e instanceof AssertionError);
          throws(() => strict.equal(1, "1"), "AssertionError");
          assert.throws(() => { throw new TypeError("x"); }, TypeError);
          assert.throws(() => { throw new TypeError("boom"); }, { name: "TypeError", message: "boom" });
          await assert.rejects(Promise.reject(new Error("r")), /r/);
          throws(() => assert.throws(() => {}), "AssertionError", "Missing expected exception.");
        });
        check("querystring", () => {
          eq(querystring.stringify({ a: [1, 2], b: "x y", c: "" }), "a=1&a=2&b=x%20y&c=");
          eq(JSON.stringify(querystring.parse("a=1&a=2&b=x+y&c")), '{"a":["1","2"],"b":"x y","c":""}');
          eq(querystring.escape("a b!"), "a%20b%21");
        });
        check("url", () => {
          eq(fileURLToPath("file:///a/b%20c"), "/a/b c");
          eq(pathToFileURL("/a/b c").href, "file:///a/b%20c");
          const u = url.parse("https://user:pw@example.com:8080/p/a?x=1#h", true);
          eq([u.protocol, u.auth, u.host, u.port, u.hostname, u.pathname, u.search, u.hash, u.path], ["https:", "user:pw", "example.com:8080", "8080", "example.com", "/p/a", "?x=1", "#h", "/p/a?x=1"]);
          eq(u.query.x, "1");
          eq(url.format({ protocol: "https", hostname: "example.com", pathname: "/x", query: { a: 1 } }), "https://example.com/x?a=1");
          eq(url.resolve("http://a.com/b/c", "../d"), "http://a.com/d");
          const e = throws(() => fileURLToPath("https://x/"), "TypeError"); eq(e.code, "ERR_INVALID_URL_SCHEME");
        });
        check("timers/promises, events.once, promisify", async () => {
          eq(await sleep(1, "v"), "v");
          const ac = new AbortController(); const p = sleep(1000, 1, { signal: ac.signal }); ac.abort();
          await rejects(p, "AbortError");
          const em = new EventEmitter(); queueMicrotask(() => em.emit("go", 1, 2));
          eq(await once(em, "go"), [1, 2]);
          const cbStyle = (a, cb) => setTimeout(() => cb(null, a * 2), 0);
          eq(await promisify(cbStyle)(21), 42);
          eq(await new Promise((r) => callbackify(async (x) => x + 1)(1, (e, v) => r(v))), 2);
          function A() {} function B() {} inherits(A, B); ok(new A() instanceof B);
          eq(inspect({ a: 1 }), "{ a: 1 }");
        });
        check("diagnostics_channel", () => {
          const ch = diagnostics.channel("flint:test"); const got = [];
          eq(ch.hasSubscribers, false);
          const fn = (m, name) => got.push([m, name]); diagnostics.subscribe("flint:test", fn);
          eq(diagnostics.hasSubscribers("flint:test"), true); ch.publish(1); diagnostics.unsubscribe("flint:test", fn); ch.publish(2);
          eq(got, [[1, "flint:test"]]);
        });
        check("process.env holds the vars as workerd gives them", async () => {
          const { default: process } = await import("node:process");
          eq(process.env.TEXT, "t"); eq(process.env.NUM, "42"); eq(process.env.OBJ, '{"a":1}');
        });
        """, compatibility: NodeCompat, envJson: """{"TEXT":"t","NUM":42,"OBJ":{"a":1}}""");
}
