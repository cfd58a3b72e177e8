// The Worker runtime: how events from the host reach the Worker's handlers (module
// `export default { fetch }`, a `WorkerEntrypoint` class, or service-worker listeners), and
// how responses, body chunks and event completion go back. The host calls the functions
// in the object this file returns; nothing here is reachable from Worker code.

let worker = null;          // { kind: "module" | "service-worker", exports }
let env = {};
let defaultCfJson = null;
const swListeners = new Map(); // type -> [listener]

// ---- cloudflare:workers ---------------------------------------------------------------
class WorkerEntrypoint {
  constructor(ctx, env) { this.ctx = ctx; this.env = env; }
}
class DurableObject {
  constructor(ctx, env) { this.ctx = ctx; this.env = env; }
}
class WorkflowEntrypoint {
  constructor(ctx, env) { this.ctx = ctx; this.env = env; }
}
const cloudflareWorkersModule = {
  WorkerEntrypoint, DurableObject, WorkflowEntrypoint, RpcTarget, RpcStub: RpcStubConstructor,
  get env() { return env; },
  waitUntil(promise) {
    const event = currentEvent;
    if (event === null) throw new Error("waitUntil() can only be called while handling an event.");
    event.waitUntil(promise);
  },
};
registerBuiltinModule("cloudflare:workers", ["WorkerEntrypoint", "DurableObject", "WorkflowEntrypoint", "RpcTarget", "RpcStub", "env", "waitUntil"],
  () => cloudflareWorkersModule);

// ---- execution context -------------------------------------------------------------------
class ExecutionContext {
  constructor() { throw new TypeError("Illegal constructor"); }
  waitUntil(promise) {
    requiredArguments(arguments.length, 1, "waitUntil");
    this[kState].waitUntil(promise);
  }
  passThroughOnException() { this[kState].passThrough = true; }
  get props() { return this[kState].props; }
}
webidlInterface(ExecutionContext);


class EventState {
  constructor(id) {
    this.id = id;
    this.pending = [];
    this.passThrough = false;
    this.props = {};
    this.responded = false;
    this.bodyDone = true;
    this.done = false;
    this.rpc = false;  // an RPC event: lasts while the stubs it gave out live (87_rpc.js)
    this.holds = 0;
    this.cleanups = []; // what the event owns and ends with it (its TCP sockets)
    this.waitUntilFailed = false;
    this.timers = null;      // the timers it set (a Map, made with the first), cancelled when it is over (30_timers.js)
    this.actor = null;       // the Durable Object it runs in, which owns its timers instead
    this.timersOutlive = false; // it answered with a WebSocket, whose messages its timers may send
    this.socketScope = null;    // then: the context that socket's events run in (65_websocket.js)
  }
  waitUntil(promise) {
    ArrayPrototypePush(this.pending, PromisePrototypeThen(PromiseResolve(promise), undefined, (e) => {
      this.waitUntilFailed = true; // a queue batch fails with its waitUntil work (82_queues.js)
      ops.log(LOG.error, `Uncaught (in promise) ${errorText(e)}`);
    }));
  }
  context() {
    const ctx = Object.create(ExecutionContext.prototype);
    ctx[kState] = this;
    return ctx;
  }
  /** Ends what the event owns: the stubs it gave out, its TCP sockets and, when told, its timers. */
  releaseOwned(timersToo) {
    dropEventRpc(this);
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    if (timersToo) cancelOwnedTimers(this);
  }
  /** Tells the host the event is over once its response is sent and waitUntil work settled. */
  finishWhenSettled() {
    if (!this.bodyDone || this.done || this.holds > 0) return;
    const finish = () => {
      if (this.done || this.holds > 0) return;
      this.done = true;
      this.releaseOwned(this.actor === null && !this.timersOutlive);
      ops.eventDone(this.id);
    };
    if (this.pending.length === 0) { finish(); return; }
    const settle = () => {
      const batch = this.pending;
      this.pending = [];
      whenAllSettled(batch, () => (this.pending.length === 0 ? finish() : settle()));
    };
    settle();
  }
}

function errorText(e) {
  if (e instanceof Error) return e.stack || `${e.name}: ${e.message}`;
  try { return `${inspect(e)}`; } catch { return String(e); }
}

