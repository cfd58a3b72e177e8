using Flint.JavaScript.Tests.Support;

namespace Flint.JavaScript.Tests.Web;

/// <summary>
/// ECDSA and ECDH on P-256/P-384/P-521 (RFC 6979 and RFC 5903 vectors, plus signatures workerd
/// made), Ed25519 (RFC 8032) and X25519 (RFC 7748), in every key format. Every script here also
/// passes unchanged in workerd.
/// </summary>
public class CryptoEcTests
{
    private const string Helpers = """
        const hex = (b) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, "0")).join("");
        const unhex = (h) => new Uint8Array((h.match(/../g) ?? []).map((x) => parseInt(x, 16)));
        const b64u = (h) => btoa(String.fromCharCode(...unhex(h))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
        const te = new TextEncoder();
        const s = crypto.subtle;
        const P384_PKCS8 =
          "3081b6020100301006072a8648ce3d020106052b8104002204819e30819b0201010430d543eb2a8edc9b1a9e565e76138b71ef8fe6651b2a" +
          "ff3b83096e80acfceacfecd4abd245e5696b9fda534d2ec696ee42a164036200040c1804dc0d2aec03a9ec7314867d6b6bb64d1099cdec17" +
          "a2db4bbf41471c41a8c0d671404b5969f4bf2009ba1d65136461a27075ab28dc8a3e38dc047b771b64d603422d29348be0c2ec547204314d" +
          "ce3470967f1da8fcd7d82d95879b487ddc";
        const P384_SPKI =
          "3076301006072a8648ce3d020106052b81040022036200040c1804dc0d2aec03a9ec7314867d6b6bb64d1099cdec17a2db4bbf41471c41a8" +
          "c0d671404b5969f4bf2009ba1d65136461a27075ab28dc8a3e38dc047b771b64d603422d29348be0c2ec547204314dce3470967f1da8fcd7" +
          "d82d95879b487ddc";
        const P384_SIG =
          "009601a71fd64a85630427e7c0cb8fef6311076c2c72209067a70d1aa51abbb3501169a7c7ae5ace9606b57e77348b5d225e1cdfda743d8b" +
          "10dd1189c71f45d1bf6cdfb4f15f3702ed4b84d6c3c4d4e1e96c65398937eda98f036130e746467b";
        const P521_SIG =
          "01e53754bfbe8afc9c0775105781f6edb2e5e57fc61925fd749478aae8312fcb25802e1e81fdc5379b18dbd0f8b65dacb3238d1986233179" +
          "16562dc9754a8d84c21601145300f5ee7afa378803666261ce477b11762e6598cf8faf54543b88248a52242b75b3b304bc44c84e203cfd03" +
          "b4a994e943e77f0184722323f50e60afdeeaecbc";
        const P521_JWK = {"kty":"EC","key_ops":["verify"],"ext":true,"crv":"P-521","x":"AJfWW9GIu-y2M5RQ6Cej9p0vO_WFYVkSeC3SvvGk833zxc09InFMIn4NHClxUYsVmV92M-8DATmTN23X-9PToq_U","y":"AfZV84dMwe46GY67YZToEXsG9V2XuQWJfV_VhdsljhlTBZgnIAXUki-5DbV9y5ykYez9iTeB8JJpuouQLfMtUZu_"};
        """;

