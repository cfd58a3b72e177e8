// Timers: the host keeps one .NET timer per pending JS timer and posts its expiry back
// into this isolate's event loop, which calls fireTimer.
//
// A Worker's timers belong to the event that set them, as in workerd, where they live in the
// request's I/O context: when the event is over (its response sent, its waitUntil work settled)
// its pending timers and intervals are cancelled. A Durable Object's timers belong to the
// instance instead (workerd gives an actor one context for all its events) and end with it.
// The built-ins' own timers (WebSocket flushes, port messages, timeouts they enforce) have no
// owner.

const timers = new Map();
let nextTimerId = 1;

function startTimer(callback, delay, args, repeat, owned = false, gated = true) {
  if (typeof callback !== "function") {
    throw new TypeError("The \"callback\" argument must be of type function.");
  }
  const id = nextTimerId++;
  delay = Number(delay);
  if (!(delay >= 0) || !Number.isFinite(delay)) delay = 0;
  if (delay > 2147483647) delay = 2147483647;
  if (owned && endedContext(currentEvent)) return id; // never fires, as in workerd (no timer outlives its context)
  const owner = owned ? timerOwner() : null;
  // gate: where it fires in a Durable Object, through its input gate (88_durable_objects.js).
  MapPrototypeSet(timers, id, { callback, args, delay, repeat, event: currentEvent, frame: currentAsyncFrame(), owner,
    gate: gated ? gateScopeNow() : null });
  if (owner !== null) MapPrototypeSet(owner.timers ??= new Map(), id, true);
  ops.timerStart(id, delay);
  return id;
}

/**
 * True when code runs for an event that is over and owned what it started: a WebSocket's context
 * after the socket closed (its close listener, after an await), a fetch's after it finished.
 * wrangler dev never fires a timer set then (an interval in a close listener after `await` ticked
 * on forever here).
 */
function endedContext(event) {
  return event !== null && event.done && event.timers !== undefined && (event.actor === null || event.actor === undefined) && !event.timersOutlive;
}

/** What a Worker's timer ends with: the object it runs in, else its event (none once that is over). */
function timerOwner() {
  const event = currentEvent;
  if (event === null || event.done) return null;
  if (event.actor !== null && event.actor !== undefined) return event.actor;
  return event.timers === undefined ? null : event;
}

function clearTimer(id) {
  id = Number(id);
  const t = MapPrototypeGet(timers, id);
  if (t === undefined) return;
  MapPrototypeDelete(timers, id);
  if (t.owner !== null) MapPrototypeDelete(t.owner.timers, id);
  ops.timerCancel(id);
}

/** The owner is over: its pending timers never fire. */
function cancelOwnedTimers(owner) {
  if (owner.timers === null) return;
  const ids = [];
  MapPrototypeForEach(owner.timers, (_, id) => ArrayPrototypePush(ids, id));
  for (let i = 0; i < ids.length; i++) clearTimer(ids[i]);
}

function fireTimer(id) {
  const t = MapPrototypeGet(timers, id);
  if (t === undefined) return;
  if (t.gate !== null && gateHolds(t.gate, () => fireTimer(id))) return;
  if (t.repeat) ops.timerStart(id, t.delay);
  else {
    MapPrototypeDelete(timers, id);
    if (t.owner !== null) MapPrototypeDelete(t.owner.timers, id);
  }
  currentEvent = t.event;
  if (t.frame === undefined) ReflectApply(t.callback, globalThis, t.args);
  else runInAsyncFrame(t.frame, t.callback, globalThis, t.args);
}

/** setTimeout and the like, as Worker code calls them. */
function startWorkerTimer(callback, delay, args, repeat) {
  requireHandlerScope();
  return startTimer(callback, delay, args, repeat, true);
}

function clearWorkerTimer(id) {
  requireHandlerScope();
  clearTimer(id);
}

defineGlobal("setTimeout", function setTimeout(callback, delay = 0, ...args) { return startWorkerTimer(callback, delay, args, false); });
defineGlobal("setInterval", function setInterval(callback, delay = 0, ...args) { return startWorkerTimer(callback, delay, args, true); });
defineGlobal("clearTimeout", function clearTimeout(id) { clearWorkerTimer(id); });
defineGlobal("clearInterval", function clearInterval(id) { clearWorkerTimer(id); });
defineGlobal("queueMicrotask", function queueMicrotask(callback) {
  if (typeof callback !== "function") throw new TypeError("Failed to execute 'queueMicrotask': parameter 1 is not of type 'Function'.");
  PromisePrototypeThen(PromiseResolve(), () => callback());
});
