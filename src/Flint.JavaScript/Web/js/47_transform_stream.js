// TransformStream and TransformStreamDefaultController (WHATWG Streams), and Cloudflare's
// IdentityTransformStream and FixedLengthStream.

class TransformStreamRec {
  constructor(obj) {
    this.obj = obj;
    this.readable = undefined;     // ReadableStreamRec
    this.writable = undefined;     // WritableStreamRec
    this.backpressure = undefined;
    this.backpressureChange = undefined; // Deferred
    this.controller = undefined;   // TransformControllerRec
  }
}

class TransformControllerRec {
  constructor(obj, stream) {
    this.obj = obj;
    this.stream = stream;
    this.transformer = undefined;
    this.transformFn = undefined;  // undefined: the identity transform
    this.flushFn = undefined;
    this.cancelFn = undefined;
    this.finishPromise = undefined;
    this.cleared = false;
    this.onTransformFailed = (r) => {
      transformStreamError(this.stream, r);
      throw r;
    };
  }
}

function initializeTransformStream(ts, startPromise, writableHWM, writableSize, readableHWM, readableSize) {
  const sink = {
    start() { return startPromise; },
    write(chunk) { return transformSinkWrite(ts, chunk); },
    abort(reason) { return transformSinkAbort(ts, reason); },
    close() { return transformSinkClose(ts); },
  };
  ts.writable = createWritableStream(sink, writableHWM, writableSize);
  const source = {
    start() { return startPromise; },
    pull() { return transformSourcePull(ts); },
    cancel(reason) { return transformSourceCancel(ts, reason); },
  };
  ts.readable = createReadableStream(source, readableHWM, readableSize);
  ts.backpressure = undefined;
  ts.backpressureChange = undefined;
  transformSetBackpressure(ts, true);
  ts.controller = undefined;
}

function transformStreamError(ts, e) {
  defaultControllerError(ts.readable.controller, e);
  transformErrorWritableAndUnblockWrite(ts, e);
}

function transformErrorWritableAndUnblockWrite(ts, e) {
  transformControllerClearAlgorithms(ts.controller);
  writableControllerErrorIfNeeded(ts.writable.controller, e);
  transformUnblockWrite(ts);
}

function transformUnblockWrite(ts) {
  if (ts.backpressure) transformSetBackpressure(ts, false);
}

function transformSetBackpressure(ts, backpressure) {
  if (ts.backpressureChange !== undefined) ts.backpressureChange.resolve(undefined);
  ts.backpressureChange = newCapability();
  ts.backpressure = backpressure;
}

function setUpTransformController(ts, transformer, transformFn, flushFn, cancelFn) {
  const controller = Object.create(TransformStreamDefaultController.prototype);
  const c = new TransformControllerRec(controller, ts);
  controller[kState] = c;
  ts.controller = c;
  c.transformer = transformer;
  c.transformFn = transformFn;
  c.flushFn = flushFn;
  c.cancelFn = cancelFn;
  return c;
}

function transformControllerClearAlgorithms(c) {
  c.cleared = true;
  c.transformer = undefined;
  c.transformFn = undefined;
  c.flushFn = undefined;
  c.cancelFn = undefined;
}

function transformControllerEnqueue(c, chunk) {
  const ts = c.stream;
  const readableController = ts.readable.controller;
  if (!defaultCanCloseOrEnqueue(readableController)) {
    throw new TypeError("The readable side of this TransformStream is no longer readable.");
  }
  try {
    defaultControllerEnqueue(readableController, chunk);
  } catch (e) {
    transformErrorWritableAndUnblockWrite(ts, e);
    throw ts.readable.storedError;
  }
  const backpressure = !defaultShouldCallPull(readableController);
  if (backpressure !== ts.backpressure) transformSetBackpressure(ts, true);
}

function transformControllerTerminate(c) {
  const ts = c.stream;
  defaultControllerClose(ts.readable.controller);
  transformErrorWritableAndUnblockWrite(ts, new TypeError("The transform stream has been terminated"));
}

const resolvedPromise = Promise.resolve(undefined);

function transformPerform(c, chunk) {
  let p;
  if (c.cleared) {
    p = resolvedPromise;
  } else if (c.transformFn === undefined) {
    // The identity transform.
    try {
      transformControllerEnqueue(c, chunk);
      p = resolvedPromise;
    } catch (e) {
      p = Promise.reject(e);
    }
  } else {
    p = promiseCall2(c.transformFn, c.transformer, chunk, c.obj);
  }
  return p.then(undefined, c.onTransformFailed);
}

