// ReadableStream (WHATWG Streams), default streams: the carrier of request and response
// bodies. The streams issue extends this with byte streams, BYOB readers, WritableStream and
// TransformStream; the shape here already follows the spec's algorithms.

class CountQueuingStrategy {
  constructor(init) {
    requiredArguments(arguments.length, 1, "CountQueuingStrategy");
    this[kState] = { highWaterMark: Number(init?.highWaterMark) };
  }
  get highWaterMark() { return this[kState].highWaterMark; }
  get size() { return countSize; }
}
function countSize() { return 1; }
webidlInterface(CountQueuingStrategy);

class ByteLengthQueuingStrategy {
  constructor(init) {
    requiredArguments(arguments.length, 1, "ByteLengthQueuingStrategy");
    this[kState] = { highWaterMark: Number(init?.highWaterMark) };
  }
  get highWaterMark() { return this[kState].highWaterMark; }
  get size() { return byteLengthSize; }
}
function byteLengthSize(chunk) { return chunk.byteLength; }
webidlInterface(ByteLengthQueuingStrategy);

class ReadableStreamDefaultController {
  constructor() { throw new TypeError("Illegal constructor"); }
  get desiredSize() {
    const s = this[kState];
    const state = s.stream[kState].state;
    if (state === "errored") return null;
    if (state === "closed") return 0;
    return s.highWaterMark - s.queueSize;
  }
  close() {
    const s = this[kState];
    if (s.closeRequested || s.stream[kState].state !== "readable") throw new TypeError("The stream is not in a state that permits close");
    s.closeRequested = true;
    if (s.queue.length === 0) { clearAlgorithms(s); closeStream(s.stream); }
  }
  enqueue(chunk) {
    const s = this[kState];
    if (s.closeRequested || s.stream[kState].state !== "readable") throw new TypeError("The stream is not in a state that permits enqueue");
    controllerEnqueue(s, chunk);
  }
  error(e) {
    const s = this[kState];
    if (s.stream[kState].state === "readable") controllerError(s, e);
  }
}
webidlInterface(ReadableStreamDefaultController);

function controllerEnqueue(s, chunk) {
  const stream = s.stream;
  const reader = stream[kState].reader;
  if (reader !== undefined && reader[kState].readRequests.length > 0) {
    reader[kState].readRequests.shift().resolve({ value: chunk, done: false });
  } else {
    let size = 1;
    try { size = s.sizeAlgorithm(chunk); } catch (e) { controllerError(s, e); throw e; }
    size = Number(size);
    if (!(size >= 0) || size === Infinity) { const e = new RangeError("The chunk size is invalid"); controllerError(s, e); throw e; }
    s.queue.push({ chunk, size });
    s.queueSize += size;
  }
  callPullIfNeeded(s);
}

function controllerError(s, e) {
  s.queue = [];
  s.queueSize = 0;
  clearAlgorithms(s);
  errorStream(s.stream, e);
}

function clearAlgorithms(s) {
  s.pullAlgorithm = undefined;
  s.cancelAlgorithm = undefined;
  s.sizeAlgorithm = countSize;
}

function shouldCallPull(s) {
  const st = s.stream[kState];
  if (st.state !== "readable" || s.closeRequested || !s.started) return false;
  if (st.reader !== undefined && st.reader[kState].readRequests.length > 0) return true;
  return s.highWaterMark - s.queueSize > 0;
}

function callPullIfNeeded(s) {
  if (!shouldCallPull(s)) return;
  if (s.pulling) { s.pullAgain = true; return; }
  s.pulling = true;
  const pull = s.pullAlgorithm;
  if (pull === undefined) { s.pulling = false; return; }
  let p;
  try { p = Promise.resolve(pull()); } catch (e) { p = Promise.reject(e); }
  p.then(() => {
    s.pulling = false;
    if (s.pullAgain) { s.pullAgain = false; callPullIfNeeded(s); }
  }, (e) => {
    if (s.stream[kState].state === "readable") controllerError(s, e);
  });
}

function closeStream(stream) {
  const st = stream[kState];
  st.state = "closed";
  const reader = st.reader;
  if (reader === undefined) return;
  for (const r of reader[kState].readRequests) r.resolve({ value: undefined, done: true });
  reader[kState].readRequests = [];
  reader[kState].closed.resolve(undefined);
}

function errorStream(stream, e) {
  const st = stream[kState];
  st.state = "errored";
  st.storedError = e;
  const reader = st.reader;
  if (reader === undefined) return;
  for (const r of reader[kState].readRequests) r.reject(e);
  reader[kState].readRequests = [];
  reader[kState].closed.reject(e);
  reader[kState].closed.promise.catch(() => {});
}

