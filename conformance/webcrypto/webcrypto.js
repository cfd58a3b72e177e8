// W3C Web Cryptography API.

const enc = new TextEncoder();
const hex = (buf) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");

test("crypto globals", () => {
  assert_class_string(crypto, "Crypto");
  assert_class_string(crypto.subtle, "SubtleCrypto");
  assert_equals(crypto.subtle, crypto.subtle);
});

test("getRandomValues fills and returns the same array", () => {
  const a = new Uint32Array(8);
  const r = crypto.getRandomValues(a);
  assert_equals(r, a);
  assert_true(a.some((x) => x !== 0));
});

test("getRandomValues refuses floats and more than 65536 bytes", () => {
  assert_throws_dom("TypeMismatchError", () => crypto.getRandomValues(new Float64Array(1)));
  assert_throws_dom("QuotaExceededError", () => crypto.getRandomValues(new Uint8Array(65537)));
  crypto.getRandomValues(new Uint8Array(65536));
});

test("randomUUID is a version 4 UUID", () => {
  assert_true(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(crypto.randomUUID()));
});

test("SHA-256 digest", async () => {
  assert_equals(hex(await crypto.subtle.digest("SHA-256", enc.encode("abc"))), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
});

test("SHA-1, SHA-384 and SHA-512 digests of the empty string", async () => {
  assert_equals(hex(await crypto.subtle.digest("SHA-1", new Uint8Array())), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  assert_equals(hex(await crypto.subtle.digest({ name: "sha-384" }, new Uint8Array())).slice(0, 16), "38b060a751ac9638");
  assert_equals(hex(await crypto.subtle.digest("SHA-512", new ArrayBuffer(0))).slice(0, 16), "cf83e1357eefb8bd");
});

test("digest of an unknown algorithm rejects with NotSupportedError", async () => {
  await promise_rejects_dom("NotSupportedError", crypto.subtle.digest("SHA-3", new Uint8Array()));
});

test("HMAC sign and verify", async () => {
  const key = await crypto.subtle.importKey("raw", enc.encode("key"), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
  const sig = await crypto.subtle.sign("HMAC", key, enc.encode("The quick brown fox jumps over the lazy dog"));
  assert_equals(hex(sig), "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
  assert_true(await crypto.subtle.verify("HMAC", key, sig, enc.encode("The quick brown fox jumps over the lazy dog")));
  assert_false(await crypto.subtle.verify("HMAC", key, sig, enc.encode("tampered")));
});

test("CryptoKey properties", async () => {
  const key = await crypto.subtle.importKey("raw", enc.encode("k"), { name: "HMAC", hash: "SHA-1" }, true, ["sign"]);
  assert_class_string(key, "CryptoKey");
  assert_equals(key.type, "secret");
  assert_true(key.extractable);
  assert_equals(key.algorithm.name, "HMAC");
  assert_equals(key.algorithm.hash.name, "SHA-1");
  assert_equals(key.algorithm.length, 8);
  assert_array_equals(key.usages, ["sign"]);
});

test("a non-extractable key cannot be exported", async () => {
  const key = await crypto.subtle.importKey("raw", enc.encode("k"), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  await promise_rejects_dom("InvalidAccessError", crypto.subtle.exportKey("raw", key));
});

test("a key used for an operation it does not allow", async () => {
  const key = await crypto.subtle.importKey("raw", enc.encode("k"), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
  await promise_rejects_dom("InvalidAccessError", crypto.subtle.sign("HMAC", key, new Uint8Array()));
});

test("invalid usages reject with SyntaxError", async () => {
  await promise_rejects_dom("SyntaxError", crypto.subtle.importKey("raw", enc.encode("k"), { name: "HMAC", hash: "SHA-256" }, false, ["encrypt"]));
  await promise_rejects_dom("SyntaxError", crypto.subtle.generateKey({ name: "AES-GCM", length: 128 }, false, []));
});

test("AES-GCM encrypt and decrypt round trip", async () => {
  const key = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, true, ["encrypt", "decrypt"]);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, enc.encode("secret"));
  assert_equals(ct.byteLength, 6 + 16);
  const pt = await crypto.subtle.decrypt({ name: "AES-GCM", iv }, key, ct);
  assert_equals(new TextDecoder().decode(pt), "secret");
});

test("AES-GCM with a wrong tag rejects with OperationError", async () => {
  const key = await crypto.subtle.generateKey({ name: "AES-GCM", length: 128 }, false, ["encrypt", "decrypt"]);
  const iv = new Uint8Array(12);
  const ct = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, enc.encode("x")));
  ct[ct.length - 1] ^= 1;
  await promise_rejects_dom("OperationError", crypto.subtle.decrypt({ name: "AES-GCM", iv }, key, ct));
});

test("AES-CBC with a known vector", async () => {
  const raw = new Uint8Array(16);
  const key = await crypto.subtle.importKey("raw", raw, "AES-CBC", false, ["encrypt"]);
  const ct = await crypto.subtle.encrypt({ name: "AES-CBC", iv: new Uint8Array(16) }, key, new Uint8Array(16));
  assert_equals(hex(ct).slice(0, 32), "66e94bd4ef8a2c3b884cfa59ca342b2e");
  assert_equals(ct.byteLength, 32, "PKCS#7 padding adds a block");
});

test("an AES key of the wrong length rejects with DataError", async () => {
  await promise_rejects_dom("DataError", crypto.subtle.importKey("raw", new Uint8Array(15), "AES-GCM", false, ["encrypt"]));
});

test("PBKDF2 deriveBits (RFC 6070)", async () => {
  const key = await crypto.subtle.importKey("raw", enc.encode("password"), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", salt: enc.encode("salt"), iterations: 1, hash: "SHA-1" }, key, 160);
  assert_equals(hex(bits), "0c60c80f961f0e71f3a9b524af6012062fe037a6");
});

test("HKDF deriveBits (RFC 5869 case 1)", async () => {
  const ikm = new Uint8Array(22).fill(0x0b);
  const salt = Uint8Array.from({ length: 13 }, (_, i) => i);
  const info = Uint8Array.from({ length: 10 }, (_, i) => 0xf0 + i);
  const key = await crypto.subtle.importKey("raw", ikm, "HKDF", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt, info }, key, 336);
  assert_equals(hex(bits), "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
});

test("ECDSA P-256 sign and verify", async () => {
  const { privateKey, publicKey } = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]);
  assert_equals(privateKey.type, "private");
  assert_equals(publicKey.type, "public");
  assert_true(publicKey.extractable, "public keys are always extractable");
  const data = enc.encode("msg");
  const sig = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, privateKey, data);
  assert_equals(sig.byteLength, 64);
  assert_true(await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, publicKey, sig, data));
});

