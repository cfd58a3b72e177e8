// A 10 KiB response served from caches.default; the first request misses and stores it.
const BODY = "cached-asset\n" + "x".repeat(10 * 1024 - 13);
const KEY = "https://bench.example/cache/asset.txt";

export default {
  async fetch(request, env, ctx) {
    const cache = caches.default;
    const hit = await cache.match(KEY);
    if (hit) return hit;
    const response = new Response(BODY, { headers: { "content-type": "text/plain", "cache-control": "max-age=86400" } });
    ctx.waitUntil(cache.put(KEY, response.clone()));
    return response;
  },
};
