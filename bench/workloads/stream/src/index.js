// Streams a 100 MiB body generated in the Worker, 64 KiB per chunk, pulled as the client reads.
const CHUNK = new Uint8Array(64 * 1024).fill(120);
const TOTAL = 100 * 1024 * 1024;

export default {
  fetch() {
    let sent = 0;
    const body = new ReadableStream({
      pull(controller) {
        if (sent >= TOTAL) return controller.close();
        controller.enqueue(new Uint8Array(CHUNK));
        sent += CHUNK.length;
      },
    }, { highWaterMark: 1 });
    return new Response(body, { headers: { "content-type": "application/octet-stream" } });
  },
};
