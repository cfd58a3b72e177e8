// Durable Objects, as Cloudflare documents them (durable-objects/api): namespaces, ids and stubs
// on the caller's side; on the object's side the instance of its class with its state (ctx), its
// storage (the key-value API and SQL, stored in one SQLite database per object by the host,
// Bindings/DurableObjects/), alarms and hibernatable WebSockets. The host (ActorHost.cs) decides
// where an object runs and gives its events here; this file keeps one live instance per object,
// holds every delivery into it at its input gate while a critical section (blockConcurrencyWhile,
// transaction()) runs, unless the section started it, and resets it as Cloudflare does when
// blockConcurrencyWhile throws. Storage calls are synchronous in the host (as workerd's
// SQLite-backed objects are), so `await storage.get()` lets nothing else in. Observable details
// follow workerd (bench/oracle/do).

const JURISDICTIONS = new Set(["eu", "fedramp", "fedramp-high", "us"]);
// Handlers the runtime calls itself, never over RPC.
const ACTOR_RESERVED_METHODS = new Set(["alarm", "webSocketMessage", "webSocketClose", "webSocketError", "connect"]);

// ---- errors ----------------------------------------------------------------------------------

/** Sets the properties Cloudflare puts on Durable Object errors (retryable, overloaded, durableObjectReset, remote). */
function withErrorFlags(e, flags) {
  if (!flags || e === null || typeof e !== "object") return e;
  for (const f of flags.split(",")) if (f !== "") e[f] = true;
  return e;
}

/** An error of a stub call: the object's own errors are `remote`; a reset breaks the stub for good, as in workerd. */
function actorCallError(stub, e, remote) {
  if (e === null || typeof e !== "object") return e;
  if (remote) e.remote = true;
  if (e.durableObjectReset === true) stub.broken = e;
  return e;
}

function doHostError(text) {
  const nl = text.indexOf("\n");
  return hostError(text.slice(nl + 1), text.slice(0, nl));
}

/** Reads the error of the storage op that just failed. */
function storageError() {
  return doHostError(ops.doLastError());
}

// ---- ids ---------------------------------------------------------------------------------------

class DurableObjectId {
  constructor() { throw new TypeError("Illegal constructor"); }
  toString() { return idState(this).hex; }
  equals(other) {
    return other instanceof DurableObjectId && idState(other).hex === idState(this).hex;
  }
}
webidlInterface(DurableObjectId);

function idState(id) {
  const st = id instanceof DurableObjectId ? id[kState] : undefined;
  if (st === undefined) throw illegalInvocation();
  return st;
}

function makeId(hex, name, jurisdiction) {
  const id = Object.create(DurableObjectId.prototype);
  Object.defineProperty(id, kState, { value: { hex, name, jurisdiction } });
  Object.defineProperty(id, "jurisdiction", { value: jurisdiction, enumerable: true });
  Object.defineProperty(id, "name", { value: name, enumerable: true });
  return id;
}

/** The result of an id op: its hex, or the error it carries ("!" name "\n" message). */
function idResult(text) {
  if (text.startsWith("!")) throw doHostError(text.slice(1));
  return text;
}

// ---- namespaces --------------------------------------------------------------------------------

class DurableObjectNamespace {
  constructor() { throw new TypeError("Illegal constructor"); }

  newUniqueId(options = undefined) {
    const ns = nsState(this);
    let jurisdiction = ns.jurisdiction;
    if (options !== undefined && options !== null) {
      if (typeof options !== "object") throw new TypeError("Failed to execute 'newUniqueId' on 'DurableObjectNamespace': parameter 1 is not of type 'NewUniqueIdOptions'.");
      if (options.jurisdiction !== undefined) jurisdiction = checkJurisdiction(options.jurisdiction);
    }
    return makeId(idResult(ops.doNewUniqueId(ns.index)), undefined, jurisdiction);
  }

  idFromName(name) {
    const ns = nsState(this);
    if (arguments.length === 0 || name === undefined) {
      throw new TypeError("Failed to execute 'idFromName' on 'DurableObjectNamespace': parameter 1 is not of type 'string'.");
    }
    name = toDOMString(name);
    return makeId(idResult(ops.doIdFromName(ns.index, name, ns.jurisdiction ?? null)), name, ns.jurisdiction);
  }

  idFromString(id) {
    const ns = nsState(this);
    if (arguments.length === 0 || id === undefined) {
      throw new TypeError("Failed to execute 'idFromString' on 'DurableObjectNamespace': parameter 1 is not of type 'string'.");
    }
    id = toDOMString(id);
    const problem = idResult(ops.doIdCheck(ns.index, id));
    if (problem !== "") throw doHostError(problem.slice(1));
    return makeId(id.toLowerCase(), undefined, ns.jurisdiction);
  }

  get(id, options = undefined) {
    const ns = nsState(this);
    if (!(id instanceof DurableObjectId)) {
      throw new TypeError("Failed to execute 'get' on 'DurableObjectNamespace': parameter 1 is not of type 'DurableObjectId'.");
    }
    getOptions(options, "get");
    const st = idState(id);
    if (ns.jurisdiction !== undefined && st.jurisdiction !== undefined && st.jurisdiction !== ns.jurisdiction) {
      throw new TypeError("get called on jurisdictional subnamespace with an ID from a different jurisdiction");
    }
    return makeActorStub(ns, id);
  }

  getByName(name, options = undefined) {
    getOptions(options, "getByName");
    return this.get(this.idFromName(name));
  }

  jurisdiction(name) {
    const ns = nsState(this);
    return makeNamespace({ ...ns, jurisdiction: checkJurisdiction(name) });
  }
}
webidlInterface(DurableObjectNamespace);

function nsState(ns) {
  const st = ns instanceof DurableObjectNamespace ? ns[kState] : undefined;
  if (st === undefined) throw illegalInvocation();
  return st;
}

function checkJurisdiction(name) {
  const j = toDOMString(name);
  if (!JURISDICTIONS.has(j)) throw new TypeError(`Unknown jurisdiction "${j}". Use one of "eu", "fedramp", "fedramp-high" or "us".`);
  return j;
}

/** `{ locationHint, routingMode }` for get(): a hint only (one machine has every object), validated as workerd does. */
function getOptions(options, where) {
  if (options === undefined || options === null) return;
  if (typeof options !== "object") throw new TypeError(`Failed to execute '${where}' on 'DurableObjectNamespace': parameter 2 is not of type 'GetDurableObjectOptions'.`);
  if (options.routingMode !== undefined && options.routingMode !== "primary-only") throw new RangeError(`unknown routingMode: ${options.routingMode}`);
}

function makeNamespace(state) {
  const ns = Object.create(DurableObjectNamespace.prototype);
  Object.defineProperty(ns, kState, { value: state });
  return ns;
}

registerBindingKind("durable_object_namespace", (d) => makeNamespace({ index: d.index, className: d.className, jurisdiction: undefined }));

// ---- stubs -------------------------------------------------------------------------------------

