import { createHash } from "node:crypto";
const data = new Uint8Array(1024 * 1024).map((_, i) => (i * 13) & 255);
export default {
  fetch() {
    return new Response(createHash("sha256").update(data).digest("hex"));
  },
};
