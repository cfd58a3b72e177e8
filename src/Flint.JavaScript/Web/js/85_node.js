// Node.js compatibility (nodejs_compat): the parts the global scope needs synchronously — Buffer,
// process, EventEmitter — and the bridge the node: modules (Node/js/*.js, ES modules compiled when
// imported) reach the built-ins through. Each part is built the first time it is used.

const NODE_VERSION = "22.23.4"; // what workerd reports before nodejs_process_version_24

// ---- errors with Node's codes ---------------------------------------------------------------
/** A Node-style error: `name [code]: message` in the stack, with `code` set (Node's internal/errors). */
function nodeError(Base, code, message) {
  const e = new Base(message);
  Object.defineProperty(e, "code", { value: code, writable: true, enumerable: true, configurable: true });
  Object.defineProperty(e, "name", { value: `${Base.name} [${code}]`, writable: true, configurable: true });
  e.stack; // Node formats the stack with the code, then shows the plain name.
  delete e.name;
  return e;
}

function describeReceived(value) {
  if (value === null || value === undefined) return ` Received ${value}`;
  if (typeof value === "function") return ` Received function ${value.name}`;
  if (typeof value === "object") {
    if (value.constructor?.name) return ` Received an instance of ${value.constructor.name}`;
    return ` Received ${inspect(value, { depth: -1 })}`;
  }
  // Node's rule: the inspected value (a string quoted and escaped), cut to 25 characters and "..." past 28.
  let shown = typeof value === "string" ? `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\n/g, "\\n")}'` : inspect(value);
  if (shown.length > 28) shown = `${shown.slice(0, 25)}...`;
  return ` Received type ${typeof value} (${shown})`;
}

function invalidArgType(name, expected, actual) {
  const what = name.includes(".") ? "property" : "argument";
  return nodeError(TypeError, "ERR_INVALID_ARG_TYPE", `The "${name}" ${what} must be ${expected}.${describeReceived(actual)}`);
}

// ---- events -----------------------------------------------------------------------------------
let nodeEventsModule = null;
function nodeEvents() {
  if (nodeEventsModule !== null) return nodeEventsModule;
  const EventEmitter = vendorEvents();
  // Node's additions to the npm package's EventEmitter.
  // Every emitter has an own `domain` (null), as Node's and workerd's EventEmitter.init give it.
  const init = EventEmitter.init;
  EventEmitter.init = function (...args) { init.apply(this, args); this.domain = null; };
  const errorMonitor = Symbol("events.errorMonitor");
  const emit = EventEmitter.prototype.emit;
  EventEmitter.prototype.emit = function (type, ...args) {
    if (type === "error" && this._events !== undefined && this._events[errorMonitor] !== undefined) emit.call(this, errorMonitor, ...args);
    return emit.call(this, type, ...args);
  };
  EventEmitter.errorMonitor = errorMonitor;
  EventEmitter.captureRejections = false;
  EventEmitter.getEventListeners = (emitter, type) =>
    typeof emitter.listeners === "function" ? emitter.listeners(type) : getEventTargetListeners(emitter, type);
  EventEmitter.setMaxListeners = (n = 10, ...targets) => {
    if (targets.length === 0) EventEmitter.defaultMaxListeners = n;
    for (const t of targets) if (typeof t.setMaxListeners === "function") t.setMaxListeners(n);
  };
  EventEmitter.listenerCount = (emitter, type) => emitter.listenerCount(type);
  EventEmitter.addAbortListener = (signal, listener) => {
    if (signal.aborted) queueMicrotask(() => listener());
    else signal.addEventListener("abort", listener, { once: true });
    return { [Symbol.dispose]() { signal.removeEventListener("abort", listener); } };
  };
  EventEmitter.on = function on(emitter, event, options = {}) {
    const queue = [], waiting = [];
    let error = null, done = false;
    const onEvent = (...args) => { if (waiting.length) waiting.shift().resolve({ value: args, done: false }); else queue.push(args); };
    const onError = (e) => { done = true; if (waiting.length) waiting.shift().reject(e); else error = e; };
    emitter.on(event, onEvent);
    if (event !== "error") emitter.on("error", onError);
    const close = () => { done = true; emitter.removeListener(event, onEvent); emitter.removeListener("error", onError); while (waiting.length) waiting.shift().resolve({ value: undefined, done: true }); };
    options.signal?.addEventListener("abort", () => onError(new DOMException("The operation was aborted", "AbortError")), { once: true });
    return {
      next() {
        if (queue.length) return Promise.resolve({ value: queue.shift(), done: false });
        if (error !== null) { const e = error; error = null; return Promise.reject(e); }
        if (done) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
      },
      return() { close(); return Promise.resolve({ value: undefined, done: true }); },
      throw(e) { onError(e); close(); return Promise.reject(e); },
      [Symbol.asyncIterator]() { return this; },
    };
  };
  class EventEmitterAsyncResource extends EventEmitter {}
  EventEmitter.EventEmitterAsyncResource = EventEmitterAsyncResource;
  nodeEventsModule = EventEmitter;
  return EventEmitter;
}

