// R2: the R2Bucket a Worker sees as env.NAME, the objects it returns (HeadResult, which the
// docs call R2Object, and GetResult, R2ObjectBody), their Checksums, and R2MultipartUpload.
// Arguments are converted and checked here as workerd does (same errors, same order); the host
// engine stores and applies R2's rules, whose errors arrive as "get: … (10020)". Bodies cross
// as host streams: `new Response(object.body)` is piped by the host without entering V8, and a
// request body given to put() goes to the host the same way. Every method but
// resumeMultipartUpload returns a promise, and every error is a rejection.

const R2_VALUE_TYPE = "JsReadableStream or ArrayBuffer or ArrayBufferView or string or Blob";
const R2_UNKNOWN_LENGTH = "Provided readable stream must have a known length (request/response body or readable half of FixedLengthStream)";
const kR2 = Symbol("flint.r2");

function r2ParameterError(method, cls, index, type) {
  return new TypeError(`Failed to execute '${method}' on '${cls}': parameter ${index} is not of type '${type}'.`);
}

function r2FieldError(field, dict, type) {
  return new TypeError(`Incorrect type for the '${field}' field on '${dict}': the provided value is not of type '${type}'.`);
}

function r2IsObject(v) {
  return v !== null && (typeof v === "object" || typeof v === "function");
}

/** workerd lists a class's methods before its constructor; V8 puts the constructor first. */
function r2ConstructorLast(cls) {
  const proto = cls.prototype;
  delete proto.constructor;
  Object.defineProperty(proto, "constructor", { value: cls, writable: true, configurable: true, enumerable: false });
}

/** A jsg::NonCoercible<kj::String> field: a string, nothing else. */
function r2StringField(value, field, dict) {
  if (typeof value !== "string") throw r2FieldError(field, dict, "string");
  return value;
}

function r2DateMs(value, field, dict) {
  if (value instanceof Date) return value.getTime();
  if (typeof value === "number") return value;
  throw r2FieldError(field, dict, "date");
}

// ---- options --------------------------------------------------------------------------------

function r2IsQuotedEtag(e) {
  return e.length >= 2 && e.startsWith("\"") && e.endsWith("\"");
}

/** A single etag of an onlyIf object: "*" is the wildcard; quotes are a mistake workerd reports. */
function r2SingleEtag(value, field) {
  const e = r2StringField(value, field, "Conditional");
  if (r2IsQuotedEtag(e)) throw new TypeError(`Conditional ETag should not be wrapped in quotes (${e}).`);
  return e === "*" ? [{ type: "wildcard" }] : [{ type: "strong", value: e }];
}

/** If-Match / If-None-Match as workerd parses them (strong, W/ weak, *), with its errors. */
function r2ParseEtagHeader(header) {
  const out = [];
  let s = header, needComma = false;
  for (;;) {
    s = s.replace(/^[ \t]+/, "");
    if (s.length === 0) return out;
    const c = s[0];
    if (c === ",") { s = s.slice(1); needComma = false; continue; }
    if (c === "*") {
      if (needComma) throw new Error("Comma was expected to separate etags. Encountered a wildcard character '*' instead.");
      return [{ type: "wildcard" }];
    }
    if (c === "W") {
      if (needComma) throw new Error("Comma was expected to separate etags. Encountered a weak quotation character 'W' instead. This would otherwise indicate the start of a new weak etag.");
      if (!(s.length > 2 && s[1] === "/" && s[2] === "\"")) throw new Error("Weak etags must start with W/ and their value must be quoted");
      s = s.slice(3);
      const close = s.indexOf("\"");
      if (close < 0) throw new Error("Unclosed double quote for Etag");
      out.push({ type: "weak", value: s.slice(0, close) });
      s = s.slice(close + 1);
      needComma = true;
      continue;
    }
    if (c === "\"") {
      if (needComma) throw new Error("Comma was expected to separate etags. Encountered a double quote character '\"' instead. This would otherwise indicate the start of a new strong etag.");
      s = s.slice(1);
      const close = s.indexOf("\"");
      if (close < 0) throw new Error("Unclosed double quote for Etag");
      out.push({ type: "strong", value: s.slice(0, close) });
      s = s.slice(close + 1);
      needComma = true;
      continue;
    }
    return out;
  }
}