    [Fact]
    public Task EcdsaMatchesRfc6979AndWorkerd() => JsChecks.RunAsync(Helpers + """
        // RFC 6979 A.2.5: P-256, SHA-256, message "sample".
        const rfc = {
          d: "c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721",
          x: "60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6",
          y: "7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299",
          sig: "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8",
        };
        const P256 = { name: "ECDSA", namedCurve: "P-256" };
        check("RFC 6979 signature verifies", async () => {
          const pub = await s.importKey("jwk", { kty: "EC", crv: "P-256", x: b64u(rfc.x), y: b64u(rfc.y) }, P256, true, ["verify"]);
          eq(await s.verify({ name: "ECDSA", hash: "SHA-256" }, pub, unhex(rfc.sig), te.encode("sample")), true);
          eq(await s.verify({ name: "ECDSA", hash: "SHA-256" }, pub, unhex(rfc.sig), te.encode("samplE")), false);
          eq(await s.verify({ name: "ECDSA", hash: "SHA-384" }, pub, unhex(rfc.sig), te.encode("sample")), false);
          eq(await s.verify({ name: "ECDSA", hash: "SHA-256" }, pub, unhex(rfc.sig).subarray(1), te.encode("sample")), false);
          eq(hex(await s.exportKey("raw", pub)), "04" + rfc.x + rfc.y);
        });
        check("the RFC 6979 private key signs what its public key verifies", async () => {
          const priv = await s.importKey("jwk", { kty: "EC", crv: "P-256", x: b64u(rfc.x), y: b64u(rfc.y), d: b64u(rfc.d) }, P256, true, ["sign"]);
          const pub = await s.importKey("raw", unhex("04" + rfc.x + rfc.y), P256, true, ["verify"]);
          const sig = await s.sign({ name: "ECDSA", hash: "SHA-256" }, priv, te.encode("sample"));
          eq(sig.byteLength, 64);
          eq(await s.verify({ name: "ECDSA", hash: "SHA-256" }, pub, sig, te.encode("sample")), true);
          eq((await s.exportKey("jwk", priv)).d, b64u(rfc.d));
        });
        check("a SEC 1 ECPrivateKey is accepted as pkcs8, as BoringSSL does", async () => {
          const sec1 = unhex("30770201010420" + rfc.d + "a00a06082a8648ce3d030107a144034200" + "04" + rfc.x + rfc.y);
          const priv = await s.importKey("pkcs8", sec1, P256, true, ["sign"]);
          const pub = await s.importKey("raw", unhex("04" + rfc.x + rfc.y), P256, true, ["verify"]);
          eq(await s.verify({ name: "ECDSA", hash: "SHA-256" }, pub, await s.sign({ name: "ECDSA", hash: "SHA-256" }, priv, te.encode("m")), te.encode("m")), true);
          await rejects(s.importKey("pkcs8", sec1, { name: "ECDSA", namedCurve: "P-384" }, true, ["sign"]), "DataError",
            `"algorithm.namedCurve" "P-384" does not match the curve specified by the input key data.`);
        });
        check("P-384 and P-521 signatures made by workerd", async () => {
          const p384 = await s.importKey("spki", unhex(P384_SPKI), { name: "ECDSA", namedCurve: "P-384" }, true, ["verify"]);
          eq(await s.verify({ name: "ECDSA", hash: "SHA-384" }, p384, unhex(P384_SIG), te.encode("hello")), true);
          eq(hex(await s.exportKey("spki", p384)), P384_SPKI);
          const p521 = await s.importKey("jwk", P521_JWK, { name: "ECDSA", namedCurve: "P-521" }, true, ["verify"]);
          eq(await s.verify({ name: "ECDSA", hash: "SHA-512" }, p521, unhex(P521_SIG), te.encode("hello")), true);
          eq(await s.exportKey("jwk", p521), P521_JWK);
          const priv384 = await s.importKey("pkcs8", unhex(P384_PKCS8), { name: "ECDSA", namedCurve: "P-384" }, true, ["sign"]);
          eq(hex(await s.exportKey("pkcs8", priv384)), P384_PKCS8);
          const sig = await s.sign({ name: "ECDSA", hash: "SHA-384" }, priv384, te.encode("again"));
          eq(sig.byteLength, 96);
          eq(await s.verify({ name: "ECDSA", hash: "SHA-384" }, p384, sig, te.encode("again")), true);
        });
        check("every curve in every format", async () => {
          for (const [namedCurve, size] of [["P-256", 32], ["P-384", 48], ["P-521", 66]]) {
            const alg = { name: "ECDSA", namedCurve };
            const k = await s.generateKey(alg, true, ["sign", "verify"]);
            eq(k.publicKey.algorithm, alg);
            const raw = await s.exportKey("raw", k.publicKey);
            eq(raw.byteLength, 1 + 2 * size);
            const pubs = [
              await s.importKey("raw", raw, alg, true, ["verify"]),
              await s.importKey("spki", await s.exportKey("spki", k.publicKey), alg, true, ["verify"]),
              await s.importKey("jwk", await s.exportKey("jwk", k.publicKey), alg, true, ["verify"]),
            ];
            const privs = [
              await s.importKey("pkcs8", await s.exportKey("pkcs8", k.privateKey), alg, true, ["sign"]),
              await s.importKey("jwk", await s.exportKey("jwk", k.privateKey), alg, true, ["sign"]),
            ];
            for (const priv of privs) {
              const sig = await s.sign({ name: "ECDSA", hash: "SHA-256" }, priv, te.encode(namedCurve));
              eq(sig.byteLength, 2 * size);
              for (const pub of pubs) eq(await s.verify({ name: "ECDSA", hash: "SHA-256" }, pub, sig, te.encode(namedCurve)), true);
            }
            const jwk = await s.exportKey("jwk", k.privateKey);
            eq(Object.keys(jwk), ["kty", "key_ops", "ext", "crv", "x", "y", "d"]);
            eq([jwk.kty, jwk.crv, jwk.key_ops.join()], ["EC", namedCurve, "sign"]);
          }
        });
        check("compressed points import", async () => {
          const raw = unhex("04" + rfc.x + rfc.y);
          const compressed = new Uint8Array(33);
          compressed[0] = 2 + (raw[64] & 1);
          compressed.set(raw.subarray(1, 33), 1);
          const pub = await s.importKey("raw", compressed, P256, true, ["verify"]);
          eq(hex(await s.exportKey("raw", pub)), hex(raw));
        });
        check("errors", async () => {
          const k = await s.generateKey(P256, true, ["sign", "verify"]);
          await rejects(s.sign({ name: "ECDSA" }, k.privateKey, te.encode("x")), "TypeError", `Missing "hash" in AlgorithmIdentifier. (ECDSA requires that the hash algorithm be specified at call time`);
          await rejects(s.exportKey("raw", k.privateKey), "InvalidAccessError", "Raw export of elliptic curve keys is only allowed for public keys.");
          await rejects(s.generateKey({ name: "ECDSA", namedCurve: "P-257" }, true, ["sign"]), "NotSupportedError", `Unrecognized or unimplemented EC curve "P-257" requested.`);
          await rejects(s.generateKey({ name: "ECDSA" }, true, ["sign"]), "TypeError", `Missing field "namedCurve" in "algorithm".`);
          await rejects(s.generateKey(P256, true, ["verify"]), "SyntaxError", "Attempt to generate asymmetric keys with no valid private key usages.");
          await rejects(s.generateKey(P256, true, ["deriveBits"]), "SyntaxError", `Attempt to generate ECDSA key with invalid usage "deriveBits".`);
          await rejects(s.importKey("raw", new Uint8Array(65), P256, true, ["verify"]), "DataError", "Failed to import raw EC key data: Invalid point encoding..");
          await rejects(s.importKey("raw", new Uint8Array(64), P256, true, ["verify"]), "DataError", "Failed to import raw EC key data: Invalid point encoding..");
          const bad = unhex("04" + rfc.x + rfc.y);
          bad[5] ^= 1;
          await rejects(s.importKey("raw", bad, P256, true, ["verify"]), "DataError", "Failed to import raw EC key data: Point is not on curve..");
          await rejects(s.importKey("raw", unhex("04" + rfc.x + rfc.y), P256, true, ["sign"]), "SyntaxError", `Attempt to import public ECDSA key with invalid usage "sign".`);
          await rejects(s.importKey("spki", unhex(P384_SPKI), P256, true, ["verify"]), "DataError",
            `"algorithm.namedCurve" "P-256" does not match the curve specified by the input key data.`);
          await rejects(s.importKey("spki", unhex(P384_SPKI), { name: "ECDH", namedCurve: "P-256" }, true, []), "DataError",
            `"algorithm.namedCurve" "P-256", does not match the curve specified by the input key data.`);
          const edSpki = unhex("302a300506032b6570032100d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
          await rejects(s.importKey("spki", edSpki, P256, true, ["verify"]), "DataError", "Input was not an EC key.");
          await rejects(s.importKey("spki", edSpki, { name: "ECDH", namedCurve: "P-256" }, true, []), "DataError", "Input was not an EC public key nor a DH key.");
          await rejects(s.importKey("jwk", { kty: "EC", crv: "P-256", x: "AAAA", y: "AAAA" }, P256, true, ["verify"]), "OperationError",
            `Invalid EC key; public key coordinates "x" and "y" are invalid: Point is not on curve..`);
          await rejects(s.importKey("jwk", { kty: "EC", x: b64u(rfc.x) }, P256, true, ["verify"]), "DataError", `Invalid EC key in JSON Web Key; missing "y".`);
          await rejects(s.importKey("jwk", { kty: "EC", x: b64u(rfc.x), y: b64u(rfc.y), alg: "ES384" }, P256, true, ["verify"]), "DataError",
            `JSON Web Key Algorithm parameter "alg" ("ES384") does not match requested curve.`);
          await rejects(s.importKey("jwk", { kty: "OKP", x: "AAAA" }, P256, true, ["verify"]), "DataError",
            `Elliptic curve "jwk" key import requires a JSON Web Key with Key Type parameter "kty" ("OKP") equal to "EC".`);
        });
        """);

