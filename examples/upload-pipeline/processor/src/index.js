// The processing side: takes upload jobs from the queue in batches, processes each file (a report
// with its SHA-256, size and, for text, its lines and words), stores the report in R2 and marks the
// job done. A job that fails is retried on its own (the rest of its batch is acknowledged); after
// three retries Queues moves it to the dead-letter queue, whose consumer marks it failed.

export default {
  async queue(batch, env) {
    if (batch.queue === "upload-jobs-dlq") {
      for (const message of batch.messages) {
        const job = message.body;
        const status = (await env.STATUS.get(`job:${job.id}`, "json")) ?? {};
        await env.STATUS.put(`job:${job.id}`, JSON.stringify({ ...status, id: job.id, name: job.name, status: "failed" }));
        console.warn(`job ${job.id} (${job.name}) failed for good after ${status.attempts} attempts: ${status.error}`);
      }
      return;
    }
    for (const message of batch.messages) {
      const job = message.body;
      try {
        const result = await processFile(env, job);
        await env.FILES.put(`results/${job.id}.json`, JSON.stringify(result), { httpMetadata: { contentType: "application/json" } });
        await env.STATUS.put(`job:${job.id}`, JSON.stringify({ id: job.id, name: job.name, status: "done", attempts: message.attempts, result }));
        message.ack();
      } catch (e) {
        await env.STATUS.put(`job:${job.id}`, JSON.stringify({ id: job.id, name: job.name, status: "retrying", attempts: message.attempts, error: e.message }));
        message.retry({ delaySeconds: Number(env.RETRY_DELAY_SECONDS ?? 0) });
      }
    }
  },
};

async function processFile(env, job) {
  const object = await env.FILES.get(job.key);
  if (object === null) throw new Error(`${job.key} is not in the bucket`);
  const bytes = new Uint8Array(await object.arrayBuffer());
  if (bytes.length === 0) throw new Error("the file is empty");
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  const report = { name: job.name, size: bytes.length, sha256: [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("") };
  if ((object.httpMetadata?.contentType ?? "").startsWith("text/")) {
    // A text file must be UTF-8: anything else fails (and is retried, then dead-lettered).
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    report.lines = text.split("\n").length;
    report.words = text.split(/\s+/).filter(Boolean).length;
  }
  return report;
}
