// structuredClone(): the HTML structured serialize/deserialize algorithm in one walk, with
// the results workerd gives (it uses V8's serializer):
//   - class instances and null-prototype objects come back as plain objects (own enumerable
//     string-keyed properties, getters read once);
//   - errors keep their type when their name is a built-in one (otherwise an Error with an own
//     `name`), their message, and every other own property (stack, cause, ...) as enumerable
//     data properties, as workerd's enhanced error serialization does;
//   - DOMException, Headers, and Requests/Responses without a body are cloned; other Web API
//     objects, functions, symbols, WeakMap/WeakSet/WeakRef, promises, iterators and generators
//     throw a DataCloneError DOMException;
//   - transferred ArrayBuffers (or the buffers of transferred views) are detached afterwards.
// Not detected: a Proxy is cloned through its traps (V8 refuses it).

const ObjectPrototype = Object.prototype;
const objectToString = Object.prototype.toString;
const functionToString = Function.prototype.toString;
const typedArrayTag = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), Symbol.toStringTag).get;
const hasErrorBrand = typeof Error.isError === "function" ? Error.isError : (v) => v instanceof Error;

const TYPED_ARRAY_CONSTRUCTORS = new Map();
for (const name of ["Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array", "Uint32Array",
  "Float16Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array"]) {
  if (typeof globalThis[name] === "function") TYPED_ARRAY_CONSTRUCTORS.set(name, globalThis[name]);
}

const CLONEABLE_ERRORS = new Map([
  ["Error", Error], ["EvalError", EvalError], ["RangeError", RangeError], ["ReferenceError", ReferenceError],
  ["SyntaxError", SyntaxError], ["TypeError", TypeError], ["URIError", URIError],
]);

// Builtin objects V8's serializer refuses, recognised by their prototypes.
const UNCLONEABLE_PROTOTYPES = (() => {
  const protos = new Set();
  const add = (make) => { try { const p = make(); if (p) protos.add(p); } catch { /* not in this engine */ } };
  add(() => Object.getPrototypeOf([][Symbol.iterator]()));
  add(() => Object.getPrototypeOf(new Map()[Symbol.iterator]()));
  add(() => Object.getPrototypeOf(new Set()[Symbol.iterator]()));
  add(() => Object.getPrototypeOf(""[Symbol.iterator]()));
  add(() => Object.getPrototypeOf(/a/[Symbol.matchAll]("")));
  add(() => Object.getPrototypeOf(function* () {}).prototype);
  add(() => Object.getPrototypeOf(async function* () {}).prototype);
  add(() => Object.getPrototypeOf([].values().map((x) => x)));
  add(() => Object.getPrototypeOf(Iterator.from({ next() { return { done: true }; } })));
  return protos;
})();

function dataCloneError(message) {
  return new DOMException(message, "DataCloneError");
}

/** A data property's value found along the prototype chain, without running getters. */
function dataPropertyOf(obj, key) {
  for (let o = obj; o !== null; o = Object.getPrototypeOf(o)) {
    const desc = Object.getOwnPropertyDescriptor(o, key);
    if (desc !== undefined) return "value" in desc ? desc.value : undefined;
  }
  return undefined;
}

/** How V8 names a value it can't clone: "#<WeakMap>", "[object Generator]", a function's source. */
function describeUncloneable(v) {
  if (typeof v === "function") return functionToString.call(v);
  if (typeof v === "symbol") return v.toString();
  try {
    if (dataPropertyOf(v, "toString") === objectToString) {
      const ctor = dataPropertyOf(v, "constructor");
      if (typeof ctor === "function") {
        const name = Object.getOwnPropertyDescriptor(ctor, "name")?.value;
        if (typeof name === "string" && name !== "") return `#<${name}>`;
      }
    }
    const tag = dataPropertyOf(v, Symbol.toStringTag);
    return `[object ${typeof tag === "string" ? tag : objectToString.call(v).slice(8, -1)}]`;
  } catch {
    return "#<Object>";
  }
}

function uncloneable(v) {
  return dataCloneError(`${describeUncloneable(v)} could not be cloned.`);
}

// Web API interfaces are the script-defined classes installed as (non-enumerable) globals with
// a toStringTag; objects whose prototype chain reaches one are platform objects.
const platformPrototypeCache = new WeakMap();

function isPlatformPrototype(p) {
  let known = platformPrototypeCache.get(p);
  if (known !== undefined) return known;
  known = false;
  if (Object.getOwnPropertyDescriptor(p, Symbol.toStringTag) !== undefined) {
    const ctor = Object.getOwnPropertyDescriptor(p, "constructor")?.value;
    if (typeof ctor === "function" && ctor.prototype === p) {
      const global = Object.getOwnPropertyDescriptor(globalThis, ctor.name);
      known = global !== undefined && global.value === ctor && !global.enumerable &&
        !functionToString.call(ctor).endsWith("{ [native code] }");
    }
  }
  platformPrototypeCache.set(p, known);
  return known;
}