function promiseCall2(fn, thisArg, a, b) {
  try {
    return Promise.resolve(fn.call(thisArg, a, b));
  } catch (e) {
    return Promise.reject(e);
  }
}

function transformSinkWrite(ts, chunk) {
  const c = ts.controller;
  if (ts.backpressure) {
    return ts.backpressureChange.promise.then(() => {
      const writable = ts.writable;
      if (writable.state === "erroring") throw writable.storedError;
      return transformPerform(c, chunk);
    });
  }
  return transformPerform(c, chunk);
}

function transformSinkAbort(ts, reason) {
  const c = ts.controller;
  if (c.finishPromise !== undefined) return c.finishPromise.promise;
  const readable = ts.readable;
  const finish = c.finishPromise = newCapability();
  const cancelPromise = c.cancelFn === undefined ? resolvedPromise : promiseCall(c.cancelFn, c.transformer, reason);
  transformControllerClearAlgorithms(c);
  cancelPromise.then(() => {
    if (readable.state === "errored") finish.reject(readable.storedError);
    else {
      defaultControllerError(readable.controller, reason);
      finish.resolve(undefined);
    }
  }, (r) => {
    defaultControllerError(readable.controller, r);
    finish.reject(r);
  });
  return finish.promise;
}

function transformSinkClose(ts) {
  const c = ts.controller;
  if (c.finishPromise !== undefined) return c.finishPromise.promise;
  const readable = ts.readable;
  const finish = c.finishPromise = newCapability();
  const flushPromise = c.flushFn === undefined ? resolvedPromise : promiseCall(c.flushFn, c.transformer, c.obj);
  transformControllerClearAlgorithms(c);
  flushPromise.then(() => {
    if (readable.state === "errored") finish.reject(readable.storedError);
    else {
      defaultControllerClose(readable.controller);
      finish.resolve(undefined);
    }
  }, (r) => {
    defaultControllerError(readable.controller, r);
    finish.reject(r);
  });
  return finish.promise;
}

function transformSourcePull(ts) {
  transformSetBackpressure(ts, false);
  return ts.backpressureChange.promise;
}

function transformSourceCancel(ts, reason) {
  const c = ts.controller;
  if (c.finishPromise !== undefined) return c.finishPromise.promise;
  const writable = ts.writable;
  const finish = c.finishPromise = newCapability();
  const cancelPromise = c.cancelFn === undefined ? resolvedPromise : promiseCall(c.cancelFn, c.transformer, reason);
  transformControllerClearAlgorithms(c);
  cancelPromise.then(() => {
    if (writable.state === "errored") finish.reject(writable.storedError);
    else {
      writableControllerErrorIfNeeded(writable.controller, reason);
      transformUnblockWrite(ts);
      finish.resolve(undefined);
    }
  }, (r) => {
    writableControllerErrorIfNeeded(writable.controller, r);
    transformUnblockWrite(ts);
    finish.reject(r);
  });
  return finish.promise;
}

function transformControllerState(o) {
  const c = o?.[kState];
  if (!(c instanceof TransformControllerRec)) throw illegalInvocation();
  return c;
}

class TransformStreamDefaultController {
  constructor() { throw new TypeError("Illegal constructor"); }
  get desiredSize() {
    const c = transformControllerState(this);
    return defaultGetDesiredSize(c.stream.readable.controller);
  }
  enqueue(chunk = undefined) {
    transformControllerEnqueue(transformControllerState(this), chunk);
  }
  error(reason = undefined) {
    transformStreamError(transformControllerState(this).stream, reason);
  }
  terminate() {
    transformControllerTerminate(transformControllerState(this));
  }
}
webidlInterface(TransformStreamDefaultController);

// Cloudflare's byte transforms derive from TransformStream but build their own halves.
const kNoSetUp = Symbol("flint.transform.noSetUp");

