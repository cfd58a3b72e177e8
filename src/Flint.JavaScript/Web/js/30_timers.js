// Timers: the host keeps one .NET timer per pending JS timer and posts its expiry back
// into this isolate's event loop, which calls fireTimer.

const timers = new Map();
let nextTimerId = 1;

function startTimer(callback, delay, args, repeat, gated = true) {
  if (typeof callback !== "function") {
    throw new TypeError("The \"callback\" argument must be of type function.");
  }
  const id = nextTimerId++;
  delay = Number(delay);
  if (!(delay >= 0) || !Number.isFinite(delay)) delay = 0;
  if (delay > 2147483647) delay = 2147483647;
  MapPrototypeSet(timers, id, { callback, args, delay, repeat, event: currentEvent, frame: currentAsyncFrame(),
    gate: gated ? gateScopeNow() : null }); // a Durable Object's input gate (88_durable_objects.js)
  ops.timerStart(id, delay);
  return id;
}

function clearTimer(id) {
  id = Number(id);
  if (MapPrototypeDelete(timers, id)) ops.timerCancel(id);
}

function fireTimer(id) {
  const t = MapPrototypeGet(timers, id);
  if (t === undefined) return;
  if (t.gate !== null && gateHolds(t.gate, () => fireTimer(id))) return;
  if (t.repeat) ops.timerStart(id, t.delay);
  else MapPrototypeDelete(timers, id);
  currentEvent = t.event;
  if (t.frame === undefined) ReflectApply(t.callback, globalThis, t.args);
  else runInAsyncFrame(t.frame, t.callback, globalThis, t.args);
}

defineGlobal("setTimeout", function setTimeout(callback, delay = 0, ...args) { return startTimer(callback, delay, args, false); });
defineGlobal("setInterval", function setInterval(callback, delay = 0, ...args) { return startTimer(callback, delay, args, true); });
defineGlobal("clearTimeout", function clearTimeout(id) { clearTimer(id); });
defineGlobal("clearInterval", function clearInterval(id) { clearTimer(id); });
defineGlobal("queueMicrotask", function queueMicrotask(callback) {
  if (typeof callback !== "function") throw new TypeError("Failed to execute 'queueMicrotask': parameter 1 is not of type 'Function'.");
  PromisePrototypeThen(PromiseResolve(), () => callback());
});
