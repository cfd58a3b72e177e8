// Workers KV: the KVNamespace a Worker sees as env.NAME. Arguments are converted and checked
// here as workerd does (same errors, same order); the host engine does the storage and KV's
// own checks, whose errors arrive as "KV GET failed: 400 …". Every method returns a promise,
// and every error is a rejection, never a synchronous throw.

const KV_MAX_KEY_BYTES = 512;
// KV's limits on metadata and values. A put over one sends only the length across (the host
// answers with KV's error, in KV's order of checks), not a copy that could fill the isolate.
const KV_MAX_METADATA_BYTES = 1024;
const KV_MAX_VALUE_BYTES = 25 * 1024 * 1024;
const KV_PUT_TYPES = "KV put() accepts only strings, ArrayBuffers, ArrayBufferViews, and ReadableStreams as values.";

function kvValidateKeyName(method, name) {
  if (name === "") throw new TypeError("Key name cannot be empty.");
  if (name === ".") throw new TypeError("\".\" is not allowed as a key name.");
  if (name === "..") throw new TypeError("\"..\" is not allowed as a key name.");
  // A lone surrogate has no UTF-8 form, so KV cannot decode the key it is sent.
  if (!name.isWellFormed()) throw new Error(`KV ${method} failed: 400 Could not URL-decode key name`);
  const length = utf8ByteLength(name);
  if (length > KV_MAX_KEY_BYTES) {
    throw new Error(`KV ${method} failed: 414 UTF-8 encoded length of ${length} exceeds key length limit of ${KV_MAX_KEY_BYTES}.`);
  }
}

function utf8ByteLength(s) {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) { n += 4; i++; }
    else n += 3;
  }
  return n;
}

/**
 * KV's integer options as workerd converts them (jsg's int): NaN and infinities become 0, others
 * are truncated and must fit in 32 bits.
 */
function kvInt(value) {
  const n = Number(value);
  if (!Number.isFinite(n)) return 0;
  const t = Math.trunc(n);
  if (t < -2147483648 || t > 2147483647) throw new TypeError("Value out of range. Must be between -2147483648 and 2147483647 (inclusive).");
  return t;
}

function kvParameterError(method, index, type) {
  return new TypeError(`Failed to execute '${method}' on 'KvNamespace': parameter ${index} is not of type '${type}'.`);
}

/** The (type, cacheTtl) of get()'s options: {type, cacheTtl}, or anything else as the type string (as workerd converts it). */
function kvGetOptions(options) {
  let type, cacheTtl;
  if (options === undefined || options === null) return {};
  if (typeof options !== "object" && typeof options !== "function") type = toDOMString(options);
  else {
    if (options.type !== undefined) type = toDOMString(options.type);
    if (options.cacheTtl !== undefined) cacheTtl = kvInt(options.cacheTtl);
  }
  return { type, cacheTtl };
}

function kvCheckCacheTtl(method, cacheTtl) {
  if (cacheTtl !== undefined && cacheTtl < 30) {
    throw new Error(`KV ${method} failed: 400 Invalid cache_ttl of ${cacheTtl}. Cache TTL must be at least 30.`);
  }
}

const KV_TYPES = new Set(["text", "json", "arrayBuffer", "stream"]);

function kvUnknownType() {
  return new TypeError("Unknown response type. Possible types are \"text\", \"arrayBuffer\", \"json\", and \"stream\".");
}

/** The method the host serves for a type; an unknown type still looks the key up (workerd fails only when it exists). */
function kvHostMethod(prefix, type) {
  switch (type) {
    case "arrayBuffer": return `${prefix}.bytes`;
    case "stream": return `${prefix}.stream`;
    default: return `${prefix}.text`;
  }
}

function kvDecode(type, result) {
  if (result.stream !== null) return result.stream;
  let value;
  if (result.bytes === null) value = result.text;
  else if (type === "arrayBuffer") return result.bytes.buffer;
  else value = utf8Decode(result.bytes, false, true);
  if (type === "json") return JSON.parse(value);
  if (!KV_TYPES.has(type)) throw kvUnknownType();
  return value;
}

async function kvGetOne(st, name, options, withMetadata) {
  name = toDOMString(name);
  const { type = "text", cacheTtl } = kvGetOptions(options);
  kvValidateKeyName("GET", name);
  kvCheckCacheTtl("GET", cacheTtl);
  const result = await callBinding(st.index, kvHostMethod(withMetadata ? "getm" : "get", type), name);
  const found = result.text !== null || result.bytes !== null || result.stream !== null;
  if (!withMetadata) return found ? kvDecode(type, result) : null;
  if (!found) return { value: null, metadata: null, cacheStatus: null };
  const metadata = JSON.parse(result.text);
  return { value: kvDecode(type, { text: null, bytes: result.bytes, stream: result.stream }), metadata, cacheStatus: null };
}

