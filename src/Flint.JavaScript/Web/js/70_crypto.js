// crypto: getRandomValues and randomUUID, crypto.subtle (W3C Web Crypto), CryptoKey, and
// Cloudflare's crypto.subtle.timingSafeEqual and crypto.DigestStream.
//
// Everything Web IDL lives here: dictionaries, usages, JWK, CryptoKey objects, and the order in
// which workerd checks them (its error names and messages are matched, and the tests run on
// both). The crypto itself runs in the host (Web/Crypto/CryptoOps.cs), one op call per
// operation, with numbers for arguments: bytes travel through a scratch buffer (see "byte
// arguments"). Secret keys keep their bytes in a private field of the CryptoKey; asymmetric keys,
// HMAC contexts and running digests live in a per-isolate host table, and script holds only
// their handles. A failing op returns -1, and ops.cryptoLastError() says why.

const INTEGER_ARRAYS = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, BigInt64Array, BigUint64Array];

class Crypto {
  constructor() { throw new TypeError("Illegal constructor"); }
  getRandomValues(array) {
    requiredArguments(arguments.length, 1, "getRandomValues");
    requireHandlerScope();
    if (!INTEGER_ARRAYS.some((T) => array instanceof T)) {
      throw new DOMException("The data argument must be an integer-type TypedArray", "TypeMismatchError");
    }
    if (array.byteLength > 65536) {
      throw new DOMException(`The ArrayBufferView's byte length (${array.byteLength}) exceeds the number of bytes of entropy available via this API (65536)`, "QuotaExceededError");
    }
    if (array.byteLength > 0) ops.randomFill(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
    return array;
  }
  randomUUID() {
    requireHandlerScope();
    return ops.randomUUID();
  }
}
webidlInterface(Crypto);
const flintCrypto = Object.create(Crypto.prototype);
defineGlobal("Crypto", Crypto);
defineGlobal("crypto", flintCrypto);

// In a function, so the many helpers below stay out of the other built-in files' way, run only
// when a Worker first uses crypto.subtle, CryptoKey, SubtleCrypto or DigestStream (defineLazy).
defineLazy([[globalThis, "CryptoKey", false], [globalThis, "SubtleCrypto", false],
  [Crypto.prototype, "subtle", true], [Crypto.prototype, "DigestStream", true]], () => {
  // ---- host ops and their errors ---------------------------------------------------------------

  /** The error of the op that just returned -1. */
  function opError() {
    const text = ops.cryptoLastError();
    const newline = text.indexOf("\n");
    return hostError(text.slice(newline + 1), text.slice(0, newline));
  }

  function checked(result) {
    if (result < 0) throw opError();
    return result;
  }

  /** Takes the output a host op left behind (exports, RSA facts). */
  function takeOutput(length) {
    const out = new Uint8Array(checked(length));
    ops.cryptoTakeOutput(out);
    return out;
  }

  const transferBuffer = ArrayBuffer.prototype.transfer;

  /** The first `length` bytes of `out` as an ArrayBuffer of exactly that size. */
  function resultBuffer(out, length) {
    return length === out.byteLength ? out.buffer : transferBuffer.call(out.buffer, length);
  }

  // ---- byte arguments --------------------------------------------------------------------------
  // ClearScript spends microseconds on each object argument of a host call: more than an HMAC
  // of a kilobyte takes. So bytes travel through one scratch buffer the host registered once:
  // input(view) copies a view in and returns the int the host finds it by (offset << 16 |
  // length), output(n) reserves room for a result, and result(where, n) copies it out. What does
  // not fit goes as the Uint8Array itself. Each op call starts with staged(); ops never call
  // back into script, so nothing else uses the buffer meanwhile.
  const SCRATCH_SIZE = 32768;
  const scratch = new Uint8Array(new ArrayBuffer(SCRATCH_SIZE));
  ops.cryptoScratch(scratch);
  let scratchUsed = 0;

  function staged() {
    scratchUsed = 0;
  }

  function input(view) {
    if (view === null || view === undefined) return null;
    const n = view.length;
    if (n > SCRATCH_SIZE - scratchUsed) return view;
    scratch.set(view, scratchUsed);
    const where = scratchUsed * 65536 + n;
    scratchUsed += n;
    return where;
  }

  function output(n) {
    if (n > SCRATCH_SIZE - scratchUsed) return new Uint8Array(n);
    const where = scratchUsed * 65536 + n;
    scratchUsed += n;
    return where;
  }

  /** The first `n` bytes of an output, as a new ArrayBuffer. */
  function result(where, n) {
    if (typeof where !== "number") return resultBuffer(where, n);
    const offset = where >>> 16;
    return scratch.slice(offset, offset + n).buffer;
  }

  const domError = (name, message) => new DOMException(message, name);
  const notSupported = (message) => domError("NotSupportedError", message);
  const operationError = (message) => domError("OperationError", message);
  const dataError = (message) => domError("DataError", message);
  const invalidAccess = (message) => domError("InvalidAccessError", message);
  const syntaxError = (message) => domError("SyntaxError", message);

  // Handles of host objects are released when script can no longer reach their owner. V8 runs
  // FinalizationRegistry callbacks as tasks of its own, outside the isolate's event loop (and
  // possibly while it is being torn down), so the callback only queues the handle; the release
  // crosses to the host the next time a handle is made, inside an ordinary turn.
  const releasedHandles = [];
  const finalizer = new FinalizationRegistry((handle) => { releasedHandles.push(handle); });
  const handleRegistry = {
    register(owner, handle, token = undefined) {
      while (releasedHandles.length > 0) ops.cryptoRelease(releasedHandles.pop());
      finalizer.register(owner, handle, token);
    },
    unregister(token) { return finalizer.unregister(token); },
  };

  // ---- names ---------------------------------------------------------------------------------

  /** Upper case for ASCII only: names compare like strcasecmp, so "ſ" is not "S". */
  function asciiUpper(s) {
    // eslint-disable-next-line no-control-regex
    return /[^\x00-\x7f]/.test(s) ? s : s.toUpperCase();
  }

  const HASHES = new Map([
    ["SHA-1", { name: "SHA-1", id: 1, size: 20, block: 64 }],
    ["SHA-256", { name: "SHA-256", id: 2, size: 32, block: 64 }],
    ["SHA-384", { name: "SHA-384", id: 3, size: 48, block: 128 }],
    ["SHA-512", { name: "SHA-512", id: 4, size: 64, block: 128 }],
    // Not Web Crypto, but workerd offers MD5 rather than push people to JavaScript copies of it.
    ["MD5", { name: "MD5", id: 5, size: 16, block: 64 }],
  ]);

  function lookupHash(name) {
    const hash = HASHES.get(name) ?? HASHES.get(asciiUpper(name));
    if (hash === undefined) throw notSupported("Unrecognized or unimplemented digest algorithm requested.");
    return hash;
  }

  const CANONICAL_NAMES = ["AES-CTR", "AES-CBC", "AES-GCM", "AES-KW", "HMAC", "PBKDF2", "HKDF", "RSASSA-PKCS1-v1_5",
    "RSA-PSS", "RSA-OAEP", "ECDSA", "ECDH", "NODE-ED25519", "Ed25519", "X25519"];
  // Keyed by upper case, and by the canonical spelling so the usual case skips asciiUpper.
  const ALGORITHM_NAMES = new Map([...CANONICAL_NAMES.map((n) => [asciiUpper(n), n]), ...CANONICAL_NAMES.map((n) => [n, n])]);

  const canonicalName = (name) => ALGORITHM_NAMES.get(name) ?? ALGORITHM_NAMES.get(asciiUpper(name));

  const CURVES = new Map([
    ["P-256", { name: "P-256", id: 1, size: 32 }],
    ["P-384", { name: "P-384", id: 2, size: 48 }],
    ["P-521", { name: "P-521", id: 3, size: 66 }],
  ]);

  function lookupCurve(name) {
    const curve = CURVES.get(asciiUpper(name));
    if (curve === undefined) throw notSupported(`Unrecognized or unimplemented EC curve "${name}" requested.`);
    return curve;
  }

  // Host ids (AsymmetricKeys.cs).
  const KIND = { RSA: 1, ECDSA: 2, ECDH: 3, ED25519: 4, X25519: 5 };
  const FORMAT = { raw: 1, spki: 2, pkcs8: 3, jwkPublic: 4, jwkPrivate: 5 };
  const SIGN = { pkcs1: 1, pss: 2, ecdsa: 3, ed25519: 4 };
  const AES_MODE = { "AES-GCM": 1, "AES-CBC": 2, "AES-CTR": 3, "AES-KW": 4 };

  // ---- usages --------------------------------------------------------------------------------

  const USAGE_NAMES = ["encrypt", "decrypt", "sign", "verify", "deriveKey", "deriveBits", "wrapKey", "unwrapKey"];
  const U = { encrypt: 1, decrypt: 2, sign: 4, verify: 8, deriveKey: 16, deriveBits: 32, wrapKey: 64, unwrapKey: 128 };
  const PUBLIC_MASK = U.encrypt | U.verify | U.wrapKey;
  const PRIVATE_MASK = U.decrypt | U.sign | U.unwrapKey | U.deriveKey | U.deriveBits;
  const DERIVE_MASK = U.deriveKey | U.deriveBits;

  function usageBit(name) {
    const i = USAGE_NAMES.indexOf(name);
    return i < 0 ? 0 : 1 << i;
  }

  /** Checks requested usages against what the key may do; returns them as bits. */
  function validateUsages(name, context, usages, mask) {
    let bits = 0;
    for (const usage of usages) {
      const bit = usageBit(usage);
      if (bit === 0 || (bit & mask) === 0) throw syntaxError(`Attempt to ${context} ${name} key with invalid usage "${usage}".`);
      bits |= bit;
    }
    return bits;
  }

  function usageList(bits) {
    const list = [];
    for (let i = 0; i < USAGE_NAMES.length; i++) if (bits & (1 << i)) list.push(USAGE_NAMES[i]);
    return list;
  }

  // ---- CryptoKey -----------------------------------------------------------------------------

  const kCreateKey = Symbol("flint.cryptoKey");
  let keyState;

  class CryptoKey {
    #state;
    constructor(token, state) {
      if (token !== kCreateKey) throw new TypeError("Illegal constructor");
      this.#state = state;
      // workerd makes these read-only own data properties, in this order.
      const fixed = { writable: false, enumerable: true, configurable: true };
      Object.defineProperty(this, "usages", { ...fixed, value: usageList(state.usages) });
      Object.defineProperty(this, "algorithm", { ...fixed, value: state.algorithm });
      Object.defineProperty(this, "extractable", { ...fixed, value: state.extractable });
      Object.defineProperty(this, "type", { ...fixed, value: state.type });
    }
    static {
      keyState = (key) => (typeof key === "object" && key !== null && #state in key ? key.#state : undefined);
    }
  }
  webidlInterface(CryptoKey);
  defineGlobal("CryptoKey", CryptoKey);

  /**
   * state: { name, type, extractable, usages (bits), algorithm (object), variant (workerd's
   * KeyAlgorithm kind), and secret (Uint8Array) or handle (host id), plus per-algorithm facts }.
   */
  function newKey(state) {
    const key = new CryptoKey(kCreateKey, state);
    if (state.handle !== undefined) handleRegistry.register(key, state.handle);
    return key;
  }

  function requireKey(value, method, index) {
    const state = keyState(value);
    if (state === undefined) throw argumentType(method, index, "CryptoKey");
    return state;
  }

  /** workerd's check that the key fits the requested algorithm and usage. */
  function validateOperation(key, requestedName, usage) {
    if (requestedName !== key.name && asciiUpper(requestedName) !== asciiUpper(key.name)) {
      throw invalidAccess(`Requested algorithm "${requestedName}" does not match this CryptoKey's algorithm "${key.name}".`);
    }
    if ((key.usages & usage) === 0) {
      throw invalidAccess(`Requested key usage "${usageList(usage)[0]}" does not match any usage listed in this CryptoKey.`);
    }
  }

  // ---- Web IDL conversions, with workerd's messages --------------------------------------------

  const argumentType = (method, index, type) =>
    new TypeError(`Failed to execute '${method}' on 'SubtleCrypto': parameter ${index} is not of type '${type}'.`);
  const fieldType = (field, dict, type) =>
    new TypeError(`Incorrect type for the '${field}' field on '${dict}': the provided value is not of type '${type}'.`);
  const nullDictionary = (dict) =>
    new TypeError(`Cannot initialize N7workerd3api12SubtleCrypto${dict.length}${dict}E with required members from an undefined or null value.`);
  const missing = (field, where = "algorithm") => new TypeError(`Missing field "${field}" in "${where}".`);

  function toText(value) {
    if (typeof value === "symbol") throw new TypeError("Cannot convert a Symbol value to a string");
    return String(value);
  }

  const toInt = (value) => Number(value) | 0;

  function bufferView(value) {
    if (value instanceof Uint8Array) return value;
    if (value instanceof ArrayBuffer) return new Uint8Array(value);
    if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    if (typeof SharedArrayBuffer === "function" && value instanceof SharedArrayBuffer) return new Uint8Array(value);
    return undefined;
  }

  function bufferArgument(args, index, method) {
    const view = bufferView(args[index]);
    if (view === undefined) throw argumentType(method, index + 1, "BufferSource");
    return view;
  }

  function keyUsagesArgument(args, index, method) {
    const value = args[index];
    if (!Array.isArray(value)) throw argumentType(method, index + 1, "Array");
    return value.map(toText);
  }

  function booleanArgument(args, index, method) {
    if (args.length <= index) throw argumentType(method, index + 1, "boolean");
    return Boolean(args[index]);
  }

  function stringArgument(args, index, method) {
    if (args.length <= index) throw argumentType(method, index + 1, "string");
    return toText(args[index]);
  }

  // Dictionary members by converter; workerd reads them in this order.
  const MEMBER = {
    text: (v) => toText(v),
    int: (v) => toInt(v),
    bool: (v) => Boolean(v),
    buffer: (v, field, dict) => {
      const view = bufferView(v);
      if (view === undefined) throw fieldType(field, dict, "BufferSource");
      return view;
    },
    hash: (v) => {
      if (typeof v === "object" || typeof v === "function") {
        if (v === null) throw nullDictionary("HashAlgorithm");
        return toText(v.name);
      }
      return toText(v);
    },
    key: (v, field, dict) => {
      const state = keyState(v);
      if (state === undefined) throw fieldType(field, dict, "CryptoKey");
      return state;
    },
  };

  const DICTIONARIES = {
    HashAlgorithm: [["name", "text"]],
    EncryptAlgorithm: [["name", "text"], ["iv", "buffer"], ["additionalData", "buffer"], ["tagLength", "int"],
      ["counter", "buffer"], ["length", "int"], ["label", "buffer"]],
    SignAlgorithm: [["name", "text"], ["hash", "hash"], ["dataLength", "int"], ["saltLength", "int"]],
    GenerateKeyAlgorithm: [["name", "text"], ["hash", "hash"], ["modulusLength", "int"], ["publicExponent", "buffer"],
      ["length", "int"], ["namedCurve", "text"]],
    ImportKeyAlgorithm: [["name", "text"], ["hash", "hash"], ["length", "int"], ["namedCurve", "text"], ["compressed", "bool"]],
    DeriveKeyAlgorithm: [["name", "text"], ["salt", "buffer"], ["iterations", "int"], ["hash", "hash"], ["public", "key"], ["info", "buffer"]],
  };

  function dictionary(value, dict) {
    const result = {};
    for (const [field, kind] of DICTIONARIES[dict]) {
      const v = value[field];
      if (v !== undefined) result[field] = MEMBER[kind](v, field, dict);
    }
    if (result.name === undefined) result.name = "undefined";
    return result;
  }

  /** An AlgorithmIdentifier argument: a name, or a dictionary of the given type. */
  function algorithmArgument(args, index, method, dict) {
    if (args.length <= index) throw argumentType(method, index + 1, `string or ${dict}`);
    const value = args[index];
    if (typeof value === "string") return { name: value };
    if (value === null || value === undefined) throw nullDictionary(dict);
    if (typeof value === "object" || typeof value === "function") return dictionary(value, dict);
    return { name: toText(value) };
  }

  const JWK_MEMBERS = ["kty", "use", "key_ops", "alg", "ext", "crv", "x", "y", "d", "n", "e", "p", "q", "dp", "dq", "qi", "oth", "k"];

  function jsonWebKey(value) {
    const jwk = {};
    for (const field of JWK_MEMBERS) {
      const v = value[field];
      if (v === undefined) continue;
      if (field === "key_ops" || field === "oth") {
        if (!Array.isArray(v)) throw fieldType(field, "JsonWebKey", "Array");
        jwk[field] = field === "key_ops" ? v.map(toText) : v;
      } else if (field === "ext") {
        jwk.ext = Boolean(v);
      } else {
        jwk[field] = toText(v);
      }
    }
    if (jwk.kty === undefined) jwk.kty = "undefined";
    return jwk;
  }

  /** importKey's keyData: a buffer view, or a JWK (marked so). */
  function keyDataArgument(args, index) {
    const value = args[index];
    const view = bufferView(value);
    if (view !== undefined) return { bytes: view };
    if (value === null || (value === undefined && args.length > index)) throw nullDictionary("JsonWebKey");
    if (typeof value !== "object") throw argumentType("importKey", index + 1, "BufferSource or JsonWebKey");
    return { jwk: jsonWebKey(value) };
  }

  // ---- base64url -----------------------------------------------------------------------------

  const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const B64_VALUES = new Int8Array(128).fill(-1);
  for (let i = 0; i < 64; i++) B64_VALUES[B64URL.charCodeAt(i)] = i;
  B64_VALUES[0x2b] = 62; // "+" and "/" too: workerd maps the URL alphabet onto the standard one
  B64_VALUES[0x2f] = 63;

  function base64UrlEncode(bytes) {
    let out = "";
    let i = 0;
    for (; i + 2 < bytes.length; i += 3) {
      const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
      out += B64URL[n >> 18] + B64URL[(n >> 12) & 63] + B64URL[(n >> 6) & 63] + B64URL[n & 63];
    }
    if (i < bytes.length) {
      const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8);
      out += B64URL[n >> 18] + B64URL[(n >> 12) & 63];
      if (i + 1 < bytes.length) out += B64URL[(n >> 6) & 63];
    }
    return out;
  }

  /** Decodes base64url (padding optional); undefined when the text is not base64. */
  function base64UrlDecode(text) {
    if (typeof text !== "string") return undefined;
    let end = text.length;
    while (end > 0 && text.charCodeAt(end - 1) === 0x3d) end--;
    if (end % 4 === 1 || text.length - end > 2) return undefined;
    const out = new Uint8Array(Math.floor(end * 3 / 4));
    let bits = 0, value = 0, n = 0;
    for (let i = 0; i < end; i++) {
      const c = text.charCodeAt(i);
      const v = c < 128 ? B64_VALUES[c] : -1;
      if (v < 0) return undefined;
      value = (value << 6) | v;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out[n++] = (value >> bits) & 0xff;
      }
    }
    return out;
  }

  // ---- packed key components (AsymmetricKeys.Pack/Unpack) --------------------------------------

  function packComponents(parts) {
    let total = 0;
    for (const p of parts) total += 2 + (p === undefined ? 0 : p.length);
    const out = new Uint8Array(total);
    let offset = 0;
    for (const p of parts) {
      const length = p === undefined ? 0xffff : p.length;
      out[offset++] = length >> 8;
      out[offset++] = length & 0xff;
      if (p !== undefined) { out.set(p, offset); offset += p.length; }
    }
    return out;
  }

  function unpackComponents(packed) {
    const parts = [];
    let offset = 0;
    while (offset + 2 <= packed.length) {
      const length = (packed[offset] << 8) | packed[offset + 1];
      offset += 2;
      if (length === 0xffff) { parts.push(undefined); continue; }
      parts.push(packed.subarray(offset, offset + length));
      offset += length;
    }
    return parts;
  }

  // ---- secret keys: AES, HMAC, PBKDF2, HKDF ---------------------------------------------------

  const AES_LENGTHS = [128, 192, 256];

  function aesUsages(context, name, usages) {
    let mask = U.wrapKey | U.unwrapKey;
    if (name !== "AES-KW") mask |= U.encrypt | U.decrypt;
    return validateUsages(name, context, usages, mask);
  }

  function aesKey(name, bytes, extractable, usages) {
    return newKey({ name, type: "secret", extractable, usages, variant: "aes", secret: bytes,
      algorithm: { name, length: bytes.length * 8 } });
  }

  function generateAes(name, alg, extractable, usages) {
    const bits = aesUsages("generate", name, usages);
    if (alg.length === undefined) throw missing("length");
    if (!AES_LENGTHS.includes(alg.length)) {
      throw operationError(`Generated AES key length must be 128, 192, or 256 bits but requested ${alg.length}.`);
    }
    const bytes = new Uint8Array(alg.length / 8);
    ops.randomFill(bytes);
    return aesKey(name, bytes, extractable, bits);
  }

  function checkSymmetricKeyOps(jwk, usages) {
    if (jwk.key_ops === undefined) return;
    const sorted = [...jwk.key_ops].sort();
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i] === sorted[i - 1]) throw dataError(`Symmetric "jwk" key contains duplicate value "${sorted[i]}", in "key_op".`);
    }
    for (const usage of usages) {
      if (!sorted.includes(usage)) throw dataError(`"jwk" key missing usage "${usage}", in "key_ops".`);
    }
  }

  function importAes(name, format, data, alg, extractable, usages) {
    const bits = aesUsages("import secret", name, usages);
    let bytes;
    if (format === "raw") {
      bytes = data.bytes;
      if (!AES_LENGTHS.includes(bytes.length * 8)) {
        throw dataError(`Imported AES key length must be 128, 192, or 256 bits but provided ${bytes.length * 8}.`);
      }
    } else if (format === "jwk") {
      const jwk = data.jwk;
      const mode = name.slice(4);
      if (jwk.kty !== "oct") {
        throw dataError(`Symmetric "jwk" key import requires a JSON Web Key with Key Type parameter "kty" equal to "oct" (encountered "${jwk.kty}").`);
      }
      bytes = base64UrlDecode(jwk.k);
      if (bytes === undefined) throw dataError(`Symmetric "jwk" key import requires a base64Url encoding of the key.`);
      if (!AES_LENGTHS.includes(bytes.length * 8)) {
        throw dataError(`Imported AES key length must be 128, 192, or 256 bits but provided ${bytes.length * 8}.`);
      }
      const expected = `A${bytes.length * 8}${mode}`;
      if (jwk.alg !== undefined && jwk.alg !== expected) {
        throw dataError(`Symmetric "jwk" key contains invalid "alg" value "${jwk.alg}", expected "${expected}".`);
      }
      if (usages.length > 0 && jwk.use !== undefined && jwk.use !== "enc") {
        throw dataError(`Symmetric "jwk" key must have a "use" of "enc", not "${jwk.use}".`);
      }
      checkSymmetricKeyOps(jwk, usages);
    } else {
      throw notSupported(`Unrecognized key import format "${format}".`);
    }
    return aesKey(name, bytes.slice(), extractable, bits);
  }

  /** Keeps only the first `length` bits of a key, as workerd does for HMAC keys. */
  function zeroTrailingBits(bytes, length) {
    const extra = bytes.length * 8 - length;
    if (extra > 0) bytes[bytes.length - 1] &= (0xff << extra) & 0xff;
    return bytes;
  }

  function hmacKey(bytes, hash, length, extractable, usages) {
    return newKey({ name: "HMAC", type: "secret", extractable, usages, variant: "hmac", secret: bytes, hash, uses: 0, context: undefined,
      algorithm: { name: "HMAC", hash: { name: hash.name }, length } });
  }

  function generateHmac(alg, extractable, usages) {
    if (alg.hash === undefined) throw missing("hash");
    const hash = lookupHash(alg.hash);
    const bits = validateUsages("HMAC", "generate", usages, U.sign | U.verify);
    const length = alg.length === undefined ? hash.block * 8 : alg.length;
    if (length <= 0) throw operationError(`HMAC key length must be a non-zero unsigned long integer (requested ${length}).`);
    const bytes = new Uint8Array(Math.ceil(length / 8));
    ops.randomFill(bytes);
    return hmacKey(zeroTrailingBits(bytes, length), hash, length, extractable, bits);
  }

  function importHmac(format, data, alg, extractable, usages) {
    const bits = validateUsages("HMAC", "import secret", usages, U.sign | U.verify);
    if (alg.hash === undefined) throw missing("hash");
    let bytes;
    if (format === "raw") {
      bytes = data.bytes.slice();
    } else if (format === "jwk") {
      const jwk = data.jwk;
      if (jwk.kty !== "oct") {
        throw dataError(`HMAC "jwk" key import requires a JSON Web Key with Key Type parameter ("kty") equal to "oct" (encountered "${jwk.kty}").`);
      }
      bytes = base64UrlDecode(jwk.k);
      if (bytes === undefined) throw dataError(`HMAC "jwk" key import requires a base64Url encoding of the key`);
      if (jwk.alg !== undefined) {
        // workerd compares against the hash name as given, not normalized.
        if (!alg.hash.startsWith("SHA-")) throw notSupported(`Unrecognized or unimplemented hash algorithm requested${jwk.alg}`);
        const expected = `HS${alg.hash.slice(4)}`;
        if (jwk.alg !== expected) {
          throw dataError(`HMAC "jwk" key import specifies "alg" that is incompatible with the hash name (encountered "${jwk.alg}", expected "${expected}").`);
        }
      }
    } else {
      throw notSupported(`Unrecognized key import format "${format}".`);
    }
    const size = bytes.length * 8;
    const length = alg.length === undefined ? size : alg.length;
    if (length === 0 || length > size || length <= size - 8) {
      throw dataError(`Imported HMAC key length (${length}) must be a non-zero value up to 7 bits less than, and no greater than, the bit length of the raw key data (${size}).`);
    }
    const hash = lookupHash(alg.hash);
    return hmacKey(zeroTrailingBits(bytes, length), hash, length, extractable, bits);
  }

  function importKdfKey(name, format, data, extractable, usages) {
    const bits = validateUsages(name, "import secret", usages, DERIVE_MASK);
    if (extractable) throw syntaxError(`${name} key cannot be extractable.`);
    if (format !== "raw") {
      throw notSupported(name === "PBKDF2"
        ? `PBKDF2 key must be imported in "raw" format (requested "${format}").`
        : `HKDF key must be imported in "raw" format (requested "${format}")`);
    }
    return newKey({ name, type: "secret", extractable, usages: bits, variant: "plain", secret: data.bytes.slice(), algorithm: { name } });
  }

  // ---- asymmetric keys -----------------------------------------------------------------------

  function asymmetricKey(name, type, extractable, usages, handle, algorithm, facts) {
    const variant = name === "ECDSA" || name === "ECDH" || name === "NODE-ED25519" ? "elliptic"
      : name.startsWith("RSA") ? "rsa" : "plain";
    return newKey({ name, type, extractable, usages, variant, handle, algorithm, ...facts });
  }

  /** RSA facts from the host: modulus length in bits and the public exponent. */
  function rsaFacts(handle) {
    const info = takeOutput(ops.cryptoRsaInfo(handle));
    return { modulusLength: (info[0] << 8) | info[1], publicExponent: info.slice(2) };
  }

  /** workerd's RSA parameter rules (with its strict checks, on since 2023). */
  function validateRsaParams(modulusLength, exponent, isImport) {
    if (modulusLength % 8 !== 0 || modulusLength < 256 || modulusLength > 16384) {
      throw operationError(`The modulus length must be a multiple of 8 and between 256 and 16k, but ${modulusLength} was requested.`);
    }
    let value = 0;
    for (let i = 0; i < exponent.length; i++) {
      const shift = exponent.length - i - 1;
      // Mirrors workerd's byte-position test for "larger than 2^32".
      if (shift >= 4 && exponent[i] !== 0) {
        throw operationError(`The "publicExponent" must be either 3 or 65537, but got a number larger than 2^32.`);
      }
      value += exponent[i] * 2 ** (8 * shift);
    }
    if (!isImport && value !== 3 && value !== 65537) {
      throw operationError(`The "publicExponent" must be either 3 or 65537, but got ${value}.`);
    }
    if (isImport && ![3, 17, 37, 65537].includes(value)) throw operationError(`Imported RSA key has invalid publicExponent ${value}.`);
  }

  const RSA_JWK_HASHES = new Map([["RS1", "SHA-1"], ["RS256", "SHA-256"], ["RS384", "SHA-384"], ["RS512", "SHA-512"],
    ["PS1", "SHA-1"], ["PS256", "SHA-256"], ["PS384", "SHA-384"], ["PS512", "SHA-512"],
    ["RSA-OAEP", "SHA-1"], ["RSA-OAEP-256", "SHA-256"], ["RSA-OAEP-384", "SHA-384"], ["RSA-OAEP-512", "SHA-512"]]);

  function rsaUsageMask(name) {
    return name === "RSA-OAEP" ? U.encrypt | U.decrypt | U.wrapKey | U.unwrapKey : U.sign | U.verify;
  }

  /** workerd's JWK use/key_ops/ext checks for asymmetric keys; returns the usage bits. */
  function asymmetricJwkUsages(name, jwk, usages, allowed, extractable) {
    let bits;
    if (jwk.d !== undefined) {
      bits = validateUsages(name, "import private", usages, allowed & PRIVATE_MASK);
      if (jwk.oth !== undefined) throw notSupported("Multi-prime private keys not supported.");
    } else {
      bits = validateUsages(name, "import public", usages, allowed & (name === "ECDH" ? 0 : PUBLIC_MASK));
    }
    const [expectedUse, op0, op1] = name === "RSA-OAEP" ? ["enc", "encrypt", "wrapKey"]
      : name === "ECDH" || name === "X25519" ? ["enc", "unused", "unused"] : ["sig", "sign", "verify"];
    if (usages.length > 0 && jwk.use !== undefined && jwk.use !== expectedUse) {
      throw dataError(`Asymmetric "jwk" key import with usages requires a JSON Web Key with Public Key Use parameter "use" ("${jwk.use}") equal to "sig".`);
    }
    if (jwk.key_ops !== undefined) {
      const keyOps = [...jwk.key_ops].sort();
      for (let i = 1; i < keyOps.length; i++) {
        if (keyOps[i] === keyOps[i - 1]) throw dataError(`A JSON Web Key's Key Operations parameter ("key_ops") must not contain duplicates.`);
      }
      if (jwk.use !== undefined) {
        if (jwk.use !== expectedUse) {
          throw dataError(`Asymmetric "jwk" import requires a JSON Web Key with Public Key Use "use" ("${jwk.use}") equal to "${expectedUse}".`);
        }
        for (const op of keyOps) {
          if (name === "ECDH" || name === "X25519") {
            throw dataError(`A JSON Web Key should have either a Public Key Use parameter ("use") or a Key Operations parameter ("key_ops"); otherwise, the parameters must be consistent with each other. For public ${name} keys, there are no valid usages,so keys with a non-empty "key_ops" parameter are not allowed.`);
          }
          if (op !== op0 && op !== op1) {
            throw dataError(`A JSON Web Key should have either a Public Key Use parameter ("use") or a Key Operations parameter ("key_ops"); otherwise, the parameters must be consistent with each other. A Public Key Use for ${name} would allow a Key Operations array with only "${op0}" and/or "${op1}" values (not "${op}").`);
          }
        }
      }
      if (usages.length > 0) {
        const missingOps = dataError(`All specified key usages must be present in the JSON Web Key's Key Operations parameter ("key_ops").`);
        if (!keyOps.includes(usages[0])) throw missingOps;
        // workerd checks the first usage and the one after its last repetition.
        const second = usages[usages.lastIndexOf(usages[0]) + 1];
        if (second !== undefined && !keyOps.includes(second)) throw missingOps;
      }
    }
    if (jwk.ext === false && extractable) throw dataError("Cannot create an extractable CryptoKey from an unextractable JSON Web Key.");
    return bits;
  }

  /** Usages for an spki/pkcs8 import: checked, as in workerd, after the DER parses and before the key's type. */
  function derUsages(name, format, usages, allowed, bytes) {
    staged();
    checked(ops.cryptoCheckDer(format === "pkcs8", input(bytes)));
    if (format === "pkcs8") return validateUsages(name, "import private", usages, allowed & PRIVATE_MASK);
    return validateUsages(name, "import public", usages, allowed & (name === "ECDH" ? 0 : PUBLIC_MASK));
  }

  function decodeJwkMember(value, message) {
    const bytes = base64UrlDecode(value);
    if (bytes === undefined) throw dataError(message);
    return bytes;
  }

  function importRsa(name, format, data, alg, extractable, usages) {
    if (alg.hash === undefined) throw missing("hash");
    const allowed = rsaUsageMask(name);
    const hash = lookupHash(alg.hash);
    let bits, type, hostFormat, bytes;
    if (format === "jwk") {
      const jwk = data.jwk;
      bits = asymmetricJwkUsages(name, jwk, usages, allowed, extractable);
      type = jwk.d !== undefined ? "private" : "public";
      if (jwk.kty !== "RSA") {
        throw dataError(`RSASSA-PKCS1-v1_5 "jwk" key import requires a JSON Web Key with Key Type parameter "kty" ("${jwk.kty}") equal to "RSA".`);
      }
      if (jwk.alg !== undefined) {
        const jwkHash = RSA_JWK_HASHES.get(jwk.alg);
        if (jwkHash === undefined) {
          throw notSupported(`Unrecognized or unimplemented algorithm "${jwk.alg}" listed in JSON Web Key Algorithm parameter.`);
        }
        if (jwkHash !== hash.name) {
          throw dataError(`JSON Web Key Algorithm parameter "alg" ("${jwk.alg}") does not match requested hash algorithm "${jwk.alg}".`);
        }
      }
      const n = decodeJwkMember(jwk.n, `Invalid RSA key in JSON Web Key; missing or invalid Modulus parameter ("n").`);
      const e = decodeJwkMember(jwk.e, `Invalid RSA key in JSON Web Key; missing or invalid Exponent parameter ("e").`);
      const parts = [n, e];
      if (jwk.d !== undefined) {
        parts.push(decodeJwkMember(jwk.d, `Invalid RSA key in JSON Web Key; missing or invalid Private Exponent parameter ("d").`));
        const crt = [["p", "First Prime Factor"], ["q", "Second Prime Factor"], ["dp", "First Factor CRT Exponent"],
          ["dq", "Second Factor CRT Exponent"], ["qi", "First CRT Coefficient"]];
        const present = crt.filter(([m]) => jwk[m] !== undefined).length;
        if (present === 5) {
          for (const [m, what] of crt) parts.push(decodeJwkMember(jwk[m], `Invalid RSA key in JSON Web Key; invalid ${what} parameter ("${m}").`));
        } else if (present !== 0) {
          throw dataError(`Invalid RSA private key in JSON Web Key; if one Prime Factor or CRT Exponent/Coefficient parameter is present, then they must all be present ("p", "q", "dp", "dq", "qi").`);
        } else {
          parts.push(undefined, undefined, undefined, undefined, undefined);
        }
      }
      hostFormat = type === "private" ? FORMAT.jwkPrivate : FORMAT.jwkPublic;
      bytes = packComponents(parts);
    } else if (format === "spki" || format === "pkcs8") {
      bits = derUsages(name, format, usages, allowed, data.bytes);
      type = format === "pkcs8" ? "private" : "public";
      hostFormat = FORMAT[format];
      bytes = data.bytes;
    } else {
      throw notSupported(`Unrecognized key import format "${format}".`);
    }
    staged();
    const handle = checked(ops.cryptoImportKey(KIND.RSA, hostFormat, 0, input(bytes)));
    try {
      const facts = rsaFacts(handle);
      validateRsaParams(facts.modulusLength, facts.publicExponent, true);
      return asymmetricKey(name, type, extractable, bits, handle,
        { name, modulusLength: facts.modulusLength, publicExponent: facts.publicExponent, hash: { name: hash.name } },
        { hash, modulusBytes: facts.modulusLength / 8 });
    } catch (e) {
      ops.cryptoRelease(handle);
      throw e;
    }
  }

  const EC_JWK_CURVES = new Map([["ES256", "P-256"], ["ES384", "P-384"], ["ES512", "P-521"]]);

  function importEc(name, format, data, alg, extractable, usages) {
    if (alg.namedCurve === undefined) throw missing("namedCurve");
    const curve = lookupCurve(alg.namedCurve);
    const allowed = name === "ECDSA" ? U.sign | U.verify : DERIVE_MASK;
    let bits, type, hostFormat, bytes;
    if (format === "raw") {
      if (data.bytes === undefined) throw dataError("Expected raw EC key but instead got a JSON Web Key.");
      bits = validateUsages(name, "import public", usages, name === "ECDSA" ? U.verify : 0);
      type = "public";
      hostFormat = FORMAT.raw;
      bytes = data.bytes;
    } else if (format === "jwk") {
      const jwk = data.jwk;
      bits = asymmetricJwkUsages(name, jwk, usages, allowed, extractable);
      type = jwk.d !== undefined ? "private" : "public";
      if (jwk.kty !== "EC") {
        throw dataError(`Elliptic curve "jwk" key import requires a JSON Web Key with Key Type parameter "kty" ("${jwk.kty}") equal to "EC".`);
      }
      if (name === "ECDSA" && jwk.alg !== undefined) {
        const algCurve = EC_JWK_CURVES.get(jwk.alg);
        if (algCurve === undefined) {
          throw notSupported(`Unrecognized or unimplemented algorithm "${jwk.alg}" listed in JSON Web Key Algorithm parameter.`);
        }
        if (algCurve !== curve.name) throw dataError(`JSON Web Key Algorithm parameter "alg" ("${jwk.alg}") does not match requested curve.`);
      }
      const parts = [
        decodeJwkMember(jwk.x, `Invalid EC key in JSON Web Key; missing "x".`),
        decodeJwkMember(jwk.y, `Invalid EC key in JSON Web Key; missing "y".`),
      ];
      if (type === "private") parts.push(decodeJwkMember(jwk.d, `Invalid EC key in JSON Web Key; missing or invalid private key component ("d").`));
      hostFormat = type === "private" ? FORMAT.jwkPrivate : FORMAT.jwkPublic;
      bytes = packComponents(parts);
    } else if (format === "spki" || format === "pkcs8") {
      bits = derUsages(name, format, usages, allowed, data.bytes);
      type = format === "pkcs8" ? "private" : "public";
      hostFormat = FORMAT[format];
      bytes = data.bytes;
    } else {
      throw notSupported(`Unrecognized key import format "${format}".`);
    }
    staged();
    const handle = checked(ops.cryptoImportKey(name === "ECDH" ? KIND.ECDH : KIND.ECDSA, hostFormat, curve.id, input(bytes)));
    return asymmetricKey(name, type, extractable, bits, handle, { name, namedCurve: curve.name }, { curve });
  }

  function okpAlgorithm(name) {
    return name === "NODE-ED25519" ? { name, namedCurve: name } : { name };
  }

  function importOkp(name, format, data, alg, extractable, usages) {
    if (name === "NODE-ED25519") {
      if (alg.namedCurve === undefined) throw missing("namedCurve");
      if (alg.namedCurve !== "NODE-ED25519") throw notSupported(`EDDSA curve "${alg.namedCurve}" isn't supported.`);
    }
    const x25519 = name === "X25519";
    const curveName = x25519 ? "X25519" : "Ed25519";
    const allowed = x25519 ? DERIVE_MASK : U.sign | U.verify;
    let bits, type, hostFormat, bytes;
    if (format === "raw") {
      if (data.bytes === undefined) throw dataError("Expected raw EC key but instead got a JSON Web Key.");
      bits = validateUsages(name, "import public", usages, x25519 ? 0 : U.verify);
      type = "public";
      hostFormat = FORMAT.raw;
      bytes = data.bytes;
    } else if (format === "jwk") {
      const jwk = data.jwk;
      bits = asymmetricJwkUsages(name, jwk, usages, allowed, extractable);
      type = jwk.d !== undefined ? "private" : "public";
      if (jwk.kty !== "OKP") {
        throw dataError(`${curveName} "jwk" key imports requires a JSON Web Key with Key Type parameter "kty" ("${jwk.kty}") equal to "OKP".`);
      }
      if (jwk.crv === undefined) throw dataError(`Missing field "crv" for ${curveName} key.`);
      if (jwk.crv !== curveName) throw notSupported(`Only ${curveName} is supported but "${jwk.crv}" was requested.`);
      if (!x25519 && jwk.alg !== undefined && jwk.alg !== "EdDSA") {
        throw dataError(`JSON Web Key Algorithm parameter "alg" ("${jwk.alg}") does not match requested Ed25519 curve.`);
      }
      const parts = [decodeJwkMember(jwk.x, `Invalid ${jwk.crv} key in JSON WebKey; missing or invalid public key component ("x").`)];
      if (type === "private") {
        parts.push(decodeJwkMember(jwk.d, `Invalid ${curveName} key in JSON Web Key; missing or invalid private key component ("d").`));
      }
      hostFormat = type === "private" ? FORMAT.jwkPrivate : FORMAT.jwkPublic;
      bytes = packComponents(parts);
    } else if (format === "spki" || format === "pkcs8") {
      bits = derUsages(name, format, usages, allowed, data.bytes);
      type = format === "pkcs8" ? "private" : "public";
      hostFormat = FORMAT[format];
      bytes = data.bytes;
    } else {
      throw notSupported(`Unrecognized key import format "${format}".`);
    }
    staged();
    const handle = checked(ops.cryptoImportKey(x25519 ? KIND.X25519 : KIND.ED25519, hostFormat, 0, input(bytes)));
    return asymmetricKey(name, type, extractable, bits, handle, okpAlgorithm(name), {});
  }

  // ---- import --------------------------------------------------------------------------------

  const MODERN_FORMATS = ["raw-secret", "raw-public", "raw-private", "raw-seed"];

  function modernFormat(format) {
    return notSupported(`Key format "${format}" requires the webcrypto_modern_algorithms flag.`);
  }

  /** workerd's importKeySync: the shared checks, then the algorithm's import. */
  function importKeyNow(format, data, alg, extractable, usages) {
    if (MODERN_FORMATS.includes(format)) throw modernFormat(format);
    if (format === "raw" || format === "pkcs8" || format === "spki") {
      if (data.bytes === undefined) throw new TypeError("Import data provided for buffer-based import formats must be a buffer source.");
    } else if (format === "jwk") {
      if (data.jwk === undefined) throw new TypeError(`Import data provided for "jwk" import format must be a JsonWebKey.`);
      if (data.jwk.ext === false && extractable) {
        throw dataError(`JWK ext field for "${alg.name}" is set to false but extractable is true`);
      }
    } else {
      throw notSupported(`Unrecognized key import format "${format}".`);
    }
    const name = canonicalName(alg.name);
    let key;
    switch (name) {
      case "AES-CTR": case "AES-CBC": case "AES-GCM": case "AES-KW":
        key = importAes(name, format, data, alg, extractable, usages); break;
      case "HMAC": key = importHmac(format, data, alg, extractable, usages); break;
      case "PBKDF2": case "HKDF": key = importKdfKey(name, format, data, extractable, usages); break;
      case "RSASSA-PKCS1-v1_5": case "RSA-PSS": case "RSA-OAEP":
        key = importRsa(name, format, data, alg, extractable, usages); break;
      case "ECDSA": case "ECDH": key = importEc(name, format, data, alg, extractable, usages); break;
      case "Ed25519": case "X25519": case "NODE-ED25519": key = importOkp(name, format, data, alg, extractable, usages); break;
      default: throw notSupported(`Unrecognized key import algorithm "${alg.name}" requested.`);
    }
    requireUsages(keyState(key));
    return key;
  }

  function requireUsages(state) {
    if (state.usages === 0 && state.type !== "public") throw syntaxError("Secret/private CryptoKeys must have at least one usage.");
  }

  // ---- export --------------------------------------------------------------------------------

  /** A JWK with workerd's member order (its JsonWebKey struct order). */
  function orderedJwk(members) {
    const jwk = {};
    for (const field of JWK_MEMBERS) if (members[field] !== undefined) jwk[field] = members[field];
    return jwk;
  }

  function exportKeyNow(format, key) {
    if (MODERN_FORMATS.includes(format)) throw modernFormat(format);
    if (!key.extractable) throw invalidAccess(`Attempt to export non-extractable ${key.name} key.`);
    const keyOps = usageList(key.usages);
    switch (key.variant) {
      case "aes": {
        if (format !== "raw" && format !== "jwk") {
          throw notSupported(`${key.name} key only supports exporting "raw", "raw-secret" & "jwk", not "${format}".`);
        }
        if (format === "raw") return key.secret.slice().buffer;
        return orderedJwk({ kty: "oct", key_ops: keyOps, alg: `A${key.secret.length * 8}${key.name.slice(4)}`, ext: true, k: base64UrlEncode(key.secret) });
      }
      case "hmac": {
        if (format !== "raw" && format !== "jwk") throw notSupported(`Unimplemented key export format "${format}".`);
        if (format === "raw") return key.secret.slice().buffer;
        if (!key.hash.name.startsWith("SHA-")) throw notSupported(`Unimplemented JWK key export format for key algorithm "${key.hash.name}".`);
        return orderedJwk({ kty: "oct", key_ops: keyOps, alg: `HS${key.hash.name.slice(4)}`, ext: true, k: base64UrlEncode(key.secret) });
      }
    }
    if (key.handle === undefined) throw notSupported(`Unrecognized or unsupported export of "${key.name}" requested.`);
    switch (format) {
      case "pkcs8":
        if (key.type !== "private") throw invalidAccess(`Asymmetric pkcs8 export requires private key (not "${key.type}").`);
        return takeOutput(ops.cryptoExportKey(key.handle, FORMAT.pkcs8)).buffer;
      case "spki":
        if (key.type !== "public") throw invalidAccess(`Asymmetric spki export requires public key (not "${key.type}").`);
        return takeOutput(ops.cryptoExportKey(key.handle, FORMAT.spki)).buffer;
      case "raw":
        if (key.variant === "rsa") throw invalidAccess(`Cannot export "${key.name}" in "raw" format.`);
        if (key.type !== "public") {
          throw invalidAccess(key.curve !== undefined
            ? "Raw export of elliptic curve keys is only allowed for public keys."
            : `Raw export of ${key.name} keys is only allowed for public keys.`);
        }
        return takeOutput(ops.cryptoExportKey(key.handle, FORMAT.raw)).buffer;
      case "jwk":
        return exportAsymmetricJwk(key, keyOps);
      default:
        throw invalidAccess(`Cannot export "${key.name}" in "${format}" format.`);
    }
  }

  function exportAsymmetricJwk(key, keyOps) {
    const parts = unpackComponents(takeOutput(ops.cryptoExportKey(key.handle, FORMAT.jwkPublic))).map((p) => p && base64UrlEncode(p));
    const priv = key.type === "private";
    if (key.variant === "rsa") {
      const hash = key.hash.name;
      if (!hash.startsWith("SHA")) throw notSupported(`JWK export not supported for hash algorithm "${hash}".`);
      const alg = key.name === "RSASSA-PKCS1-v1_5" ? `RS${hash.slice(4)}` : key.name === "RSA-PSS" ? `PS${hash.slice(4)}`
        : hash === "SHA-1" ? "RSA-OAEP" : `RSA-OAEP-${hash.slice(4)}`;
      const [n, e, d, p, q, dp, dq, qi] = parts;
      return orderedJwk({ kty: "RSA", key_ops: keyOps, alg, ext: true, n, e, ...(priv ? { d, p, q, dp, dq, qi } : {}) });
    }
    if (key.curve !== undefined) {
      const [x, y, d] = parts;
      return orderedJwk({ kty: "EC", key_ops: keyOps, ext: true, crv: key.curve.name, x, y, d: priv ? d : undefined });
    }
    const [x, d] = parts;
    return orderedJwk({ kty: "OKP", key_ops: keyOps, alg: key.name === "Ed25519" ? "EdDSA" : undefined, ext: true,
      crv: key.name === "X25519" ? "X25519" : "Ed25519", x, d: priv ? d : undefined });
  }

  // ---- generate ------------------------------------------------------------------------------

  function keyPair(name, privateUsages, publicUsages, extractable, handle, algorithmOf, facts) {
    const publicKey = asymmetricKey(name, "public", true, publicUsages, handle + 1, algorithmOf(), facts);
    const privateKey = asymmetricKey(name, "private", extractable, privateUsages, handle, algorithmOf(), facts);
    return { publicKey, privateKey };
  }

  function requirePrivateUsages(bits) {
    if ((bits & PRIVATE_MASK) === 0) throw syntaxError("Attempt to generate asymmetric keys with no valid private key usages.");
  }

  function generateKeyNow(alg, extractable, usages) {
    const name = canonicalName(alg.name);
    switch (name) {
      case "AES-CTR": case "AES-CBC": case "AES-GCM": case "AES-KW": {
        const key = generateAes(name, alg, extractable, usages);
        requireUsages(keyState(key));
        return key;
      }
      case "HMAC": {
        const key = generateHmac(alg, extractable, usages);
        requireUsages(keyState(key));
        return key;
      }
      case "RSASSA-PKCS1-v1_5": case "RSA-PSS": case "RSA-OAEP": return generateRsa(name, alg, extractable, usages);
      case "ECDSA": case "ECDH": {
        const bits = validateUsages(name, "generate", usages, name === "ECDSA" ? U.sign | U.verify : DERIVE_MASK);
        if (alg.namedCurve === undefined) throw missing("namedCurve");
        const curve = lookupCurve(alg.namedCurve);
        requirePrivateUsages(bits);
        const handle = checked(ops.cryptoGenerateKey(name === "ECDH" ? KIND.ECDH : KIND.ECDSA, curve.id));
        return keyPair(name, bits & PRIVATE_MASK, name === "ECDH" ? 0 : bits & PUBLIC_MASK, extractable, handle,
          () => ({ name, namedCurve: curve.name }), { curve });
      }
      case "Ed25519": case "X25519": case "NODE-ED25519": {
        const bits = validateUsages(name, "generate", usages, name === "X25519" ? DERIVE_MASK : U.sign | U.verify);
        if (name === "NODE-ED25519") {
          if (alg.namedCurve === undefined) throw missing("namedCurve");
          if (alg.namedCurve !== "NODE-ED25519") throw notSupported(`EDDSA curve "${alg.namedCurve}" isn't supported.`);
        }
        requirePrivateUsages(bits);
        const handle = checked(ops.cryptoGenerateKey(name === "X25519" ? KIND.X25519 : KIND.ED25519, 0));
        return keyPair(name, bits & PRIVATE_MASK, bits & PUBLIC_MASK, extractable, handle, () => okpAlgorithm(name), {});
      }
      default:
        throw notSupported(`Unrecognized key generation algorithm "${alg.name}" requested.`);
    }
  }

  function generateRsa(name, alg, extractable, usages) {
    if (alg.publicExponent === undefined) throw missing("publicExponent");
    if (alg.hash === undefined) throw missing("hash");
    if (alg.modulusLength === undefined) throw missing("modulusLength");
    const modulusLength = alg.modulusLength;
    if (modulusLength <= 0) throw operationError(`modulusLength must be greater than zero (requested ${modulusLength}).`);
    const hash = lookupHash(alg.hash);
    const bits = validateUsages(name, "generate", usages, rsaUsageMask(name));
    const exponent = alg.publicExponent.slice();
    validateRsaParams(modulusLength, exponent, false);
    if (modulusLength % 128 !== 0) throw operationError("Can't generate key: RSA key size is required to be a multiple of 128");
    requirePrivateUsages(bits);
    // Key generation takes tens of milliseconds and more: it runs on the thread pool.
    return opAsync((id) => {
      staged();
      checked(ops.cryptoGenerateRsa(id, modulusLength, input(exponent)));
    }).then((handle) =>
      keyPair(name, bits & PRIVATE_MASK, bits & PUBLIC_MASK, extractable, handle,
        () => ({ name, modulusLength, publicExponent: exponent.slice(), hash: { name: hash.name } }),
        { hash, modulusBytes: modulusLength / 8 }));
  }

  // ---- encrypt, decrypt, wrap ----------------------------------------------------------------

  function encryptNow(encrypt, alg, key, data) {
    if (key.variant === "aes") return aesCrypt(encrypt, alg, key, data);
    if (key.name === "RSA-OAEP") {
      staged();
      const out = output(key.modulusBytes);
      const n = checked(ops.cryptoRsaOaep(key.handle, encrypt, key.hash.id, input(alg.label ?? EMPTY_BYTES), input(data), out));
      return result(out, n);
    }
    throw notSupported(`The ${encrypt ? "encrypt" : "decrypt"} operation is not implemented for "${key.name}".`);
  }

  function aesCrypt(encrypt, alg, key, data) {
    let iv, aad = null, param = 0, size;
    switch (key.name) {
      case "AES-GCM":
        if (alg.iv === undefined) throw missing("iv");
        iv = alg.iv;
        aad = alg.additionalData ?? null;
        param = alg.tagLength ?? 128;
        size = encrypt ? data.length + Math.max(0, param >> 3) : Math.max(0, data.length - (param >> 3));
        break;
      case "AES-CBC":
        if (alg.iv === undefined) throw missing("iv");
        iv = alg.iv;
        size = encrypt ? data.length + 16 - (data.length % 16) : data.length;
        break;
      case "AES-CTR":
        if (alg.counter === undefined) throw new TypeError(`Missing "counter" member in "algorithm".`);
        if (alg.length === undefined) throw new TypeError(`Missing "length" member in "algorithm".`);
        iv = alg.counter;
        param = alg.length;
        size = data.length;
        break;
      default:
        throw notSupported(`The ${encrypt ? "encrypt" : "decrypt"} operation is not implemented for "${key.name}".`);
    }
    staged();
    const out = output(size);
    const n = checked(ops.cryptoAes(AES_MODE[key.name], encrypt, input(key.secret), input(iv), input(aad), param, input(data), out));
    return result(out, n);
  }

  /** AES-KW wraps; every other algorithm wraps by encrypting. */
  function wrapNow(wrap, alg, key, data) {
    if (key.name !== "AES-KW") return encryptNow(wrap, alg, key, data);
    staged();
    const out = output(wrap ? data.length + 8 : Math.max(0, data.length - 8));
    const n = checked(ops.cryptoAes(AES_MODE["AES-KW"], wrap, input(key.secret), null, null, 0, input(data), out));
    return result(out, n);
  }

  // ---- sign and verify -----------------------------------------------------------------------

  function signatureSetup(alg, key, signing) {
    switch (key.name) {
      case "RSASSA-PKCS1-v1_5": return [SIGN.pkcs1, key.hash.id, 0, key.modulusBytes];
      case "RSA-PSS": {
        if (alg.saltLength === undefined) {
          const message = "Failed to provide salt for RSA-PSS key operation which requires a salt";
          throw signing ? dataError(message) : new TypeError(message);
        }
        return [SIGN.pss, key.hash.id, alg.saltLength, key.modulusBytes];
      }
      case "ECDSA": {
        if (alg.hash === undefined) {
          throw new TypeError(`Missing "hash" in AlgorithmIdentifier. (ECDSA requires that the hash algorithm be specified at call time rather than on the key. This differs from other WebCrypto algorithms for historical reasons.)`);
        }
        return [SIGN.ecdsa, lookupHash(alg.hash).id, 0, key.curve.size * 2];
      }
      case "Ed25519": case "NODE-ED25519": return [SIGN.ed25519, 0, 0, 64];
      default: throw notSupported(`The ${signing ? "sign" : "verify"} operation is not implemented for "${key.name}".`);
    }
  }

  /** A key's host HMAC context, made on its second use (a key used once is cheaper without). */
  function hmacContext(key) {
    if (key.context !== undefined) return key.context;
    if (key.uses++ === 0) return 0;
    key.context = checked(ops.cryptoHmacContext(key.hash.id, input(key.secret)));
    handleRegistry.register(key, key.context);
    staged();
    return key.context;
  }

  function signNow(alg, key, data) {
    if (key.variant === "hmac") {
      staged();
      const context = hmacContext(key);
      const out = output(key.hash.size);
      checked(ops.cryptoHmac(key.hash.id, context, context === 0 ? input(key.secret) : null, input(data), out));
      return result(out, key.hash.size);
    }
    if (key.type !== "private") throw invalidAccess("Asymmetric signing requires a private key.");
    const [algorithm, hash, salt, size] = signatureSetup(alg, key, true);
    staged();
    const out = output(size);
    return result(out, checked(ops.cryptoSign(key.handle, algorithm, hash, salt, input(data), out)));
  }

  function verifyNow(alg, key, signature, data) {
    if (key.variant === "hmac") {
      staged();
      const context = hmacContext(key);
      return checked(ops.cryptoHmacVerify(key.hash.id, context, context === 0 ? input(key.secret) : null, input(data), input(signature))) === 1;
    }
    if (key.type !== "public") throw invalidAccess("Asymmetric verification requires a public key.");
    const [algorithm, hash, salt] = signatureSetup(alg, key, false);
    staged();
    return checked(ops.cryptoVerify(key.handle, algorithm, hash, salt, input(signature), input(data))) === 1;
  }

  // ---- derive --------------------------------------------------------------------------------

  function deriveBitsNow(alg, key, length) {
    switch (key.name) {
      case "PBKDF2": {
        if (alg.hash === undefined) throw missing("hash");
        const hash = lookupHash(alg.hash);
        if (alg.salt === undefined) throw missing("salt");
        if (alg.iterations === undefined) throw missing("iterations");
        if (length === null) throw operationError("PBKDF2 cannot derive a key with null length.");
        if (length % 8 !== 0) throw operationError(`PBKDF2 requires a derived key length that is a multiple of eight (requested ${length}).`);
        if (alg.iterations <= 0) throw operationError(`PBKDF2 requires a positive iteration count (requested ${alg.iterations}).`);
        // Many iterations take long: PBKDF2 runs on the thread pool.
        return opAsync((id) => {
          staged();
          checked(ops.cryptoPbkdf2(id, hash.id, input(key.secret), input(alg.salt), alg.iterations, length / 8));
        })
          .then((bytes) => bytes.buffer);
      }
      case "HKDF": {
        if (alg.hash === undefined) throw missing("hash");
        const hash = lookupHash(alg.hash);
        if (alg.salt === undefined) throw missing("salt");
        if (alg.info === undefined) throw missing("info");
        if (length === null) throw operationError("HKDF cannot derive a key with null length.");
        if (length % 8 !== 0) throw operationError(`HKDF requires a derived key length that is a multiple of eight (requested ${length}).`);
        staged();
        const out = output(length / 8);
        checked(ops.cryptoHkdf(hash.id, input(key.secret), input(alg.salt), input(alg.info), out));
        return result(out, length / 8);
      }
      case "ECDH": case "X25519": {
        if (key.type !== "private") throw invalidAccess(`The deriveBits operation is only valid for a private key, not "${key.type}".`);
        const peer = alg.public;
        if (peer === undefined) throw missing("public", "derivedKeyParams");
        if (peer.type !== "public") throw invalidAccess(`The provided key has type "${peer.type}", not "public"`);
        if (peer.variant !== key.variant) {
          throw invalidAccess(`Base ${key.name} private key cannot be used to derive a key from a peer ${peer.name} public key`);
        }
        if (peer.name !== key.name) {
          throw invalidAccess(`Private key for derivation is using "${key.name}" while public key is using "${peer.name}".`);
        }
        if (key.curve !== undefined && key.curve !== peer.curve) {
          throw invalidAccess(`Private key for derivation is using curve "${key.curve.name}" while public key is using "${peer.curve.name}".`);
        }
        const full = key.curve !== undefined ? key.curve.size : 32;
        if (key.name === "X25519" && length !== null && length > full * 8) {
          throw operationError(`Derived key length (${length} bits) is too long (should be at most ${full * 8} bits).`);
        }
        staged();
        const where = output(full);
        checked(ops.cryptoDeriveBits(key.handle, peer.handle, where));
        const secret = new Uint8Array(result(where, full));
        scratch.fill(0, where >>> 16, (where >>> 16) + full);
        const wanted = length ?? full * 8;
        if (wanted > full * 8) {
          throw operationError(`Derived key length (${wanted} bits) is too long (should be at most ${full * 8} bits).`);
        }
        const derived = secret.slice(0, Math.ceil(wanted / 8));
        secret.fill(0);
        return zeroTrailingBits(derived, wanted).buffer;
      }
      default:
        throw notSupported(`The deriveKey and deriveBits operations are not implemented for "${key.name}".`);
    }
  }

  /** workerd's "get key length" for deriveKey: bits, or null for HKDF and PBKDF2. */
  function derivedKeyLength(alg) {
    const name = canonicalName(alg.name);
    if (name === undefined || !(name.startsWith("AES-") || name === "HMAC" || name === "HKDF" || name === "PBKDF2")) {
      throw notSupported(`Unrecognized derived key type "${alg.name}" requested.`);
    }
    if (name.startsWith("AES-")) {
      if (alg.length === undefined) throw missing("length", "derivedKeyParams");
      if (!AES_LENGTHS.includes(alg.length)) {
        throw operationError(`Derived AES key must be 128, 192, or 256 bits in length but provided ${alg.length}.`);
      }
      return alg.length;
    }
    if (name === "HMAC") {
      if (alg.length !== undefined) {
        if (alg.length > 0) return alg.length;
        throw new TypeError("HMAC key length must be a non-zero unsigned long integer.");
      }
      if (alg.hash === undefined) throw missing("hash", "derivedKeyParams");
      return lookupHash(alg.hash).block * 8;
    }
    return null;
  }

  // ---- SubtleCrypto ----------------------------------------------------------------------------

  /** Runs a method body so that every failure becomes a rejected promise, as in workerd. */
  function settle(body) {
    try {
      return Promise.resolve(body());
    } catch (e) {
      return Promise.reject(e);
    }
  }

  let subtle;
  function requireSubtle(self) {
    if (self !== subtle) throw illegalInvocation();
  }

  class SubtleCrypto {
    constructor() { throw new TypeError("Illegal constructor"); }

    encrypt(...args) {
      requireSubtle(this);
      return settle(() => {
        const alg = algorithmArgument(args, 0, "encrypt", "EncryptAlgorithm");
        const key = requireKey(args[1], "encrypt", 2);
        const data = bufferArgument(args, 2, "encrypt");
        validateOperation(key, alg.name, U.encrypt);
        return encryptNow(true, alg, key, data);
      });
    }

    decrypt(...args) {
      requireSubtle(this);
      return settle(() => {
        const alg = algorithmArgument(args, 0, "decrypt", "EncryptAlgorithm");
        const key = requireKey(args[1], "decrypt", 2);
        const data = bufferArgument(args, 2, "decrypt");
        validateOperation(key, alg.name, U.decrypt);
        return encryptNow(false, alg, key, data);
      });
    }

    sign(...args) {
      requireSubtle(this);
      return settle(() => {
        const alg = algorithmArgument(args, 0, "sign", "SignAlgorithm");
        const key = requireKey(args[1], "sign", 2);
        const data = bufferArgument(args, 2, "sign");
        validateOperation(key, alg.name, U.sign);
        return signNow(alg, key, data);
      });
    }

    verify(...args) {
      requireSubtle(this);
      return settle(() => {
        const alg = algorithmArgument(args, 0, "verify", "SignAlgorithm");
        const key = requireKey(args[1], "verify", 2);
        const signature = bufferArgument(args, 2, "verify");
        const data = bufferArgument(args, 3, "verify");
        validateOperation(key, alg.name, U.verify);
        return verifyNow(alg, key, signature, data);
      });
    }

    digest(...args) {
      requireSubtle(this);
      return settle(() => {
        const alg = algorithmArgument(args, 0, "digest", "HashAlgorithm");
        const data = bufferArgument(args, 1, "digest");
        const hash = lookupHash(alg.name);
        staged();
        const out = output(hash.size);
        checked(ops.cryptoDigest(hash.id, input(data), out));
        return result(out, hash.size);
      });
    }

    generateKey(...args) {
      requireSubtle(this);
      return settle(() => {
        requireHandlerScope();
        const alg = algorithmArgument(args, 0, "generateKey", "GenerateKeyAlgorithm");
        const extractable = booleanArgument(args, 1, "generateKey");
        const usages = keyUsagesArgument(args, 2, "generateKey");
        return generateKeyNow(alg, extractable, usages);
      });
    }

    deriveKey(...args) {
      requireSubtle(this);
      return settle(() => {
        const alg = algorithmArgument(args, 0, "deriveKey", "DeriveKeyAlgorithm");
        const key = requireKey(args[1], "deriveKey", 2);
        const derived = algorithmArgument(args, 2, "deriveKey", "ImportKeyAlgorithm");
        const extractable = booleanArgument(args, 3, "deriveKey");
        const usages = keyUsagesArgument(args, 4, "deriveKey");
        validateOperation(key, alg.name, U.deriveKey);
        const length = derivedKeyLength(derived);
        const bits = deriveBitsNow(alg, key, length);
        const finish = (buffer) => importKeyNow("raw", { bytes: new Uint8Array(buffer) }, derived, extractable, usages);
        return bits instanceof Promise ? bits.then(finish) : finish(bits);
      });
    }

    deriveBits(...args) {
      requireSubtle(this);
      return settle(() => {
        const alg = algorithmArgument(args, 0, "deriveBits", "DeriveKeyAlgorithm");
        const key = requireKey(args[1], "deriveBits", 2);
        let length = null;
        if (args[2] !== undefined && args[2] !== null) {
          length = toInt(args[2]);
          if (length < 0) throw new TypeError("deriveBits length must be an unsigned long integer.");
        }
        validateOperation(key, alg.name, U.deriveBits);
        return deriveBitsNow(alg, key, length);
      });
    }

    importKey(...args) {
      requireSubtle(this);
      return settle(() => {
        const format = stringArgument(args, 0, "importKey");
        const data = keyDataArgument(args, 1);
        const alg = algorithmArgument(args, 2, "importKey", "ImportKeyAlgorithm");
        const extractable = booleanArgument(args, 3, "importKey");
        const usages = keyUsagesArgument(args, 4, "importKey");
        // The spec imports from a copy; the host and the key copy what they keep.
        return importKeyNow(format, data, alg, extractable, usages);
      });
    }

    exportKey(...args) {
      requireSubtle(this);
      return settle(() => {
        const format = stringArgument(args, 0, "exportKey");
        const key = requireKey(args[1], "exportKey", 2);
        return exportKeyNow(format, key);
      });
    }

    wrapKey(...args) {
      requireSubtle(this);
      return settle(() => {
        const format = stringArgument(args, 0, "wrapKey");
        const key = requireKey(args[1], "wrapKey", 2);
        const wrappingKey = requireKey(args[2], "wrapKey", 3);
        const alg = algorithmArgument(args, 3, "wrapKey", "EncryptAlgorithm");
        validateOperation(wrappingKey, alg.name, U.wrapKey);
        if (!key.extractable) throw invalidAccess(`Attempt to export non-extractable ${key.name} key.`);
        const exported = exportKeyNow(format, key);
        const bytes = exported instanceof ArrayBuffer ? new Uint8Array(exported) : utf8Encode(JSONStringify(exported));
        return wrapNow(true, alg, wrappingKey, bytes);
      });
    }

    unwrapKey(...args) {
      requireSubtle(this);
      return settle(() => {
        const format = stringArgument(args, 0, "unwrapKey");
        const wrapped = bufferArgument(args, 1, "unwrapKey");
        const unwrappingKey = requireKey(args[2], "unwrapKey", 3);
        const alg = algorithmArgument(args, 3, "unwrapKey", "EncryptAlgorithm");
        const keyAlg = algorithmArgument(args, 4, "unwrapKey", "ImportKeyAlgorithm");
        const extractable = booleanArgument(args, 5, "unwrapKey");
        const usages = keyUsagesArgument(args, 6, "unwrapKey");
        validateOperation(unwrappingKey, alg.name, U.unwrapKey);
        const bytes = new Uint8Array(wrapNow(false, alg, unwrappingKey, wrapped));
        let data;
        if (format === "jwk") {
          const parsed = JSONParse(utf8Decode(bytes));
          if (typeof parsed !== "object" || parsed === null) throw dataError(`Missing "kty" field or corrupt JSON unwrapping key?`);
          data = { jwk: jsonWebKey(parsed) };
        } else {
          data = { bytes };
        }
        return importKeyNow(format, data, keyAlg, extractable, usages);
      });
    }

    timingSafeEqual(...args) {
      requireSubtle(this);
      const a = bufferArgument(args, 0, "timingSafeEqual");
      const b = bufferArgument(args, 1, "timingSafeEqual");
      if (a.byteLength !== b.byteLength) throw new TypeError("Input buffers must have the same byte length.");
      staged();
      return ops.cryptoTimingSafeEqual(input(a), input(b));
    }
  }
  webidlInterface(SubtleCrypto);
  defineGlobal("SubtleCrypto", SubtleCrypto);
  subtle = Object.create(SubtleCrypto.prototype);

  Object.defineProperty(Crypto.prototype, "subtle", {
    get() {
      if (!(this instanceof Crypto)) throw illegalInvocation();
      return subtle;
    },
    enumerable: true,
    configurable: true,
  });

  // ---- crypto.DigestStream -------------------------------------------------------------------

  const STREAM_HASHES = new Map([["CRC32", 6], ["CRC32C", 7], ["CRC64NVME", 8]]);
  const STREAM_SIZES = new Map([[6, 4], [7, 4], [8, 8]]);
  const digestStreams = new WeakMap();

  function digestStreamAlgorithm(args) {
    if (args.length === 0) {
      throw new TypeError("Failed to construct 'DigestStream': constructor parameter 1 is not of type 'string or HashAlgorithm'.");
    }
    const value = args[0];
    let name;
    if (value === null || value === undefined) throw nullDictionary("HashAlgorithm");
    else if (typeof value === "object" || typeof value === "function") name = toText(value.name);
    else name = toText(value);
    const crc = STREAM_HASHES.get(asciiUpper(name));
    if (crc !== undefined) return { id: crc, size: STREAM_SIZES.get(crc) };
    return lookupHash(name);
  }

  /** The DigestStream's sink: bytes go to the host as they are written; close resolves `digest`. */
  function digestSink(st) {
    return {
      write(chunk) {
        let bytes;
        if (typeof chunk === "string") bytes = utf8Encode(chunk);
        else bytes = bufferView(chunk);
        if (bytes === undefined) {
          throw new TypeError("DigestStream is a byte stream but received an object of non-ArrayBuffer/ArrayBufferView/string type on its writable side.");
        }
        if (st.done || bytes.length === 0) return;
        staged();
        checked(ops.cryptoHashUpdate(st.handle, input(bytes)));
        st.bytesWritten += BigInt(bytes.length);
      },
      close() {
        if (st.done) return;
        st.done = true;
        handleRegistry.unregister(st);
        staged();
        const out = output(st.size);
        checked(ops.cryptoHashFinish(st.handle, out));
        st.resolve(result(out, st.size));
      },
      abort(reason) {
        if (st.done) return;
        st.done = true;
        handleRegistry.unregister(st);
        ops.cryptoRelease(st.handle);
        st.reject(reason);
      },
    };
  }

  // DigestStream is a WritableStream whose sink feeds a host hash; digest resolves at close.
  function DigestStream(...args) {
    if (new.target === undefined) {
      throw new TypeError("Failed to construct 'DigestStream': Please use the 'new' operator, this object constructor cannot be called as a function.");
    }
    const hash = digestStreamAlgorithm(args);
    const st = { handle: checked(ops.cryptoHashCreate(hash.id)), size: hash.size, bytesWritten: 0n, done: false };
    st.digest = new Promise((resolve, reject) => { st.resolve = resolve; st.reject = reject; });
    const sink = digestSink(st);
    const self = Reflect.construct(WritableStream, [sink], new.target);
    digestStreams.set(self, st);
    handleRegistry.register(self, st.handle, st);
    return self;
  }

  function digestStreamState(self) {
    const st = digestStreams.get(self);
    if (st === undefined) throw illegalInvocation();
    return st;
  }

  Object.defineProperties(DigestStream.prototype, {
    ...Object.getOwnPropertyDescriptors({
      get digest() { return digestStreamState(this).digest; },
      get bytesWritten() { return digestStreamState(this).bytesWritten; },
    }),
    [Symbol.toStringTag]: { value: "DigestStream", configurable: true },
  });
  Object.setPrototypeOf(DigestStream.prototype, WritableStream.prototype);
  Object.setPrototypeOf(DigestStream, WritableStream);
  Object.defineProperty(Crypto.prototype, "DigestStream", { value: DigestStream, writable: true, enumerable: true, configurable: true });
});
