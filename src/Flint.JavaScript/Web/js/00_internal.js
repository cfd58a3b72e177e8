// Shared internals of Flint's Web APIs.
// Every built-in file in this folder runs inside one function scope, in file-name order:
//   (function (ops, globalThis, compatFlags) { "use strict"; <00_internal.js> <05_…> … ; return runtime })
// so files share these helpers without exposing them to Worker code. `ops` holds the few
// host operations (I/O, crypto, encoding); nothing else from the host is reachable.
// `compatFlags` names the behaviours the Worker's compatibility date and flags enable, comma-separated.

// ---- primordials -----------------------------------------------------------------------
// The built-ins run before any Worker code, so they capture the intrinsics they use: a Worker
// that replaces a global (`globalThis.Promise = …`) or patches a prototype (`Map.prototype.get =
// …`, `Array.prototype[Symbol.iterator] = …`) changes what its own code sees, as on workerd,
// whose built-ins are C++. The constructors are captured wholesale below; the core — delivering
// events, settling host operations, timers, rejection tracking, response headers — also calls
// prototype methods through the uncurried copies here instead of through the (patchable) objects.
const {
  Object, Function, Array, Map, Set, WeakMap, WeakSet, WeakRef, FinalizationRegistry, Promise, Proxy, Reflect, Symbol,
  Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError, AggregateError,
  JSON, Math, Number, String, Boolean, BigInt, Date, RegExp,
  ArrayBuffer, SharedArrayBuffer, DataView, Uint8Array, Int8Array, Uint8ClampedArray, Uint16Array, Int16Array,
  Uint32Array, Int32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array, WebAssembly, Atomics,
} = globalThis;
const uncurryThis = Function.prototype.bind.bind(Function.prototype.call);
const ReflectApply = Reflect.apply;
const ArrayPrototypeJoin = uncurryThis(Array.prototype.join);
const ArrayPrototypePush = uncurryThis(Array.prototype.push);
const ArrayPrototypeSplice = uncurryThis(Array.prototype.splice);
const ArrayPrototypeSlice = uncurryThis(Array.prototype.slice);
const ArrayPrototypeSort = uncurryThis(Array.prototype.sort);
const StringPrototypeToLowerCase = uncurryThis(String.prototype.toLowerCase);
const StringPrototypeSplit = uncurryThis(String.prototype.split);
const RegExpPrototypeExec = uncurryThis(RegExp.prototype.exec);
const RegExpPrototypeSymbolReplace = uncurryThis(RegExp.prototype[Symbol.replace]);
const MapPrototypeGet = uncurryThis(Map.prototype.get);
const MapPrototypeSet = uncurryThis(Map.prototype.set);
const MapPrototypeHas = uncurryThis(Map.prototype.has);
const MapPrototypeDelete = uncurryThis(Map.prototype.delete);
const MapPrototypeForEach = uncurryThis(Map.prototype.forEach);
const MapPrototypeClear = uncurryThis(Map.prototype.clear);
const WeakMapPrototypeGet = uncurryThis(WeakMap.prototype.get);
const WeakMapPrototypeSet = uncurryThis(WeakMap.prototype.set);
const WeakMapPrototypeDelete = uncurryThis(WeakMap.prototype.delete);
const WeakMapPrototypeHas = uncurryThis(WeakMap.prototype.has);
const PromisePrototypeThen = uncurryThis(Promise.prototype.then);
const PromiseStaticResolve = Promise.resolve;
const TypedArrayPrototypeSlice = uncurryThis(Object.getPrototypeOf(Uint8Array.prototype).slice);
const ReflectOwnKeysIntrinsic = Reflect.ownKeys;
const ReflectGetOwnPropertyDescriptor = Reflect.getOwnPropertyDescriptor;
const JSONStringify = JSON.stringify;
const JSONParse = JSON.parse;

/** Promise.resolve(value), whatever the Worker did to Promise.resolve. */
function PromiseResolve(value) {
  return ReflectApply(PromiseStaticResolve, Promise, [value]);
}