/** onlyIf as the host takes it, from an R2Conditional or a Headers (HTTP dates: second granularity). */
function r2Conditional(onlyIf, dict) {
  if (onlyIf instanceof Headers) {
    const c = { secondsGranularity: true };
    const ifMatch = onlyIf.get("if-match");
    if (ifMatch !== null) {
      c.etagMatches = r2ParseEtagHeader(ifMatch);
      if (c.etagMatches.length === 0) throw new Error("Invalid ETag in if-match header");
    }
    const ifNoneMatch = onlyIf.get("if-none-match");
    if (ifNoneMatch !== null) {
      c.etagDoesNotMatch = r2ParseEtagHeader(ifNoneMatch);
      if (c.etagDoesNotMatch.length === 0) throw new Error("Invalid ETag in if-none-match header");
    }
    const since = onlyIf.get("if-modified-since");
    if (since !== null) c.uploadedAfter = new Date(since).getTime();
    const unmodified = onlyIf.get("if-unmodified-since");
    if (unmodified !== null) c.uploadedBefore = new Date(unmodified).getTime();
    return c;
  }
  if (!r2IsObject(onlyIf)) throw r2FieldError("onlyIf", dict, "Conditional or Headers");
  const c = {};
  if (onlyIf.etagMatches !== undefined) c.etagMatches = r2SingleEtag(onlyIf.etagMatches, "etagMatches");
  if (onlyIf.etagDoesNotMatch !== undefined) c.etagDoesNotMatch = r2SingleEtag(onlyIf.etagDoesNotMatch, "etagDoesNotMatch");
  if (onlyIf.uploadedBefore !== undefined) c.uploadedBefore = r2DateMs(onlyIf.uploadedBefore, "uploadedBefore", "Conditional");
  if (onlyIf.uploadedAfter !== undefined) c.uploadedAfter = r2DateMs(onlyIf.uploadedAfter, "uploadedAfter", "Conditional");
  if (onlyIf.secondsGranularity !== undefined && onlyIf.secondsGranularity) c.secondsGranularity = true;
  for (const k of ["uploadedBefore", "uploadedAfter"]) if (Number.isNaN(c[k])) delete c[k];
  return c;
}

function r2IsWhole(n) { return Math.trunc(n) === n; }

/** A get's range: {offset, length} / {suffix} checked as workerd checks them, or a Headers' Range. */
function r2Range(args, range) {
  if (range instanceof Headers) {
    const header = range.get("range");
    if (header !== null) args.rangeHeader = header;
    return;
  }
  if (!r2IsObject(range)) throw r2FieldError("range", "GetOptions", "Range or Headers");
  const r = {};
  if (range.offset !== undefined) {
    const offset = Number(range.offset);
    if (!(offset >= 0)) throw new RangeError(`Invalid range. Starting offset (${offset}) must be greater than or equal to 0.`);
    if (!r2IsWhole(offset)) throw new RangeError(`Invalid range. Starting offset (${offset}) must be an integer, not floating point.`);
    r.offset = offset;
  }
  if (range.length !== undefined) {
    const length = Number(range.length);
    if (!(length >= 0)) throw new RangeError(`Invalid range. Length (${length}) must be greater than or equal to 0.`);
    if (!r2IsWhole(length)) throw new RangeError(`Invalid range. Length (${length}) must be an integer, not floating point.`);
    r.length = length;
  }
  if (range.suffix !== undefined) {
    const suffix = Number(range.suffix);
    if (range.offset !== undefined) throw new TypeError("Suffix is incompatible with offset.");
    if (range.length !== undefined) throw new TypeError("Suffix is incompatible with length.");
    if (!(suffix >= 0)) throw new RangeError(`Invalid suffix. Suffix (${suffix}) must be greater than or equal to 0.`);
    if (!r2IsWhole(suffix)) throw new RangeError(`Invalid range. Suffix (${suffix}) must be an integer, not floating point.`);
    r.suffix = suffix;
  }
  args.range = r;
}

function r2CheckSsecKey(key, dict) {
  if (key === undefined) return;
  if (typeof key === "string") {
    if (!/^[0-9a-f]+$/.test(key)) throw new Error("SSE-C Key has invalid format");
    if (key.length !== 64) throw new Error("SSE-C Key must be 32 bytes in length");
  } else if (isBufferSource(key)) {
    if (bytesView(key).byteLength !== 32) throw new Error("SSE-C Key must be 32 bytes in length");
  } else {
    throw r2FieldError("ssecKey", dict, "ArrayBuffer or string");
  }
}

