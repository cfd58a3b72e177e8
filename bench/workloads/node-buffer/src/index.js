import { Buffer } from "node:buffer";
const values = Array.from({ length: 100 }, (_, i) => new Uint8Array(1024).map((_, j) => (i * 31 + j * 7) & 255));
export default {
  fetch() {
    let total = 0;
    for (const v of values) total += Buffer.from(v).toString("base64").length;
    return new Response(String(total));
  },
};
