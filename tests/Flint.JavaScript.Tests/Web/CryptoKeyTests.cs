using Flint.JavaScript.Tests.Support;

namespace Flint.JavaScript.Tests.Web;

/// <summary>
/// The shapes around crypto.subtle: CryptoKey and CryptoKeyPair objects, Web IDL argument errors,
/// wrapKey/unwrapKey across algorithms and formats, and crypto.DigestStream. Every script here
/// also passes unchanged in workerd.
/// </summary>
public class CryptoKeyTests
{
    private const string Helpers = """
        const hex = (b) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, "0")).join("");
        const te = new TextEncoder();
        const s = crypto.subtle;
        """;

    [Fact]
    public Task CryptoKeysLookLikeWorkerds() => JsChecks.RunAsync(Helpers + """
        check("read-only own data properties, in workerd's order", async () => {
          const k = await s.generateKey({ name: "HMAC", hash: "SHA-256" }, true, ["sign"]);
          eq(Object.getOwnPropertyNames(k), ["usages", "algorithm", "extractable", "type"]);
          const d = Object.getOwnPropertyDescriptor(k, "algorithm");
          eq([d.writable, d.enumerable, d.configurable], [false, true, true]);
          ok(k.algorithm === k.algorithm && k.usages === k.usages);
          throws(() => { k.type = "public"; }, "TypeError");
          eq(JSON.stringify(k), `{"usages":["sign"],"algorithm":{"name":"HMAC","hash":{"name":"SHA-256"},"length":512},"extractable":true,"type":"secret"}`);
          eq(Object.getOwnPropertyNames(CryptoKey.prototype), ["constructor"]);
          eq(Object.prototype.toString.call(k), "[object CryptoKey]");
          ok(k instanceof CryptoKey);
        });
        check("CryptoKey and SubtleCrypto cannot be constructed", () => {
          throws(() => new CryptoKey(), "TypeError", "Illegal constructor");
          throws(() => new SubtleCrypto(), "TypeError", "Illegal constructor");
          eq(Object.prototype.toString.call(crypto.subtle), "[object SubtleCrypto]");
          ok(crypto.subtle === crypto.subtle);
          eq(typeof Object.getOwnPropertyDescriptor(Crypto.prototype, "subtle").get, "function");
        });
        check("usages are deduplicated and put in the spec's order", async () => {
          const k = await s.importKey("raw", new Uint8Array(16), "AES-GCM", false, ["unwrapKey", "decrypt", "encrypt", "decrypt"]);
          eq(k.usages, ["encrypt", "decrypt", "unwrapKey"]);
        });
        check("key pairs are plain objects", async () => {
          const pair = await s.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["verify", "sign"]);
          eq(Object.keys(pair), ["publicKey", "privateKey"]);
          ok(Object.getPrototypeOf(pair) === Object.prototype);
          eq([pair.publicKey.type, pair.publicKey.extractable, pair.publicKey.usages.join()], ["public", true, "verify"]);
          eq([pair.privateKey.type, pair.privateKey.extractable, pair.privateKey.usages.join()], ["private", false, "sign"]);
        });
        check("keys cannot be structured-cloned", async () => {
          const k = await s.generateKey({ name: "AES-GCM", length: 128 }, true, ["encrypt"]);
          throws(() => structuredClone(k), "DataCloneError", `Could not serialize object of type "CryptoKey". This type does not support serialization.`);
        });
        check("methods check their receiver", () => {
          throws(() => s.digest.call({}, "SHA-1", new Uint8Array(1)), "TypeError", "Illegal invocation");
          eq(s.digest.name, "digest");
        });
        """);

