// Cloudflare Queues: the producer a Worker sees as env.QUEUE (workerd's WorkerQueue), and the
// consumer side: the queue(batch, env, ctx) handler with its MessageBatch (QueueController) and
// QueueMessages, or the service-worker `queue` event. Bodies are serialized here in the message's
// content type (text, bytes, json, v8 — V8's wire format, 86_serialize.js) and cross as one byte
// buffer per call; the host checks Queues' limits and answers once the messages are on disk.
// The consumer records ack()/retry()/ackAll()/retryAll() as workerd does (the first call wins,
// with workerd's warnings); the host decides from that record what becomes of each message.

const QUEUE_CONTENT_TYPES = ["text", "bytes", "json", "v8"];

/** Lists `constructor` after the methods, as workerd's prototypes do (Object.getOwnPropertyNames). */
function constructorLast(cls) {
  const desc = Object.getOwnPropertyDescriptor(cls.prototype, "constructor");
  delete cls.prototype.constructor;
  Object.defineProperty(cls.prototype, "constructor", desc);
}

function queueContentType(type) {
  const given = toDOMString(type);
  const lower = given.toLowerCase();
  if (QUEUE_CONTENT_TYPES.includes(lower)) return lower;
  throw new TypeError(`Unsupported queue message content type: ${given}`);
}

/** jsg's `int` conversion (ToInt32): 1.5 → 1, "5" → 5, NaN → 0. */
function queueInt(value) {
  return Number(value) | 0;
}

function queueParameterError(method, index, type, iface = "WorkerQueue") {
  return new TypeError(`Failed to execute '${method}' on '${iface}': parameter ${index} is not of type '${type}'.`);
}

/** A dictionary argument: undefined and null are "not given"; anything but an object is a TypeError. */
function queueDictionary(value, method, index, type, iface) {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" && typeof value !== "function") throw queueParameterError(method, index, type, iface);
  return value;
}

const queueV8Hooks = {
  host(v) {
    if (v instanceof ReadableStream || v instanceof WritableStream) throw dataCloneError(`${constructorNameOf(v)} can only be serialized for RPC.`);
    return false;
  },
};

/**
 * A body as stored: a string for text and json (encoded to UTF-8 with the others of its call),
 * bytes for bytes and v8. `detach`: send() detaches a transferable buffer it was given, as
 * workerd does; sendBatch() leaves the caller's buffer usable.
 */
function queueSerialize(body, type, detach) {
  switch (type) {
    case "text":
      if (typeof body !== "string") throw new TypeError(`Content Type "text" requires a value of type string, but received: ${typeof body}`);
      return body;
    case "bytes": {
      if (!ArrayBuffer.isView(body)) throw new TypeError(`Content Type "bytes" requires a value of type ArrayBufferView, but received: ${typeof body}`);
      const copy = bytesCopy(body);
      if (detach && body.buffer instanceof ArrayBuffer && !body.buffer.resizable) {
        try { body.buffer.transfer(); } catch { /* not detachable (e.g. wasm memory): keep it */ }
      }
      return copy;
    }
    case "json": {
      const json = JSON.stringify(body);
      if (json === undefined) {
        const reason = `a message body of type ${typeof body} cannot be serialized as JSON; send it with contentType "v8" or convert it first`;
        throw new Error(compatEnabled("queue_expose_error_codes") ? `${reason} (10203)` : `Queue send failed: ${reason}.`);
      }
      return json;
    }
    default:
      return serializeValue(body, queueV8Hooks).slice();
  }
}

const ASCII_ONLY = /^[\x00-\x7f]*$/;

/**
 * The bodies of one call as one buffer and their lengths. Strings are joined and encoded in one
 * go (one host crossing for a long batch, instead of a loop per message).
 */
function queueBodies(bodies) {
  if (bodies.length === 1) {
    const only = typeof bodies[0] === "string" ? utf8Encode(bodies[0]) : bodies[0];
    return { bytes: only, lengths: [only.byteLength] };
  }
  if (bodies.every((b) => typeof b === "string")) {
    const joined = bodies.join("");
    const lengths = ASCII_ONLY.test(joined) ? bodies.map((b) => b.length) : bodies.map(utf8ByteLength);
    return { bytes: utf8Encode(joined), lengths };
  }
  const chunks = bodies.map((b) => (typeof b === "string" ? utf8Encode(b) : b));
  return { bytes: concatBytes(chunks), lengths: chunks.map((c) => c.byteLength) };
}

function queueDefaultType() {
  return compatEnabled("queues_json_messages") ? "json" : "v8";
}

function queueMetrics(m) {
  const out = { backlogCount: m.backlogCount, backlogBytes: m.backlogBytes };
  if (m.oldestMessageTimestamp !== undefined && m.oldestMessageTimestamp !== null) out.oldestMessageTimestamp = new Date(m.oldestMessageTimestamp);
  return out;
}