function deferred() {
  let resolve, reject;
  const promise = new Promise((a, b) => { resolve = a; reject = b; });
  return { promise, resolve, reject };
}

function cancelStream(stream, reason) {
  const st = stream[kState];
  st.disturbed = true;
  if (st.state === "closed") return Promise.resolve(undefined);
  if (st.state === "errored") return Promise.reject(st.storedError);
  closeStream(stream);
  const s = st.controller[kState];
  s.queue = [];
  s.queueSize = 0;
  const cancel = s.cancelAlgorithm;
  clearAlgorithms(s);
  let p;
  try { p = Promise.resolve(cancel === undefined ? undefined : cancel(reason)); } catch (e) { p = Promise.reject(e); }
  return p.then(() => undefined);
}

class ReadableStream {
  constructor(underlyingSource = undefined, strategy = {}) {
    const source = underlyingSource === undefined || underlyingSource === null ? {} : underlyingSource;
    if (source.type !== undefined && String(source.type) === "bytes") {
      // Byte streams arrive with the streams issue; until then they behave as default streams of Uint8Array.
    } else if (source.type !== undefined) {
      throw new RangeError(`Failed to construct 'ReadableStream': ${source.type} is not a valid value for type`);
    }
    this[kState] = { state: "readable", reader: undefined, storedError: undefined, disturbed: false, controller: undefined };
    const size = strategy?.size;
    let hwm = strategy?.highWaterMark;
    hwm = hwm === undefined ? 1 : Number(hwm);
    if (Number.isNaN(hwm) || hwm < 0) throw new RangeError("Invalid highWaterMark");
    setUpController(this, source, hwm, typeof size === "function" ? size : countSize);
  }

  get locked() { return readableState(this).reader !== undefined; }

  cancel(reason = undefined) {
    const st = readableState(this);
    if (st.reader !== undefined) return Promise.reject(new TypeError("Cannot cancel a locked ReadableStream."));
    return cancelStream(this, reason);
  }

  getReader(options = undefined) {
    readableState(this);
    const mode = options?.mode;
    if (mode !== undefined && String(mode) !== "byob") throw new TypeError(`Failed to execute 'getReader' on 'ReadableStream': ${mode} is not a valid value for mode`);
    if (mode === "byob") throw new TypeError("This ReadableStream does not support BYOB readers yet.");
    return new ReadableStreamDefaultReader(this);
  }

  tee() {
    readableState(this);
    const reader = new ReadableStreamDefaultReader(this);
    let canceled1 = false, canceled2 = false, reason1, reason2, reading = false;
    const cancelDone = deferred();
    let branch1, branch2;
    const pull = () => {
      if (reading) return Promise.resolve();
      reading = true;
      reader.read().then(({ value, done }) => {
        reading = false;
        if (done) {
          if (!canceled1) branch1[kState].controller.close();
          if (!canceled2) branch2[kState].controller.close();
          cancelDone.resolve();
          return;
        }
        if (!canceled1) branch1[kState].controller.enqueue(value);
        if (!canceled2) branch2[kState].controller.enqueue(value);
      }, (e) => {
        reading = false;
        controllerError(branch1[kState].controller[kState], e);
        controllerError(branch2[kState].controller[kState], e);
        cancelDone.resolve();
      });
      return Promise.resolve();
    };
    branch1 = new ReadableStream({ pull, cancel(r) { canceled1 = true; reason1 = r; if (canceled2) cancelDone.resolve(cancelStream(this_ , [reason1, reason2])); return cancelDone.promise; } });
    branch2 = new ReadableStream({ pull, cancel(r) { canceled2 = true; reason2 = r; if (canceled1) cancelDone.resolve(cancelStream(this_, [reason1, reason2])); return cancelDone.promise; } });
    const this_ = this;
    return [branch1, branch2];
  }

  values(options = undefined) {
    const reader = this.getReader();
    const preventCancel = !!options?.preventCancel;
    const iterator = {
      next() {
        return reader.read().then((r) => { if (r.done) reader.releaseLock(); return r; });
      },
      return(value) {
        if (!preventCancel) { const p = reader.cancel(value); reader.releaseLock(); return p.then(() => ({ value, done: true })); }
        reader.releaseLock();
        return Promise.resolve({ value, done: true });
      },
      [Symbol.asyncIterator]() { return this; },
    };
    return iterator;
  }

  [Symbol.asyncIterator](options) { return this.values(options); }

