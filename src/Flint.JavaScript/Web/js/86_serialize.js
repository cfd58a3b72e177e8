// Structured clone to bytes, in V8's ValueSerializer wire format (version 15), so values can
// cross between isolates (RPC) and be stored (Durable Object storage, queue messages) as workerd
// stores them. Platform objects and capabilities (stubs, streams, Request, Response, Headers,
// Blob, DOMException) are written as host objects ('\\' then a tag the hooks choose); the caller
// passes hooks that turn them into handles and back. The rules for what can be cloned, and the
// DataCloneErrors, are structuredClone's (35_structured_clone.js).

const SER_VERSION = 15;
const T = {
  padding: 0x00, undefined: 0x5f, null: 0x30, true: 0x54, false: 0x46, int32: 0x49, uint32: 0x55, double: 0x4e,
  bigint: 0x5a, utf8: 0x53, oneByte: 0x22, twoByte: 0x63, ref: 0x5e, object: 0x6f, endObject: 0x7b,
  sparse: 0x61, endSparse: 0x40, dense: 0x41, endDense: 0x24, date: 0x44, trueObject: 0x79, falseObject: 0x78,
  numberObject: 0x6e, bigintObject: 0x7a, stringObject: 0x73, regexp: 0x52, map: 0x3b, endMap: 0x3a,
  set: 0x27, endSet: 0x2c, arrayBuffer: 0x42, resizableArrayBuffer: 0x7e, view: 0x56, hole: 0x2d, host: 0x5c,
  error: 0x72, verifyCount: 0x3f,
};
// ArrayBufferView subtags, by constructor name.
const VIEW_TAGS = new Map([
  ["Int8Array", 0x62], ["Uint8Array", 0x42], ["Uint8ClampedArray", 0x43], ["Int16Array", 0x77], ["Uint16Array", 0x57],
  ["Int32Array", 0x64], ["Uint32Array", 0x44], ["Float16Array", 0x68], ["Float32Array", 0x66], ["Float64Array", 0x46],
  ["BigInt64Array", 0x71], ["BigUint64Array", 0x51], ["DataView", 0x3f],
]);
const VIEW_BY_TAG = new Map([...VIEW_TAGS].map(([name, tag]) => [tag, name]));
// Error prototypes ('E' EvalError … 'U' URIError; none for Error), then message, stack, cause, end.
const ERROR_TAGS = new Map([["EvalError", 0x45], ["RangeError", 0x52], ["ReferenceError", 0x46], ["SyntaxError", 0x53], ["TypeError", 0x54], ["URIError", 0x55]]);
const ERROR_BY_TAG = new Map([...ERROR_TAGS].map(([name, tag]) => [tag, name]));
const ERR = { message: 0x6d, stack: 0x73, cause: 0x63, end: 0x2e };
const REGEXP_FLAGS = [["g", 1], ["i", 2], ["m", 4], ["y", 8], ["u", 16], ["s", 32], ["d", 128], ["v", 256]];
const SMI_MIN = -(2 ** 30), SMI_MAX = 2 ** 30 - 1;
const regexpFlagsGetter = Object.getOwnPropertyDescriptor(RegExp.prototype, "flags").get;
const regexpSourceGetter = Object.getOwnPropertyDescriptor(RegExp.prototype, "source").get;

let transferView = null; // a DataView over the host transfer buffer, made once