// A stub's class: workerd's DurableObject (a Fetcher), shown as [object DurableObject].
function DurableObjectStub() { throw new TypeError("Illegal constructor"); }
Object.setPrototypeOf(DurableObjectStub.prototype, Fetcher.prototype);
Object.defineProperty(DurableObjectStub.prototype, Symbol.toStringTag, { value: "DurableObject", configurable: true });

function makeActorStub(ns, id) {
  const st = idState(id);
  const state = { binding: ns.index, id: st.hex, name: st.name ?? null, broken: null };
  const target = Object.create(DurableObjectStub.prototype);
  Object.defineProperty(target, "name", { value: st.name, enumerable: true });
  Object.defineProperty(target, "id", { value: id, enumerable: true });
  const fetchMethod = function fetch(input, init = undefined) { return actorFetch(state, input, init); };
  return new Proxy(target, {
    get(t, name) {
      if (name === "fetch") return fetchMethod;
      if (name === "id" || name === "name" || name === "constructor" || typeof name === "symbol") return Reflect.get(t, name);
      if (name === "then") return undefined;
      if (name === "connect") return () => Promise.reject(new Error("Flint does not support connect() on Durable Object stubs yet."));
      return rpcProperty({ actor: state }, [name]);
    },
    set() { return false; },
  });
}

/** stub.fetch(): the object's fetch handler, without HTTP; its Response may carry the object's WebSocket. */
function actorFetch(state, input, init) {
  if (state.broken !== null) return Promise.reject(state.broken);
  let request;
  try {
    request = input instanceof Request && init === undefined ? input : new Request(input, init);
  } catch (e) {
    return Promise.reject(e);
  }
  const st = request[kState];
  const body = st.body;
  if (bodyUsed(body)) return Promise.reject(new TypeError(BODY_USED));
  let bytes = null, stream = null;
  if (body.stream === null && body.kind === "text") bytes = utf8Encode(body.value);
  else if (body.stream === null && body.kind === "bytes") bytes = body.value;
  else if (body.kind !== "none") stream = bodyStream(body);
  body.used = true;
  const head = { method: st.method, url: st.url, headers: headersToFlat(requestHeaders(st)) };
  if (st.cf !== undefined && st.cf !== null) head.cf = typeof st.cf === "string" ? st.cf : JSON.stringify(st.cf);
  const streamId = stream === null ? 0 : registerJsStream(stream);
  return opAsync((id) => ops.doFetch(id, state.binding, state.id, state.name, JSON.stringify(head), bytes, streamId))
    .then((r) => {
      const answer = JSON.parse(r.head);
      const resp = Object.create(Response.prototype);
      let responseBody = makeBody("none", null);
      if (answer.text !== undefined) responseBody = makeBody("text", answer.text);
      else if (r.bytes !== null && r.bytes !== undefined) responseBody = makeBody("bytes", r.bytes);
      else if (r.stream !== null) responseBody = makeBody("stream", r.stream);
      resp[kState] = {
        status: answer.status, statusText: answer.statusText, headers: headersFromFlat(answer.headers, true),
        body: responseBody, webSocket: r.socket === 0 ? null : foreignSocket(r.socket), encodeBody: "automatic",
        cf: undefined, type: "default", url: st.url, redirected: false,
      };
      return resp;
    }, (e) => { throw actorCallError(state, e, false); });
}

/** The host answers a stub's fetch(): the head as JSON, a body (bytes or a host stream), and a WebSocket to pass on. */
function doFetchDone(promiseId, headJson, bytes, streamId, socketId) {
  completeOp(promiseId, { head: headJson, bytes: bytes ?? null, stream: streamId > 0 ? hostBodyStream(streamId) : null, socket: socketId });
}

function doFetchFailed(promiseId, message, name, flags) {
  const pending = pendingOps.get(promiseId);
  if (pending === undefined) return;
  if (pending.gate !== null && gateHolds(pending.gate, () => doFetchFailed(promiseId, message, name, flags))) return;
  pendingOps.delete(promiseId);
  currentEvent = pending.event;
  pending.reject(withErrorFlags(hostError(message, name), flags));
}

// ---- the object's side: one live instance per object, its input gate ----------------------------

const actorStates = new Map(); // the host's actor key -> ActorState

class ActorState {
  constructor(key, className, idHex, name, sqlite, bcwTimeoutMs) {
    this.key = key;
    this.className = className;
    this.id = makeId(idHex, name ?? undefined, undefined);
    this.sqlite = sqlite;
    this.bcwTimeoutMs = bcwTimeoutMs;
    this.instance = null;
    this.ctx = null;
    this.section = null;     // the input gate: the innermost critical section running (blockConcurrencyWhile, transaction()), or null
    this.waiting = [];       // deliveries (events, completions) waiting for the gate, in arrival order: { scope, run }
    this.waitingSections = []; // critical sections waiting to start (they go first, as workerd's waiting children)
    this.draining = false;
    this.runningSections = 0; // its share of runningSections, given back if it stops with one running
    this.stopped = false;
    this.reset = null;       // the error the object was reset with
    this.sockets = new Map(); // host id -> WebSocket, for hibernatable sockets of this instance
    this.storage = null;
    this.timers = null;       // the instance's timers (a Map, made with the first; 30_timers.js), cancelled when it stops
  }
}

function actorOpen(key, className, idHex, name, sqlite, bcwTimeoutMs) {
  actorStates.set(key, new ActorState(key, className, idHex, name, sqlite, bcwTimeoutMs));
}

/** The object stops (evicted, reset, or its Worker reloaded): its instance and what it held go. */
function actorStop(key, message, name, flags) {
  const a = actorStates.get(key);
  if (a === undefined) return;
  actorStates.delete(key);
  cancelOwnedTimers(a);
  runningSections -= a.runningSections; // a section left hanging never finishes
  a.runningSections = 0;
  a.stopped = true;
  if (a.reset === null && message !== null && message !== undefined) a.reset = withErrorFlags(hostError(message, name), flags);
  a.instance = null;
  a.ctx = null;
  a.waiting = [];
  for (const [hostId] of a.sockets) hostSockets.delete(hostId);
  a.sockets.clear();
}

function actorNotFound() {
  return withErrorFlags(new Error("Durable Object was stopped; try again."), "retryable");
}

/** The instance, constructed on the first event (`new Class(ctx, env)`, for both the DurableObject and the older form). */
function actorInstance(a) {
  if (a.reset !== null) throw a.reset;
  if (a.instance !== null) return a.instance;
  const cls = worker !== null && worker.kind === "module" ? worker.exports[a.className] : undefined;
  if (typeof cls !== "function") {
    throw new Error(`Durable Object class "${a.className}" is not exported by this Worker's main module. Export it, or change class_name in the durable_objects binding.`);
  }
  a.ctx = makeDurableObjectState(a);
  a.instance = Reflect.construct(cls, [a.ctx, env]);
  return a.instance;
}

/**
 * Runs `deliver(instance, error)` for an event once the object's input gate is open, in the order
 * events arrived. The instance is made first (its constructor may shut the gate with
 * blockConcurrencyWhile, and then the event waits for it).
 */
