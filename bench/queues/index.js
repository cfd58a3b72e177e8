// Queues benchmark Worker: the same code runs on wrangler dev and on flint dev.
//   GET /throughput?batch=10|100&n=N&senders=S  S concurrent loops sendBatch() N messages in batches;
//                                               answers once the consumer has returned (acknowledged) them all.
//   GET /latency?timeout=1|0&n=N&gap=MS         one send() every MS ms to an idle consumer; send-to-delivery times.
const acked = new Map();
const latencies = [];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export default {
  async fetch(request, env) {
    const u = new URL(request.url);
    if (u.pathname === "/throughput") {
      const batch = Number(u.searchParams.get("batch")), n = Number(u.searchParams.get("n")), senders = Number(u.searchParams.get("senders") ?? 4);
      const queue = `tp-${batch}`, q = env[`TP${batch}`];
      const rounds = Math.ceil(n / batch / senders), total = rounds * senders * batch;
      const before = acked.get(queue) ?? 0;
      const body = Array.from({ length: batch }, (_, i) => ({ body: { i, pad: "x".repeat(100) } }));
      const t0 = Date.now();
      await Promise.all(Array.from({ length: senders }, async () => { for (let r = 0; r < rounds; r++) await q.sendBatch(body); }));
      const sent = Date.now() - t0;
      const deadline = t0 + 600_000;
      while ((acked.get(queue) ?? 0) - before < total && Date.now() < deadline) await sleep(2);
      const ms = Date.now() - t0;
      return Response.json({ messages: total, acked: (acked.get(queue) ?? 0) - before, ms, sentMs: sent, perSecond: Math.round(total / ms * 1000) });
    }
    if (u.pathname === "/latency") {
      const timeout = u.searchParams.get("timeout") ?? "1", n = Number(u.searchParams.get("n") ?? 100), gap = Number(u.searchParams.get("gap") ?? 30);
      const q = timeout === "0" ? env.LAT0 : env.LAT;
      latencies.length = 0;
      for (let i = 0; i < n; i++) {
        await q.send({ t: Date.now() });
        await sleep(gap);
      }
      const deadline = Date.now() + 30_000;
      while (latencies.length < n && Date.now() < deadline) await sleep(5);
      const sorted = [...latencies].sort((a, b) => a - b);
      const at = (p) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
      return Response.json({ samples: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted.at(-1) });
    }
    return new Response("ok");
  },
  async queue(batch) {
    const now = Date.now();
    if (batch.queue.startsWith("lat")) for (const m of batch.messages) latencies.push(now - m.body.t);
    acked.set(batch.queue, (acked.get(batch.queue) ?? 0) + batch.messages.length);
  },
};
