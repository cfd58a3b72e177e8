// WritableStream, WritableStreamDefaultWriter and WritableStreamDefaultController (WHATWG
// Streams), on the shared internals of 45_readable_stream.js. As there, each public object
// holds a record in [kState] and the functions below are the spec's abstract operations.

const closeSentinel = Symbol("close sentinel");

class WritableStreamRec {
  constructor(obj) {
    this.obj = obj;
    this.state = "writable";       // "writable" | "closed" | "erroring" | "errored"
    this.storedError = undefined;
    this.writer = undefined;       // WriterRec
    this.controller = undefined;   // WritableControllerRec
    this.inFlightWriteRequest = undefined;
    this.closeRequest = undefined;
    this.inFlightCloseRequest = undefined;
    this.pendingAbortRequest = undefined;
    this.writeRequests = new Queue();
    this.backpressure = false;
  }
}

class WriterRec {
  constructor(obj) {
    this.obj = obj;
    this.stream = undefined;
    this.ready = undefined;        // capabilities: { promise, resolve, reject }
    this.closed = undefined;
  }
}

function isWritableStream(v) {
  return isObjectLike(v) && v[kState] instanceof WritableStreamRec;
}

function writableRec(o) {
  const rec = o?.[kState];
  if (!(rec instanceof WritableStreamRec)) throw illegalInvocation();
  return rec;
}

// ---- WritableStream abstract operations ---------------------------------------------------
function acquireWriter(rec) {
  const writer = Object.create(WritableStreamDefaultWriter.prototype);
  const w = new WriterRec(writer);
  writer[kState] = w;
  setUpWriter(w, rec);
  return w;
}

function writableLockedError() {
  return new TypeError("This WritableStream is currently locked to a writer.");
}

function writableClosedError() {
  return new TypeError("This WritableStream has been closed.");
}

function writableStreamAbort(rec, reason) {
  if (rec.state === "closed" || rec.state === "errored") return Promise.resolve(undefined);
  signalControllerAbort(rec.controller, reason);
  const state = rec.state;
  if (state === "closed" || state === "errored") return Promise.resolve(undefined);
  if (rec.pendingAbortRequest !== undefined) return rec.pendingAbortRequest.promise;
  let wasAlreadyErroring = false;
  if (state === "erroring") {
    wasAlreadyErroring = true;
    reason = undefined;
  }
  const c = newCapability();
  c.reason = reason;
  c.wasAlreadyErroring = wasAlreadyErroring;
  rec.pendingAbortRequest = c;
  if (!wasAlreadyErroring) writableStartErroring(rec, reason);
  return c.promise;
}

function writableStreamClose(rec) {
  const state = rec.state;
  if (state === "closed" || state === "errored") return Promise.reject(writableClosedError());
  const c = newCapability();
  rec.closeRequest = c;
  const writer = rec.writer;
  if (writer !== undefined && rec.backpressure && state === "writable") writer.ready.resolve(undefined);
  writableControllerClose(rec.controller);
  return c.promise;
}

function writableDealWithRejection(rec, error) {
  if (rec.state === "writable") {
    writableStartErroring(rec, error);
    return;
  }
  writableFinishErroring(rec);
}

function writableStartErroring(rec, reason) {
  const controller = rec.controller;
  rec.state = "erroring";
  rec.storedError = reason;
  const writer = rec.writer;
  if (writer !== undefined) writerEnsureReadyPromiseRejected(writer, reason);
  if (!writableHasOperationMarkedInFlight(rec) && controller.started) writableFinishErroring(rec);
}

function writableFinishErroring(rec) {
  rec.state = "errored";
  const controller = rec.controller;
  controller.queue.reset(); // [[ErrorSteps]]
  const storedError = rec.storedError;
  const requests = rec.writeRequests.drain();
  for (let i = 0; i < requests.length; i++) requests[i].reject(storedError);
  const abortRequest = rec.pendingAbortRequest;
  if (abortRequest === undefined) {
    writableRejectCloseAndClosedPromiseIfNeeded(rec);
    return;
  }
  rec.pendingAbortRequest = undefined;
  if (abortRequest.wasAlreadyErroring) {
    abortRequest.reject(storedError);
    writableRejectCloseAndClosedPromiseIfNeeded(rec);
    return;
  }
  const fn = controller.abortFn, sink = controller.sink;
  writableControllerClearAlgorithms(controller);
  const promise = fn === undefined ? Promise.resolve(undefined) : promiseCall(fn, sink, abortRequest.reason);
  promise.then(() => {
    abortRequest.resolve(undefined);
    writableRejectCloseAndClosedPromiseIfNeeded(rec);
  }, (reason) => {
    abortRequest.reject(reason);
    writableRejectCloseAndClosedPromiseIfNeeded(rec);
  });
}