    [Fact]
    public Task ArgumentErrorsMatchWorkerd() => JsChecks.RunAsync(Helpers + """
        check("missing and mistyped arguments reject", async () => {
          const k = await s.generateKey({ name: "HMAC", hash: "SHA-256" }, true, ["sign"]);
          await rejects(s.importKey("raw"), "TypeError", "Failed to execute 'importKey' on 'SubtleCrypto': parameter 2 is not of type 'BufferSource or JsonWebKey'.");
          await rejects(s.importKey(), "TypeError", "Failed to execute 'importKey' on 'SubtleCrypto': parameter 1 is not of type 'string'.");
          await rejects(s.importKey("raw", new Uint8Array(16), "AES-GCM"), "TypeError", "parameter 4 is not of type 'boolean'.");
          await rejects(s.importKey("raw", new Uint8Array(16), "AES-GCM", true, "encrypt"), "TypeError", "Failed to execute 'importKey' on 'SubtleCrypto': parameter 5 is not of type 'Array'.");
          await rejects(s.importKey("jwk", null, "AES-GCM", true, ["encrypt"]), "TypeError",
            "Cannot initialize N7workerd3api12SubtleCrypto10JsonWebKeyE with required members from an undefined or null value.");
          await rejects(s.importKey("jwk", { kty: "oct", key_ops: "sign" }, "AES-GCM", true, ["encrypt"]), "TypeError",
            "Incorrect type for the 'key_ops' field on 'JsonWebKey': the provided value is not of type 'Array'.");
          await rejects(s.exportKey(), "TypeError", "Failed to execute 'exportKey' on 'SubtleCrypto': parameter 1 is not of type 'string'.");
          await rejects(s.exportKey("raw", {}), "TypeError", "Failed to execute 'exportKey' on 'SubtleCrypto': parameter 2 is not of type 'CryptoKey'.");
          await rejects(s.generateKey("AES-GCM"), "TypeError", "Failed to execute 'generateKey' on 'SubtleCrypto': parameter 2 is not of type 'boolean'.");
          await rejects(s.generateKey({ name: "AES-GCM", length: 128 }, true, "encrypt"), "TypeError", "parameter 3 is not of type 'Array'.");
          await rejects(s.wrapKey("raw", k), "TypeError", "Failed to execute 'wrapKey' on 'SubtleCrypto': parameter 3 is not of type 'CryptoKey'.");
          await rejects(s.unwrapKey("raw", new Uint8Array(8)), "TypeError", "Failed to execute 'unwrapKey' on 'SubtleCrypto': parameter 3 is not of type 'CryptoKey'.");
          await rejects(s.deriveKey({ name: "HKDF" }, k), "TypeError", "Failed to execute 'deriveKey' on 'SubtleCrypto': parameter 3 is not of type 'string or ImportKeyAlgorithm'.");
          await rejects(s.deriveBits({ name: "HKDF" }), "TypeError", "Failed to execute 'deriveBits' on 'SubtleCrypto': parameter 2 is not of type 'CryptoKey'.");
          await rejects(s.encrypt(), "TypeError", "Failed to execute 'encrypt' on 'SubtleCrypto': parameter 1 is not of type 'string or EncryptAlgorithm'.");
          await rejects(s.verify("HMAC", k, new Uint8Array(1)), "TypeError", "Failed to execute 'verify' on 'SubtleCrypto': parameter 4 is not of type 'BufferSource'.");
          await rejects(s.importKey("raw", new Uint8Array(16), { name: "HMAC", hash: null }, true, ["sign"]), "TypeError",
            "Cannot initialize N7workerd3api12SubtleCrypto13HashAlgorithmE with required members from an undefined or null value.");
        });
        check("unknown algorithms and formats", async () => {
          const k = await s.generateKey({ name: "HMAC", hash: "SHA-256" }, true, ["sign"]);
          await rejects(s.importKey("raw", new Uint8Array(16), { name: "FOO" }, true, ["sign"]), "NotSupportedError", `Unrecognized key import algorithm "FOO" requested.`);
          await rejects(s.importKey("raw", new Uint8Array(16), {}, true, ["sign"]), "NotSupportedError", `Unrecognized key import algorithm "undefined" requested.`);
          await rejects(s.importKey("raw", new Uint8Array(16), 5, true, ["sign"]), "NotSupportedError", `Unrecognized key import algorithm "5" requested.`);
          await rejects(s.importKey("foo", new Uint8Array(16), "AES-GCM", true, ["encrypt"]), "NotSupportedError", `Unrecognized key import format "foo".`);
          await rejects(s.importKey("raw", {}, "AES-GCM", true, ["encrypt"]), "TypeError", "Import data provided for buffer-based import formats must be a buffer source.");
          await rejects(s.importKey("jwk", new Uint8Array(3), "AES-GCM", true, ["encrypt"]), "TypeError", `Import data provided for "jwk" import format must be a JsonWebKey.`);
          await rejects(s.generateKey({ name: "FOO" }, true, ["sign"]), "NotSupportedError", `Unrecognized key generation algorithm "FOO" requested.`);
          await rejects(s.exportKey("RAW", k), "NotSupportedError", `Unimplemented key export format "RAW".`);
          for (const format of ["raw-secret", "raw-public", "raw-private", "raw-seed"]) {
            await rejects(s.importKey(format, new Uint8Array(32), "Ed25519", true, ["verify"]), "NotSupportedError", `Key format "${format}" requires the webcrypto_modern_algorithms flag.`);
          }
          await rejects(s.exportKey("raw-secret", k), "NotSupportedError", `Key format "raw-secret" requires the webcrypto_modern_algorithms flag.`);
        });
        check("extractability", async () => {
          await rejects(s.importKey("jwk", { kty: "oct", k: "AAAAAAAAAAAAAAAAAAAAAA", ext: false }, "AES-GCM", true, ["encrypt"]), "DataError",
            `JWK ext field for "AES-GCM" is set to false but extractable is true`);
          const k = await s.importKey("jwk", { kty: "oct", k: "AAAAAAAAAAAAAAAAAAAAAA", ext: false }, "AES-GCM", false, ["encrypt"]);
          await rejects(s.exportKey("jwk", k), "InvalidAccessError", "Attempt to export non-extractable AES-GCM key.");
          for (const extractable of [1, "yes", {}]) eq((await s.importKey("raw", new Uint8Array(16), "AES-GCM", extractable, ["encrypt"])).extractable, true);
          for (const extractable of [0, null, undefined]) eq((await s.importKey("raw", new Uint8Array(16), "AES-GCM", extractable, ["encrypt"])).extractable, false);
        });
        """);

