using Flint.JavaScript.Tests.Support;

namespace Flint.JavaScript.Tests.Web;

/// <summary>
/// AES-GCM, AES-CBC, AES-CTR and AES-KW: the GCM specification's test cases (McGrew and Viega,
/// as used by NIST), NIST SP 800-38A, RFC 3394, and workerd's errors. Every script here also
/// passes unchanged in workerd.
/// </summary>
public class CryptoAesTests
{
    private const string Helpers = """
        const hex = (b) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, "0")).join("");
        const unhex = (h) => new Uint8Array((h.match(/../g) ?? []).map((x) => parseInt(x, 16)));
        const s = crypto.subtle;
        const aes = (name, key, usages = ["encrypt", "decrypt"]) => s.importKey("raw", unhex(key), name, true, usages);
        """;

    [Fact]
    public Task AesGcmMatchesTheGcmSpecification() => JsChecks.RunAsync(Helpers + """
        const K = "feffe9928665731c6d6a8f9467308308";
        const P = "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39";
        const A = "feedfacedeadbeeffeedfacedeadbeefabaddad2";
        check("test case 2: zero key, zero block", async () => {
          const key = await aes("AES-GCM", "00000000000000000000000000000000");
          const out = await s.encrypt({ name: "AES-GCM", iv: new Uint8Array(12) }, key, new Uint8Array(16));
          eq(hex(out), "0388dace60b6a392f328c2b971b2fe78" + "ab6e47d42cec13bdf53a67b21257bddf");
        });
        check("test case 4: additional data", async () => {
          const key = await aes("AES-GCM", K);
          const params = { name: "AES-GCM", iv: unhex("cafebabefacedbaddecaf888"), additionalData: unhex(A) };
          const out = await s.encrypt(params, key, unhex(P));
          eq(hex(out), "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091" +
            "5bc94fbc3221a5db94fae95ae7121a47");
          eq(hex(await s.decrypt(params, key, out)), P);
        });
        check("test cases 5 and 6: 64-bit and 480-bit IVs", async () => {
          const key = await aes("AES-GCM", K);
          const short = { name: "AES-GCM", iv: unhex("cafebabefacedbad"), additionalData: unhex(A) };
          const out5 = await s.encrypt(short, key, unhex(P));
          eq(hex(out5).slice(-32), "3612d2e79e3b0785561be14aaca2fccb");
          eq(hex(await s.decrypt(short, key, out5)), P);
          const long = { name: "AES-GCM", iv: unhex("9313225df88406e555909c5aff5269aa6a7a9538534f7da1e4c303d2a318a728c3c0c95156809539fcf0e2429a6b525416aedbf5a0de6a57a637b39b"), additionalData: unhex(A) };
          const out6 = await s.encrypt(long, key, unhex(P));
          eq(hex(out6), "8ce24998625615b603a033aca13fb894be9112a5c3a211a8ba262a3cca7e2ca701e4a9a4fba43c90ccdcb281d48c7c6fd62875d2aca417034c34aee5" +
            "619cc5aefffe0bfa462af43c1699d050");
          eq(hex(await s.decrypt(long, key, out6)), P);
        });
        check("shorter tags are prefixes of the full tag", async () => {
          const key = await aes("AES-GCM", K);
          const iv = unhex("cafebabefacedbaddecaf888");
          for (const tagLength of [32, 64, 96, 104, 112, 120]) {
            const out = await s.encrypt({ name: "AES-GCM", iv, additionalData: unhex(A), tagLength }, key, unhex(P));
            eq(hex(out), "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091" +
              "5bc94fbc3221a5db94fae95ae7121a47".slice(0, tagLength / 4), `tag ${tagLength}`);
            eq(hex(await s.decrypt({ name: "AES-GCM", iv, additionalData: unhex(A), tagLength }, key, out)), P);
          }
        });
        check("192- and 256-bit keys round trip", async () => {
          for (const length of [192, 256]) {
            const key = await s.generateKey({ name: "AES-GCM", length }, false, ["encrypt", "decrypt"]);
            const iv = crypto.getRandomValues(new Uint8Array(12));
            const out = await s.encrypt({ name: "AES-GCM", iv }, key, new TextEncoder().encode("hello"));
            eq(new TextDecoder().decode(await s.decrypt({ name: "AES-GCM", iv }, key, out)), "hello");
          }
        });
        check("inputs larger than the host's staging buffer", async () => {
          const key = await s.generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
          const iv = crypto.getRandomValues(new Uint8Array(12));
          const big = crypto.getRandomValues(new Uint8Array(65536));
          const data = new Uint8Array(200000);
          for (let i = 0; i < data.length; i += big.length) data.set(big.subarray(0, Math.min(big.length, data.length - i)), i);
          const out = await s.encrypt({ name: "AES-GCM", iv, additionalData: data.subarray(0, 40000) }, key, data);
          eq(out.byteLength, 200016);
          const back = new Uint8Array(await s.decrypt({ name: "AES-GCM", iv, additionalData: data.subarray(0, 40000) }, key, out));
          eq(back.length, data.length);
          ok(back.every((b, i) => b === data[i]), "round trip");
          const cbc = await s.generateKey({ name: "AES-CBC", length: 128 }, false, ["encrypt", "decrypt"]);
          const ct = await s.encrypt({ name: "AES-CBC", iv: new Uint8Array(16) }, cbc, data);
          eq((await s.decrypt({ name: "AES-CBC", iv: new Uint8Array(16) }, cbc, ct)).byteLength, 200000);
        });
        check("authentication failures and bad parameters", async () => {
          const key = await aes("AES-GCM", K);
          const iv = unhex("cafebabefacedbaddecaf888");
          const out = new Uint8Array(await s.encrypt({ name: "AES-GCM", iv }, key, unhex(P)));
          out[3] ^= 1;
          await rejects(s.decrypt({ name: "AES-GCM", iv }, key, out), "OperationError",
            "Decryption failed. This could be due to a ciphertext authentication failure, bad padding, incorrect CryptoKey, or another algorithm-specific reason. Input length was 60, output length expected to be 60 for AES-GCM");
          await rejects(s.decrypt({ name: "AES-GCM", iv, tagLength: 64 }, key, new Uint8Array(32)), "OperationError", "Input length was 24, output length expected to be 24 for AES-GCM");
          await rejects(s.decrypt({ name: "AES-GCM", iv }, key, new Uint8Array(3)), "OperationError",
            "Ciphertext length of 24 bits must be greater than or equal to the size of the AES-GCM tag length of 128 bits.");
          await rejects(s.encrypt({ name: "AES-GCM", iv: new Uint8Array(0) }, key, new Uint8Array(3)), "OperationError", "AES-GCM IV must not be empty.");
          await rejects(s.encrypt({ name: "AES-GCM", iv, tagLength: 65 }, key, new Uint8Array(3)), "OperationError", "Invalid AES-GCM tag length 65.");
          await rejects(s.encrypt({ name: "AES-GCM", iv, tagLength: "abc" }, key, new Uint8Array(3)), "OperationError", "Invalid AES-GCM tag length 0.");
          await rejects(s.encrypt({ name: "AES-GCM" }, key, new Uint8Array(3)), "TypeError", `Missing field "iv" in "algorithm".`);
          await rejects(s.encrypt("AES-GCM", key, new Uint8Array(3)), "TypeError", `Missing field "iv" in "algorithm".`);
          await rejects(s.encrypt({ name: "AES-GCM", iv: "abc" }, key, new Uint8Array(3)), "TypeError",
            "Incorrect type for the 'iv' field on 'EncryptAlgorithm': the provided value is not of type 'BufferSource'.");
          await rejects(s.encrypt({ name: "AES-GCM", iv, additionalData: 5 }, key, new Uint8Array(3)), "TypeError",
            "Incorrect type for the 'additionalData' field on 'EncryptAlgorithm'");
        });
        """);