/** Runs `done` once every promise in `promises` (an array) has settled, without its iterator. */
function whenAllSettled(promises, done) {
  let left = promises.length;
  if (left === 0) { done(); return; }
  const one = () => { if (--left === 0) done(); };
  for (let i = 0; i < promises.length; i++) PromisePrototypeThen(PromiseResolve(promises[i]), one, one);
}

const enabledCompatFlags = new Set(compatFlags ? compatFlags.split(",") : []);

/** Whether the behaviour `flag` (its enable-flag name, e.g. "nodejs_compat") is on for this Worker. */
function compatEnabled(flag) {
  return enabledCompatFlags.has(flag);
}

/**
 * Internal symbols key the built-ins' own state on the objects they make. Worker code cannot
 * find them by reflection (89_lockdown.js filters them out of getOwnPropertySymbols and
 * Reflect.ownKeys), as workerd's objects show no such properties.
 */
const internalKeys = new Set();

function internalSymbol(description) {
  const key = Symbol(description);
  internalKeys.add(key);
  return key;
}

const kState = internalSymbol("flint.state");

/** Globals the built-ins define (89_lockdown.js marks their functions as native). */
const builtinGlobals = [];

/** Defines a global the way Web IDL does: writable, configurable, not enumerable. */
function defineGlobal(name, value) {
  Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });
  builtinGlobals.push(value);
}

/**
 * Defines properties whose code runs only when one of them is first used: `load` must redefine
 * every one of them (defineGlobal, Object.defineProperty). Keeps big, rarely used APIs
 * (URLPattern, crypto.subtle) out of the work every isolate does at start.
 * `entries` is a list of [target, name, enumerable].
 */
function defineLazy(entries, load) {
  let state = 0; // 0 not loaded, 1 loading, 2 loaded
  const run = () => {
    if (state !== 0) return;
    state = 1;
    try { load(); state = 2; } catch (e) { state = 0; throw e; }
    for (const [target, name] of entries) {
      const d = Object.getOwnPropertyDescriptor(target, name);
      if (d?.get === stubs.get(name)) throw new Error(`Internal error: lazy ${name} was not defined.`);
      if (d !== undefined) markLoadedBuiltin("value" in d ? d.value : d.get);
    }
  };
  const stubs = new Map();
  for (const [target, name, enumerable] of entries) {
    const get = function () { run(); return Reflect.get(target, name, this); };
    stubs.set(name, get);
    Object.defineProperty(target, name, {
      get,
      set(value) { run(); Reflect.set(target, name, value, this); },
      enumerable, configurable: true,
    });
  }
}

/** Makes an interface look like a Web IDL one: enumerable members, a toStringTag. */
function webidlInterface(cls, tag = cls.name) {
  const proto = cls.prototype;
  for (const key of Object.getOwnPropertyNames(proto)) {
    if (key === "constructor") continue;
    const desc = Object.getOwnPropertyDescriptor(proto, key);
    desc.enumerable = true;
    Object.defineProperty(proto, key, desc);
  }
  Object.defineProperty(proto, Symbol.toStringTag, { value: tag, configurable: true });
  return cls;
}

function illegalInvocation() {
  // workerd's wording, link included, so a Worker's error handling sees the same text.
  return new TypeError("Illegal invocation: function called with incorrect `this` reference. See https://developers.cloudflare.com/workers/observability/errors/#illegal-invocation-errors for details.");
}

// ---- built-in modules ------------------------------------------------------------------
// Modules such as `cloudflare:workers` are objects the built-ins make; the host synthesizes an ES
// module re-exporting the names registered here, which reaches the object through its own
// import.meta (no Worker module can reach it, and nothing is put on the global scope for it).
const builtinModuleTable = new Map(); // specifier -> { exportNames, load, loaded, value }

/** Registers built-in module `specifier`; `load()` makes its exports object on first import. */
function registerBuiltinModule(specifier, exportNames, load) {
  builtinModuleTable.set(specifier, { exportNames, load, loaded: false, value: undefined });
}