function actorWhenOpen(a, event, deliver) {
  event.actor = a; // what the event starts (fetch, timers, RPC) completes through this object's gate
  const go = () => {
    currentEvent = event;
    let instance, error = null;
    try { instance = actorInstance(a); } catch (e) { error = e; }
    if (error === null && a.section !== null) { ArrayPrototypePush(a.waiting, { scope: a, run: go }); return; }
    deliver(instance, error);
  };
  if (!gateHolds(a, go)) go();
}

// ---- the input gate (workerd's io/io-gate.h) ------------------------------------------------------
// Every delivery into an object waits at its gate: new events and also the completions of what its
// code started (fetch and RPC answers, stub.fetch() results, body reads, timers, WebSocket events).
// Storage calls are synchronous here, so the gate is only ever shut by a critical section
// (blockConcurrencyWhile, transaction()). A delivery belongs to the scope its work was started in:
// the object's top level (the ActorState) or a critical section; it is let in only when the
// innermost running section is its own (a section that ended hands its deliveries to its parent),
// so a section's own fetch()es and timers complete while everything else waits for it to end.
// The section a piece of code runs in follows it across await and timers in the async frame.

const kGateSection = Object.freeze({ gateSection: true }); // key of the section in the async frame
let runningSections = 0;  // critical sections running in this isolate: while 0, nothing reads the frame

class GateSection {
  constructor(actor, parent) {
    this.actor = actor;
    this.parent = parent; // the enclosing section, or null (the object's top level)
    this.done = false;
  }
}

/** The section `section` stands for now: itself while it runs, else its nearest running ancestor (null: the top level). */
function gateLive(section) {
  while (section !== null && section.done) section = section.parent;
  return section;
}

/** The scope of the code running now, for a delivery it will wait for: a section, an object (its top level), or null outside objects. */
function gateScopeNow() {
  const event = currentEvent;
  const actor = event !== null && event.actor !== undefined ? event.actor : null;
  // Without async frames a section's own work could not be told apart: completions are not gated then.
  if (runningSections === 0 || asyncContextProblem !== null) return actor;
  const frame = currentAsyncFrame();
  const section = frame === undefined ? undefined : MapPrototypeGet(frame, kGateSection);
  return section !== undefined ? section : actor;
}

function gateActorOf(scope) { return scope instanceof GateSection ? scope.actor : scope; }

/** True when the gate of the scope's object lets a delivery of `scope` in now. */
function gateAdmits(scope) {
  const a = gateActorOf(scope);
  return gateLive(scope instanceof GateSection ? scope : null) === a.section;
}

/**
 * Queues `run` at the gate of `scope`'s object unless the gate lets it in now; true when it queued.
 * A reset instance runs nothing more, but what arrives for it is still delivered as before (its
 * events were failed by the host).
 */
function gateHolds(scope, run) {
  if (scope === null || scope === undefined) return false;
  const a = gateActorOf(scope);
  if (a.reset !== null || gateAdmits(scope)) return false;
  ArrayPrototypePush(a.waiting, { scope, run });
  return true;
}

/** The gate changed: sections waiting to start go first, then deliveries it now admits, in arrival order. */
function gateOpened(a) {
  if (a.draining) return;
  a.draining = true;
  try {
    for (;;) {
      if (a.reset !== null) return;
      let i = sectionWaiting(a, a.section);
      if (i >= 0) { ArrayPrototypeSplice(a.waitingSections, i, 1)[0].start(); continue; }
      for (i = 0; i < a.waiting.length && !gateAdmits(a.waiting[i].scope); i++);
      if (i === a.waiting.length) return;
      ArrayPrototypeSplice(a.waiting, i, 1)[0].run();
    }
  } finally {
    a.draining = false;
  }
}

/** The index of the first section waiting to start inside `parent`, or -1. */
function sectionWaiting(a, parent) {
  for (let i = 0; i < a.waitingSections.length; i++) if (a.waitingSections[i].parent === parent) return i;
  return -1;
}

/**
 * Runs `body()` as a critical section of object `a`, nested in the section the caller runs in:
 * until it settles only its own deliveries enter the object. It starts at once (after the
 * caller's synchronous code, as in workerd) unless a sibling section runs; then after it.
 * `settled(ok, value)` runs while the gate is still shut and returns what the caller's promise
 * settles with (throws to reject). A section that resets the object leaves nothing to open.
 * After `timeoutMs` (if > 0) it ends with the error `timedOut()` gives.
 */
function criticalSection(a, body, settled, timeoutMs = 0, timedOut = null) {
  const scope = gateScopeNow();
  const parent = scope !== null && gateActorOf(scope) === a ? gateLive(scope instanceof GateSection ? scope : null) : a.section;
  const section = new GateSection(a, parent);
  const callerFrame = asyncContextProblem === null ? currentAsyncFrame() : undefined;
  return new Promise((resolve, reject) => {
    let timer = 0;
    const finish = (ok, value) => {
      if (section.done) return;
      if (timer !== 0) clearTimer(timer);
      let outcome, failed = false;
      try { outcome = settled(ok, value); } catch (e) { outcome = e; failed = true; }
      section.done = true;
      if (!a.stopped) { runningSections--; a.runningSections--; }
      if (a.section === section) a.section = gateLive(parent);
      if (failed) reject(outcome); else resolve(outcome);
      // The caller continues first, then what waited (workerd's order, bench/oracle/do gate cases),
      // each in the empty async frame it would have arrived in, not the section's.
      PromisePrototypeThen(PromiseResolve(), () => {
        if (asyncContextProblem === null) runInAsyncFrame(undefined, gateOpened, undefined, [a]);
        else gateOpened(a);
      });
    };
    const start = () => {
      a.section = section;
      runningSections++;
      a.runningSections++;
      // Not gated: the section it ends keeps the gate shut.
      if (timeoutMs > 0) timer = startTimer(() => finish(false, timedOut()), timeoutMs, [], false, false, false);
      const run = () => PromisePrototypeThen(PromisePrototypeThen(PromiseResolve(), body), (v) => finish(true, v), (e) => finish(false, e));
      if (asyncContextProblem !== null) { run(); return; }
      const frame = new Map(callerFrame ?? []);
      MapPrototypeSet(frame, kGateSection, section);
      runInAsyncFrame(frame, run, undefined, []);
    };
    if (a.section === parent && sectionWaiting(a, parent) < 0) start();
    else ArrayPrototypePush(a.waitingSections, { parent, start });
  });
}

/** The object resets itself (blockConcurrencyWhile threw or timed out, abort()): the host fails its events and makes a new instance next time. */
function actorResetWith(a, error, overloaded = false) {
  if (a.reset !== null) return;
  const e = error instanceof Error || isDOMException(error) ? error : new Error(String(error));
  e.durableObjectReset = true;
  a.reset = e;
  a.instance = null;
  a.waiting = [];
  a.waitingSections = [];
  cancelOwnedTimers(a);
  ops.actorReset(a.key, typeof e.name === "string" ? e.name : "Error", String(e.message), overloaded);
}

