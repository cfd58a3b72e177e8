// Queues behaviour probe. /run: the producer's answers (methods, options, limits, errors).
// /consume: what consumers see and what becomes of messages (ack/retry rules, dead letters,
// batch size and timeout, delays). Backlog numbers depend on delivery timing, so only their
// shape is kept; times are kept as "at least this long" booleans.
async function attempt(fn) {
  try {
    const v = await fn();
    return { ok: v === undefined ? "undefined" : shape(v) };
  } catch (e) {
    return { err: `${e?.constructor?.name}: ${e?.message}` };
  }
}
// Numbers and dates in metrics vary with timing: keep their types (and oldestMessageTimestamp,
// present only while messages wait, not at all).
function shape(v) {
  if (v instanceof Date) return "Date";
  if (typeof v === "number") return "number";
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).filter(([k]) => k !== "oldestMessageTimestamp").map(([k, x]) => [k, shape(x)]));
  return v;
}
function describe(v) {
  const t = Object.prototype.toString.call(v);
  if (v instanceof Map) return [t, [...v].map(([k, x]) => [k, x instanceof Date ? x.getTime() : x])];
  if (v instanceof Date) return [t, v.getTime()];
  if (v instanceof ArrayBuffer) return [t, [...new Uint8Array(v)]];
  if (ArrayBuffer.isView(v)) return [t, [...new Uint8Array(v.buffer, v.byteOffset, v.byteLength)]];
  if (v && typeof v === "object" && v.d instanceof Date) return [t, { d: v.d.getTime() }];
  return [t, v];
}

const log = [];
let lastDelivery = 0;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/**
 * Waits until `count` deliveries matched `pred`, then until `queue` has nothing waiting and
 * deliveries have been quiet for `quietMs`.
 */
async function settle(queue, pred, count, quietMs = 400, timeoutMs = 8000) {
  const end = Date.now() + timeoutMs;
  while (log.filter(pred).length < count && Date.now() < end) await sleep(20);
  while ((Date.now() - lastDelivery < quietMs || (await queue.metrics()).backlogCount > 0) && Date.now() < end) await sleep(20);
}

async function scenario(env, s, keys = ["a", "b"]) {
  await env.RULES.sendBatch(keys.map((k) => ({ body: { s, k } })));
  await settle(env.RULES, (e) => e.queue === "rules-q" && e.body.s === s, keys.length);
  return log.filter((e) => e.queue === "rules-q" && e.body.s === s).map((e) => [e.body.k, e.attempts]);
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/run") return Response.json(await producer(env));
    if (url.pathname === "/consume") return Response.json(await consumer(env));
    return new Response("ok");
  },

  async queue(batch, env, ctx) {
    lastDelivery = Date.now();
    const now = Date.now();
    if (batch.queue === "rules-q") {
      for (const m of batch.messages) log.push({ queue: batch.queue, body: m.body, attempts: m.attempts, at: now });
      const first = batch.messages[0].attempts === 1, s = batch.messages[0].body.s;
      if (!first) return;
      switch (s) {
        case "retry": batch.messages[0].retry(); break;
        case "retryThenAck": for (const m of batch.messages) { m.retry(); m.ack(); } break;
        case "ackThenRetry": for (const m of batch.messages) { m.ack(); m.retry(); } break;
        case "ackAllThenRetryAll": batch.ackAll(); batch.retryAll(); break;
        case "retryAllThenAckAll": batch.retryAll(); batch.ackAll(); break;
        case "throw": throw new Error("consumer failed");
        case "reject": return Promise.reject(new TypeError("consumer rejected"));
        case "waitUntilRejects": ctx.waitUntil(Promise.reject(new Error("background failed"))); break;
        case "retryDelay": batch.messages[0].retry({ delaySeconds: 1 }); break;
        case "retryAllDelay": batch.retryAll({ delaySeconds: 1 }); break;
        case "ackThenThrow": batch.messages[0].ack(); throw new Error("after ack");
        case "ackThenRetryAll": batch.messages[0].ack(); batch.retryAll(); break;
      }
      return;
    }
    for (const m of batch.messages) {
      log.push({ queue: batch.queue, id: m.id, ts: m.timestamp, attempts: m.attempts, body: m.body, message: m, batch, size: batch.messages.length, at: now });
    }
    if (batch.queue === "dlq-src" || batch.queue === "drop-q") batch.retryAll();
  },
};