/** httpMetadata from an object (R2HTTPMetadata) or from a Headers (Content-* and Expires). */
function r2HttpMetadata(m, dict) {
  const out = {};
  if (m instanceof Headers) {
    const pick = [["content-type", "contentType"], ["content-encoding", "contentEncoding"], ["content-disposition", "contentDisposition"],
      ["content-language", "contentLanguage"], ["cache-control", "cacheControl"]];
    for (const [h, f] of pick) { const v = m.get(h); if (v !== null) out[f] = v; }
    const expires = m.get("expires");
    if (expires !== null) out.cacheExpiry = new Date(expires).getTime();
    return r2OrderHttp(out);
  }
  if (!r2IsObject(m)) throw r2FieldError("httpMetadata", dict, "HttpMetadata or Headers");
  for (const f of ["contentType", "contentLanguage", "contentDisposition", "contentEncoding", "cacheControl"]) {
    if (m[f] !== undefined) out[f] = toDOMString(m[f]);
  }
  if (m.cacheExpiry !== undefined) out.cacheExpiry = r2DateMs(m.cacheExpiry, "cacheExpiry", "HttpMetadata");
  return out;
}

function r2OrderHttp(m) {
  const out = {};
  for (const f of ["contentType", "contentLanguage", "contentDisposition", "contentEncoding", "cacheControl", "cacheExpiry"]) if (m[f] !== undefined) out[f] = m[f];
  return out;
}

function r2CustomMetadata(m, dict) {
  if (!r2IsObject(m)) throw r2FieldError("customMetadata", dict, "object");
  return Object.entries(m).map(([k, v]) => [k, toDOMString(v)]);
}

const R2_HASHES = [["md5", "MD5", 16], ["sha1", "SHA-1", 20], ["sha256", "SHA-256", 32], ["sha384", "SHA-384", 48], ["sha512", "SHA-512", 64]];

function r2Hex(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
  return s;
}

/** The digest a put names, as lowercase hex, after workerd's checks of its length and form. */
function r2HashValue(value, name, bytes) {
  if (typeof value === "string") {
    if (value.length !== bytes * 2) throw new TypeError(`${name} is ${bytes * 2} hex characters, not ${value.length}`);
    if (!/^[0-9a-fA-F]*$/.test(value)) throw new TypeError(`Provided ${name} wasn't a valid hex string`);
    return value.toLowerCase();
  }
  const view = bytesView(value);
  if (view.byteLength !== bytes) throw new TypeError(`${name} is ${bytes} bytes, not ${view.byteLength}`);
  return r2Hex(view);
}

/** put()'s options: fields converted in declaration order (type errors first), then checked. */
function r2PutOptions(args, options) {
  if (options === undefined || options === null) return;
  if (!r2IsObject(options)) throw r2ParameterError("put", "R2Bucket", 3, "PutOptions");
  const onlyIf = options.onlyIf, httpMetadata = options.httpMetadata, customMetadata = options.customMetadata;
  const hashes = [];
  for (const [field, name, bytes] of R2_HASHES) {
    const v = options[field];
    if (v === undefined) continue;
    if (typeof v !== "string" && !isBufferSource(v)) throw r2FieldError(field, "PutOptions", "BufferSource or string");
    hashes.push([field, name, bytes, v]);
  }
  if (onlyIf !== undefined) args.onlyIf = r2Conditional(onlyIf, "PutOptions");
  if (customMetadata !== undefined) args.customMetadata = r2CustomMetadata(customMetadata, "PutOptions");
  if (httpMetadata !== undefined) args.httpMetadata = r2HttpMetadata(httpMetadata, "PutOptions");
  let specified = false;
  for (const [field, name, bytes, v] of hashes) {
    if (specified) throw new TypeError("You cannot specify multiple hashing algorithms.");
    specified = true;
    args.hashes = { [field]: r2HashValue(v, name, bytes) };
  }
  if (options.storageClass !== undefined) args.storageClass = toDOMString(options.storageClass);
  r2CheckSsecKey(options.ssecKey, "PutOptions");
}

/**
 * A put or part value as it crosses: bytes, a JavaScript stream the host pulls, or an unread
 * host stream (a request or fetch body) it reads itself. Streams must have a known length.
 */