function actorFetchEvent(eventId, key, method, url, headersFlat, bodyId, cfJson) {
  const event = new EventState(eventId);
  currentEvent = event;
  const a = actorStates.get(key);
  if (a === undefined) { actorFetchFailed(event, actorNotFound()); return; }
  const request = incomingRequest(method, url, headersFlat, bodyId, cfJson ?? undefined);
  actorWhenOpen(a, event, (instance, error) => {
    if (error !== null) { actorFetchFailed(event, error); return; }
    let result;
    try {
      if (typeof instance.fetch !== "function") throw new Error("Handler does not export a fetch() function.");
      result = instance.fetch(request);
    } catch (e) {
      actorFetchFailed(event, e);
      return;
    }
    if (result instanceof Response) { sendResponse(event, result); return; }
    Promise.resolve(result).then((r) => sendResponse(event, r), (e) => actorFetchFailed(event, e));
  });
}

/** The object's fetch handler threw: the stub's caller gets the error (its type and message, marked remote). */
function actorFetchFailed(event, e) {
  if (!event.responded) {
    event.responded = true;
    const isError = e !== null && typeof e === "object";
    const name = isError && typeof e.name === "string" ? e.name : "Error";
    const message = isError && e.message !== undefined ? String(e.message) : String(e);
    const flags = isError && e.durableObjectReset === true ? "durableObjectReset" : "remote";
    ops.actorFetchError(event.id, name, message, flags, errorText(e));
  } else {
    ops.log(LOG.error, `Uncaught ${errorText(e)}`);
  }
  event.finishWhenSettled();
}

function actorRpcEvent(eventId, callId, key, pathJson, kind, payload, tokens) {
  const event = new EventState(eventId);
  event.rpc = true;
  event.holds = 0;
  event.bodyDone = false;
  event.mainCallId = callId;
  liveRpcEvents.set(eventId, event);
  currentEvent = event;
  const a = actorStates.get(key);
  const run = (instance, error) => answerCall(callId, event, () => {
    if (error !== null) throw error;
    const first = JSON.parse(pathJson)[0];
    if (ACTOR_RESERVED_METHODS.has(first)) throw new TypeError(`'${first}' is a reserved method and cannot be called over RPC.`);
    if (!(instance instanceof DurableObject)) {
      throw new TypeError("The receiving Durable Object does not support RPC, because its class was not declared with `extends DurableObject`. In order to enable RPC, make sure your class extends the special class `DurableObject`, which can be imported from the module \"cloudflare:workers\".");
    }
    return { root: instance, plain: false, isEntrypoint: true };
  }, pathJson, kind, payload, tokens);
  if (a === undefined) run(undefined, actorNotFound());
  else actorWhenOpen(a, event, run);
}

function actorAlarmEvent(eventId, key, retryCount) {
  const event = new EventState(eventId);
  event.bodyDone = false;
  currentEvent = event;
  const finish = (ok, e) => {
    const text = ok ? "" : errorText(e);
    if (!ok) ops.log(LOG.error, `Uncaught ${text}`);
    ops.actorAlarmResult(eventId, ok, text);
    event.bodyDone = true;
    event.finishWhenSettled();
  };
  const a = actorStates.get(key);
  if (a === undefined) { finish(false, actorNotFound()); return; }
  actorWhenOpen(a, event, (instance, error) => {
    if (error !== null) { finish(false, error); return; }
    let result;
    try {
      if (typeof instance.alarm !== "function") throw new TypeError("The Durable Object's alarm() handler is missing.");
      result = instance.alarm({ retryCount, isRetry: retryCount > 0 });
    } catch (e) {
      finish(false, e);
      return;
    }
    Promise.resolve(result).then(() => finish(true), (e) => finish(false, e));
  });
}

/** An event of a hibernatable WebSocket: 1 message, 2 close, 3 error; to webSocketMessage/Close/Error. */
function actorWebSocketEvent(eventId, key, hostId, kind, data, code, reason) {
  const event = new EventState(eventId);
  event.bodyDone = false;
  currentEvent = event;
  const done = () => { event.bodyDone = true; event.finishWhenSettled(); };
  const failed = (e) => { ops.log(LOG.error, `Uncaught ${errorText(e)}`); done(); };
  const a = actorStates.get(key);
  if (a === undefined) { done(); return; }
  actorWhenOpen(a, event, (instance, error) => {
    if (error !== null) { failed(error); return; }
    const ws = hibernatedSocket(a, hostId);
    const s = ws[kState].ws;
    let result;
    try {
      if (kind === 1) {
        let message = data;
        if (typeof message !== "string") message = message.byteOffset === 0 && message.byteLength === message.buffer.byteLength ? message.buffer : message.slice().buffer;
        if (typeof instance.webSocketMessage === "function") result = instance.webSocketMessage(ws, message);
      } else if (kind === 2) {
        s.closeReceived = true;
        if (!s.closeSent) {
          // Answered with the same close, as workerd does for hibernatable sockets.
          s.closeSent = true;
          sendOutgoing(ws, { type: "close", code: code === 1005 ? -1 : code, reason: code === 1005 ? "" : reason ?? "" });
        }
        s.readyState = WS_CLOSED;
        a.sockets.delete(hostId);
        hostSockets.delete(hostId);
        if (typeof instance.webSocketClose === "function") result = instance.webSocketClose(ws, code, reason ?? "", true);
      } else {
        s.readyState = WS_CLOSED;
        s.errored = true;
        a.sockets.delete(hostId);
        hostSockets.delete(hostId);
        if (typeof instance.webSocketError === "function") result = instance.webSocketError(ws, new Error(data ?? WS_LOST));
      }
    } catch (e) {
      failed(e);
      return;
    }
    Promise.resolve(result).then(done, failed);
  });
}

// ---- DurableObjectState (ctx) ---------------------------------------------------------------------