  static from(iterable) {
    if (iterable instanceof ReadableStream) return iterable;
    const asyncIt = iterable?.[Symbol.asyncIterator];
    const it = typeof asyncIt === "function" ? asyncIt.call(iterable) : iterable?.[Symbol.iterator]?.call(iterable);
    if (it === undefined || typeof it.next !== "function") throw new TypeError("ReadableStream.from: argument is not iterable");
    return new ReadableStream({
      async pull(controller) {
        const r = await it.next();
        if (r.done) controller.close();
        else controller.enqueue(await r.value);
      },
      async cancel(reason) {
        if (typeof it.return === "function") await it.return(reason);
      },
    }, { highWaterMark: 0 });
  }
}
webidlInterface(ReadableStream);

function readableState(stream) {
  const st = stream?.[kState];
  if (st === undefined || !(stream instanceof ReadableStream)) throw illegalInvocation();
  return st;
}

function setUpController(stream, source, highWaterMark, sizeAlgorithm) {
  const controller = Object.create(ReadableStreamDefaultController.prototype);
  const s = {
    stream, queue: [], queueSize: 0, highWaterMark, sizeAlgorithm,
    started: false, pulling: false, pullAgain: false, closeRequested: false,
    pullAlgorithm: typeof source.pull === "function" ? () => source.pull(controller) : undefined,
    cancelAlgorithm: typeof source.cancel === "function" ? (r) => source.cancel(r) : undefined,
  };
  controller[kState] = s;
  stream[kState].controller = controller;
  let startResult;
  if (typeof source.start === "function") startResult = source.start(controller);
  Promise.resolve(startResult).then(() => {
    s.started = true;
    callPullIfNeeded(s);
  }, (e) => {
    if (stream[kState].state === "readable") controllerError(s, e);
  });
}

class ReadableStreamDefaultReader {
  constructor(stream) {
    const st = readableState(stream);
    if (st.reader !== undefined) throw new TypeError("This ReadableStream is currently locked to a reader.");
    const closed = deferred();
    this[kState] = { stream, readRequests: [], closed };
    st.reader = this;
    if (st.state === "closed") closed.resolve(undefined);
    else if (st.state === "errored") { closed.reject(st.storedError); closed.promise.catch(() => {}); }
  }

  get closed() { return this[kState].closed.promise; }

  read() {
    const r = this[kState];
    if (r.stream === undefined) return Promise.reject(new TypeError("This ReadableStream reader has been released."));
    const st = r.stream[kState];
    st.disturbed = true;
    if (st.state === "closed") return Promise.resolve({ value: undefined, done: true });
    if (st.state === "errored") return Promise.reject(st.storedError);
    const s = st.controller[kState];
    if (s.queue.length > 0) {
      const { chunk, size } = s.queue.shift();
      s.queueSize -= size;
      if (s.queue.length === 0) s.queueSize = 0;
      if (s.closeRequested && s.queue.length === 0) { clearAlgorithms(s); closeStream(r.stream); }
      else callPullIfNeeded(s);
      return Promise.resolve({ value: chunk, done: false });
    }
    const d = deferred();
    r.readRequests.push(d);
    callPullIfNeeded(s);
    return d.promise;
  }

  releaseLock() {
    const r = this[kState];
    if (r.stream === undefined) return;
    const e = new TypeError("This ReadableStream reader has been released.");
    for (const req of r.readRequests) req.reject(e);
    r.readRequests = [];
    if (r.stream[kState].state === "readable") r.closed.reject(e);
    else r.closed = { promise: Promise.reject(e) };
    r.closed.promise.catch(() => {});
    r.stream[kState].reader = undefined;
    r.stream = undefined;
  }

  cancel(reason = undefined) {
    const r = this[kState];
    if (r.stream === undefined) return Promise.reject(new TypeError("This ReadableStream reader has been released."));
    return cancelStream(r.stream, reason);
  }
}
webidlInterface(ReadableStreamDefaultReader);

function isStreamDisturbed(stream) { return stream[kState].disturbed; }

/** Reads a whole byte stream; rejects with workerd's TypeError if a chunk is not bytes. */
async function readAllBytes(stream) {
  const reader = new ReadableStreamDefaultReader(stream);
  const chunks = [];
  let total = 0;
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      if (!isBufferSource(value)) throw new TypeError("This ReadableStream did not return bytes.");
      const bytes = bytesView(value);
      chunks.push(bytes);
      total += bytes.byteLength;
    }
  } finally {
    reader.releaseLock();
  }
  return total === 0 ? EMPTY_BYTES : concatBytes(chunks, total);
}

defineGlobal("ReadableStream", ReadableStream);
defineGlobal("ReadableStreamDefaultReader", ReadableStreamDefaultReader);
defineGlobal("ReadableStreamDefaultController", ReadableStreamDefaultController);
defineGlobal("CountQueuingStrategy", CountQueuingStrategy);
defineGlobal("ByteLengthQueuingStrategy", ByteLengthQueuingStrategy);