function r2Value(value, method, cls, allowNull) {
  if (value === null || value === undefined) {
    if (!allowNull) throw r2ParameterError(method, cls, 2, R2_VALUE_TYPE);
    return { bytes: EMPTY_BYTES, stream: null, hostStream: 0 };
  }
  if (typeof value === "string") return { bytes: utf8Encode(value), stream: null, hostStream: 0 };
  if (isBufferSource(value)) return { bytes: bytesCopy(value), stream: null, hostStream: 0 };
  if (typeof Blob === "function" && value instanceof Blob) return { bytes: value[kBlob].bytes, stream: null, hostStream: 0 };
  if (value instanceof ReadableStream) return { bytes: null, stream: value, hostStream: 0 };
  throw r2ParameterError(method, cls, 2, R2_VALUE_TYPE);
}

/** Hands a stream value to the host: an unread host body by its id, any other stream to be pulled. */
function r2StreamCrossing(v) {
  const stream = v.stream;
  if (stream === null) return v;
  if (stream.locked) throw new TypeError("The ReadableStream has been locked to a reader.");
  if (streamKnownLength(stream) < 0) throw new TypeError(R2_UNKNOWN_LENGTH);
  const hostStream = takeUntouchedHostBody({ stream, kind: "stream" });
  return hostStream !== 0 ? { bytes: null, stream: null, hostStream } : v;
}

function r2Call(st, method, args, v = null) {
  if (v === null) return callBinding(st.index, method, args);
  return callBinding(st.index, method, args, v.bytes, v.stream, v.hostStream);
}

// ---- objects --------------------------------------------------------------------------------

function r2ReadOnly(o, name, value) {
  Object.defineProperty(o, name, { value, writable: false, enumerable: true, configurable: true });
}

function r2HexToBuffer(hex) {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out.buffer;
}

class Checksums {
  constructor() { throw new TypeError("Illegal constructor"); }

  toJSON() {
    const st = this?.[kR2];
    if (st === undefined || !(this instanceof Checksums)) throw illegalInvocation();
    const out = {};
    for (const [field] of R2_HASHES) if (st.hexes[field] !== undefined) out[field] = st.hexes[field];
    return out;
  }
}
webidlInterface(Checksums);
r2ConstructorLast(Checksums);

/**
 * The digests, own accessors as workerd's lazy properties: an ArrayBuffer made when first read,
 * then kept. The getters are shared by every Checksums (state in kR2) and defined one by one with
 * constant descriptors, so all instances share one map; a closure per digest per object gave each
 * its own map, and Object.defineProperties walks its argument's keys each time (a listing makes up
 * to a thousand of these).
 */
const R2_DIGEST_DESCRIPTORS = ["sha512", "sha384", "sha256", "sha1", "md5"].map((field) => ({
  get() {
    const st = r2ObjectState(this, Checksums);
    if (st.hexes[field] === undefined) return undefined;
    st.buffers ??= {};
    return st.buffers[field] ??= r2HexToBuffer(st.hexes[field]);
  },
  enumerable: true, configurable: true,
}));

function r2Checksums(hexes) {
  const c = Object.create(Checksums.prototype);
  c[kR2] = { hexes, buffers: null };
  const d = R2_DIGEST_DESCRIPTORS;
  Object.defineProperty(c, "sha512", d[0]);
  Object.defineProperty(c, "sha384", d[1]);
  Object.defineProperty(c, "sha256", d[2]);
  Object.defineProperty(c, "sha1", d[3]);
  Object.defineProperty(c, "md5", d[4]);
  return c;
}

function r2ObjectState(o, cls) {
  const st = o?.[kR2];
  if (st === undefined || !(o instanceof cls)) throw illegalInvocation();
  return st;
}

class HeadResult {
  constructor() { throw new TypeError("Illegal constructor"); }

  writeHttpMetadata(headers) {
    const st = r2ObjectState(this, HeadResult);
    if (!(headers instanceof Headers)) throw r2ParameterError("writeHttpMetadata", "HeadResult", 1, "Headers");
    const m = this.httpMetadata;
    if (m === undefined) throw new TypeError(`HTTP metadata unknown for key \`${st.key}\`. Did you forget to add 'httpMetadata' to \`include\` when listing?`);
    if (m.contentType !== undefined) headers.set("content-type", m.contentType);
    if (m.contentLanguage !== undefined) headers.set("content-language", m.contentLanguage);
    if (m.contentDisposition !== undefined) headers.set("content-disposition", m.contentDisposition);
    if (m.contentEncoding !== undefined) headers.set("content-encoding", m.contentEncoding);
    if (m.cacheControl !== undefined) headers.set("cache-control", m.cacheControl);
    if (m.cacheExpiry !== undefined) headers.set("expires", m.cacheExpiry.toUTCString());
  }
}
webidlInterface(HeadResult);
r2ConstructorLast(HeadResult);