class DurableObjectState {
  constructor() { throw new TypeError("Illegal constructor"); }
  waitUntil(promise) {
    const event = currentEvent;
    if (event !== null) event.waitUntil(promise);
    else Promise.resolve(promise).then(undefined, (e) => ops.log(LOG.error, `Uncaught (in promise) ${errorText(e)}`));
  }
  blockConcurrencyWhile(callback) {
    const a = stateOf(this);
    if (typeof callback !== "function") return Promise.reject(new TypeError("Failed to execute 'blockConcurrencyWhile' on 'DurableObjectState': parameter 1 is not of type 'Function'."));
    return criticalSection(a, () => callback(), (ok, value) => {
      if (ok) return value;
      actorResetWith(a, value);
      throw value;
    }, a.bcwTimeoutMs, () => {
      const e = new Error("A call to blockConcurrencyWhile() in a Durable Object waited for too long. The call was canceled and the Durable Object was reset.");
      actorResetWith(a, e, true);
      return e;
    });
  }
  abort(reason = undefined) {
    const a = stateOf(this);
    const e = reason === undefined ? new Error("Application called abort() to reset Durable Object.") : (reason instanceof Error ? reason : new Error(String(reason)));
    actorResetWith(a, e);
  }
  acceptWebSocket(ws, tags = undefined) {
    const a = stateOf(this);
    if (!(ws instanceof WebSocket)) throw new TypeError("Failed to execute 'acceptWebSocket' on 'DurableObjectState': parameter 1 is not of type 'WebSocket'.");
    const s = wsState(ws);
    if (s.accepted && s.hibernation === undefined) throw new Error("Cannot call `acceptWebSocket()` if the WebSocket was already accepted via `accept()`");
    if (s.transferred || s.client || (s.peer === null && s.hostId === 0)) {
      throw new Error("Cannot call `acceptWebSocket()` on this WebSocket because its pair has already been accepted or used in a Response.");
    }
    const list = [];
    if (tags !== undefined && tags !== null) {
      for (const t of tags) {
        const tag = toDOMString(t);
        if (list.includes(tag)) continue;
        if (list.length >= HIBERNATION_MAX_TAGS) throw new Error(`a Hibernatable WebSocket cannot have more than ${HIBERNATION_MAX_TAGS} tags`);
        if (tag.length > HIBERNATION_MAX_TAG_LENGTH) throw new Error(`"${tag}" is longer than the max tag length (${HIBERNATION_MAX_TAG_LENGTH} characters).`);
        list.push(tag);
      }
    }
    s.accepted = true;
    s.hibernation = { actor: a, tags: list };
    // Registered with the host once its pair is returned in the Response (adoptHost), or now if it already was.
    if (s.hostId !== 0) hibernationAdopted(ws, s.hostId);
  }
  getWebSockets(tag = undefined) {
    const a = stateOf(this);
    const list = JSON.parse(ops.doWsList(a.key, tag === undefined || tag === null ? null : toDOMString(tag)));
    return list.map(([hostId]) => hibernatedSocket(a, hostId));
  }
  getTags(ws) {
    const a = stateOf(this);
    const s = wsState(ws);
    if (s.hibernation === undefined) throw new TypeError("getTags() called on a WebSocket that was not accepted with acceptWebSocket().");
    if (s.hibernation.tags !== undefined) return [...s.hibernation.tags];
    const entry = JSON.parse(ops.doWsList(a.key, null)).find(([id]) => id === s.hostId);
    return entry === undefined ? [] : entry[1];
  }
  setWebSocketAutoResponse(pair = undefined) {
    const a = stateOf(this);
    if (pair === undefined || pair === null) { a.autoResponse = null; ops.doWsAutoResponse(a.key, null, null); return; }
    if (!(pair instanceof WebSocketRequestResponsePair)) {
      throw new TypeError("Failed to execute 'setWebSocketAutoResponse' on 'DurableObjectState': parameter 1 is not of type 'WebSocketRequestResponsePair'.");
    }
    a.autoResponse = pair;
    ops.doWsAutoResponse(a.key, pair.request, pair.response);
  }
  getWebSocketAutoResponse() { return stateOf(this).autoResponse ?? null; }
  getWebSocketAutoResponseTimestamp(ws) {
    const a = stateOf(this);
    const s = wsState(ws);
    const t = s.hostId === 0 ? -1 : ops.doWsAutoResponseTime(a.key, s.hostId);
    return t < 0 ? null : new Date(t);
  }
  setHibernatableWebSocketEventTimeout(timeoutMs = undefined) {
    const a = stateOf(this);
    if (timeoutMs !== undefined && timeoutMs !== null) {
      const t = Number(timeoutMs);
      if (t > 604800000) throw new Error("Event timeout should not exceed 604800000 ms.");
      a.eventTimeout = t;
    } else a.eventTimeout = null;
  }
  getHibernatableWebSocketEventTimeout() { return stateOf(this).eventTimeout ?? null; }
}
webidlInterface(DurableObjectState);

const HIBERNATION_MAX_TAGS = 10, HIBERNATION_MAX_TAG_LENGTH = 256, HIBERNATION_MAX_ATTACHMENT = 2048;

function stateOf(ctx) {
  const a = ctx instanceof DurableObjectState ? ctx[kState] : undefined;
  if (a === undefined) throw illegalInvocation();
  return a;
}

function makeDurableObjectState(a) {
  const ctx = Object.create(DurableObjectState.prototype);
  Object.defineProperty(ctx, kState, { value: a });
  Object.defineProperty(ctx, "id", { value: a.id, enumerable: true });
  a.storage = makeStorage(a);
  Object.defineProperty(ctx, "storage", { value: a.storage, enumerable: true });
  Object.defineProperty(ctx, "props", { value: {}, enumerable: true });
  return ctx;
}

class WebSocketRequestResponsePair {
  constructor(request, response) {
    requiredArguments(arguments.length, 2, "WebSocketRequestResponsePair");
    this[kState] = { request: toDOMString(request), response: toDOMString(response) };
  }
  get request() { return this[kState].request; }
  get response() { return this[kState].response; }
}
webidlInterface(WebSocketRequestResponsePair);
defineGlobal("WebSocketRequestResponsePair", WebSocketRequestResponsePair);

// ---- hibernatable WebSockets -----------------------------------------------------------------------

/** A hibernatable socket's server end was bound to host connection `hostId` (its pair went out in a Response). */
function hibernationAdopted(ws, hostId) {
  const s = ws[kState].ws;
  const h = s.hibernation;
  ops.doWsAccept(h.actor.key, hostId, JSON.stringify(h.tags));
  if (s.attachmentBytes !== undefined) ops.doWsSetAttachment(h.actor.key, hostId, s.attachmentBytes);
  h.actor.sockets.set(hostId, ws);
}

/** The WebSocket of host connection `hostId` for this instance: the one it accepted, or a new object after hibernation. */
function hibernatedSocket(a, hostId) {
  let ws = a.sockets.get(hostId);
  if (ws !== undefined) return ws;
  ws = makeSocket(WS_OPEN);
  const s = ws[kState].ws;
  s.accepted = true;
  s.hostId = hostId;
  s.hibernation = { actor: a, tags: undefined };
  hostSockets.set(hostId, ws);
  a.sockets.set(hostId, ws);
  return ws;
}

function hibernationSerializeAttachment(s, value) {
  const bytes = serializeValue(value, undefined, undefined);
  if (bytes.byteLength > HIBERNATION_MAX_ATTACHMENT) {
    throw new Error(`A WebSocket 'attachment' cannot be larger than ${HIBERNATION_MAX_ATTACHMENT} bytes.'attachment' was ${bytes.byteLength} bytes.`);
  }
  if (s.hostId !== 0) ops.doWsSetAttachment(s.hibernation.actor.key, s.hostId, bytes);
  s.attachmentBytes = bytes;
}

function hibernationDeserializeAttachment(s) {
  if (s.hostId === 0) return s.attachmentBytes === undefined ? null : deserializeValue(s.attachmentBytes, undefined);
  const n = ops.doWsGetAttachment(s.hibernation.actor.key, s.hostId);
  if (n === -1) return null;
  return deserializeValue(takeStorageBytes(n), undefined);
}

// ---- storage: the key-value API ----------------------------------------------------------------------

/** Bytes an op left for script: n in the transfer buffer, or -(n + 2) held by the host. Read before the next crossing. */
function takeStorageBytes(n) {
  if (n >= 0) return hostTransfer.subarray(0, n);
  const big = new Uint8Array(-(n + 2));
  ops.doTakeBig(big);
  return big;
}