function writableFinishInFlightWrite(rec) {
  rec.inFlightWriteRequest.resolve(undefined);
  rec.inFlightWriteRequest = undefined;
}

function writableFinishInFlightWriteWithError(rec, error) {
  rec.inFlightWriteRequest.reject(error);
  rec.inFlightWriteRequest = undefined;
  writableDealWithRejection(rec, error);
}

function writableFinishInFlightClose(rec) {
  rec.inFlightCloseRequest.resolve(undefined);
  rec.inFlightCloseRequest = undefined;
  if (rec.state === "erroring") {
    rec.storedError = undefined;
    if (rec.pendingAbortRequest !== undefined) {
      rec.pendingAbortRequest.resolve(undefined);
      rec.pendingAbortRequest = undefined;
    }
  }
  rec.state = "closed";
  const writer = rec.writer;
  if (writer !== undefined) writer.closed.resolve(undefined);
}

function writableFinishInFlightCloseWithError(rec, error) {
  rec.inFlightCloseRequest.reject(error);
  rec.inFlightCloseRequest = undefined;
  if (rec.pendingAbortRequest !== undefined) {
    rec.pendingAbortRequest.reject(error);
    rec.pendingAbortRequest = undefined;
  }
  writableDealWithRejection(rec, error);
}

function writableCloseQueuedOrInFlight(rec) {
  return rec.closeRequest !== undefined || rec.inFlightCloseRequest !== undefined;
}

function writableHasOperationMarkedInFlight(rec) {
  return rec.inFlightWriteRequest !== undefined || rec.inFlightCloseRequest !== undefined;
}

function writableRejectCloseAndClosedPromiseIfNeeded(rec) {
  if (rec.closeRequest !== undefined) {
    rec.closeRequest.reject(rec.storedError);
    rec.closeRequest = undefined;
  }
  const writer = rec.writer;
  if (writer !== undefined) {
    writer.closed.reject(rec.storedError);
    setPromiseHandled(writer.closed.promise);
  }
}

function writableUpdateBackpressure(rec, backpressure) {
  const writer = rec.writer;
  if (writer !== undefined && backpressure !== rec.backpressure) {
    if (backpressure) writer.ready = newCapability();
    else writer.ready.resolve(undefined);
  }
  rec.backpressure = backpressure;
}

// ---- writer ------------------------------------------------------------------------------
function setUpWriter(w, rec) {
  if (rec.writer !== undefined) throw writableLockedError();
  w.stream = rec;
  rec.writer = w;
  const state = rec.state;
  if (state === "writable") {
    w.ready = !writableCloseQueuedOrInFlight(rec) && rec.backpressure ? newCapability() : settledDeferred(Promise.resolve(undefined));
    w.closed = newCapability();
  } else if (state === "erroring") {
    w.ready = settledDeferred(rejectedHandled(rec.storedError));
    w.closed = newCapability();
  } else if (state === "closed") {
    w.ready = settledDeferred(Promise.resolve(undefined));
    w.closed = settledDeferred(Promise.resolve(undefined));
  } else {
    w.ready = settledDeferred(rejectedHandled(rec.storedError));
    w.closed = settledDeferred(rejectedHandled(rec.storedError));
  }
}

function writerEnsureClosedPromiseRejected(w, error) {
  if (!w.closed.settled) w.closed.reject(error);
  else w.closed = settledDeferred(Promise.reject(error));
  setPromiseHandled(w.closed.promise);
}

function writerEnsureReadyPromiseRejected(w, error) {
  if (!w.ready.settled) w.ready.reject(error);
  else w.ready = settledDeferred(Promise.reject(error));
  setPromiseHandled(w.ready.promise);
}

