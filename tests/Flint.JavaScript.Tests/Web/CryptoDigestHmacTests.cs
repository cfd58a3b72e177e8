using Flint.JavaScript.Tests.Support;

namespace Flint.JavaScript.Tests.Web;

/// <summary>
/// crypto.subtle.digest, HMAC and timingSafeEqual: known answers from FIPS 180, RFC 1321, RFC 2202
/// and RFC 4231, and workerd's errors. Every script here also passes unchanged in workerd.
/// </summary>
public class CryptoDigestHmacTests
{
    [Fact]
    public Task DigestMatchesPublishedVectors() => JsChecks.RunAsync("""
        const hex = (b) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, "0")).join("");
        const abc = new TextEncoder().encode("abc");
        check("FIPS 180 and RFC 1321 'abc'", async () => {
          eq(hex(await crypto.subtle.digest("SHA-1", abc)), "a9993e364706816aba3e25717850c26c9cd0d89d");
          eq(hex(await crypto.subtle.digest("SHA-256", abc)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
          eq(hex(await crypto.subtle.digest("SHA-384", abc)), "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7");
          eq(hex(await crypto.subtle.digest("SHA-512", abc)), "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
          eq(hex(await crypto.subtle.digest("MD5", abc)), "900150983cd24fb0d6963f7d28e17f72");
        });
        check("names are case-insensitive and may be dictionaries", async () => {
          eq(hex(await crypto.subtle.digest({ name: "sha-256" }, abc)), hex(await crypto.subtle.digest("SHA-256", abc)));
          eq(hex(await crypto.subtle.digest("md5", abc)), "900150983cd24fb0d6963f7d28e17f72");
        });
        check("any BufferSource, honouring byteOffset", async () => {
          const padded = new Uint8Array([9, 9, 97, 98, 99, 9]);
          eq(hex(await crypto.subtle.digest("SHA-1", padded.subarray(2, 5))), "a9993e364706816aba3e25717850c26c9cd0d89d");
          eq(hex(await crypto.subtle.digest("SHA-1", new DataView(padded.buffer, 2, 3))), "a9993e364706816aba3e25717850c26c9cd0d89d");
          eq(hex(await crypto.subtle.digest("SHA-1", abc.slice().buffer)), "a9993e364706816aba3e25717850c26c9cd0d89d");
          eq(hex(await crypto.subtle.digest("SHA-256", new ArrayBuffer(0))), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        });
        check("result is a fresh ArrayBuffer", async () => {
          const a = await crypto.subtle.digest("SHA-256", abc);
          ok(a instanceof ArrayBuffer);
          eq(a.byteLength, 32);
          ok(a !== await crypto.subtle.digest("SHA-256", abc));
        });
        check("a megabyte", async () => {
          const big = new Uint8Array(1 << 20).fill(0x61);
          eq(hex(await crypto.subtle.digest("SHA-256", big)).length, 64);
        });
        check("errors", async () => {
          await rejects(crypto.subtle.digest("SHA-3", abc), "NotSupportedError", "Unrecognized or unimplemented digest algorithm requested.");
          await rejects(crypto.subtle.digest({}, abc), "NotSupportedError", "Unrecognized or unimplemented digest algorithm requested.");
          await rejects(crypto.subtle.digest("SHA-1", "abc"), "TypeError", "Failed to execute 'digest' on 'SubtleCrypto': parameter 2 is not of type 'BufferSource'.");
          await rejects(crypto.subtle.digest(), "TypeError", "parameter 1 is not of type 'string or HashAlgorithm'.");
          await rejects(crypto.subtle.digest(() => 1, abc), "NotSupportedError", "Unrecognized or unimplemented digest algorithm requested.");
          await rejects(crypto.subtle.digest(null, abc), "TypeError", "with required members from an undefined or null value.");
          const p = crypto.subtle.digest("SHA-1");
          ok(p instanceof Promise, "argument errors reject rather than throw");
          await rejects(p, "TypeError");
        });
        """);