/** A stored value's bytes (structured clone, V8's format) as an op argument: its length in the transfer buffer, or the bytes. */
function storageValue(value) {
  const bytes = serializeValue(value, undefined, hostTransfer);
  return bytes.buffer === hostTransfer.buffer ? bytes.byteLength : bytes;
}

function storageEntries(json, totalAlreadyHere) {
  const layout = JSON.parse(json);
  let total = 0;
  for (const [, n] of layout) total += n;
  const bytes = total > TRANSFER_SIZE ? takeStorageBytes(-(total + 2)) : hostTransfer.subarray(0, total);
  const map = new Map();
  let offset = 0;
  for (const [key, n] of layout) {
    map.set(key, deserializeValue(bytes.subarray(offset, offset + n), undefined));
    offset += n;
  }
  return map;
}

function readOptions(options, method, param, type) {
  if (options === undefined || options === null) return {};
  if (typeof options !== "object") throw new TypeError(`Failed to execute '${method}' on 'DurableObjectStorage': parameter ${param} is not of type '${type}'.`);
  return options;
}

function storageKey(key) {
  if (typeof key === "symbol") throw new TypeError("Cannot convert a Symbol value to a string");
  return String(key);
}

/** The key-value operations shared by storage and a transaction's `txn` (workerd's DurableObjectStorageOperations). */
const storageOps = {
  get(a, keys, options) {
    if (Array.isArray(keys)) {
      const list = keys.map(storageKey);
      const json = ops.doGetMany(a.key, JSON.stringify(list));
      if (json === null) throw storageError();
      return storageEntries(json);
    }
    const n = ops.doGet(a.key, storageKey(keys));
    if (n === null) throw storageError();
    if (n === -1) return undefined;
    return deserializeValue(takeStorageBytes(n), undefined);
  },
  put(a, keyOrEntries, value, options, confirmed) {
    if (keyOrEntries !== null && typeof keyOrEntries === "object" && !Array.isArray(keyOrEntries)) {
      const layout = [];
      const chunks = [];
      let total = 0;
      for (const [k, v] of Object.entries(keyOrEntries)) {
        if (v === undefined) continue;
        const bytes = serializeValue(v, undefined, undefined);
        layout.push([k, bytes.byteLength]);
        chunks.push(bytes);
        total += bytes.byteLength;
      }
      let arg;
      if (total <= TRANSFER_SIZE) { let o = 0; for (const c of chunks) { hostTransfer.set(c, o); o += c.byteLength; } arg = total; }
      else arg = concatBytes(chunks, total);
      if (!ops.doPutMany(a.key, JSON.stringify(layout), arg, confirmed)) throw storageError();
      return;
    }
    if (value === undefined) throw new TypeError("put() called with undefined value.");
    if (!ops.doPut(a.key, storageKey(keyOrEntries), storageValue(value), confirmed)) throw storageError();
  },
  delete(a, keys, confirmed) {
    if (Array.isArray(keys)) {
      const n = ops.doDeleteMany(a.key, JSON.stringify(keys.map(storageKey)), confirmed);
      if (n < 0) throw storageError();
      return n;
    }
    const r = ops.doDelete(a.key, storageKey(keys), confirmed);
    if (r < 0) throw storageError();
    return r === 1;
  },
  list(a, options) {
    const o = {};
    if (options.start !== undefined) o.start = String(options.start);
    if (options.startAfter !== undefined) o.startAfter = String(options.startAfter);
    if (o.start !== undefined && o.startAfter !== undefined) throw new TypeError("list() cannot be called with both start and startAfter values.");
    if (options.end !== undefined) o.end = String(options.end);
    if (options.prefix !== undefined) o.prefix = String(options.prefix);
    if (options.reverse !== undefined) o.reverse = !!options.reverse;
    if (options.limit !== undefined) {
      const limit = Number(options.limit);
      if (!(limit > 0)) throw new TypeError("List limit must be positive.");
      o.limit = Math.min(Math.floor(limit), 2147483647);
    }
    const json = ops.doList(a.key, JSON.stringify(o));
    if (json === null) throw storageError();
    return storageEntries(json);
  },
  getAlarm(a) {
    const t = ops.doGetAlarm(a.key);
    if (t === null) throw storageError();
    return t < 0 ? null : t;
  },
  setAlarm(a, scheduledTime, confirmed) {
    let t;
    if (scheduledTime instanceof Date) t = scheduledTime.getTime();
    else if (typeof scheduledTime === "number") t = scheduledTime;
    else throw new TypeError("Failed to execute 'setAlarm' on 'DurableObjectStorage': parameter 1 is not of type 'date'.");
    if (Number.isNaN(t) || !Number.isFinite(t)) throw new TypeError("The value cannot be converted because it is not a valid Date.");
    if (t <= 0) throw new TypeError("setAlarm() cannot be called with an alarm time <= 0");
    const cls = worker !== null && worker.kind === "module" ? worker.exports[a.className] : undefined;
    const handler = a.instance !== null ? a.instance.alarm : typeof cls === "function" ? cls.prototype?.alarm : undefined;
    if (typeof handler !== "function") {
      throw new TypeError("Your Durable Object class must have an alarm() handler in order to call setAlarm()");
    }
    if (!ops.doSetAlarm(a.key, t, confirmed)) throw storageError();
  },
  deleteAlarm(a, confirmed) {
    if (!ops.doSetAlarm(a.key, -1, confirmed)) throw storageError();
  },
};

function confirmedWrite(options) { return !(options !== null && typeof options === "object" && options.allowUnconfirmed === true); }

/** Runs a storage call as workerd's async methods do: argument errors throw, the rest rejects. */
function storageAsync(run) {
  try { return Promise.resolve(run()); } catch (e) { return Promise.reject(e); }
}