/** For the host at boot: {specifier: [export names]} as JSON. */
function builtinModules() {
  const out = {};
  for (const [specifier, m] of builtinModuleTable) out[specifier] = m.exportNames;
  return JSON.stringify(out);
}

function loadBuiltinModule(specifier) {
  const m = MapPrototypeGet(builtinModuleTable, specifier);
  if (m === undefined) throw new Error(`No such module "${specifier}".`);
  if (!m.loaded) { m.value = m.load(); m.loaded = true; }
  return m.value;
}

// ---- WebAssembly -----------------------------------------------------------------------
// Compiling WebAssembly from bytes is refused to Worker code (CodeGeneration.cs). Modules the
// Worker was deployed with (CompiledWasm rules) are compiled here, from bytes the host holds, with
// the constructor captured before any Worker code ran: only while this call runs does the host's
// gate let V8 compile.
const TrustedWasmModule = WebAssembly.Module;
ops.installWasmGate();

function compileTrustedWasm(bytes) {
  ops.wasmGate(true);
  try { return new TrustedWasmModule(bytes); } finally { ops.wasmGate(false); }
}

/** A Data module's ArrayBuffer, or a CompiledWasm module's WebAssembly.Module (see ModuleMeta in C#). */
function moduleBytes(id, wasm) {
  const length = ops.moduleByteLength(id);
  if (length < 0) throw new Error("Internal error: no such module.");
  const bytes = new Uint8Array(length);
  ops.moduleBytesInto(id, bytes);
  return wasm ? compileTrustedWasm(bytes) : bytes.buffer;
}

// ---- the event a turn of the loop works for ----------------------------------------------
// Set when the host enters the isolate for an event (a request, an op completing, a timer),
// and kept through that turn's microtasks: work started then (a fetch, a timer) belongs to
// that event, which is how per-request limits are counted.
let currentEvent = null;

// workerd has no I/O context while a Worker's modules load: timers, randomness, I/O and the
// objects that need a context are refused then, with its message.
const GLOBAL_SCOPE_IO = "Disallowed operation called within global scope. Asynchronous I/O (ex: fetch() or connect()), setting a timeout, and generating random values are not allowed within global scope. To fix this error, perform this operation within a handler. https://developers.cloudflare.com/workers/runtime-apis/handlers/";

function requireHandlerScope() {
  if (worker === null) throw new Error(GLOBAL_SCOPE_IO);
}

// ---- async host operations -------------------------------------------------------------
// An op that completes later takes a promise id; the host resolves it through completeOp.
const pendingOps = new Map();
let nextOpId = 1;

function opAsync(start) {
  const id = nextOpId++;
  return new Promise((resolve, reject) => {
    MapPrototypeSet(pendingOps, id, { resolve, reject, event: currentEvent, gate: gateScopeNow() });
    try {
      start(id);
    } catch (e) {
      MapPrototypeDelete(pendingOps, id);
      reject(e);
    }
  });
}

function completeOp(id, value, error, errorName) {
  const pending = MapPrototypeGet(pendingOps, id);
  if (pending === undefined) return;
  // Inside a Durable Object the completion waits at its input gate (88_durable_objects.js).
  if (pending.gate !== null && gateHolds(pending.gate, () => completeOp(id, value, error, errorName))) return;
  MapPrototypeDelete(pendingOps, id);
  currentEvent = pending.event;
  if (error === undefined || error === null) pending.resolve(value);
  else pending.reject(hostError(error, errorName));
}

function hostError(message, name) {
  // Made by the host, not by the Worker's code: no stack of Flint's internals (workerd's native
  // errors have none either).
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try { return makeHostError(message, name); } finally { Error.stackTraceLimit = limit; }
}

function makeHostError(message, name) {
  switch (name) {
    case "TypeError": return new TypeError(message);
    case "RangeError": return new RangeError(message);
    case undefined: case null: case "Error": return new Error(message);
    default:
      if (typeof DOMException === "function") return new DOMException(message, name);
      const e = new Error(message);
      e.name = name;
      return e;
  }
}

