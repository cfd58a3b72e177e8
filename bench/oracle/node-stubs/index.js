// The node: modules workerd has as stubs on the fixtures' date (2025-11-01): vm, http2, console.
// bench/oracle.sh bench/oracle/node-stubs /run
import * as vm from "node:vm";
import * as http2 from "node:http2";
import * as nodeConsole from "node:console";
const d = (e) => [e.name, e.code ?? null, e.message];
const show = (v) => Array.isArray(v) ? v.map(show) : typeof v === "function" ? `function ${v.name}` : v === null || typeof v !== "object" ? (typeof v === "symbol" ? String(v) : v) : Object.prototype.toString.call(v);
const t = (f) => { try { return ["ok", show(f())]; } catch (e) { return ["throw", d(e)]; } };
const surface = (ns) => Object.keys(ns).sort().map((k) => [k, typeof ns[k]]);
export default {
  async fetch(request) {
    if (new URL(request.url).pathname !== "/run") return new Response("ok");
    const out = {};
    out["vm.keys"] = surface(vm);
    out["vm.default"] = typeof vm.default === "object" ? Object.keys(vm.default).sort() : typeof vm.default;
    out["vm.runInThisContext"] = t(() => vm.runInThisContext("1 + 1"));
    out["vm.runInNewContext"] = t(() => vm.runInNewContext("1 + 1"));
    out["vm.createContext"] = t(() => vm.createContext({}));
    out["vm.isContext"] = t(() => vm.isContext({}));
    out["vm.isContextBad"] = t(() => vm.isContext(5));
    out["vm.Script"] = t(() => new vm.Script("1"));
    out["vm.ScriptRun"] = t(() => new vm.Script("1").runInThisContext());
    out["vm.compileFunction"] = t(() => vm.compileFunction("return 1"));
    out["vm.measureMemory"] = t(() => vm.measureMemory());
    out["vm.constants"] = t(() => Object.keys(vm.constants ?? {}));
    out["vm.contextRun"] = t(() => vm.runInContext("1", vm.createContext()));
    out["vm.contextIs"] = t(() => [vm.isContext(vm.createContext()), Object.getPrototypeOf(vm.createContext()), Object.keys(vm.createContext({ a: 1 }))]);
    out["vm.runInContextPlain"] = t(() => vm.runInContext("1", {}));
    out["vm.createScript"] = t(() => vm.createScript("1") instanceof vm.Script);
    out["vm.cachedData"] = t(() => [new vm.Script("1").createCachedData().length, new vm.Script("1").cachedDataRejected ?? null]);
    out["vm.badFilename"] = t(() => new vm.Script("1", { filename: 5 }));
    out["vm.badOptions"] = t(() => new vm.Script("1", 5));
    out["vm.compileBadCode"] = t(() => vm.compileFunction(5));
    out["vm.compileBadParams"] = t(() => vm.compileFunction("x", [1]));
    out["vm.measureBadMode"] = t(() => vm.measureMemory({ mode: "nope" }));
    out["vm.contextBadName"] = t(() => vm.createContext({}, { name: 5 }));
    out["vm.runTimeout"] = t(() => new vm.Script("1").runInThisContext({ timeout: -1 }));
    out["vm.constantsKeys"] = t(() => [Object.getOwnPropertySymbols(vm.constants).map(String), Object.isFrozen(vm.constants)]);
    out["http2.keys"] = surface(http2);
    out["http2.constantsJson"] = t(() => [Object.keys(http2.constants).length, JSON.stringify(http2.constants)]);
    out["http2.default"] = t(() => Object.keys(http2.default).sort());
    out["http2.request"] = t(() => new http2.Http2ServerRequest());
    out["http2.response"] = t(() => new http2.Http2ServerResponse());
    out["http2.secure"] = t(() => http2.createSecureServer());
    out["http2.handshake"] = t(() => http2.performServerHandshake());
    out["http2.packed"] = t(() => [http2.getPackedSettings().length, JSON.stringify(http2.getUnpackedSettings()), http2.getDefaultSettings().enablePush, Object.keys(Object.getPrototypeOf(http2.getDefaultSettings()))]);
    out["http2.createServer"] = t(() => http2.createServer());
    out["http2.connect"] = t(() => http2.connect("https://example.com"));
    out["http2.constants"] = t(() => [typeof http2.constants, http2.constants?.HTTP2_HEADER_STATUS, http2.constants?.NGHTTP2_CANCEL]);
    out["http2.getDefaultSettings"] = t(() => JSON.stringify(http2.getDefaultSettings?.()));
    out["http2.sensitiveHeaders"] = t(() => String(http2.sensitiveHeaders));
    out["console.keys"] = surface(nodeConsole);
    out["console.Console"] = t(() => typeof nodeConsole.Console);
    out["console.same"] = t(() => nodeConsole.default === globalThis.console);
    out["console.defaultKeys"] = t(() => Object.keys(nodeConsole.default).sort().join(",") === Object.keys(globalThis.console).sort().join(","));
    out["console.log"] = t(() => nodeConsole.log("from node:console"));
    return Response.json(out);
  },
};