class TransformStream {
  constructor(transformer = undefined, writableStrategy = undefined, readableStrategy = undefined) {
    if (transformer === kNoSetUp) return;
    // Web IDL converts the strategies (arguments) before the transformer dictionary (in the body).
    const ws = readStrategy(writableStrategy, "construct 'TransformStream'");
    const rs = readStrategy(readableStrategy, "construct 'TransformStream'");
    let cancelFn, flushFn, startFn, transformFn;
    if (transformer !== undefined && transformer !== null) {
      if (!isObjectLike(transformer)) {
        throw new TypeError("Failed to construct 'TransformStream': constructor parameter 1 is not of type 'Transformer'.");
      }
      cancelFn = optionalFunction(transformer, "cancel", "Transformer");
      flushFn = optionalFunction(transformer, "flush", "Transformer");
      const readableType = transformer.readableType;
      startFn = optionalFunction(transformer, "start", "Transformer");
      transformFn = optionalFunction(transformer, "transform", "Transformer");
      const writableType = transformer.writableType;
      if (readableType !== undefined) throw new RangeError("transformer.readableType must be undefined.");
      if (writableType !== undefined) throw new RangeError("transformer.writableType must be undefined.");
    } else {
      transformer = undefined;
    }
    const readableHWM = extractHighWaterMark(rs, 0);
    const readableSize = rs.size ?? countSize;
    const writableHWM = extractHighWaterMark(ws, 1);
    const writableSize = ws.size ?? countSize;
    const ts = new TransformStreamRec(this);
    this[kState] = ts;
    const startPromise = newCapability();
    initializeTransformStream(ts, startPromise.promise, writableHWM, writableSize, readableHWM, readableSize);
    const c = setUpTransformController(ts, transformer, transformFn, flushFn, cancelFn);
    if (startFn !== undefined) startPromise.resolve(startFn.call(transformer, c.obj));
    else startPromise.resolve(undefined);
  }
}
webidlInterface(TransformStream);

// ---- IdentityTransformStream and FixedLengthStream -------------------------------------------
// Like workerd's: a byte pipe with no buffer of its own. A write settles once the readable side
// has taken all of its bytes; the readable is a byte stream, so BYOB readers work, and a read
// smaller than the chunk leaves the rest for the next read.

class ByteTransformRec {
  constructor(obj, expectedLength) {
    this.obj = obj;
    this.readable = undefined;       // ReadableStreamRec (byte stream)
    this.writable = undefined;       // WritableStreamRec
    this.expected = expectedLength;  // -1: any length
    this.written = 0;
    this.pending = null;             // Uint8Array still to hand to the readable
    this.pendingWrite = null;        // Deferred settled when `pending` is consumed
  }
}

function byteTransformWrite(bt, chunk) {
  // workerd takes strings as their UTF-8 bytes, and rejects the write of anything else.
  if (typeof chunk === "string") chunk = utf8Encode(chunk);
  else if (!isBufferSource(chunk)) {
    const e = new TypeError("This TransformStream is being used as a byte stream, but received an object of non-ArrayBuffer/ArrayBufferView type on its writable side.");
    byteControllerError(bt.readable.controller, e);
    throw e;
  }
  const bytes = bytesView(chunk);
  if (bt.expected >= 0) {
    bt.written += bytes.byteLength;
    if (bt.written > bt.expected) return byteTransformReject(bt, new TypeError("Attempt to write too many bytes through a FixedLengthStream."));
  }
  if (bytes.byteLength === 0) return undefined;
  if (bt.readable.state !== "readable") throw bt.readable.storedError ?? new TypeError("This ReadableStream is closed.");
  bt.pending = bytes;
  bt.pendingWrite = newCapability();
  const p = bt.pendingWrite.promise;
  byteTransformDeliver(bt);
  return p;
}

/** Too many bytes error both sides; like workerd, the write itself still resolves. */
function byteTransformReject(bt, e) {
  byteControllerError(bt.readable.controller, e);
  writableControllerErrorIfNeeded(bt.writable.controller, e);
  return undefined;
}

/** Hands pending bytes to the readable side's waiting reads. */
function byteTransformDeliver(bt) {
  const rs = bt.readable;
  const c = rs.controller;
  while (bt.pending !== null && rs.state === "readable" && rs.reader !== undefined && numRequests(rs) > 0) {
    const bytes = bt.pending;
    const request = byteGetBYOBRequest(c);
    if (request !== null) {
      const view = request[kState].view;
      const n = Math.min(view.byteLength, bytes.byteLength);
      view.set(n === bytes.byteLength ? bytes : bytes.subarray(0, n));
      bt.pending = n === bytes.byteLength ? null : bytes.subarray(n);
      byteRespond(c, n);
    } else {
      // A default read takes the whole chunk, handed over without a copy or a detach.
      bt.pending = null;
      fulfillReadRequest(rs, bytes, false);
    }
    if (bt.pending === null) {
      const w = bt.pendingWrite;
      bt.pendingWrite = null;
      w.resolve(undefined);
    }
  }
}

function byteTransformFail(bt, e) {
  bt.pending = null;
  if (bt.pendingWrite !== null) {
    const w = bt.pendingWrite;
    bt.pendingWrite = null;
    w.reject(e);
  }
}

