// Event, CustomEvent, EventTarget, AbortController and AbortSignal, shaped like workerd's
// (which follows the DOM standard for a target with no tree: every dispatch is AT_TARGET).
// Observable choices that follow workerd rather than browsers:
//   - capture listeners are refused ("useCapture must be false"); passive is accepted;
//   - an `on<type>` property that holds a function runs before the listeners;
//   - a handler object's handleEvent is read when the listener is added;
//   - currentTarget stays set after dispatch, timeStamp is 0;
//   - a listener returning `true` cancels the event, other return values are warned about once.
// A listener that throws does not stop the others; the error is logged as uncaught.

const EVENT_NONE = 0, EVENT_CAPTURING_PHASE = 1, EVENT_AT_TARGET = 2, EVENT_BUBBLING_PHASE = 3;

function eventInitDict(init, where, dictName) {
  if (init === undefined || init === null) return undefined;
  if (typeof init !== "object" && typeof init !== "function") {
    throw new TypeError(`Failed to construct '${where}': constructor parameter 2 is not of type '${dictName}'.`);
  }
  return init;
}

function eventState(e) {
  const st = e instanceof Event ? e[kState] : undefined;
  if (st === undefined) throw illegalInvocation();
  return st;
}

class Event {
  constructor(type, eventInitDictionary = undefined) {
    if (arguments.length === 0) throw new TypeError("Failed to construct 'Event': constructor parameter 1 is not of type 'string'.");
    type = `${type}`;
    const init = eventInitDict(eventInitDictionary, "Event", "Init");
    this[kState] = {
      type,
      bubbles: init !== undefined && !!init.bubbles,
      cancelable: init !== undefined && !!init.cancelable,
      composed: init !== undefined && !!init.composed,
      trusted: false,
      dispatching: false,
      stopped: false,          // stopImmediatePropagation()
      propagationStopped: false,
      canceled: false,         // preventDefault() was called
      target: undefined,
    };
  }
  get type() { return eventState(this).type; }
  get eventPhase() { return eventState(this).dispatching ? EVENT_AT_TARGET : EVENT_NONE; }
  get composed() { return eventState(this).composed; }
  get bubbles() { return eventState(this).bubbles; }
  get cancelable() { return eventState(this).cancelable; }
  get defaultPrevented() { const st = eventState(this); return st.cancelable && st.canceled; }
  get returnValue() { const st = eventState(this); return !(st.cancelable && st.canceled); }
  get currentTarget() { return eventState(this).target; }
  get target() { return eventState(this).target; }
  get srcElement() { return eventState(this).target; }
  get timeStamp() { eventState(this); return 0; }
  get isTrusted() { return eventState(this).trusted; }
  get cancelBubble() { return eventState(this).propagationStopped; }
  set cancelBubble(value) { eventState(this).propagationStopped = !!value; }
  stopImmediatePropagation() { const st = eventState(this); st.stopped = true; st.propagationStopped = true; }
  preventDefault() { eventState(this).canceled = true; }
  stopPropagation() { eventState(this).propagationStopped = true; }
  composedPath() {
    const st = eventState(this);
    return st.dispatching ? [st.target] : [];
  }
}
for (const [name, value] of [["NONE", EVENT_NONE], ["CAPTURING_PHASE", EVENT_CAPTURING_PHASE], ["AT_TARGET", EVENT_AT_TARGET], ["BUBBLING_PHASE", EVENT_BUBBLING_PHASE]]) {
  const desc = { value, writable: false, enumerable: true, configurable: false };
  Object.defineProperty(Event, name, desc);
  Object.defineProperty(Event.prototype, name, desc);
}
webidlInterface(Event);

/** An event the runtime makes itself (isTrusted is true). */
function createTrustedEvent(type, init) {
  const e = new Event(type, init);
  e[kState].trusted = true;
  return e;
}

class CustomEvent extends Event {
  constructor(type, eventInitDictionary = undefined) {
    if (arguments.length === 0) throw new TypeError("Failed to construct 'CustomEvent': constructor parameter 1 is not of type 'string'.");
    const init = eventInitDict(eventInitDictionary, "CustomEvent", "CustomEventInit");
    super(type, init);
    this[kState].detail = init === undefined ? undefined : init.detail;
  }
  get detail() { return eventState(this).detail; }
}
webidlInterface(CustomEvent);

// ---- EventTarget --------------------------------------------------------------------------

function targetState(t) {
  const st = t instanceof EventTarget ? t[kState] : undefined;
  if (st === undefined || st.listeners === undefined) throw illegalInvocation();
  return st;
}