    [Fact]
    public Task WrapAndUnwrapRoundTrip() => JsChecks.RunAsync(Helpers + """
        const secret = async () => s.importKey("raw", new Uint8Array(32).map((_, i) => i), "AES-CBC", true, ["encrypt", "decrypt"]);
        const same = async (a, b) => eq(hex(await s.exportKey("raw", a)), hex(await s.exportKey("raw", b)));
        check("AES-KW, raw", async () => {
          const kek = await s.generateKey({ name: "AES-KW", length: 256 }, false, ["wrapKey", "unwrapKey"]);
          const key = await secret();
          const wrapped = await s.wrapKey("raw", key, kek, "AES-KW");
          eq(wrapped.byteLength, 40);
          await same(key, await s.unwrapKey("raw", wrapped, kek, "AES-KW", "AES-CBC", true, ["decrypt"]));
        });
        check("AES-GCM and AES-CBC, jwk", async () => {
          const key = await secret();
          for (const [name, params] of [["AES-GCM", { name: "AES-GCM", iv: new Uint8Array(12) }], ["AES-CBC", { name: "AES-CBC", iv: new Uint8Array(16) }]]) {
            const kek = await s.generateKey({ name, length: 128 }, true, ["wrapKey", "unwrapKey"]);
            const wrapped = await s.wrapKey("jwk", key, kek, params);
            const json = JSON.parse(new TextDecoder().decode(await s.decrypt(params, await s.importKey("raw", await s.exportKey("raw", kek), name, false, ["decrypt"]), wrapped)));
            eq(Object.keys(json), ["kty", "key_ops", "alg", "ext", "k"]);
            const back = await s.unwrapKey("jwk", wrapped, kek, params, "AES-CBC", false, ["encrypt"]);
            eq(back.extractable, false);
            eq(back.usages, ["encrypt"]);
          }
        });
        check("RSA-OAEP wraps a key; pkcs8 wraps under AES-GCM", async () => {
          const rsa = await s.generateKey({ name: "RSA-OAEP", modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }, true, ["wrapKey", "unwrapKey"]);
          const key = await secret();
          const wrapped = await s.wrapKey("raw", key, rsa.publicKey, { name: "RSA-OAEP" });
          eq(wrapped.byteLength, 128);
          await same(key, await s.unwrapKey("raw", wrapped, rsa.privateKey, "RSA-OAEP", "AES-CBC", true, ["encrypt"]));
          const ec = await s.generateKey({ name: "ECDSA", namedCurve: "P-384" }, true, ["sign", "verify"]);
          const kek = await s.generateKey({ name: "AES-GCM", length: 256 }, false, ["wrapKey", "unwrapKey"]);
          const iv = crypto.getRandomValues(new Uint8Array(12));
          const w = await s.wrapKey("pkcs8", ec.privateKey, kek, { name: "AES-GCM", iv });
          const priv = await s.unwrapKey("pkcs8", w, kek, { name: "AES-GCM", iv }, { name: "ECDSA", namedCurve: "P-384" }, true, ["sign"]);
          const sig = await s.sign({ name: "ECDSA", hash: "SHA-384" }, priv, te.encode("m"));
          eq(await s.verify({ name: "ECDSA", hash: "SHA-384" }, ec.publicKey, sig, te.encode("m")), true);
          const ws = await s.wrapKey("spki", ec.publicKey, kek, { name: "AES-GCM", iv });
          const pub = await s.unwrapKey("spki", ws, kek, { name: "AES-GCM", iv }, { name: "ECDSA", namedCurve: "P-384" }, true, ["verify"]);
          eq(hex(await s.exportKey("spki", pub)), hex(await s.exportKey("spki", ec.publicKey)));
        });
        check("errors", async () => {
          const kek = await s.generateKey({ name: "AES-GCM", length: 128 }, true, ["wrapKey", "unwrapKey", "encrypt"]);
          const iv = new Uint8Array(12);
          const locked = await s.generateKey({ name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
          await rejects(s.wrapKey("raw", locked, kek, { name: "AES-GCM", iv }), "InvalidAccessError", "Attempt to export non-extractable HMAC key.");
          await rejects(s.wrapKey("raw", await secret(), kek, { name: "AES-CBC", iv }), "InvalidAccessError", `Requested algorithm "AES-CBC" does not match this CryptoKey's algorithm "AES-GCM".`);
          await rejects(s.wrapKey("spki", await secret(), kek, { name: "AES-GCM", iv }), "NotSupportedError", `AES-CBC key only supports exporting "raw", "raw-secret" & "jwk", not "spki".`);
          const notJson = await s.encrypt({ name: "AES-GCM", iv }, kek, te.encode("not json"));
          await rejects(s.unwrapKey("jwk", notJson, kek, { name: "AES-GCM", iv }, "AES-CBC", true, ["encrypt"]), "SyntaxError");
          const five = await s.encrypt({ name: "AES-GCM", iv }, kek, te.encode("5"));
          await rejects(s.unwrapKey("jwk", five, kek, { name: "AES-GCM", iv }, "AES-CBC", true, ["encrypt"]), "DataError", `Missing "kty" field or corrupt JSON unwrapping key?`);
          const empty = await s.encrypt({ name: "AES-GCM", iv }, kek, te.encode("{}"));
          await rejects(s.unwrapKey("jwk", empty, kek, { name: "AES-GCM", iv }, "AES-CBC", true, ["encrypt"]), "DataError", `(encountered "undefined")`);
          const raw = await s.encrypt({ name: "AES-GCM", iv }, kek, new Uint8Array(16));
          await rejects(s.unwrapKey("raw", raw, kek, { name: "AES-GCM", iv }, "AES-CBC", true, []), "SyntaxError", "Secret/private CryptoKeys must have at least one usage.");
        });
        """);