    [Fact]
    public Task HmacMatchesRfc4231AndRfc2202() => JsChecks.RunAsync("""
        const hex = (b) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, "0")).join("");
        const te = new TextEncoder();
        const hmac = async (hash, key, data) => {
          const k = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash }, false, ["sign", "verify"]);
          const mac = await crypto.subtle.sign("HMAC", k, te.encode(data));
          ok(await crypto.subtle.verify("HMAC", k, mac, te.encode(data)), "verify own signature");
          return hex(mac);
        };
        check("RFC 4231 test case 1", async () => {
          const key = new Uint8Array(20).fill(0x0b);
          eq(await hmac("SHA-256", key, "Hi There"), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
          eq(await hmac("SHA-384", key, "Hi There"), "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6");
          eq(await hmac("SHA-512", key, "Hi There"), "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854");
        });
        check("RFC 4231 test case 2 (short key)", async () => {
          const key = te.encode("Jefe");
          eq(await hmac("SHA-256", key, "what do ya want for nothing?"), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
          eq(await hmac("SHA-512", key, "what do ya want for nothing?"), "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737");
        });
        check("RFC 4231 test case 6 (key longer than a block)", async () => {
          const key = new Uint8Array(131).fill(0xaa);
          const data = "Test Using Larger Than Block-Size Key - Hash Key First";
          eq(await hmac("SHA-256", key, data), "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
          eq(await hmac("SHA-384", key, data), "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952");
          eq(await hmac("SHA-512", key, data), "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598");
        });
        check("RFC 2202 HMAC-SHA1 and HMAC-MD5", async () => {
          eq(await hmac("SHA-1", new Uint8Array(20).fill(0x0b), "Hi There"), "b617318655057264e28bc0b6fb378c8ef146be00");
          eq(await hmac("MD5", new Uint8Array(16).fill(0x0b), "Hi There"), "9294727a3638bb1c13f48ef8158bfc9d");
        });
        check("verify rejects a wrong or truncated MAC", async () => {
          const k = await crypto.subtle.importKey("raw", te.encode("Jefe"), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
          const good = new Uint8Array(32);
          good.set([0x5b, 0xdc, 0xc1, 0x46]);
          eq(await crypto.subtle.verify("HMAC", k, good, te.encode("what do ya want for nothing?")), false);
          eq(await crypto.subtle.verify("HMAC", k, new Uint8Array(0), te.encode("x")), false);
        });
        check("long messages and repeated use of one key", async () => {
          const k = await crypto.subtle.importKey("raw", te.encode("Jefe"), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
          const long = new Uint8Array(100000).fill(0x61);
          const first = hex(await crypto.subtle.sign("HMAC", k, long));
          for (let i = 0; i < 3; i++) eq(hex(await crypto.subtle.sign("HMAC", k, long)), first);
          ok(await crypto.subtle.verify("HMAC", k, await crypto.subtle.sign("HMAC", k, long), long));
          eq(await hmac("SHA-256", te.encode("Jefe"), "what do ya want for nothing?"), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
          for (let i = 0; i < 3; i++) eq(hex(await crypto.subtle.sign("HMAC", k, te.encode("what do ya want for nothing?"))), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        });
        check("the key's hash wins over one given to sign", async () => {
          const k = await crypto.subtle.importKey("raw", new Uint8Array(20).fill(0x0b), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
          eq(hex(await crypto.subtle.sign({ name: "hmac", hash: "SHA-512" }, k, te.encode("Hi There"))), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
        });
        """);