    [Fact]
    public Task AesCbcAndCtrMatchSp800_38a() => JsChecks.RunAsync(Helpers + """
        const K = "2b7e151628aed2a6abf7158809cf4f3c";
        const P = "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";
        check("F.2.1 CBC-AES128, plus a block of PKCS#7 padding", async () => {
          const key = await aes("AES-CBC", K);
          const params = { name: "AES-CBC", iv: unhex("000102030405060708090a0b0c0d0e0f") };
          const out = await s.encrypt(params, key, unhex(P));
          eq(out.byteLength, 80);
          eq(hex(out).slice(0, 128), "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b273bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7");
          eq(hex(await s.decrypt(params, key, out)), P);
        });
        check("CBC pads every length", async () => {
          const key = await aes("AES-CBC", K);
          const iv = new Uint8Array(16);
          for (const n of [0, 1, 15, 16, 17]) {
            const out = await s.encrypt({ name: "AES-CBC", iv }, key, new Uint8Array(n).fill(7));
            eq(out.byteLength, (Math.floor(n / 16) + 1) * 16, `length ${n}`);
            eq((await s.decrypt({ name: "AES-CBC", iv }, key, out)).byteLength, n);
          }
        });
        check("CBC errors", async () => {
          const key = await aes("AES-CBC", K);
          const iv = new Uint8Array(16);
          const prefix = "Decryption failed. This could be due to a ciphertext authentication failure, bad padding, incorrect CryptoKey, or another algorithm-specific reason. ";
          await rejects(s.decrypt({ name: "AES-CBC", iv }, key, new Uint8Array(32)), "OperationError", prefix + "Input length was 32, output length expected to be 16 for AES-CBC");
          await rejects(s.decrypt({ name: "AES-CBC", iv }, key, new Uint8Array(17)), "OperationError", "Input length was 17, output length expected to be 16 for AES-CBC");
          await rejects(s.encrypt({ name: "AES-CBC", iv: new Uint8Array(15) }, key, new Uint8Array(1)), "OperationError", "AES-CBC IV must be 16 bytes long (provided 15 bytes).");
          await rejects(s.decrypt({ name: "AES-CBC", iv: new Uint8Array(15) }, key, new Uint8Array(16)), "OperationError", "AES-CBC IV must be 16 bytes long (provided 15).");
        });
        check("F.5.1 CTR-AES128", async () => {
          const key = await aes("AES-CTR", K);
          const C = "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff5ae4df3edbd5d35e5b4f09020db03eab1e031dda2fbe03d1792170a0f3009cee";
          for (const length of [64, 128]) {
            const params = { name: "AES-CTR", counter: unhex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"), length };
            eq(hex(await s.encrypt(params, key, unhex(P))), C);
            eq(hex(await s.decrypt(params, key, unhex(C))), P);
          }
          eq(hex(await s.encrypt({ name: "AES-CTR", counter: unhex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"), length: 64 }, key, unhex(P).subarray(0, 20))), C.slice(0, 40));
        });
        check("CTR counts only the low bits and wraps them", async () => {
          const key = await aes("AES-CTR", K);
          const data = new Uint8Array(32);
          for (const [counter, length, next] of [
            ["000102030405060708090a0b0c0d0eff", 8, "000102030405060708090a0b0c0d0e00"],
            ["000102030405060708090a0b0c0d0e0f", 4, "000102030405060708090a0b0c0d0e00"],
            ["ffffffffffffffffffffffffffffffff", 128, "00000000000000000000000000000000"],
            ["0001020304050607ffffffffffffffff", 64, "00010203040506070000000000000000"]]) {
            const both = hex(await s.encrypt({ name: "AES-CTR", counter: unhex(counter), length }, key, data));
            const second = hex(await s.encrypt({ name: "AES-CTR", counter: unhex(next), length }, key, data.subarray(16)));
            eq(both.slice(32), second, `counter ${counter} / ${length}`);
          }
        });
        check("CTR errors", async () => {
          const key = await aes("AES-CTR", K);
          await rejects(s.encrypt({ name: "AES-CTR", counter: new Uint8Array(16) }, key, new Uint8Array(3)), "TypeError", `Missing "length" member in "algorithm".`);
          await rejects(s.encrypt({ name: "AES-CTR", length: 64 }, key, new Uint8Array(3)), "TypeError", `Missing "counter" member in "algorithm".`);
          await rejects(s.encrypt({ name: "AES-CTR", counter: new Uint8Array(16), length: 0 }, key, new Uint8Array(3)), "OperationError", "Invalid counter of 0 bits length provided.");
          await rejects(s.encrypt({ name: "AES-CTR", counter: new Uint8Array(15), length: 64 }, key, new Uint8Array(3)), "OperationError", "Counter must have length of 16 bytes (provided 15).");
          await rejects(s.encrypt({ name: "AES-CTR", counter: new Uint8Array(16), length: 1 }, key, new Uint8Array(33)), "OperationError", "Counter block values will repeat.");
          eq((await s.encrypt({ name: "AES-CTR", counter: new Uint8Array(16), length: 1 }, key, new Uint8Array(32))).byteLength, 32);
        });
        """);

