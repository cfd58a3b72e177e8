// ReadableStream (WHATWG Streams): default and byte streams, default and BYOB readers, tee,
// pipeTo/pipeThrough, async iteration and ReadableStream.from, plus the queuing strategies
// and the internals that 46_writable_stream.js and 47_transform_stream.js share.
//
// Shape: every public object (stream, reader, controller) holds one internal record in
// [kState]; the algorithms work on records, named after the spec's abstract operations.
// Underlying sources are kept as (object, method) pairs rather than closures, and read
// requests are objects with chunk/close/error methods, so internal consumers (pipes, tee,
// the host pulling a response body) read without allocating a promise per chunk.
// Error messages follow workerd's where it has one.

// ---- promises ----------------------------------------------------------------------------
const noop = () => {};

/** A promise with its resolve/reject and whether it has settled (the spec asks "is it pending?"). */
class Deferred {
  constructor() {
    const c = Promise.withResolvers();
    this.promise = c.promise;
    this.res = c.resolve;
    this.rej = c.reject;
    this.settled = false;
  }
  resolve(v) { if (!this.settled) { this.settled = true; this.res(v); } }
  reject(e) { if (!this.settled) { this.settled = true; this.rej(e); } }
}

function newCapability() {
  return new Deferred();
}

/** A Deferred around a promise that is already settled. */
function settledDeferred(promise) {
  const d = Object.create(Deferred.prototype);
  d.promise = promise;
  d.res = d.rej = noop;
  d.settled = true;
  return d;
}

function setPromiseHandled(p) {
  p.then(undefined, noop);
}

function rejectedHandled(e) {
  const p = Promise.reject(e);
  setPromiseHandled(p);
  return p;
}

/** Calls fn.call(thisArg, arg) and turns its result or exception into a promise. */
function promiseCall(fn, thisArg, arg) {
  try {
    return Promise.resolve(fn.call(thisArg, arg));
  } catch (e) {
    return Promise.reject(e);
  }
}

// ---- queues ------------------------------------------------------------------------------
/** A FIFO with O(1) shift: an array and a head index, compacted now and then. */
class Queue {
  constructor() { this.items = []; this.head = 0; }
  get length() { return this.items.length - this.head; }
  push(v) { this.items.push(v); }
  peek() { return this.items[this.head]; }
  shift() {
    const items = this.items;
    const v = items[this.head];
    items[this.head++] = undefined;
    if (this.head === items.length) { items.length = 0; this.head = 0; }
    else if (this.head > 1024 && this.head * 2 > items.length) { items.splice(0, this.head); this.head = 0; }
    return v;
  }
  /** Removes and returns every item, in order. */
  drain() {
    const out = this.head === 0 ? this.items : this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return out;
  }
  clear() { this.items = []; this.head = 0; }
}

/** The spec's "queue-with-sizes": values and their sizes, and the running total. */
class SizedQueue {
  constructor() { this.values = new Queue(); this.sizes = new Queue(); this.total = 0; }
  get length() { return this.values.length; }
  enqueue(value, size) {
    size = typeof size === "number" ? size : Number(size);
    if (!(size >= 0) || size === Infinity) throw new RangeError("The chunk size must be a finite, non-negative number.");
    this.values.push(value);
    this.sizes.push(size);
    this.total += size;
  }
  dequeue() {
    const value = this.values.shift();
    this.total -= this.sizes.shift();
    if (this.total < 0 || this.values.length === 0) this.total = 0; // rounding errors
    return value;
  }
  peek() { return this.values.peek(); }
  reset() { this.values.clear(); this.sizes.clear(); this.total = 0; }
}

// ---- Web IDL helpers -----------------------------------------------------------------------
function isObjectLike(v) {
  return (typeof v === "object" && v !== null) || typeof v === "function";
}

/** A dictionary member that must be a function when present (workerd's message). */
function optionalFunction(dict, key, dictName) {
  const v = dict[key];
  if (v === undefined) return undefined;
  if (typeof v !== "function") throw new TypeError(`Incorrect type for the '${key}' field on '${dictName}': the provided value is not of type 'function'.`);
  return v;
}

/** Reads a QueuingStrategy dictionary: { highWaterMark, size } in Web IDL member order. */
function readStrategy(strategy, where) {
  if (strategy === undefined || strategy === null) return { highWaterMark: undefined, size: undefined };
  if (!isObjectLike(strategy)) throw new TypeError(`Failed to ${where}: the strategy is not of type 'QueuingStrategy'.`);
  const hwm = strategy.highWaterMark;
  const highWaterMark = hwm === undefined ? undefined : Number(hwm);
  const size = optionalFunction(strategy, "size", "QueuingStrategy");
  return { highWaterMark, size };
}

function extractHighWaterMark(strategy, defaultHWM) {
  const hwm = strategy.highWaterMark;
  if (hwm === undefined) return defaultHWM;
  if (Number.isNaN(hwm) || hwm < 0) throw new RangeError("The highWaterMark must be a non-negative number.");
  return hwm;
}

// ---- bytes -------------------------------------------------------------------------------
function isDetached(buffer) {
  return buffer.detached === true;
}

/** Moves a buffer's contents to a new ArrayBuffer and detaches the old one (no copy). */
function transferBuffer(buffer) {
  if (buffer.detached) throw new TypeError("The ArrayBuffer has been detached.");
  return buffer.transfer();
}

function copyBytes(dest, destOffset, src, srcOffset, n) {
  new Uint8Array(dest, destOffset, n).set(new Uint8Array(src, srcOffset, n));
}

function isDataView(v) {
  return v instanceof DataView;
}

// ---- queuing strategies ------------------------------------------------------------------
// Each size function is one shared function object, as the spec requires.
const countSize = function size() { return 1; };
const byteLengthSize = function size(chunk) { return chunk.byteLength; };

function strategyInit(init, name) {
  if (!isObjectLike(init)) {
    throw new TypeError(`Failed to construct '${name}': constructor parameter 1 is not of type 'QueuingStrategyInit'.`);
  }
  if (init.highWaterMark === undefined) throw new TypeError(`Failed to construct '${name}': required member highWaterMark is undefined.`);
  return Number(init.highWaterMark);
}

class CountQueuingStrategy {
  constructor(init) {
    this[kState] = { highWaterMark: strategyInit(init, "CountQueuingStrategy") };
  }
  get highWaterMark() { return strategyState(this, CountQueuingStrategy).highWaterMark; }
  get size() { strategyState(this, CountQueuingStrategy); return countSize; }
}
webidlInterface(CountQueuingStrategy);

class ByteLengthQueuingStrategy {
  constructor(init) {
    this[kState] = { highWaterMark: strategyInit(init, "ByteLengthQueuingStrategy") };
  }
  get highWaterMark() { return strategyState(this, ByteLengthQueuingStrategy).highWaterMark; }
  get size() { strategyState(this, ByteLengthQueuingStrategy); return byteLengthSize; }
}
webidlInterface(ByteLengthQueuingStrategy);

function strategyState(o, cls) {
  if (!(o instanceof cls) || o[kState] === undefined) throw illegalInvocation();
  return o[kState];
}

// ---- records -----------------------------------------------------------------------------
class ReadableStreamRec {
  constructor(obj) {
    this.obj = obj;
    this.state = "readable";
    this.reader = undefined;       // ReaderRec
    this.storedError = undefined;
    this.disturbed = false;
    this.controller = undefined;   // DefaultControllerRec | ByteControllerRec
    this.knownLength = -1;         // bytes a body made from this stream will have (FixedLengthStream)
  }
}

class ReaderRec {
  constructor(obj, byob) {
    this.obj = obj;
    this.byob = byob;
    this.stream = undefined;
    this.requests = new Queue();   // read requests, or read-into requests for BYOB readers
    this.closed = undefined;       // capability
  }
}

/** reader.read()'s request: settles the promise it returns. */
class PromiseReadRequest {
  constructor() {
    const c = Promise.withResolvers();
    this.promise = c.promise;
    this.resolve = c.resolve;
    this.reject = c.reject;
  }
  chunk(value) { this.resolve({ value, done: false }); }
  close(value) { this.resolve({ value, done: true }); }
  error(e) { this.reject(e); }
}

// ---- ReadableStream abstract operations ---------------------------------------------------
function streamRec(stream) {
  const rec = stream?.[kState];
  if (!(rec instanceof ReadableStreamRec)) throw illegalInvocation();
  return rec;
}

function isReadableStream(v) {
  return isObjectLike(v) && v[kState] instanceof ReadableStreamRec;
}

function isLocked(rec) { return rec.reader !== undefined; }

function hasDefaultReader(rec) { return rec.reader !== undefined && !rec.reader.byob; }
function hasBYOBReader(rec) { return rec.reader !== undefined && rec.reader.byob; }
function numRequests(rec) { return rec.reader.requests.length; }

function addReadRequest(rec, request) { rec.reader.requests.push(request); }

function fulfillReadRequest(rec, chunk, done) {
  const request = rec.reader.requests.shift();
  if (done) request.close(undefined);
  else request.chunk(chunk);
}

function fulfillReadIntoRequest(rec, view, done) {
  const request = rec.reader.requests.shift();
  if (done) request.close(view);
  else request.chunk(view);
}

