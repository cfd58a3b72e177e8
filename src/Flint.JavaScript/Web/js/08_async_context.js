// Async context: the frame AsyncLocalStorage reads, carried across `await`, promise reactions and
// queueMicrotask by V8 itself (its continuation-preserved embedder data, see
// Node/ContinuationData.cs), and across timers by 30_timers.js. A frame is an immutable Map from
// AsyncLocalStorage instance to its store; undefined is the empty frame.

const asyncContextCell = [undefined];
// Why async context cannot be tracked in this isolate, or null when it can.
let asyncContextProblem = "not initialized";
// False until a frame is first entered: until then every continuation runs in the empty frame, so
// timers and entries skip the host calls.
let asyncContextActive = false;

function initAsyncContext() {
  Object.defineProperty(globalThis, "__flint_async_context_cell", { value: asyncContextCell, configurable: true });
  try {
    asyncContextProblem = ops.asyncContextInit();
  } finally {
    delete globalThis.__flint_async_context_cell;
  }
  if (asyncContextProblem !== null) return;
  // Round trip: a V8 built without continuation data would take the value and give back undefined.
  const probe = {};
  setAsyncFrame(probe);
  ops.asyncContextGet();
  const back = asyncContextCell[0];
  asyncContextCell[0] = undefined;
  setAsyncFrame(undefined);
  if (back !== probe) asyncContextProblem = "V8 does not keep continuation data in this build.";
}

function setAsyncFrame(frame) {
  asyncContextCell[0] = frame;
  ops.asyncContextSet();
  asyncContextCell[0] = undefined;
}

/** The frame of the code running now (undefined: empty). */
function currentAsyncFrame() {
  if (!asyncContextActive) return undefined;
  ops.asyncContextGet();
  const frame = asyncContextCell[0];
  asyncContextCell[0] = undefined;
  return frame;
}

/** Calls fn with `frame` as the current frame; what it starts (awaits, timers) keeps it. */
function runInAsyncFrame(frame, fn, thisArg, args) {
  if (asyncContextProblem !== null) {
    throw new Error(`AsyncLocalStorage cannot follow async work in this isolate (${asyncContextProblem}), so Flint refuses to run it rather than lose its store.`);
  }
  asyncContextActive = true;
  const previous = currentAsyncFrame();
  setAsyncFrame(frame);
  try {
    return ReflectApply(fn, thisArg, args);
  } finally {
    setAsyncFrame(previous);
  }
}

initAsyncContext();