class GetResult extends HeadResult {
  get body() { return bodyStream(r2ObjectState(this, GetResult).body); }
  get bodyUsed() { return bodyUsed(r2ObjectState(this, GetResult).body); }
  arrayBuffer() {
    try { return consumeBody(r2ObjectState(this, GetResult).body, false).then((b) => b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? b.buffer : b.slice().buffer); } catch (e) { return Promise.reject(e); }
  }
  bytes() {
    try { return consumeBody(r2ObjectState(this, GetResult).body, false).then((b) => b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? b : b.slice()); } catch (e) { return Promise.reject(e); }
  }
  text() {
    try { return consumeBody(r2ObjectState(this, GetResult).body, true); } catch (e) { return Promise.reject(e); }
  }
  json() {
    try { return consumeBody(r2ObjectState(this, GetResult).body, true).then((t) => JSONParse(t)); } catch (e) { return Promise.reject(e); }
  }
  blob() {
    try {
      const type = this.httpMetadata?.contentType ?? "";
      return consumeBody(r2ObjectState(this, GetResult).body, false).then((b) => new Blob([b], { type }));
    } catch (e) { return Promise.reject(e); }
  }
}
webidlInterface(GetResult);
r2ConstructorLast(GetResult);

const R2_FIELD = { value: undefined, enumerable: true, configurable: true };

/**
 * Builds an object from the host's description. Its fields are own, read-only, enumerable
 * properties defined in workerd's order (so Object.keys and JSON.stringify match), the body a
 * host stream with the object's (or range's) length known.
 */
function r2Object(info, stream = null, withRange = true) {
  const o = Object.create(stream === null ? HeadResult.prototype : GetResult.prototype);
  const st = { key: info.key };
  if (stream !== null) {
    const id = untouchedHostStreams.get(stream);
    st.body = id === undefined ? makeBody("stream", stream) : makeBody("host", id);
    st.body.knownLength = info.range !== undefined ? info.range.length : info.size;
  }
  o[kR2] = st;
  const http = {};
  const custom = {};
  // A listed object without metadata comes as its five fields alone (R2Binding.WriteObject):
  // no metadata, and checksums that are its MD5 etag.
  const h = info.httpMetadata;
  if (h !== undefined) {
    for (const f of ["contentType", "contentLanguage", "contentDisposition", "contentEncoding", "cacheControl"]) if (h[f] !== undefined) http[f] = h[f];
    if (h.cacheExpiry !== undefined) http.cacheExpiry = new Date(h.cacheExpiry);
    for (const [k, v] of info.customMetadata) custom[k] = v;
  }
  // Twelve read-only own properties in workerd's order, defined one by one through one reused
  // descriptor: Object.defineProperties with twelve fresh descriptors cost about twice as much
  // (a listing makes up to a thousand objects). No R2 object is made synchronously from a
  // Worker's code (every method that makes one awaits the host first), so this cannot be
  // re-entered while the descriptor is half-filled.
  const d = R2_FIELD;
  d.value = undefined; Object.defineProperty(o, "ssecKeyMd5", d);
  d.value = ""; Object.defineProperty(o, "storageClass", d);
  d.value = withRange && info.range !== undefined ? { offset: info.range.offset, length: info.range.length } : undefined; Object.defineProperty(o, "range", d);
  d.value = custom; Object.defineProperty(o, "customMetadata", d);
  d.value = http; Object.defineProperty(o, "httpMetadata", d);
  d.value = new Date(info.uploaded); Object.defineProperty(o, "uploaded", d);
  d.value = r2Checksums(info.checksums ?? { md5: info.etag }); Object.defineProperty(o, "checksums", d);
  d.value = `"${info.etag}"`; Object.defineProperty(o, "httpEtag", d);
  d.value = info.etag; Object.defineProperty(o, "etag", d);
  d.value = info.size; Object.defineProperty(o, "size", d);
  d.value = info.version; Object.defineProperty(o, "version", d);
  d.value = info.key; Object.defineProperty(o, "key", d);
  d.value = undefined;
  return o;
}