    [Fact]
    public Task AesKwMatchesRfc3394() => JsChecks.RunAsync(Helpers + """
        check("4.1: 128-bit key data with a 128-bit KEK", async () => {
          const kek = await aes("AES-KW", "000102030405060708090a0b0c0d0e0f", ["wrapKey", "unwrapKey"]);
          const key = await aes("AES-GCM", "00112233445566778899aabbccddeeff");
          const wrapped = await s.wrapKey("raw", key, kek, "AES-KW");
          eq(hex(wrapped), "1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5");
          const back = await s.unwrapKey("raw", wrapped, kek, "AES-KW", "AES-GCM", true, ["encrypt"]);
          eq(hex(await s.exportKey("raw", back)), "00112233445566778899aabbccddeeff");
          eq(back.algorithm, { name: "AES-GCM", length: 128 });
          eq(back.usages, ["encrypt"]);
        });
        check("4.6: 256-bit key data with a 256-bit KEK", async () => {
          const kek = await aes("AES-KW", "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", ["wrapKey", "unwrapKey"]);
          const key = await aes("AES-CBC", "00112233445566778899aabbccddeeff000102030405060708090a0b0c0d0e0f");
          eq(hex(await s.wrapKey("raw", key, kek, { name: "aes-kw" })), "28c9f404c4b810f4cbccb35cfb87f8263f5786e2d80ed326cbc7f0e71a99f43bfb988b9b7a02dd21");
        });
        check("integrity check and length errors", async () => {
          const kek = await aes("AES-KW", "000102030405060708090a0b0c0d0e0f", ["wrapKey", "unwrapKey"]);
          const bad = unhex("1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe6");
          await rejects(s.unwrapKey("raw", bad, kek, "AES-KW", "AES-GCM", true, ["encrypt"]), "OperationError", "AES-KW key unwrapping failed.");
          await rejects(s.unwrapKey("raw", new Uint8Array(20), kek, "AES-KW", "AES-CBC", true, ["encrypt"]), "OperationError",
            "Provided a wrapped key to unwrap that is 160 bits which isn't a multiple of 64 bits.");
          await rejects(s.unwrapKey("raw", new Uint8Array(16), kek, "AES-KW", "AES-CBC", true, ["encrypt"]), "OperationError",
            "Provided a wrapped key to unwrap this is 128 bits that is less than the minimal length of 192 bits.");
          const hmac = await s.importKey("raw", new Uint8Array(20), { name: "HMAC", hash: "SHA-1" }, true, ["sign"]);
          await rejects(s.wrapKey("raw", hmac, kek, "AES-KW"), "OperationError",
            "Unwrapped key bit length must be a multiple of 64 bits but unwrapped key has a length of 160 bits.");
          const aesKey = await aes("AES-GCM", "00112233445566778899aabbccddeeff");
          await rejects(s.wrapKey("jwk", aesKey, kek, "AES-KW"), "OperationError", "Unwrapped key bit length must be a multiple of 64 bits");
          await rejects(s.encrypt("AES-KW", kek, new Uint8Array(16)), "InvalidAccessError", `Requested key usage "encrypt" does not match any usage listed in this CryptoKey.`);
          await rejects(s.importKey("raw", new Uint8Array(16), "AES-KW", true, ["encrypt"]), "SyntaxError", `Attempt to import secret AES-KW key with invalid usage "encrypt".`);
        });
        """);

