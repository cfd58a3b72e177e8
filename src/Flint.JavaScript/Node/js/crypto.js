// node:crypto — hashes, HMAC, random values, PBKDF2, HKDF, scrypt, timingSafeEqual, KeyObject,
// sign/verify, ciphers (createCipheriv/createDecipheriv), key generation, RSA encryption, X25519/ECDH
// agreement, finite-field Diffie-Hellman and X509Certificate, over host ops (Node/NodeCryptoOps.cs,
// NodeCipherOps.cs, NodeDhOps.cs, EncryptedKeys.cs); webcrypto is the global crypto. Errors as workerd
// words them (bench/oracle/node-crypto, node-crypto-keys).
import bridge from "node-internal:bridge";
import { Buffer } from "node:buffer";
import { Transform } from "node:stream";

const { ops, nodeError, invalidArgType, notImplemented } = bridge;

function opError() {
  const text = ops.nodeCryptoError();
  const nl = text.indexOf("\n");
  const code = text.slice(0, nl), message = text.slice(nl + 1);
  if (code === "") return new Error(message); // workerd's plain errors (ciphers, keys, DH)
  if (code === "RangeError") return new RangeError(message);
  const Type = code === "ERR_CRYPTO_INVALID_DIGEST" || code === "ERR_INVALID_ARG_VALUE" ? TypeError : Error;
  return nodeError(Type, code, message);
}
function checked(result) {
  if (result < 0) throw opError();
  return result;
}
function takeOutput(length) {
  const out = new Uint8Array(checked(length));
  ops.nodeTakeOutput(out);
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

// ---- arguments ------------------------------------------------------------------------------
const isView = (v) => ArrayBuffer.isView(v);
const isAnyArrayBuffer = (v) => v instanceof ArrayBuffer || (typeof SharedArrayBuffer === "function" && v instanceof SharedArrayBuffer);

/** Node's BinaryLike | string data as bytes (strings in `encoding`, UTF-8 by default). */
function toBytes(data, name, encoding) {
  if (typeof data === "string") return Buffer.from(data, encoding ?? "utf8");
  if (isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer || (typeof SharedArrayBuffer === "function" && data instanceof SharedArrayBuffer)) return new Uint8Array(data);
  if (data instanceof KeyObject && data.type === "secret") return data[kSecret];
  throw invalidArgType(name, "of type string or an instance of ArrayBuffer, Buffer, TypedArray, or DataView", data);
}

function encodeOutput(bytes, encoding) {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return encoding === undefined || encoding === "buffer" ? buffer : buffer.toString(encoding);
}

function validateInteger(value, name, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER) {
  if (typeof value !== "number") throw invalidArgType(name, "of type number", value);
  if (!Number.isInteger(value)) throw nodeError(RangeError, "ERR_OUT_OF_RANGE", `The value of "${name}" is out of range. It must be an integer. Received ${value}`);
  if (value < min || value > max) throw nodeError(RangeError, "ERR_OUT_OF_RANGE", `The value of "${name}" is out of range. It must be >= ${min} && <= ${max}. Received ${value}`);
}

function validateFunction(fn, name) {
  if (typeof fn !== "function") throw invalidArgType(name, "of type function", fn);
}

/** Runs work now and calls back on a later turn, as Node's thread-pool jobs do. */
function deferred(callback, work) {
  let result, error = null;
  try { result = work(); } catch (e) { error = e; }
  setTimeout(() => (error ? callback(error) : callback(null, result)), 0);
}

// ---- hashes and HMAC ------------------------------------------------------------------------
const kHandle = Symbol("handle");
const kDigested = Symbol("digested");

class Hash {
  constructor(algorithm, options) {
    if (algorithm !== kCopy && typeof algorithm !== "string") throw invalidArgType("algorithm", "of type string", algorithm);
    const handle = algorithm === kCopy ? options : ops.nodeHashCreate(algorithm, null);
    if (handle < 0) { ops.nodeCryptoError(); throw new Error("Digest method not supported"); } // Node: a plain Error, no code
    this[kHandle] = handle;
    this[kSize] = algorithm === kCopy ? arguments[2] : ops.nodeHashSize(algorithm);
    this[kDigested] = false;
    registry.register(this, this[kHandle], this);
  }
  update(data, inputEncoding) {
    if (this[kDigested]) throw nodeError(Error, "ERR_CRYPTO_HASH_FINALIZED", "Digest already called");
    checked(ops.nodeHashUpdate(this[kHandle], toBytes(data, "data", inputEncoding)));
    return this;
  }
  digest(outputEncoding) {
    if (this[kDigested]) throw nodeError(Error, "ERR_CRYPTO_HASH_FINALIZED", "Digest already called");
    this[kDigested] = true;
    registry.unregister(this);
    const out = new Uint8Array(Math.max(this[kSize], 0) || 64);
    const n = checked(ops.nodeHashDigest(this[kHandle], out));
    return encodeOutput(out.subarray(0, n), outputEncoding);
  }
  copy() {
    if (this[kDigested]) throw nodeError(Error, "ERR_CRYPTO_HASH_FINALIZED", "Digest already called");
    return new Hash(kCopy, checked(ops.nodeHashCopy(this[kHandle])), this[kSize]);
  }
}
const kCopy = Symbol("copy");
const kSize = Symbol("size");
// A hash dropped without digest() frees its host object when collected.
const registry = new FinalizationRegistry((handle) => { releasedHandles.push(handle); });
const releasedHandles = [];
function releaseDropped() { while (releasedHandles.length) ops.nodeRelease(releasedHandles.pop()); }

class Hmac {
  constructor(hmac, key, options) {
    if (typeof hmac !== "string") throw invalidArgType("hmac", "of type string", hmac);
    releaseDropped();
    const keyBytes = key instanceof KeyObject ? secretOf(key) : toBytes(key, "key", options?.encoding);
    this[kHandle] = checked(ops.nodeHashCreate(hmac, keyBytes));
    this[kSize] = ops.nodeHashSize(hmac);
    this[kDigested] = false;
    registry.register(this, this[kHandle], this);
  }
  update(data, inputEncoding) {
    if (this[kDigested]) throw nodeError(Error, "ERR_CRYPTO_HASH_FINALIZED", "Digest already called");
    checked(ops.nodeHashUpdate(this[kHandle], toBytes(data, "data", inputEncoding)));
    return this;
  }
  digest(outputEncoding) {
    if (this[kDigested]) return encodeOutput(new Uint8Array(0), outputEncoding);
    this[kDigested] = true;
    registry.unregister(this);
    const out = new Uint8Array(Math.max(this[kSize], 0) || 64);
    const n = checked(ops.nodeHashDigest(this[kHandle], out));
    return encodeOutput(out.subarray(0, n), outputEncoding);
  }
}

export function createHash(algorithm, options) { releaseDropped(); return new Hash(algorithm, options); }
export function createHmac(hmac, key, options) { return new Hmac(hmac, key, options); }
export function hash(algorithm, data, outputEncoding = "hex") {
  if (typeof data !== "string" && !isView(data)) throw invalidArgType("data", "of type string or an instance of Buffer, TypedArray, or DataView", data);
  return createHash(algorithm).update(data).digest(outputEncoding);
}

// What workerd lists (createHash also takes the SHA-3 and SHA-512/t digests, and ripemd160).
export function getHashes() {
  return ["md4", "md5", "sha1", "sha224", "sha256", "sha384", "sha512", "md5-sha1", "RSA-MD5", "RSA-SHA1", "RSA-SHA224", "RSA-SHA256", "RSA-SHA384", "RSA-SHA512", "DSA-SHA", "DSA-SHA1", "ecdsa-with-SHA1"];
}
// The ciphers workerd lists (createCipheriv knows the AES, DES, RC4 and ChaCha20-Poly1305 ones).
const CIPHERS = ["AES-128-CBC", "AES-192-CBC", "AES-256-CBC", "AES-128-CTR", "AES-192-CTR", "AES-256-CTR", "AES-128-ECB", "AES-192-ECB",
  "AES-256-ECB", "AES-128-OFB", "AES-192-OFB", "AES-256-OFB", "AES-128-GCM", "AES-192-GCM", "AES-256-GCM", "DES-CBC", "DES-ECB", "DES-EDE",
  "DES-EDE-CBC", "DES-EDE3-CBC", "RC2-CBC", "RC4"];
export function getCiphers() {
  return [...CIPHERS, ...CIPHERS.map((c) => c.toLowerCase()), "aes-128-ccm-bluetooth-8", "aes-256-gcm-randnonce", "aes-128-gcm-siv", "aes-128-ccm-matter",
    "aes-256-gcm-siv", "aes-256-eax", "aes-256-ctr-hmac-sha256", "aes-128-ctr-hmac-sha256", "aes-128-gcm-randnonce", "aes-128-ccm-bluetooth",
    "xchacha20-poly1305", "chacha20-poly1305", "aes-128-eax", "aes-256-gcm", "aes-192-gcm", "aes-128-gcm"];
}
export function getCurves() { return ["secp224r1", "prime256v1", "secp384r1", "secp521r1"]; }

// ---- random -----------------------------------------------------------------------------------
function fill(view) {
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  for (let i = 0; i < bytes.length; i += 65536) globalThis.crypto.getRandomValues(bytes.subarray(i, Math.min(i + 65536, bytes.length)));
  return view;
}

export function randomBytes(size, callback) {
  validateInteger(size, "size", 0, 2 ** 31 - 1);
  const buffer = fill(Buffer.alloc(size));
  if (callback === undefined) return buffer;
  validateFunction(callback, "callback");
  setTimeout(() => callback(null, buffer), 0);
}
export const pseudoRandomBytes = randomBytes;
export const prng = randomBytes;
export const rng = randomBytes;

export function randomFillSync(buffer, offset = 0, size) {
  if (!isView(buffer) && !(buffer instanceof ArrayBuffer)) throw invalidArgType("buf", "an instance of ArrayBuffer or ArrayBufferView", buffer);
  const bytes = buffer instanceof ArrayBuffer ? new Uint8Array(buffer) : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  validateInteger(offset, "offset", 0, bytes.length);
  size ??= bytes.length - offset;
  validateInteger(size, "size", 0, bytes.length - offset);
  fill(bytes.subarray(offset, offset + size));
  return buffer;
}

export function randomFill(buffer, offset, size, callback) {
  if (typeof offset === "function") { callback = offset; offset = 0; size = undefined; }
  else if (typeof size === "function") { callback = size; size = undefined; }
  validateFunction(callback, "callback");
  deferred(callback, () => randomFillSync(buffer, offset, size));
}

export function randomInt(min, max, callback) {
  if (typeof max === "undefined" || typeof max === "function") { callback = max; max = min; min = 0; }
  if (!Number.isSafeInteger(min)) throw invalidArgType("min", "a safe integer", min);
  if (!Number.isSafeInteger(max)) throw invalidArgType("max", "a safe integer", max);
  if (max <= min) throw nodeError(RangeError, "ERR_OUT_OF_RANGE", `The value of "min" is out of range. It must be min < max. Received ${min}`);
  const range = max - min;
  if (range > 2 ** 48 - 1) throw nodeError(RangeError, "ERR_OUT_OF_RANGE", `The value of "max - min" is out of range. It must be <= 281474976710655. Received ${range}`);
  // Rejection sampling over 48 random bits, as Node does.
  const limit = 2 ** 48 - (2 ** 48 % range);
  const six = new Uint8Array(6);
  let x;
  do { fill(six); x = six[0] * 2 ** 40 + six[1] * 2 ** 32 + six[2] * 2 ** 24 + six[3] * 2 ** 16 + six[4] * 2 ** 8 + six[5]; } while (x >= limit);
  const n = min + (x % range);
  if (callback === undefined) return n;
  validateFunction(callback, "callback");
  setTimeout(() => callback(null, n), 0);
}

export function randomUUID(options) { return globalThis.crypto.randomUUID(); }
export function getRandomValues(array) { return globalThis.crypto.getRandomValues(array); }

// ---- key derivation ---------------------------------------------------------------------------
export function pbkdf2Sync(password, salt, iterations, keylen, digest) {
  password = toBytes(password, "password");
  salt = toBytes(salt, "salt");
  validateInteger(iterations, "iterations", 1, 2 ** 31 - 1);
  validateInteger(keylen, "keylen", 0, 2 ** 31 - 1);
  if (typeof digest !== "string") throw invalidArgType("digest", "of type string", digest);
  const out = new Uint8Array(keylen);
  if (keylen > 0 && ops.nodePbkdf2(digest, password, salt, iterations, out) < 0) {
    const e = opError();
    if (e.code === "ERR_CRYPTO_INVALID_DIGEST") throw nodeError(TypeError, "ERR_CRYPTO_INVALID_DIGEST", `Invalid digest: ${digest}`);
    throw e;
  }
  return Buffer.from(out.buffer);
}

export function pbkdf2(password, salt, iterations, keylen, digest, callback) {
  if (typeof digest === "function") { callback = digest; digest = undefined; }
  validateFunction(callback, "callback");
  const result = pbkdf2Sync(password, salt, iterations, keylen, digest);
  setTimeout(() => callback(null, result), 0);
}

export function hkdfSync(digest, ikm, salt, info, keylen) {
  if (typeof digest !== "string") throw invalidArgType("digest", "of type string", digest);
  const key = ikm instanceof KeyObject ? secretOf(ikm) : toBytes(ikm, "ikm");
  salt = toBytes(salt, "salt");
  info = toBytes(info, "info");
  validateInteger(keylen, "length", 0, 2 ** 31 - 1);
  if (info.length > 1024) throw nodeError(RangeError, "ERR_OUT_OF_RANGE", `The value of "info" is out of range. It must be <= 1024. Received ${info.length}`);
  const size = ops.nodeHashSize(digest);
  if (size < 0) throw nodeError(TypeError, "ERR_CRYPTO_INVALID_DIGEST", `Invalid digest: ${digest}`);
  if (keylen > size * 255) throw nodeError(RangeError, "ERR_CRYPTO_INVALID_KEYLEN", "Invalid key length");
  const out = new Uint8Array(keylen);
  if (keylen > 0) checked(ops.nodeHkdf(digest, key, salt, info, out));
  return out.buffer;
}

export function hkdf(digest, ikm, salt, info, keylen, callback) {
  validateFunction(callback, "callback");
  const result = hkdfSync(digest, ikm, salt, info, keylen);
  setTimeout(() => callback(null, result), 0);
}

export function scryptSync(password, salt, keylen, options = {}) {
  password = toBytes(password, "password");
  salt = toBytes(salt, "salt");
  validateInteger(keylen, "keylen", 0, 2 ** 31 - 1);
  const N = options.N ?? options.cost ?? 16384, r = options.r ?? options.blockSize ?? 8, p = options.p ?? options.parallelization ?? 1;
  const maxmem = options.maxmem ?? 32 << 20;
  if (N < 2 || (N & (N - 1)) !== 0 || 128 * N * r > maxmem) {
    throw nodeError(RangeError, "ERR_CRYPTO_INVALID_SCRYPT_PARAMS", "Invalid scrypt params: error:030000E8:digital envelope routines::memory limit exceeded");
  }
  const out = new Uint8Array(keylen);
  if (keylen > 0) checked(ops.nodeScrypt(password, salt, N, r, p, out));
  return Buffer.from(out.buffer);
}

export function scrypt(password, salt, keylen, options, callback) {
  if (typeof options === "function") { callback = options; options = {}; }
  validateFunction(callback, "callback");
  deferred(callback, () => scryptSync(password, salt, keylen, options));
}

export function timingSafeEqual(a, b) {
  if (!isView(a) && !(a instanceof ArrayBuffer)) throw invalidArgType("buf1", "an instance of ArrayBuffer, Buffer, TypedArray, or DataView", a);
  if (!isView(b) && !(b instanceof ArrayBuffer)) throw invalidArgType("buf2", "an instance of ArrayBuffer, Buffer, TypedArray, or DataView", b);
  if (a.byteLength !== b.byteLength) throw nodeError(RangeError, "ERR_CRYPTO_TIMING_SAFE_EQUAL_LENGTH", "Input buffers must have the same byte length");
  return globalThis.crypto.subtle.timingSafeEqual(a, b);
}

// ---- KeyObject ----------------------------------------------------------------------------------
const kSecret = Symbol("secret");
const kKey = Symbol("key");
const keyRegistry = new FinalizationRegistry((handle) => { releasedHandles.push(handle); });

export class KeyObject {
  #type;
  constructor(type, handleOrSecret) {
    if (type !== "secret" && type !== "public" && type !== "private") throw invalidArgType("type", "one of 'secret', 'public', 'private'", type);
    this.#type = type;
    if (type === "secret") this[kSecret] = handleOrSecret;
    else { this[kKey] = handleOrSecret; keyRegistry.register(this, handleOrSecret); }
    Object.defineProperty(this, Symbol.for("flint.KeyObject"), { value: true });
  }
  get type() { return this.#type; }
  get symmetricKeySize() { return this.#type === "secret" ? this[kSecret].length : undefined; }
  get asymmetricKeyType() { return this.#type === "secret" ? undefined : ops.nodeKeyInfo(this[kKey]).split("\n")[0]; }
  get asymmetricKeyDetails() {
    if (this.#type === "secret") return undefined;
    const [type, bits, curve] = ops.nodeKeyInfo(this[kKey]).split("\n");
    if (type === "rsa") return { modulusLength: Number(bits), publicExponent: 65537n };
    if (type === "ec") return { namedCurve: curve };
    return {};
  }
  export(options = {}) {
    if (this.#type === "secret") {
      if (options.format === "jwk") return { kty: "oct", k: Buffer.from(this[kSecret]).toString("base64url") };
      return Buffer.from(this[kSecret]);
    }
    const format = options.format ?? "pem";
    if (format === "jwk") return JSON.parse(takeOutput(ops.nodeKeyJwkExport(this[kKey], this.#type === "public")).toString("utf8"));
    const type = options.type ?? (this.#type === "public" ? "spki" : "pkcs8");
    const { cipher, passphrase } = options;
    if (cipher !== undefined && typeof cipher !== "string") throw invalidArgType("options.cipher", "of type string", cipher);
    if (cipher !== undefined && this.#type === "private") return exportEncrypted(this, format, type, cipher, passphrase, "options");
    // workerd hands a passphrase without a cipher to its host as it is, and only takes bytes there.
    if (typeof passphrase === "string") throw new TypeError("Incorrect type for the 'passphrase' field on 'KeyExportOptions': the provided value is not of type 'BufferSource'.");
    const bytes = takeOutput(ops.nodeKeyExport(this[kKey], format, type, this.#type === "public"));
    return format === "pem" ? bytes.toString("latin1") : bytes;
  }
  equals(other) {
    if (!(other instanceof KeyObject) || other.type !== this.#type) return false;
    if (this.#type === "secret") return Buffer.from(this[kSecret]).equals(Buffer.from(other[kSecret]));
    return this.export({ format: "der", type: this.#type === "public" ? "spki" : "pkcs8" }).equals(other.export({ format: "der", type: this.#type === "public" ? "spki" : "pkcs8" }));
  }
  static from(key) {
    if (typeof CryptoKey !== "function" || !(key instanceof CryptoKey)) throw invalidArgType("key", "an instance of CryptoKey", key);
    throw notImplemented("KeyObject.from");
  }
  get [Symbol.toStringTag]() { return "KeyObject"; }
}

// Node's and workerd's classes behind KeyObject (error messages name them).
class SecretKeyObject extends KeyObject {}
class PublicKeyObject extends KeyObject {}
class PrivateKeyObject extends KeyObject {}
function newKeyObject(type, handle) {
  const Type = type === "secret" ? SecretKeyObject : type === "public" ? PublicKeyObject : PrivateKeyObject;
  return new Type(type, handle);
}

/** An encrypted private key: PKCS#8 (PEM or DER), or PKCS#1 / SEC1 PEM with OpenSSL's Proc-Type and DEK-Info. */
function exportEncrypted(key, format, type, cipher, passphrase, prefix) {
  if (typeof passphrase !== "string" && !isView(passphrase) && !isAnyArrayBuffer(passphrase))
    throw invalidArgType(`${prefix}.passphrase`, "of type string or an instance of Uint8Array", passphrase);
  if (format === "der" && (type === "pkcs1" || type === "sec1"))
    throw nodeError(Error, "ERR_CRYPTO_INCOMPATIBLE_KEY_OPTIONS", `The selected key encoding ${type} does not support encryption.`);
  if (!getCiphers().includes(cipher)) throw new Error(`Unknown cipher: ${cipher}`);
  const bytes = takeOutput(ops.nodeKeyExportEncrypted(key[kKey], format, type, cipher, toBytes(passphrase, "passphrase")));
  return format === "pem" ? bytes.toString("latin1") : bytes;
}

function secretOf(key) {
  if (key.type !== "secret") throw nodeError(TypeError, "ERR_CRYPTO_INVALID_KEY_OBJECT_TYPE", `Invalid key object type ${key.type}, expected secret.`);
  return key[kSecret];
}

export function createSecretKey(key, encoding) {
  return newKeyObject("secret", Uint8Array.from(toBytes(key, "key", encoding)));
}

function importAsymmetric(kind, key) {
  releaseDropped();
  if (key instanceof KeyObject) {
    if (kind === 2 && key.type === "private") return newKeyObject("public", checked(ops.nodeKeyToPublic(key[kKey])));
    return key;
  }
  let data = key, format = "pem", type = "", passphrase = null;
  if (typeof key === "object" && key !== null && !isView(key) && !(key instanceof ArrayBuffer)) {
    data = key.key; format = key.format ?? "pem"; type = key.type ?? ""; passphrase = key.passphrase ?? null;
    if (format === "jwk") {
      if (data === null || typeof data !== "object") throw invalidArgType("key.key", "of type object", data);
      const isPrivate = kind === 1 || data.d !== undefined;
      const key = newKeyObject(isPrivate ? "private" : "public", checked(ops.nodeKeyJwkImport(isPrivate ? 1 : 2, JSON.stringify(data))));
      return kind === 2 && isPrivate ? importAsymmetric(2, key) : key;
    }
    if (data instanceof KeyObject) return importAsymmetric(kind, data);
  }
  if (format === "pem") {
    if (typeof data !== "string") data = Buffer.from(toBytes(data, "key")).toString("utf8");
  } else {
    data = toBytes(data, "key");
  }
  const handle = checked(ops.nodeKeyImport(kind, data, format === "der" ? type : format, passphrase === null ? null : toBytes(passphrase, "passphrase")));
  return newKeyObject(kind === 1 ? "private" : "public", handle);
}

export function createPrivateKey(key) { return importAsymmetric(1, key); }
export function createPublicKey(key) { return importAsymmetric(2, key); }

// ---- sign and verify ----------------------------------------------------------------------------
function keyOptions(key) {
  const o = typeof key === "object" && key !== null && !isView(key) && !(key instanceof KeyObject) ? key : {};
  return {
    padding: o.padding ?? constants.RSA_PKCS1_PADDING,
    saltLength: o.saltLength ?? -2,
    dsaEncoding: o.dsaEncoding === "ieee-p1363" ? 1 : 0,
  };
}

function signWith(algorithm, data, key) {
  const k = importAsymmetric(1, key);
  const o = keyOptions(key);
  return takeOutput(ops.nodeSign(algorithm ?? "", k[kKey], data, o.padding, o.saltLength, o.dsaEncoding));
}

function verifyWith(algorithm, data, key, signature) {
  const k = importAsymmetric(2, key);
  const o = keyOptions(key);
  return checked(ops.nodeVerify(algorithm ?? "", k[kKey], data, signature, o.padding, o.saltLength, o.dsaEncoding)) === 1;
}

class Sign {
  #algorithm; #chunks = [];
  constructor(algorithm) { this.#algorithm = algorithm; }
  update(data, encoding) { this.#chunks.push(Uint8Array.from(toBytes(data, "data", encoding))); return this; }
  sign(privateKey, outputEncoding) {
    const signature = signWith(this.#algorithm, Buffer.concat(this.#chunks), privateKey);
    return outputEncoding === undefined || outputEncoding === "buffer" ? signature : signature.toString(outputEncoding);
  }
  write(data, encoding) { this.update(data, encoding); return true; }
  end(data, encoding) { if (data !== undefined) this.update(data, encoding); return this; }
}

class Verify {
  #algorithm; #chunks = [];
  constructor(algorithm) { this.#algorithm = algorithm; }
  update(data, encoding) { this.#chunks.push(Uint8Array.from(toBytes(data, "data", encoding))); return this; }
  verify(publicKey, signature, signatureEncoding) {
    return verifyWith(this.#algorithm, Buffer.concat(this.#chunks), publicKey, toBytes(signature, "signature", signatureEncoding));
  }
  write(data, encoding) { this.update(data, encoding); return true; }
  end(data, encoding) { if (data !== undefined) this.update(data, encoding); return this; }
}

export function createSign(algorithm) {
  if (typeof algorithm !== "string") throw invalidArgType("algorithm", "of type string", algorithm);
  return new Sign(algorithm);
}
export function createVerify(algorithm) {
  if (typeof algorithm !== "string") throw invalidArgType("algorithm", "of type string", algorithm);
  return new Verify(algorithm);
}
export function sign(algorithm, data, key, callback) {
  const signature = signWith(algorithm, toBytes(data, "data"), key);
  if (callback === undefined) return signature;
  setTimeout(() => callback(null, signature), 0);
}
export function verify(algorithm, data, key, signature, callback) {
  const ok = verifyWith(algorithm, toBytes(data, "data"), key, toBytes(signature, "signature"));
  if (callback === undefined) return ok;
  setTimeout(() => callback(null, ok), 0);
}

// ---- ciphers ------------------------------------------------------------------------------------
const cipherHandles = new FinalizationRegistry((handle) => { releasedHandles.push(handle); });

/** Bytes for a cipher: a Buffer/view as it is, a string only with its encoding (workerd refuses a bare string). */
function cipherInput(data, encoding) {
  if (typeof data === "string") {
    if (encoding === undefined || encoding === null || encoding === "buffer")
      throw nodeError(TypeError, "ERR_INVALID_ARG_VALUE", "The argument 'inputEncoding' If inputEncoding is not provided then the data must be a Buffer. Received undefined");
    return Buffer.from(data, encoding);
  }
  return toBytes(data, "data");
}

function cipherKey(key) {
  if (key instanceof KeyObject) return secretOf(key);
  return toBytes(key, "key");
}

class CipherBase extends Transform {
  #handle; #decoder = null;
  constructor(algorithm, key, iv, options, encrypt) {
    super(options);
    if (typeof algorithm !== "string") throw invalidArgType("cipher", "of type string", algorithm);
    releaseDropped();
    this.#handle = checked(ops.nodeCipherCreate(algorithm, cipherKey(key), iv === null || iv === undefined ? null : toBytes(iv, "iv"), encrypt));
    cipherHandles.register(this, this.#handle);
  }
  #out(bytes, encoding) {
    if (encoding === undefined || encoding === null || encoding === "buffer") return bytes;
    if (encoding === "utf8" || encoding === "utf-8") {
      this.#decoder ??= new TextDecoder();
      return this.#decoder.decode(bytes, { stream: true });
    }
    return bytes.toString(encoding);
  }
  update(data, inputEncoding, outputEncoding) {
    return this.#out(takeOutput(ops.nodeCipherUpdate(this.#handle, cipherInput(data, inputEncoding))), outputEncoding);
  }
  final(outputEncoding) {
    const bytes = takeOutput(ops.nodeCipherFinal(this.#handle));
    const out = this.#out(bytes, outputEncoding);
    return typeof out === "string" && this.#decoder !== null ? out + this.#decoder.decode() : out;
  }
  setAutoPadding(autoPadding = true) { checked(ops.nodeCipherSet(this.#handle, 1, Boolean(autoPadding))); return this; }
  setAAD(buffer, options) { checked(ops.nodeCipherSet(this.#handle, 2, toBytes(buffer, "buffer"))); return this; }
  _transform(chunk, encoding, callback) {
    try { this.push(this.update(chunk, encoding === "buffer" ? undefined : encoding)); callback(); } catch (e) { callback(e); }
  }
  _flush(callback) {
    try { this.push(this.final()); callback(); } catch (e) { callback(e); }
  }
  get _handle() { return this.#handle; }
}

export class Cipheriv extends CipherBase {
  constructor(algorithm, key, iv, options) { super(algorithm, key, iv, options, true); }
  getAuthTag() { return takeOutput(ops.nodeCipherTag(this._handle)); }
}
export class Decipheriv extends CipherBase {
  constructor(algorithm, key, iv, options) { super(algorithm, key, iv, options, false); }
  setAuthTag(buffer, encoding) { checked(ops.nodeCipherSet(this._handle, 3, toBytes(buffer, "buffer", encoding))); return this; }
}
export function createCipheriv(algorithm, key, iv, options) { return new Cipheriv(algorithm, key, iv, options); }
export function createDecipheriv(algorithm, key, iv, options) { return new Decipheriv(algorithm, key, iv, options); }

// ---- key generation ------------------------------------------------------------------------------
const KEY_PAIR_TYPES = ["rsa", "ec", "ed25519", "x25519", "dh"];

function encodeKey(key, encoding, name) {
  if (encoding === undefined || encoding === null) return key;
  const { format = "pem", type, cipher, passphrase } = encoding;
  if (format === "jwk") return key.export({ format: "jwk" });
  if (cipher !== undefined && typeof cipher !== "string") throw invalidArgType(`options.${name}.cipher`, "of type string", cipher);
  if (cipher !== undefined && key.type === "private") return exportEncrypted(key, format, type ?? "pkcs8", cipher, passphrase, `options.${name}`);
  return key.export({ format, type });
}

/** generateKeyPair("dh", { group | prime [, generator] }): workerd makes dh keys from a group or a prime, not from a length. */
function generateDhKey(o) {
  const { group, groupName, prime, primeLength, generator } = o;
  if (generator != null) validateInteger(generator, "options.generator", 0, 2 ** 31 - 1);
  const exclusive = (a, b) => nodeError(Error, "ERR_INCOMPATIBLE_OPTION_PAIR", `The options "${a}" and "${b}" are mutually exclusive.`);
  if (group != null || groupName != null) {
    if (prime != null) throw exclusive("group", "prime");
    if (primeLength != null) throw exclusive("group", "primeLength");
    if (generator != null) throw exclusive("group", "generator");
    const name = group || groupName;
    if (typeof name !== "string") throw invalidArgType("options.group", "of type string", name);
    return checked(ops.nodeDhKeyGenerate(name, null, 2));
  }
  if (prime != null) {
    if (primeLength != null) throw exclusive("prime", "primeLength");
    if (!isView(prime) && !isAnyArrayBuffer(prime)) throw invalidArgType("options.prime", "an instance of Buffer, TypedArray, or ArrayBuffer", prime);
    return checked(ops.nodeDhKeyGenerate(null, toBytes(prime, "options.prime"), generator ?? 2));
  }
  if (primeLength != null) {
    validateInteger(primeLength, "options.primeLength", 0, 2 ** 31 - 1);
    throw new Error("Generating DH keys from a prime length is not yet implemented");
  }
  throw nodeError(Error, "ERR_MISSING_OPTION", "At least one of the group, prime, or primeLength options");
}

export function generateKeyPairSync(type, options = {}) {
  if (typeof type !== "string") throw invalidArgType("type", "of type string", type);
  if (!KEY_PAIR_TYPES.includes(type)) throw nodeError(TypeError, "ERR_INVALID_ARG_VALUE", `The argument 'type' must be one of: ${KEY_PAIR_TYPES.map((t) => `'${t}'`).join(", ")}. Received '${type}'`);
  const o = options ?? {};
  if (type === "rsa") validateInteger(o.modulusLength, "options.modulusLength", 1, 2 ** 31 - 1);
  if (type === "ec" && typeof o.namedCurve !== "string") throw invalidArgType("options.namedCurve", "of type string", o.namedCurve);
  releaseDropped();
  const handle = type === "dh" ? generateDhKey(o) : checked(ops.nodeKeyGenerate(type, o.modulusLength ?? 0, Number(o.publicExponent ?? 65537), o.namedCurve ?? ""));
  const privateKey = newKeyObject("private", handle);
  const publicKey = createPublicKey(privateKey);
  return { publicKey: encodeKey(publicKey, o.publicKeyEncoding, "publicKeyEncoding"), privateKey: encodeKey(privateKey, o.privateKeyEncoding, "privateKeyEncoding") };
}

export function generateKeyPair(type, options, callback) {
  if (typeof options === "function") { callback = options; options = {}; }
  validateFunction(callback, "callback");
  deferred((err, pair) => (err ? callback(err) : callback(null, pair.publicKey, pair.privateKey)), () => generateKeyPairSync(type, options));
}

export function generateKeySync(type, options = {}) {
  const length = options?.length;
  if (type === "hmac") {
    validateInteger(length, "options.length", 8, 2 ** 31 - 1);
    return createSecretKey(randomBytes(Math.floor(length / 8)));
  }
  if (type === "aes") {
    if (![128, 192, 256].includes(length)) throw nodeError(TypeError, "ERR_INVALID_ARG_VALUE", `The property 'options.length' must be one of: 128, 192, 256. Received ${length}`);
    return createSecretKey(randomBytes(length / 8));
  }
  throw nodeError(TypeError, "ERR_INVALID_ARG_VALUE", `The argument 'type' must be one of: 'aes', 'hmac'. Received '${type}'`);
}

export function generateKey(type, options, callback) {
  validateFunction(callback, "callback");
  deferred(callback, () => generateKeySync(type, options));
}

// ---- RSA encryption and key agreement -------------------------------------------------------------
function rsaCrypt(mode, key, buffer) {
  const isPrivate = mode === 2 || mode === 3;
  const k = isPrivate ? importAsymmetric(1, key) : importAsymmetric(2, key);
  const o = typeof key === "object" && key !== null && !isView(key) && !(key instanceof KeyObject) ? key : {};
  const padding = o.padding ?? (mode === 1 || mode === 2 ? constants.RSA_PKCS1_OAEP_PADDING : constants.RSA_PKCS1_PADDING);
  return takeOutput(ops.nodeRsaCrypt(k[kKey], toBytes(buffer, "buffer"), mode, padding, o.oaepHash ?? "sha1"));
}
export function publicEncrypt(key, buffer) { return rsaCrypt(1, key, buffer); }
export function privateDecrypt(key, buffer) { return rsaCrypt(2, key, buffer); }
export function privateEncrypt(key, buffer) { return rsaCrypt(3, key, buffer); }
export function publicDecrypt(key, buffer) { return rsaCrypt(4, key, buffer); }

export function diffieHellman(options) {
  if (options === null || typeof options !== "object") throw invalidArgType("options", "of type object", options);
  const { privateKey, publicKey } = options;
  if (!(publicKey instanceof KeyObject)) throw invalidArgType("options.publicKey", "an instance of KeyObject", publicKey);
  if (!(privateKey instanceof KeyObject)) throw invalidArgType("options.privateKey", "an instance of KeyObject", privateKey);
  if (publicKey.type !== "public") throw invalidArgType("options.publicKey", "public key", publicKey);
  if (privateKey.type !== "private") throw invalidArgType("options.privateKey", "private key", privateKey);
  if (publicKey.asymmetricKeyType !== privateKey.asymmetricKeyType)
    throw nodeError(TypeError, "ERR_INVALID_ARG_VALUE", `The property 'options.publicKey.asymmetricKeyType' must equal privateKey.asymmetricKeyType. Received '${publicKey.asymmetricKeyType}'`);
  return takeOutput(ops.nodeDiffieHellman(privateKey[kKey], publicKey[kKey]));
}

// ---- X509Certificate ------------------------------------------------------------------------------
export class X509Certificate {
  #facts;
  constructor(buffer) {
    const bytes = typeof buffer === "string" ? Buffer.from(buffer) : toBytes(buffer, "buffer");
    this.#facts = JSON.parse(takeOutput(ops.nodeX509Parse(bytes)).toString("utf8"));
  }
  get subject() { return this.#facts.subject; }
  get issuer() { return this.#facts.issuer; }
  get subjectAltName() { return this.#facts.subjectAltName ?? undefined; }
  get infoAccess() { return undefined; }
  get keyUsage() { return undefined; }
  get validFrom() { return this.#facts.validFrom; }
  get validTo() { return this.#facts.validTo; }
  get validFromDate() { return new Date(this.#facts.validFromMs); }
  get validToDate() { return new Date(this.#facts.validToMs); }
  get serialNumber() { return this.#facts.serialNumber; }
  get fingerprint() { return this.#facts.fingerprint; }
  get fingerprint256() { return this.#facts.fingerprint256; }
  get fingerprint512() { return this.#facts.fingerprint512; }
  get ca() { return this.#facts.ca; }
  get raw() { return Buffer.from(this.#facts.raw, "base64"); }
  get publicKey() { return createPublicKey({ key: Buffer.from(this.#facts.spki, "base64"), format: "der", type: "spki" }); }
  checkHost(name, options = {}) {
    if (typeof name !== "string") throw invalidArgType("name", "of type string", name);
    const host = name.toLowerCase();
    const wildcards = options?.wildcards !== false;
    // Subject common names count when there are no DNS names (or always), and only if they look like host names, as BoringSSL has it.
    const subject = options?.subject ?? "default";
    const names = [...this.#facts.dnsNames];
    if (subject === "always" || (subject === "default" && names.length === 0))
      names.push(...this.#facts.subjectNames.filter((n) => /^(\*\.)?[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.?$/.test(n)));
    return names.find((n) => {
      const pattern = n.toLowerCase();
      if (pattern === host) return true;
      return wildcards && pattern.startsWith("*.") && host.endsWith(pattern.slice(1)) && host.split(".").length === pattern.split(".").length;
    });
  }
  checkEmail(email, options = {}) {
    if (typeof email !== "string") throw invalidArgType("email", "of type string", email);
    // The local part is compared as it is, the domain without case (OpenSSL's equal_email).
    const at = email.lastIndexOf("@");
    const same = (candidate) => {
      const i = candidate.lastIndexOf("@");
      return i === at && candidate.slice(0, i) === email.slice(0, at) && candidate.slice(i).toLowerCase() === email.slice(at).toLowerCase();
    };
    const subject = options?.subject ?? "default";
    const names = [...this.#facts.emails];
    if (subject === "always" || (subject === "default" && names.length === 0)) names.push(...this.#facts.subjectEmails);
    return names.find(same);
  }
  checkIP(ip) {
    const canonical = canonicalIp(ip);
    if (canonical === null) throw new Error("Invalid IP");
    return this.#facts.ipAddresses.find((a) => canonicalIp(a) === canonical);
  }
  checkIssued(otherCert) {
    if (!(otherCert instanceof X509Certificate)) throw invalidArgType("otherCert", "an instance of X509Certificate", otherCert);
    return checked(ops.nodeX509CheckIssued(this.raw, otherCert.raw)) === 1;
  }
  // workerd 1.20261117 answers false even for the certificate's own key (its X509_check_private_key call
  // never matches); Flint gives the same answer so a Worker sees what it will see on Cloudflare.
  checkPrivateKey(pkey) {
    if (!(pkey instanceof PrivateKeyObject)) throw invalidArgType("pkey", "an instance of KeyObject", pkey);
    return false;
  }
  verify(pkey) {
    if (!(pkey instanceof PublicKeyObject)) throw invalidArgType("pkey", "an instance of KeyObject", pkey);
    return checked(ops.nodeX509Verify(this.raw, pkey[kKey])) === 1;
  }
  toString() { return this.#facts.pem; }
  toJSON() { return this.#facts.pem; }
  // workerd's legacy object: every key present, undefined where the certificate has no such thing.
  toLegacyObject() {
    const key = this.publicKey, details = key.asymmetricKeyDetails ?? {};
    const jwk = key.asymmetricKeyType === "rsa" ? key.export({ format: "jwk" }) : null;
    return {
      subject: this.subject, issuer: this.issuer, subjectAltName: this.subjectAltName, infoAccess: undefined, ca: this.ca,
      modulus: jwk ? Buffer.from(jwk.n, "base64url").toString("hex").toUpperCase() : undefined,
      exponent: jwk ? "0x" + Buffer.from(jwk.e, "base64url").toString("hex").replace(/^0+/, "") : undefined,
      pubkey: key.export({ type: "spki", format: "der" }), bits: details.modulusLength ?? (details.namedCurve ? { prime256v1: 256, secp384r1: 384, secp521r1: 521 }[details.namedCurve] : undefined),
      asn1Curve: details.namedCurve, nistCurve: details.namedCurve ? { prime256v1: "P-256", secp384r1: "P-384", secp521r1: "P-521" }[details.namedCurve] : undefined,
      valid_from: this.validFrom, valid_to: this.validTo, fingerprint: this.fingerprint, fingerprint256: this.fingerprint256, fingerprint512: this.fingerprint512,
      ext_key_usage: undefined, serialNumber: this.serialNumber, raw: this.raw,
    };
  }
}

/** An IP address in one spelling (IPv4 dotted, IPv6 as URL hosts print it), or null when it is none. */
function canonicalIp(ip) {
  if (typeof ip !== "string") throw invalidArgType("ip", "of type string", ip);
  if (/^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/.test(ip)) return ip;
  if (!ip.includes(":") || /[^0-9A-Fa-f:.]/.test(ip)) return null;
  try { return new URL(`http://[${ip}]/`).hostname; } catch { return null; }
}

// ---- ECDH --------------------------------------------------------------------------------------
const ECDH_CURVES = { prime256v1: "P-256", "P-256": "P-256", secp256r1: "P-256", secp384r1: "P-384", "P-384": "P-384", secp521r1: "P-521", "P-521": "P-521" };

function encoded(bytes, encoding) { return encoding === undefined || encoding === "buffer" ? bytes : bytes.toString(encoding); }
function decodedKey(key, encoding, name) { return typeof key === "string" ? Buffer.from(key, encoding ?? "utf8") : toBytes(key, name); }

export class ECDH {
  #curve; #key = null;
  constructor(curve) {
    if (typeof curve !== "string") throw invalidArgType("curve", "of type string", curve);
    if (!(curve in ECDH_CURVES)) throw new Error("Invalid curve"); // workerd's words
    this.#curve = ECDH_CURVES[curve];
  }
  #keyObject() {
    if (this.#key === null) throw new Error("Failed to get ECDH key: the keys have not been generated or set");
    return this.#key;
  }
  generateKeys(encoding, format) {
    releaseDropped();
    this.#key = newKeyObject("private", checked(ops.nodeKeyGenerate("ec", 0, 0, this.#curve)));
    return this.getPublicKey(encoding, format);
  }
  getPublicKey(encoding, format) { return encoded(takeOutput(ops.nodeEcPoint(this.#keyObject()[kKey], format === "compressed")), encoding); }
  getPrivateKey(encoding) {
    const jwk = this.#keyObject().export({ format: "jwk" });
    return encoded(Buffer.from(jwk.d, "base64url"), encoding);
  }
  setPrivateKey(key, encoding) {
    releaseDropped();
    this.#key = newKeyObject("private", checked(ops.nodeEcFromPrivate(this.#curve, decodedKey(key, encoding, "key"))));
    return this;
  }
  setPublicKey() { throw notImplemented("ECDH.setPublicKey"); }
  computeSecret(otherPublicKey, inputEncoding, outputEncoding) {
    const point = decodedKey(otherPublicKey, inputEncoding, "otherPublicKey");
    return encoded(takeOutput(ops.nodeEcAgreePoint(this.#keyObject()[kKey], point)), outputEncoding);
  }
  static convertKey(key, curve, inputEncoding, outputEncoding, format) {
    if (!(curve in ECDH_CURVES)) throw nodeError(TypeError, "ERR_CRYPTO_INVALID_CURVE", "Invalid EC curve name");
    const point = decodedKey(key, inputEncoding, "key");
    const jwk = { kty: "EC", crv: ECDH_CURVES[curve], ...pointCoordinates(point) };
    const handle = checked(ops.nodeKeyJwkImport(2, JSON.stringify(jwk)));
    return encoded(takeOutput(ops.nodeEcPoint(handle, format === "compressed")), outputEncoding);
  }
}
function pointCoordinates(point) {
  if (point[0] !== 4) throw nodeError(Error, "ERR_CRYPTO_ECDH_INVALID_PUBLIC_KEY", "Public key is not valid for specified curve");
  const size = (point.length - 1) / 2;
  return { x: Buffer.from(point.subarray(1, 1 + size)).toString("base64url"), y: Buffer.from(point.subarray(1 + size)).toString("base64url") };
}
export function createECDH(curve) { return new ECDH(curve); }

// ---- primes -------------------------------------------------------------------------------------
function candidateBytes(candidate) {
  if (typeof candidate === "bigint") {
    if (candidate < 0n) throw nodeError(RangeError, "ERR_OUT_OF_RANGE", `The value of "candidate" is out of range. It must be >= 0. Received ${candidate}`);
    let hex = candidate.toString(16);
    if (hex.length % 2) hex = "0" + hex;
    return Buffer.from(hex, "hex");
  }
  return toBytes(candidate, "candidate");
}
export function checkPrimeSync(candidate, options = {}) { return checked(ops.nodePrimeCheck(candidateBytes(candidate), options.checks ?? 0)) === 1; }
export function checkPrime(candidate, options, callback) {
  if (typeof options === "function") { callback = options; options = {}; }
  validateFunction(callback, "callback");
  deferred(callback, () => checkPrimeSync(candidate, options));
}
export function generatePrimeSync(size, options = {}) {
  validateInteger(size, "size", 1, 2 ** 31 - 1);
  if (options.add !== undefined || options.rem !== undefined) throw notImplemented("generatePrime with add or rem");
  const bytes = takeOutput(ops.nodePrimeGenerate(size, Boolean(options.safe)));
  return options.bigint ? BigInt("0x" + bytes.toString("hex")) : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
}
export function generatePrime(size, options, callback) {
  if (typeof options === "function") { callback = options; options = {}; }
  validateFunction(callback, "callback");
  deferred(callback, () => generatePrimeSync(size, options));
}

// ---- finite-field Diffie-Hellman ---------------------------------------------------------------
// Node's argument handling (workerd's crypto_dh.ts); p, g and the keys live in the host (NodeDhOps.cs).
const kDh = Symbol("dh");
const dhHandles = new FinalizationRegistry((handle) => { releasedHandles.push(handle); });
const DH_INPUT = "one of type number or string or an instance of ArrayBuffer, Buffer, TypedArray, or DataView";
const validateInt32 = (value, name) => validateInteger(value, name, -(2 ** 31), 2 ** 31 - 1);
const asBytes = (v) => (isAnyArrayBuffer(v) ? new Uint8Array(v) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
function dhKey(key, encoding) {
  if (typeof key === "string") return Buffer.from(key, encoding === undefined || encoding === "buffer" ? "utf8" : encoding);
  if (isView(key) || isAnyArrayBuffer(key)) return asBytes(key);
  throw invalidArgType("key", "of type string or an instance of ArrayBuffer, Buffer, TypedArray, or DataView", key);
}
const dhOut = (bytes, encoding) => (encoding && encoding !== "buffer" ? bytes.toString(encoding) : bytes);

export function DiffieHellman(sizeOrKey, keyEncoding, generator, genEncoding) {
  if (!(this instanceof DiffieHellman)) return new DiffieHellman(sizeOrKey, keyEncoding, generator, genEncoding);
  if (typeof sizeOrKey !== "number" && typeof sizeOrKey !== "string" && !isView(sizeOrKey) && !isAnyArrayBuffer(sizeOrKey))
    throw invalidArgType("sizeOrKey", DH_INPUT, sizeOrKey);
  if (typeof sizeOrKey === "number") validateInt32(sizeOrKey, "sizeOrKey");
  if (keyEncoding && keyEncoding !== "buffer" && !Buffer.isEncoding(keyEncoding)) {
    genEncoding = generator;
    generator = keyEncoding;
    keyEncoding = "utf-8";
  }
  keyEncoding ??= "utf-8";
  genEncoding ??= "utf-8";
  const prime = typeof sizeOrKey === "number" ? null : typeof sizeOrKey === "string" ? Buffer.from(sizeOrKey, keyEncoding) : asBytes(sizeOrKey);
  if (!generator) generator = 2;
  else if (typeof generator === "number") validateInt32(generator, "generator");
  else if (typeof generator === "string") generator = Buffer.from(generator, genEncoding);
  else if (!isView(generator) && !isAnyArrayBuffer(generator)) throw invalidArgType("generator", DH_INPUT, generator);
  releaseDropped();
  const numeric = typeof generator === "number";
  this[kDh] = checked(ops.nodeDhCreate(prime, prime === null ? sizeOrKey : 0, numeric ? null : asBytes(generator), numeric ? generator : 0));
  dhHandles.register(this, this[kDh]);
}

export function DiffieHellmanGroup(name) {
  if (!(this instanceof DiffieHellmanGroup)) return new DiffieHellmanGroup(name);
  releaseDropped();
  this[kDh] = checked(ops.nodeDhGroup(String(name)));
  dhHandles.register(this, this[kDh]);
}

const dhMethods = {
  generateKeys(encoding) { return dhOut(takeOutput(ops.nodeDhGenerateKeys(this[kDh])), encoding); },
  computeSecret(key, inputEncoding, outputEncoding) {
    return dhOut(takeOutput(ops.nodeDhComputeSecret(this[kDh], dhKey(key, inputEncoding))), outputEncoding);
  },
  getPrime(encoding) { return dhOut(takeOutput(ops.nodeDhGet(this[kDh], 1)), encoding); },
  getGenerator(encoding) { return dhOut(takeOutput(ops.nodeDhGet(this[kDh], 2)), encoding); },
  getPublicKey(encoding) { return dhOut(takeOutput(ops.nodeDhGet(this[kDh], 3)), encoding); },
  getPrivateKey(encoding) { return dhOut(takeOutput(ops.nodeDhGet(this[kDh], 4)), encoding); },
};
const dhSetters = {
  setPublicKey(key, encoding) { checked(ops.nodeDhSet(this[kDh], 3, dhKey(key, encoding))); return this; },
  setPrivateKey(key, encoding) { checked(ops.nodeDhSet(this[kDh], 4, dhKey(key, encoding))); return this; },
};
const verifyError = { get() { return checked(ops.nodeDhCheck(this[kDh])); }, enumerable: true, configurable: true };
for (const [name, fn] of Object.entries({ ...dhMethods, ...dhSetters })) {
  Object.defineProperty(DiffieHellman.prototype, name, { value: fn, writable: true, configurable: true });
  if (name in dhMethods) Object.defineProperty(DiffieHellmanGroup.prototype, name, { value: fn, writable: true, configurable: true });
}
Object.defineProperty(DiffieHellman.prototype, "verifyError", verifyError);
Object.defineProperty(DiffieHellmanGroup.prototype, "verifyError", verifyError);

export function createDiffieHellman(sizeOrKey, keyEncoding, generator, genEncoding) {
  return new DiffieHellman(sizeOrKey, keyEncoding, generator, genEncoding);
}
export function createDiffieHellmanGroup(name) { return new DiffieHellmanGroup(name); }
export function getDiffieHellman(name) { return createDiffieHellmanGroup(name); }

export const constants = Object.freeze({
  RSA_PKCS1_PADDING: 1, RSA_NO_PADDING: 3, RSA_PKCS1_OAEP_PADDING: 4, RSA_PKCS1_PSS_PADDING: 6,
  RSA_PSS_SALTLEN_DIGEST: -1, RSA_PSS_SALTLEN_MAX_SIGN: -2, RSA_PSS_SALTLEN_AUTO: -2,
  POINT_CONVERSION_COMPRESSED: 2, POINT_CONVERSION_UNCOMPRESSED: 4, POINT_CONVERSION_HYBRID: 6,
});

export const webcrypto = globalThis.crypto;
export const subtle = globalThis.crypto.subtle;
export function getFips() { return 0; }
export function setFips() { throw notImplemented("crypto.setFips"); }

export { Hash, Hmac, Sign, Verify };
export default {
  createHash, createHmac, hash, getHashes, getCiphers, getCurves, randomBytes, pseudoRandomBytes, prng, rng, randomFillSync,
  randomFill, randomInt, randomUUID, getRandomValues, pbkdf2, pbkdf2Sync, hkdf, hkdfSync, scrypt, scryptSync,
  timingSafeEqual, KeyObject, createSecretKey, createPrivateKey, createPublicKey, createSign, createVerify, sign, verify,
  createCipheriv, createDecipheriv, Cipheriv, Decipheriv, generateKeyPair, generateKeyPairSync, generateKey, generateKeySync,
  createDiffieHellman, createDiffieHellmanGroup, getDiffieHellman, DiffieHellman, DiffieHellmanGroup, createECDH, ECDH, diffieHellman, publicEncrypt, privateDecrypt,
  privateEncrypt, publicDecrypt, generatePrime, generatePrimeSync, checkPrime, checkPrimeSync, X509Certificate, constants,
  webcrypto, subtle, getFips, setFips, Hash, Hmac, Sign, Verify,
};