// ---- fetch events ------------------------------------------------------------------------

/**
 * A request for the Worker's fetch handler. `routed` (a service binding's request): it goes to
 * `entrypoint` (null: the default export) with ctx.props from `propsJson`, and has no request.cf
 * unless the caller gave one.
 */
function dispatchFetch(id, method, url, headersFlat, bodyId, cfJson, entrypoint, propsJson, routed) {
  const event = new EventState(id);
  event.loopsLeft = loopsLeftOf(headersFlat);
  const cf = routed ? (cfJson ?? undefined) : (cfJson ?? defaultCfJson);
  const request = incomingRequest(method, url, headersFlat, bodyId, cf);
  if (routed && propsJson !== null && propsJson !== undefined) event.props = JSONParse(propsJson);
  let result;
  // The event this turn of the loop works for; microtasks of this turn belong to it too.
  currentEvent = event;
  try {
    result = invokeFetchHandler(request, event, routed ? entrypoint : null);
  } catch (e) {
    failEvent(event, e);
    return;
  }
  if (result instanceof Response) { sendResponse(event, result); return; }
  PromisePrototypeThen(PromiseResolve(result), (r) => sendResponse(event, r), (e) => failEvent(event, e));
}

function invokeFetchHandler(request, event, entrypoint) {
  if (worker === null) throw new Error("The Worker has not finished loading.");
  if (worker.kind === "module") {
    const handler = entrypoint === null || entrypoint === undefined ? worker.exports.default : worker.exports[entrypoint];
    if (typeof handler === "function" && handler.prototype instanceof WorkerEntrypoint) {
      const instance = new handler(event.context(), env);
      if (typeof instance.fetch !== "function") throw new Error("Handler does not export a fetch() function.");
      return instance.fetch(request);
    }
    if (handler === undefined || handler === null || typeof handler.fetch !== "function") {
      throw new Error("Handler does not export a fetch() function.");
    }
    return handler.fetch(request, env, event.context());
  }
  // Service-worker form: listeners call event.respondWith().
  const listeners = typeof globalEventListeners === "function" ? globalEventListeners("fetch") : (swListeners.get("fetch") || []);
  if (listeners.length === 0) throw new Error("No event handlers were registered. This script does nothing.");
  const fetchEvent = new FetchEvent(request, event);
  for (const listener of listeners) {
    if (typeof listener === "function") listener.call(globalThis, fetchEvent);
    else listener.handleEvent(fetchEvent);
  }
  const responded = fetchEvent[kState].response;
  if (responded === undefined) throw new Error("No response! The fetch event handler did not call event.respondWith().");
  return responded;
}

function sendResponse(event, response) {
  if (!(response instanceof Response)) {
    failEvent(event, new TypeError("Incorrect type for Promise: the Promise did not resolve to 'Response'."));
    return;
  }
  const st = response[kState];
  const body = st.body;
  if (bodyUsed(body)) {
    failEvent(event, new TypeError(BODY_USED));
    return;
  }
  const flatList = headersToFlat(st.headers);
  // A FixedLengthStream body has a known length: send it as Content-Length, as workerd does.
  const knownLength = body.kind === "stream" ? streamKnownLength(body.stream ?? body.value) : -1;
  if (knownLength >= 0 && !MapPrototypeHas(st.headers[kState].map, "content-length")) ArrayPrototypePush(flatList, "content-length", String(knownLength));
  if (st.webSocket !== null) {
    try { respondWebSocket(event, st); } catch (e) { failEvent(event, e); return; }
    event.finishWhenSettled();
    return;
  }
  const flat = ArrayPrototypeJoin(flatList, "\n");
  const statusText = st.statusText ?? defaultStatusText(st.status);
  event.responded = true;
  const manual = st.encodeBody === "manual";
  if (body.stream === null && (body.kind === "none" || body.kind === "text" || body.kind === "bytes")) {
    body.used = true;
    ops.respond(event.id, st.status, statusText, flat, body.value, 0, manual, 0);
    event.finishWhenSettled();
    return;
  }
  // A request or fetch body passed on unread goes from the host straight to the client.
  const hostId = takeUntouchedHostBody(body);
  body.used = true;
  if (hostId !== 0) {
    ops.respond(event.id, st.status, statusText, flat, null, 0, manual, hostId);
  } else {
    event.bodyDone = false;
    const streamId = registerJsStream(bodyStream(body), () => { event.bodyDone = true; event.finishWhenSettled(); });
    ops.respond(event.id, st.status, statusText, flat, null, streamId, manual, 0);
  }
  event.finishWhenSettled();
}