function getEventTargetListeners(target, type) {
  return typeof globalEventListeners === "function" && target === globalThis ? globalEventListeners(type) : [];
}

// ---- buffer -----------------------------------------------------------------------------------
let nodeBufferModule = null;
function nodeBuffer() {
  if (nodeBufferModule !== null) return nodeBufferModule;
  const m = vendorBuffer();
  const { Buffer } = m;
  // base64, base64url and hex through V8's own Uint8Array.prototype.toBase64/fromBase64/toHex
  // (native code; the npm package's JavaScript loops are five times slower), base64url being
  // newer than the npm package. Decoding falls back to the package's lenient decoder for input
  // the standard one refuses, as Node accepts it (stray characters, the other alphabet).
  const toString = Buffer.prototype.toString;
  const { toBase64, toHex } = Uint8Array.prototype;
  const { fromBase64, fromHex } = Uint8Array;
  const encodingOf = (e) => (typeof e === "string" ? e.toLowerCase() : undefined);
  Buffer.prototype.toString = function (encoding, start, end) {
    const e = encodingOf(encoding);
    if (e === "base64" || e === "base64url" || e === "hex") {
      let view = this;
      if (start !== undefined || end !== undefined) {
        const from = Math.max(0, start === undefined ? 0 : Math.trunc(Number(start)) || 0);
        const to = Math.min(this.length, end === undefined ? this.length : Math.trunc(Number(end)) || 0);
        if (to <= from) return "";
        view = this.subarray(from, to);
      }
      if (e === "hex") return toHex.call(view);
      return e === "base64" ? toBase64.call(view) : toBase64.call(view, { alphabet: "base64url", omitPadding: true });
    }
    return toString.call(this, encoding, start, end);
  };
  const from = Buffer.from;
  const wrap = (bytes) => from.call(Buffer, bytes.buffer, bytes.byteOffset, bytes.byteLength);
  Buffer.from = function (value, encodingOrOffset, length) {
    const e = typeof value === "string" ? encodingOf(encodingOrOffset) : undefined;
    if (e === "base64" || e === "base64url") {
      try {
        return wrap(fromBase64(value, { alphabet: e === "base64url" || /[-_]/.test(value) ? "base64url" : "base64", lastChunkHandling: "loose" }));
      } catch {
        return from.call(this, value.replace(/-/g, "+").replace(/_/g, "/"), "base64");
      }
    }
    if (e === "hex" && value.length % 2 === 0) {
      try { return wrap(fromHex(value)); } catch { /* Node stops at the first bad pair: the package does too */ }
    }
    return from.call(this, value, encodingOrOffset, length);
  };
  const isEncoding = Buffer.isEncoding;
  Buffer.isEncoding = (e) => (typeof e === "string" && e.toLowerCase() === "base64url") || isEncoding(e);
  const byteLength = Buffer.byteLength;
  Buffer.byteLength = (s, e) => (typeof s === "string" && typeof e === "string" && e.toLowerCase() === "base64url")
    ? from.call(Buffer, s.replace(/-/g, "+").replace(/_/g, "/"), "base64").length : byteLength(s, e);
  Buffer.copyBytesFrom = (view, offset = 0, length) => {
    if (!ArrayBuffer.isView(view)) throw invalidArgType("view", "an instance of TypedArray", view);
    const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    const size = view.BYTES_PER_ELEMENT ?? 1;
    const end = length === undefined ? bytes.length : Math.min(bytes.length, (offset + length) * size);
    return Buffer.from(bytes.slice(offset * size, end));
  };
  // Node's range errors (ERR_OUT_OF_RANGE, ERR_BUFFER_OUT_OF_BOUNDS) for the fixed-size reads and writes.
  for (const name of Object.getOwnPropertyNames(Buffer.prototype)) {
    const m = /^(read|write)(U?Int8|U?Int16|U?Int32|BigU?Int64|Float|Double)(LE|BE)?$/.exec(name);
    if (m === null) continue;
    const size = { Int8: 1, UInt8: 1, Int16: 2, UInt16: 2, Int32: 4, UInt32: 4, BigInt64: 8, BigUInt64: 8, Float: 4, Double: 8 }[m[2]];
    const original = Buffer.prototype[name];
    const offsetIndex = m[1] === "read" ? 0 : 1;
    Buffer.prototype[name] = function (...args) {
      const offset = args[offsetIndex] === undefined ? 0 : args[offsetIndex];
      if (typeof offset !== "number") throw invalidArgType("offset", "of type number", offset);
      if (!Number.isInteger(offset) || offset < 0 || offset > this.length - size) {
        if (this.length - size < 0) throw nodeError(RangeError, "ERR_BUFFER_OUT_OF_BOUNDS", "Attempt to access memory outside buffer bounds");
        throw nodeError(RangeError, "ERR_OUT_OF_RANGE", `The value of "offset" is out of range. It must be ${Number.isInteger(offset) ? `>= 0 and <= ${this.length - size}` : "an integer"}. Received ${offset}`);
      }
      return Reflect.apply(original, this, args);
    };
  }
  nodeBufferModule = {
    Buffer,
    SlowBuffer: m.SlowBuffer,
    INSPECT_MAX_BYTES: m.INSPECT_MAX_BYTES,
    kMaxLength: m.kMaxLength,
    kStringMaxLength: 2 ** 29 - 24,
    constants: { MAX_LENGTH: m.kMaxLength, MAX_STRING_LENGTH: 2 ** 29 - 24 },
    Blob: globalThis.Blob,
    File: globalThis.File,
    atob: globalThis.atob,
    btoa: globalThis.btoa,
    isUtf8(input) { const b = bytesView(input); return b.length === 0 || utf8Decode(b, true) !== null; },
    isAscii(input) { const b = bytesView(input); for (let i = 0; i < b.length; i++) if (b[i] > 127) return false; return true; },
    transcode(source, fromEnc, toEnc) { return Buffer.from(Buffer.from(source).toString(fromEnc), toEnc); },
    resolveObjectURL() { return undefined; },
  };
  return nodeBufferModule;
}

