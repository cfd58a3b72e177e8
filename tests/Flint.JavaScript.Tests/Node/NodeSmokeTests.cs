using Flint.JavaScript.Tests.Support;

namespace Flint.JavaScript.Tests.Node;

public class NodeSmokeTests
{
    private static readonly (string, string[]) NodeCompat = ("2026-11-01", ["nodejs_compat"]);

    [Fact]
    public Task ModulesLoad() => JsChecks.RunAsync("""
        import { Buffer } from "node:buffer";
        import EventEmitter from "node:events";
        import { AsyncLocalStorage } from "node:async_hooks";
        import * as util from "node:util";
        import path from "node:path";
        import { Readable, Transform, pipeline } from "node:stream";
        import { StringDecoder } from "node:string_decoder";
        import process from "node:process";
        check("buffer", () => { eq(Buffer.from("hello").toString("base64"), "aGVsbG8="); eq(Buffer.from("hi?", "utf8").toString("base64url"), "aGk_"); });
        check("events", () => { const e = new EventEmitter(); let got; e.on("x", (v) => got = v); e.emit("x", 1); eq(got, 1); });
        check("path", () => eq(path.join("/a", "b", "../c"), "/a/c"));
        check("util", () => { eq(util.format("%s=%d", "a", 1), "a=1"); eq(util.types.isDate(new Date()), true); });
        check("decoder", () => { const d = new StringDecoder("utf8"); eq(d.write(Buffer.from([0xc3])) + d.write(Buffer.from([0xa9])), "é"); });
        check("process", () => { eq(process.version, "v22.23.4"); eq(typeof process.nextTick, "function"); });
        check("globals", () => { eq(typeof Buffer, "function"); ok(globalThis.Buffer === Buffer); ok(global === globalThis); });
        check("als follows await", async () => {
          const als = new AsyncLocalStorage();
          const seen = await als.run("s", async () => { await null; await new Promise((r) => setTimeout(r, 1)); return als.getStore(); });
          eq(seen, "s"); eq(als.getStore(), undefined);
        });
        check("stream", async () => {
          const out = [];
          await new Promise((resolve, reject) => pipeline(Readable.from(["a", "b"]), new Transform({ transform(c, e, cb) { cb(null, String(c).toUpperCase()); } }),
            async function* (src) { for await (const c of src) out.push(String(c)); }, (e) => e ? reject(e) : resolve()));
          eq(out.join(""), "AB");
        });
        """, compatibility: NodeCompat);
}
