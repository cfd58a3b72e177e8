// The Fetch body mixin shared by Request and Response. A body is kept in the cheapest form
// it arrived in (string, bytes, host stream, JS stream) and becomes a ReadableStream only
// when a Worker asks for `.body`, so the common text-in, text-out path never builds one.

const BODY_USED = "Body has already been used. It can only be used once. Use tee() first if you need to read it twice.";

// kind: "none" | "text" | "bytes" | "stream" | "host" (request body pulled from the host)
function makeBody(kind, value, contentType = null) {
  return { kind, value, contentType, stream: null, used: false };
}

/** Extracts a body and its default Content-Type from a BodyInit (Fetch's "extract a body"). */
function extractBody(init) {
  if (init === undefined || init === null) return makeBody("none", null);
  if (typeof init === "string") return makeBody("text", init, "text/plain;charset=UTF-8");
  if (init instanceof ReadableStream) {
    if (init.locked || isStreamDisturbed(init)) throw new TypeError("This ReadableStream is disturbed (has already been read from), and cannot be used as a body.");
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
      let value = body.value;
      body.stream = new ReadableStream({
        pull(c) {
          if (value !== null) { c.enqueue(typeof value === "string" ? utf8Encode(value) : value); value = null; }
          c.close();
        },
      }, { highWaterMark: 0 });
      break;
    }
    case "host": body.stream = hostBodyStream(body.value); break;
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
  if (bodyUsed(body)) throw new TypeError(BODY_USED);
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
    text: { value: function text() { try { return consumeBody(get(this), true); } catch (e) { return Promise.reject(e); } }, enumerable: true, writable: true, configurable: true },
    arrayBuffer: {
      value: function arrayBuffer() {
        try {
          return consumeBody(get(this), false).then((b) => b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? b.buffer : b.slice().buffer);
        } catch (e) { return Promise.reject(e); }
      }, enumerable: true, writable: true, configurable: true,
    },
    bytes: {
      value: function bytes() {
        try { return consumeBody(get(this), false).then((b) => b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? b : b.slice()); } catch (e) { return Promise.reject(e); }
      }, enumerable: true, writable: true, configurable: true,
    },
    json: {
      value: function json() {
        try { return consumeBody(get(this), true).then((t) => JSON.parse(t)); } catch (e) { return Promise.reject(e); }
      }, enumerable: true, writable: true, configurable: true,
    },
    blob: {
      value: function blob() {
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
      value: function formData() {
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

function hostBodyStream(streamId) {
  return new ReadableStream({
    pull(controller) {
      return opAsync((id) => ops.readBody(streamId, id, HOST_CHUNK)).then((chunk) => {
        if (chunk === null || chunk === undefined) controller.close();
        else controller.enqueue(chunk);
      });
    },
    cancel() { ops.cancelBody(streamId); },
  }, { highWaterMark: 0 });
}

function hostBodyReadAll(streamId) {
  return opAsync((id) => ops.readBody(streamId, id, -1)).then((b) => b ?? EMPTY_BYTES);
}

// ---- JavaScript streams the host reads (response bodies, fetch request bodies) ----------
const jsStreams = new Map(); // id -> { reader, onEnd }
let nextJsStreamId = 1;

/** Hands a stream to the host, which pulls it chunk by chunk through pullStream. */
function registerJsStream(stream, onEnd = undefined) {
  const id = nextJsStreamId++;
  jsStreams.set(id, { reader: stream.getReader(), onEnd });
  return id;
}

function pullStream(id) {
  const entry = jsStreams.get(id);
  if (entry === undefined) { ops.streamChunk(id, null); return; }
  entry.reader.read().then(({ value, done }) => {
    if (done) { endJsStream(id, entry); ops.streamChunk(id, null); return; }
    if (!isBufferSource(value)) throw new TypeError("This ReadableStream did not return bytes.");
    ops.streamChunk(id, bytesView(value));
  }).catch((e) => {
    endJsStream(id, entry);
    ops.streamError(id, errorText(e));
  });
}

function cancelJsStream(id) {
  const entry = jsStreams.get(id);
  if (entry === undefined) return;
  endJsStream(id, entry);
  entry.reader.cancel(new Error("The stream's reader went away.")).catch(() => {});
}

function endJsStream(id, entry) {
  jsStreams.delete(id);
  if (entry.onEnd !== undefined) entry.onEnd();
}
