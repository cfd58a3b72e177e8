// node:util — Node's helpers. inspect and format are the console's (20_console.js), which print as
// Node's util.inspect does.
import bridge from "node-internal:bridge";
import * as types from "node-internal:types";

const { nodeError, invalidArgType } = bridge;
const kCustomPromisify = Symbol.for("nodejs.util.promisify.custom");
const kCustomInspect = Symbol.for("nodejs.util.inspect.custom");

export function inspect(value, options) {
  if (typeof options !== "object" || options === null) options = {};
  return bridge.inspect(value, { depth: options.depth === null ? Infinity : options.depth ?? 2 });
}
inspect.custom = kCustomInspect;
inspect.defaultOptions = { depth: 2, colors: false, showHidden: false, maxArrayLength: 100, maxStringLength: 10000, breakLength: 128, compact: 3, sorted: false };
inspect.colors = {};
inspect.styles = {};

export function format(...args) { return bridge.format(args); }
export function formatWithOptions(inspectOptions, ...args) {
  if (typeof inspectOptions !== "object" || inspectOptions === null) throw invalidArgType("inspectOptions", "of type object", inspectOptions);
  return bridge.format(args);
}

export function promisify(original) {
  if (typeof original !== "function") throw invalidArgType("original", "of type function", original);
  if (original[kCustomPromisify]) {
    const fn = original[kCustomPromisify];
    if (typeof fn !== "function") throw invalidArgType("util.promisify.custom", "of type function", fn);
    return Object.defineProperty(fn, kCustomPromisify, { value: fn, enumerable: false, writable: false, configurable: true });
  }
  function fn(...args) {
    return new Promise((resolve, reject) => {
      Reflect.apply(original, this, [...args, (err, ...values) => {
        if (err) return reject(err);
        resolve(values.length > 1 ? values : values[0]);
      }]);
    });
  }
  Object.setPrototypeOf(fn, Object.getPrototypeOf(original));
  Object.defineProperty(fn, kCustomPromisify, { value: fn, enumerable: false, writable: false, configurable: true });
  return Object.defineProperties(fn, Object.getOwnPropertyDescriptors(original));
}
promisify.custom = kCustomPromisify;

export function callbackify(original) {
  if (typeof original !== "function") throw invalidArgType("original", "of type function", original);
  function callbackified(...args) {
    const callback = args.pop();
    if (typeof callback !== "function") throw invalidArgType("last argument", "of type function", callback);
    const onRejected = (reason) => {
      if (!reason) {
        const e = nodeError(Error, "ERR_FALSY_VALUE_REJECTION", "Promise was rejected with falsy value");
        e.reason = reason;
        reason = e;
      }
      queueMicrotask(() => callback(reason));
    };
    Reflect.apply(original, this, args).then((value) => queueMicrotask(() => callback(null, value)), onRejected);
  }
  Object.setPrototypeOf(callbackified, Object.getPrototypeOf(original));
  Object.defineProperties(callbackified, Object.getOwnPropertyDescriptors(original));
  return callbackified;
}

export function inherits(ctor, superCtor) {
  if (ctor === undefined || ctor === null) throw invalidArgType("ctor", "of type function", ctor);
  if (superCtor === undefined || superCtor === null) throw invalidArgType("superCtor", "of type function", superCtor);
  if (superCtor.prototype === undefined) throw invalidArgType("superCtor.prototype", "of type object", superCtor.prototype);
  Object.defineProperty(ctor, "super_", { value: superCtor, writable: true, configurable: true });
  Object.setPrototypeOf(ctor.prototype, superCtor.prototype);
}

const warned = new Set();
export function deprecate(fn, msg, code) {
  if (typeof fn !== "function") throw invalidArgType("fn", "of type function", fn);
  let shown = false;
  function deprecated(...args) {
    if (!shown && !(code !== undefined && warned.has(code))) {
      shown = true;
      if (code !== undefined) warned.add(code);
      bridge.log("warn", `(node) ${code ? `[${code}] ` : ""}DeprecationWarning: ${msg}`);
    }
    return new.target ? Reflect.construct(fn, args, new.target) : Reflect.apply(fn, this, args);
  }
  Object.setPrototypeOf(deprecated, fn);
  if (fn.prototype) deprecated.prototype = fn.prototype;
  return deprecated;
}

export function debuglog(section) {
  const logger = (...args) => { if (logger.enabled) bridge.log("debug", `${String(section).toUpperCase()}: ${format(...args)}`); };
  logger.enabled = false;
  return logger;
}
export const debug = debuglog;

export function isDeepStrictEqual(a, b) { return deepEqual(a, b, true, new Map()); }