// ---- the bucket -----------------------------------------------------------------------------

function r2State(b) {
  const st = b?.[kState];
  if (st === undefined || !(b instanceof R2Bucket)) throw illegalInvocation();
  return st;
}

function r2Key(key, method, cls = "R2Bucket") {
  if (key === undefined) throw r2ParameterError(method, cls, 1, "string");
  return toDOMString(key);
}

function r2GetOptions(args, options) {
  if (options === undefined || options === null) return;
  if (!r2IsObject(options)) throw r2ParameterError("get", "R2Bucket", 2, "GetOptions");
  const { onlyIf, range } = options;
  if (onlyIf !== undefined) args.onlyIf = r2Conditional(onlyIf, "GetOptions");
  if (range !== undefined) r2Range(args, range);
  r2CheckSsecKey(options.ssecKey, "GetOptions");
}

function r2MultipartOptions(args, options) {
  if (options === undefined || options === null) return;
  if (!r2IsObject(options)) throw r2ParameterError("createMultipartUpload", "R2Bucket", 2, "MultipartOptions");
  if (options.httpMetadata !== undefined) args.httpMetadata = r2HttpMetadata(options.httpMetadata, "MultipartOptions");
  if (options.customMetadata !== undefined) args.customMetadata = r2CustomMetadata(options.customMetadata, "MultipartOptions");
  if (options.storageClass !== undefined) args.storageClass = toDOMString(options.storageClass);
  r2CheckSsecKey(options.ssecKey, "MultipartOptions");
}

function r2ListOptions(options) {
  const args = {};
  if (options === undefined || options === null) return args;
  if (!r2IsObject(options)) throw r2ParameterError("list", "R2Bucket", 1, "ListOptions");
  if (options.limit !== undefined) {
    // A jsg int sent as R2's UInt32, whose all-ones value means "not given".
    const limit = Number(options.limit) >>> 0;
    if (limit !== 0xffffffff) args.limit = limit;
  }
  for (const f of ["prefix", "cursor", "delimiter", "startAfter"]) {
    if (options[f] !== undefined) args[f] = r2StringField(options[f], f, "ListOptions");
  }
  if (options.include !== undefined) {
    if (!r2IsObject(options.include) || typeof options.include[Symbol.iterator] !== "function") throw r2FieldError("include", "ListOptions", "Array");
    const include = [];
    for (const v of options.include) {
      const s = r2StringField(v, "include", "ListOptions");
      if (s !== "httpMetadata" && s !== "customMetadata") throw new RangeError(`Unsupported include value ${s}`);
      include.push(s);
    }
    args.include = include;
  }
  return args;
}

// Named and ordered as workerd's R2Bucket (head, get, put, createMultipartUpload, resumeMultipartUpload, delete, list).
class R2Bucket {
  constructor() { throw new TypeError("Illegal constructor"); }

  async head(key) {
    const st = r2State(this);
    key = r2Key(key, "head");
    const result = await r2Call(st, "head", key);
    return result.text === null ? null : r2Object(JSONParse(result.text));
  }

  async get(key, options = undefined) {
    const st = r2State(this);
    key = r2Key(key, "get");
    const args = { key };
    r2GetOptions(args, options);
    const result = await r2Call(st, "get", JSONStringify(args));
    if (result.text === null) return null;
    const info = JSONParse(result.text);
    if (info.preconditionFailed) return r2Object(info);
    return r2Object(info, result.stream);
  }

  async put(key, value, options = undefined) {
    const st = r2State(this);
    key = r2Key(key, "put");
    if (arguments.length < 2) throw r2ParameterError("put", "R2Bucket", 2, R2_VALUE_TYPE);
    let v = r2Value(value, "put", "R2Bucket", true);
    const args = { key };
    r2PutOptions(args, options);
    v = r2StreamCrossing(v);
    const result = await r2Call(st, "put", JSONStringify(args), v);
    return result.text === null ? null : r2Object(JSONParse(result.text), null, false);
  }

  async createMultipartUpload(key, options = undefined) {
    const st = r2State(this);
    key = r2Key(key, "createMultipartUpload");
    const args = { key };
    r2MultipartOptions(args, options);
    const result = await r2Call(st, "createMultipartUpload", JSONStringify(args));
    return r2MultipartUpload(this, key, result.text);
  }