    [Fact]
    public Task EcdhMatchesRfc5903() => JsChecks.RunAsync(Helpers + """
        // RFC 5903 section 8.1: the 256-bit random ECP group.
        const i = { d: "c88f01f510d9ac3f70a292daa2316de544e9aab8afe84049c62a9c57862d1433",
          x: "dad0b65394221cf9b051e1feca5787d098dfe637fc90b9ef945d0c3772581180", y: "5271a0461cdb8252d61f1c456fa3e59ab1f45b33accf5f58389e0577b8990bb3" };
        const r = { d: "c6ef9c5d78ae012a011164acb397ce2088685d8f06bf9be0b283ab46476bee53",
          x: "d12dfb5289c8d4f81208b70270398c342296970a0bccb74c736fc7554494bf63", y: "56fbf3ca366cc23e8157854c13c58d6aac23f046ada30f8353e74f33039872ab" };
        const shared = "d6840f6b42f6edafd13116e0e12565202fef8e9ece7dce03812464d04b9442de";
        const alg = { name: "ECDH", namedCurve: "P-256" };
        const privateOf = (p) => s.importKey("jwk", { kty: "EC", crv: "P-256", x: b64u(p.x), y: b64u(p.y), d: b64u(p.d) }, alg, true, ["deriveBits", "deriveKey"]);
        const publicOf = (p) => s.importKey("raw", unhex("04" + p.x + p.y), alg, true, []);
        check("both sides reach the RFC's shared secret", async () => {
          eq(hex(await s.deriveBits({ name: "ECDH", public: await publicOf(r) }, await privateOf(i), 256)), shared);
          eq(hex(await s.deriveBits({ name: "ECDH", public: await publicOf(i) }, await privateOf(r))), shared);
        });
        check("shorter lengths truncate and mask", async () => {
          const priv = await privateOf(i), pub = await publicOf(r);
          eq(hex(await s.deriveBits({ name: "ECDH", public: pub }, priv, 128)), shared.slice(0, 32));
          eq(hex(await s.deriveBits({ name: "ECDH", public: pub }, priv, 12)), "d680");
          eq(hex(await s.deriveBits({ name: "ECDH", public: pub }, priv, 0)), "");
          await rejects(s.deriveBits({ name: "ECDH", public: pub }, priv, 264), "OperationError", "Derived key length (264 bits) is too long (should be at most 256 bits).");
        });
        check("deriveKey", async () => {
          const key = await s.deriveKey({ name: "ECDH", public: await publicOf(r) }, await privateOf(i), { name: "AES-GCM", length: 128 }, true, ["encrypt"]);
          eq(hex(await s.exportKey("raw", key)), shared.slice(0, 32));
          const hkdf = await s.deriveKey({ name: "ECDH", public: await publicOf(r) }, await privateOf(i), "HKDF", false, ["deriveBits"]);
          eq(hkdf.algorithm, { name: "HKDF" });
          await rejects(s.deriveKey({ name: "ECDH", public: await publicOf(r) }, await privateOf(i), { name: "HMAC", hash: "SHA-512" }, false, ["sign"]), "OperationError",
            "Derived key length (1024 bits) is too long (should be at most 256 bits).");
        });
        check("P-384 and P-521 pairs agree", async () => {
          for (const [namedCurve, bits] of [["P-384", 384], ["P-521", 528]]) {
            const a = await s.generateKey({ name: "ECDH", namedCurve }, true, ["deriveBits"]);
            const b = await s.generateKey({ name: "ECDH", namedCurve }, true, ["deriveBits"]);
            eq(a.publicKey.usages, []);
            eq(a.privateKey.usages, ["deriveBits"]);
            const ab = await s.deriveBits({ name: "ECDH", public: b.publicKey }, a.privateKey);
            eq(ab.byteLength * 8, bits);
            eq(hex(await s.deriveBits({ name: "ECDH", public: a.publicKey }, b.privateKey)), hex(ab));
            const spki = await s.importKey("spki", await s.exportKey("spki", b.publicKey), { name: "ECDH", namedCurve }, true, []);
            const pkcs8 = await s.importKey("pkcs8", await s.exportKey("pkcs8", a.privateKey), { name: "ECDH", namedCurve }, true, ["deriveBits"]);
            eq(hex(await s.deriveBits({ name: "ECDH", public: spki }, pkcs8)), hex(ab));
          }
        });
        check("errors", async () => {
          const priv = await privateOf(i);
          const p384 = await s.generateKey({ name: "ECDH", namedCurve: "P-384" }, true, ["deriveBits"]);
          const ecdsa = await s.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);
          await rejects(s.deriveBits({ name: "ECDH", public: priv }, priv), "InvalidAccessError", `The provided key has type "private", not "public"`);
          await rejects(s.deriveBits({ name: "ECDH", public: ecdsa.publicKey }, priv), "InvalidAccessError", `Private key for derivation is using "ECDH" while public key is using "ECDSA".`);
          await rejects(s.deriveBits({ name: "ECDH", public: p384.publicKey }, priv), "InvalidAccessError", `Private key for derivation is using curve "P-256" while public key is using "P-384".`);
          const hmac = await s.generateKey({ name: "HMAC", hash: "SHA-256" }, true, ["sign"]);
          await rejects(s.deriveBits({ name: "ECDH", public: hmac }, priv), "InvalidAccessError", `The provided key has type "secret", not "public"`);
          const ed = await s.generateKey("Ed25519", true, ["sign", "verify"]);
          await rejects(s.deriveBits({ name: "ECDH", public: ed.publicKey }, priv), "InvalidAccessError", "Base ECDH private key cannot be used to derive a key from a peer Ed25519 public key");
          await rejects(s.deriveBits({ name: "ECDH" }, priv), "TypeError", `Missing field "public" in "derivedKeyParams".`);
          await rejects(s.deriveBits({ name: "ECDH", public: "x" }, priv), "TypeError", "Incorrect type for the 'public' field on 'DeriveKeyAlgorithm': the provided value is not of type 'CryptoKey'.");
          await rejects(s.importKey("raw", unhex("04" + r.x + r.y), alg, true, ["deriveBits"]), "SyntaxError", `Attempt to import public ECDH key with invalid usage "deriveBits".`);
        });
        """);

