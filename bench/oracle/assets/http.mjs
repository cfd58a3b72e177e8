// The raw HTTP the oracle sends and what of the answer it compares (shared by record.mjs and the
// golden test's expectations): status, reason, headers but the volatile ones, the body decoded.
import { request } from "node:http";
import { brotliDecompressSync, gunzipSync } from "node:zlib";

const etags = new Map();

/** Forgets the ETags learnt: each case starts afresh. */
export function resetETags() { etags.clear(); }

export function send(port, probe) {
  return new Promise((resolve, reject) => {
    const headers = { ...(probe.headers ?? {}) };
    for (const [k, v] of Object.entries(headers)) {
      if (typeof v === "string" && v.includes("$etag")) headers[k] = v.replace("$etag", etags.get(probe.path) ?? "");
    }
    if (Object.values(probe.headers ?? {}).some((v) => String(v).includes("$etag")) && !etags.has(probe.path)) {
      send(port, { method: "GET", path: probe.path }).then((r) => {
        etags.set(probe.path, r.headers.etag ?? "");
        send(port, probe).then(resolve, reject);
      }, reject);
      return;
    }
    const req = request({ host: "127.0.0.1", port, method: probe.method, path: probe.path, headers }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, statusText: res.statusMessage, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.setTimeout(10000, () => req.destroy(new Error(`timeout: ${probe.method} ${probe.path}`)));
    req.on("error", reject);
    req.end(probe.body);
  });
}

const volatile = new Set(["date", "content-length", "transfer-encoding", "connection", "keep-alive", "server"]);

export function shape(r) {
  const headers = {};
  for (const [k, v] of Object.entries(r.headers)) {
    if (volatile.has(k) || k.startsWith("x-mf-")) continue;
    headers[k] = k === "etag" ? String(v).replace(/^(W\/)?"[^"]+"$/, '$1"<etag>"') : Array.isArray(v) ? v.join(", ") : v;
  }
  let body = r.body;
  const coding = r.headers["content-encoding"];
  if (body.length > 0 && coding === "gzip") body = gunzipSync(body);
  if (body.length > 0 && coding === "br") body = brotliDecompressSync(body);
  const text = body.toString("utf8");
  const printable = Buffer.from(text, "utf8").equals(body) && !text.includes("\u0000");
  return { status: r.status, statusText: r.statusText, headers, ...(printable ? { body: text } : { bodyBase64: body.toString("base64") }) };
}