/** One crossing to the host; its answer is JSON (the backlog metrics). Refusals reject with the host's message ("Queue send failed: …"). */
async function queueCall(st, method, args, bytes) {
  const result = await callBinding(st.index, method, JSON.stringify(args), bytes);
  return JSON.parse(result.text);
}

class WorkerQueue {
  constructor() { throw new TypeError("Illegal constructor"); }

  metrics() {
    const st = queueState(this);
    return queueCall(st, "metrics", {}, null).then(queueMetrics);
  }

  send(body, options = undefined) {
    try {
      const st = queueState(this);
      if (arguments.length === 0) throw queueParameterError("send", 1, "Value");
      const opts = queueDictionary(options, "send", 2, "SendOptions");
      const type = opts?.contentType !== undefined ? toDOMString(opts.contentType) : undefined;
      const delay = opts?.delaySeconds !== undefined ? queueInt(opts.delaySeconds) : null;
      if (body === undefined) throw new TypeError("Message body cannot be undefined");
      const contentType = type !== undefined ? queueContentType(type) : queueDefaultType();
      const { bytes } = queueBodies([queueSerialize(body, contentType, true)]);
      return queueCall(st, "send", { types: [contentType], delays: [null], delay, batch: false }, bytes)
        .then((m) => ({ metadata: { metrics: queueMetrics(m) } }));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  sendBatch(messages, options = undefined) {
    try {
      const st = queueState(this);
      if (messages === null || (typeof messages !== "object" && typeof messages !== "function") || typeof messages[Symbol.iterator] !== "function") {
        throw queueParameterError("sendBatch", 1, "Sequence");
      }
      const items = [];
      for (const item of messages) {
        if (item === undefined || item === null) {
          throw new TypeError("Cannot initialize N7workerd3api11WorkerQueue18MessageSendRequestE with required members from an undefined or null value.");
        }
        if (typeof item !== "object" && typeof item !== "function") throw new TypeError("Incorrect type: the provided value is not of type 'MessageSendRequest'.");
        const contentType = item.contentType !== undefined ? toDOMString(item.contentType) : undefined;
        const delay = item.delaySeconds !== undefined ? queueInt(item.delaySeconds) : null;
        items.push({ body: item.body, contentType, delay });
      }
      const opts = queueDictionary(options, "sendBatch", 2, "SendBatchOptions");
      const batchDelay = opts?.delaySeconds !== undefined ? queueInt(opts.delaySeconds) : null;
      if (items.length === 0) throw new TypeError("sendBatch() requires at least one message");
      const types = [], delays = [], bodies = [];
      const defaultType = queueDefaultType();
      for (const item of items) {
        if (item.body === undefined) throw new TypeError("Message body cannot be undefined");
        const contentType = item.contentType !== undefined ? queueContentType(item.contentType) : defaultType;
        bodies.push(queueSerialize(item.body, contentType, false));
        types.push(contentType);
        delays.push(item.delay);
      }
      const { bytes, lengths } = queueBodies(bodies);
      return queueCall(st, "send", { types, lengths, delays, delay: batchDelay, batch: true }, bytes)
        .then((m) => ({ metadata: { metrics: queueMetrics(m) } }));
    } catch (e) {
      return Promise.reject(e);
    }
  }
}
webidlInterface(WorkerQueue);
constructorLast(WorkerQueue);

function queueState(q) {
  const st = q?.[kState];
  if (st === undefined || !(q instanceof WorkerQueue)) throw illegalInvocation();
  return st;
}

registerBindingKind("queue", (descriptor) => {
  const q = Object.create(WorkerQueue.prototype);
  q[kState] = { index: descriptor.index };
  return q;
});

// ---- consumers -----------------------------------------------------------------------------

const kQueueEvent = internalSymbol("flint.queueEvent");

function queueWarn(message) {
  ops.log(LOG.warn, message);
}

class QueueMessage {
  constructor() { throw new TypeError("Illegal constructor"); }

  retry(options = undefined) {
    const { result, index, id } = queueMessageState(this);
    const opts = queueDictionary(options, "retry", 1, "QueueRetryOptions", "QueueMessage");
    if (result.ackAll) {
      queueWarn(`Received a call to retry() on message ${id} after ackAll() was already called. Calling retry() on a message after calling ackAll() has no effect.`);
      return;
    }
    if (result.acks.has(index)) {
      queueWarn(`Received a call to retry() on message ${id} after ack() was already called. Calling retry() on a message after calling ack() has no effect.`);
      return;
    }
    result.retries.set(index, opts?.delaySeconds !== undefined ? queueInt(opts.delaySeconds) : null);
  }

  ack() {
    const { result, index, id } = queueMessageState(this);
    if (result.ackAll) return;
    if (result.retryAll) {
      queueWarn(`Received a call to ack() on message ${id} after retryAll() was already called. Calling ack() on a message after calling retryAll() has no effect.`);
      return;
    }
    if (result.retries.has(index)) {
      queueWarn(`Received a call to ack() on message ${id} after retry() was already called. Calling ack() on a message after calling retry() has no effect.`);
      return;
    }
    result.acks.add(index);
  }
}
webidlInterface(QueueMessage);
constructorLast(QueueMessage);

function queueMessageState(m) {
  const st = m?.[kState];
  if (st === undefined || !(m instanceof QueueMessage)) throw illegalInvocation();
  return st;
}

function batchRetryAll(result, options, iface) {
  const opts = queueDictionary(options, "retryAll", 1, "QueueRetryOptions", iface);
  if (result.ackAll) {
    queueWarn("Received a call to retryAll() after ackAll() was already called. Calling retryAll() after calling ackAll() has no effect.");
    return;
  }
  result.retryAll = true;
  if (opts?.delaySeconds !== undefined) result.retryAllDelay = queueInt(opts.delaySeconds);
}

function batchAckAll(result) {
  if (result.retryAll) {
    queueWarn("Received a call to ackAll() after retryAll() was already called. Calling ackAll() after calling retryAll() has no effect.");
    return;
  }
  result.ackAll = true;
}

// The batch a module Worker's queue() handler gets; workerd calls its class QueueController.
class QueueController {
  constructor() { throw new TypeError("Illegal constructor"); }
  retryAll(options = undefined) { batchRetryAll(queueControllerState(this).result, options, "QueueController"); }
  ackAll() { batchAckAll(queueControllerState(this).result); }
}
webidlInterface(QueueController);
constructorLast(QueueController);

function queueControllerState(b) {
  const st = b?.[kState];
  if (st === undefined || !(b instanceof QueueController)) throw illegalInvocation();
  return st;
}

// The service-worker form's event: the batch's members plus waitUntil().
class QueueEvent extends Event {
  constructor() { throw new TypeError("Illegal constructor"); }
}
Object.defineProperties(QueueEvent.prototype, {
  retryAll: { value: function retryAll(options = undefined) { batchRetryAll(queueEventState(this).result, options, "QueueEvent"); }, enumerable: true, writable: true, configurable: true },
  ackAll: { value: function ackAll() { batchAckAll(queueEventState(this).result); }, enumerable: true, writable: true, configurable: true },
  waitUntil: { value: function waitUntil(promise) { queueEventState(this).event.waitUntil(promise); }, enumerable: true, writable: true, configurable: true },
  [Symbol.toStringTag]: { value: "QueueEvent", configurable: true },
});

function queueEventState(e) {
  const st = e?.[kQueueEvent];
  if (st === undefined) throw illegalInvocation();
  return st;
}

// Captured at load: a Worker that patches Object.defineProperty cannot reach into its batches.
const queueDefineProperty = Object.defineProperty;

// A message's own read-only accessors, in the order workerd lists them, shared by every message;
// each read of timestamp is a new Date, as in workerd.
const QUEUE_MESSAGE_PROPS = {
  attempts: { get: function attempts() { return queueMessageState(this).attempts; }, enumerable: true },
  body: { get: function body() { return queueMessageState(this).body; }, enumerable: true },
  timestamp: { get: function timestamp() { return new Date(queueMessageState(this).timestamp); }, enumerable: true },
  id: { get: function id() { return queueMessageState(this).id; }, enumerable: true },
};

let queueConsumerMarked = false;

/** The consumer's classes are not reachable from env: print them as native code once a batch arrives (89_lockdown.js). */
function markQueueConsumerNative() {
  if (queueConsumerMarked) return;
  queueConsumerMarked = true;
  for (const d of Object.values(QUEUE_MESSAGE_PROPS)) markNative(d.get);
  markBuiltins(QueueMessage);
  markBuiltins(QueueController);
  markBuiltins(QueueEvent);
}

function readonlyProps(target, entries) {
  for (const [name, value] of entries) Object.defineProperty(target, name, { value, enumerable: true, writable: false, configurable: false });
}

/**
 * The messages of a batch from the host: `header` is JSON ({metrics, messages: [{i: id, t: time,
 * a: attempts, y: type, b: body (json and text), o/n: offset and length in `bytes` (bytes, v8)}]}).
 */
function queueMessages(header, bytes, result) {
  const list = [];
  header.messages.forEach((m, index) => {
    let body;
    if (m.o === undefined) body = m.b;
    else {
      const slice = bytes.subarray(m.o, m.o + m.n);
      if (m.y === "bytes") body = slice.slice().buffer;
      else if (m.y === "v8") body = deserializeValue(slice);
      else if (m.y === "text") body = utf8Decode(slice);
      else body = JSON.parse(utf8Decode(slice));
    }
    const message = Object.create(QueueMessage.prototype);
    // One defineProperty each is faster in V8 than Object.create(proto, descriptors).
    queueDefineProperty(message, "attempts", QUEUE_MESSAGE_PROPS.attempts);
    queueDefineProperty(message, "body", QUEUE_MESSAGE_PROPS.body);
    queueDefineProperty(message, "timestamp", QUEUE_MESSAGE_PROPS.timestamp);
    queueDefineProperty(message, "id", QUEUE_MESSAGE_PROPS.id);
    message[kState] = { result, index, id: m.i, attempts: m.a, body, timestamp: m.t };
    list.push(message);
  });
  return list;
}

function queueBatchMetadata(header) {
  return { metrics: queueMetrics(header.metrics) };
}

function dispatchQueue(id, queueName, headerJson, bytes) {
  markQueueConsumerNative();
  const event = new EventState(id);
  currentEvent = event;
  const result = { ackAll: false, retryAll: false, retryAllDelay: null, acks: new Set(), retries: new Map() };
  let serviceWorker = false;
  const report = (ok, text) => {
    const retries = [];
    for (const [index, delay] of result.retries) retries.push([index, delay]);
    ops.queueOutcome(id, ok, text, JSON.stringify({
      ackAll: result.ackAll, retryAll: result.retryAll, retryAllDelay: result.retryAllDelay, acks: [...result.acks], retries,
    }));
  };
  const finish = (ok, e) => {
    const text = ok ? "" : errorText(e);
    if (!ok) ops.log(LOG.error, `Uncaught ${text}`);
    // With queue_consumer_no_wait_for_wait_until the handler's own promise decides (the service-worker form still waits).
    if (compatEnabled("queue_consumer_no_wait_for_wait_until") && !serviceWorker) {
      report(ok, text);
      event.finishWhenSettled();
      return;
    }
    // Otherwise the batch is done when its waitUntil work is, and fails if any of it failed.
    const settle = () => {
      if (event.pending.length === 0) {
        const failed = !ok || event.waitUntilFailed;
        report(!failed, ok && failed ? "Error: a promise passed to waitUntil() was rejected." : text);
        event.finishWhenSettled();
        return;
      }
      const batch = event.pending;
      event.pending = [];
      Promise.all(batch).then(settle);
    };
    settle();
  };
  let promise;
  try {
    const header = JSON.parse(headerJson);
    const messages = queueMessages(header, bytes, result);
    const metadata = queueBatchMetadata(header);
    serviceWorker = worker !== null && worker.kind !== "module";
    promise = invokeQueueHandler(queueName, messages, metadata, result, event);
  } catch (e) {
    finish(false, e);
    return;
  }
  Promise.resolve(promise).then(() => finish(true), (e) => finish(false, e));
}

function invokeQueueHandler(queueName, messages, metadata, result, event) {
  if (worker === null) throw new Error("The Worker has not finished loading.");
  if (worker.kind === "module") {
    const batch = Object.create(QueueController.prototype);
    Object.defineProperty(batch, kState, { value: { result } });
    readonlyProps(batch, [["metadata", metadata], ["queue", queueName], ["messages", messages]]);
    const handler = worker.exports.default;
    if (typeof handler === "function" && handler.prototype instanceof WorkerEntrypoint) {
      const instance = new handler(event.context(), env);
      if (typeof instance.queue !== "function") throw queueNoHandler();
      return instance.queue(batch);
    }
    if (handler === undefined || handler === null || typeof handler.queue !== "function") throw queueNoHandler();
    return handler.queue(batch, env, event.context());
  }
  const listeners = typeof globalEventListeners === "function" ? globalEventListeners("queue") : (swListeners.get("queue") || []);
  if (listeners.length === 0) {
    queueWarn("Received a QueueEvent but we lack an event listener for queue events. Did you remember to call addEventListener(\"queue\", ...)?");
    throw new Error("No event listener registered for queue messages.");
  }
  const e = Reflect.construct(Event, ["queue"], QueueEvent);
  Object.defineProperty(e, kQueueEvent, { value: { result, event } });
  readonlyProps(e, [["messages", messages], ["queue", queueName], ["metadata", metadata]]);
  for (const listener of listeners) {
    if (typeof listener === "function") listener.call(globalThis, e);
    else listener.handleEvent(e);
  }
  return undefined;
}

function queueNoHandler() {
  queueWarn("Received a QueueEvent but we lack a handler for QueueEvents. Did you remember to export a queue() function?");
  return new Error("Handler does not export a queue() function.");
}