function readableStreamClose(rec) {
  rec.state = "closed";
  const reader = rec.reader;
  if (reader === undefined) return;
  reader.closed.resolve(undefined);
  if (!reader.byob) {
    const requests = reader.requests.drain();
    for (let i = 0; i < requests.length; i++) requests[i].close(undefined);
  }
}

function readableStreamError(rec, e) {
  rec.state = "errored";
  rec.storedError = e;
  const reader = rec.reader;
  if (reader === undefined) return;
  reader.closed.reject(e);
  setPromiseHandled(reader.closed.promise);
  const requests = reader.requests.drain();
  for (let i = 0; i < requests.length; i++) requests[i].error(e);
}

function readableStreamCancel(rec, reason) {
  rec.disturbed = true;
  if (rec.state === "closed") return Promise.resolve(undefined);
  if (rec.state === "errored") return Promise.reject(rec.storedError);
  readableStreamClose(rec);
  const reader = rec.reader;
  if (reader !== undefined && reader.byob) {
    const requests = reader.requests.drain();
    for (let i = 0; i < requests.length; i++) requests[i].close(undefined);
  }
  return rec.controller.cancelSteps(reason).then(noop);
}

function readerGenericInitialize(reader, rec) {
  reader.stream = rec;
  rec.reader = reader;
  if (rec.state === "readable") {
    reader.closed = newCapability();
  } else if (rec.state === "closed") {
    reader.closed = settledDeferred(Promise.resolve(undefined));
  } else {
    reader.closed = settledDeferred(rejectedHandled(rec.storedError));
  }
}

function readerReleasedError() {
  return new TypeError("This ReadableStream reader has been released.");
}

function readerGenericRelease(reader) {
  const rec = reader.stream;
  const e = readerReleasedError();
  if (rec.state === "readable") reader.closed.reject(e);
  else reader.closed = settledDeferred(Promise.reject(e));
  setPromiseHandled(reader.closed.promise);
  rec.controller.releaseSteps();
  rec.reader = undefined;
  reader.stream = undefined;
}

function readerRelease(reader) {
  readerGenericRelease(reader);
  const e = readerReleasedError();
  const requests = reader.requests.drain();
  for (let i = 0; i < requests.length; i++) requests[i].error(e);
}

/** ReadableStreamDefaultReaderRead: the request's chunk/close/error method is called once. */
function readerRead(reader, request) {
  const rec = reader.stream;
  rec.disturbed = true;
  if (rec.state === "closed") request.close(undefined);
  else if (rec.state === "errored") request.error(rec.storedError);
  else rec.controller.pullSteps(request);
}

function acquireDefaultReader(rec) {
  if (isLocked(rec)) throw new TypeError("This ReadableStream is currently locked to a reader.");
  const reader = Object.create(ReadableStreamDefaultReader.prototype);
  const r = new ReaderRec(reader, false);
  reader[kState] = r;
  readerGenericInitialize(r, rec);
  return r;
}

function acquireBYOBReader(rec) {
  if (isLocked(rec)) throw new TypeError("This ReadableStream is currently locked to a reader.");
  if (!(rec.controller instanceof ByteControllerRec)) throw new TypeError("This ReadableStream does not support BYOB reads.");
  const reader = Object.create(ReadableStreamBYOBReader.prototype);
  const r = new ReaderRec(reader, true);
  reader[kState] = r;
  readerGenericInitialize(r, rec);
  return r;
}

/** A new stream with a default controller over an internal source object. */
function createReadableStream(source, highWaterMark = 1, size = countSize) {
  const stream = Object.create(ReadableStream.prototype);
  const rec = new ReadableStreamRec(stream);
  stream[kState] = rec;
  setUpDefaultController(rec, source, source.start, source.pull, source.cancel, highWaterMark, size);
  return rec;
}

/** A new byte stream over an internal source object. */
function createReadableByteStream(source, highWaterMark = 0, autoAllocateChunkSize = undefined) {
  const stream = Object.create(ReadableStream.prototype);
  const rec = new ReadableStreamRec(stream);
  stream[kState] = rec;
  setUpByteController(rec, source, source.start, source.pull, source.cancel, highWaterMark, autoAllocateChunkSize);
  return rec;
}

// ---- ReadableStreamDefaultController ------------------------------------------------------
class DefaultControllerRec {
  constructor(obj, stream) {
    this.obj = obj;
    this.stream = stream;
    this.queue = new SizedQueue();
    this.started = false;
    this.closeRequested = false;
    this.pulling = false;
    this.pullAgain = false;
    this.highWaterMark = 1;
    this.size = countSize;
    this.source = undefined;
    this.pullFn = undefined;
    this.cancelFn = undefined;
    // Bound once, so each pull costs no new closures.
    this.onPulled = () => {
      this.pulling = false;
      if (this.pullAgain) { this.pullAgain = false; defaultCallPullIfNeeded(this); }
    };
    this.onPullFailed = (e) => defaultControllerError(this, e);
  }

  cancelSteps(reason) {
    this.queue.reset();
    const fn = this.cancelFn, source = this.source;
    defaultClearAlgorithms(this);
    return fn === undefined ? Promise.resolve(undefined) : promiseCall(fn, source, reason);
  }

  pullSteps(request) {
    const stream = this.stream;
    if (this.queue.length > 0) {
      const chunk = this.queue.dequeue();
      if (this.closeRequested && this.queue.length === 0) {
        defaultClearAlgorithms(this);
        readableStreamClose(stream);
      } else {
        defaultCallPullIfNeeded(this);
      }
      request.chunk(chunk);
    } else {
      addReadRequest(stream, request);
      defaultCallPullIfNeeded(this);
    }
  }

  releaseSteps() {}
}

function setUpDefaultController(rec, source, startFn, pullFn, cancelFn, highWaterMark, size) {
  const controller = Object.create(ReadableStreamDefaultController.prototype);
  const c = new DefaultControllerRec(controller, rec);
  controller[kState] = c;
  c.highWaterMark = highWaterMark;
  c.size = size;
  c.source = source;
  c.pullFn = pullFn;
  c.cancelFn = cancelFn;
  rec.controller = c;
  const startResult = startFn === undefined ? undefined : startFn.call(source, controller);
  Promise.resolve(startResult).then(() => {
    c.started = true;
    defaultCallPullIfNeeded(c);
  }, (e) => defaultControllerError(c, e));
}

function defaultCanCloseOrEnqueue(c) {
  return !c.closeRequested && c.stream.state === "readable";
}

function defaultGetDesiredSize(c) {
  const state = c.stream.state;
  if (state === "errored") return null;
  if (state === "closed") return 0;
  return c.highWaterMark - c.queue.total;
}

function defaultShouldCallPull(c) {
  if (!defaultCanCloseOrEnqueue(c) || !c.started) return false;
  const stream = c.stream;
  if (isLocked(stream) && numRequests(stream) > 0) return true;
  return defaultGetDesiredSize(c) > 0;
}

function defaultCallPullIfNeeded(c) {
  if (!defaultShouldCallPull(c)) return;
  if (c.pulling) { c.pullAgain = true; return; }
  const fn = c.pullFn;
  if (fn === undefined) return; // pulling nothing cannot be observed
  c.pulling = true;
  let result;
  try {
    result = fn.call(c.source, c.obj);
  } catch (e) {
    Promise.reject(e).then(undefined, c.onPullFailed);
    return;
  }
  Promise.resolve(result).then(c.onPulled, c.onPullFailed);
}

function defaultClearAlgorithms(c) {
  c.source = undefined;
  c.pullFn = undefined;
  c.cancelFn = undefined;
  c.size = countSize;
}

function defaultControllerClose(c) {
  if (!defaultCanCloseOrEnqueue(c)) return;
  c.closeRequested = true;
  if (c.queue.length === 0) {
    defaultClearAlgorithms(c);
    readableStreamClose(c.stream);
  }
}

function defaultControllerEnqueue(c, chunk) {
  if (!defaultCanCloseOrEnqueue(c)) return;
  const stream = c.stream;
  if (isLocked(stream) && numRequests(stream) > 0) {
    fulfillReadRequest(stream, chunk, false);
  } else {
    let size;
    try {
      size = c.size === countSize ? 1 : c.size.call(undefined, chunk);
      c.queue.enqueue(chunk, size);
    } catch (e) {
      defaultControllerError(c, e);
      throw e;
    }
  }
  defaultCallPullIfNeeded(c);
}

function defaultControllerError(c, e) {
  if (c.stream.state !== "readable") return;
  c.queue.reset();
  defaultClearAlgorithms(c);
  readableStreamError(c.stream, e);
}

function defaultControllerState(o) {
  const c = o?.[kState];
  if (!(c instanceof DefaultControllerRec)) throw illegalInvocation();
  return c;
}