function writerGetDesiredSize(w) {
  const rec = w.stream;
  const state = rec.state;
  if (state === "errored" || state === "erroring") return null;
  if (state === "closed") return 0;
  return writableControllerGetDesiredSize(rec.controller);
}

function writerRelease(w) {
  const rec = w.stream;
  const releasedError = new TypeError("This WritableStream writer has been released.");
  writerEnsureReadyPromiseRejected(w, releasedError);
  writerEnsureClosedPromiseRejected(w, releasedError);
  rec.writer = undefined;
  w.stream = undefined;
}

function writerWrite(w, chunk) {
  const rec = w.stream;
  const controller = rec.controller;
  const chunkSize = writableControllerGetChunkSize(controller, chunk);
  if (rec !== w.stream) return Promise.reject(new TypeError("This WritableStream writer has been released."));
  const state = rec.state;
  if (state === "errored") return Promise.reject(rec.storedError);
  if (writableCloseQueuedOrInFlight(rec) || state === "closed") return Promise.reject(writableClosedError());
  if (state === "erroring") return Promise.reject(rec.storedError);
  const c = newCapability();
  rec.writeRequests.push(c);
  writableControllerWrite(controller, chunk, chunkSize);
  return c.promise;
}

function writerClose(w) {
  return writableStreamClose(w.stream);
}

function writerCloseWithErrorPropagation(w) {
  const rec = w.stream;
  const state = rec.state;
  if (writableCloseQueuedOrInFlight(rec) || state === "closed") return Promise.resolve(undefined);
  if (state === "errored") return Promise.reject(rec.storedError);
  return writerClose(w);
}

function writerState(o) {
  const w = o?.[kState];
  if (!(w instanceof WriterRec)) throw illegalInvocation();
  return w;
}

class WritableStreamDefaultWriter {
  constructor(stream) {
    requiredArguments(arguments.length, 1, "WritableStreamDefaultWriter");
    if (!isWritableStream(stream)) {
      throw new TypeError("Failed to construct 'WritableStreamDefaultWriter': constructor parameter 1 is not of type 'WritableStream'.");
    }
    const w = new WriterRec(this);
    this[kState] = w;
    setUpWriter(w, stream[kState]);
  }

  get closed() { return writerState(this).closed.promise; }

  get desiredSize() {
    const w = writerState(this);
    if (w.stream === undefined) throw new TypeError("This WritableStream writer has been released.");
    return writerGetDesiredSize(w);
  }

  get ready() { return writerState(this).ready.promise; }

  abort(reason = undefined) {
    let w;
    try { w = writerState(this); } catch (e) { return Promise.reject(e); }
    if (w.stream === undefined) return Promise.reject(new TypeError("This WritableStream writer has been released."));
    return writableStreamAbort(w.stream, reason);
  }

  close() {
    let w;
    try { w = writerState(this); } catch (e) { return Promise.reject(e); }
    const rec = w.stream;
    if (rec === undefined) return Promise.reject(new TypeError("This WritableStream writer has been released."));
    if (writableCloseQueuedOrInFlight(rec)) return Promise.reject(writableClosedError());
    return writerClose(w);
  }

  releaseLock() {
    const w = writerState(this);
    if (w.stream === undefined) return;
    writerRelease(w);
  }

  write(chunk = undefined) {
    let w;
    try { w = writerState(this); } catch (e) { return Promise.reject(e); }
    if (w.stream === undefined) return Promise.reject(new TypeError("This WritableStream writer has been released."));
    return writerWrite(w, chunk);
  }
}
webidlInterface(WritableStreamDefaultWriter);