function zeroSize() { return 0; }

function setUpByteTransform(self, expectedLength, highWaterMark) {
  const bt = new ByteTransformRec(self, expectedLength);
  self[kState] = bt;
  const source = {
    pull() { byteTransformDeliver(bt); },
    cancel(reason) {
      byteTransformFail(bt, reason);
      writableControllerErrorIfNeeded(bt.writable.controller, reason);
    },
  };
  bt.readable = createReadableByteStream(source, 0, undefined);
  if (expectedLength >= 0) bt.readable.knownLength = expectedLength;
  const sink = {
    write(chunk) { return byteTransformWrite(bt, chunk); },
    close() {
      const c = bt.readable.controller;
      if (bt.readable.state !== "readable") return;
      if (bt.expected >= 0 && bt.written < bt.expected) {
        // workerd resolves close() and errors the readable side.
        byteControllerError(c, new TypeError("FixedLengthStream did not see all expected bytes before close()."));
        return;
      }
      byteControllerClose(c);
      if (c.pendingPullIntos.length > 0) byteRespond(c, 0);
    },
    abort(reason) {
      byteTransformFail(bt, reason);
      byteControllerError(bt.readable.controller, reason);
    },
  };
  // Chunks count as size 0, so desiredSize stays at the highWaterMark as in workerd: a write's
  // own promise, settled once the reader took its bytes, is the backpressure.
  bt.writable = createWritableStream(sink, highWaterMark, zeroSize);
  // An abort must not wait for a write the reader may never take.
  bt.writable.controller.onAbort = (reason) => {
    byteTransformFail(bt, reason);
    byteControllerError(bt.readable.controller, reason);
  };
}

function byteTransformHighWaterMark(options, name) {
  if (options === undefined || options === null) return 1;
  if (!isObjectLike(options)) throw new TypeError(`Failed to construct '${name}': parameter is not of type 'QueuingStrategy'.`);
  const hwm = options.highWaterMark;
  if (hwm === undefined) return 1;
  return toNonNegativeInteger(hwm);
}

/** workerd's conversion of a number-or-bigint length. */
function toNonNegativeInteger(v) {
  if (typeof v === "bigint") {
    if (v < 0n) throw new TypeError("The value cannot be converted because it is negative and this API expects a positive bigint.");
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new TypeError("The value cannot be converted because it is too large.");
    return Number(v);
  }
  const n = Number(v);
  if (!Number.isInteger(n)) throw new TypeError("The value cannot be converted because it is not an integer.");
  if (n < 0) throw new TypeError("The value cannot be converted because it is negative and this API expects a positive bigint.");
  return n;
}

class IdentityTransformStream extends TransformStream {
  constructor(options = undefined) {
    super(kNoSetUp);
    if (options === kNoSetUp) return; // FixedLengthStream sets itself up
    setUpByteTransform(this, -1, byteTransformHighWaterMark(options, "IdentityTransformStream"));
  }
}
webidlInterface(IdentityTransformStream);

class FixedLengthStream extends IdentityTransformStream {
  constructor(expectedLength, options = undefined) {
    if (arguments.length < 1 || expectedLength === undefined) {
      throw new TypeError("Failed to construct 'FixedLengthStream': constructor parameter 1 is not of type 'bigint'.");
    }
    const length = toNonNegativeInteger(expectedLength);
    const hwm = byteTransformHighWaterMark(options, "FixedLengthStream");
    super(kNoSetUp);
    setUpByteTransform(this, length, hwm);
  }
}
webidlInterface(FixedLengthStream);

// The readable/writable getters serve both kinds of record.
Object.defineProperties(TransformStream.prototype, {
  readable: {
    get: function readable() {
      const rec = this?.[kState];
      if (!(rec instanceof TransformStreamRec) && !(rec instanceof ByteTransformRec)) throw illegalInvocation();
      return rec.readable.obj;
    },
    enumerable: true, configurable: true,
  },
  writable: {
    get: function writable() {
      const rec = this?.[kState];
      if (!(rec instanceof TransformStreamRec) && !(rec instanceof ByteTransformRec)) throw illegalInvocation();
      return rec.writable.obj;
    },
    enumerable: true, configurable: true,
  },
});

defineGlobal("TransformStream", TransformStream);
defineGlobal("TransformStreamDefaultController", TransformStreamDefaultController);
defineGlobal("IdentityTransformStream", IdentityTransformStream);
defineGlobal("FixedLengthStream", FixedLengthStream);
