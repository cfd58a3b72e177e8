using Flint.JavaScript.Tests.Support;

namespace Flint.JavaScript.Tests.Web;

/// <summary>
/// PBKDF2 (RFC 6070) and HKDF (RFC 5869), deriveBits and deriveKey, with workerd's errors.
/// Every script here also passes unchanged in workerd.
/// </summary>
public class CryptoKdfTests
{
    private const string Helpers = """
        const hex = (b) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, "0")).join("");
        const unhex = (h) => new Uint8Array((h.match(/../g) ?? []).map((x) => parseInt(x, 16)));
        const te = new TextEncoder();
        const s = crypto.subtle;
        """;

    [Fact]
    public Task Pbkdf2MatchesRfc6070() => JsChecks.RunAsync(Helpers + """
        const pbkdf2 = async (password, salt, iterations, bits, hash = "SHA-1") => {
          const key = await s.importKey("raw", te.encode(password), "PBKDF2", false, ["deriveBits"]);
          return hex(await s.deriveBits({ name: "PBKDF2", hash, salt: te.encode(salt), iterations }, key, bits));
        };
        check("RFC 6070 vectors", async () => {
          eq(await pbkdf2("password", "salt", 1, 160), "0c60c80f961f0e71f3a9b524af6012062fe037a6");
          eq(await pbkdf2("password", "salt", 2, 160), "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957");
          eq(await pbkdf2("password", "salt", 4096, 160), "4b007901b765489abead49d926f721d065a429c1");
          eq(await pbkdf2("passwordPASSWORDpassword", "saltSALTsaltSALTsaltSALTsaltSALTsalt", 4096, 200), "3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038");
          eq(await pbkdf2("pass\0word", "sa\0lt", 4096, 128), "56fa6aa75548099dcc37d7f03425e0c3");
        });
        check("other hashes", async () => {
          eq((await pbkdf2("password", "salt", 1, 512, "SHA-512")).length, 128);
          eq(await pbkdf2("password", "salt", 3, 320, "MD5"), "f6acd4bda3e4d3d831a5f61da9ca9d5c3877566e979f4928778d81be4f2e9433a31043bbf3945c35");
          eq(await pbkdf2("password", "salt", 1, 0), "");
        });
        check("the password and salt are read when the call is made", async () => {
          const password = te.encode("password");
          const salt = te.encode("salt");
          const key = await s.importKey("raw", password, "PBKDF2", false, ["deriveBits"]);
          password.fill(0);
          const pending = s.deriveBits({ name: "PBKDF2", hash: "SHA-1", salt, iterations: 2 }, key, 160);
          salt.fill(0);
          eq(hex(await pending), "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957");
        });
        check("deriveKey to AES and HMAC", async () => {
          const key = await s.importKey("raw", te.encode("password"), "PBKDF2", false, ["deriveKey"]);
          const params = { name: "PBKDF2", hash: "SHA-1", salt: te.encode("salt"), iterations: 4096 };
          const aes = await s.deriveKey(params, key, { name: "AES-CBC", length: 128 }, true, ["encrypt"]);
          eq(aes.algorithm, { name: "AES-CBC", length: 128 });
          eq(hex(await s.exportKey("raw", aes)), "4b007901b765489abead49d926f721d0");
          const mac = await s.deriveKey(params, key, { name: "HMAC", hash: "SHA-1", length: 160 }, true, ["sign"]);
          eq(hex(await s.exportKey("raw", mac)), "4b007901b765489abead49d926f721d065a429c1");
        });
        check("errors", async () => {
          const key = await s.importKey("raw", te.encode("p"), "PBKDF2", false, ["deriveBits"]);
          const salt = new Uint8Array(1);
          await rejects(s.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations: 0 }, key, 256), "OperationError", "PBKDF2 requires a positive iteration count (requested 0).");
          await rejects(s.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations: 1 }, key), "OperationError", "PBKDF2 cannot derive a key with null length.");
          await rejects(s.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations: 1 }, key, null), "OperationError", "PBKDF2 cannot derive a key with null length.");
          await rejects(s.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations: 1 }, key, 7), "OperationError", "PBKDF2 requires a derived key length that is a multiple of eight (requested 7).");
          await rejects(s.deriveBits({ name: "PBKDF2", hash: "SHA-1", salt, iterations: 1 }, key, 20 * 8 * 256), "OperationError", "Pbkdf2 failed: derived key length exceeds maximum for this hash");
          await rejects(s.deriveBits({ name: "PBKDF2", hash: "SHA-1", salt, iterations: 1 }, key, -8), "TypeError", "deriveBits length must be an unsigned long integer.");
          await rejects(s.deriveBits({ name: "PBKDF2", salt, iterations: 1 }, key, 8), "TypeError", `Missing field "hash" in "algorithm".`);
          await rejects(s.deriveBits({ name: "PBKDF2", hash: "SHA-1", iterations: 1 }, key, 8), "TypeError", `Missing field "salt" in "algorithm".`);
          await rejects(s.deriveBits({ name: "PBKDF2", hash: "SHA-1", salt }, key, 8), "TypeError", `Missing field "iterations" in "algorithm".`);
          await rejects(s.deriveBits({ name: "PBKDF2", hash: "SHA-1", salt: "x", iterations: 1 }, key, 8), "TypeError",
            "Incorrect type for the 'salt' field on 'DeriveKeyAlgorithm': the provided value is not of type 'BufferSource'.");
          await rejects(s.importKey("raw", salt, "PBKDF2", true, ["deriveBits"]), "SyntaxError", "PBKDF2 key cannot be extractable.");
          await rejects(s.importKey("jwk", { kty: "oct" }, "PBKDF2", false, ["deriveBits"]), "NotSupportedError", `PBKDF2 key must be imported in "raw" format (requested "jwk").`);
          await rejects(s.importKey("raw", salt, "PBKDF2", false, ["sign"]), "SyntaxError", `Attempt to import secret PBKDF2 key with invalid usage "sign".`);
          await rejects(s.generateKey({ name: "PBKDF2" }, false, ["deriveBits"]), "NotSupportedError", `Unrecognized key generation algorithm "PBKDF2" requested.`);
          const deriveKeyOnly = await s.importKey("raw", salt, "PBKDF2", false, ["deriveKey"]);
          await rejects(s.deriveBits({ name: "PBKDF2", hash: "SHA-1", salt, iterations: 1 }, deriveKeyOnly, 8), "InvalidAccessError",
            `Requested key usage "deriveBits" does not match any usage listed in this CryptoKey.`);
          await rejects(s.exportKey("raw", key), "InvalidAccessError", "Attempt to export non-extractable PBKDF2 key.");
        });
        """);

