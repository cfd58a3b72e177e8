// The Fetch body mixin shared by Request and Response. A body is kept in the cheapest form
// it arrived in (string, bytes, host stream, JS stream) and becomes a ReadableStream only
// when a Worker asks for `.body`, so the common text-in, text-out path never builds one.

const BODY_USED = "Body has already been used. It can only be used once. Use tee() first if you need to read it twice.";

// kind: "none" | "text" | "bytes" | "stream" | "host" (request body pulled from the host).
// knownLength: the byte length a host body will have (its Content-Length), or -1.
function makeBody(kind, value, contentType = null, knownLength = -1) {
  return { kind, value, contentType, stream: kind === "stream" ? value : null, used: false, knownLength };
}

const CONTENT_LENGTH_LINE = /(?:^|\n)content-length\n(\d+)(?:\n|$)/i;

/** The Content-Length in the host's header lines ("name\nvalue\n…"), or -1: a host body of known length. */
function contentLengthOf(headerLines) {
  const m = CONTENT_LENGTH_LINE.exec(headerLines);
  if (m === null) return -1;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) ? n : -1;
}

/** Extracts a body and its default Content-Type from a BodyInit (Fetch's "extract a body"). */
function extractBody(init) {
  if (init === undefined || init === null) return makeBody("none", null);
  if (typeof init === "string") return makeBody("text", init, "text/plain;charset=UTF-8");
  if (init instanceof ReadableStream) {
    if (isStreamDisturbed(init)) throw new TypeError("This ReadableStream is disturbed (has already been read from), and cannot be used as a body.");
    if (init.locked) throw new TypeError("This ReadableStream is locked to a reader, and cannot be used as a body.");
    return makeBody("stream", init);
  }
  if (isBufferSource(init)) return makeBody("bytes", bytesCopy(init));
  if (typeof URLSearchParams === "function" && init instanceof URLSearchParams) {
    return makeBody("text", init.toString(), "application/x-www-form-urlencoded;charset=UTF-8");
  }
  if (typeof Blob === "function" && init instanceof Blob && typeof blobBody === "function") return blobBody(init);
  if (typeof FormData === "function" && init instanceof FormData && typeof formDataBody === "function") return formDataBody(init);
  return makeBody("text", String(init), "text/plain;charset=UTF-8");
}

function bodyStream(body) {
  if (body.stream !== null) return body.stream;
  switch (body.kind) {
    case "none": return null;
    case "stream": body.stream = body.value; break;
    case "text": case "bytes": {
      // A byte stream, as in workerd, so BYOB readers work. Bytes are copied because enqueue
      // detaches the buffer and clones share it.
      let value = body.value;
      const rec = createReadableByteStream({
        pull() {
          const c = rec.controller;
          if (value !== null) {
            const bytes = typeof value === "string" ? utf8Encode(value) : value.slice();
            value = null;
            if (bytes.byteLength > 0) byteControllerEnqueue(c, bytes);
          }
          byteControllerClose(c);
          if (c.pendingPullIntos.length > 0) byteRespond(c, 0);
        },
      });
      body.stream = rec.obj;
      // Like workerd's, such a stream has a known length (R2 can store it as it is).
      rec.knownLength = typeof body.value === "string" ? (body.value.length === 0 ? 0 : ops.utf8Length(body.value)) : body.value.byteLength;
      break;
    }
    case "host":
      body.stream = hostBodyStream(body.value);
      // As in workerd, a body of known length can be stored in R2 or sent with Content-Length.
      if (body.knownLength >= 0) body.stream[kState].knownLength = body.knownLength;
      break;
  }
  return body.stream;
}

function bodyUsed(body) {
  if (body.used) return true;
  return body.stream !== null && isStreamDisturbed(body.stream);
}