async function producer(env) {
  const q = env.Q, r = {};
  r.toString = Object.prototype.toString.call(q);
  r.protoKeys = Object.getOwnPropertyNames(Object.getPrototypeOf(q));
  r.ownKeys = Object.keys(q);
  r.sendPlain = await attempt(() => q.send({ a: 1 }));
  r.sendReturnsPromise = Object.prototype.toString.call(q.send("p"));
  r.sendUndefined = await attempt(() => q.send(undefined));
  r.sendNoArgs = await attempt(() => q.send());
  r.sendNull = await attempt(() => q.send(null));
  r.badType = await attempt(() => q.send("x", { contentType: "nope" }));
  r.upperType = await attempt(() => q.send("x", { contentType: "TEXT" }));
  r.textNumber = await attempt(() => q.send(1, { contentType: "text" }));
  r.bytesString = await attempt(() => q.send("x", { contentType: "bytes" }));
  r.bytesArrayBuffer = await attempt(() => q.send(new ArrayBuffer(3), { contentType: "bytes" }));
  r.bytesDetached = await attempt(async () => { const b = new Uint8Array([1, 2, 3]); await q.send(b, { contentType: "bytes" }); return b.byteLength; });
  r.batchBytesKept = await attempt(async () => { const b = new Uint8Array([1, 2, 3]); await q.sendBatch([{ body: b, contentType: "bytes" }]); return b.byteLength; });
  r.jsonFunction = await attempt(() => q.send(() => 1, { contentType: "json" }));
  r.jsonSymbol = await attempt(() => q.send(Symbol("s")));
  r.jsonBigint = await attempt(() => q.send(10n));
  r.jsonCycle = await attempt(() => { const o = {}; o.o = o; return q.send(o); });
  r.v8Function = await attempt(() => q.send(() => 1, { contentType: "v8" }));
  r.v8Stream = await attempt(() => q.send(new ReadableStream(), { contentType: "v8" }));
  r.v8Map = await attempt(() => q.send(new Map([[1, 2]]), { contentType: "v8" }));
  r.v8Symbol = await attempt(() => q.send(Symbol("s"), { contentType: "v8" }));
  r.text128000 = await attempt(() => q.send("x".repeat(128000), { contentType: "text" }));
  r.text128001 = await attempt(() => q.send("x".repeat(128001), { contentType: "text" }));
  r.textUtf8Over = await attempt(() => q.send("é".repeat(64001), { contentType: "text" }));
  r.json127999 = await attempt(() => q.send("x".repeat(127998)));
  r.json128000 = await attempt(() => q.send("x".repeat(127999)));
  r.delayNeg = await attempt(() => q.send("x", { delaySeconds: -1 }));
  r.delayMax = await attempt(() => q.send("x", { delaySeconds: 43200 }));
  r.delayBig = await attempt(() => q.send("x", { delaySeconds: 43201 }));
  r.delayHuge = await attempt(() => q.send("x", { delaySeconds: 86401 }));
  r.delayFloat = await attempt(() => q.send("x", { delaySeconds: 0.5 }));
  r.delayString = await attempt(() => q.send("x", { delaySeconds: "0" }));
  r.delayNaN = await attempt(() => q.send("x", { delaySeconds: NaN }));
  r.delayStringBad = await attempt(() => q.send("x", { delaySeconds: "abc" }));
  r.optionsString = await attempt(() => q.send("x", "text"));
  r.optionsNull = await attempt(() => q.send("x", null));
  r.optionsTypeBeforeBody = await attempt(() => q.send(undefined, "text"));
  r.contentTypeNumber = await attempt(() => q.send("x", { contentType: 5 }));
  r.bodyBeforeType = await attempt(() => q.send(undefined, { contentType: "nope" }));
  r.batchEmpty = await attempt(() => q.sendBatch([]));
  r.batchNotIterable = await attempt(() => q.sendBatch(5));
  r.batchUndefined = await attempt(() => q.sendBatch());
  r.batchObject = await attempt(() => q.sendBatch({}));
  r.batchString = await attempt(() => q.sendBatch("ab"));
  r.batchItemNoBody = await attempt(() => q.sendBatch([{}]));
  r.batchItemNumber = await attempt(() => q.sendBatch([1]));
  r.batchItemNull = await attempt(() => q.sendBatch([null]));
  r.batchTextNumber = await attempt(() => q.sendBatch([{ body: 1, contentType: "text" }]));
  r.batchBadType = await attempt(() => q.sendBatch([{ body: 1, contentType: "nope" }]));
  r.batchOptionsString = await attempt(() => q.sendBatch([{ body: 1 }], "x"));
  r.batchEmptyBeforeOptions = await attempt(() => q.sendBatch([], "x"));
  r.batch100 = await attempt(() => q.sendBatch(Array.from({ length: 100 }, (_, i) => ({ body: i }))));
  r.batch101 = await attempt(() => q.sendBatch(Array.from({ length: 101 }, (_, i) => ({ body: i }))));
  r.batchBigItem = await attempt(() => q.sendBatch([{ body: "x".repeat(128001), contentType: "text" }]));
  r.batchTotal270k = await attempt(() => q.sendBatch([1, 2, 3].map(() => ({ body: "x".repeat(90000), contentType: "text" }))));
  r.batchTotal290k = await attempt(() => q.sendBatch([1, 2, 3, 4].map(() => ({ body: "x".repeat(72500), contentType: "text" }))));
  r.batchCountBeforeSize = await attempt(() => q.sendBatch(Array.from({ length: 101 }, () => ({ body: "x".repeat(128001), contentType: "text" }))));
  r.batchDelayNeg = await attempt(() => q.sendBatch([{ body: 1 }], { delaySeconds: -1 }));
  r.batchItemDelayNeg = await attempt(() => q.sendBatch([{ body: 1, delaySeconds: -1 }]));
  r.batchGenerator = await attempt(() => q.sendBatch((function* () { yield { body: "g" }; })()));
  r.batchSet = await attempt(() => q.sendBatch(new Set([{ body: "s" }])));
  r.metrics = await attempt(() => q.metrics());
  r.illegalCall = await attempt(() => q.send.call({}, "x"));
  return r;
}

