// Values Node.js computed for CryptoTests' Diffie-Hellman and encrypted-key checks:
//   bench/node_modules/.bin/node node-dh-vectors.mjs > node-dh-vectors.json
import crypto from "node:crypto";
const out = {};
// Node's getDiffieHellman groups have no setPrivateKey; use createDiffieHellman with the group's prime instead.
const p = crypto.getDiffieHellman("modp14").getPrime();
const x = crypto.createDiffieHellman(p, 2), y = crypto.createDiffieHellman(p, 2);
x.setPrivateKey(Buffer.alloc(32, 3)); y.setPrivateKey(Buffer.alloc(48, 5));
out.modp14Prime = p.toString("hex");
out.publicX = x.generateKeys("hex");
out.publicY = y.generateKeys("hex");
out.secret = x.computeSecret(out.publicY, "hex", "hex");
const ec = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
out.ecSpki = ec.publicKey.export({ type: "spki", format: "pem" });
for (const cipher of ["aes-128-cbc", "aes-256-cbc", "des-ede3-cbc"]) {
  out[`pkcs8_${cipher}`] = ec.privateKey.export({ type: "pkcs8", format: "pem", cipher, passphrase: "pässword" });
  out[`sec1_${cipher}`] = ec.privateKey.export({ type: "sec1", format: "pem", cipher, passphrase: "pässword" });
}
out.pkcs8Der = ec.privateKey.export({ type: "pkcs8", format: "der", cipher: "aes-192-cbc", passphrase: "pässword" }).toString("base64");
console.log(JSON.stringify(out, null, 1));