function reportUncaught(e) {
  let text;
  if (e instanceof Error || isDOMException(e)) text = e.stack || `${e.name}: ${e.message}`;
  else {
    try { text = typeof inspect === "function" ? inspect(e) : String(e); } catch { text = "(unprintable value)"; }
  }
  ops.log(4, `Uncaught ${text}`);
}

// What a listener's exception becomes: DOM's "inner invoke" reports it (HTML's "report an
// exception": the global scope's `error` event, then the log). 81_global_scope.js sets it once
// ErrorEvent exists; until then (built-ins loading) it is only logged.
let reportListenerException = reportUncaught;

function parseAddListenerOptions(options) {
  const parsed = { once: false, signal: undefined };
  if (options === undefined || options === null) return parsed;
  if (typeof options !== "object" && typeof options !== "function") {
    if (options) throw new TypeError("addEventListener(): useCapture must be false.");
    return parsed;
  }
  if (options.capture) throw new TypeError("addEventListener(): options.capture must be false.");
  void options.passive; // accepted: listeners here never block anything
  parsed.once = !!options.once;
  const signal = options.signal;
  if (signal !== undefined) {
    if (!(signal instanceof AbortSignal)) {
      throw new TypeError("Incorrect type for the 'signal' field on 'AddEventListenerOptions': the provided value is not of type 'AbortSignal'.");
    }
    parsed.signal = signal;
  }
  return parsed;
}

function removeListenerEntry(st, type, entry) {
  const list = st.listeners.get(type);
  if (list === undefined) return;
  const i = list.indexOf(entry);
  if (i < 0) return;
  list.splice(i, 1);
  if (list.length === 0) st.listeners.delete(type);
  entry.removed = true;
  if (entry.signal !== undefined) entry.signal[kState].algorithms.delete(entry.onSignalAbort);
}

function addListener(st, type, listener, options) {
  let callback, thisArg;
  if (typeof listener === "function") {
    callback = listener;
  } else if (listener !== null && typeof listener === "object") {
    callback = listener.handleEvent;
    if (typeof callback !== "function") {
      throw new TypeError("Incorrect type for the 'handleEvent' field on 'HandlerObject': the provided value is not of type 'function'.");
    }
    thisArg = listener;
  } else {
    throw new TypeError("Failed to execute 'addEventListener' on 'EventTarget': parameter 2 is not of type 'function or HandlerObject'.");
  }
  const { once, signal } = parseAddListenerOptions(options);
  if (signal !== undefined && signal[kState].aborted) return;
  let list = st.listeners.get(type);
  if (list === undefined) { list = []; st.listeners.set(type, list); }
  for (const existing of list) if (existing.listener === listener) return;
  const entry = { listener, callback, thisArg, once, signal, onSignalAbort: undefined, removed: false };
  if (signal !== undefined) {
    entry.onSignalAbort = () => removeListenerEntry(st, type, entry);
    signal[kState].algorithms.add(entry.onSignalAbort);
  }
  list.push(entry);
}

function removeListener(st, type, listener, options) {
  if (options !== undefined && options !== null) {
    if (typeof options === "object" || typeof options === "function") {
      if (options.capture) throw new TypeError("removeEventListener(): options.capture must be false.");
    } else if (options) {
      throw new TypeError("removeEventListener(): useCapture must be false.");
    }
  }
  if (listener === null || listener === undefined) return;
  const list = st.listeners.get(type);
  if (list === undefined) return;
  for (const entry of list) {
    if (entry.listener === listener) { removeListenerEntry(st, type, entry); return; }
  }
}

function warnHandlerReturn(st, value) {
  if (!st.warnOnReturn) return;
  st.warnOnReturn = false;
  if (value instanceof Promise) {
    ops.log(3, "An event handler returned a promise that will be ignored. Event handlers should not have a return value and should not be async functions.");
  } else {
    ops.log(3, `An event handler returned a value of type "${typeof value}" that will be ignored. Event handlers should not have a return value.`);
  }
}

/** Calls one listener; returns false when it threw and `onThrow` took the exception. */
function invokeListener(st, callback, thisArg, event, onThrow) {
  let result;
  try {
    result = callback.call(thisArg, event);
  } catch (e) {
    if (onThrow === undefined) { reportListenerException(e); return true; }
    onThrow(e);
    return false;
  }
  if (result === undefined) return true;
  if (result === true) event[kState].canceled = true;
  if (typeof result !== "boolean") warnHandlerReturn(st, result);
  return true;
}

/**
 * Dispatches `event` at a target whose state is `st`; `self` is the target as handlers see it.
 * A listener's exception is reported and the others still run (DOM's "inner invoke"), unless
 * `onThrow` is given: then dispatch stops there and `onThrow` gets the exception instead, which
 * is what workerd does for the events a WebSocket delivers.
 */