function deepEqual(a, b, strict, seen) {
  if (Object.is(a, b)) return true;
  if (!strict && a == b && (typeof a !== "object" || a === null) && (typeof b !== "object" || b === null)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (strict && Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (Object.prototype.toString.call(a) !== Object.prototype.toString.call(b)) return false;
  if (seen.get(a) === b) return true;
  seen.set(a, b);
  if (types.isDate(a)) return a.getTime() === b.getTime();
  if (types.isRegExp(a)) return String(a) === String(b) && a.lastIndex === b.lastIndex;
  if (types.isBoxedPrimitive(a)) return Object.is(a.valueOf(), b.valueOf());
  if (a instanceof Error) { if (a.message !== b.message || a.name !== b.name) return false; }
  if (ArrayBuffer.isView(a)) {
    if (a.byteLength !== b.byteLength) return false;
    const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength), y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  }
  if (types.isAnyArrayBuffer(a)) return deepEqual(new Uint8Array(a), new Uint8Array(b), strict, seen);
  if (types.isMap(a)) {
    if (a.size !== b.size) return false;
    for (const [k, v] of a) { if (!b.has(k) || !deepEqual(v, b.get(k), strict, seen)) return false; }
  } else if (types.isSet(a)) {
    if (a.size !== b.size) return false;
    for (const v of a) if (!b.has(v)) { let found = false; for (const w of b) if (deepEqual(v, w, strict, seen)) { found = true; break; } if (!found) return false; }
  }
  const ka = Object.keys(a), kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) { if (!Object.hasOwn(b, k) || !deepEqual(a[k], b[k], strict, seen)) return false; }
  if (strict) {
    const sa = Object.getOwnPropertySymbols(a).filter((s) => Object.prototype.propertyIsEnumerable.call(a, s));
    const sb = Object.getOwnPropertySymbols(b).filter((s) => Object.prototype.propertyIsEnumerable.call(b, s));
    if (sa.length !== sb.length) return false;
    for (const s of sa) if (!deepEqual(a[s], b[s], strict, seen)) return false;
  }
  return true;
}
export { deepEqual as _deepEqual };

export function stripVTControlCharacters(str) {
  if (typeof str !== "string") throw invalidArgType("str", "of type string", str);
  return str.replace(/[\u001B\u009B][[\]()#;?]*(?:(?:(?:;[-a-zA-Z\d/#&.:=?%@~_]+)*|[a-zA-Z\d]+(?:;[-a-zA-Z\d/#&.:=?%@~_]*)*)?\u0007|(?:\d{1,4}(?:;\d{0,4})*)?[\dA-PR-TZcf-ntqry=><~])/g, "");
}
export function toUSVString(s) { return String(s).toWellFormed(); }
export function styleText(format, text) { return String(text); }
export function aborted(signal, resource) {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
}
export function getSystemErrorName(code) { return `Unknown system error ${code}`; }
export function getSystemErrorMap() { return new Map(); }
export function getSystemErrorMessage(code) { return `Unknown system error ${code}`; }
export function _extend(target, source) {
  if (source === null || typeof source !== "object") return target;
  for (const k of Object.keys(source)) target[k] = source[k];
  return target;
}
export function log(...args) {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  bridge.log("info", `${d.getDate()} ${months[d.getMonth()]} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} - ${format(...args)}`);
}

// The deprecated is* functions Node still has.
export const isArray = Array.isArray;
export const isBoolean = (v) => typeof v === "boolean";
export const isBuffer = (v) => bridge.buffer().Buffer.isBuffer(v);
export const isDate = types.isDate;
export const isError = (v) => types.isNativeError(v) || v instanceof Error;
export const isFunction = (v) => typeof v === "function";
export const isNull = (v) => v === null;
export const isNullOrUndefined = (v) => v === null || v === undefined;
export const isNumber = (v) => typeof v === "number";
export const isObject = (v) => v !== null && typeof v === "object";
export const isPrimitive = (v) => v === null || (typeof v !== "object" && typeof v !== "function");
export const isRegExp = types.isRegExp;
export const isString = (v) => typeof v === "string";
export const isSymbol = (v) => typeof v === "symbol";
export const isUndefined = (v) => v === undefined;

export const TextEncoder = globalThis.TextEncoder;
export const TextDecoder = globalThis.TextDecoder;
export { types };

export default {
  inspect, format, formatWithOptions, promisify, callbackify, inherits, deprecate, debuglog, debug, isDeepStrictEqual,
  stripVTControlCharacters, toUSVString, styleText, aborted, getSystemErrorName, getSystemErrorMap, getSystemErrorMessage,
  _extend, log, isArray, isBoolean, isBuffer, isDate, isError, isFunction, isNull, isNullOrUndefined, isNumber, isObject,
  isPrimitive, isRegExp, isString, isSymbol, isUndefined, TextEncoder, TextDecoder, types,
};
