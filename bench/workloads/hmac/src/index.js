// HMAC-SHA256: each request signs 100 different 1 KiB messages with one imported key.
const encoder = new TextEncoder();
const message = new Uint8Array(1024).map((_, i) => i * 7);
const key = crypto.subtle.importKey("raw", encoder.encode("bench-secret-key-0123456789abcdef"), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);

export default {
  async fetch() {
    const k = await key;
    let last;
    for (let i = 0; i < 100; i++) {
      message[0] = i;
      last = await crypto.subtle.sign("HMAC", k, message);
    }
    const hex = [...new Uint8Array(last)].map((b) => b.toString(16).padStart(2, "0")).join("");
    return new Response(hex);
  },
};