function dispatchAt(st, self, event, onThrow = undefined) {
  const es = event[kState];
  if (es.dispatching) throw new DOMException("The event is already being dispatched.", "InvalidStateError");
  es.dispatching = true;
  es.target = self;
  es.canceled = false;
  try {
    const type = es.type;
    // An `on<type>` property holding a function runs first.
    let onHandler;
    try { onHandler = st.onHolder["on" + type]; } catch (e) { reportListenerException(e); }
    if (typeof onHandler === "function" && !es.stopped && !invokeListener(st, onHandler, self, event, onThrow)) return !es.canceled;
    const list = st.listeners.get(type);
    if (list !== undefined) {
      // Listeners added during this dispatch do not run; removed ones are skipped.
      for (const entry of list.slice()) {
        if (es.stopped) break;
        if (entry.removed) continue;
        if (entry.once) removeListenerEntry(st, type, entry);
        if (!invokeListener(st, entry.callback, entry.thisArg === undefined ? self : entry.thisArg, event, onThrow)) break;
      }
    }
  } finally {
    es.dispatching = false;
  }
  return !es.canceled;
}

function newTargetState(onHolder) {
  return { listeners: new Map(), warnOnReturn: true, onHolder };
}

class EventTarget {
  constructor() {
    this[kState] = newTargetState(this);
  }
  addEventListener(type, listener, options = undefined) {
    const st = targetState(this);
    if (arguments.length === 0) throw new TypeError("Failed to execute 'addEventListener' on 'EventTarget': parameter 1 is not of type 'string'.");
    type = `${type}`;
    if (listener === null) return;
    addListener(st, type, listener, options);
  }
  removeEventListener(type, listener, options = undefined) {
    const st = targetState(this);
    if (arguments.length === 0) throw new TypeError("Failed to execute 'removeEventListener' on 'EventTarget': parameter 1 is not of type 'string'.");
    removeListener(st, `${type}`, listener, options);
  }
  dispatchEvent(event) {
    const st = targetState(this);
    if (!(event instanceof Event) || event[kState] === undefined) {
      throw new TypeError("Failed to execute 'dispatchEvent' on 'EventTarget': parameter 1 is not of type 'Event'.");
    }
    return dispatchAt(st, this, event);
  }
}
webidlInterface(EventTarget);

// ---- AbortController / AbortSignal -----------------------------------------------------------

const kAbortSignalToken = Symbol("flint.abortSignal");

function signalState(s) {
  const st = s instanceof AbortSignal ? s[kState] : undefined;
  if (st === undefined || st.algorithms === undefined) throw illegalInvocation();
  return st;
}

function newAbortSignal() {
  return new AbortSignal(kAbortSignalToken);
}

function defaultAbortReason() {
  return new DOMException("The operation was aborted", "AbortError");
}

/**
 * Aborts a signal: sets its reason, aborts signals made by AbortSignal.any() that follow it,
 * runs internal abort steps, then fires "abort" at each (the signal first).
 */
function signalAbort(signal, reason) {
  const st = signal[kState];
  if (st.aborted) return;
  if (reason === undefined) reason = defaultAbortReason();
  st.aborted = true;
  st.reason = reason;
  const dependents = [];
  if (st.dependents !== undefined) {
    for (const dep of st.dependents) {
      const ds = dep[kState];
      if (ds.aborted) continue;
      ds.aborted = true;
      ds.reason = reason;
      dependents.push(dep);
    }
    st.dependents = undefined;
  }
  runAbortSteps(signal);
  for (const dep of dependents) runAbortSteps(dep);
}

function runAbortSteps(signal) {
  const st = signal[kState];
  const algorithms = [...st.algorithms];
  st.algorithms.clear();
  for (const algorithm of algorithms) {
    try { algorithm(st.reason); } catch (e) { reportUncaught(e); }
  }
  dispatchAt(st, signal, createTrustedEvent("abort"));
  // Nothing else can happen to an aborted signal: let its listeners go (as workerd does).
  st.listeners.clear();
}

/** Internal: runs `algorithm(reason)` when the signal aborts; returns a function that unsubscribes. */
function onSignalAbort(signal, algorithm) {
  const st = signal[kState];
  if (st.aborted) { algorithm(st.reason); return () => {}; }
  st.algorithms.add(algorithm);
  return () => st.algorithms.delete(algorithm);
}

class AbortSignal extends EventTarget {
  constructor(token = undefined) {
    if (token !== kAbortSignalToken) throw new TypeError("Illegal constructor");
    super();
    const st = this[kState];
    st.aborted = false;
    st.reason = undefined;
    st.onabort = null;
    st.algorithms = new Set();
    st.dependents = undefined; // signals made by AbortSignal.any() that follow this one
  }

