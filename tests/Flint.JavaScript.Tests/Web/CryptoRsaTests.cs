using Flint.JavaScript.Tests.Support;

namespace Flint.JavaScript.Tests.Web;

/// <summary>
/// RSASSA-PKCS1-v1_5, RSA-PSS and RSA-OAEP. The fixed vectors were made by workerd (a 2048-bit
/// key, its signatures and ciphertexts): Flint must produce the same deterministic PKCS#1
/// signature and accept workerd's randomized ones. Every script here also passes in workerd.
/// </summary>
public class CryptoRsaTests
{
    private const string Helpers = """
        const hex = (b) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, "0")).join("");
        const unhex = (h) => new Uint8Array((h.match(/../g) ?? []).map((x) => parseInt(x, 16)));
        const te = new TextEncoder();
        const s = crypto.subtle;
        const e65537 = new Uint8Array([1, 0, 1]);
        const RSA_PKCS8 =
          "308204bf020100300d06092a864886f70d0101010500048204a9308204a50201000282010100bf48fdb2c15dc3a93cbd1e7bebec09d1e500" +
          "e2641ef42f9e7dff5163751cd89a044c5cec05a4feb279230255cf5256f3a6d664004ad6d0dcba00efd463b22415c81aa8aeec491a5a1e50" +
          "e72711a76d5cb98614a7628ad9697c35d693d6a3d7bad818d17f10a78a54c8a66bc26223d9a8465726bbd127ef859b2858ade2410829de1d" +
          "e6c10ea2171130bbc35dba649245b23b62dd19f16af7f0aae5f2638ae1619c1aa49e750f7758b515c76ae7c19253c335f5645863b295e6b3" +
          "cabc7958d0d546bbc2a5834842dd48beee5518053c9f3d5acf1f482b2da765346525baad43705c6e9a8f9996aac947ab0f8a1bf26082e8ba" +
          "b20b8f82f9fef6d954df088ce17102030100010282010001994f68d7672f498bfa93c7938b68b7246c03510a1aa1d8cd80e97279d5f88150" +
          "3e3e3cb2316ef8305e196ae5ca45c96e0be16e006d37c1185b476445f4c028428de0565bb5eaf923329af22ca79a1f707f3090e73fce6064" +
          "442a6cd6a418289b3e9f9b1902489328212c64630a89e08b059015033fc66945bd18b2b675a2d9de8696fb318a0809f592b491e339b722b3" +
          "690d70db32b21e09a4904bc749dc6b1d94460e38e37acef8896ac984d5a66d70e88ffb5e610e543c73e93cd86babdd3de80a0a999cdaa24a" +
          "1797573d96becc7090f0a2f57e5ae32053b5d9c6b407a77921f9599a16551453c3de3afa5b728884c3fe9f199947957bbe7f4920a62ef102" +
          "818100e082e794116583a82569f4a34d00c8c41836346f03377baf791d9eb3005b03e312d3a7763ca75ef2781490af7dc800613b09779d01" +
          "eeb8491b104261a39800fa476206a13e042b31c90e55e4dd4fa88cccc62c8141b28605d53f8ddbd5c56e6a0dc627224437fa7a9aa57938ed" +
          "88f21665996188a9c76a606ed5e5de440a771b02818100da1d18b457d4425cfaaa1a09d9530ee85fd9eee45f2af6f1df2958b9f31ff1fbda" +
          "6c2992bcc38badc5176f2a373883525e72b9c5cd8f1ad1080f1d670ca1e83586d407f3ccd4a21c9cc4958886ff8bf81641ba3f21fe281cf7" +
          "fbbb5e7c3e2821365a0694feeed2d23005a9430dfab9c99628994f75d3eeb7ac733b200c95966302818100ac4163c2c47239c88a2438720e" +
          "c3ba4652394c939c493699d4787869e8acec578dfb5cb22829567cfccaf293e312cfcfca072282119882467d00459e3a7186d6806c629fd6" +
          "40468fe52e1d9302867ad0c4d08c17043c1ffe5bb66e762c1755f702e874e022ad3c7e532700d23fd5e1c073657262f3b8b0129b177c4dc3" +
          "b0afdf02818100814ccc6f64bdb515af9795560f5a78b4f2d59c141002c55fff7e6055e3b6255abb527196c68659d08acd689e2b1c3a6563" +
          "0e39e8f40208d0b0295db1d0404f0b24419ff13c953501274236af37f058469ad31e18fd0ad136d31f8d24e71c65e7c273be0127dbe668aa" +
          "0541213a314f601cbf369b6f6b52d1d9ce79d776fe5aa702818100c9c82a2faf762c27b3a3821549fe45a8521bf1b50c02c0ccd8cedcbffd" +
          "7638daa718e3b0496221434bba697af85cf18ac599f9a20abfa1be45a4cb15a83b7c90e0b9887e06fa7a44a6a525bd09174b94dea071fdc9" +
          "5214cb12e3303b79ecd9e6a60fcc00165a83ae5babb33f37638ae81ae9973e4f959015139b9f136476cce2";
        const RSA_SPKI =
          "30820122300d06092a864886f70d01010105000382010f003082010a0282010100bf48fdb2c15dc3a93cbd1e7bebec09d1e500e2641ef42f" +
          "9e7dff5163751cd89a044c5cec05a4feb279230255cf5256f3a6d664004ad6d0dcba00efd463b22415c81aa8aeec491a5a1e50e72711a76d" +
          "5cb98614a7628ad9697c35d693d6a3d7bad818d17f10a78a54c8a66bc26223d9a8465726bbd127ef859b2858ade2410829de1de6c10ea217" +
          "1130bbc35dba649245b23b62dd19f16af7f0aae5f2638ae1619c1aa49e750f7758b515c76ae7c19253c335f5645863b295e6b3cabc7958d0" +
          "d546bbc2a5834842dd48beee5518053c9f3d5acf1f482b2da765346525baad43705c6e9a8f9996aac947ab0f8a1bf26082e8bab20b8f82f9" +
          "fef6d954df088ce1710203010001";
        const RSA_PKCS1_SIG =
          "22f2b9dd1838a6e487d160fd83d4dabbbd388c0a60e3a192519621b2922cdc0c845a5e61c6d5d857671631354118ecfc50948e4df9d4851b" +
          "c832cb98daa53877e9acedea5ac79dcce2bf6c6df5a9dc77f6dcbd01ebd9dfc840e349dcf0cd858b163df8e3e4e3e8efbf7be8d6ff7e8cff" +
          "fc1a2e9436edceed04dcb5db8d599ea3dcef737721d74a357f3c44207181fda6bfd1e3a9abf54bda662428305025b36d6f027e135821cc9c" +
          "cca6331d8f3f71a6addb455bffd09885a903d5c428afff21f48a486ca9df36377e0c197796c79a24019edda1d6042acae2e38f1bfc03b21c" +
          "9eecebf2606c7ac4084d432fc4b0975c9b721a48cf9e7e4db75c6d3c5b47a9fa";
        const RSA_PSS32_SIG =
          "36b6cb695d22b612a35bc1df2662782e6d48d9edabab2d0333ecb703d7c3b9209fcaa46b4b90df2e51ff014c56ee3d3e162f6be2768af917" +
          "93486f6979f9689472c2951941805851c35b999156e0abe4f1941d4cf01cffba2f805b5ea703a4723426e1cbd9bb010844ba23d6babaed92" +
          "a187850756deaed7c022e97010faadf0a0a1156b3c8e89faef2168ba5ba5b59bee5dac4bdccbe636a4d52f3ecb18f05578c260aed71f7bce" +
          "619e3ced25ee2cec2b58a4ed2e9dff834990203f3c926adb7b4f7c477139ca8b6c93e5ba1c833530f730abbf06bc9658d0f4d643fe843a07" +
          "f943001a1ab5a8dee3282768a47ab689fa8be63d82acfe4f4d1896bfc7e2e6fa";
        const RSA_PSS0_SIG =
          "985557c225ff2702336367038c0fc2a7e2a106d11eea88699ad3052981d5ba72f398d7c5b063194d17f893128b459c05cade6eb494469653" +
          "0b6f44c1f8e2d7e7f9b8ad041887e11e81796b8b95decb94cbe28af9484eade0ae6c3e2caccf89432d822cf8d8cdb53c2831b35d9b972450" +
          "9b57aded5278bf19ff91c3d5a600a8a8639d5513338455f4b54f87fe3b23eb42fd01261aae3ef6334e4c4e6a78682cf9d6601c0db1a16626" +
          "74334a933fccf8bd1b685ab4783fb04d113de1a24e283b9337cab2a6572219f593c49277f13d5acc43ceda4ae48b51fb862a268efcae9138" +
          "b2a8268254c105651888dbe96d372943c169e15bab472e9585ccb4226dfc8ec0";
        const RSA_OAEP =
          "aedc3b1a58c42ceec069697cec22a521509d0a676dc71ff3d4eb1f9576c54048fba6d277d0984e5b9e74095b0c98bece65a649b8630a634c" +
          "211c3ec2354fac7726ff8cc6087295bff9d9e0567968a267d421b6317a403f4f6d9fc5b8558201465678de9433b25cdb01607c7cfbf80ee9" +
          "b34734851c0ad3b6b55adfaa5ec7bebde0ff487ab79ecf6541297383b452f380f0ea14aeca30f9579648c214c059b05d50b098a160311bb8" +
          "2e536607b68325416d48ece96eba14763ae8783ed7bd556a5b0a1e05ff1b11f5656395b9cd54d88c1d1affcdcab601a3b4f3384e3111120a" +
          "4b1d672fe9360049f2cdb103bfd360f3942d556cb089e51b10a895042ada00b4";
        const RSA_OAEP_LABEL =
          "a468b73dc713b23002830e69881bf07f7520439ca88bf4123ce25b5292b579482b8fa3e019b5d45b8d8e0e85800fa9380810546f1c2710bd" +
          "e9c4ad07070f9d4198ddf53a0291568e41529159d8b1427d0c2906dce136e9fb54dcb8a885f995ffc21b04e3fad2a778a7c7221f7a418c31" +
          "57ddfd927b7ae14f2962c27f5e9d2daffdc62769846929df1ff8bc26655a0842a74874c3a3cc726932c2c069dc5f53626daddd09b7c85b9a" +
          "8e488e14cc0b2ded898eff3978a6943e2a609617539f4cbe2fc97ba5f4837ecb70a388f339c1e29add6813acded2cf10ed3b010b91bfa3ca" +
          "b8ae1f489aed0b137ae2d4f186c0dc03c6aa463a1190519e9a09e7291414dfb0";
        const RSA_OAEP_SHA1 =
          "6bacfc9de0be5727ff3a67a8c135aaead4d938e6fbd04f30745a2e76b3b1b61910e4f53cccc82847f6fc5a7ed030ce177837022eef928bcf" +
          "737532e59309ab6ed30f9d4f5b14fa5db533126bb69a0cc631bb398bf1d09219a14f2feb0d760e617f66b6816be89b46d72e7624da53b927" +
          "4098d416435964e0e57d462e17cc44f6b943b26f5124d672af01e72a333c9e9d8464d223b83289495596eac3ae0e79dd5f59a0a6e353d0f0" +
          "f502f776990bfb5d6e26434f050731ceca559b982f668728c1728df0f4ee6f2dd48a9b1a5228b107ca3c3666565dfc2c8675ee8916a6ade8" +
          "e1de1767a1c695c87de6fbc4e51143e54ab24569e732976a2d5f7ad0284bc9be";
        """;