class ValueWriter {
  /** `initial` may be the host transfer buffer, written in place while the value fits. */
  constructor(initial) {
    this.buf = initial ?? new Uint8Array(256);
    this.view = initial === hostTransfer
      ? (transferView ??= new DataView(hostTransfer.buffer, hostTransfer.byteOffset, hostTransfer.byteLength))
      : new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    this.pos = 0;
    this.ids = new Map();
    this.nextId = 0;
  }
  ensure(n) {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  byte(b) { this.ensure(1); this.buf[this.pos++] = b; }
  varint(n) {
    this.ensure(10);
    while (n >= 0x80) { this.buf[this.pos++] = (n % 0x80) | 0x80; n = Math.floor(n / 0x80); }
    this.buf[this.pos++] = n;
  }
  double(d) { this.ensure(8); this.view.setFloat64(this.pos, d, true); this.pos += 8; }
  raw(bytes) { this.ensure(bytes.byteLength); this.buf.set(bytes, this.pos); this.pos += bytes.byteLength; }
  string(s) {
    let oneByte = true;
    for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0xff) { oneByte = false; break; }
    if (oneByte) {
      this.byte(T.oneByte);
      this.varint(s.length);
      this.ensure(s.length);
      for (let i = 0; i < s.length; i++) this.buf[this.pos++] = s.charCodeAt(i);
      return;
    }
    // V8 aligns two-byte string data: padding so the bytes after tag and length start at an even offset.
    const lengthBytes = varintSize(s.length * 2);
    if ((this.pos + 1 + lengthBytes) % 2 !== 0) this.byte(T.padding);
    this.byte(T.twoByte);
    this.varint(s.length * 2);
    this.ensure(s.length * 2);
    for (let i = 0; i < s.length; i++) { const c = s.charCodeAt(i); this.buf[this.pos++] = c & 0xff; this.buf[this.pos++] = c >> 8; }
  }
  number(n) {
    if (Number.isInteger(n) && n >= SMI_MIN && n <= SMI_MAX && !Object.is(n, -0)) {
      this.byte(T.int32);
      this.varint(n >= 0 ? n * 2 : -n * 2 - 1); // zigzag
    } else {
      this.byte(T.double);
      this.double(n);
    }
  }
  bigintDigits(v) {
    const negative = v < 0n;
    let magnitude = negative ? -v : v;
    const words = [];
    while (magnitude > 0n) { words.push(magnitude & 0xffffffffffffffffn); magnitude >>= 64n; }
    this.varint(words.length * 8 * 2 + (negative ? 1 : 0));
    this.ensure(words.length * 8);
    for (const w of words) { this.view.setBigUint64(this.pos, w, true); this.pos += 8; }
  }
  result() { return this.buf.subarray(0, this.pos); }
}

function varintSize(n) { let size = 1; while (n >= 0x80) { n = Math.floor(n / 0x80); size++; } return size; }

/**
 * Serializes `value`. hooks.host(value, writer) is asked first for every object: it returns true
 * when it wrote the object as a host object (writer.byte(0x5c) then its own payload), false to
 * let the structured clone rules apply. hooks.classInstance (RPC) refuses class instances as
 * workerd's RPC does instead of cloning them as plain objects.
 */
function serializeValue(value, hooks, initialBuffer) {
  const w = new ValueWriter(initialBuffer);
  w.byte(0xff);
  w.byte(SER_VERSION);
  writeValue(w, value, hooks);
  return w.result();
}

function writeValue(w, v, hooks) {
  switch (typeof v) {
    case "undefined": w.byte(T.undefined); return;
    case "boolean": w.byte(v ? T.true : T.false); return;
    case "number": w.number(v); return;
    case "string": w.string(v); return;
    case "bigint": w.byte(T.bigint); w.bigintDigits(v); return;
    case "symbol": throw uncloneable(v);
    case "function":
      if (hooks !== undefined && hooks.host(v, w)) return;
      throw uncloneable(v);
  }
  if (v === null) { w.byte(T.null); return; }
  const id = w.ids.get(v);
  if (id !== undefined) { w.byte(T.ref); w.varint(id); return; }
  if (ArrayBuffer.isView(v)) {
    // V8 writes a view's buffer first (its own object id), then the view.
    if (!w.ids.has(v.buffer)) writeObject(w, v.buffer, hooks);
    if (w.ids.has(v)) { w.byte(T.ref); w.varint(w.ids.get(v)); return; }
  }
  writeObject(w, v, hooks);
}