class ReadableStreamDefaultController {
  constructor() { throw new TypeError("Illegal constructor"); }
  get desiredSize() { return defaultGetDesiredSize(defaultControllerState(this)); }
  close() {
    const c = defaultControllerState(this);
    if (!defaultCanCloseOrEnqueue(c)) {
      throw new TypeError(c.stream.state === "errored" ? "This ReadableStream is errored." : "This ReadableStream is closed.");
    }
    defaultControllerClose(c);
  }
  enqueue(chunk = undefined) {
    const c = defaultControllerState(this);
    if (!defaultCanCloseOrEnqueue(c)) throw new TypeError("Unable to enqueue");
    defaultControllerEnqueue(c, chunk);
  }
  error(e = undefined) {
    defaultControllerError(defaultControllerState(this), e);
  }
}
webidlInterface(ReadableStreamDefaultController);

// ---- ReadableByteStreamController ---------------------------------------------------------
class ByteControllerRec {
  constructor(obj, stream) {
    this.obj = obj;
    this.stream = stream;
    this.queue = new Queue();      // { buffer, byteOffset, byteLength }
    this.queueTotalSize = 0;
    this.pendingPullIntos = new Queue();
    this.byobRequest = null;       // ReadableStreamBYOBRequest
    this.autoAllocateChunkSize = undefined;
    this.highWaterMark = 0;
    this.started = false;
    this.closeRequested = false;
    this.pulling = false;
    this.pullAgain = false;
    this.source = undefined;
    this.pullFn = undefined;
    this.cancelFn = undefined;
    this.onPulled = () => {
      this.pulling = false;
      if (this.pullAgain) { this.pullAgain = false; byteCallPullIfNeeded(this); }
    };
    this.onPullFailed = (e) => byteControllerError(this, e);
  }

  cancelSteps(reason) {
    byteClearPendingPullIntos(this);
    this.queue.clear();
    this.queueTotalSize = 0;
    const fn = this.cancelFn, source = this.source;
    byteClearAlgorithms(this);
    return fn === undefined ? Promise.resolve(undefined) : promiseCall(fn, source, reason);
  }

  pullSteps(request) {
    const stream = this.stream;
    if (this.queueTotalSize > 0) {
      byteFillReadRequestFromQueue(this, request);
      return;
    }
    const size = this.autoAllocateChunkSize;
    if (size !== undefined) {
      let buffer;
      try { buffer = new ArrayBuffer(size); } catch (e) { request.error(e); return; }
      this.pendingPullIntos.push({
        buffer, bufferByteLength: size, byteOffset: 0, byteLength: size, bytesFilled: 0,
        minimumFill: 1, elementSize: 1, viewConstructor: Uint8Array, readerType: "default",
      });
    }
    addReadRequest(stream, request);
    byteCallPullIfNeeded(this);
  }

  releaseSteps() {
    if (this.pendingPullIntos.length > 0) {
      const first = this.pendingPullIntos.peek();
      first.readerType = "none";
      this.pendingPullIntos.clear();
      this.pendingPullIntos.push(first);
    }
  }
}

function setUpByteController(rec, source, startFn, pullFn, cancelFn, highWaterMark, autoAllocateChunkSize) {
  const controller = Object.create(ReadableByteStreamController.prototype);
  const c = new ByteControllerRec(controller, rec);
  controller[kState] = c;
  c.highWaterMark = highWaterMark;
  c.autoAllocateChunkSize = autoAllocateChunkSize;
  c.source = source;
  c.pullFn = pullFn;
  c.cancelFn = cancelFn;
  rec.controller = c;
  const startResult = startFn === undefined ? undefined : startFn.call(source, controller);
  Promise.resolve(startResult).then(() => {
    c.started = true;
    byteCallPullIfNeeded(c);
  }, (e) => byteControllerError(c, e));
}

function byteClearAlgorithms(c) {
  c.source = undefined;
  c.pullFn = undefined;
  c.cancelFn = undefined;
}

function byteGetDesiredSize(c) {
  const state = c.stream.state;
  if (state === "errored") return null;
  if (state === "closed") return 0;
  return c.highWaterMark - c.queueTotalSize;
}

function byteShouldCallPull(c) {
  const stream = c.stream;
  if (stream.state !== "readable" || c.closeRequested || !c.started) return false;
  if (isLocked(stream) && numRequests(stream) > 0) return true;
  return byteGetDesiredSize(c) > 0;
}

function byteCallPullIfNeeded(c) {
  if (!byteShouldCallPull(c)) return;
  if (c.pulling) { c.pullAgain = true; return; }
  const fn = c.pullFn;
  if (fn === undefined) return;
  c.pulling = true;
  let result;
  try {
    result = fn.call(c.source, c.obj);
  } catch (e) {
    Promise.reject(e).then(undefined, c.onPullFailed);
    return;
  }
  Promise.resolve(result).then(c.onPulled, c.onPullFailed);
}

function byteInvalidateBYOBRequest(c) {
  const request = c.byobRequest;
  if (request === null) return;
  const r = request[kState];
  r.controller = undefined;
  r.view = null;
  c.byobRequest = null;
}

function byteClearPendingPullIntos(c) {
  byteInvalidateBYOBRequest(c);
  c.pendingPullIntos.clear();
}

function byteControllerError(c, e) {
  const stream = c.stream;
  if (stream.state !== "readable") return;
  byteClearPendingPullIntos(c);
  c.queue.clear();
  c.queueTotalSize = 0;
  byteClearAlgorithms(c);
  readableStreamError(stream, e);
}

function byteControllerClose(c) {
  const stream = c.stream;
  if (c.closeRequested || stream.state !== "readable") return;
  if (c.queueTotalSize > 0) { c.closeRequested = true; return; }
  if (c.pendingPullIntos.length > 0) {
    const first = c.pendingPullIntos.peek();
    if (first.bytesFilled % first.elementSize !== 0) {
      const e = new TypeError("Insufficient bytes to fill elements in the given buffer.");
      byteControllerError(c, e);
      throw e;
    }
  }
  byteClearAlgorithms(c);
  readableStreamClose(stream);
}

function byteEnqueueChunkToQueue(c, buffer, byteOffset, byteLength) {
  c.queue.push({ buffer, byteOffset, byteLength });
  c.queueTotalSize += byteLength;
}

function byteEnqueueClonedChunkToQueue(c, buffer, byteOffset, byteLength) {
  let clone;
  try {
    clone = buffer.slice(byteOffset, byteOffset + byteLength);
  } catch (e) {
    byteControllerError(c, e);
    throw e;
  }
  byteEnqueueChunkToQueue(c, clone, 0, byteLength);
}

function byteEnqueueDetachedPullIntoToQueue(c, desc) {
  if (desc.bytesFilled > 0) byteEnqueueClonedChunkToQueue(c, desc.buffer, desc.byteOffset, desc.bytesFilled);
  byteShiftPendingPullInto(c);
}

function byteShiftPendingPullInto(c) {
  return c.pendingPullIntos.shift();
}

function byteHandleQueueDrain(c) {
  if (c.queueTotalSize === 0 && c.closeRequested) {
    byteClearAlgorithms(c);
    readableStreamClose(c.stream);
  } else {
    byteCallPullIfNeeded(c);
  }
}

function byteFillReadRequestFromQueue(c, request) {
  const entry = c.queue.shift();
  c.queueTotalSize -= entry.byteLength;
  byteHandleQueueDrain(c);
  request.chunk(new Uint8Array(entry.buffer, entry.byteOffset, entry.byteLength));
}

function byteProcessReadRequestsUsingQueue(c) {
  const reader = c.stream.reader;
  while (reader.requests.length > 0) {
    if (c.queueTotalSize === 0) return;
    byteFillReadRequestFromQueue(c, reader.requests.shift());
  }
}

function byteFillHeadPullIntoDescriptor(c, size, desc) {
  desc.bytesFilled += size;
}

function byteFillPullIntoDescriptorFromQueue(c, desc) {
  const maxBytesToCopy = Math.min(c.queueTotalSize, desc.byteLength - desc.bytesFilled);
  const maxBytesFilled = desc.bytesFilled + maxBytesToCopy;
  let totalBytesToCopyRemaining = maxBytesToCopy;
  let ready = false;
  const remainderBytes = maxBytesFilled % desc.elementSize;
  const maxAlignedBytes = maxBytesFilled - remainderBytes;
  if (maxAlignedBytes >= desc.minimumFill) {
    totalBytesToCopyRemaining = maxAlignedBytes - desc.bytesFilled;
    ready = true;
  }
  const queue = c.queue;
  while (totalBytesToCopyRemaining > 0) {
    const head = queue.peek();
    const bytesToCopy = Math.min(totalBytesToCopyRemaining, head.byteLength);
    copyBytes(desc.buffer, desc.byteOffset + desc.bytesFilled, head.buffer, head.byteOffset, bytesToCopy);
    if (head.byteLength === bytesToCopy) queue.shift();
    else { head.byteOffset += bytesToCopy; head.byteLength -= bytesToCopy; }
    c.queueTotalSize -= bytesToCopy;
    byteFillHeadPullIntoDescriptor(c, bytesToCopy, desc);
    totalBytesToCopyRemaining -= bytesToCopy;
  }
  return ready;
}

function byteProcessPullIntoDescriptorsUsingQueue(c) {
  const filled = [];
  while (c.pendingPullIntos.length > 0) {
    if (c.queueTotalSize === 0) break;
    const desc = c.pendingPullIntos.peek();
    if (byteFillPullIntoDescriptorFromQueue(c, desc)) {
      byteShiftPendingPullInto(c);
      filled.push(desc);
    }
  }
  return filled;
}