  resumeMultipartUpload(key, uploadId) {
    r2State(this);
    key = r2Key(key, "resumeMultipartUpload");
    if (uploadId === undefined) throw r2ParameterError("resumeMultipartUpload", "R2Bucket", 2, "string");
    return r2MultipartUpload(this, key, toDOMString(uploadId));
  }

  async delete(keys) {
    const st = r2State(this);
    if (keys === undefined) throw r2ParameterError("delete", "R2Bucket", 1, "string or Array");
    const list = Array.isArray(keys) ? keys.map((k) => toDOMString(k)) : [toDOMString(keys)];
    await r2Call(st, "delete", JSONStringify(list));
  }

  async list(options = undefined) {
    const st = r2State(this);
    const args = r2ListOptions(options);
    const result = JSONParse((await r2Call(st, "list", JSONStringify(args))).text);
    const out = { objects: result.objects.map((o) => r2Object(o)), truncated: result.truncated };
    if (result.cursor !== undefined) out.cursor = result.cursor;
    out.delimitedPrefixes = result.delimitedPrefixes;
    return out;
  }
}
webidlInterface(R2Bucket);
r2ConstructorLast(R2Bucket);

// ---- multipart uploads ----------------------------------------------------------------------

function r2PartNumber(n) {
  const partNumber = Number(n) | 0;
  if (partNumber < 1 || partNumber > 10000) {
    throw new TypeError(`Part number must be between 1 and 10000 (inclusive). Actual value was: ${partNumber}`);
  }
  return partNumber;
}

class R2MultipartUpload {
  constructor() { throw new TypeError("Illegal constructor"); }

  async uploadPart(partNumber, value, options = undefined) {
    const st = r2ObjectState(this, R2MultipartUpload);
    if (arguments.length < 2) throw r2ParameterError("uploadPart", "R2MultipartUpload", 2, R2_VALUE_TYPE);
    let v = r2Value(value, "uploadPart", "R2MultipartUpload", false);
    const number = r2PartNumber(partNumber);
    if (options !== undefined && options !== null) {
      if (!r2IsObject(options)) throw r2ParameterError("uploadPart", "R2MultipartUpload", 3, "UploadPartOptions");
      r2CheckSsecKey(options.ssecKey, "UploadPartOptions");
    }
    v = r2StreamCrossing(v);
    const result = await r2Call(st.bucket, "uploadPart", JSONStringify({ key: st.key, uploadId: st.uploadId, partNumber: number }), v);
    return { partNumber: number, etag: result.text };
  }

  async abort() {
    const st = r2ObjectState(this, R2MultipartUpload);
    await r2Call(st.bucket, "abortMultipartUpload", JSONStringify({ key: st.key, uploadId: st.uploadId }));
  }

  async complete(uploadedParts) {
    const st = r2ObjectState(this, R2MultipartUpload);
    if (uploadedParts === undefined || !r2IsObject(uploadedParts) || typeof uploadedParts[Symbol.iterator] !== "function") {
      throw r2ParameterError("complete", "R2MultipartUpload", 1, "Array");
    }
    const parts = [];
    for (const p of uploadedParts) {
      if (!r2IsObject(p)) throw r2ParameterError("complete", "R2MultipartUpload", 1, "Array");
      parts.push({ partNumber: Number(p.partNumber) | 0, etag: toDOMString(p.etag) });
    }
    for (const p of parts) r2PartNumber(p.partNumber);
    const result = await r2Call(st.bucket, "completeMultipartUpload", JSONStringify({ key: st.key, uploadId: st.uploadId, parts }));
    return r2Object(JSONParse(result.text), null, false);
  }
}
webidlInterface(R2MultipartUpload);
r2ConstructorLast(R2MultipartUpload);

function r2MultipartUpload(bucket, key, uploadId) {
  const u = Object.create(R2MultipartUpload.prototype);
  u[kR2] = { bucket: bucket[kState], key, uploadId };
  r2ReadOnly(u, "uploadId", uploadId);
  r2ReadOnly(u, "key", key);
  return u;
}

registerBindingKind("r2", (descriptor) => {
  const bucket = Object.create(R2Bucket.prototype);
  bucket[kState] = { index: descriptor.index };
  return bucket;
});