// ---- process ----------------------------------------------------------------------------------
let nodeProcessObject = null;
let processEnvSource = "{}"; // the vars and secrets as JSON, set by configure()

function notImplemented(name) {
  return nodeError(Error, "ERR_METHOD_NOT_IMPLEMENTED", `The ${name} method is not implemented`);
}

function nodeProcess() {
  if (nodeProcessObject !== null) return nodeProcessObject;
  const EventEmitter = nodeEvents();
  const started = Date.now();
  let cwd = "/";
  const process = new EventEmitter();
  Object.defineProperty(process, Symbol.toStringTag, { value: "process", configurable: true });
  const env = {};
  if (compatEnabled("nodejs_compat_populate_process_env")) {
    // Text vars and secrets as they are, JSON vars as their JSON text, as workerd does.
    for (const [k, v] of Object.entries(JSONParse(processEnvSource))) env[k] = typeof v === "string" ? v : JSONStringify(v);
  }
  const hrtime = (previous) => {
    const now = Date.now();
    let s = Math.floor(now / 1000), ns = (now % 1000) * 1e6;
    if (Array.isArray(previous)) { s -= previous[0]; ns -= previous[1]; if (ns < 0) { s--; ns += 1e9; } }
    return [s, ns];
  };
  hrtime.bigint = () => BigInt(Date.now()) * 1000000n;
  Object.assign(process, {
    version: `v${NODE_VERSION}`,
    versions: { node: NODE_VERSION },
    platform: "linux", arch: "x64", pid: 1, ppid: 0, title: "workerd",
    argv: ["workerd"], argv0: "workerd", execArgv: [], execPath: "",
    release: { name: "node", lts: true, sourceUrl: "", headersUrl: "" },
    features: { inspector: false, debug: false, uv: true, ipv6: true, tls_alpn: true, tls_sni: true, tls_ocsp: true, tls: true, cached_builtins: true, typescript: false, require_module: false },
    env,
    exitCode: undefined,
    noDeprecation: false, throwDeprecation: false, traceDeprecation: false,
    debugPort: 0,
    nextTick(callback, ...args) {
      if (typeof callback !== "function") throw invalidArgType("callback", "of type function", callback);
      queueMicrotask(() => callback(...args));
    },
    cwd() { return cwd; },
    chdir(dir) { cwd = String(dir); },
    umask() { return 0o22; },
    getuid() { return 0; }, getgid() { return 0; }, geteuid() { return 0; }, getegid() { return 0; }, getgroups() { return []; },
    hrtime,
    uptime() { return (Date.now() - started) / 1000; },
    memoryUsage: Object.assign(() => ({ rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 }), { rss: () => 0 }),
    cpuUsage() { return { user: 0, system: 0 }; },
    resourceUsage() { return {}; },
    emitWarning(warning, type = "Warning") {
      const text = warning instanceof Error ? `${warning.name}: ${warning.message}` : `${typeof type === "string" ? type : type?.type ?? "Warning"}: ${warning}`;
      ops.log(LOG.warn, text);
    },
    exit(code = 0) {
      throw new Error(`The Node.js process.exit(${code}) API was called. Canceling the request.`);
    },
    abort() { throw new Error("The Node.js process.abort() API was called. Canceling the request."); },
    kill() { throw notImplemented("process.kill"); },
    getBuiltinModule(id) {
      const name = String(id).replace(/^node:/, "");
      if (name === "buffer") return nodeBuffer();
      if (name === "events") return nodeEvents();
      if (name === "process") return process;
      return undefined;
    },
    binding() { throw notImplemented("process.binding"); },
    stdout: processStream(LOG.info), stderr: processStream(LOG.error),
  });
  nodeProcessObject = process;
  return process;
}

