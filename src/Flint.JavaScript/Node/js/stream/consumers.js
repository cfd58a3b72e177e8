// node:stream/consumers — read a whole Node or Web stream (anything async-iterable) at once.
import { Buffer } from "node:buffer";

async function chunks(stream) {
  const out = [];
  for await (const chunk of stream) out.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return out;
}
export async function buffer(stream) { return Buffer.concat((await chunks(stream)).map((c) => (Buffer.isBuffer(c) ? c : Buffer.from(c.buffer, c.byteOffset, c.byteLength)))); }
export async function arrayBuffer(stream) { const b = await buffer(stream); return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength); }
export async function blob(stream) { return new Blob(await chunks(stream)); }
export async function text(stream) { return new TextDecoder().decode(await buffer(stream)); }
export async function json(stream) { return JSON.parse(await text(stream)); }
export default { buffer, arrayBuffer, blob, text, json };
