// gzip of a 1 MiB body per request through CompressionStream (compressible text, as a web page would be).
const words = ["edge", "worker", "isolate", "stream", "flint", "request", "response", "cache", "durable", "object"];
const text = Array.from({ length: 150_000 }, (_, i) => words[(i * 7919) % words.length]).join(" ").slice(0, 1024 * 1024);
const body = new TextEncoder().encode(text);

export default {
  fetch() {
    const compressed = new Blob([body]).stream().pipeThrough(new CompressionStream("gzip"));
    return new Response(compressed, { headers: { "content-type": "application/octet-stream" } });
  },
};
