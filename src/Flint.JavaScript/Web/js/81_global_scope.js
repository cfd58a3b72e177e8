// The rest of the Workers global scope: ErrorEvent and reportError(), PromiseRejectionEvent with
// the `unhandledrejection` / `rejectionhandled` events, MessageEvent, MessageChannel and
// MessagePort, and `scheduler.wait()`.
//
// Choices, checked against workerd (2026-11) and the HTML standard:
//   - reportError(e) fires a cancelable ErrorEvent "error" at the global scope (message
//     "Uncaught <e>", error e, as workerd gives); if no listener cancels it, it is logged as uncaught.
//     An exception thrown by any event listener is reported the same way (DOM's "inner invoke").
//   - Unhandled rejections: V8 tells the host (WorkerIsolate's promise rejection callback) and
//     the host calls trackRejection/dispatchRejections after the turn's microtasks, so a promise
//     handled within the same turn is never reported (HTML's "notify about rejected promises").
//     The event is cancelable as HTML says (workerd's is not); preventDefault() silences the log.
//     `rejectionhandled` follows for a reported promise that later gets a handler.
//   - PromiseRejectionEvent and ErrorEvent are constructible, as the standards say (workerd refuses
//     `new PromiseRejectionEvent`).
//   - MessagePort: messages are structured-cloned when posted (DataCloneError then), and delivered
//     as tasks, one per message, after the poster's microtasks, as HTML says (workerd uses a
//     microtask). As in workerd, a port delivers without start(); close() stops later messages.
//     ArrayBuffers in the transfer list are transferred (workerd refuses transfer lists).

// ErrorEvent and MessageEvent are defined with the WebSocket events (65_websocket.js).

// ---- PromiseRejectionEvent -------------------------------------------------------------------
const PromiseRejectionEventImpl = class PromiseRejectionEvent extends Event {
  constructor(type, eventInitDictionary = undefined) {
    if (arguments.length === 0) throw new TypeError("Failed to construct 'PromiseRejectionEvent': constructor parameter 1 is not of type 'string'.");
    const init = eventInitDict(eventInitDictionary, "PromiseRejectionEvent", "PromiseRejectionEventInit");
    if (init === undefined || init.promise === undefined) {
      throw new TypeError("Failed to construct 'PromiseRejectionEvent': required member promise is undefined.");
    }
    super(type, init);
    const st = this[kState];
    st.promise = init.promise;
    st.reason = init.reason;
  }
  get promise() { return eventState(this).promise; }
  get reason() { return eventState(this).reason; }
};
webidlInterface(PromiseRejectionEventImpl, "PromiseRejectionEvent");

// ---- reportError -------------------------------------------------------------------------------
function uncaughtText(e) {
  if (e instanceof Error || isDOMException(e)) return e.stack || `${e.name}: ${e.message}`;
  try { return typeof inspect === "function" ? inspect(e) : String(e); } catch { return "(unprintable value)"; }
}

function shortText(e) {
  try { return String(e); } catch { return uncaughtText(e); }
}

let inErrorReporting = false;

/**
 * HTML's "report an exception": an ErrorEvent at the global scope, then the log unless canceled.
 * An exception thrown by an `error` listener meanwhile is only logged ("error reporting mode"),
 * so a throwing error listener cannot recurse.
 */
function reportException(error) {
  if (inErrorReporting) { ops.log(4, `Uncaught ${uncaughtText(error)}`); return; }
  inErrorReporting = true;
  try {
    const event = new ErrorEvent("error", { message: `Uncaught ${shortText(error)}`, error, cancelable: true });
    event[kState].trusted = true;
    let notCanceled = true;
    try { notCanceled = dispatchAt(globalTargetState, globalThis, event); } catch { /* already dispatching */ }
    if (notCanceled) ops.log(4, `Uncaught ${uncaughtText(error)}`);
  } finally {
    inErrorReporting = false;
  }
}
reportListenerException = reportException;

defineGlobal("reportError", function reportError(error) {
  if (arguments.length === 0) throw new TypeError("Failed to execute 'reportError' on 'ServiceWorkerGlobalScope': parameter 1 is not of type 'Value'.");
  reportException(error);
});

// ---- unhandled rejections ------------------------------------------------------------------------
const pendingRejections = new Map();     // promise -> [reason, event], rejected without a handler this turn
const reportedRejections = new WeakMap(); // promise -> reason, reported by an unhandledrejection event
const handledRejections = [];            // reported promises that got a handler since

/** Host: V8 said `promise` was rejected without a handler (kind 1) or got a handler afterwards (kind 2). */
function trackRejection(kind, promise, reason) {
  if (kind === 1) { MapPrototypeSet(pendingRejections, promise, [reason, currentEvent]); return; }
  if (MapPrototypeHas(pendingRejections, promise)) MapPrototypeDelete(pendingRejections, promise);
  else if (WeakMapPrototypeHas(reportedRejections, promise)) ArrayPrototypePush(handledRejections, promise);
}