    [Fact]
    public Task RsaInteroperatesWithWorkerdVectors() => JsChecks.RunAsync(Helpers + """
        check("PKCS#1 v1.5 signatures are deterministic and match", async () => {
          const key = await s.importKey("pkcs8", unhex(RSA_PKCS8), { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["sign"]);
          eq(hex(await s.sign("RSASSA-PKCS1-v1_5", key, te.encode("hello"))), RSA_PKCS1_SIG);
          const pub = await s.importKey("spki", unhex(RSA_SPKI), { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["verify"]);
          eq(await s.verify("RSASSA-PKCS1-v1_5", pub, unhex(RSA_PKCS1_SIG), te.encode("hello")), true);
          eq(await s.verify("RSASSA-PKCS1-v1_5", pub, unhex(RSA_PKCS1_SIG), te.encode("hellO")), false);
          eq(pub.algorithm.modulusLength, 2048);
          eq([...pub.algorithm.publicExponent], [1, 0, 1]);
          ok(pub.algorithm.publicExponent instanceof Uint8Array);
        });
        check("PSS signatures with salts of 32 and 0 bytes", async () => {
          const pub = await s.importKey("spki", unhex(RSA_SPKI), { name: "RSA-PSS", hash: "SHA-256" }, false, ["verify"]);
          eq(await s.verify({ name: "RSA-PSS", saltLength: 32 }, pub, unhex(RSA_PSS32_SIG), te.encode("hello")), true);
          eq(await s.verify({ name: "RSA-PSS", saltLength: 0 }, pub, unhex(RSA_PSS0_SIG), te.encode("hello")), true);
          eq(await s.verify({ name: "RSA-PSS", saltLength: 0 }, pub, unhex(RSA_PSS32_SIG), te.encode("hello")), false);
          eq(await s.verify({ name: "RSA-PSS", saltLength: 32 }, pub, unhex(RSA_PSS0_SIG), te.encode("hello")), false);
          eq(await s.verify({ name: "RSA-PSS", saltLength: 32 }, pub, unhex(RSA_PSS32_SIG), te.encode("hellO")), false);
          const priv = await s.importKey("pkcs8", unhex(RSA_PKCS8), { name: "RSA-PSS", hash: "SHA-256" }, false, ["sign"]);
          for (const saltLength of [0, 20, 32, 64]) {
            const sig = await s.sign({ name: "RSA-PSS", saltLength }, priv, te.encode("data"));
            eq(await s.verify({ name: "RSA-PSS", saltLength }, pub, sig, te.encode("data")), true, `salt ${saltLength}`);
          }
        });
        check("OAEP ciphertexts, with and without a label", async () => {
          const priv = await s.importKey("pkcs8", unhex(RSA_PKCS8), { name: "RSA-OAEP", hash: "SHA-256" }, false, ["decrypt"]);
          eq(new TextDecoder().decode(await s.decrypt({ name: "RSA-OAEP" }, priv, unhex(RSA_OAEP))), "secret");
          eq(new TextDecoder().decode(await s.decrypt({ name: "RSA-OAEP", label: te.encode("lbl") }, priv, unhex(RSA_OAEP_LABEL))), "secret");
          await rejects(s.decrypt({ name: "RSA-OAEP" }, priv, unhex(RSA_OAEP_LABEL)), "OperationError", "RSA-OAEP failed encrypt/decrypt.");
          await rejects(s.decrypt({ name: "RSA-OAEP", label: te.encode("x") }, priv, unhex(RSA_OAEP_LABEL)), "OperationError", "RSA-OAEP failed encrypt/decrypt.");
          const sha1 = await s.importKey("pkcs8", unhex(RSA_PKCS8), { name: "RSA-OAEP", hash: "SHA-1" }, false, ["decrypt"]);
          eq(new TextDecoder().decode(await s.decrypt("RSA-OAEP", sha1, unhex(RSA_OAEP_SHA1))), "secret");
        });
        check("a bare PKCS#1 RSAPrivateKey is accepted as pkcs8, as BoringSSL does", async () => {
          const pkcs1 = unhex(RSA_PKCS8).subarray(26);
          const key = await s.importKey("pkcs8", pkcs1, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, true, ["sign"]);
          eq(hex(await s.sign("RSASSA-PKCS1-v1_5", key, te.encode("hello"))), RSA_PKCS1_SIG);
          eq(hex(await s.exportKey("pkcs8", key)), RSA_PKCS8);
        });
        check("exports are the bytes workerd exported", async () => {
          const priv = await s.importKey("pkcs8", unhex(RSA_PKCS8), { name: "RSA-OAEP", hash: "SHA-256" }, true, ["decrypt"]);
          eq(hex(await s.exportKey("pkcs8", priv)), RSA_PKCS8);
          const pub = await s.importKey("spki", unhex(RSA_SPKI), { name: "RSA-OAEP", hash: "SHA-256" }, true, ["encrypt"]);
          eq(hex(await s.exportKey("spki", pub)), RSA_SPKI);
        });
        check("JWKs, including a private key without its CRT members", async () => {
          const priv = await s.importKey("pkcs8", unhex(RSA_PKCS8), { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, true, ["sign"]);
          const jwk = await s.exportKey("jwk", priv);
          eq(Object.keys(jwk), ["kty", "key_ops", "alg", "ext", "d", "n", "e", "p", "q", "dp", "dq", "qi"]);
          eq(jwk.alg, "RS256");
          eq(jwk.e, "AQAB");
          const again = await s.importKey("jwk", jwk, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, true, ["sign"]);
          eq(hex(await s.sign("RSASSA-PKCS1-v1_5", again, te.encode("hello"))), RSA_PKCS1_SIG);
          const { p, q, dp, dq, qi, ...bare } = jwk;
          const fromD = await s.importKey("jwk", bare, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, true, ["sign"]);
          eq(hex(await s.sign("RSASSA-PKCS1-v1_5", fromD, te.encode("hello"))), RSA_PKCS1_SIG);
          const pub = await s.importKey("jwk", { kty: "RSA", n: jwk.n, e: jwk.e, alg: "PS256" }, { name: "RSA-PSS", hash: "SHA-256" }, true, ["verify"]);
          eq(await s.exportKey("jwk", pub), { kty: "RSA", key_ops: ["verify"], alg: "PS256", ext: true, n: jwk.n, e: "AQAB" });
        });
        """);