function writeObject(w, v, hooks) {
  w.ids.set(v, w.nextId++);
  if (hooks !== undefined && hooks.host(v, w)) return;
  if (Array.isArray(v)) { writeArray(w, v, hooks); return; }
  const proto = Object.getPrototypeOf(v);
  if (proto === ObjectPrototype || proto === null) {
    if (proto === ObjectPrototype && objectToString.call(v) === "[object Arguments]") throw uncloneable(v);
    w.byte(T.object);
    const count = writeProperties(w, v, Object.keys(v), hooks);
    w.byte(T.endObject);
    w.varint(count);
    return;
  }
  if (isDOMException(v) || v[kState] !== undefined || hasPlatformPrototype(proto)) {
    throw dataCloneError(`Could not serialize object of type "${constructorNameOf(v)}". This type does not support serialization.`);
  }
  if (hasErrorBrand(v)) { writeError(w, v, hooks); return; }
  if (v instanceof ArrayBuffer) {
    if (v.detached) throw dataCloneError("An ArrayBuffer is detached and could not be cloned.");
    if (v.resizable) { w.byte(T.resizableArrayBuffer); w.varint(v.byteLength); w.varint(v.maxByteLength); }
    else { w.byte(T.arrayBuffer); w.varint(v.byteLength); }
    w.raw(new Uint8Array(v));
    return;
  }
  if (ArrayBuffer.isView(v)) {
    const name = typedArrayTag.call(v) ?? "DataView";
    w.byte(T.view);
    w.byte(VIEW_TAGS.get(name));
    w.varint(v.byteOffset);
    w.varint(v.byteLength);
    w.varint(0); // flags: neither length-tracking nor backed by a resizable buffer
    return;
  }
  if (typeof SharedArrayBuffer === "function" && v instanceof SharedArrayBuffer) throw dataCloneError("#<SharedArrayBuffer> could not be cloned.");
  if (v instanceof Date) { w.byte(T.date); w.double(Date.prototype.getTime.call(v)); return; }
  if (v instanceof RegExp) {
    w.byte(T.regexp);
    w.string(regexpSourceGetter.call(v));
    const flags = regexpFlagsGetter.call(v);
    let bits = 0;
    for (const [c, bit] of REGEXP_FLAGS) if (flags.includes(c)) bits |= bit;
    w.varint(bits);
    return;
  }
  if (v instanceof Map) {
    const entries = [...Map.prototype.entries.call(v)];
    w.byte(T.map);
    for (const [key, value] of entries) { writeValue(w, key, hooks); writeValue(w, value, hooks); }
    w.byte(T.endMap);
    w.varint(entries.length * 2);
    return;
  }
  if (v instanceof Set) {
    const values = [...Set.prototype.values.call(v)];
    w.byte(T.set);
    for (const value of values) writeValue(w, value, hooks);
    w.byte(T.endSet);
    w.varint(values.length);
    return;
  }
  if (v instanceof Number) { w.byte(T.numberObject); w.double(Number.prototype.valueOf.call(v)); return; }
  if (v instanceof Boolean) { w.byte(Boolean.prototype.valueOf.call(v) ? T.trueObject : T.falseObject); return; }
  if (v instanceof String) { w.byte(T.stringObject); w.string(String.prototype.valueOf.call(v)); return; }
  if (v instanceof BigInt) { w.byte(T.bigintObject); w.bigintDigits(BigInt.prototype.valueOf.call(v)); return; }
  if (v instanceof Symbol || v instanceof WeakMap || v instanceof WeakSet || v instanceof Promise ||
    (typeof WeakRef === "function" && v instanceof WeakRef) ||
    (typeof FinalizationRegistry === "function" && v instanceof FinalizationRegistry)) {
    throw uncloneable(v);
  }
  for (let p = proto; p !== null; p = Object.getPrototypeOf(p)) {
    if (UNCLONEABLE_PROTOTYPES.has(p)) throw uncloneable(v);
  }
  if (hooks !== undefined && hooks.classInstance !== undefined) { hooks.classInstance(v); return; }
  // structuredClone's rule: a class instance is its own enumerable properties.
  w.byte(T.object);
  const count = writeProperties(w, v, Object.keys(v), hooks);
  w.byte(T.endObject);
  w.varint(count);
}

/** Writes key/value pairs (array-index keys as numbers, as V8 does); returns how many. */
function writeProperties(w, obj, keys, hooks) {
  let count = 0;
  for (const key of keys) {
    const value = obj[key];
    if (isArrayIndexKey(key)) w.number(Number(key)); else w.string(key);
    writeValue(w, value, hooks);
    count++;
  }
  return count;
}

function writeArray(w, arr, hooks) {
  const length = arr.length;
  const keys = Object.keys(arr);
  let present = 0;
  const extra = [];
  for (const key of keys) { if (isArrayIndexKey(key)) present++; else extra.push(key); }
  if (length > 64 && present * 2 < length) {
    // Mostly holes: the sparse form, as V8 uses for dictionary-mode arrays.
    w.byte(T.sparse);
    w.varint(length);
    const count = writeProperties(w, arr, keys, hooks);
    w.byte(T.endSparse);
    w.varint(count);
    w.varint(length);
    return;
  }
  w.byte(T.dense);
  w.varint(length);
  for (let i = 0; i < length; i++) {
    if (i in arr) writeValue(w, arr[i], hooks); else w.byte(T.hole);
  }
  const count = writeProperties(w, arr, extra, hooks);
  w.byte(T.endDense);
  w.varint(count);
  w.varint(length);
}