function dispatchRejections() {
  const unhandled = [];
  MapPrototypeForEach(pendingRejections, (entry, promise) => { ArrayPrototypePush(unhandled, promise, entry); });
  MapPrototypeClear(pendingRejections);
  const handled = ArrayPrototypeSplice(handledRejections, 0);
  for (let i = 0; i < unhandled.length; i += 2) {
    const promise = unhandled[i], entry = unhandled[i + 1], reason = entry[0];
    // The listeners run in the event whose code rejected it (the host reports after that turn).
    currentEvent = entry[1];
    WeakMapPrototypeSet(reportedRejections, promise, reason);
    const event = new PromiseRejectionEventImpl("unhandledrejection", { promise, reason, cancelable: true });
    event[kState].trusted = true;
    let notCanceled = true;
    try { notCanceled = dispatchAt(globalTargetState, globalThis, event); } catch { /* already dispatching */ }
    if (notCanceled) ops.log(4, `Uncaught (in promise) ${uncaughtText(reason)}`);
  }
  for (let i = 0; i < handled.length; i++) {
    const promise = handled[i];
    const reason = WeakMapPrototypeGet(reportedRejections, promise);
    WeakMapPrototypeDelete(reportedRejections, promise);
    const event = new PromiseRejectionEventImpl("rejectionhandled", { promise, reason });
    event[kState].trusted = true;
    try { dispatchAt(globalTargetState, globalThis, event); } catch { /* already dispatching */ }
  }
}

// ---- MessageChannel / MessagePort -----------------------------------------------------------------
const kMessagePortToken = Symbol("flint.messagePort");

function portState(p) {
  const st = p instanceof MessagePortImpl ? p[kState] : undefined;
  if (st === undefined || st.queue === undefined) throw illegalInvocation();
  return st;
}

function deliverPortMessage(port) {
  const st = port[kState];
  const data = st.queue.shift();
  if (st.closed) return;
  const event = new MessageEvent("message", { data });
  // An init's undefined data means "absent" (null); a posted undefined arrives as undefined.
  if (data === undefined) Object.defineProperty(event, "data", { value: undefined, writable: false, enumerable: true, configurable: true });
  event[kState].trusted = true;
  dispatchAt(st, port, event);
}

const MessagePortImpl = class MessagePort extends EventTarget {
  constructor(token = undefined) {
    if (token !== kMessagePortToken) throw new TypeError("Illegal constructor");
    super();
    const st = this[kState];
    st.onmessage = null;
    st.other = null;
    st.closed = false;
    st.queue = [];
  }
  postMessage(message = undefined, transfer = undefined) {
    const st = portState(this);
    let list;
    if (Array.isArray(transfer)) list = transfer;
    else if (transfer !== undefined && transfer !== null) {
      if (typeof transfer !== "object") throw new TypeError("Failed to execute 'postMessage' on 'MessagePort': parameter 2 is not of type 'StructuredSerializeOptions'.");
      list = transfer.transfer;
    }
    // Serialized now, so later changes to the message are not seen and errors are thrown here.
    const data = list === undefined ? structuredClone(message) : structuredClone(message, { transfer: list });
    const target = st.other;
    if (st.closed || target === null) return;
    const ts = target[kState];
    if (ts.closed) return;
    ts.queue.push(data);
    startTimer(deliverPortMessage, 0, [target], false);
  }
  start() { portState(this); }
  close() {
    const st = portState(this);
    st.closed = true;
    if (st.other !== null) { st.other[kState].other = null; st.other = null; }
  }
  get onmessage() { return portState(this).onmessage; }
  set onmessage(value) {
    const st = portState(this);
    st.onmessage = typeof value === "function" || (value !== null && typeof value === "object") ? value : null;
  }
};
webidlInterface(MessagePortImpl, "MessagePort");

const MessageChannelImpl = class MessageChannel {
  constructor() {
    const port1 = new MessagePortImpl(kMessagePortToken), port2 = new MessagePortImpl(kMessagePortToken);
    port1[kState].other = port2;
    port2[kState].other = port1;
    this[kState] = { port1, port2 };
  }
  get port1() { return channelState(this).port1; }
  get port2() { return channelState(this).port2; }
};
function channelState(c) {
  const st = c instanceof MessageChannelImpl ? c[kState] : undefined;
  if (st === undefined) throw illegalInvocation();
  return st;
}
webidlInterface(MessageChannelImpl, "MessageChannel");

// ---- scheduler -------------------------------------------------------------------------------------
const SchedulerImpl = class Scheduler {
  constructor() { throw new TypeError("Illegal constructor"); }
  wait(delay = 0, options = undefined) {
    try { requireHandlerScope(); } catch (e) { return Promise.reject(e); }
    let signal;
    if (options !== undefined && options !== null) {
      if (typeof options !== "object" && typeof options !== "function") {
        return Promise.reject(new TypeError("Failed to execute 'wait' on 'Scheduler': parameter 2 is not of type 'WaitOptions'."));
      }
      signal = options.signal;
      if (signal !== undefined && !(signal instanceof AbortSignal)) {
        return Promise.reject(new TypeError("Incorrect type for the 'signal' field on 'WaitOptions': the provided value is not of type 'AbortSignal'."));
      }
    }
    if (signal !== undefined && signal[kState].aborted) return Promise.reject(signal[kState].reason);
    return new Promise((resolve, reject) => {
      let unsubscribe = () => {};
      const id = startTimer(() => { unsubscribe(); resolve(undefined); }, delay, [], false, true);
      if (signal !== undefined) unsubscribe = onSignalAbort(signal, (reason) => { clearTimer(id); reject(reason); });
    });
  }
};
webidlInterface(SchedulerImpl, "Scheduler");

defineGlobal("PromiseRejectionEvent", PromiseRejectionEventImpl);
defineGlobal("MessageChannel", MessageChannelImpl);
defineGlobal("MessagePort", MessagePortImpl);
defineGlobal("Scheduler", SchedulerImpl);
defineGlobal("scheduler", Object.create(SchedulerImpl.prototype));