    [Fact]
    public Task RsaKeysGenerateAndRoundTrip() => JsChecks.RunAsync(Helpers + """
        check("generate, sign and verify each way", async () => {
          const pkcs1 = await s.generateKey({ name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: e65537, hash: "SHA-256" }, true, ["sign", "verify"]);
          eq(pkcs1.publicKey.algorithm, { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: { 0: 1, 1: 0, 2: 1 }, hash: { name: "SHA-256" } });
          eq(pkcs1.privateKey.usages, ["sign"]);
          eq(pkcs1.publicKey.usages, ["verify"]);
          eq(pkcs1.publicKey.extractable, true);
          ok(pkcs1.publicKey.algorithm.publicExponent !== pkcs1.privateKey.algorithm.publicExponent);
          const sig = await s.sign("RSASSA-PKCS1-v1_5", pkcs1.privateKey, te.encode("x"));
          eq(sig.byteLength, 256);
          eq(await s.verify("RSASSA-PKCS1-v1_5", pkcs1.publicKey, sig, te.encode("x")), true);
          const pss = await s.generateKey({ name: "RSA-PSS", modulusLength: 1024, publicExponent: e65537, hash: "SHA-384" }, false, ["sign", "verify"]);
          const psig = await s.sign({ name: "RSA-PSS", saltLength: 48 }, pss.privateKey, te.encode("x"));
          eq(await s.verify({ name: "RSA-PSS", saltLength: 48 }, pss.publicKey, psig, te.encode("x")), true);
        });
        check("a public exponent of 3", async () => {
          const k = await s.generateKey({ name: "RSASSA-PKCS1-v1_5", modulusLength: 1024, publicExponent: new Uint8Array([3]), hash: "SHA-1" }, true, ["sign", "verify"]);
          eq([...k.publicKey.algorithm.publicExponent], [3]);
          eq((await s.exportKey("jwk", k.publicKey)).e, "Aw");
          const sig = await s.sign("RSASSA-PKCS1-v1_5", k.privateKey, te.encode("x"));
          eq(await s.verify("RSASSA-PKCS1-v1_5", k.publicKey, sig, te.encode("x")), true);
        });
        check("every export format imports back", async () => {
          const k = await s.generateKey({ name: "RSA-OAEP", modulusLength: 1024, publicExponent: e65537, hash: "SHA-256" }, true, ["encrypt", "decrypt", "wrapKey", "unwrapKey"]);
          eq(k.publicKey.usages, ["encrypt", "wrapKey"]);
          eq(k.privateKey.usages, ["decrypt", "unwrapKey"]);
          const alg = { name: "RSA-OAEP", hash: "SHA-256" };
          const pub = await s.importKey("spki", await s.exportKey("spki", k.publicKey), alg, true, ["encrypt"]);
          const priv = await s.importKey("pkcs8", await s.exportKey("pkcs8", k.privateKey), alg, true, ["decrypt"]);
          const jpub = await s.importKey("jwk", await s.exportKey("jwk", k.publicKey), alg, true, ["encrypt"]);
          const jpriv = await s.importKey("jwk", await s.exportKey("jwk", k.privateKey), alg, true, ["decrypt"]);
          eq((await s.exportKey("jwk", k.publicKey)).alg, "RSA-OAEP-256");
          for (const [e, d] of [[pub, priv], [jpub, jpriv], [k.publicKey, jpriv], [jpub, k.privateKey]]) {
            const ct = await s.encrypt({ name: "RSA-OAEP", label: new Uint8Array([1, 2]) }, e, te.encode("message"));
            eq(ct.byteLength, 128);
            eq(new TextDecoder().decode(await s.decrypt({ name: "RSA-OAEP", label: new Uint8Array([1, 2]) }, d, ct)), "message");
          }
        });
        check("generate errors", async () => {
          const alg = { name: "RSA-PSS", modulusLength: 1024, publicExponent: e65537, hash: "SHA-256" };
          await rejects(s.generateKey({ ...alg, modulusLength: 1000 }, true, ["sign"]), "OperationError", "Can't generate key: RSA key size is required to be a multiple of 128");
          await rejects(s.generateKey({ ...alg, modulusLength: 100000 }, true, ["sign"]), "OperationError", "The modulus length must be a multiple of 8 and between 256 and 16k, but 100000 was requested.");
          await rejects(s.generateKey({ ...alg, modulusLength: 0 }, true, ["sign"]), "OperationError", "modulusLength must be greater than zero (requested 0).");
          await rejects(s.generateKey({ ...alg, publicExponent: new Uint8Array([5]) }, true, ["sign"]), "OperationError", `The "publicExponent" must be either 3 or 65537, but got 5.`);
          await rejects(s.generateKey({ ...alg, publicExponent: new Uint8Array([1, 0, 0, 0, 0, 1]) }, true, ["sign"]), "OperationError", "but got a number larger than 2^32.");
          await rejects(s.generateKey({ ...alg }, true, ["verify"]), "SyntaxError", "Attempt to generate asymmetric keys with no valid private key usages.");
          await rejects(s.generateKey({ ...alg }, true, ["encrypt"]), "SyntaxError", `Attempt to generate RSA-PSS key with invalid usage "encrypt".`);
          await rejects(s.generateKey({ name: "RSA-PSS", modulusLength: 1024, hash: "SHA-256" }, true, ["sign"]), "TypeError", `Missing field "publicExponent" in "algorithm".`);
          await rejects(s.generateKey({ name: "RSA-PSS", modulusLength: 1024, publicExponent: e65537 }, true, ["sign"]), "TypeError", `Missing field "hash" in "algorithm".`);
          await rejects(s.generateKey({ name: "RSA-PSS", publicExponent: e65537, hash: "SHA-1" }, true, ["sign"]), "TypeError", `Missing field "modulusLength" in "algorithm".`);
        });
        """);

