// node:module — createRequire for the Node modules Flint has synchronously (buffer, events, process);
// other built-ins must be imported (require of them in a bundle is turned into imports by the bundler).
import bridge from "node-internal:bridge";

const syncModules = { buffer: () => bridge.buffer(), events: () => bridge.events(), process: () => bridge.process() };
export const builtinModules = ["_http_agent", "_http_client", "_http_common", "_http_incoming", "_http_outgoing", "_http_server", "_stream_duplex", "_stream_passthrough", "_stream_readable", "_stream_transform", "_stream_writable", "_tls_common", "_tls_wrap", "assert", "assert/strict", "async_hooks", "buffer", "crypto", "diagnostics_channel", "dns", "dns/promises", "events", "fs", "fs/promises", "http", "https", "module", "net", "os", "path", "path/posix", "path/win32", "process", "querystring", "stream", "stream/consumers", "stream/promises", "stream/web", "string_decoder", "sys", "timers", "timers/promises", "tls", "url", "util", "util/types", "zlib"];
export function isBuiltin(name) { return builtinModules.includes(String(name).replace(/^node:/, "")); }
export function createRequire(filename) {
  const require = (id) => {
    const name = String(id).replace(/^node:/, "");
    const load = syncModules[name];
    if (load !== undefined) return load();
    const e = new Error(`Cannot find module '${id}'`);
    e.code = "MODULE_NOT_FOUND";
    throw e;
  };
  require.resolve = (id) => (isBuiltin(id) ? `node:${String(id).replace(/^node:/, "")}` : (() => { throw new Error(`Cannot find module '${id}'`); })());
  require.cache = Object.create(null);
  return require;
}
export class Module {}
Module.createRequire = createRequire;
Module.builtinModules = builtinModules;
Module.isBuiltin = isBuiltin;
export default Module;