    [Fact]
    public Task HmacKeysImportExportAndGenerate() => JsChecks.RunAsync("""
        const hex = (b) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, "0")).join("");
        const s = crypto.subtle;
        check("generated keys default to the hash block size", async () => {
          const k = await s.generateKey({ name: "HMAC", hash: "SHA-256" }, true, ["sign", "verify"]);
          eq(k.algorithm, { name: "HMAC", hash: { name: "SHA-256" }, length: 512 });
          eq((await s.exportKey("raw", k)).byteLength, 64);
          const k384 = await s.generateKey({ name: "HMAC", hash: { name: "sha-384" } }, true, ["sign"]);
          eq(k384.algorithm, { name: "HMAC", hash: { name: "SHA-384" }, length: 1024 });
        });
        check("odd lengths keep only their bits", async () => {
          const k = await s.generateKey({ name: "HMAC", hash: "SHA-1", length: 7 }, true, ["sign"]);
          eq(k.algorithm.length, 7);
          const raw = new Uint8Array(await s.exportKey("raw", k));
          eq(raw.length, 1);
          eq(raw[0] & 1, 0);
          const imported = await s.importKey("raw", new Uint8Array([0xff, 0xff]), { name: "HMAC", hash: "SHA-1", length: 12 }, true, ["sign"]);
          eq(hex(await s.exportKey("raw", imported)), "fff0");
        });
        check("jwk export and import", async () => {
          const k = await s.importKey("raw", new Uint8Array([1, 2, 3, 4, 5]), { name: "HMAC", hash: "SHA-256" }, true, ["verify", "sign", "sign"]);
          eq(k.usages, ["sign", "verify"]);
          const jwk = await s.exportKey("jwk", k);
          eq(jwk, { kty: "oct", key_ops: ["sign", "verify"], alg: "HS256", ext: true, k: "AQIDBAU" });
          const back = await s.importKey("jwk", jwk, { name: "HMAC", hash: "SHA-256" }, true, ["sign"]);
          eq(hex(await s.exportKey("raw", back)), "0102030405");
          eq(back.algorithm, { name: "HMAC", hash: { name: "SHA-256" }, length: 40 });
        });
        check("import errors", async () => {
          const key = new Uint8Array(16);
          await rejects(s.importKey("raw", key, { name: "HMAC" }, true, ["sign"]), "TypeError", `Missing field "hash" in "algorithm".`);
          await rejects(s.importKey("raw", key, { name: "HMAC", hash: "SHA-7" }, true, ["sign"]), "NotSupportedError", "Unrecognized or unimplemented digest algorithm requested.");
          await rejects(s.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, true, ["encrypt"]), "SyntaxError", `Attempt to import secret HMAC key with invalid usage "encrypt".`);
          await rejects(s.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, true, []), "SyntaxError", "Secret/private CryptoKeys must have at least one usage.");
          await rejects(s.importKey("raw", key, { name: "HMAC", hash: "SHA-256", length: 100 }, true, ["sign"]), "DataError",
            "Imported HMAC key length (100) must be a non-zero value up to 7 bits less than, and no greater than, the bit length of the raw key data (128).");
          await rejects(s.importKey("raw", new Uint8Array(0), { name: "HMAC", hash: "SHA-256" }, true, ["sign"]), "DataError", "Imported HMAC key length (0)");
          await rejects(s.importKey("spki", key, { name: "HMAC", hash: "SHA-256" }, true, ["sign"]), "NotSupportedError", `Unrecognized key import format "spki".`);
          await rejects(s.importKey("jwk", { kty: "RSA", k: "AAAA" }, { name: "HMAC", hash: "SHA-256" }, true, ["sign"]), "DataError",
            `HMAC "jwk" key import requires a JSON Web Key with Key Type parameter ("kty") equal to "oct" (encountered "RSA").`);
          await rejects(s.importKey("jwk", { kty: "oct", k: "AAAA", alg: "HS384" }, { name: "HMAC", hash: "SHA-256" }, true, ["sign"]), "DataError",
            `HMAC "jwk" key import specifies "alg" that is incompatible with the hash name (encountered "HS384", expected "HS256").`);
          await rejects(s.importKey("jwk", { kty: "oct", k: "A$A" }, { name: "HMAC", hash: "SHA-256" }, true, ["sign"]), "DataError", `HMAC "jwk" key import requires a base64Url encoding of the key`);
          await rejects(s.importKey("jwk", { kty: "oct", k: "AAAA", ext: false }, { name: "HMAC", hash: "SHA-256" }, true, ["sign"]), "DataError",
            `JWK ext field for "HMAC" is set to false but extractable is true`);
        });
        check("generate and export errors", async () => {
          await rejects(s.generateKey({ name: "HMAC", hash: "SHA-1", length: 0 }, true, ["sign"]), "OperationError", "HMAC key length must be a non-zero unsigned long integer (requested 0).");
          await rejects(s.generateKey({ name: "HMAC", hash: "SHA-1" }, true, []), "SyntaxError", "Secret/private CryptoKeys must have at least one usage.");
          const k = await s.generateKey({ name: "HMAC", hash: "SHA-1" }, false, ["sign"]);
          await rejects(s.exportKey("raw", k), "InvalidAccessError", "Attempt to export non-extractable HMAC key.");
          const md5 = await s.generateKey({ name: "HMAC", hash: "MD5" }, true, ["sign"]);
          await rejects(s.exportKey("jwk", md5), "NotSupportedError", `Unimplemented JWK key export format for key algorithm "MD5".`);
          await rejects(s.exportKey("spki", md5), "NotSupportedError", `Unimplemented key export format "spki".`);
        });
        check("usage and algorithm must match the key", async () => {
          const k = await s.generateKey({ name: "HMAC", hash: "SHA-1" }, false, ["verify"]);
          await rejects(s.sign("HMAC", k, new Uint8Array(1)), "InvalidAccessError", `Requested key usage "sign" does not match any usage listed in this CryptoKey.`);
          await rejects(s.verify("AES-GCM", k, new Uint8Array(1), new Uint8Array(1)), "InvalidAccessError",
            `Requested algorithm "AES-GCM" does not match this CryptoKey's algorithm "HMAC".`);
          await rejects(s.sign("HMAC", {}, new Uint8Array(1)), "TypeError", "Failed to execute 'sign' on 'SubtleCrypto': parameter 2 is not of type 'CryptoKey'.");
          await rejects(s.verify("HMAC", k, "sig", new Uint8Array(1)), "TypeError", "parameter 3 is not of type 'BufferSource'.");
        });
        """);