    [Fact]
    public Task DigestStreamHashesWhatIsWritten() => JsChecks.RunAsync(Helpers + """
        const digestOf = async (algorithm, ...chunks) => {
          const stream = new crypto.DigestStream(algorithm);
          const writer = stream.getWriter();
          for (const chunk of chunks) await writer.write(chunk);
          await writer.close();
          return hex(await stream.digest);
        };
        check("MD5 and SHA over several writes", async () => {
          const stream = new crypto.DigestStream("md5");
          const writer = stream.getWriter();
          writer.write(te.encode("hello"));
          writer.write(te.encode("there"));
          writer.close();
          eq(hex(await stream.digest), "c6f7c372641dd25e0fddf0215375561f");
          eq(stream.bytesWritten, 10n);
          eq(await digestOf({ name: "SHA-256" }, "abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
          eq(await digestOf("SHA-1", te.encode("a"), te.encode("bc").buffer, new DataView(te.encode("xx").buffer, 0, 0)), "a9993e364706816aba3e25717850c26c9cd0d89d");
          eq(await digestOf("SHA-256", new Uint32Array([0, 1, 2, 3]).subarray(1)), "4636993d3e1da4e9d6b8f87b79e8f7c6d018580d52661950eabc3845c5897a4d");
          eq(await digestOf("SHA-512"), "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e");
        });
        check("strings are written as UTF-8", async () => {
          const stream = new crypto.DigestStream("SHA-256");
          const writer = stream.getWriter();
          await writer.write(new Uint8Array([1, 2]));
          await writer.write("hé");
          eq(stream.bytesWritten, 5n);
          await writer.close();
          eq(hex(await stream.digest), "193163a0a1a7eb9b75e465f880a7dba32163914a4bca1173a572f53e93cad44b");
        });
        check("CRC-32, CRC-32C and CRC-64/NVME, big-endian", async () => {
          eq(await digestOf("crc32", "123456789"), "cbf43926");
          eq(await digestOf("crc32c", "123456789"), "e3069283");
          eq(await digestOf("crc64nvme", "123456789"), "ae8b14860a799888");
          eq(await digestOf("crc32c", "abc"), "364b3fb7");
          eq(await digestOf("crc32", ""), "00000000");
        });
        check("abort rejects the digest with the reason", async () => {
          const stream = new crypto.DigestStream("md5");
          const writer = stream.getWriter();
          writer.write(te.encode("hello"));
          writer.abort(new Error("boom"));
          await rejects(stream.digest, "Error", "boom");
        });
        check("non-byte chunks fail the write", async () => {
          const stream = new crypto.DigestStream("md5");
          await rejects(stream.getWriter().write(123), "TypeError",
            "DigestStream is a byte stream but received an object of non-ArrayBuffer/ArrayBufferView/string type on its writable side.");
        });
        check("readable streams pipe into it", async () => {
          // Flint's WritableStream arrives with the streams work; until then DigestStream is its own
          // minimal writable and this check has nothing to pipe with. workerd always runs it.
          if (typeof WritableStream !== "function") return;
          const stream = new crypto.DigestStream("md5");
          ok(stream instanceof WritableStream);
          await new Response("hello").body.pipeTo(stream);
          eq(hex(await stream.digest), "5d41402abc4b2a76b9719d911017c592");
          eq(stream.bytesWritten, 5n);
        });
        check("construction errors and shape", () => {
          throws(() => new crypto.DigestStream("foo"), "NotSupportedError", "Unrecognized or unimplemented digest algorithm requested.");
          throws(() => new crypto.DigestStream(), "TypeError", "Failed to construct 'DigestStream': constructor parameter 1 is not of type 'string or HashAlgorithm'.");
          throws(() => crypto.DigestStream("md5"), "TypeError", "Failed to construct 'DigestStream': Please use the 'new' operator, this object constructor cannot be called as a function.");
          const stream = new crypto.DigestStream("SHA-1");
          eq(Object.getOwnPropertyNames(stream), []);
          ok(Object.getOwnPropertyNames(Object.getPrototypeOf(stream)).includes("digest"));
          ok(Object.getOwnPropertyNames(Object.getPrototypeOf(stream)).includes("bytesWritten"));
          ok(stream.digest === stream.digest);
          eq(stream.bytesWritten, 0n);
          eq(Object.prototype.toString.call(stream), "[object DigestStream]");
          eq(crypto.DigestStream.name, "DigestStream");
        });
        """);
}