test("Ed25519 sign and verify", async () => {
  const { privateKey, publicKey } = await crypto.subtle.generateKey("Ed25519", true, ["sign", "verify"]);
  const sig = await crypto.subtle.sign("Ed25519", privateKey, enc.encode("m"));
  assert_equals(sig.byteLength, 64);
  assert_true(await crypto.subtle.verify("Ed25519", publicKey, sig, enc.encode("m")));
  const raw = await crypto.subtle.exportKey("raw", publicKey);
  assert_equals(raw.byteLength, 32);
});

test("JWK export of an HMAC key", async () => {
  const key = await crypto.subtle.importKey("raw", new Uint8Array([1, 2, 3]), { name: "HMAC", hash: "SHA-256" }, true, ["sign"]);
  const jwk = await crypto.subtle.exportKey("jwk", key);
  assert_equals(jwk.kty, "oct");
  assert_equals(jwk.k, "AQID");
  assert_equals(jwk.alg, "HS256");
  assert_true(jwk.ext);
  assert_array_equals(jwk.key_ops, ["sign"]);
});

test("RSA-OAEP generate, encrypt, decrypt", async () => {
  const { publicKey, privateKey } = await crypto.subtle.generateKey(
    { name: "RSA-OAEP", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }, false, ["encrypt", "decrypt"]);
  assert_equals(publicKey.algorithm.modulusLength, 2048);
  const ct = await crypto.subtle.encrypt({ name: "RSA-OAEP" }, publicKey, enc.encode("hi"));
  assert_equals(ct.byteLength, 256);
  assert_equals(new TextDecoder().decode(await crypto.subtle.decrypt({ name: "RSA-OAEP" }, privateKey, ct)), "hi");
});

test("wrapKey and unwrapKey with AES-KW", async () => {
  const kek = await crypto.subtle.generateKey({ name: "AES-KW", length: 128 }, false, ["wrapKey", "unwrapKey"]);
  const key = await crypto.subtle.generateKey({ name: "AES-GCM", length: 128 }, true, ["encrypt"]);
  const wrapped = await crypto.subtle.wrapKey("raw", key, kek, "AES-KW");
  assert_equals(wrapped.byteLength, 24);
  const back = await crypto.subtle.unwrapKey("raw", wrapped, kek, "AES-KW", "AES-GCM", true, ["encrypt"]);
  assert_equals(hex(await crypto.subtle.exportKey("raw", back)), hex(await crypto.subtle.exportKey("raw", key)));
});

test("SubtleCrypto methods reject, never throw, on bad input", async () => {
  let p;
  try { p = crypto.subtle.encrypt({ name: "AES-GCM" }, {}, new Uint8Array()); } catch (e) { assert_unreached("threw synchronously: " + e); }
  await promise_rejects_js(TypeError, p);
});