function hasPlatformPrototype(proto) {
  for (let p = proto; p !== null && p !== ObjectPrototype; p = Object.getPrototypeOf(p)) {
    if (isPlatformPrototype(p)) return true;
  }
  return false;
}

function constructorNameOf(v) {
  const ctor = dataPropertyOf(v, "constructor");
  const name = typeof ctor === "function" ? Object.getOwnPropertyDescriptor(ctor, "name")?.value : undefined;
  return typeof name === "string" && name !== "" ? name : "Object";
}

function defineDataProperty(obj, key, value) {
  Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
}

function isArrayIndexKey(key) {
  if (key === "0") return true;
  const c = key.charCodeAt(0);
  if (!(c >= 0x31 && c <= 0x39) || !/^[1-9][0-9]*$/.test(key)) return false;
  return Number(key) < 4294967295;
}

function cloneValue(v, memo) {
  switch (typeof v) {
    case "undefined": case "boolean": case "number": case "string": case "bigint":
      return v;
    case "symbol": case "function":
      throw uncloneable(v);
  }
  if (v === null) return null;
  const seen = memo.get(v);
  if (seen !== undefined) return seen;
  if (Array.isArray(v)) {
    const out = new Array(v.length);
    memo.set(v, out);
    copyOwnEnumerable(v, out, memo);
    return out;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto === ObjectPrototype || proto === null) {
    if (proto === ObjectPrototype && objectToString.call(v) === "[object Arguments]") throw uncloneable(v);
    const out = {};
    memo.set(v, out);
    copyOwnEnumerable(v, out, memo);
    return out;
  }
  return cloneSpecialObject(v, proto, memo);
}

function copyOwnEnumerable(from, to, memo) {
  for (const key of Object.keys(from)) {
    const value = cloneValue(from[key], memo);
    if (key === "__proto__") defineDataProperty(to, key, value);
    else to[key] = value;
  }
}

function cloneArrayBuffer(buf, memo) {
  if (buf.detached) throw dataCloneError("An ArrayBuffer is detached and could not be cloned.");
  let out;
  if (buf.resizable) {
    out = new ArrayBuffer(buf.byteLength, { maxByteLength: buf.maxByteLength });
    new Uint8Array(out).set(new Uint8Array(buf));
  } else {
    out = buf.slice(0);
  }
  memo.set(buf, out);
  return out;
}

function cloneSpecialObject(v, proto, memo) {
  if (isDOMException(v)) {
    const out = new DOMException(v.message, v.name);
    memo.set(v, out);
    const stack = v.stack;
    if (typeof stack === "string") defineDataProperty(out, "stack", stack);
    return out;
  }
  // Web API objects: state in an internal slot, or an instance of a Web API interface.
  if (v[kState] !== undefined || hasPlatformPrototype(proto)) return clonePlatformObject(v, memo);
  if (hasErrorBrand(v)) return cloneError(v, memo);
  if (v instanceof ArrayBuffer) return cloneArrayBuffer(v, memo);
  if (ArrayBuffer.isView(v)) {
    const buffer = cloneValue(v.buffer, memo);
    const kind = typedArrayTag.call(v);
    let out;
    if (kind === undefined) out = new DataView(buffer, v.byteOffset, v.byteLength);
    else out = new (TYPED_ARRAY_CONSTRUCTORS.get(kind))(buffer, v.byteOffset, v.length);
    memo.set(v, out);
    return out;
  }
  if (typeof SharedArrayBuffer === "function" && v instanceof SharedArrayBuffer) { memo.set(v, v); return v; }
  let out;
  if (v instanceof Date) out = new Date(Date.prototype.getTime.call(v));
  else if (v instanceof RegExp) out = new RegExp(v.source, v.flags);
  else if (v instanceof Map) {
    out = new Map();
    memo.set(v, out);
    const entries = [...Map.prototype.entries.call(v)];
    for (const [key, value] of entries) {
      const k = cloneValue(key, memo);
      out.set(k, cloneValue(value, memo));
    }
    return out;
  } else if (v instanceof Set) {
    out = new Set();
    memo.set(v, out);
    const values = [...Set.prototype.values.call(v)];
    for (const value of values) out.add(cloneValue(value, memo));
    return out;
  }
  else if (v instanceof Number) out = Object(Number.prototype.valueOf.call(v));
  else if (v instanceof String) out = Object(String.prototype.valueOf.call(v));
  else if (v instanceof Boolean) out = Object(Boolean.prototype.valueOf.call(v));
  else if (v instanceof BigInt) out = Object(BigInt.prototype.valueOf.call(v));
  else if (v instanceof Symbol || v instanceof WeakMap || v instanceof WeakSet || v instanceof Promise ||
    (typeof WeakRef === "function" && v instanceof WeakRef) ||
    (typeof FinalizationRegistry === "function" && v instanceof FinalizationRegistry)) {
    throw uncloneable(v);
  } else {
    for (let p = proto; p !== null; p = Object.getPrototypeOf(p)) {
      if (UNCLONEABLE_PROTOTYPES.has(p)) throw uncloneable(v);
    }
    // A class instance: its own enumerable properties, as a plain object.
    out = {};
    memo.set(v, out);
    copyOwnEnumerable(v, out, memo);
    return out;
  }
  memo.set(v, out);
  return out;
}