    [Fact]
    public Task RsaErrorsMatchWorkerd() => JsChecks.RunAsync(Helpers + """
        check("operation errors", async () => {
          const pss = await s.importKey("pkcs8", unhex(RSA_PKCS8), { name: "RSA-PSS", hash: "SHA-256" }, true, ["sign"]);
          const pssPub = await s.importKey("spki", unhex(RSA_SPKI), { name: "RSA-PSS", hash: "SHA-256" }, true, ["verify"]);
          await rejects(s.sign({ name: "RSA-PSS" }, pss, te.encode("x")), "DataError", "Failed to provide salt for RSA-PSS key operation which requires a salt");
          await rejects(s.verify({ name: "RSA-PSS" }, pssPub, new Uint8Array(256), te.encode("x")), "TypeError", "Failed to provide salt for RSA-PSS key operation which requires a salt");
          await rejects(s.sign({ name: "RSA-PSS", saltLength: -1 }, pss, te.encode("x")), "DataError", "SaltLength for RSA-PSS must be non-negative (provided -1).");
          await rejects(s.sign({ name: "RSA-PSS", saltLength: 300 }, pss, te.encode("x")), "OperationError", "key too small for signing with given digest and salt length");
          await rejects(s.exportKey("raw", pssPub), "InvalidAccessError", `Cannot export "RSA-PSS" in "raw" format.`);
          await rejects(s.exportKey("spki", pss), "InvalidAccessError", `Asymmetric spki export requires public key (not "private").`);
          await rejects(s.exportKey("pkcs8", pssPub), "InvalidAccessError", `Asymmetric pkcs8 export requires private key (not "public").`);
          const oaep = await s.importKey("spki", unhex(RSA_SPKI), { name: "RSA-OAEP", hash: "SHA-256" }, true, ["encrypt"]);
          await rejects(s.encrypt({ name: "RSA-OAEP" }, oaep, new Uint8Array(300)), "OperationError", "RSA-OAEP failed encrypt/decrypt.");
          await rejects(s.encrypt({ name: "RSA-OAEP", label: "x" }, oaep, new Uint8Array(3)), "TypeError", "Incorrect type for the 'label' field on 'EncryptAlgorithm'");
          await rejects(s.decrypt({ name: "RSA-OAEP" }, oaep, new Uint8Array(256)), "InvalidAccessError", `Requested key usage "decrypt" does not match any usage listed in this CryptoKey.`);
        });
        check("import errors", async () => {
          const ecSpki = unhex("3059301306072a8648ce3d020106082a8648ce3d0301070342000497e6599d01cbb02dd99c349d8dfc6f95392a8c0953c0d2ef40f5dbe81e552e6aabdf38e1e71bc25e630088f1998f18bf56a6842229759e8bca1aac9fd939e895");
          const alg = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
          await rejects(s.importKey("spki", ecSpki, alg, true, ["verify"]), "DataError", "Input was not an RSA key.");
          await rejects(s.importKey("spki", new Uint8Array([1, 2, 3]), alg, true, ["verify"]), "DataError", "Invalid SPKI input.");
          await rejects(s.importKey("spki", new Uint8Array([...unhex(RSA_SPKI), 0]), alg, true, ["verify"]), "DataError", "Invalid 1 trailing bytes after SPKI input.");
          await rejects(s.importKey("pkcs8", new Uint8Array([1, 2, 3]), alg, true, ["sign"]), "DataError", "Invalid PKCS8 input.");
          await rejects(s.importKey("pkcs8", unhex(RSA_PKCS8), alg, true, ["verify"]), "SyntaxError", `Attempt to import private RSASSA-PKCS1-v1_5 key with invalid usage "verify".`);
          await rejects(s.importKey("spki", unhex(RSA_SPKI), { name: "RSASSA-PKCS1-v1_5" }, true, ["verify"]), "TypeError", `Missing field "hash" in "algorithm".`);
          await rejects(s.importKey("raw", unhex(RSA_SPKI), alg, true, ["verify"]), "NotSupportedError", `Unrecognized key import format "raw".`);
          const pub = await s.importKey("spki", unhex(RSA_SPKI), alg, true, ["verify"]);
          const jwk = await s.exportKey("jwk", pub);
          await rejects(s.importKey("jwk", { ...jwk, alg: "RS384" }, alg, true, ["verify"]), "DataError",
            `JSON Web Key Algorithm parameter "alg" ("RS384") does not match requested hash algorithm "RS384".`);
          await rejects(s.importKey("jwk", { ...jwk, alg: "XX" }, alg, true, ["verify"]), "NotSupportedError",
            `Unrecognized or unimplemented algorithm "XX" listed in JSON Web Key Algorithm parameter.`);
          await rejects(s.importKey("jwk", { ...jwk, kty: "EC" }, alg, true, ["verify"]), "DataError",
            `RSASSA-PKCS1-v1_5 "jwk" key import requires a JSON Web Key with Key Type parameter "kty" ("EC") equal to "RSA".`);
          await rejects(s.importKey("jwk", { kty: "RSA", e: "AQAB" }, alg, true, ["verify"]), "DataError",
            `Invalid RSA key in JSON Web Key; missing or invalid Modulus parameter ("n").`);
          await rejects(s.importKey("jwk", { kty: "RSA", n: "AAAA", e: "AQAB" }, alg, true, ["verify"]), "OperationError",
            "The modulus length must be a multiple of 8 and between 256 and 16k, but 0 was requested.");
          await rejects(s.importKey("jwk", { ...jwk, use: "enc" }, alg, true, ["verify"]), "DataError",
            `Asymmetric "jwk" key import with usages requires a JSON Web Key with Public Key Use parameter "use" ("enc") equal to "sig".`);
          await rejects(s.importKey("jwk", { ...jwk, key_ops: ["sign"] }, alg, true, ["verify"]), "DataError",
            `All specified key usages must be present in the JSON Web Key's Key Operations parameter ("key_ops").`);
          await rejects(s.importKey("jwk", { ...jwk, key_ops: undefined, d: jwk.n, p: jwk.n }, alg, true, ["sign"]), "DataError",
            `Invalid RSA private key in JSON Web Key; if one Prime Factor or CRT Exponent/Coefficient parameter is present, then they must all be present ("p", "q", "dp", "dq", "qi").`);
          await rejects(s.importKey("jwk", { ...jwk, key_ops: undefined, d: jwk.n, oth: [] }, alg, true, ["sign"]), "NotSupportedError", "Multi-prime private keys not supported.");
        });
        """);
}