function byteConvertPullIntoDescriptor(desc) {
  const buffer = transferBuffer(desc.buffer);
  const ctor = desc.viewConstructor;
  return new ctor(buffer, desc.byteOffset, desc.bytesFilled / desc.elementSize);
}

function byteCommitPullIntoDescriptor(stream, desc) {
  let done = false;
  if (stream.state === "closed") done = true;
  const view = byteConvertPullIntoDescriptor(desc);
  if (desc.readerType === "default") fulfillReadRequest(stream, view, done);
  else fulfillReadIntoRequest(stream, view, done);
}

function byteControllerEnqueue(c, chunk) {
  const stream = c.stream;
  if (c.closeRequested || stream.state !== "readable") return;
  const buffer = chunk.buffer, byteOffset = chunk.byteOffset, byteLength = chunk.byteLength;
  if (isDetached(buffer)) throw new TypeError("The chunk's ArrayBuffer has been detached.");
  const transferred = transferBuffer(buffer);
  if (c.pendingPullIntos.length > 0) {
    const first = c.pendingPullIntos.peek();
    if (isDetached(first.buffer)) throw new TypeError("The BYOB request's buffer has been detached.");
    byteInvalidateBYOBRequest(c);
    first.buffer = transferBuffer(first.buffer);
    if (first.readerType === "none") byteEnqueueDetachedPullIntoToQueue(c, first);
  }
  if (hasDefaultReader(stream)) {
    byteProcessReadRequestsUsingQueue(c);
    if (numRequests(stream) === 0) {
      byteEnqueueChunkToQueue(c, transferred, byteOffset, byteLength);
    } else {
      if (c.pendingPullIntos.length > 0) byteShiftPendingPullInto(c);
      fulfillReadRequest(stream, new Uint8Array(transferred, byteOffset, byteLength), false);
    }
  } else if (hasBYOBReader(stream)) {
    byteEnqueueChunkToQueue(c, transferred, byteOffset, byteLength);
    const filled = byteProcessPullIntoDescriptorsUsingQueue(c);
    for (let i = 0; i < filled.length; i++) byteCommitPullIntoDescriptor(stream, filled[i]);
  } else {
    byteEnqueueChunkToQueue(c, transferred, byteOffset, byteLength);
  }
  byteCallPullIfNeeded(c);
}

function byteGetBYOBRequest(c) {
  if (c.byobRequest === null && c.pendingPullIntos.length > 0) {
    const first = c.pendingPullIntos.peek();
    const view = new Uint8Array(first.buffer, first.byteOffset + first.bytesFilled, first.byteLength - first.bytesFilled);
    const request = Object.create(ReadableStreamBYOBRequest.prototype);
    request[kState] = { controller: c, view };
    c.byobRequest = request;
  }
  return c.byobRequest;
}

function bytePullInto(c, view, min, request) {
  const stream = c.stream;
  let elementSize = 1, ctor = DataView;
  if (!isDataView(view)) {
    elementSize = view.BYTES_PER_ELEMENT;
    ctor = view.constructor;
  }
  const minimumFill = min * elementSize;
  const byteOffset = view.byteOffset, byteLength = view.byteLength;
  let buffer;
  try {
    buffer = transferBuffer(view.buffer);
  } catch (e) {
    request.error(e);
    return;
  }
  const desc = {
    buffer, bufferByteLength: buffer.byteLength, byteOffset, byteLength, bytesFilled: 0,
    minimumFill, elementSize, viewConstructor: ctor, readerType: "byob",
  };
  if (c.pendingPullIntos.length > 0) {
    c.pendingPullIntos.push(desc);
    addReadRequest(stream, request);
    return;
  }
  if (stream.state === "closed") {
    request.close(new ctor(desc.buffer, desc.byteOffset, 0));
    return;
  }
  if (c.queueTotalSize > 0) {
    if (byteFillPullIntoDescriptorFromQueue(c, desc)) {
      const filledView = byteConvertPullIntoDescriptor(desc);
      byteHandleQueueDrain(c);
      request.chunk(filledView);
      return;
    }
    if (c.closeRequested) {
      const e = new TypeError("Insufficient bytes to fill elements in the given buffer.");
      byteControllerError(c, e);
      request.error(e);
      return;
    }
  }
  c.pendingPullIntos.push(desc);
  addReadRequest(stream, request);
  byteCallPullIfNeeded(c);
}

function byteRespondInClosedState(c, first) {
  if (first.readerType === "none") byteShiftPendingPullInto(c);
  const stream = c.stream;
  if (hasBYOBReader(stream)) {
    const filled = [];
    while (filled.length < numRequests(stream)) filled.push(byteShiftPendingPullInto(c));
    for (let i = 0; i < filled.length; i++) byteCommitPullIntoDescriptor(stream, filled[i]);
  }
}

function byteRespondInReadableState(c, bytesWritten, desc) {
  byteFillHeadPullIntoDescriptor(c, bytesWritten, desc);
  const stream = c.stream;
  if (desc.readerType === "none") {
    byteEnqueueDetachedPullIntoToQueue(c, desc);
    const filled = byteProcessPullIntoDescriptorsUsingQueue(c);
    for (let i = 0; i < filled.length; i++) byteCommitPullIntoDescriptor(stream, filled[i]);
    return;
  }
  if (desc.bytesFilled < desc.minimumFill) return;
  byteShiftPendingPullInto(c);
  const remainderSize = desc.bytesFilled % desc.elementSize;
  if (remainderSize > 0) {
    const end = desc.byteOffset + desc.bytesFilled;
    byteEnqueueClonedChunkToQueue(c, desc.buffer, end - remainderSize, remainderSize);
  }
  desc.bytesFilled -= remainderSize;
  const filled = byteProcessPullIntoDescriptorsUsingQueue(c);
  byteCommitPullIntoDescriptor(stream, desc);
  for (let i = 0; i < filled.length; i++) byteCommitPullIntoDescriptor(stream, filled[i]);
}

function byteRespondInternal(c, bytesWritten) {
  const first = c.pendingPullIntos.peek();
  byteInvalidateBYOBRequest(c);
  if (c.stream.state === "closed") byteRespondInClosedState(c, first);
  else byteRespondInReadableState(c, bytesWritten, first);
  byteCallPullIfNeeded(c);
}

function byteRespond(c, bytesWritten) {
  const first = c.pendingPullIntos.peek();
  if (c.stream.state === "closed") {
    if (bytesWritten !== 0) throw new TypeError("The bytesWritten must be zero after the stream is closed.");
  } else {
    if (bytesWritten === 0) throw new TypeError("The bytesWritten must be more than zero while the stream is open.");
    if (first.bytesFilled + bytesWritten > first.byteLength) {
      throw new RangeError(`Too many bytes [${bytesWritten}] in response to a BYOB read request.`);
    }
  }
  first.buffer = transferBuffer(first.buffer);
  byteRespondInternal(c, bytesWritten);
}

function byteRespondWithNewView(c, view) {
  const first = c.pendingPullIntos.peek();
  if (c.stream.state === "closed") {
    if (view.byteLength !== 0) throw new TypeError("The view's length must be zero after the stream is closed.");
  } else if (view.byteLength === 0) {
    throw new TypeError("The view's length must be more than zero while the stream is open.");
  }
  if (first.byteOffset + first.bytesFilled !== view.byteOffset) throw new RangeError("The given view has an invalid byte offset.");
  if (first.bufferByteLength !== view.buffer.byteLength) throw new RangeError("The view's buffer has a different length than the BYOB request's.");
  if (first.bytesFilled + view.byteLength > first.byteLength) {
    throw new RangeError(`Too many bytes [${view.byteLength}] in response to a BYOB read request.`);
  }
  const viewByteLength = view.byteLength;
  first.buffer = transferBuffer(view.buffer);
  byteRespondInternal(c, viewByteLength);
}

function byteControllerState(o) {
  const c = o?.[kState];
  if (!(c instanceof ByteControllerRec)) throw illegalInvocation();
  return c;
}

class ReadableByteStreamController {
  constructor() { throw new TypeError("Illegal constructor"); }
  get byobRequest() { return byteGetBYOBRequest(byteControllerState(this)); }
  get desiredSize() { return byteGetDesiredSize(byteControllerState(this)); }
  close() {
    const c = byteControllerState(this);
    if (c.closeRequested) throw new TypeError("This ReadableStream is closed.");
    if (c.stream.state !== "readable") {
      throw new TypeError(c.stream.state === "errored" ? "This ReadableStream is errored." : "This ReadableStream is closed.");
    }
    byteControllerClose(c);
  }
  enqueue(chunk) {
    const c = byteControllerState(this);
    requiredArguments(arguments.length, 1, "enqueue");
    if (!ArrayBuffer.isView(chunk)) {
      throw new TypeError("Failed to execute 'enqueue' on 'ReadableByteStreamController': parameter 1 is not of type 'BufferSource'.");
    }
    if (chunk.byteLength === 0) throw new TypeError("Cannot enqueue a zero-length ArrayBuffer.");
    if (chunk.buffer.byteLength === 0) throw new TypeError("Cannot enqueue a chunk whose ArrayBuffer is detached or empty.");
    if (c.closeRequested || c.stream.state !== "readable") throw new TypeError("Unable to enqueue");
    byteControllerEnqueue(c, chunk);
  }
  error(e = undefined) {
    byteControllerError(byteControllerState(this), e);
  }
}
webidlInterface(ReadableByteStreamController);