function writeError(w, e, hooks) {
  w.byte(T.error);
  const name = typeof e.name === "string" ? e.name : "Error";
  const tag = ERROR_TAGS.get(name);
  if (tag !== undefined) w.byte(tag);
  const message = e.message;
  if (message !== undefined) { w.byte(ERR.message); w.string(typeof message === "string" ? message : `${message}`); }
  if (!hooks?.omitStack && typeof e.stack === "string") { w.byte(ERR.stack); w.string(e.stack); }
  if (!hooks?.omitCause && Object.hasOwn(e, "cause")) { w.byte(ERR.cause); writeValue(w, e.cause, hooks); }
  w.byte(ERR.end);
}

class ValueReader {
  constructor(bytes) {
    this.buf = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = 0;
    this.objects = [];
  }
  byte() {
    if (this.pos >= this.buf.length) throw dataCloneError("Unable to deserialize cloned data.");
    return this.buf[this.pos++];
  }
  peek() { return this.buf[this.pos]; }
  varint() {
    let result = 0, scale = 1, b;
    do { b = this.byte(); result += (b & 0x7f) * scale; scale *= 0x80; } while (b & 0x80);
    return result;
  }
  double() { if (this.pos + 8 > this.buf.length) throw dataCloneError("Unable to deserialize cloned data."); const d = this.view.getFloat64(this.pos, true); this.pos += 8; return d; }
  bytes(n) { if (this.pos + n > this.buf.length) throw dataCloneError("Unable to deserialize cloned data."); const out = this.buf.slice(this.pos, this.pos + n); this.pos += n; return out; }
  oneByteString(n) {
    let s = "";
    for (let i = 0; i < n; i += 8192) s += String.fromCharCode.apply(null, this.buf.subarray(this.pos + i, this.pos + Math.min(n, i + 8192)));
    this.pos += n;
    return s;
  }
  twoByteString(n) {
    let s = "";
    const end = this.pos + n;
    const chunk = [];
    for (let i = this.pos; i + 1 < end; i += 2) {
      chunk.push(this.buf[i] | (this.buf[i + 1] << 8));
      if (chunk.length === 8192) { s += String.fromCharCode.apply(null, chunk); chunk.length = 0; }
    }
    s += String.fromCharCode.apply(null, chunk);
    this.pos = end;
    return s;
  }
  bigint() {
    const bitfield = this.varint();
    const negative = (bitfield & 1) === 1;
    const byteLength = Math.floor(bitfield / 2);
    let v = 0n;
    for (let i = byteLength - 8; i >= 0; i -= 8) v = (v << 64n) | this.view.getBigUint64(this.pos + i, true);
    this.pos += byteLength;
    return negative ? -v : v;
  }
}

/** Deserializes bytes made by serializeValue (or V8). hooks.host(reader) reads a host object's payload. */
function deserializeValue(bytes, hooks) {
  const r = new ValueReader(bytes);
  if (r.byte() !== 0xff) throw dataCloneError("Unable to deserialize cloned data due to invalid or unsupported version.");
  const version = r.varint();
  if (version < 13 || version > SER_VERSION) throw dataCloneError("Unable to deserialize cloned data due to invalid or unsupported version.");
  return readValue(r, hooks);
}

