// Verifies HS256 JSON Web Tokens (what the auth Worker signs) with Web Crypto.
const encoder = new TextEncoder();

function fromBase64url(text) {
  const s = atob(text.replaceAll("-", "+").replaceAll("_", "/") + "===".slice((text.length + 3) % 4));
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

function hmacKey(secret, usage) {
  return crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [usage]);
}

/** The token's claims when its signature is valid and it has not expired, else null. */
export async function verifyJwt(token, secret) {
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  const [header, payload, signature] = parts;
  try {
    const ok = await crypto.subtle.verify("HMAC", await hmacKey(secret, "verify"), fromBase64url(signature), encoder.encode(`${header}.${payload}`));
    if (!ok || JSON.parse(new TextDecoder().decode(fromBase64url(header))).alg !== "HS256") return null;
    const claims = JSON.parse(new TextDecoder().decode(fromBase64url(payload)));
    if (typeof claims.exp === "number" && claims.exp < Date.now() / 1000) return null;
    return claims;
  } catch {
    return null;
  }
}