    [Fact]
    public Task TimingSafeEqualComparesBytes() => JsChecks.RunAsync("""
        const te = new TextEncoder();
        check("equal and unequal inputs", () => {
          eq(crypto.subtle.timingSafeEqual(new ArrayBuffer(0), new ArrayBuffer(0)), true);
          eq(crypto.subtle.timingSafeEqual(te.encode("hello"), te.encode("hello")), true);
          eq(crypto.subtle.timingSafeEqual(te.encode("hellothere"), te.encode("hellothere").buffer), true);
          eq(crypto.subtle.timingSafeEqual(te.encode("hello"), te.encode("there")), false);
          eq(crypto.subtle.timingSafeEqual(new Uint8Array([1, 0, 0, 0]), new Uint32Array([1])), true);
          eq(crypto.subtle.timingSafeEqual(new Uint8Array([1, 2, 3, 4]), new Uint32Array([1])), false);
        });
        check("errors are thrown synchronously", () => {
          throws(() => crypto.subtle.timingSafeEqual(new ArrayBuffer(0), new ArrayBuffer(1)), "TypeError", "Input buffers must have the same byte length.");
          throws(() => crypto.subtle.timingSafeEqual("a", "b"), "TypeError", "Failed to execute 'timingSafeEqual' on 'SubtleCrypto': parameter 1 is not of type 'BufferSource'.");
          throws(() => crypto.subtle.timingSafeEqual(new Uint8Array(1)), "TypeError", "parameter 2 is not of type 'BufferSource'.");
        });
        """);
}