    [Fact]
    public Task Ed25519MatchesRfc8032() => JsChecks.RunAsync(Helpers + """
        // RFC 8032 section 7.1, tests 1 to 3.
        const vectors = [
          ["9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"],
          ["4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb", "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"],
          ["c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7", "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
            "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"],
        ];
        check("signatures from PKCS#8 keys", async () => {
          for (const [secret, pub, msg, sig] of vectors) {
            const priv = await s.importKey("pkcs8", unhex("302e020100300506032b657004220420" + secret), "Ed25519", true, ["sign"]);
            eq(hex(await s.sign("Ed25519", priv, unhex(msg))), sig);
            const jwk = await s.exportKey("jwk", priv);
            eq(jwk, { kty: "OKP", key_ops: ["sign"], alg: "EdDSA", ext: true, crv: "Ed25519", x: b64u(pub), d: b64u(secret) });
          }
        });
        check("verification from raw, SPKI and JWK public keys", async () => {
          for (const [, pub, msg, sig] of vectors) {
            const keys = [
              await s.importKey("raw", unhex(pub), { name: "Ed25519" }, true, ["verify"]),
              await s.importKey("spki", unhex("302a300506032b6570032100" + pub), "Ed25519", true, ["verify"]),
              await s.importKey("jwk", { kty: "OKP", crv: "Ed25519", x: b64u(pub) }, "Ed25519", true, ["verify"]),
            ];
            for (const key of keys) {
              eq(await s.verify("Ed25519", key, unhex(sig), unhex(msg)), true);
              eq(await s.verify("Ed25519", key, unhex(sig), te.encode("other")), false);
              eq(hex(await s.exportKey("spki", key)), "302a300506032b6570032100" + pub);
              eq(hex(await s.exportKey("raw", key)), pub);
            }
          }
        });
        check("generated pairs", async () => {
          const k = await s.generateKey("Ed25519", true, ["sign", "verify"]);
          eq(k.publicKey.algorithm, { name: "Ed25519" });
          eq(k.privateKey.usages, ["sign"]);
          eq(k.publicKey.usages, ["verify"]);
          const sig = await s.sign({ name: "Ed25519" }, k.privateKey, te.encode("m"));
          eq(sig.byteLength, 64);
          eq(await s.verify({ name: "Ed25519" }, k.publicKey, sig, te.encode("m")), true);
          const pkcs8 = new Uint8Array(await s.exportKey("pkcs8", k.privateKey));
          eq(hex(pkcs8.subarray(0, 16)), "302e020100300506032b657004220420");
          const again = await s.importKey("pkcs8", pkcs8, "Ed25519", false, ["sign"]);
          eq(hex(await s.sign("Ed25519", again, te.encode("m"))), hex(sig));
        });
        check("Cloudflare's NODE-ED25519", async () => {
          const [secret, pub, msg, sig] = vectors[1];
          const alg = { name: "NODE-ED25519", namedCurve: "NODE-ED25519" };
          const key = await s.importKey("raw", unhex(pub), alg, true, ["verify"]);
          eq(key.algorithm, alg);
          eq(await s.verify(alg, key, unhex(sig), unhex(msg)), true);
          const k = await s.generateKey(alg, true, ["sign", "verify"]);
          eq(await s.verify("NODE-ED25519", k.publicKey, await s.sign("NODE-ED25519", k.privateKey, unhex(msg)), unhex(msg)), true);
          await rejects(s.importKey("raw", unhex(pub), { name: "NODE-ED25519", namedCurve: "X" }, true, ["verify"]), "NotSupportedError", `EDDSA curve "X" isn't supported.`);
        });
        check("errors", async () => {
          const key = await s.importKey("raw", unhex(vectors[0][1]), "Ed25519", true, ["verify"]);
          await rejects(s.verify("Ed25519", key, new Uint8Array(3), new Uint8Array(3)), "OperationError", "Invalid Ed25519 signature length 3");
          eq(await s.verify("Ed25519", key, new Uint8Array(64), new Uint8Array(3)), false);
          await rejects(s.exportKey("pkcs8", key), "InvalidAccessError", `Asymmetric pkcs8 export requires private key (not "public").`);
          await rejects(s.exportKey("foo", key), "InvalidAccessError", `Cannot export "Ed25519" in "foo" format.`);
          await rejects(s.importKey("raw", new Uint8Array(31), "Ed25519", true, ["verify"]), "DataError", "Ed25519 raw keys must be exactly 32-bytes (provided 31).");
          await rejects(s.importKey("raw", new Uint8Array(32), "Ed25519", true, ["sign"]), "SyntaxError", `Attempt to import public Ed25519 key with invalid usage "sign".`);
          await rejects(s.importKey("jwk", { kty: "OKP", crv: "X25519", x: "AAAA" }, "Ed25519", true, ["verify"]), "NotSupportedError", `Only Ed25519 is supported but "X25519" was requested.`);
          await rejects(s.importKey("jwk", { kty: "OKP", crv: "Ed25519", x: "AAAA" }, "Ed25519", true, ["verify"]), "DataError", "Invalid length 3 for public key");
          await rejects(s.importKey("jwk", { kty: "OKP", crv: "Ed25519", x: "AAAA", alg: "ES256" }, "Ed25519", true, ["verify"]), "DataError",
            `JSON Web Key Algorithm parameter "alg" ("ES256") does not match requested Ed25519 curve.`);
          await rejects(s.importKey("jwk", { kty: "oct", k: "AAAA" }, "Ed25519", true, ["verify"]), "DataError",
            `Ed25519 "jwk" key imports requires a JSON Web Key with Key Type parameter "kty" ("oct") equal to "OKP".`);
          await rejects(s.importKey("jwk", { kty: "OKP", x: "AAAA" }, "Ed25519", true, ["verify"]), "DataError", `Missing field "crv" for Ed25519 key.`);
          await rejects(s.generateKey("Ed25519", true, []), "SyntaxError", "Attempt to generate asymmetric keys with no valid private key usages.");
          await rejects(s.importKey("spki", new Uint8Array([1, 2, 3]), "Ed25519", true, ["verify"]), "DataError", "Invalid SPKI input.");
          await rejects(s.importKey("pkcs8", new Uint8Array([1, 2, 3]), "Ed25519", true, ["sign"]), "DataError", "Invalid PKCS8 input.");
        });
        """);