    [Fact]
    public Task HkdfMatchesRfc5869() => JsChecks.RunAsync(Helpers + """
        const hkdf = async (hash, ikm, salt, info, bits) => {
          const key = await s.importKey("raw", unhex(ikm), "HKDF", false, ["deriveBits"]);
          return hex(await s.deriveBits({ name: "HKDF", hash, salt: unhex(salt), info: unhex(info) }, key, bits));
        };
        const ikm22 = "0b".repeat(22);
        check("test case 1 (SHA-256)", async () => {
          eq(await hkdf("SHA-256", ikm22, "000102030405060708090a0b0c", "f0f1f2f3f4f5f6f7f8f9", 336),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
        });
        check("test case 3 (no salt, no info)", async () => {
          eq(await hkdf("SHA-256", ikm22, "", "", 336), "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
        });
        check("test case 4 (SHA-1)", async () => {
          eq(await hkdf("SHA-1", "0b".repeat(11), "000102030405060708090a0b0c", "f0f1f2f3f4f5f6f7f8f9", 336),
            "085a01ea1b10f36933068b56efa5ad81a4f14b822f5b091568a9cdd4f155fda2c22e422478d305f3f896");
        });
        check("lengths", async () => {
          eq(await hkdf("SHA-256", ikm22, "", "", 0), "");
          eq((await hkdf("SHA-256", ikm22, "", "", 255 * 256)).length, 255 * 64);
          eq((await hkdf("MD5", ikm22, "", "", 128)).length, 32);
        });
        check("deriveKey", async () => {
          const key = await s.importKey("raw", unhex(ikm22), "HKDF", false, ["deriveKey"]);
          const params = { name: "HKDF", hash: "SHA-256", salt: unhex("000102030405060708090a0b0c"), info: unhex("f0f1f2f3f4f5f6f7f8f9") };
          const gcm = await s.deriveKey(params, key, { name: "AES-GCM", length: 256 }, true, ["encrypt", "decrypt"]);
          eq(hex(await s.exportKey("raw", gcm)), "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf");
          const mac = await s.deriveKey(params, key, { name: "HMAC", hash: "SHA-512" }, false, ["sign"]);
          eq(mac.algorithm, { name: "HMAC", hash: { name: "SHA-512" }, length: 1024 });
          const mac12 = await s.deriveKey(params, key, { name: "HMAC", hash: "SHA-256", length: 16 }, true, ["sign"]);
          eq(hex(await s.exportKey("raw", mac12)), "3cb2");
        });
        check("errors", async () => {
          const key = await s.importKey("raw", unhex(ikm22), "HKDF", false, ["deriveBits", "deriveKey"]);
          const params = { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(1), info: new Uint8Array(0) };
          await rejects(s.deriveBits(params, key, 255 * 256 + 8), "OperationError", "HKDF deriveBits failed.");
          await rejects(s.deriveBits(params, key, 12), "OperationError", "HKDF requires a derived key length that is a multiple of eight (requested 12).");
          await rejects(s.deriveBits(params, key, null), "OperationError", "HKDF cannot derive a key with null length.");
          await rejects(s.deriveBits({ name: "HKDF", hash: "SHA-256", salt: new Uint8Array(1) }, key, 256), "TypeError", `Missing field "info" in "algorithm".`);
          await rejects(s.deriveBits({ ...params, hash: "SHA-3" }, key, 256), "NotSupportedError", "Unrecognized or unimplemented digest algorithm requested.");
          await rejects(s.deriveKey(params, key, { name: "AES-GCM", length: 100 }, true, ["encrypt"]), "OperationError", "Derived AES key must be 128, 192, or 256 bits in length but provided 100.");
          await rejects(s.deriveKey(params, key, { name: "AES-GCM" }, true, ["encrypt"]), "TypeError", `Missing field "length" in "derivedKeyParams".`);
          await rejects(s.deriveKey(params, key, { name: "ECDSA" }, true, ["sign"]), "NotSupportedError", `Unrecognized derived key type "ECDSA" requested.`);
          await rejects(s.deriveKey(params, key, { name: "HMAC" }, false, ["sign"]), "TypeError", `Missing field "hash" in "derivedKeyParams".`);
          await rejects(s.deriveKey(params, key, { name: "HMAC", hash: "SHA-256", length: 0 }, false, ["sign"]), "TypeError", "HMAC key length must be a non-zero unsigned long integer.");
          await rejects(s.deriveKey(params, key, { name: "HKDF" }, false, ["deriveBits"]), "OperationError", "HKDF cannot derive a key with null length.");
          await rejects(s.deriveKey(params, key, { name: "AES-GCM", length: 128 }, false, []), "SyntaxError", "Secret/private CryptoKeys must have at least one usage.");
          await rejects(s.importKey("raw", new Uint8Array(4), "HKDF", true, ["deriveBits"]), "SyntaxError", "HKDF key cannot be extractable.");
          await rejects(s.importKey("pkcs8", new Uint8Array(4), "HKDF", false, ["deriveBits"]), "NotSupportedError", `HKDF key must be imported in "raw" format (requested "pkcs8")`);
          const pbkdf2 = await s.importKey("raw", new Uint8Array(4), "PBKDF2", false, ["deriveBits"]);
          await rejects(s.deriveBits(params, pbkdf2, 256), "InvalidAccessError", `Requested algorithm "HKDF" does not match this CryptoKey's algorithm "PBKDF2".`);
        });
        """);
}