/** Consumes the body once, as bytes or (cheaper when it already is one) as a string. */
async function consumeBody(body, asText) {
  if (bodyUsed(body)) throw new TypeError(BODY_USED);
  if (body.stream !== null && body.stream.locked) throw new TypeError("This ReadableStream is currently locked to a reader.");
  // A null body is never "used" (Fetch: consuming it yields nothing and leaves bodyUsed false).
  if (body.kind === "none" && body.stream === null) return asText ? "" : EMPTY_BYTES;
  body.used = true;
  if (body.stream === null) {
    switch (body.kind) {
      case "none": return asText ? "" : EMPTY_BYTES;
      case "text": return asText ? body.value : utf8Encode(body.value);
      case "bytes": return asText ? utf8Decode(body.value, false, false) : body.value;
      case "host": {
        const bytes = await hostBodyReadAll(body.value);
        return asText ? utf8Decode(bytes, false, false) : bytes;
      }
    }
  }
  // A body given as a ReadableStream has no body.stream until something asks for it.
  const bytes = await readAllBytes(bodyStream(body));
  return asText ? utf8Decode(bytes, false, false) : bytes;
}

/** Clones a body: streams are teed, the rest shared (they are immutable). */
function cloneBody(body) {
  // workerd's message (a used body's stream stays locked there), trailing comma included.
  if (bodyUsed(body)) throw new TypeError("This ReadableStream is currently locked to a reader,");
  if (body.kind === "none") return makeBody("none", null);
  if (body.kind === "text" || body.kind === "bytes") return makeBody(body.kind, body.value, body.contentType);
  const [a, b] = bodyStream(body).tee();
  body.stream = a;
  const clone = makeBody("stream", b, body.contentType);
  clone.stream = b;
  return clone;
}

function mixinBody(cls, name) {
  const get = (o) => {
    const st = o?.[kState];
    if (st === undefined || !(o instanceof cls)) throw illegalInvocation();
    return st.body;
  };
  Object.defineProperties(cls.prototype, {
    body: { get() { return bodyStream(get(this)); }, enumerable: true, configurable: true },
    bodyUsed: { get() { return bodyUsed(get(this)); }, enumerable: true, configurable: true },
    text: { value: function text() { requireHandlerScope(); try { return consumeBody(get(this), true); } catch (e) { return Promise.reject(e); } }, enumerable: true, writable: true, configurable: true },
    arrayBuffer: {
      value: function arrayBuffer() { requireHandlerScope();
        try {
          return consumeBody(get(this), false).then((b) => b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? b.buffer : b.slice().buffer);
        } catch (e) { return Promise.reject(e); }
      }, enumerable: true, writable: true, configurable: true,
    },
    bytes: {
      value: function bytes() { requireHandlerScope();
        try { return consumeBody(get(this), false).then((b) => b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? b : b.slice()); } catch (e) { return Promise.reject(e); }
      }, enumerable: true, writable: true, configurable: true,
    },
    json: {
      value: function json() { requireHandlerScope();
        try { return consumeBody(get(this), true).then((t) => JSONParse(t)); } catch (e) { return Promise.reject(e); }
      }, enumerable: true, writable: true, configurable: true,
    },
    blob: {
      value: function blob() { requireHandlerScope();
        try {
          const self = this;
          return consumeBody(get(this), false).then((b) => {
            if (typeof Blob !== "function") throw new TypeError("Blob is not supported yet.");
            return new Blob([b], { type: self.headers.get("content-type") ?? "" });
          });
        } catch (e) { return Promise.reject(e); }
      }, enumerable: true, writable: true, configurable: true,
    },
    formData: {
      value: function formData() { requireHandlerScope();
        try {
          const self = this;
          const body = get(this);
          if (typeof parseFormDataBody === "function") return parseFormDataBody(body, self.headers.get("content-type"));
          return Promise.reject(new TypeError("formData() is not supported yet."));
        } catch (e) { return Promise.reject(e); }
      }, enumerable: true, writable: true, configurable: true,
    },
  });
}

// ---- bodies that stay in the host until read (incoming requests, fetch responses) --------
const HOST_CHUNK = 65536;

/** Host body streams nothing has read yet, with their host ids: such a body can go back whole. */
const untouchedHostStreams = new WeakMap();

/**
 * A byte stream over a host body, read in chunks of up to 64 KiB as the Worker reads. It asks
 * the host for nothing until first read, so a body passed on unread (`new Response(request.body)`,
 * a fetch response returned as is) goes back to the host, which pipes it without a crossing.
 * From the first read on, a highWaterMark of one chunk keeps one host read in flight while the
 * last chunk is used, which hides the round trip; memory stays bounded at one chunk ahead.
 */