class DurableObjectStorage {
  constructor() { throw new TypeError("Illegal constructor"); }
  get(keys, options = undefined) {
    const a = storageState(this);
    if (arguments.length === 0 || keys === undefined) throw new TypeError("Failed to execute 'get' on 'DurableObjectStorage': parameter 1 is not of type 'string or Array'.");
    readOptions(options, "get", 2, "GetOptions");
    return storageAsync(() => storageOps.get(a, keys, options));
  }
  put(keyOrEntries, value = undefined, options = undefined) {
    const a = storageState(this);
    if (arguments.length === 0 || keyOrEntries === undefined) throw new TypeError("Failed to execute 'put' on 'DurableObjectStorage': parameter 1 is not of type 'string or object'.");
    let opts = options;
    if (keyOrEntries !== null && typeof keyOrEntries === "object" && !Array.isArray(keyOrEntries)) {
      if (value !== undefined && (value === null || typeof value !== "object")) {
        return Promise.reject(new TypeError("put() may only be called with a single key-value pair and optional options as put(key, value, options) or with multiple key-value pairs and optional options as put(entries, options)"));
      }
      opts = value;
    }
    readOptions(opts, "put", keyOrEntries !== null && typeof keyOrEntries === "object" ? 2 : 3, "PutOptions");
    return storageAsync(() => storageOps.put(a, keyOrEntries, value, opts, confirmedWrite(opts)));
  }
  delete(keys, options = undefined) {
    const a = storageState(this);
    if (arguments.length === 0 || keys === undefined) throw new TypeError("Failed to execute 'delete' on 'DurableObjectStorage': parameter 1 is not of type 'string or Array'.");
    readOptions(options, "delete", 2, "PutOptions");
    return storageAsync(() => storageOps.delete(a, keys, confirmedWrite(options)));
  }
  list(options = undefined) {
    const a = storageState(this);
    const o = readOptions(options, "list", 1, "ListOptions");
    return storageAsync(() => storageOps.list(a, o));
  }
  deleteAll(options = undefined) {
    const a = storageState(this);
    readOptions(options, "deleteAll", 1, "PutOptions");
    return storageAsync(() => {
      if (!ops.doDeleteAll(a.key, compatEnabled("delete_all_deletes_alarm"))) throw storageError();
    });
  }
  transaction(closure, options = undefined) {
    const a = storageState(this);
    if (typeof closure !== "function") return Promise.reject(new TypeError("Failed to execute 'transaction' on 'DurableObjectStorage': parameter 1 is not of type 'Function'."));
    // A critical section, as in workerd: no other event sees its writes half done.
    const txn = makeTransaction(a);
    let began = false;
    return criticalSection(a, () => {
      if (!ops.doTxBegin(a.key)) throw storageError();
      began = true;
      return closure(txn);
    }, (ok, value) => {
      if (!began) throw value;
      const t = txn[kState];
      t.done = true;
      if (!ops.doTxEnd(a.key, ok && !t.rolledBack)) throw storageError();
      if (!ok) throw value;
      return value;
    });
  }
  transactionSync(closure) {
    const a = storageState(this);
    if (!a.sqlite) throw new Error("Durable Object is not backed by SQL.");
    if (typeof closure !== "function") throw new TypeError("Failed to execute 'transactionSync' on 'DurableObjectStorage': parameter 1 is not of type 'Function'.");
    if (!ops.doTxBegin(a.key)) throw storageError();
    let result;
    try {
      result = closure();
    } catch (e) {
      if (!ops.doTxEnd(a.key, false)) throw storageError();
      throw e;
    }
    if (!ops.doTxEnd(a.key, true)) throw storageError();
    return result;
  }
  sync() {
    const a = storageState(this);
    return opAsync((id) => ops.doSync(a.key, id)).then(() => undefined);
  }
  getAlarm(options = undefined) {
    const a = storageState(this);
    readOptions(options, "getAlarm", 1, "GetAlarmOptions");
    return storageAsync(() => storageOps.getAlarm(a));
  }
  setAlarm(scheduledTime, options = undefined) {
    const a = storageState(this);
    if (arguments.length === 0 || !(scheduledTime instanceof Date || typeof scheduledTime === "number")) {
      throw new TypeError("Failed to execute 'setAlarm' on 'DurableObjectStorage': parameter 1 is not of type 'date'.");
    }
    readOptions(options, "setAlarm", 2, "SetAlarmOptions");
    return storageAsync(() => storageOps.setAlarm(a, scheduledTime, confirmedWrite(options)));
  }
  deleteAlarm(options = undefined) {
    const a = storageState(this);
    readOptions(options, "deleteAlarm", 1, "SetAlarmOptions");
    return storageAsync(() => storageOps.deleteAlarm(a, confirmedWrite(options)));
  }
  getCurrentBookmark() {
    storageState(this);
    return Promise.resolve("00000000-00000000-00000000-00000000000000000000000000000000");
  }
  getBookmarkForTime(timestamp) {
    storageState(this);
    return Promise.reject(new Error("This Durable Object's storage back-end does not implement point-in-time recovery."));
  }
  onNextSessionRestoreBookmark(bookmark) {
    storageState(this);
    return Promise.reject(new Error("This Durable Object's storage back-end does not implement point-in-time recovery."));
  }
}
webidlInterface(DurableObjectStorage);

function storageState(storage) {
  const a = storage instanceof DurableObjectStorage ? storage[kState] : undefined;
  if (a === undefined) throw illegalInvocation();
  return a;
}

function makeStorage(a) {
  const storage = Object.create(DurableObjectStorage.prototype);
  Object.defineProperty(storage, kState, { value: a });
  let sql = null;
  Object.defineProperty(storage, "sql", {
    get() {
      if (!a.sqlite) {
        throw new Error("SQL is not enabled for this Durable Object class. To enable it, change `new_classes` to `new_sqlite_classes` within the 'migrations' field in your wrangler.jsonc or wrangler.toml file. Note that this change cannot be made after the class is already deployed to production.");
      }
      return sql ??= makeSqlStorage(a);
    },
    enumerable: true, configurable: true,
  });
  let kv = null;
  Object.defineProperty(storage, "kv", {
    get() {
      if (!a.sqlite) {
        throw new Error("The storage.kv (synchronous KV) API is only available for SQLite-backed Durable Objects, but this object's namespace is not declared to use SQLite. You can use the older, asyncronous interface via methods of `storage` itself (e.g. `storage.get()`). Alternatively, to enable SQLite, change `new_classes` to `new_sqlite_classes` within the 'migrations' field in your wrangler.jsonc or wrangler.toml file.");
      }
      return kv ??= makeSyncKv(a);
    },
    enumerable: true, configurable: true,
  });
  return storage;
}

// ---- storage.kv: the synchronous key-value API of SQLite-backed objects ---------------------------

class SyncKvStorage {
  constructor() { throw new TypeError("Illegal constructor"); }
  get(key) { return storageOps.get(syncKvState(this), storageKey(key), undefined); }
  put(key, value) {
    if (arguments.length < 2) throw new TypeError("Failed to execute 'put' on 'SyncKvStorage': parameter 2 is not of type 'any'.");
    storageOps.put(syncKvState(this), storageKey(key), value, undefined, true);
  }
  delete(key) { return storageOps.delete(syncKvState(this), storageKey(key), true); }
  list(options = undefined) {
    const a = syncKvState(this);
    return storageOps.list(a, readOptions(options, "list", 1, "ListOptions")).entries();
  }
}
webidlInterface(SyncKvStorage);

function syncKvState(kv) {
  const a = kv instanceof SyncKvStorage ? kv[kState] : undefined;
  if (a === undefined) throw illegalInvocation();
  return a;
}

function makeSyncKv(a) {
  const kv = Object.create(SyncKvStorage.prototype);
  Object.defineProperty(kv, kState, { value: a });
  return kv;
}

