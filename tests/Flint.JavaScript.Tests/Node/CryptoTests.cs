using Flint.JavaScript.Tests.Support;

namespace Flint.JavaScript.Tests.Node;

/// <summary>
/// node:crypto against values Node.js 20 computed for the same inputs (node-crypto-vectors.mjs made
/// node-crypto-vectors.json, including keys it generated and signatures it made with them).
/// </summary>
public class CryptoTests
{
    private static readonly (string, string[]) NodeCompat = ("2026-11-01", ["nodejs_compat"]);
    private static string Vectors => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Node", "node-crypto-vectors.json"));

    [Fact]
    public Task HashesHmacAndKdfsMatchNode() => JsChecks.RunAsync($$"""
        import crypto from "node:crypto";
        import { createHash, createHmac, pbkdf2Sync, pbkdf2, hkdfSync, scryptSync, randomBytes, randomInt, timingSafeEqual, hash } from "node:crypto";
        const v = {{Vectors}};
        check("hashes", () => {
          eq(createHash("sha256").update("abc").digest("hex"), v.sha256);
          eq(createHash("md5").update("hello").digest("base64"), v.md5b64);
          eq(createHash("sha512").update(Buffer.from([1, 2, 3])).update("x").digest("hex"), v.sha512x);
          eq(createHash("sha224").update("abc").digest("hex"), v.sha224);
          eq(createHash("sha3-256").update("abc").digest("hex"), v.sha3);
          eq(hash("sha256", "abc"), v.sha256);
          eq(createHash("SHA256").update("abc").digest("hex"), v.sha256);
        });
        check("copy keeps the running state", () => {
          const h = createHash("sha256").update("a");
          const c = h.copy();
          eq(h.update("bc").digest("hex"), v.sha256);
          eq(c.update("bc").digest("hex"), v.sha256);
        });
        check("digest twice is ERR_CRYPTO_HASH_FINALIZED", () => {
          const h = createHash("sha256"); h.digest();
          const e = throws(() => h.digest(), "Error", "Digest already called"); eq(e.code, "ERR_CRYPTO_HASH_FINALIZED");
        });
        check("unknown digest (Node's errors)", () => {
          const e = throws(() => createHash("nope"), "Error", "Digest method not supported"); eq(e.code, undefined);
          const h = throws(() => createHmac("nope", "k"), "TypeError", "Invalid digest: nope"); eq(h.code, "ERR_CRYPTO_INVALID_DIGEST");
        });
        check("hmac", () => {
          eq(createHmac("sha256", "key").update("The quick brown fox jumps over the lazy dog").digest("hex"), v.hmac);
          eq(createHmac("sha1", "").update("").digest("hex"), v.hmacEmpty);
        });
        check("pbkdf2, hkdf, scrypt", async () => {
          eq(pbkdf2Sync("password", "salt", 1000, 32, "sha256").toString("hex"), v.pbkdf2);
          eq(pbkdf2Sync("password", "salt", 2, 20, "sha1").toString("hex"), v.pbkdf2sha1);
          eq(await new Promise((r, j) => pbkdf2("password", "salt", 1000, 32, "sha256", (e, k) => e ? j(e) : r(k.toString("hex")))), v.pbkdf2);
          eq(Buffer.from(hkdfSync("sha256", "key", "salt", "info", 42)).toString("hex"), v.hkdf);
          eq(scryptSync("password", "salt", 32, { N: 1024 }).toString("hex"), v.scrypt);
          const e = throws(() => pbkdf2Sync("p", "s", 1, 8, "nope"), "TypeError", "Invalid digest: nope"); eq(e.code, "ERR_CRYPTO_INVALID_DIGEST");
        });
        check("random", () => {
          eq(randomBytes(16).length, 16);
          for (let i = 0; i < 100; i++) { const n = randomInt(3, 7); ok(n >= 3 && n < 7, String(n)); }
          const e = throws(() => randomBytes(-1), "RangeError"); eq(e.code, "ERR_OUT_OF_RANGE");
          eq(typeof crypto.randomUUID(), "string");
        });
        check("timingSafeEqual", () => {
          eq(timingSafeEqual(Buffer.from("abc"), Buffer.from("abc")), true);
          eq(timingSafeEqual(Buffer.from("abc"), Buffer.from("abd")), false);
          const e = throws(() => timingSafeEqual(Buffer.from("a"), Buffer.from("ab")), "RangeError", "Input buffers must have the same byte length");
          eq(e.code, "ERR_CRYPTO_TIMING_SAFE_EQUAL_LENGTH");
        });
        """, compatibility: NodeCompat);