  static abort(reason = undefined) {
    const signal = newAbortSignal();
    const st = signal[kState];
    st.aborted = true;
    st.reason = reason === undefined ? defaultAbortReason() : reason;
    return signal;
  }

  static timeout(delay) {
    if (arguments.length === 0) throw new TypeError("Failed to execute 'timeout' on 'AbortSignal': parameter 1 is not of type 'number'.");
    requireHandlerScope();
    delay = Number(delay);
    const signal = newAbortSignal();
    // The internal timer keeps the signal alive until it fires (or its event is over).
    startTimer(() => signalAbort(signal, new DOMException("The operation was aborted due to timeout", "TimeoutError")), delay, [], false, true);
    return signal;
  }

  static any(signals) {
    if (!Array.isArray(signals)) throw new TypeError("Failed to execute 'any' on 'AbortSignal': parameter 1 is not of type 'Array'.");
    const list = [...signals];
    for (let i = 0; i < list.length; i++) {
      if (!(list[i] instanceof AbortSignal)) {
        throw new TypeError(`Incorrect type for array element ${i}: the provided value is not of type 'AbortSignal'.`);
      }
    }
    for (const s of list) {
      const st = s[kState];
      if (st.aborted) return AbortSignal.abort(st.reason);
    }
    const result = newAbortSignal();
    if (list.length === 0) return result;
    const rs = result[kState];
    const sources = new Set();
    for (const s of list) {
      // A signal that itself follows others is replaced by what it follows.
      const st = s[kState];
      if (st.sources !== undefined) { for (const src of st.sources) sources.add(src); }
      else sources.add(s);
    }
    rs.sources = sources;
    // Held strongly (as workerd does) so listeners on the result still run when nothing else
    // references it; they are let go when the source aborts.
    for (const src of sources) {
      const ss = src[kState];
      if (ss.dependents === undefined) ss.dependents = new Set();
      ss.dependents.add(result);
    }
    return result;
  }

  get aborted() { return signalState(this).aborted; }
  get reason() { return signalState(this).reason; }
  get onabort() { return signalState(this).onabort; }
  set onabort(value) {
    const st = signalState(this);
    st.onabort = typeof value === "function" || (value !== null && typeof value === "object") ? value : null;
  }
  throwIfAborted() {
    const st = signalState(this);
    if (st.aborted) throw st.reason;
  }
}
webidlInterface(AbortSignal);

class AbortController {
  constructor() {
    this[kState] = { signal: newAbortSignal() };
  }
  get signal() {
    const st = this instanceof AbortController ? this[kState] : undefined;
    if (st === undefined) throw illegalInvocation();
    return st.signal;
  }
  abort(reason = undefined) {
    const st = this instanceof AbortController ? this[kState] : undefined;
    if (st === undefined) throw illegalInvocation();
    signalAbort(st.signal, reason);
  }
}
webidlInterface(AbortController);

defineGlobal("Event", Event);
defineGlobal("CustomEvent", CustomEvent);
defineGlobal("EventTarget", EventTarget);
defineGlobal("AbortController", AbortController);
defineGlobal("AbortSignal", AbortSignal);

// ---- the global scope as an event target ------------------------------------------------------
// Workers' global scope is an EventTarget. Its listeners live in a hidden target; `this` in a
// listener is globalThis, and `globalThis.on<type>` counts as an on-handler.
const globalTargetState = newTargetState(globalThis);

defineGlobal("addEventListener", function addEventListener(type, listener, options = undefined) {
  if (arguments.length === 0) throw new TypeError("Failed to execute 'addEventListener' on 'EventTarget': parameter 1 is not of type 'string'.");
  if (listener === null) return;
  addListener(globalTargetState, `${type}`, listener, options);
});
defineGlobal("removeEventListener", function removeEventListener(type, listener, options = undefined) {
  if (arguments.length === 0) throw new TypeError("Failed to execute 'removeEventListener' on 'EventTarget': parameter 1 is not of type 'string'.");
  removeListener(globalTargetState, `${type}`, listener, options);
});
defineGlobal("dispatchEvent", function dispatchEvent(event) {
  if (!(event instanceof Event) || event[kState] === undefined) {
    throw new TypeError("Failed to execute 'dispatchEvent' on 'EventTarget': parameter 1 is not of type 'Event'.");
  }
  return dispatchAt(globalTargetState, globalThis, event);
});

/** The listeners added with the global addEventListener for `type` (functions or handler objects). */
function globalEventListeners(type) {
  const list = globalTargetState.listeners.get(type);
  return list === undefined ? [] : list.map((entry) => entry.listener);
}