    [Fact]
    public Task X25519MatchesRfc7748() => JsChecks.RunAsync(Helpers + """
        const pkcs8 = (secret) => unhex("302e020100300506032b656e04220420" + secret);
        const alice = { d: "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a", x: "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a" };
        const bob = { d: "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb", x: "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f" };
        const shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
        check("section 6.1: Alice and Bob", async () => {
          const a = await s.importKey("pkcs8", pkcs8(alice.d), "X25519", true, ["deriveBits"]);
          const b = await s.importKey("jwk", { kty: "OKP", crv: "X25519", x: b64u(bob.x), d: b64u(bob.d) }, "X25519", true, ["deriveBits"]);
          eq((await s.exportKey("jwk", a)).x, b64u(alice.x));
          const aPub = await s.importKey("raw", unhex(alice.x), "X25519", true, []);
          const bPub = await s.importKey("spki", unhex("302a300506032b656e032100" + bob.x), "X25519", true, []);
          eq(hex(await s.deriveBits({ name: "X25519", public: bPub }, a, 256)), shared);
          eq(hex(await s.deriveBits({ name: "X25519", public: aPub }, b)), shared);
          eq(hex(await s.deriveBits({ name: "X25519", public: aPub }, b, 20)), "4a5d90");
        });
        check("section 5.2: scalar multiplication (the scalar is clamped)", async () => {
          const k = await s.importKey("pkcs8", pkcs8("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"), "X25519", false, ["deriveBits"]);
          const u = await s.importKey("raw", unhex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c"), "X25519", false, []);
          eq(hex(await s.deriveBits({ name: "X25519", public: u }, k, 256)), "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");
        });
        check("generated pairs and their formats", async () => {
          const a = await s.generateKey({ name: "X25519" }, true, ["deriveKey", "deriveBits"]);
          const b = await s.generateKey({ name: "X25519" }, true, ["deriveBits"]);
          eq(a.publicKey.usages, []);
          eq(a.privateKey.usages, ["deriveKey", "deriveBits"]);
          eq(await s.exportKey("jwk", a.publicKey), { kty: "OKP", key_ops: [], ext: true, crv: "X25519", x: (await s.exportKey("jwk", a.privateKey)).x });
          const ab = hex(await s.deriveBits({ name: "X25519", public: b.publicKey }, a.privateKey));
          eq(hex(await s.deriveBits({ name: "X25519", public: a.publicKey }, b.privateKey)), ab);
          const key = await s.deriveKey({ name: "X25519", public: b.publicKey }, a.privateKey, { name: "AES-KW", length: 256 }, true, ["wrapKey"]);
          eq(hex(await s.exportKey("raw", key)), ab);
        });
        check("errors", async () => {
          const a = await s.importKey("pkcs8", pkcs8(alice.d), "X25519", true, ["deriveBits"]);
          const zero = await s.importKey("raw", new Uint8Array(32), "X25519", true, []);
          await rejects(s.deriveBits({ name: "X25519", public: zero }, a, 256), "OperationError", "Failed to derive EDDH key: public key routines INVALID_PEER_KEY.");
          const ecdh = await s.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, ["deriveBits"]);
          await rejects(s.deriveBits({ name: "X25519", public: ecdh.publicKey }, a), "InvalidAccessError", "Base X25519 private key cannot be used to derive a key from a peer ECDH public key");
          const bPub = await s.importKey("raw", unhex(bob.x), "X25519", true, []);
          await rejects(s.deriveBits({ name: "X25519", public: bPub }, a, 264), "OperationError", "Derived key length (264 bits) is too long (should be at most 256 bits).");
          const ed = await s.generateKey("Ed25519", true, ["sign", "verify"]);
          await rejects(s.deriveBits({ name: "X25519", public: ed.publicKey }, a, 256), "InvalidAccessError", `Private key for derivation is using "X25519" while public key is using "Ed25519".`);
          await rejects(s.importKey("raw", unhex(bob.x), "X25519", true, ["deriveBits"]), "SyntaxError", `Attempt to import public X25519 key with invalid usage "deriveBits".`);
          await rejects(s.exportKey("raw", a), "InvalidAccessError", "Raw export of X25519 keys is only allowed for public keys.");
        });
        """);
}