// ---- bytes and text --------------------------------------------------------------------
const EMPTY_BYTES = new Uint8Array(0);

// Bulk bytes cross between the host and the isolate through this one buffer, which the host
// holds a handle to: a typed array handed over on its own would become a host object whose
// release waits on .NET's finalizer and then on V8's collector. The loop thread fills it and
// its reader copies out at once, within the same call, so one buffer serves every crossing.
const TRANSFER_SIZE = 256 * 1024;
const hostTransfer = new Uint8Array(TRANSFER_SIZE);

/** A fresh copy of the first n bytes the host put in the transfer buffer. */
function takeHostTransfer(n) {
  return TypedArrayPrototypeSlice(hostTransfer, 0, n);
}

function isBufferSource(v) {
  return v instanceof ArrayBuffer || ArrayBuffer.isView(v) ||
    (typeof SharedArrayBuffer === "function" && v instanceof SharedArrayBuffer);
}

/** A Uint8Array view of an ArrayBuffer or ArrayBufferView, without copying. */
function bytesView(v) {
  if (v instanceof Uint8Array) return v;
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  return new Uint8Array(v);
}

/** A copy of the bytes, so later writes to the source are not observed. */
function bytesCopy(v) {
  const view = bytesView(v);
  return TypedArrayPrototypeSlice(view);
}

function concatBytes(chunks, total) {
  if (chunks.length === 1) return chunks[0];
  if (total === undefined) { total = 0; for (const c of chunks) total += c.byteLength; }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) { out.set(c, offset); offset += c.byteLength; }
  return out;
}

// Short strings are cheaper to encode here than to send to the host and back.
const SHORT_TEXT = 256;

function utf8Encode(str) {
  str = String(str);
  if (str.length < SHORT_TEXT) {
    const out = new Uint8Array(str.length * 3);
    let n = 0;
    for (let i = 0; i < str.length; i++) {
      let c = str.charCodeAt(i);
      if (c < 0x80) { out[n++] = c; continue; }
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < str.length) {
        const d = str.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          i++;
          out[n++] = 0xf0 | (c >> 18); out[n++] = 0x80 | ((c >> 12) & 63);
          out[n++] = 0x80 | ((c >> 6) & 63); out[n++] = 0x80 | (c & 63);
          continue;
        }
      }
      if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd; // lone surrogate
      if (c < 0x800) { out[n++] = 0xc0 | (c >> 6); out[n++] = 0x80 | (c & 63); }
      else { out[n++] = 0xe0 | (c >> 12); out[n++] = 0x80 | ((c >> 6) & 63); out[n++] = 0x80 | (c & 63); }
    }
    return TypedArrayPrototypeSlice(out, 0, n);
  }
  const out = new Uint8Array(ops.utf8Length(str));
  ops.utf8Encode(str, out);
  return out;
}

/** Decodes UTF-8. `fatal` throws TypeError on invalid input; a BOM is stripped unless ignoreBOM. */
function utf8Decode(bytes, fatal = false, ignoreBOM = false) {
  bytes = bytesView(bytes);
  if (bytes.byteLength === 0) return "";
  return ops.utf8Decode(bytes, fatal === true, ignoreBOM === true);
}

// ---- Web IDL conversions ---------------------------------------------------------------
function toByteString(value, what) {
  const s = toDOMString(value);
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 255) throw new TypeError(`${what} must contain only Latin-1 characters.`);
  }
  return s;
}

/** Web IDL's DOMString conversion: like `${value}`, a Symbol is a TypeError (String() would not throw). */
function toDOMString(value) {
  if (typeof value === "symbol") throw new TypeError("Cannot convert a Symbol value to a string");
  return String(value);
}

function toUSVString(value) {
  return toDOMString(value).toWellFormed();
}

function requiredArguments(got, needed, where) {
  if (got < needed) {
    throw new TypeError(`Failed to execute '${where}': ${needed} argument${needed === 1 ? "" : "s"} required, but only ${got} present.`);
  }
}