function failEvent(event, e) {
  const text = errorText(e);
  if (!event.responded) {
    event.responded = true;
    ops.respondError(event.id, text, event.passThrough);
  } else {
    ops.log(LOG.error, `Uncaught ${text}`);
  }
  event.finishWhenSettled();
}

// ---- service-worker form -----------------------------------------------------------------
class FetchEvent {
  constructor(request, event) {
    this[kState] = { request, event, response: undefined };
  }
  get type() { return "fetch"; }
  get request() { return this[kState].request; }
  respondWith(response) {
    const st = this[kState];
    if (st.response !== undefined) throw new DOMException("FetchEvent.respondWith() has already been called; it can only be called once.", "InvalidStateError");
    st.response = response;
  }
  waitUntil(promise) { this[kState].event.waitUntil(promise); }
  passThroughOnException() { this[kState].event.passThrough = true; }
}
webidlInterface(FetchEvent);
defineGlobal("FetchEvent", FetchEvent);
defineGlobal("ExecutionContext", ExecutionContext);

function addWorkerListener(type, listener) {
  if (listener === null || listener === undefined) return;
  type = String(type);
  const list = swListeners.get(type) || [];
  if (!list.includes(listener)) list.push(listener);
  swListeners.set(type, list);
}
function removeWorkerListener(type, listener) {
  const list = swListeners.get(String(type));
  if (list) { const i = list.indexOf(listener); if (i >= 0) list.splice(i, 1); }
}
if (typeof globalThis.addEventListener !== "function") {
  defineGlobal("addEventListener", function addEventListener(type, listener) { addWorkerListener(type, listener); });
  defineGlobal("removeEventListener", function removeEventListener(type, listener) { removeWorkerListener(type, listener); });
}

// ---- loading -----------------------------------------------------------------------------
function configure(envJson, cfJson, bindingsJson, subrequests) {
  env = JSONParse(envJson);
  processEnvSource = envJson;
  if (subrequests > 0) subrequestLimit = subrequests;
  createBindings(JSONParse(bindingsJson || "[]"), env);
  defaultCfJson = cfJson;
  lockDownBuiltins([env, cloudflareWorkersModule]);
}

/** Service-worker scripts see their bindings as globals; call before running the script. */
function exposeEnvAsGlobals() {
  for (const [k, v] of Object.entries(env)) defineGlobal(k, v);
}

function registerModule(exports) {
  worker = { kind: "module", exports };
  // Without a default export, a script that used addEventListener is a service worker.
  const fetchListeners = typeof globalEventListeners === "function" ? globalEventListeners("fetch") : (swListeners.get("fetch") || []);
  if (exports.default === undefined && fetchListeners.length > 0) worker = { kind: "service-worker", exports };
}

function registerServiceWorker() {
  worker = { kind: "service-worker", exports: {} };
}

function exportsSummary() {
  if (worker === null) return "";
  return Object.keys(worker.exports).join(",");
}

return {
  configure, exposeEnvAsGlobals, registerModule, registerServiceWorker, exportsSummary,
  dispatchFetch, pullStream, cancelJsStream, completeOp, completeBinding, fireTimer,
  trackRejection, dispatchRejections,
  dispatchRpc, invokeExport, invokePipelined, completeRpc, releaseExport, forgetCall, disconnectRpc,
  dispatchScheduled,
  actorOpen, actorFetch: actorFetchEvent, actorRpc: actorRpcEvent, actorAlarm: actorAlarmEvent, actorWebSocket: actorWebSocketEvent, actorStop,
  doFetchDone, doFetchFailed,
  dispatchQueue,
  webSocketEvent,
  hostTransfer, takeHostTransfer,
  builtinModules, loadBuiltinModule, moduleBytes,
  nodeBridge,
};