function cloneError(v, memo) {
  const rawName = v.name;
  const name = typeof rawName === "string" ? rawName : `${rawName}`;
  const message = cloneValue(v.message, memo);
  if (typeof message !== "string") throw dataCloneError("Deserialization failed: error message is not a string");
  let out;
  if (name === "AggregateError") out = new AggregateError([], message);
  else if (name === "SuppressedError" && typeof SuppressedError === "function") out = new SuppressedError(undefined, undefined, message);
  else {
    const ctor = CLONEABLE_ERRORS.get(name);
    out = new (ctor ?? Error)(message);
    if (ctor === undefined) defineDataProperty(out, "name", cloneValue(rawName, memo));
  }
  memo.set(v, out);
  for (const key of Object.getOwnPropertyNames(v)) {
    if (key === "name" || key === "message" || isArrayIndexKey(key)) continue;
    defineDataProperty(out, key, cloneValue(v[key], memo));
  }
  return out;
}

function clonePlatformObject(v, memo) {
  let out;
  if (v instanceof Headers) out = new Headers(v);
  else if (v instanceof Request || v instanceof Response) {
    if (v.body !== null) throw dataCloneError("ReadableStream can only be serialized for RPC.");
    out = v.clone();
  } else if (v instanceof Blob && !(v instanceof File)) {
    out = makeBlob(v[kBlob].bytes, v[kBlob].type); // immutable bytes: share them
  } else if (v instanceof ReadableStream) {
    throw dataCloneError("ReadableStream can only be serialized for RPC.");
  } else if (v instanceof AbortSignal) {
    throw dataCloneError("AbortSignal serialization is not enabled.");
  } else {
    throw dataCloneError(`Could not serialize object of type "${constructorNameOf(v)}". This type does not support serialization.`);
  }
  memo.set(v, out);
  return out;
}

function structuredClone(value, options = undefined) {
  if (arguments.length === 0) {
    throw new TypeError("Failed to execute 'structuredClone' on 'ServiceWorkerGlobalScope': parameter 1 is not of type 'Value'.");
  }
  let transfer;
  if (options !== undefined && options !== null) {
    if (typeof options !== "object" && typeof options !== "function") {
      throw new TypeError("Failed to execute 'structuredClone' on 'ServiceWorkerGlobalScope': parameter 2 is not of type 'StructuredCloneOptions'.");
    }
    transfer = options.transfer;
  }
  const buffers = [];
  if (transfer !== undefined) {
    if (!Array.isArray(transfer)) {
      throw new TypeError("Incorrect type for the 'transfer' field on 'StructuredCloneOptions': the provided value is not of type 'Array'.");
    }
    for (const item of [...transfer]) {
      let buffer;
      if (item instanceof ArrayBuffer) buffer = item;
      else if (ArrayBuffer.isView(item)) buffer = item.buffer;
      else if (typeof SharedArrayBuffer === "function" && item instanceof SharedArrayBuffer) throw dataCloneError("Object is not transferable.");
      else throw new TypeError("Object is not transferable");
      if (typeof SharedArrayBuffer === "function" && buffer instanceof SharedArrayBuffer) throw dataCloneError("Object is not transferable.");
      if (!buffers.includes(buffer)) buffers.push(buffer);
    }
  }
  // A transferred buffer that is the whole value moves without a copy.
  if (buffers.length === 1 && value === buffers[0] && !value.detached) return value.transfer();
  const result = cloneValue(value, new Map());
  // The clone holds copies; detaching the originals completes the transfer.
  for (const buffer of buffers) if (!buffer.detached) buffer.transfer(0);
  return result;
}
defineGlobal("structuredClone", structuredClone);