async function kvGetBulk(st, names, options, withMetadata) {
  const keys = Array.from(names, (n) => toDOMString(n));
  const { type, cacheTtl } = kvGetOptions(options);
  const args = { keys };
  if (type !== undefined && type !== "") args.type = type;
  if (withMetadata) args.withMetadata = true;
  if (cacheTtl !== undefined) args.cacheTtl = String(cacheTtl);
  const result = await callBinding(st.index, "bulk", JSON.stringify(args));
  return new Map(Object.entries(JSON.parse(result.text)));
}

// Named as workerd names it; methods in workerd's order (get, list, put, getWithMetadata, delete).
class KvNamespace {
  constructor() { throw new TypeError("Illegal constructor"); }

  get(name, options = undefined) {
    const st = kvState(this);
    if (name === undefined) throw kvParameterError("get", 1, "string or Array");
    return Array.isArray(name) ? kvGetBulk(st, name, options, false) : kvGetOne(st, name, options, false);
  }

  async list(options = undefined) {
    const st = kvState(this);
    const args = {};
    if (options !== undefined && options !== null) {
      if (typeof options !== "object" && typeof options !== "function") throw kvParameterError("list", 1, "ListOptions");
      // workerd sends only a positive limit; 0 or less means "the default".
      if (options.limit !== undefined) { const limit = kvInt(options.limit); if (limit > 0) args.limit = limit; }
      if (options.prefix !== undefined && options.prefix !== null) args.prefix = toDOMString(options.prefix);
      if (options.cursor !== undefined && options.cursor !== null) args.cursor = toDOMString(options.cursor);
    }
    const result = await callBinding(st.index, "list", JSON.stringify(args));
    return JSON.parse(result.text);
  }

  async put(name, value, options = undefined) {
    const st = kvState(this);
    if (name === undefined) throw kvParameterError("put", 1, "string");
    name = toDOMString(name);
    let bytes = null, stream = null, valueBytes = -1;
    if (value === undefined) throw kvParameterError("put", 2, "string or Object");
    if (value !== null && (typeof value === "object" || typeof value === "function")) {
      if (value instanceof ReadableStream) stream = value;
      else if (isBufferSource(value)) {
        if (value.byteLength > KV_MAX_VALUE_BYTES) valueBytes = value.byteLength;
        else bytes = bytesCopy(value);
      } else throw new TypeError(KV_PUT_TYPES);
    } else {
      const text = toDOMString(value);
      // More UTF-16 units than the limit means more UTF-8 bytes too.
      if (text.length > KV_MAX_VALUE_BYTES) valueBytes = utf8ByteLength(text);
      else bytes = utf8Encode(text);
    }
    const args = { key: name };
    if (options !== undefined && options !== null) {
      if (typeof options !== "object" && typeof options !== "function") throw kvParameterError("put", 3, "PutOptions");
      if (options.expiration !== undefined) args.expiration = kvInt(options.expiration);
      if (options.expirationTtl !== undefined) args.expirationTtl = kvInt(options.expirationTtl);
      if (options.metadata !== undefined && options.metadata !== null) {
        const metadata = JSON.stringify(options.metadata);
        if (metadata !== undefined && metadata.length > KV_MAX_METADATA_BYTES) args.metadataBytes = utf8ByteLength(metadata);
        else args.metadata = metadata;
      }
    }
    if (valueBytes >= 0) args.valueBytes = valueBytes;
    kvValidateKeyName("PUT", name);
    if (stream !== null) {
      if (stream.locked) throw new TypeError("This ReadableStream is currently locked to a reader.");
      await callBinding(st.index, "put", JSON.stringify(args), null, stream);
    } else {
      await callBinding(st.index, "put", JSON.stringify(args), bytes);
    }
  }

  getWithMetadata(name, options = undefined) {
    const st = kvState(this);
    if (name === undefined) throw kvParameterError("getWithMetadata", 1, "string or Array");
    return Array.isArray(name) ? kvGetBulk(st, name, options, true) : kvGetOne(st, name, options, true);
  }

  delete(name) {
    const st = kvState(this);
    if (name === undefined) throw kvParameterError("delete", 1, "string");
    name = toDOMString(name);
    return (async () => {
      kvValidateKeyName("DELETE", name);
      await callBinding(st.index, "delete", name);
    })();
  }
}
webidlInterface(KvNamespace);

function kvState(kv) {
  const st = kv?.[kState];
  if (st === undefined || !(kv instanceof KvNamespace)) throw illegalInvocation();
  return st;
}

registerBindingKind("kv", (descriptor) => {
  const kv = Object.create(KvNamespace.prototype);
  kv[kState] = { index: descriptor.index };
  return kv;
});