function readValue(r, hooks) {
  let tag = r.byte();
  while (tag === T.padding || tag === T.verifyCount) {
    if (tag === T.verifyCount) r.varint();
    tag = r.byte();
  }
  switch (tag) {
    case T.undefined: return undefined;
    case T.null: return null;
    case T.true: return true;
    case T.false: return false;
    case T.int32: { const z = r.varint(); return z % 2 === 0 ? z / 2 : -(z + 1) / 2; }
    case T.uint32: return r.varint();
    case T.double: return r.double();
    case T.bigint: return r.bigint();
    case T.oneByte: return r.oneByteString(r.varint());
    case T.twoByte: return r.twoByteString(r.varint());
    case T.utf8: return utf8Decode(r.bytes(r.varint()));
    case T.ref: {
      const id = r.varint();
      if (id >= r.objects.length) throw dataCloneError("Unable to deserialize cloned data.");
      return r.objects[id];
    }
    case T.object: {
      const out = {};
      r.objects.push(out);
      readProperties(r, out, T.endObject, hooks);
      r.varint();
      return out;
    }
    case T.dense: {
      const length = r.varint();
      const out = new Array(length);
      r.objects.push(out);
      for (let i = 0; i < length; i++) {
        if (r.peek() === T.hole) { r.pos++; continue; }
        out[i] = readValue(r, hooks);
      }
      readProperties(r, out, T.endDense, hooks);
      r.varint(); r.varint();
      return out;
    }
    case T.sparse: {
      const out = new Array(r.varint());
      r.objects.push(out);
      readProperties(r, out, T.endSparse, hooks);
      r.varint(); r.varint();
      return out;
    }
    case T.date: { const d = new Date(r.double()); r.objects.push(d); return d; }
    case T.trueObject: case T.falseObject: { const b = Object(tag === T.trueObject); r.objects.push(b); return b; }
    case T.numberObject: { const n = Object(r.double()); r.objects.push(n); return n; }
    case T.bigintObject: { const n = Object(r.bigint()); r.objects.push(n); return n; }
    case T.stringObject: { const s = Object(readValue(r, hooks)); r.objects.push(s); return s; }
    case T.regexp: {
      const source = readValue(r, hooks);
      const bits = r.varint();
      let flags = "";
      for (const [c, bit] of REGEXP_FLAGS) if (bits & bit) flags += c;
      const re = new RegExp(source, flags);
      r.objects.push(re);
      return re;
    }
    case T.map: {
      const out = new Map();
      r.objects.push(out);
      while (r.peek() !== T.endMap) { const k = readValue(r, hooks); out.set(k, readValue(r, hooks)); }
      r.pos++; r.varint();
      return out;
    }
    case T.set: {
      const out = new Set();
      r.objects.push(out);
      while (r.peek() !== T.endSet) out.add(readValue(r, hooks));
      r.pos++; r.varint();
      return out;
    }
    case T.arrayBuffer: case T.resizableArrayBuffer: {
      const length = r.varint();
      const max = tag === T.resizableArrayBuffer ? r.varint() : undefined;
      const bytes = r.bytes(length);
      let buffer = bytes.buffer;
      if (max !== undefined) { buffer = new ArrayBuffer(length, { maxByteLength: max }); new Uint8Array(buffer).set(bytes); }
      r.objects.push(buffer);
      if (r.peek() === T.view) { r.pos++; return readView(r, buffer); }
      return buffer;
    }
    case T.view: throw dataCloneError("Unable to deserialize cloned data.");
    case T.error: return readError(r, hooks);
    case T.host: {
      if (hooks === undefined) throw dataCloneError("Unable to deserialize cloned data.");
      const index = r.objects.length;
      r.objects.push(undefined);
      const value = hooks.host(r);
      r.objects[index] = value;
      return value;
    }
    default: throw dataCloneError("Unable to deserialize cloned data.");
  }
}

function readProperties(r, out, end, hooks) {
  while (r.peek() !== end) {
    const key = readValue(r, hooks);
    const value = readValue(r, hooks);
    if (key === "__proto__") defineDataProperty(out, key, value); else out[key] = value;
  }
  r.pos++;
}

function readView(r, buffer) {
  const subtag = r.byte();
  const offset = r.varint();
  const byteLength = r.varint();
  r.varint(); // flags
  const name = VIEW_BY_TAG.get(subtag);
  if (name === undefined) throw dataCloneError("Unable to deserialize cloned data.");
  let view;
  if (name === "DataView") view = new DataView(buffer, offset, byteLength);
  else { const Ctor = TYPED_ARRAY_CONSTRUCTORS.get(name); view = new Ctor(buffer, offset, byteLength / Ctor.BYTES_PER_ELEMENT); }
  r.objects.push(view);
  return view;
}

function readError(r, hooks) {
  let name = "Error", message, stack, cause, hasCause = false;
  const index = r.objects.length;
  r.objects.push(undefined);
  for (;;) {
    const tag = r.byte();
    if (tag === ERR.end) break;
    if (tag === ERR.message) message = readValue(r, hooks);
    else if (tag === ERR.stack) stack = readValue(r, hooks);
    else if (tag === ERR.cause) { cause = readValue(r, hooks); hasCause = true; }
    else if (ERROR_BY_TAG.has(tag)) name = ERROR_BY_TAG.get(tag);
    else throw dataCloneError("Unable to deserialize cloned data.");
  }
  const Ctor = CLONEABLE_ERRORS.get(name) ?? Error;
  const e = message === undefined ? new Ctor() : new Ctor(message);
  if (stack !== undefined) defineDataProperty(e, "stack", stack); else delete e.stack;
  if (hasCause) defineDataProperty(e, "cause", cause);
  r.objects[index] = e;
  return e;
}