async function consumer(env) {
  const r = {};
  const started = Date.now();
  await env.TYPES.sendBatch([
    { body: "a text", contentType: "text" },
    { body: new Uint8Array([1, 2, 3]), contentType: "bytes" },
    { body: { j: [1, "two"] }, contentType: "json" },
    { body: new Map([["k", new Date(5)]]), contentType: "v8" },
    { body: { d: new Date(7) } },
    { body: new Uint16Array([258]), contentType: "v8" },
    { body: "é\u{1F600}", contentType: "text" },
  ]);
  await settle(env.TYPES, (e) => e.queue === "types-q", 7);
  const types = log.filter((e) => e.queue === "types-q");
  r.bodies = types.map((e) => describe(e.body));
  r.attempts = types.map((e) => e.attempts);
  r.ids = types.map((e) => [typeof e.id, e.id.length, /^[0-9a-f]+$/.test(e.id)]);
  r.timestamps = types.map((e) => [Object.prototype.toString.call(e.ts), e.ts.getTime() >= started - 1000 && e.ts.getTime() <= Date.now()]);
  const m = types[0].message, b = types[0].batch;
  r.messageTag = Object.prototype.toString.call(m);
  r.messageKeys = Object.keys(m);
  r.messageProto = Object.getOwnPropertyNames(Object.getPrototypeOf(m));
  r.messageBodySame = m.body === m.body;
  r.messageTimestampSame = m.timestamp === m.timestamp;
  r.batchTag = Object.prototype.toString.call(b);
  r.batchKeys = Object.keys(b);
  r.batchProto = Object.getOwnPropertyNames(Object.getPrototypeOf(b));
  r.batchQueue = b.queue;
  r.batchMessages = [Array.isArray(b.messages), Object.isFrozen(b.messages), b.messages.length];
  r.batchMetadata = shape(b.metadata);
  r.batchInOneDelivery = new Set(types.map((e) => e.batch)).size;
  r.retryBadOptions = await attempt(() => m.retry("x"));
  r.retryAllBadOptions = await attempt(() => b.retryAll(5));
  r.ackIllegal = await attempt(() => m.ack.call({}));

  for (const s of ["plain", "retry", "retryThenAck", "ackThenRetry", "ackAllThenRetryAll", "retryAllThenAckAll", "throw", "reject", "waitUntilRejects", "ackThenThrow", "ackThenRetryAll"]) {
    r[`rule_${s}`] = await scenario(env, s);
  }
  for (const s of ["retryDelay", "retryAllDelay"]) {
    await env.RULES.sendBatch([{ body: { s, k: "a" } }]);
    await settle(env.RULES, (e) => e.queue === "rules-q" && e.body.s === s, 2, 400, 8000);
    const seen = log.filter((e) => e.queue === "rules-q" && e.body.s === s);
    r[`rule_${s}`] = [seen.map((e) => e.attempts), seen.length === 2 && seen[1].at - seen[0].at >= 900];
  }

  await env.DLQ_SRC.send("dead", { contentType: "text" });
  await settle(env.DLQ_SRC, (e) => e.queue === "dlq-dst", 1);
  const src = log.filter((e) => e.queue === "dlq-src"), dst = log.filter((e) => e.queue === "dlq-dst");
  r.deadLetter = [src.map((e) => e.attempts), dst.map((e) => [e.body, e.attempts]), dst.length > 0 && dst[0].id === src[0].id, dst.length > 0 && dst[0].ts.getTime() === src[0].ts.getTime()];

  await env.DROP.send("dropped");
  await settle(env.DROP, (e) => e.queue === "drop-q", 1, 600);
  r.dropped = log.filter((e) => e.queue === "drop-q").map((e) => [e.body, e.attempts]);

  await env.SIZED.sendBatch(Array.from({ length: 7 }, (_, i) => ({ body: i })));
  await settle(env.SIZED, (e) => e.queue === "sized-q", 7);
  r.batchSizes = log.filter((e) => e.queue === "sized-q").map((e) => e.size);

  const t0 = Date.now();
  await env.TIMED.send("t1");
  await env.TIMED.send("t2");
  await settle(env.TIMED, (e) => e.queue === "timed-q", 2, 200);
  const timed = log.filter((e) => e.queue === "timed-q");
  r.batchTimeout = [timed.map((e) => e.size), timed.length > 0 && timed[0].at - t0 >= 900];

  const d0 = Date.now();
  await env.TIMED.send("delayed", { delaySeconds: 2 });
  await settle(env.TIMED, (e) => e.queue === "timed-q" && e.body === "delayed", 1, 200);
  const delayed = log.find((e) => e.body === "delayed");
  r.sendDelay = delayed ? delayed.at - d0 >= 1900 : "not delivered";
  return r;
}