/** process.stdout / stderr: each write goes to the Worker's log, as workerd sends it to the console. */
function processStream(level) {
  return {
    isTTY: false, writable: true,
    write(chunk, encoding, callback) {
      if (typeof encoding === "function") callback = encoding;
      const text = typeof chunk === "string" ? chunk : utf8Decode(bytesView(chunk));
      ops.log(level, text.endsWith("\n") ? text.slice(0, -1) : text);
      if (typeof callback === "function") queueMicrotask(callback);
      return true;
    },
    on() { return this; }, once() { return this; }, end() {},
  };
}

// ---- setImmediate (workerd has it whatever the flags) ---------------------------------------
defineGlobal("setImmediate", function setImmediate(callback, ...args) { return startWorkerTimer(callback, 0, args, false); });
defineGlobal("clearImmediate", function clearImmediate(id) { clearWorkerTimer(id); });

// ---- the globals nodejs_compat_v2 adds ------------------------------------------------------
if (compatEnabled("nodejs_compat_v2")) {
  // Enumerable, as in workerd; built on first use so Workers that never touch them pay nothing.
  defineLazy([[globalThis, "Buffer", true], [globalThis, "process", true], [globalThis, "global", true]], () => {
    for (const [name, value] of [["Buffer", nodeBuffer().Buffer], ["process", nodeProcess()], ["global", globalThis]]) {
      Object.defineProperty(globalThis, name, { value, writable: true, enumerable: true, configurable: true });
    }
  });
}

// ---- state a request owns (node:fs's /tmp) ---------------------------------------------------------
const globalEventLocals = new Map(); // for code running outside any event (the Worker's top level)

/** The value for `key` belonging to the current event, made by `make()` the first time it is asked for. */
function eventLocal(key, make) {
  const event = currentEvent;
  const store = event === null ? globalEventLocals : (event.locals ??= new Map());
  if (!store.has(key)) store.set(key, make());
  return store.get(key);
}

// ---- what node: modules reach (import from "node-internal:bridge") ------------------------------
const nodeBridge = Object.freeze({
  ops,
  compatEnabled,
  buffer: nodeBuffer,
  events: nodeEvents,
  process: nodeProcess,
  nodeError,
  invalidArgType,
  notImplemented,
  inspect,
  format: formatLogArgs,
  utf8Encode,
  utf8Decode,
  bytesView,
  opAsync,
  asyncContext: Object.freeze({
    current: () => currentAsyncFrame(),
    run: (frame, fn, thisArg, args) => runInAsyncFrame(frame, fn, thisArg, args),
    get problem() { return asyncContextProblem; },
  }),
  log: (level, text) => ops.log(LOG[level] ?? LOG.info, text),
  sockets: Object.freeze({ connect, failure: (error) => socketFailures.get(error), dnsOverride: (host) => dnsOverrides.get(String(host).toLowerCase()) }),
  dnsServer: () => ops.dnsServer(),
  eventLocal,
});