function byobRequestState(o) {
  const r = o?.[kState];
  if (!(o instanceof ReadableStreamBYOBRequest) || r === undefined || !("view" in r)) throw illegalInvocation();
  return r;
}

class ReadableStreamBYOBRequest {
  constructor() { throw new TypeError("Illegal constructor"); }
  get view() { return byobRequestState(this).view; }
  respond(bytesWritten) {
    const r = byobRequestState(this);
    requiredArguments(arguments.length, 1, "respond");
    bytesWritten = toEnforcedUint64(bytesWritten);
    if (r.controller === undefined) throw new TypeError("This BYOB request has been invalidated.");
    if (isDetached(r.view.buffer)) throw new TypeError("The BYOB request's buffer has been detached.");
    byteRespond(r.controller, bytesWritten);
  }
  respondWithNewView(view) {
    const r = byobRequestState(this);
    requiredArguments(arguments.length, 1, "respondWithNewView");
    if (!ArrayBuffer.isView(view)) {
      throw new TypeError("Failed to execute 'respondWithNewView' on 'ReadableStreamBYOBRequest': parameter 1 is not of type 'ArrayBufferView'.");
    }
    if (r.controller === undefined) throw new TypeError("This BYOB request has been invalidated.");
    if (isDetached(view.buffer)) throw new TypeError("The view's buffer has been detached.");
    byteRespondWithNewView(r.controller, view);
  }
}
webidlInterface(ReadableStreamBYOBRequest);

/** Web IDL [EnforceRange] unsigned long long. */
function toEnforcedUint64(v) {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new TypeError("The value cannot be converted because it is not an integer.");
  const t = Math.trunc(n);
  if (t < 0 || t > Number.MAX_SAFE_INTEGER) throw new TypeError("The value is out of range.");
  return t === 0 ? 0 : t;
}

// ---- readers -----------------------------------------------------------------------------
function readerState(o, byob) {
  const r = o?.[kState];
  if (!(r instanceof ReaderRec) || r.byob !== byob) throw illegalInvocation();
  return r;
}

class ReadableStreamDefaultReader {
  constructor(stream) {
    requiredArguments(arguments.length, 1, "ReadableStreamDefaultReader");
    if (!isReadableStream(stream)) {
      throw new TypeError("Failed to construct 'ReadableStreamDefaultReader': constructor parameter 1 is not of type 'ReadableStream'.");
    }
    const rec = stream[kState];
    if (isLocked(rec)) throw new TypeError("This ReadableStream is currently locked to a reader.");
    const r = new ReaderRec(this, false);
    this[kState] = r;
    readerGenericInitialize(r, rec);
  }

  get closed() { return readerState(this, false).closed.promise; }

  read() {
    let r;
    try { r = readerState(this, false); } catch (e) { return Promise.reject(e); }
    const rec = r.stream;
    if (rec === undefined) return Promise.reject(readerReleasedError());
    rec.disturbed = true;
    if (rec.state === "readable") {
      // A chunk already queued needs no read request: resolve at once, as chunk steps would.
      const c = rec.controller;
      if (c instanceof DefaultControllerRec && c.queue.length > 0) {
        const chunk = c.queue.dequeue();
        if (c.closeRequested && c.queue.length === 0) {
          defaultClearAlgorithms(c);
          readableStreamClose(rec);
        } else {
          defaultCallPullIfNeeded(c);
        }
        return Promise.resolve({ value: chunk, done: false });
      }
    }
    const request = new PromiseReadRequest();
    readerRead(r, request);
    return request.promise;
  }

  releaseLock() {
    const r = readerState(this, false);
    if (r.stream === undefined) return;
    readerRelease(r);
  }

  cancel(reason = undefined) {
    let r;
    try { r = readerState(this, false); } catch (e) { return Promise.reject(e); }
    if (r.stream === undefined) return Promise.reject(readerReleasedError());
    return readableStreamCancel(r.stream, reason);
  }
}
webidlInterface(ReadableStreamDefaultReader);

class ReadableStreamBYOBReader {
  constructor(stream) {
    requiredArguments(arguments.length, 1, "ReadableStreamBYOBReader");
    if (!isReadableStream(stream)) {
      throw new TypeError("Failed to construct 'ReadableStreamBYOBReader': constructor parameter 1 is not of type 'ReadableStream'.");
    }
    const rec = stream[kState];
    if (isLocked(rec)) throw new TypeError("This ReadableStream is currently locked to a reader.");
    if (!(rec.controller instanceof ByteControllerRec)) throw new TypeError("This ReadableStream does not support BYOB reads.");
    const r = new ReaderRec(this, true);
    this[kState] = r;
    readerGenericInitialize(r, rec);
  }

  get closed() { return readerState(this, true).closed.promise; }

