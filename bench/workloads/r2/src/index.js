// Serves a 1 MiB object from R2 with new Response(object.body) (seeded on first use).
const KEY = "bench-1mib";
const SIZE = 1024 * 1024;

export default {
  async fetch(request, env) {
    let object = await env.BUCKET.get(KEY);
    if (object === null) {
      const bytes = new Uint8Array(SIZE);
      for (let i = 0; i < SIZE; i++) bytes[i] = i & 255;
      await env.BUCKET.put(KEY, bytes, { httpMetadata: { contentType: "application/octet-stream" } });
      object = await env.BUCKET.get(KEY);
    }
    return new Response(object.body, { headers: { etag: object.httpEtag, "content-type": "application/octet-stream" } });
  },
};