function hostBodyStream(streamId) {
  const rec = createReadableByteStream({
    pull() {
      if (untouchedHostStreams.delete(rec.obj)) rec.controller.highWaterMark = HOST_CHUNK;
      return opAsync((id) => ops.readBody(streamId, id, HOST_CHUNK)).then((chunk) => {
        const c = rec.controller;
        if (chunk === null || chunk === undefined) {
          byteControllerClose(c);
          if (c.pendingPullIntos.length > 0) byteRespond(c, 0);
        } else if (chunk.byteLength > 0) {
          // The host's array is fresh, so enqueue may take its buffer (BYOB reads copy from it).
          byteControllerEnqueue(c, chunk);
        }
      });
    },
    cancel() {
      untouchedHostStreams.delete(rec.obj);
      ops.cancelBody(streamId);
    },
  }, 0);
  untouchedHostStreams.set(rec.obj, streamId);
  return rec.obj;
}

/**
 * If `body` is a host body nothing has read, takes it for the host to send on as it is and
 * returns its host id (else 0). Its stream, if script made one, ends up locked and disturbed,
 * as if the host had read it.
 */
function takeUntouchedHostBody(body) {
  if (body.stream === null) return body.kind === "host" ? body.value : 0;
  const stream = body.stream;
  const id = untouchedHostStreams.get(stream);
  if (id === undefined || stream.locked || isStreamDisturbed(stream)) return 0;
  untouchedHostStreams.delete(stream);
  acquireDefaultReader(stream[kState]);
  stream[kState].disturbed = true;
  return id;
}

function hostBodyReadAll(streamId) {
  return opAsync((id) => ops.readBody(streamId, id, -1)).then((b) => b ?? EMPTY_BYTES);
}

// ---- JavaScript streams the host reads (response bodies, fetch request bodies) ----------
// Each entry is its own read request (chunk/close/error), reused for every pull: reading a
// chunk for the host allocates no promise or closure here.
class JsStreamEntry {
  constructor(id, reader, onEnd, event) {
    this.id = id;
    this.reader = reader;
    this.onEnd = onEnd;
    this.event = event; // whose stream it is: its pulls run in that event's context (the timers they set are its)
  }
  chunk(value) {
    if (!isBufferSource(value)) {
      const e = new TypeError("This ReadableStream did not return bytes.");
      const stream = this.reader.stream;
      endJsStream(this.id, this);
      if (stream !== undefined) readableStreamCancel(stream, e).then(noop, noop);
      ops.streamError(this.id, errorText(e));
      return;
    }
    const view = bytesView(value);
    if (view.byteLength <= TRANSFER_SIZE) {
      hostTransfer.set(view);
      ops.streamChunkTransferred(this.id, view.byteLength);
    } else {
      ops.streamChunk(this.id, view);
    }
  }
  close() {
    endJsStream(this.id, this);
    ops.streamChunk(this.id, null);
  }
  error(e) {
    endJsStream(this.id, this);
    ops.streamError(this.id, errorText(e));
  }
}

const jsStreams = new Map(); // id -> JsStreamEntry
let nextJsStreamId = 1;

/** Hands a stream to the host, which pulls it chunk by chunk through pullStream. */
function registerJsStream(stream, onEnd = undefined) {
  const id = nextJsStreamId++;
  jsStreams.set(id, new JsStreamEntry(id, acquireDefaultReader(stream[kState]), onEnd, currentEvent));
  return id;
}

function pullStream(id) {
  const entry = jsStreams.get(id);
  if (entry === undefined) { ops.streamChunk(id, null); return; }
  // The host asks from a turn of its own: without this, the pull ran in whichever event ran last.
  currentEvent = entry.event;
  readerRead(entry.reader, entry);
}

function cancelJsStream(id) {
  const entry = jsStreams.get(id);
  if (entry === undefined) return;
  currentEvent = entry.event;
  endJsStream(id, entry);
  const stream = entry.reader.stream;
  if (stream !== undefined) readableStreamCancel(stream, new Error("The stream's reader went away.")).then(noop, noop);
}

/** The byte length a body made from this stream will have, or -1 (FixedLengthStream's is known). */
function streamKnownLength(stream) {
  return stream[kState].knownLength;
}

function endJsStream(id, entry) {
  jsStreams.delete(id);
  if (entry.onEnd !== undefined) entry.onEnd();
}