  read(view, options = undefined) {
    try {
      const r = readerState(this, true);
      const min = byobReadMin(view, options);
      if (r.stream === undefined) return Promise.reject(readerReleasedError());
      const request = new PromiseReadRequest();
      byobReaderRead(r, view, min, request);
      return request.promise;
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** workerd's extension: read(view, { min }) with the minimum first. */
  readAtLeast(minBytes, view) {
    try {
      const r = readerState(this, true);
      minBytes = toEnforcedUint64(minBytes);
      if (!ArrayBuffer.isView(view)) {
        throw new TypeError("Failed to execute 'readAtLeast' on 'ReadableStreamBYOBReader': parameter 2 is not of type 'ArrayBufferView'.");
      }
      const elementSize = isDataView(view) ? 1 : view.BYTES_PER_ELEMENT;
      const min = byobReadMin(view, { min: Math.ceil(minBytes / elementSize) });
      if (r.stream === undefined) return Promise.reject(readerReleasedError());
      const request = new PromiseReadRequest();
      byobReaderRead(r, view, min, request);
      return request.promise;
    } catch (e) {
      return Promise.reject(e);
    }
  }

  releaseLock() {
    const r = readerState(this, true);
    if (r.stream === undefined) return;
    readerRelease(r);
  }

  cancel(reason = undefined) {
    let r;
    try { r = readerState(this, true); } catch (e) { return Promise.reject(e); }
    if (r.stream === undefined) return Promise.reject(readerReleasedError());
    return readableStreamCancel(r.stream, reason);
  }
}
webidlInterface(ReadableStreamBYOBReader);

/** Validates a BYOB read's view and options; returns the minimum element count. */
function byobReadMin(view, options) {
  if (!ArrayBuffer.isView(view)) {
    throw new TypeError("Failed to execute 'read' on 'ReadableStreamBYOBReader': parameter 1 is not of type 'ArrayBufferView'.");
  }
  let min = 1;
  if (options !== undefined && options !== null) {
    if (!isObjectLike(options)) throw new TypeError("Failed to execute 'read' on 'ReadableStreamBYOBReader': parameter 2 is not of type 'ReadableStreamBYOBReaderReadOptions'.");
    if (options.min !== undefined) min = toEnforcedUint64(options.min);
  }
  if (view.byteLength === 0) throw new TypeError("You must call read() on a \"byob\" reader with a positive-sized TypedArray object.");
  if (view.buffer.byteLength === 0) throw new TypeError("Cannot read into a detached or zero-length ArrayBuffer.");
  if (isDetached(view.buffer)) throw new TypeError("Cannot read into a detached ArrayBuffer.");
  if (min === 0) throw new TypeError("Requested invalid minimum number of bytes to read (0).");
  const capacity = isDataView(view) ? view.byteLength : view.length;
  if (min > capacity) {
    const elementSize = isDataView(view) ? 1 : view.BYTES_PER_ELEMENT;
    throw new RangeError(`Minimum bytes to read (${min * elementSize}) exceeds size of buffer (${view.byteLength}).`);
  }
  return min;
}

function byobReaderRead(reader, view, min, request) {
  const rec = reader.stream;
  rec.disturbed = true;
  if (rec.state === "errored") request.error(rec.storedError);
  else bytePullInto(rec.controller, view, min, request);
}

// ---- ReadableStream -----------------------------------------------------------------------
class ReadableStream {
  constructor(underlyingSource = undefined, strategy = undefined) {
    // Web IDL converts the strategy (an argument) before the source dictionary (in the body).
    const strat = readStrategy(strategy, "construct 'ReadableStream'");
    const rec = new ReadableStreamRec(this);
    this[kState] = rec;
    if (underlyingSource === undefined || underlyingSource === null) {
      setUpDefaultController(rec, undefined, undefined, undefined, undefined, extractHighWaterMark(strat, 1), strat.size ?? countSize);
      return;
    }
    if (!isObjectLike(underlyingSource)) {
      throw new TypeError("Failed to construct 'ReadableStream': constructor parameter 1 is not of type 'UnderlyingSource'.");
    }
    const source = underlyingSource;
    const autoAllocate = source.autoAllocateChunkSize;
    const cancelFn = optionalFunction(source, "cancel", "UnderlyingSource");
    // workerd's extension: a body made from this stream is sent with this Content-Length.
    const expectedLength = source.expectedLength;
    if (expectedLength !== undefined) rec.knownLength = toNonNegativeInteger(expectedLength);
    const pullFn = optionalFunction(source, "pull", "UnderlyingSource");
    const startFn = optionalFunction(source, "start", "UnderlyingSource");
    const type = source.type;
    let typeString;
    if (type !== undefined) {
      typeString = String(type);
      if (typeString !== "bytes") throw new TypeError(`"${typeString}" is not a valid type of ReadableStream.`);
    }
    if (typeString === "bytes") {
      if (strat.size !== undefined) throw new RangeError("A byte stream cannot have a size function in its queuing strategy.");
      const hwm = extractHighWaterMark(strat, 0);
      let autoAllocateChunkSize;
      if (autoAllocate !== undefined) {
        autoAllocateChunkSize = toEnforcedUint64(autoAllocate);
        if (autoAllocateChunkSize === 0) throw new TypeError("The autoAllocateChunkSize option cannot be zero.");
      }
      setUpByteController(rec, source, startFn, pullFn, cancelFn, hwm, autoAllocateChunkSize);
    } else {
      setUpDefaultController(rec, source, startFn, pullFn, cancelFn, extractHighWaterMark(strat, 1), strat.size ?? countSize);
    }
  }

  get locked() { return isLocked(streamRec(this)); }

  cancel(reason = undefined) {
    let rec;
    try { rec = streamRec(this); } catch (e) { return Promise.reject(e); }
    if (isLocked(rec)) return Promise.reject(new TypeError("This ReadableStream is currently locked to a reader."));
    return readableStreamCancel(rec, reason);
  }

  getReader(options = undefined) {
    const rec = streamRec(this);
    let mode;
    if (options !== undefined && options !== null) {
      if (!isObjectLike(options)) throw new TypeError("Failed to execute 'getReader' on 'ReadableStream': parameter 1 is not of type 'ReadableStreamGetReaderOptions'.");
      mode = options.mode;
    }
    if (mode === undefined) return acquireDefaultReader(rec).obj;
    if (String(mode) !== "byob") throw new TypeError("mode must be undefined or 'byob' in call to getReader().");
    return acquireBYOBReader(rec).obj;
  }

  pipeThrough(transform, options = undefined) {
    const rec = streamRec(this);
    requiredArguments(arguments.length, 1, "pipeThrough");
    if (!isObjectLike(transform)) {
      throw new TypeError("Failed to execute 'pipeThrough' on 'ReadableStream': parameter 1 is not of type 'ReadableWritablePair'.");
    }
    const readable = transform.readable;
    if (!isReadableStream(readable)) {
      throw new TypeError("Incorrect type for the 'readable' field on 'Transform': the provided value is not of type 'ReadableStream'.");
    }
    const writable = transform.writable;
    if (!isWritableStream(writable)) {
      throw new TypeError("Incorrect type for the 'writable' field on 'Transform': the provided value is not of type 'WritableStream'.");
    }
    const opts = pipeOptions(options, "pipeThrough");
    if (isLocked(rec)) throw new TypeError("This ReadableStream is currently locked to a reader.");
    const dest = writable[kState];
    if (dest.writer !== undefined) throw new TypeError("This WritableStream is currently locked to a writer");
    const promise = readableStreamPipeTo(rec, dest, opts.preventClose, opts.preventAbort, opts.preventCancel, opts.signal);
    setPromiseHandled(promise);
    return readable;
  }

  pipeTo(destination, options = undefined) {
    try {
      const rec = streamRec(this);
      if (!isWritableStream(destination)) {
        throw new TypeError("Failed to execute 'pipeTo' on 'ReadableStream': parameter 1 is not of type 'WritableStream'.");
      }
      const opts = pipeOptions(options, "pipeTo");
      if (isLocked(rec)) throw new TypeError("This ReadableStream is currently locked to a reader.");
      const dest = destination[kState];
      // workerd's message here has no final period.
      if (dest.writer !== undefined) throw new TypeError("This WritableStream is currently locked to a writer");
      return readableStreamPipeTo(rec, dest, opts.preventClose, opts.preventAbort, opts.preventCancel, opts.signal);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  tee() {
    const rec = streamRec(this);
    if (isLocked(rec)) throw new TypeError("This ReadableStream is currently locked to a reader,");
    const [a, b] = rec.controller instanceof ByteControllerRec ? readableByteStreamTee(rec) : readableStreamDefaultTee(rec, false);
    // Both branches carry the same bytes, so a known length carries over (a cloned body keeps it).
    a.knownLength = b.knownLength = rec.knownLength;
    return [a.obj, b.obj];
  }

  values(options = undefined) {
    const rec = streamRec(this);
    let preventCancel = false;
    if (options !== undefined && options !== null) {
      if (!isObjectLike(options)) throw new TypeError("Failed to execute 'values' on 'ReadableStream': parameter 1 is not of type 'ReadableStreamIteratorOptions'.");
      preventCancel = !!options.preventCancel;
    }
    const reader = acquireDefaultReader(rec);
    const it = Object.create(ReadableStreamAsyncIteratorPrototype);
    it[kState] = new AsyncIteratorRec(reader, preventCancel);
    return it;
  }

  static from(asyncIterable) {
    requiredArguments(arguments.length, 1, "from");
    return readableStreamFromIterable(asyncIterable).obj;
  }
}
Object.defineProperty(ReadableStream.prototype, Symbol.asyncIterator, {
  value: ReadableStream.prototype.values, writable: true, configurable: true, enumerable: false,
});
webidlInterface(ReadableStream);

function pipeOptions(options, where) {
  if (options === undefined || options === null) return { preventClose: false, preventAbort: false, preventCancel: false, signal: undefined };
  if (!isObjectLike(options)) throw new TypeError(`Failed to execute '${where}' on 'ReadableStream': parameter 2 is not of type 'StreamPipeOptions'.`);
  // Web IDL dictionary members are read in lexicographic order.
  const preventAbort = !!options.preventAbort;
  const preventCancel = !!options.preventCancel;
  const preventClose = !!options.preventClose;
  const signal = options.signal;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError("Incorrect type for the 'signal' field on 'StreamPipeOptions': the provided value is not of type 'AbortSignal'.");
  }
  return { preventClose, preventAbort, preventCancel, signal };
}

// ---- async iteration -----------------------------------------------------------------------
class AsyncIteratorRec {
  constructor(reader, preventCancel) {
    this.reader = reader;
    this.preventCancel = preventCancel;
    this.ongoing = undefined;
    this.finished = false;
  }
}

const endOfIteration = Symbol("end of iteration");

/** The read request of next(): resolves with the chunk or endOfIteration, releasing the lock at the end. */
class IteratorReadRequest {
  constructor(reader) {
    const c = Promise.withResolvers();
    this.promise = c.promise;
    this.resolve = c.resolve;
    this.reject = c.reject;
    this.reader = reader;
  }
  chunk(value) { this.resolve(value); }
  close() { readerRelease(this.reader); this.resolve(endOfIteration); }
  error(e) { readerRelease(this.reader); this.reject(e); }
}

function iteratorNextSteps(it) {
  if (it.finished) return Promise.resolve({ value: undefined, done: true });
  const reader = it.reader;
  let p;
  if (reader.stream === undefined) {
    p = Promise.reject(new TypeError("Cannot get the next iteration result once the reader has been released."));
  } else {
    const request = new IteratorReadRequest(reader);
    readerRead(reader, request);
    p = request.promise;
  }
  return p.then((value) => {
    it.ongoing = undefined;
    if (value === endOfIteration) { it.finished = true; return { value: undefined, done: true }; }
    return { value, done: false };
  }, (e) => {
    it.ongoing = undefined;
    it.finished = true;
    throw e;
  });
}

function iteratorReturnSteps(it, value) {
  if (it.finished) return Promise.resolve({ value, done: true });
  it.finished = true;
  const reader = it.reader;
  if (reader.stream === undefined) return Promise.resolve({ value, done: true });
  if (!it.preventCancel) {
    const result = readableStreamCancel(reader.stream, value);
    readerRelease(reader);
    return result.then(() => ({ value, done: true }));
  }
  readerRelease(reader);
  return Promise.resolve({ value, done: true });
}

function asyncIteratorState(o) {
  const it = o?.[kState];
  if (!(it instanceof AsyncIteratorRec)) throw illegalInvocation();
  return it;
}

const ReadableStreamAsyncIteratorPrototype = Object.create(
  Object.getPrototypeOf(Object.getPrototypeOf(async function* () {}).prototype), {
    next: {
      value: function next() {
        let it;
        try { it = asyncIteratorState(this); } catch (e) { return Promise.reject(e); }
        const ongoing = it.ongoing;
        const steps = () => iteratorNextSteps(it);
        it.ongoing = ongoing === undefined ? steps() : ongoing.then(steps, steps);
        return it.ongoing;
      },
      writable: true, enumerable: true, configurable: true,
    },
    return: {
      value: function return_(value = undefined) {
        let it;
        try { it = asyncIteratorState(this); } catch (e) { return Promise.reject(e); }
        const ongoing = it.ongoing;
        const steps = () => iteratorReturnSteps(it, value);
        const p = ongoing === undefined ? steps() : ongoing.then(steps, steps);
        it.ongoing = p;
        return p;
      },
      writable: true, enumerable: true, configurable: true,
    },
    [Symbol.toStringTag]: { value: "ReadableStream AsyncIterator", configurable: true },
  });
Object.defineProperty(ReadableStreamAsyncIteratorPrototype.return, "name", { value: "return" });

// ---- ReadableStream.from ----------------------------------------------------------------------
function readableStreamFromIterable(iterable) {
  let iterator, nextMethod, isAsync = true;
  const asyncMethod = iterable === undefined || iterable === null ? undefined : iterable[Symbol.asyncIterator];
  let method = asyncMethod;
  if (method === undefined || method === null) {
    method = iterable === undefined || iterable === null ? undefined : iterable[Symbol.iterator];
    isAsync = false;
  }
  if (typeof method !== "function") {
    throw new TypeError("Failed to execute 'from' on 'ReadableStream': parameter 1 is not of type 'AsyncGenerator'.");
  }
  iterator = method.call(iterable);
  if (!isObjectLike(iterator)) throw new TypeError("The iterator's method did not return an object.");
  nextMethod = iterator.next;
  const source = {
    pull(controller) {
      let nextResult;
      try {
        nextResult = nextMethod.call(iterator);
      } catch (e) {
        return Promise.reject(e);
      }
      // A sync iterator's results are awaited as CreateAsyncFromSyncIterator does.
      if (!isAsync) {
        if (!isObjectLike(nextResult)) return Promise.reject(new TypeError("The iterator's next() did not return an object."));
        const done = !!nextResult.done;
        return Promise.resolve(nextResult.value).then((value) => {
          if (done) defaultControllerClose(rec.controller);
          else defaultControllerEnqueue(rec.controller, value);
        });
      }
      return Promise.resolve(nextResult).then((result) => {
        if (!isObjectLike(result)) throw new TypeError("The iterator's next() did not return an object.");
        if (result.done) defaultControllerClose(rec.controller);
        else defaultControllerEnqueue(rec.controller, result.value);
      });
    },
    cancel(reason) {
      let returnMethod;
      try {
        returnMethod = iterator.return;
        if (returnMethod === undefined || returnMethod === null) return Promise.resolve(undefined);
        const result = returnMethod.call(iterator, reason);
        return Promise.resolve(result).then((r) => {
          if (!isObjectLike(r)) throw new TypeError("The iterator's return() did not return an object.");
        });
      } catch (e) {
        return Promise.reject(e);
      }
    },
  };
  const rec = createReadableStream(source, 0, countSize);
  return rec;
}

// ---- tee ---------------------------------------------------------------------------------------
// One deviation from the spec, to match workerd: canceling one branch resolves at once. The
// spec makes it wait until the other branch is canceled or read to the end, so the common
// `await response.clone().body.cancel()` would hang before the original is read.
function loneBranchCancel(cancelPromise) {
  setPromiseHandled(cancelPromise.promise);
  return Promise.resolve(undefined);
}

function readableStreamDefaultTee(rec, cloneForBranch2) {
  const reader = acquireDefaultReader(rec);
  let reading = false, readAgain = false, canceled1 = false, canceled2 = false;
  let reason1, reason2, branch1, branch2;
  const cancelPromise = newCapability();
  const readRequest = {
    chunk(chunk) {
      // Deferred so a read that errors the stream right after this chunk is seen first.
      queueMicrotask(() => {
        readAgain = false;
        const chunk1 = chunk;
        let chunk2 = chunk;
        if (!canceled2 && cloneForBranch2) {
          try { chunk2 = structuredClone(chunk); } catch (e) {
            defaultControllerError(branch1.controller, e);
            defaultControllerError(branch2.controller, e);
            cancelPromise.resolve(readableStreamCancel(rec, e));
            return;
          }
        }
        if (!canceled1) defaultControllerEnqueue(branch1.controller, chunk1);
        if (!canceled2) defaultControllerEnqueue(branch2.controller, chunk2);
        reading = false;
        if (readAgain) pull();
      });
    },
    close() {
      reading = false;
      if (!canceled1) defaultControllerClose(branch1.controller);
      if (!canceled2) defaultControllerClose(branch2.controller);
      if (!canceled1 || !canceled2) cancelPromise.resolve(undefined);
    },
    error() { reading = false; },
  };
  const pull = () => {
    if (reading) { readAgain = true; return Promise.resolve(undefined); }
    reading = true;
    readerRead(reader, readRequest);
    return Promise.resolve(undefined);
  };
  const source1 = {
    pull,
    cancel(reason) {
      canceled1 = true;
      reason1 = reason;
      if (canceled2) {
        cancelPromise.resolve(readableStreamCancel(rec, [reason1, reason2]));
        return cancelPromise.promise;
      }
      return loneBranchCancel(cancelPromise);
    },
  };
  const source2 = {
    pull,
    cancel(reason) {
      canceled2 = true;
      reason2 = reason;
      if (canceled1) {
        cancelPromise.resolve(readableStreamCancel(rec, [reason1, reason2]));
        return cancelPromise.promise;
      }
      return loneBranchCancel(cancelPromise);
    },
  };
  branch1 = createReadableStream(source1);
  branch2 = createReadableStream(source2);
  reader.closed.promise.then(undefined, (r) => {
    defaultControllerError(branch1.controller, r);
    defaultControllerError(branch2.controller, r);
    if (!canceled1 || !canceled2) cancelPromise.resolve(undefined);
  });
  return [branch1, branch2];
}

function cloneAsUint8Array(view) {
  return new Uint8Array(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength));
}

function readableByteStreamTee(rec) {
  let reader = acquireDefaultReader(rec);
  let reading = false, readAgainForBranch1 = false, readAgainForBranch2 = false;
  let canceled1 = false, canceled2 = false, reason1, reason2, branch1, branch2;
  const cancelPromise = newCapability();

  function forwardReaderError(thisReader) {
    thisReader.closed.promise.then(undefined, (r) => {
      if (thisReader !== reader) return;
      byteControllerError(branch1.controller, r);
      byteControllerError(branch2.controller, r);
      if (!canceled1 || !canceled2) cancelPromise.resolve(undefined);
    });
  }

  function pullWithDefaultReader() {
    if (reader.byob) {
      readerRelease(reader);
      reader = acquireDefaultReader(rec);
      forwardReaderError(reader);
    }
    const readRequest = {
      chunk(chunk) {
        queueMicrotask(() => {
          readAgainForBranch1 = false;
          readAgainForBranch2 = false;
          let chunk1 = chunk, chunk2 = chunk;
          if (!canceled1 && !canceled2) {
            try { chunk2 = cloneAsUint8Array(chunk); } catch (e) {
              byteControllerError(branch1.controller, e);
              byteControllerError(branch2.controller, e);
              cancelPromise.resolve(readableStreamCancel(rec, e));
              return;
            }
          }
          if (!canceled1) byteControllerEnqueue(branch1.controller, chunk1);
          if (!canceled2) byteControllerEnqueue(branch2.controller, chunk2);
          reading = false;
          if (readAgainForBranch1) pull1();
          else if (readAgainForBranch2) pull2();
        });
      },
      close() {
        reading = false;
        if (!canceled1) byteControllerClose(branch1.controller);
        if (!canceled2) byteControllerClose(branch2.controller);
        if (branch1.controller.pendingPullIntos.length > 0) byteRespond(branch1.controller, 0);
        if (branch2.controller.pendingPullIntos.length > 0) byteRespond(branch2.controller, 0);
        if (!canceled1 || !canceled2) cancelPromise.resolve(undefined);
      },
      error() { reading = false; },
    };
    readerRead(reader, readRequest);
  }

  function pullWithBYOBReader(view, forBranch2) {
    if (!reader.byob) {
      readerRelease(reader);
      reader = acquireBYOBReader(rec);
      forwardReaderError(reader);
    }
    const byobBranch = forBranch2 ? branch2 : branch1;
    const otherBranch = forBranch2 ? branch1 : branch2;
    const readIntoRequest = {
      chunk(chunk) {
        queueMicrotask(() => {
          readAgainForBranch1 = false;
          readAgainForBranch2 = false;
          const byobCanceled = forBranch2 ? canceled2 : canceled1;
          const otherCanceled = forBranch2 ? canceled1 : canceled2;
          if (!otherCanceled) {
            let clonedChunk;
            try { clonedChunk = cloneAsUint8Array(chunk); } catch (e) {
              byteControllerError(byobBranch.controller, e);
              byteControllerError(otherBranch.controller, e);
              cancelPromise.resolve(readableStreamCancel(rec, e));
              return;
            }
            if (!byobCanceled) byteRespondWithNewView(byobBranch.controller, chunk);
            byteControllerEnqueue(otherBranch.controller, clonedChunk);
          } else if (!byobCanceled) {
            byteRespondWithNewView(byobBranch.controller, chunk);
          }
          reading = false;
          if (readAgainForBranch1) pull1();
          else if (readAgainForBranch2) pull2();
        });
      },
      close(chunk) {
        reading = false;
        const byobCanceled = forBranch2 ? canceled2 : canceled1;
        const otherCanceled = forBranch2 ? canceled1 : canceled2;
        if (!byobCanceled) byteControllerClose(byobBranch.controller);
        if (!otherCanceled) byteControllerClose(otherBranch.controller);
        if (chunk !== undefined) {
          if (!byobCanceled) byteRespondWithNewView(byobBranch.controller, chunk);
          if (!otherCanceled && otherBranch.controller.pendingPullIntos.length > 0) byteRespond(otherBranch.controller, 0);
        }
        if (!byobCanceled || !otherCanceled) cancelPromise.resolve(undefined);
      },
      error() { reading = false; },
    };
    byobReaderRead(reader, view, 1, readIntoRequest);
  }

  function pull1() {
    if (reading) { readAgainForBranch1 = true; return Promise.resolve(undefined); }
    reading = true;
    const byobRequest = byteGetBYOBRequest(branch1.controller);
    if (byobRequest === null) pullWithDefaultReader();
    else pullWithBYOBReader(byobRequest[kState].view, false);
    return Promise.resolve(undefined);
  }

  function pull2() {
    if (reading) { readAgainForBranch2 = true; return Promise.resolve(undefined); }
    reading = true;
    const byobRequest = byteGetBYOBRequest(branch2.controller);
    if (byobRequest === null) pullWithDefaultReader();
    else pullWithBYOBReader(byobRequest[kState].view, true);
    return Promise.resolve(undefined);
  }

  branch1 = createReadableByteStream({
    pull: pull1,
    cancel(reason) {
      canceled1 = true;
      reason1 = reason;
      if (canceled2) {
        cancelPromise.resolve(readableStreamCancel(rec, [reason1, reason2]));
        return cancelPromise.promise;
      }
      return loneBranchCancel(cancelPromise);
    },
  });
  branch2 = createReadableByteStream({
    pull: pull2,
    cancel(reason) {
      canceled2 = true;
      reason2 = reason;
      if (canceled1) {
        cancelPromise.resolve(readableStreamCancel(rec, [reason1, reason2]));
        return cancelPromise.promise;
      }
      return loneBranchCancel(cancelPromise);
    },
  });
  forwardReaderError(reader);
  return [branch1, branch2];
}

// ---- pipeTo ------------------------------------------------------------------------------------
// Follows ReadableStreamPipeTo: reads only while the destination's writer is ready,
// writes each chunk without waiting for it, and on shutdown waits for writes already started.
function readableStreamPipeTo(source, dest, preventClose, preventAbort, preventCancel, signal) {
  const reader = acquireDefaultReader(source);
  const writer = acquireWriter(dest);
  source.disturbed = true;
  let shuttingDown = false;
  let currentWrite = Promise.resolve(undefined);
  const result = newCapability();
  let unsubscribe = noop;

  let reading = false, looping = false;
  const readRequest = {
    chunk(chunk) {
      currentWrite = writerWrite(writer, chunk);
      setPromiseHandled(currentWrite);
      reading = false;
      if (!looping) loop();
    },
    close() { reading = false; onSourceClosed(); },
    error(e) { reading = false; onSourceErrored(e); },
  };

  // Reads a chunk whenever the destination has room; resumes when its ready promise settles.
  // Chunks already queued arrive synchronously, and the while loop takes them without recursing.
  function loop() {
    looping = true;
    while (!shuttingDown && !reading) {
      if (dest.state !== "writable" || writableCloseQueuedOrInFlight(dest)) break;
      if (source.state === "closed") { onSourceClosed(); break; }
      if (source.state !== "readable") break;
      if (dest.backpressure) { // the writer's ready promise is pending
        writer.ready.promise.then(loop, noop);
        break;
      }
      reading = true;
      readerRead(reader, readRequest);
    }
    looping = false;
  }

  function onSourceErrored(storedError) {
    if (!preventAbort) shutdownWithAction(() => writableStreamAbort(dest, storedError), true, storedError);
    else shutdown(true, storedError);
  }
  function onDestErrored(storedError) {
    if (!preventCancel) shutdownWithAction(() => readableStreamCancel(source, storedError), true, storedError);
    else shutdown(true, storedError);
  }
  function onSourceClosed() {
    if (!preventClose) shutdownWithAction(() => writerCloseWithErrorPropagation(writer));
    else shutdown();
  }
  function onDestClosed() {
    const destClosed = new TypeError("This WritableStream has been closed.");
    if (!preventCancel) shutdownWithAction(() => readableStreamCancel(source, destClosed), true, destClosed);
    else shutdown(true, destClosed);
  }

  function waitForWritesToFinish() {
    // Waits for the last write started, and any started while waiting.
    const oldCurrentWrite = currentWrite;
    return currentWrite.then(() => (oldCurrentWrite !== currentWrite ? waitForWritesToFinish() : undefined), noop);
  }

  function shutdownWithAction(action, hasError = false, error = undefined) {
    if (shuttingDown) return;
    shuttingDown = true;
    const doAction = () => {
      let p;
      try { p = Promise.resolve(action()); } catch (e) { p = Promise.reject(e); }
      p.then(() => finalize(hasError, error), (newError) => finalize(true, newError));
    };
    if (dest.state === "writable" && !writableCloseQueuedOrInFlight(dest)) waitForWritesToFinish().then(doAction);
    else doAction();
  }

  function shutdown(hasError = false, error = undefined) {
    if (shuttingDown) return;
    shuttingDown = true;
    if (dest.state === "writable" && !writableCloseQueuedOrInFlight(dest)) waitForWritesToFinish().then(() => finalize(hasError, error));
    else finalize(hasError, error);
  }

  function finalize(hasError, error) {
    writerRelease(writer);
    readerRelease(reader);
    unsubscribe();
    if (hasError) result.reject(error);
    else result.resolve(undefined);
  }

  if (signal !== undefined) {
    const abortAlgorithm = () => {
      const error = signal.reason;
      const actions = [];
      if (!preventAbort) actions.push(() => (dest.state === "writable" ? writableStreamAbort(dest, error) : Promise.resolve(undefined)));
      if (!preventCancel) actions.push(() => (source.state === "readable" ? readableStreamCancel(source, error) : Promise.resolve(undefined)));
      shutdownWithAction(() => Promise.all(actions.map((a) => a())), true, error);
    };
    if (signal.aborted) {
      abortAlgorithm();
      return result.promise;
    }
    unsubscribe = onSignalAbort(signal, abortAlgorithm);
  }

  // Errors and closes are watched through the closed promises, checked first in spec order.
  reader.closed.promise.then(() => { if (!shuttingDown) onSourceClosed(); }, (e) => { if (!shuttingDown) onSourceErrored(e); });
  writer.closed.promise.then(noop, (e) => { if (!shuttingDown) onDestErrored(e); });
  if (source.state === "errored") onSourceErrored(source.storedError);
  else if (dest.state === "errored" || dest.state === "erroring") onDestErrored(dest.storedError);
  else if (source.state === "closed") onSourceClosed();
  else if (writableCloseQueuedOrInFlight(dest) || dest.state === "closed") onDestClosed();
  if (!shuttingDown) loop();
  return result.promise;
}

// ---- helpers for bodies ---------------------------------------------------------------------------
function isStreamDisturbed(stream) { return stream[kState].disturbed; }

/**
 * Reads a whole byte stream; rejects with workerd's TypeError if a chunk is not bytes. The
 * stream stays locked afterwards, as a consumed body's does in workerd.
 */
function readAllBytes(stream) {
  const rec = stream[kState];
  const reader = acquireDefaultReader(rec);
  const chunks = [];
  let total = 0, inRead = false, gotChunk = false;
  const done = newCapability();
  const request = {
    chunk(value) {
      if (!isBufferSource(value)) {
        const e = new TypeError("This ReadableStream did not return bytes.");
        readableStreamCancel(rec, e).then(noop, noop);
        done.reject(e);
        return;
      }
      const bytes = bytesView(value);
      chunks.push(bytes);
      total += bytes.byteLength;
      if (inRead) gotChunk = true;
      else pump();
    },
    close() { done.resolve(total === 0 ? EMPTY_BYTES : concatBytes(chunks, total)); },
    error(e) { done.reject(e); },
  };
  // Chunks already queued arrive synchronously: loop over them instead of recursing.
  function pump() {
    do {
      gotChunk = false;
      inRead = true;
      readerRead(reader, request);
      inRead = false;
    } while (gotChunk);
  }
  pump();
  return done.promise;
}

defineGlobal("ReadableStream", ReadableStream);
defineGlobal("ReadableStreamDefaultReader", ReadableStreamDefaultReader);
defineGlobal("ReadableStreamBYOBReader", ReadableStreamBYOBReader);
defineGlobal("ReadableStreamBYOBRequest", ReadableStreamBYOBRequest);
defineGlobal("ReadableStreamDefaultController", ReadableStreamDefaultController);
defineGlobal("ReadableByteStreamController", ReadableByteStreamController);
defineGlobal("CountQueuingStrategy", CountQueuingStrategy);
defineGlobal("ByteLengthQueuingStrategy", ByteLengthQueuingStrategy);