    [Fact]
    public Task AesKeysImportExportAndGenerate() => JsChecks.RunAsync(Helpers + """
        check("generate each length and mode", async () => {
          for (const name of ["AES-GCM", "AES-CBC", "AES-CTR", "AES-KW"]) {
            for (const length of [128, 192, 256]) {
              const usages = name === "AES-KW" ? ["wrapKey"] : ["encrypt"];
              const k = await s.generateKey({ name: name.toLowerCase(), length }, true, usages);
              eq(k.algorithm, { name, length });
              eq(k.type, "secret");
              eq((await s.exportKey("raw", k)).byteLength, length / 8);
            }
          }
        });
        check("jwk export and import", async () => {
          const k = await aes("AES-CBC", "00112233445566778899aabbccddeeff");
          const jwk = await s.exportKey("jwk", k);
          eq(jwk, { kty: "oct", key_ops: ["encrypt", "decrypt"], alg: "A128CBC", ext: true, k: "ABEiM0RVZneImaq7zN3u_w" });
          const back = await s.importKey("jwk", jwk, "AES-CBC", false, ["decrypt"]);
          eq(back.extractable, false);
          eq(back.algorithm, { name: "AES-CBC", length: 128 });
          const kw = await s.importKey("jwk", { kty: "oct", k: "A".repeat(43), alg: "A256KW", use: "enc" }, "AES-KW", true, ["wrapKey"]);
          eq(kw.algorithm.length, 256);
        });
        check("import errors", async () => {
          const k16 = "AAAAAAAAAAAAAAAAAAAAAA";
          await rejects(s.importKey("raw", new Uint8Array(15), "AES-GCM", true, ["encrypt"]), "DataError", "Imported AES key length must be 128, 192, or 256 bits but provided 120.");
          await rejects(s.importKey("raw", new Uint8Array(16), "AES-GCM", true, ["sign"]), "SyntaxError", `Attempt to import secret AES-GCM key with invalid usage "sign".`);
          await rejects(s.importKey("jwk", { kty: "oct", k: k16, alg: "A256GCM" }, "AES-GCM", true, ["encrypt"]), "DataError",
            `Symmetric "jwk" key contains invalid "alg" value "A256GCM", expected "A128GCM".`);
          await rejects(s.importKey("jwk", { kty: "oct", k: k16, use: "sig" }, "AES-GCM", true, ["encrypt"]), "DataError", `Symmetric "jwk" key must have a "use" of "enc", not "sig".`);
          await rejects(s.importKey("jwk", { kty: "oct", k: k16, key_ops: ["encrypt", "encrypt"] }, "AES-GCM", true, ["encrypt"]), "DataError",
            `Symmetric "jwk" key contains duplicate value "encrypt", in "key_op".`);
          await rejects(s.importKey("jwk", { kty: "oct", k: k16, key_ops: ["decrypt"] }, "AES-GCM", true, ["encrypt"]), "DataError", `"jwk" key missing usage "encrypt", in "key_ops".`);
          await rejects(s.importKey("jwk", { kty: "oct", k: "AA$A" }, "AES-GCM", true, ["encrypt"]), "DataError", `Symmetric "jwk" key import requires a base64Url encoding of the key.`);
          await rejects(s.importKey("jwk", { kty: "oct" }, "AES-GCM", true, ["encrypt"]), "DataError", `Symmetric "jwk" key import requires a base64Url encoding of the key.`);
          await rejects(s.importKey("jwk", {}, "AES-GCM", true, ["encrypt"]), "DataError",
            `Symmetric "jwk" key import requires a JSON Web Key with Key Type parameter "kty" equal to "oct" (encountered "undefined").`);
          await rejects(s.importKey("spki", new Uint8Array(16), "AES-KW", true, ["wrapKey"]), "NotSupportedError", `Unrecognized key import format "spki".`);
        });
        check("generate and export errors", async () => {
          await rejects(s.generateKey({ name: "AES-GCM", length: 100 }, true, ["encrypt"]), "OperationError", "Generated AES key length must be 128, 192, or 256 bits but requested 100.");
          await rejects(s.generateKey({ name: "AES-GCM" }, true, ["encrypt"]), "TypeError", `Missing field "length" in "algorithm".`);
          await rejects(s.generateKey({ name: "AES-GCM", length: 128 }, true, []), "SyntaxError", "Secret/private CryptoKeys must have at least one usage.");
          const k = await aes("AES-KW", "00112233445566778899aabbccddeeff", ["wrapKey"]);
          await rejects(s.exportKey("spki", k), "NotSupportedError", `AES-KW key only supports exporting "raw", "raw-secret" & "jwk", not "spki".`);
        });
        """);
}
