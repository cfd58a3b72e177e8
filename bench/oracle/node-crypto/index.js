// node:crypto ciphers, key generation, RSA encryption, agreement, X509: bench/oracle.sh bench/oracle/node-crypto /run
import crypto from "node:crypto";
const CERT = "-----BEGIN CERTIFICATE-----\nMIIDaTCCAlGgAwIBAgIUfT41LxAKTd+aTou0jbIz17ydBCswDQYJKoZIhvcNAQEL\nBQAwNjELMAkGA1UEBhMCREUxEzARBgNVBAoMCkZsaW50IFRlc3QxEjAQBgNVBAMM\nCWxvY2FsaG9zdDAeFw0yNjEyMDIwMTQxMDRaFw0zNjExMjkwMTQxMDRaMDYxCzAJ\nBgNVBAYTAkRFMRMwEQYDVQQKDApGbGludCBUZXN0MRIwEAYDVQQDDAlsb2NhbGhv\nc3QwggEiMA0GCSqGSIb3DQEBAQUAA4IBDwAwggEKAoIBAQDC0J/0aiPjvskOOOhQ\nCnOs2/vwYuh6hGtbY9ttj2BJKX8IiAiX1zAW+LWnlYHooIoF/+k9/0WowfYHlfZo\n6J2LVeAlX92TX5kq6unR4l0Xf9OQyYtwZGtByMXPxl/ArRih17n/IldzlyopnZ8o\nMZvawq4H7XQFm59gHSuhc5lkHgxC7ULPMDPYDjhqzPEKgWCicc8eooGwb+nPEwYy\nc80neotBJhfZh8H+HVBgDUHVSQz5BhjxNI06GJUwwWwGexXMN8DeqYjeL8tkiapg\nT4cOw+7rrGD0tHqZcIb9Kh5QSQELOQz5kOs8ZJr9QwQ7iwyovMHTSgVhT9KxGXCr\nGX3LAgMBAAGjbzBtMB0GA1UdDgQWBBRESda5ucwB5pBpnSa5RmO7p3imTjAfBgNV\nHSMEGDAWgBRESda5ucwB5pBpnSa5RmO7p3imTjAPBgNVHRMBAf8EBTADAQH/MBoG\nA1UdEQQTMBGCCWxvY2FsaG9zdIcEfwAAATANBgkqhkiG9w0BAQsFAAOCAQEAN6GD\nT5uNIL1M67CnlAz4ZvsVAUuqquPHNu4nrBJ1E0ybtkDkbID6pCq34/Vpn9JEAxc9\nNW3o1fDBsJFrtgcbSlq2qgI4AKHO7gwsMstEUuGcPfZ4ovwpor/iTGWbJ8zZ4YhK\nXdB1Liu8xGGeFEGMtvvpxSLwrB2Zb5gvoRMbjkU8xfy80p0ZjnBKM7iGYVhbVWwI\n68lZcClPzTw6OWFIRiYtQPAHRvirF6KudHSuR9iMX2Adv2D7XvYTf8khiGc29nl2\nnqPKMaYXFjXpJA9vNKjFq0T9QbFEEE4c+J5op7602RiJwwoyhW4HrZ24WFCUKnim\nkTkSaMKblAY8Ibx78Q==\n-----END CERTIFICATE-----\n";
const d = (e) => [e.name, e.code ?? null, e.message];
const t = (f) => { try { const v = f(); return ["ok", v instanceof Uint8Array ? Buffer.from(v).toString("hex") : v]; } catch (e) { return ["throw", d(e)]; } };
export default {
  async fetch(request) {
    if (new URL(request.url).pathname !== "/run") return new Response("ok");
    const out = {};
    out.ciphers = crypto.getCiphers().sort(); // workerd's order varies from run to run
    const key = Buffer.alloc(32, 1), iv = Buffer.alloc(16, 2);
    out.cbc = t(() => { const c = crypto.createCipheriv("aes-256-cbc", key, iv); return Buffer.concat([c.update(Buffer.from("hello world")), c.final()]).toString("hex"); });
    out.gcm = t(() => { const c = crypto.createCipheriv("aes-256-gcm", key, iv.subarray(0, 12)); c.setAAD(Buffer.from("aad")); const ct = Buffer.concat([c.update(Buffer.from("hello world")), c.final()]); return [ct.toString("hex"), c.getAuthTag().toString("hex")]; });
    out.badKey = t(() => crypto.createCipheriv("aes-256-cbc", Buffer.alloc(5), iv));
    out.badIv = t(() => crypto.createCipheriv("aes-256-cbc", key, Buffer.alloc(3)));
    out.unknown = t(() => crypto.createCipheriv("nope-cipher", key, iv));
    out.badDecrypt = t(() => { const dc = crypto.createDecipheriv("aes-256-cbc", key, iv); return Buffer.concat([dc.update(Buffer.alloc(16, 9)), dc.final()]); });
    out.gcmBadTag = t(() => { const dc = crypto.createDecipheriv("aes-256-gcm", key, iv.subarray(0, 12)); dc.setAuthTag(Buffer.alloc(16)); dc.update(Buffer.alloc(5)); return dc.final(); });
    out.chacha = t(() => { const c = crypto.createCipheriv("chacha20-poly1305", key, iv.subarray(0, 12), { authTagLength: 16 }); const ct = Buffer.concat([c.update(Buffer.from("hi")), c.final()]); return [ct.toString("hex"), c.getAuthTag().toString("hex")]; });
    out.ctr = t(() => { const c = crypto.createCipheriv("aes-128-ctr", key.subarray(0, 16), iv); return Buffer.concat([c.update(Buffer.from("counter mode")), c.final()]).toString("hex"); });
    out.ecbNoPad = t(() => { const c = crypto.createCipheriv("aes-128-ecb", key.subarray(0, 16), null); c.setAutoPadding(false); return Buffer.concat([c.update(Buffer.alloc(16, 3)), c.final()]).toString("hex"); });
    out.gen = {};
    for (const [type, opts] of [["rsa", { modulusLength: 1024 }], ["rsa-pss", { modulusLength: 1024 }], ["ec", { namedCurve: "P-256" }], ["ed25519", {}], ["x25519", {}], ["ed448", {}], ["x448", {}], ["dsa", { modulusLength: 1024 }], ["dh", { primeLength: 512 }]]) {
      out.gen[type] = t(() => { const k = crypto.generateKeyPairSync(type, opts); return [k.publicKey.type, k.publicKey.asymmetricKeyType, k.privateKey.asymmetricKeyType, JSON.stringify(k.publicKey.asymmetricKeyDetails, (k2, v) => typeof v === "bigint" ? String(v) + "n" : v)]; });
    }
    out.genPem = t(() => { const k = crypto.generateKeyPairSync("ec", { namedCurve: "prime256v1", publicKeyEncoding: { type: "spki", format: "pem" }, privateKeyEncoding: { type: "pkcs8", format: "pem" } }); return [typeof k.publicKey, k.publicKey.slice(0, 26), k.privateKey.slice(0, 27)]; });
    out.genKey = t(() => { const k = crypto.generateKeySync("hmac", { length: 64 }); return [k.type, k.symmetricKeySize]; });
    out.genAes = t(() => { const k = crypto.generateKeySync("aes", { length: 256 }); return [k.type, k.symmetricKeySize]; });
    out.genAsync = await new Promise((r) => crypto.generateKeyPair("ed25519", {}, (err, pub, priv) => r(err ? d(err) : [pub.type, priv.type])));
    out.randomInt = [typeof crypto.randomInt(10), t(() => crypto.randomInt(5, 1))];
    out.pubEnc = t(() => { const k = crypto.generateKeyPairSync("rsa", { modulusLength: 1024 }); const ct = crypto.publicEncrypt(k.publicKey, Buffer.from("secret")); return crypto.privateDecrypt(k.privateKey, ct).toString(); });
    out.ecdh = t(() => { const a = crypto.createECDH("prime256v1"); const b = crypto.createECDH("prime256v1"); a.generateKeys(); b.generateKeys(); return [a.computeSecret(b.getPublicKey()).equals(b.computeSecret(a.getPublicKey())), a.getPublicKey().length, a.getPublicKey(undefined, "compressed").length, a.getPrivateKey().length]; });
    out.ecdhSetPrivate = t(() => { const a = crypto.createECDH("secp384r1"); a.setPrivateKey(Buffer.alloc(48, 7)); return a.getPublicKey("hex").slice(0, 20); });
    out.ecdhBadCurve = t(() => crypto.createECDH("nope"));
    out.prime = t(() => [crypto.checkPrimeSync(7n), crypto.checkPrimeSync(8n), crypto.checkPrimeSync(2n ** 127n - 1n)]);
    out.genPrime = t(() => { const p = crypto.generatePrimeSync(64, { bigint: true }); return [typeof p, crypto.checkPrimeSync(p), p.toString(2).length]; });
    out.keyFromJwk = t(() => crypto.createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo" }, format: "jwk" }).asymmetricKeyType);
    out.jwkRoundTrip = t(() => { const k = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" }); const jwk = k.privateKey.export({ format: "jwk" }); const back = crypto.createPrivateKey({ key: jwk, format: "jwk" }); const sig = crypto.sign("sha256", Buffer.from("m"), back); return [Object.keys(jwk).sort(), jwk.crv, crypto.verify("sha256", Buffer.from("m"), k.publicKey, sig)]; });
    out.rsaJwk = t(() => { const k = crypto.generateKeyPairSync("rsa", { modulusLength: 1024 }); return Object.keys(k.publicKey.export({ format: "jwk" })).sort(); });
    out.x509 = t(() => typeof crypto.X509Certificate);
    out.cert = t(() => { const c = new crypto.X509Certificate(CERT); return [c.subject, c.issuer, c.subjectAltName, c.validFrom, c.validTo, c.serialNumber, c.fingerprint256, c.ca, c.publicKey.asymmetricKeyType, c.checkHost("localhost"), c.checkHost("example.com") ?? null, c.checkIP("127.0.0.1"), c.raw.length, c.toString().split("\n")[0]]; });
    out.diffieHellman = t(() => { const a = crypto.generateKeyPairSync("x25519"); const b = crypto.generateKeyPairSync("x25519"); return crypto.diffieHellman({ privateKey: a.privateKey, publicKey: b.publicKey }).length; });
    out.hashes = crypto.getHashes();
    out.strIn = t(() => { const c = crypto.createCipheriv("aes-256-cbc", key, iv); return c.update("hello", "utf8", "hex") + c.final("hex"); });
    out.cbcRound = t(() => { const c = crypto.createCipheriv("aes-256-cbc", key, iv); const ct = Buffer.concat([c.update(Buffer.from("round trip text")), c.final()]); const dc = crypto.createDecipheriv("aes-256-cbc", key, iv); return Buffer.concat([dc.update(ct), dc.final()]).toString(); });
    out.updateParts = t(() => { const c = crypto.createCipheriv("aes-128-cbc", key.subarray(0, 16), iv); return [c.update(Buffer.alloc(10)).length, c.update(Buffer.alloc(10)).length, c.final().length]; });
    out.gcmShortTag = t(() => { const c = crypto.createCipheriv("aes-128-gcm", key.subarray(0, 16), iv.subarray(0, 12), { authTagLength: 8 }); c.update(Buffer.from("x")); c.final(); return c.getAuthTag().length; });
    out.tagBeforeFinal = t(() => { const c = crypto.createCipheriv("aes-128-gcm", key.subarray(0, 16), iv.subarray(0, 12)); return c.getAuthTag(); });
    out.finalTwice = t(() => { const c = crypto.createCipheriv("aes-128-cbc", key.subarray(0, 16), iv); c.final(); return c.final(); });
    out.keyObj = t(() => { const k = crypto.createSecretKey(key); const c = crypto.createCipheriv("aes-256-cbc", k, iv); return Buffer.concat([c.update(Buffer.from("k")), c.final()]).toString("hex"); });
    out.des = t(() => { const c = crypto.createCipheriv("des-ede3-cbc", Buffer.alloc(24, 7), Buffer.alloc(8, 1)); return Buffer.concat([c.update(Buffer.from("des!")), c.final()]).toString("hex"); });
    out.ofb = t(() => { const c = crypto.createCipheriv("aes-128-ofb", key.subarray(0, 16), iv); return Buffer.concat([c.update(Buffer.from("ofb mode")), c.final()]).toString("hex"); });
    out.noPadBad = t(() => { const c = crypto.createCipheriv("aes-128-cbc", key.subarray(0, 16), iv); c.setAutoPadding(false); c.update(Buffer.alloc(5)); return c.final(); });
    out.curves = crypto.getCurves();
    return Response.json(out);
  },
};