    [Fact]
    public Task SignaturesVerifyBothWaysWithNode() => JsChecks.RunAsync($$"""
        import { createSign, createVerify, sign, verify, createPrivateKey, createPublicKey, createSecretKey, KeyObject } from "node:crypto";
        const v = {{Vectors}};
        check("RSA: Node's signature verifies, ours verifies with Node's public key", () => {
          eq(createVerify("RSA-SHA256").update("data").verify(v.rsaPub, v.rsaSig, "base64"), true);
          eq(createVerify("RSA-SHA256").update("datA").verify(v.rsaPub, v.rsaSig, "base64"), false);
          const ours = createSign("RSA-SHA256").update("data").sign(v.rsaPriv, "base64");
          eq(ours, v.rsaSig); // PKCS#1 v1.5 is deterministic
        });
        check("EC (DER signatures)", () => {
          eq(verify("sha256", Buffer.from("data"), v.ecPub, Buffer.from(v.ecSig, "base64")), true);
          const ours = sign("sha256", Buffer.from("data"), v.ecPriv);
          eq(verify("sha256", Buffer.from("data"), v.ecPub, ours), true);
          eq(ours[0], 0x30);
        });
        check("Ed25519", () => {
          eq(sign(null, Buffer.from("data"), v.edPriv).toString("base64"), v.edSig);
          eq(verify(null, Buffer.from("data"), v.edPub, Buffer.from(v.edSig, "base64")), true);
        });
        check("KeyObject", () => {
          const priv = createPrivateKey(v.rsaPriv);
          ok(priv instanceof KeyObject); eq(priv.type, "private"); eq(priv.asymmetricKeyType, "rsa"); eq(priv.asymmetricKeyDetails.modulusLength, 2048);
          const pub = createPublicKey(v.rsaPriv);
          eq(pub.type, "public");
          eq(pub.export({ format: "pem", type: "spki" }), v.rsaPub);
          eq(createPublicKey(v.ecPub).asymmetricKeyType, "ec");
          const secret = createSecretKey(Buffer.from("s3cret"));
          eq(secret.type, "secret"); eq(secret.symmetricKeySize, 6); eq(secret.export().toString(), "s3cret");
        });
        """, compatibility: NodeCompat);

    private static string DhVectors => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Node", "node-dh-vectors.json"));

    [Fact]
    public Task DiffieHellmanAndEncryptedKeysInteroperateWithNode() => JsChecks.RunAsync($$"""
        import { createDiffieHellman, getDiffieHellman, createPrivateKey, createPublicKey, generateKeyPairSync } from "node:crypto";
        const v = {{DhVectors}};
        check("modp14 with fixed private keys: Node's public keys and secret", () => {
          eq(getDiffieHellman("modp14").getPrime("hex"), v.modp14Prime);
          const x = createDiffieHellman(v.modp14Prime, "hex", 2), y = createDiffieHellman(Buffer.from(v.modp14Prime, "hex"));
          x.setPrivateKey(Buffer.alloc(32, 3)); y.setPrivateKey(Buffer.alloc(48, 5));
          eq(x.generateKeys("hex"), v.publicX);
          eq(y.generateKeys("hex"), v.publicY);
          eq(x.computeSecret(v.publicY, "hex", "hex"), v.secret);
          eq(y.computeSecret(Buffer.from(v.publicX, "hex")).toString("hex"), v.secret);
        });
        check("random keys agree", () => {
          const a = getDiffieHellman("modp14"), b = getDiffieHellman("modp14");
          const pa = a.generateKeys(), pb = b.generateKeys();
          eq(a.computeSecret(pb).toString("hex"), b.computeSecret(pa).toString("hex"));
          eq(a.computeSecret(pb).length, 256);
        });
        check("Node's encrypted keys decrypt (PKCS#8 AES and 3DES, SEC1 with DEK-Info, DER, a non-ASCII passphrase)", () => {
          for (const cipher of ["aes-128-cbc", "aes-256-cbc", "des-ede3-cbc"]) {
            for (const pem of [v[`pkcs8_${cipher}`], v[`sec1_${cipher}`]]) {
              const key = createPrivateKey({ key: pem, passphrase: "pässword" });
              eq(createPublicKey(key).export({ type: "spki", format: "pem" }), v.ecSpki, cipher);
              throws(() => createPrivateKey({ key: pem, passphrase: "password" }), "Error", "Failed to parse private key");
            }
          }
          const der = createPrivateKey({ key: Buffer.from(v.pkcs8Der, "base64"), format: "der", type: "pkcs8", passphrase: Buffer.from("pässword") });
          eq(createPublicKey(der).export({ type: "spki", format: "pem" }), v.ecSpki);
        });
        check("our encrypted exports read back", () => {
          const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 1024 });
          for (const [type, cipher] of [["pkcs8", "aes-256-cbc"], ["pkcs8", "des-ede3-cbc"], ["pkcs1", "aes-128-cbc"]]) {
            const pem = privateKey.export({ type, format: "pem", cipher, passphrase: "pässword" });
            ok(createPrivateKey({ key: pem, passphrase: "pässword" }).equals(privateKey), `${type} ${cipher}`);
          }
        });
        """, compatibility: NodeCompat);
}