// ---- controller --------------------------------------------------------------------------
class WritableControllerRec {
  constructor(obj, stream) {
    this.obj = obj;
    this.stream = stream;
    this.queue = new SizedQueue();
    this.started = false;
    this.highWaterMark = 1;
    this.size = countSize;
    this.sink = undefined;
    this.writeFn = undefined;
    this.closeFn = undefined;
    this.abortFn = undefined;
    // The signal is made when first asked for; an abort before that is remembered.
    this.abortController = undefined;
    this.aborted = false;
    this.abortReason = undefined;
    this.onAbort = undefined;        // an internal sink's hook, run as the signal aborts
    this.onWritten = () => {
      const rec = this.stream;
      writableFinishInFlightWrite(rec);
      this.queue.dequeue();
      if (!writableCloseQueuedOrInFlight(rec) && rec.state === "writable") {
        writableUpdateBackpressure(rec, writableControllerGetBackpressure(this));
      }
      writableControllerAdvanceQueueIfNeeded(this);
    };
    this.onWriteFailed = (reason) => {
      const rec = this.stream;
      if (rec.state === "writable") writableControllerClearAlgorithms(this);
      writableFinishInFlightWriteWithError(rec, reason);
    };
  }
}

function signalControllerAbort(c, reason) {
  if (c.onAbort !== undefined) c.onAbort(reason);
  if (c.abortController !== undefined) {
    c.abortController.abort(reason);
  } else if (!c.aborted) {
    c.aborted = true;
    c.abortReason = reason === undefined ? defaultAbortReason() : reason;
  }
}

function setUpWritableController(rec, sink, startFn, writeFn, closeFn, abortFn, highWaterMark, size) {
  const controller = Object.create(WritableStreamDefaultController.prototype);
  const c = new WritableControllerRec(controller, rec);
  controller[kState] = c;
  rec.controller = c;
  c.sink = sink;
  c.writeFn = writeFn;
  c.closeFn = closeFn;
  c.abortFn = abortFn;
  c.highWaterMark = highWaterMark;
  c.size = size;
  writableUpdateBackpressure(rec, writableControllerGetBackpressure(c));
  const startResult = startFn === undefined ? undefined : startFn.call(sink, controller);
  Promise.resolve(startResult).then(() => {
    c.started = true;
    writableControllerAdvanceQueueIfNeeded(c);
  }, (r) => {
    c.started = true;
    writableDealWithRejection(rec, r);
  });
}

/** A new WritableStream over an internal sink object with start/write/close/abort methods. */
function createWritableStream(sink, highWaterMark = 1, size = countSize) {
  const stream = Object.create(WritableStream.prototype);
  const rec = new WritableStreamRec(stream);
  stream[kState] = rec;
  setUpWritableController(rec, sink, sink.start, sink.write, sink.close, sink.abort, highWaterMark, size);
  return rec;
}

function writableControllerClearAlgorithms(c) {
  c.sink = undefined;
  c.writeFn = undefined;
  c.closeFn = undefined;
  c.abortFn = undefined;
  c.size = undefined;
}

function writableControllerClose(c) {
  c.queue.enqueue(closeSentinel, 0);
  writableControllerAdvanceQueueIfNeeded(c);
}

function writableControllerGetChunkSize(c, chunk) {
  const size = c.size;
  if (size === undefined) return 1;
  if (size === countSize) return 1;
  try {
    return size.call(undefined, chunk);
  } catch (e) {
    writableControllerErrorIfNeeded(c, e);
    return 1;
  }
}

function writableControllerGetDesiredSize(c) {
  return c.highWaterMark - c.queue.total;
}

function writableControllerGetBackpressure(c) {
  return writableControllerGetDesiredSize(c) <= 0;
}

function writableControllerWrite(c, chunk, chunkSize) {
  try {
    c.queue.enqueue(chunk, chunkSize);
  } catch (e) {
    writableControllerErrorIfNeeded(c, e);
    return;
  }
  const rec = c.stream;
  if (!writableCloseQueuedOrInFlight(rec) && rec.state === "writable") {
    writableUpdateBackpressure(rec, writableControllerGetBackpressure(c));
  }
  writableControllerAdvanceQueueIfNeeded(c);
}

function writableControllerAdvanceQueueIfNeeded(c) {
  const rec = c.stream;
  if (!c.started || rec.inFlightWriteRequest !== undefined) return;
  if (rec.state === "erroring") {
    writableFinishErroring(rec);
    return;
  }
  if (c.queue.length === 0) return;
  const value = c.queue.peek();
  if (value === closeSentinel) writableControllerProcessClose(c);
  else writableControllerProcessWrite(c, value);
}