class DurableObjectTransaction {
  constructor() { throw new TypeError("Illegal constructor"); }
  get(keys, options = undefined) { const a = txnState(this, "get"); return storageAsync(() => storageOps.get(a, keys, options)); }
  put(keyOrEntries, value = undefined, options = undefined) {
    const a = txnState(this, "put");
    return storageAsync(() => storageOps.put(a, keyOrEntries, value, options, true));
  }
  delete(keys, options = undefined) { const a = txnState(this, "delete"); return storageAsync(() => storageOps.delete(a, keys, true)); }
  list(options = undefined) { const a = txnState(this, "list"); return storageAsync(() => storageOps.list(a, readOptions(options, "list", 1, "ListOptions"))); }
  deleteAll() { txnState(this, "deleteAll"); return Promise.reject(new Error("Cannot call deleteAll() within a transaction")); }
  getAlarm(options = undefined) { const a = txnState(this, "getAlarm"); return storageAsync(() => storageOps.getAlarm(a)); }
  setAlarm(scheduledTime, options = undefined) { const a = txnState(this, "setAlarm"); return storageAsync(() => storageOps.setAlarm(a, scheduledTime, true)); }
  deleteAlarm(options = undefined) { const a = txnState(this, "deleteAlarm"); return storageAsync(() => storageOps.deleteAlarm(a, true)); }
  rollback() {
    const t = this[kState];
    if (t === undefined) throw illegalInvocation();
    if (t.done) throw new Error("Cannot call rollback on transaction that has already committed: did you move `txn` outside of the closure?");
    t.rolledBack = true;
  }
}
webidlInterface(DurableObjectTransaction);

function makeTransaction(a) {
  const txn = Object.create(DurableObjectTransaction.prototype);
  Object.defineProperty(txn, kState, { value: { actor: a, rolledBack: false, done: false } });
  return txn;
}

function txnState(txn, op) {
  const t = txn instanceof DurableObjectTransaction ? txn[kState] : undefined;
  if (t === undefined) throw illegalInvocation();
  if (t.rolledBack) throw new Error(`Cannot ${op} on rolled back transaction`);
  if (t.done) throw new Error(`Cannot call ${op} on transaction that has already committed: did you move \`txn\` outside of the closure?`);
  return t.actor;
}

// ---- storage: SQL ----------------------------------------------------------------------------------

class SqlStorage {
  constructor() { throw new TypeError("Illegal constructor"); }
  exec(query, ...bindings) {
    const a = sqlState(this);
    if (arguments.length === 0 || query === undefined) throw new TypeError("Failed to execute 'exec' on 'SqlStorage': parameter 1 is not of type 'String'.");
    query = toDOMString(query);
    const blobs = [];
    const args = bindings.length === 0 ? "" : JSON.stringify(bindings.map((v) => sqlBinding(v, blobs)));
    let blobArg = 0;
    if (blobs.length > 0) {
      let total = 0;
      for (const b of blobs) total += b.byteLength;
      if (total <= TRANSFER_SIZE) { let o = 0; for (const b of blobs) { hostTransfer.set(b, o); o += b.byteLength; } blobArg = total; }
      else blobArg = concatBytes(blobs, total);
    }
    const json = ops.doSqlExec(a.key, query, args, blobArg);
    if (json === null) throw storageError();
    const result = JSON.parse(json);
    if (result.n > 0) {
      const bytes = result.n > TRANSFER_SIZE ? takeStorageBytes(-(result.n + 2)) : hostTransfer.subarray(0, result.n);
      let offset = 0;
      for (const row of result.r) {
        for (let i = 0; i < row.length; i++) {
          const v = row[i];
          if (v !== null && typeof v === "object") {
            if (v.b !== undefined) { row[i] = bytes.slice(offset, offset + v.b).buffer; offset += v.b; }
            else row[i] = Number(v.d);
          }
        }
      }
    } else {
      for (const row of result.r) for (let i = 0; i < row.length; i++) if (row[i] !== null && typeof row[i] === "object") row[i] = Number(row[i].d);
    }
    return makeCursor(result);
  }
  get databaseSize() {
    const a = sqlState(this);
    const n = ops.doDatabaseSize(a.key);
    if (n === null) throw storageError();
    return n;
  }
}

/** A binding as workerd converts it: null, bytes, a string, or a number (as a double); anything else by its string. */
function sqlBinding(v, blobs) {
  if (v === null || v === undefined) return null;
  if (typeof v === "number") return Number.isFinite(v) ? v : { d: String(v) };
  if (typeof v === "string") return v;
  if (typeof v === "bigint") throw new TypeError("Cannot convert a BigInt value to a number");
  if (isBufferSource(v)) { blobs.push(bytesView(v)); return { b: v.byteLength }; }
  return toDOMString(v);
}

function sqlState(sql) {
  const a = sql instanceof SqlStorage ? sql[kState] : undefined;
  if (a === undefined) throw illegalInvocation();
  return a;
}

function makeSqlStorage(a) {
  const sql = Object.create(SqlStorage.prototype);
  Object.defineProperty(sql, kState, { value: a });
  return sql;
}

class Cursor {
  constructor() { throw new TypeError("Illegal constructor"); }
  next() {
    const c = cursorState(this);
    if (c.index >= c.rows.length) return { done: true };
    return { done: false, value: cursorRow(c, c.rows[c.index++]) };
  }
  toArray() {
    const c = cursorState(this);
    const out = [];
    while (c.index < c.rows.length) out.push(cursorRow(c, c.rows[c.index++]));
    return out;
  }
  one() {
    const c = cursorState(this);
    const remaining = c.rows.length - c.index;
    if (remaining === 0) throw new Error("Expected exactly one result from SQL query, but got no results.");
    if (remaining > 1) throw new Error("Expected exactly one result from SQL query, but got multiple results.");
    return cursorRow(c, c.rows[c.index++]);
  }
  raw() {
    const c = cursorState(this);
    const raw = Object.create(Cursor.prototype);
    Object.defineProperty(raw, kState, { value: c.raw ? c : { ...c, raw: true, parent: c } });
    return raw;
  }
  get columnNames() { return [...cursorState(this).columns]; }
  get rowsRead() { return cursorState(this).rowsRead; }
  get rowsWritten() { return cursorState(this).rowsWritten; }
  [Symbol.iterator]() { return this; }
}
webidlInterface(Cursor);

function cursorState(cursor) {
  const c = cursor instanceof Cursor ? cursor[kState] : undefined;
  if (c === undefined) throw illegalInvocation();
  // A raw view and its cursor read the same rows.
  if (c.parent !== undefined) { c.index = Math.max(c.index, c.parent.index); c.parent.index = c.index; }
  return c;
}

function cursorRow(c, row) {
  if (c.parent !== undefined) c.parent.index = c.index;
  if (c.raw) return row;
  const obj = {};
  for (let i = 0; i < c.columns.length; i++) obj[c.columns[i]] = row[i];
  return obj;
}

function makeCursor(result) {
  const cursor = Object.create(Cursor.prototype);
  Object.defineProperty(cursor, kState, { value: { columns: result.c, rows: result.r, index: 0, rowsRead: result.rr, rowsWritten: result.rw, raw: false } });
  return cursor;
}

function Statement() { throw new TypeError("Illegal constructor"); }
Object.defineProperty(SqlStorage.prototype, "Cursor", { value: Cursor, writable: true, configurable: true });
Object.defineProperty(SqlStorage.prototype, "Statement", { value: Statement, writable: true, configurable: true });
Object.defineProperty(SqlStorage.prototype, Symbol.toStringTag, { value: "SqlStorage", configurable: true });