function writableControllerErrorIfNeeded(c, error) {
  if (c.stream.state === "writable") writableControllerError(c, error);
}

function writableControllerProcessClose(c) {
  const rec = c.stream;
  rec.inFlightCloseRequest = rec.closeRequest;
  rec.closeRequest = undefined;
  c.queue.dequeue();
  const fn = c.closeFn, sink = c.sink;
  writableControllerClearAlgorithms(c);
  const promise = fn === undefined ? Promise.resolve(undefined) : promiseCall(fn, sink, undefined);
  promise.then(() => writableFinishInFlightClose(rec), (reason) => writableFinishInFlightCloseWithError(rec, reason));
}

function writableControllerProcessWrite(c, chunk) {
  const rec = c.stream;
  rec.inFlightWriteRequest = rec.writeRequests.shift();
  const fn = c.writeFn;
  let result;
  if (fn !== undefined) {
    try {
      result = fn.call(c.sink, chunk, c.obj);
    } catch (e) {
      Promise.reject(e).then(undefined, c.onWriteFailed);
      return;
    }
  }
  Promise.resolve(result).then(c.onWritten, c.onWriteFailed);
}

function writableControllerError(c, error) {
  writableControllerClearAlgorithms(c);
  writableStartErroring(c.stream, error);
}

function writableControllerState(o) {
  const c = o?.[kState];
  if (!(c instanceof WritableControllerRec)) throw illegalInvocation();
  return c;
}

class WritableStreamDefaultController {
  constructor() { throw new TypeError("Illegal constructor"); }
  get signal() {
    const c = writableControllerState(this);
    if (c.abortController === undefined) {
      c.abortController = new AbortController();
      if (c.aborted) c.abortController.abort(c.abortReason);
    }
    return c.abortController.signal;
  }
  error(e = undefined) {
    const c = writableControllerState(this);
    if (c.stream.state !== "writable") return;
    writableControllerError(c, e);
  }
}
webidlInterface(WritableStreamDefaultController);

// ---- WritableStream ----------------------------------------------------------------------
class WritableStream {
  constructor(underlyingSink = undefined, strategy = undefined) {
    const strat = readStrategy(strategy, "construct 'WritableStream'");
    const rec = new WritableStreamRec(this);
    this[kState] = rec;
    let sink = underlyingSink, abortFn, closeFn, startFn, writeFn;
    if (sink === undefined || sink === null) {
      sink = undefined;
    } else {
      if (!isObjectLike(sink)) {
        throw new TypeError("Failed to construct 'WritableStream': constructor parameter 1 is not of type 'UnderlyingSink'.");
      }
      abortFn = optionalFunction(sink, "abort", "UnderlyingSink");
      closeFn = optionalFunction(sink, "close", "UnderlyingSink");
      startFn = optionalFunction(sink, "start", "UnderlyingSink");
      const type = sink.type;
      writeFn = optionalFunction(sink, "write", "UnderlyingSink");
      if (type !== undefined) throw new RangeError("The underlying sink's type must be undefined.");
    }
    const hwm = extractHighWaterMark(strat, 1);
    setUpWritableController(rec, sink, startFn, writeFn, closeFn, abortFn, hwm, strat.size ?? countSize);
  }

  get locked() { return writableRec(this).writer !== undefined; }

  abort(reason = undefined) {
    let rec;
    try { rec = writableRec(this); } catch (e) { return Promise.reject(e); }
    if (rec.writer !== undefined) return Promise.reject(writableLockedError());
    return writableStreamAbort(rec, reason);
  }

  close() {
    let rec;
    try { rec = writableRec(this); } catch (e) { return Promise.reject(e); }
    if (rec.writer !== undefined) return Promise.reject(writableLockedError());
    if (writableCloseQueuedOrInFlight(rec)) return Promise.reject(writableClosedError());
    return writableStreamClose(rec);
  }

  getWriter() {
    return acquireWriter(writableRec(this)).obj;
  }
}
webidlInterface(WritableStream);

defineGlobal("WritableStream", WritableStream);
defineGlobal("WritableStreamDefaultWriter", WritableStreamDefaultWriter);
defineGlobal("WritableStreamDefaultController", WritableStreamDefaultController);
