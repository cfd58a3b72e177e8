// JavaScript RPC between Workers, as Cloudflare documents it (workers/runtime-apis/rpc): calls on
// a service binding's entrypoint and on stubs, arguments and results as structured clone bytes
// (86_serialize.js) with functions and RpcTargets passed as stubs that call back into their home
// isolate, streams and Requests/Responses streamed, promise pipelining, errors re-thrown with
// their type and message, and the stub lifetimes of workerd (disposal with `using`,
// Symbol.dispose and dup(); stubs received as parameters disposed when the call returns; stubs
// of an event disposed when it ends). The host (Rpc/RpcEndpoint.cs) keeps the tables of exports
// (objects this isolate gave out) and imports (stubs it holds); script knows them by id.

const RPC_CALL = 1, RPC_GET = 2;
const RPC_TARGET_BINDING = 1, RPC_TARGET_STUB = 2, RPC_TARGET_PIPELINE = 3, RPC_TARGET_ACTOR = 4;
const HOST_STUB = 1, HOST_READABLE = 2, HOST_WRITABLE = 3, HOST_REQUEST = 4, HOST_RESPONSE = 5, HOST_HEADERS = 6,
  HOST_BLOB = 7, HOST_DOMEXCEPTION = 8;

const rpcExports = new Map();  // export id -> { target, event }
const rpcAnswers = new Map();  // call id -> { promise, event }: results this isolate keeps for pipelined calls
const stubStates = new WeakMap(); // stub proxy -> StubState
const rpcPaths = new Map();       // method name -> JSON path, cached for the common one-name call

class RpcTarget {}

/** Marks a stub's state: a stub held from another isolate (import), or one made here (local). */
class StubState {
  constructor(importId, local) {
    this.importId = importId; // > 0 for a stub to an object elsewhere
    this.local = local;       // the object itself, for `new RpcStub(obj)`
    this.disposed = false;
    this.holding = null;      // the RPC event this stub keeps open (a parameter stub, or a dup of one)
  }
}

function isStub(v) { return (typeof v === "function" || typeof v === "object") && v !== null && stubStates.has(v); }

function disposedStubError() { return new Error("RPC stub used after being disposed."); }

/** A stub proxy: calls and property reads go to the object it stands for. */
function makeStub(state) {
  const proxy = new Proxy(function RpcStub() {}, {
    get(_, name) {
      if (name === "then") return undefined; // a stub is not a promise: `await stub` gives the stub
      if (name === "dup") return () => dupStub(state);
      if (name === Symbol.dispose) return () => disposeStub(state);
      if (name === Symbol.toStringTag) return "RpcStub";
      if (typeof name === "symbol") return undefined;
      return rpcProperty({ stub: state }, [name]);
    },
    apply(_, thisArg, args) { return rpcSend({ stub: state }, [], RPC_CALL, args); },
    set() { return false; },
  });
  stubStates.set(proxy, state);
  return proxy;
}

function dupStub(state) {
  if (state.disposed) throw disposedStubError();
  if (state.local !== undefined) return makeStub(new StubState(0, state.local));
  const dup = new StubState(ops.rpcDup(state.importId), undefined);
  holdEvent(dup, currentEvent);
  return makeStub(dup);
}

function disposeStub(state) {
  if (state.disposed) return;
  state.disposed = true;
  if (state.importId > 0) ops.rpcRelease(state.importId);
  const event = state.holding;
  state.holding = null;
  releaseHold(event);
}

/** As on Cloudflare: an RPC event given stubs lasts until they are disposed. */
function holdEvent(state, event) {
  if (event === null || !event.rpc || event.done) return;
  state.holding = event;
  event.holds++;
}

/** `new RpcStub(obj)` from cloudflare:workers: a stub for a local RpcTarget or function. */
function RpcStubConstructor(value) {
  if (new.target === undefined) throw new TypeError("Class constructor RpcStub cannot be invoked without 'new'");
  if (isStub(value)) return dupStub(stubStates.get(value));
  if (typeof value !== "function" && !(value instanceof RpcTarget)) {
    throw new TypeError("RpcStub can only wrap an RpcTarget, a function or another stub.");
  }
  return makeStub(new StubState(0, value));
}

// ---- a property path: `stub.a.b`, awaited (a property read) or called (a method call) ----------

function rpcProperty(base, path) {
  let read;
  const fetch = () => (read ??= rpcSend(base, path, RPC_GET, []));
  const proxy = new Proxy(function RpcProperty() {}, {
    get(_, name) {
      if (name === "then") return (a, b) => fetch().then(a, b);
      if (name === "catch") return (a) => fetch().catch(a);
      if (name === "finally") return (a) => fetch().finally(a);
      if (name === Symbol.toStringTag) return "RpcProperty";
      if (typeof name === "symbol") return undefined;
      return rpcProperty(base, [...path, name]);
    },
    apply(_, thisArg, args) { return rpcSend(base, path, RPC_CALL, args); },
  });
  return proxy;
}

// ---- a call's result: a promise that is also a stub for the result (pipelining) ----------------

class RpcCallState {
  constructor() {
    this.id = 0;           // the op id: the host's handle for pipelining on this call
    this.settled = false;  // the result (or error) arrived
    this.ok = false;
    this.value = undefined;
    this.promise = null;
    this.then = undefined; // the proxy's `then`, made once
    this.stubs = null;     // stubs in the result, disposed with it
    this.disposed = false;
  }
  settle(ok, value) { this.settled = true; this.ok = ok; this.value = value; }
}

// One handler for every RpcPromise: its call is on the proxied function, so a call makes no closures.
const kRpcCall = internalSymbol("flint.rpcCall");
const rpcPromiseHandler = {
  get(target, name) {
    const call = target[kRpcCall];
    if (name === "then") return call.then ??= (a, b) => call.promise.then(a, b);
    if (name === "catch") return (a) => call.promise.catch(a);
    if (name === "finally") return (a) => call.promise.finally(a);
    if (name === Symbol.dispose) return () => disposeCall(call);
    if (name === Symbol.toStringTag) return "JsRpcPromise";
    if (typeof name === "symbol") return undefined;
    return rpcProperty({ call }, [name]);
  },
  apply(target, thisArg, args) { return rpcSend({ call: target[kRpcCall] }, [], RPC_CALL, args); },
};

function makeRpcPromise(call) {
  const target = function JsRpcPromise() {};
  target[kRpcCall] = call;
  return new Proxy(target, rpcPromiseHandler);
}

function disposeCall(call) {
  if (call.disposed) return;
  call.disposed = true;
  if (call.stubs !== null) for (const s of call.stubs) disposeStub(s);
  if (call.id !== 0) ops.rpcForget(call.id);
}

/**
 * Sends a call (RPC_CALL with args) or a property read (RPC_GET) at `path` on `base`: a binding
 * ({binding}), a stub ({stub}) or a call's result ({call}). Returns an RpcPromise.
 */
function rpcSend(base, path, kind, args) {
  const call = new RpcCallState();
  call.promise = new Promise((resolve, reject) => {
    const event = currentEvent;
    try {
      if (base.call !== undefined) {
        const on = base.call;
        if (on.disposed) throw disposedStubError();
        // Answered already (and not kept for pipelining): go on from the value here.
        if (on.settled) {
          if (!on.ok) throw on.value;
          const local = Promise.resolve().then(() => rpcLocalInvoke(on.value, path, kind, args));
          local.then((v) => call.settle(true, v), (e) => call.settle(false, e));
          resolve(local);
          return;
        }
      }
      if (base.actor !== undefined && base.actor.broken !== null) throw base.actor.broken;
      if (base.stub !== undefined) {
        const s = base.stub;
        if (s.disposed) throw disposedStubError();
        if (s.local !== undefined) {
          const local = Promise.resolve().then(() => rpcInvoke(s.local, path, kind, args, false));
          local.then((v) => call.settle(true, v), (e) => call.settle(false, e));
          resolve(local);
          return;
        }
      }
      const id = nextOpId++;
      call.id = id;
      pendingOps.set(id, { resolve, reject, event, rpc: call, gate: gateScopeNow() });
      try {
        const message = rpcSerialize(args, true);
        const pathJson = path.length === 1 ? (rpcPaths.get(path[0]) ?? cachePath(path[0])) : JSONStringify(path);
        if (base.binding !== undefined) ops.rpcCall(id, RPC_TARGET_BINDING, base.binding, pathJson, kind, message.payload, message.tokens);
        else if (base.actor !== undefined) ops.rpcCall(id, RPC_TARGET_ACTOR, base.actor.binding, pathJson, kind, message.payload, message.tokens, base.actor.id, base.actor.name);
        else if (base.stub !== undefined) ops.rpcCall(id, RPC_TARGET_STUB, base.stub.importId, pathJson, kind, message.payload, message.tokens);
        else ops.rpcCall(id, RPC_TARGET_PIPELINE, base.call.id, pathJson, kind, message.payload, message.tokens);
        disposeMoved(message);
      } catch (e) {
        pendingOps.delete(id);
        call.id = 0;
        throw e;
      }
    } catch (e) {
      call.settle(false, e);
      reject(e);
    }
  });
  // A Durable Object stub's errors: the object's own are marked remote; a reset breaks the stub (88_durable_objects.js).
  if (base.actor !== undefined) call.promise = call.promise.catch((e) => { throw actorCallError(base.actor, e, call.remoteError === true); });
  return makeRpcPromise(call);
}

function cachePath(name) {
  const json = JSONStringify([name]);
  if (rpcPaths.size < 1024) rpcPaths.set(name, json);
  return json;
}

/** Goes on from a value already here, as the remote side would have: stubs are called through. */
function rpcLocalInvoke(value, path, kind, args) {
  let parent, v = value;
  for (const name of path) {
    if (v === null || v === undefined) throw new TypeError(`The RPC receiver does not implement the method "${name}".`);
    parent = v;
    v = v[name];
  }
  if (kind === RPC_GET) return v;
  if (typeof v !== "function") throw new TypeError(`The RPC receiver does not implement the method "${path.at(-1)}".`);
  return Reflect.apply(v, parent, args);
}

/** The host answers a call this isolate made: the value (or error) and its handles, or a failure of its own. */
function completeRpc(id, payload, tokens, isError, message, name, flags) {
  const pending = pendingOps.get(id);
  if (pending === undefined) return;
  if (pending.gate !== null && gateHolds(pending.gate, () => completeRpc(id, payload, tokens, isError, message, name, flags))) return;
  pendingOps.delete(id);
  currentEvent = pending.event;
  const call = pending.rpc;
  if (payload === null) { const e = withErrorFlags(hostError(message, name), flags); call.settle(false, e); pending.reject(e); return; }
  const stubs = [];
  let value;
  try {
    value = rpcDeserialize(payload, tokens, stubs);
  } catch (e) {
    call.settle(false, e);
    pending.reject(e);
    return;
  }
  if (isError) {
    for (const s of stubs) disposeStub(s);
    if (value !== null && typeof value === "object") call.remoteError = true;
    call.settle(false, value);
    pending.reject(value);
    return;
  }
  call.settle(true, value);
  call.stubs = stubs;
  // As on Cloudflare: an object result gets a disposer that disposes the stubs it holds.
  if (value !== null && typeof value === "object" && !isStub(value) && Object.isExtensible(value)) {
    Object.defineProperty(value, Symbol.dispose, { value: () => disposeCall(call), configurable: true, writable: true, enumerable: false });
  }
  pending.resolve(value);
}

// ---- serialization hooks -----------------------------------------------------------------

/**
 * Serializes `value` for another isolate: functions and RpcTargets become exports, stubs pass on,
 * streams and bodies become stream handles. Returns { payload (a length in the transfer buffer,
 * or bytes), tokens (the handles, in order) }.
 */
// One hooks object for every serialization; what a serialization collects is swapped in and out,
// so a getter that makes an RPC call while its object is serialized gets its own.
const rpcWriteHooks = {
  omitStack: true,
  omitCause: true,
  tokens: null,
  moved: null,
  host(v, w) { return rpcWriteHost(v, w, this.tokens, this.moved); },
  classInstance(v) { throw dataCloneError(`Could not serialize object of type "${constructorNameOf(v)}". This type does not support serialization.`); },
};

function rpcSerialize(value, isArgs) {
  const tokens = [];
  // Before 2026-01-20 (rpc_params_dup_stubs), a stub sent in a call's parameters is moved to the
  // callee: the caller's stub is disposed. From then on the callee gets a dup and the caller keeps its own.
  const moved = isArgs && !compatEnabled("rpc_params_dup_stubs") ? [] : null;
  const outerTokens = rpcWriteHooks.tokens, outerMoved = rpcWriteHooks.moved;
  rpcWriteHooks.tokens = tokens;
  rpcWriteHooks.moved = moved;
  let bytes;
  try {
    bytes = serializeValue(value, rpcWriteHooks, hostTransfer);
  } finally {
    rpcWriteHooks.tokens = outerTokens;
    rpcWriteHooks.moved = outerMoved;
  }
  const payload = bytes.buffer === hostTransfer.buffer ? bytes.byteLength : bytes;
  // The host takes its own reference to each stub sent before the call goes out, so these can go now.
  const message = { payload, tokens: tokens.length === 0 ? "" : tokens.join(",") };
  if (moved !== null && moved.length > 0) message.moved = moved;
  return message;
}

/** After the call crossed: the stubs it moved are the callee's now. */
function disposeMoved(message) {
  if (message.moved !== undefined) for (const s of message.moved) disposeStub(s);
}

function rpcWriteHost(v, w, tokens, moved) {
  if (isStub(v)) {
    const s = stubStates.get(v);
    if (s.disposed) throw disposedStubError();
    w.byte(T.host); w.varint(HOST_STUB);
    if (s.local !== undefined) w.varint(exportObject(s.local, tokens));
    else { w.varint(tokens.length); tokens.push("s" + s.importId); }
    if (moved !== null && moved !== undefined) moved.push(s);
    return true;
  }
  if (typeof v === "function" || v instanceof RpcTarget) {
    if (v instanceof WorkerEntrypoint || v instanceof DurableObject) return false;
    w.byte(T.host); w.varint(HOST_STUB); w.varint(exportObject(v, tokens));
    return true;
  }
  if (typeof v !== "object") return false;
  if (v instanceof ReadableStream) {
    w.byte(T.host); w.varint(HOST_READABLE); w.varint(streamToken(v, tokens));
    return true;
  }
  if (v instanceof WritableStream) {
    if (v.locked) throw new TypeError("The WritableStream is locked and cannot be sent over RPC.");
    w.byte(T.host); w.varint(HOST_WRITABLE); w.varint(exportObject(new WritableSink(v.getWriter()), tokens));
    return true;
  }
  if (v instanceof Request) {
    const st = v[kState];
    w.byte(T.host); w.varint(HOST_REQUEST);
    w.string(st.method); w.string(st.url);
    writeHeaderList(w, requestHeaders(st));
    writeBodyPayload(w, st.body, tokens);
    return true;
  }
  if (v instanceof Response) {
    const st = v[kState];
    w.byte(T.host); w.varint(HOST_RESPONSE);
    w.varint(st.status); w.string(st.statusText ?? "");
    writeHeaderList(w, st.headers);
    writeBodyPayload(w, st.body, tokens);
    return true;
  }
  if (v instanceof Headers) {
    w.byte(T.host); w.varint(HOST_HEADERS); writeHeaderList(w, v);
    return true;
  }
  if (v instanceof Blob && !(v instanceof File)) {
    w.byte(T.host); w.varint(HOST_BLOB); w.string(v.type);
    const bytes = v[kBlob].bytes;
    w.varint(bytes.byteLength); w.raw(bytes);
    return true;
  }
  if (isDOMException(v)) {
    w.byte(T.host); w.varint(HOST_DOMEXCEPTION); w.string(v.name); w.string(v.message);
    return true;
  }
  return false;
}

function exportObject(target, tokens) {
  const id = ops.rpcExport();
  const event = currentEvent;
  rpcExports.set(id, { target, event });
  if (event !== null) {
    (event.exports ??= []).push(id);
    if (event.rpc) event.holds++;
  }
  tokens.push("e" + id);
  return tokens.length - 1;
}

function streamToken(stream, tokens) {
  if (stream.locked) throw new TypeError("The ReadableStream is locked and cannot be sent over RPC.");
  // As in workerd, a stream an RPC call sends lasts with the call's context: the call's event is
  // not over (its timers, which a pull may wait on, are not cancelled) until the stream ends.
  // It outlasts the caller's event too (a caller that returns the stream as its response body is
  // done while the body still flows).
  const event = currentEvent;
  const holds = event !== null && event.rpc && !event.done;
  if (holds) {
    event.holds++;
    event.streamsOut = (event.streamsOut ?? 0) + 1;
  }
  tokens.push("r" + registerJsStream(stream, holds ? () => { event.streamsOut--; releaseHold(event); } : undefined));
  return tokens.length - 1;
}

function writeHeaderList(w, headers) {
  const flat = headersToFlat(headers);
  w.varint(flat.length);
  for (const s of flat) w.string(s);
}

function writeBodyPayload(w, body, tokens) {
  if (bodyUsed(body)) throw new TypeError(BODY_USED);
  if (body.stream === null && (body.kind === "none")) { w.varint(0); return; }
  if (body.stream === null && (body.kind === "text" || body.kind === "bytes")) {
    body.used = true;
    const bytes = typeof body.value === "string" ? utf8Encode(body.value) : body.value;
    w.varint(2); w.varint(bytes.byteLength); w.raw(bytes);
    return;
  }
  const stream = bodyStream(body);
  body.used = true;
  w.varint(1); w.varint(streamToken(stream, tokens));
}

/** The sending side of a WritableStream passed over RPC: the receiver's writes call these. */
class WritableSink extends RpcTarget {
  #writer;
  constructor(writer) { super(); this.#writer = writer; }
  write(chunk) { return this.#writer.write(chunk); }
  close() { return this.#writer.close(); }
  abort(reason) { return this.#writer.abort(reason); }
}

const NO_TOKENS = Object.freeze([]);

function rpcDeserialize(payload, tokens, stubs) {
  const list = tokens === "" ? NO_TOKENS : tokens.split(",");
  return deserializeValue(payload, { host: (r) => rpcReadHost(r, list, stubs) });
}

function tokenId(token, kind) {
  if (token === undefined || token[0] !== kind) throw dataCloneError("Unable to deserialize cloned data.");
  return Number(token.slice(1));
}

function rpcReadHost(r, tokens, stubs) {
  const tag = r.varint();
  switch (tag) {
    case HOST_STUB: {
      const state = new StubState(tokenId(tokens[r.varint()], "s"), undefined);
      stubs.push(state);
      return makeStub(state);
    }
    case HOST_READABLE: return hostBodyStream(tokenId(tokens[r.varint()], "r"));
    case HOST_WRITABLE: {
      const state = new StubState(tokenId(tokens[r.varint()], "s"), undefined);
      stubs.push(state);
      const sink = makeStub(state);
      return new WritableStream({
        write(chunk) { return sink.write(chunk); },
        close() { return sink.close(); },
        abort(reason) { return sink.abort(reason); },
      });
    }
    case HOST_REQUEST: {
      const method = readValue(r), url = readValue(r);
      const headers = readHeaderList(r);
      const body = readBodyPayload(r, tokens);
      return new Request(url, { method, headers, body, duplex: "half" });
    }
    case HOST_RESPONSE: {
      const status = r.varint();
      const statusText = readValue(r);
      const headers = readHeaderList(r);
      const body = readBodyPayload(r, tokens);
      return new Response(body, { status, statusText, headers });
    }
    case HOST_HEADERS: return new Headers(readHeaderList(r));
    case HOST_BLOB: { const type = readValue(r); const bytes = r.bytes(r.varint()); return new Blob([bytes], { type }); }
    case HOST_DOMEXCEPTION: { const name = readValue(r); const message = readValue(r); return new DOMException(message, name); }
    default: throw dataCloneError("Unable to deserialize cloned data.");
  }
}

function readHeaderList(r) {
  const n = r.varint();
  const pairs = [];
  for (let i = 0; i + 1 < n; i += 2) pairs.push([readValue(r), readValue(r)]);
  return pairs;
}

function readBodyPayload(r, tokens) {
  const kind = r.varint();
  if (kind === 0) return null;
  if (kind === 2) return r.bytes(r.varint());
  return hostBodyStream(tokenId(tokens[r.varint()], "r"));
}

// ---- calls this isolate answers ----------------------------------------------------------------

const RESERVED_ENTRYPOINT_METHODS = new Set(["fetch", "connect", "alarm", "webSocketMessage", "webSocketClose", "webSocketError"]);

function rpcNotImplemented(name) { return new TypeError(`The RPC receiver does not implement the method "${name}".`); }

/** One step along an RPC path, with Cloudflare's visibility rules. */
function rpcGet(obj, name, isEntrypoint) {
  if (name === "dup") throw new TypeError("'dup' is a reserved method and cannot be called over RPC.");
  if (obj === null || obj === undefined || (typeof obj !== "object" && typeof obj !== "function")) throw rpcNotImplemented(name);
  if (obj instanceof RpcTarget || obj instanceof WorkerEntrypoint || obj instanceof DurableObject) {
    // Only what the class declares: instance properties stay private.
    if (name === "constructor" || (isEntrypoint && RESERVED_ENTRYPOINT_METHODS.has(name))) throw rpcNotImplemented(name);
    for (let p = Object.getPrototypeOf(obj); p !== null && p !== Object.prototype && p !== RpcTarget.prototype &&
      p !== WorkerEntrypoint.prototype && p !== DurableObject.prototype; p = Object.getPrototypeOf(p)) {
      const desc = Object.getOwnPropertyDescriptor(p, name);
      if (desc === undefined) continue;
      if (desc.get !== undefined) return desc.get.call(obj);
      if ("value" in desc) return desc.value;
      throw rpcNotImplemented(name);
    }
    throw rpcNotImplemented(name);
  }
  if (isStub(obj)) return obj[name];
  // Plain objects, arrays and functions: their own properties.
  if (!Object.hasOwn(obj, name)) throw rpcNotImplemented(name);
  return obj[name];
}

/** Runs a call (or property read) at `path` on `root`; `plain` marks a handler object entrypoint. */
function rpcInvoke(root, path, kind, args, isEntrypoint, plain = false) {
  let parent, v = root;
  for (let i = 0; i < path.length; i++) {
    parent = v;
    v = rpcGet(parent, path[i], isEntrypoint && i === 0);
  }
  if (kind === RPC_GET) return v;
  if (typeof v !== "function") throw rpcNotImplemented(path.at(-1) ?? "");
  if (plain && path.length === 1) {
    if (args.length !== 1) {
      throw new TypeError(`Attempted to call RPC function "${path[0]}" with the wrong number of arguments. When calling a top-level handler function that is not declared as part of a class, you must always send exactly one argument. In order to support variable numbers of arguments, the server must use class-based syntax (extending WorkerEntrypoint) instead.`);
    }
    return Reflect.apply(v, parent, [args[0], env, currentEvent.context()]);
  }
  return Reflect.apply(v, parent, args);
}

/** The object a call through a service binding is made on: a new WorkerEntrypoint instance, or a handler object. */
function rpcEntrypoint(name, event) {
  if (worker === null || worker.kind !== "module") {
    throw new TypeError("The receiving Worker does not support RPC, because it is not written as an ES module.");
  }
  const exported = name === null || name === undefined ? worker.exports.default : worker.exports[name];
  if (typeof exported === "function" && exported.prototype instanceof WorkerEntrypoint) {
    return { root: new exported(event.context(), env), plain: false };
  }
  if (exported !== null && typeof exported === "object") return { root: exported, plain: true };
  throw new TypeError(`The receiving Worker has no entrypoint named "${name ?? "default"}" that accepts RPC.`);
}

/** A call through a service binding, as its own event. */
function dispatchRpc(eventId, callId, entrypoint, propsJson, pathJson, kind, payload, tokens) {
  const event = new EventState(eventId);
  event.rpc = true;
  event.holds = 0;
  event.bodyDone = false; // becomes true once the call returned
  event.mainCallId = callId;
  if (propsJson !== null && propsJson !== undefined) event.props = JSONParse(propsJson);
  liveRpcEvents.set(eventId, event);
  currentEvent = event;
  answerCall(callId, event, () => {
    const { root, plain } = rpcEntrypoint(entrypoint, event);
    return { root, plain, isEntrypoint: true };
  }, pathJson, kind, payload, tokens);
}

/** A call on a stub this isolate gave out, in the event that gave it out. */
function invokeExport(callId, exportId, pathJson, kind, payload, tokens) {
  const exp = rpcExports.get(exportId);
  const event = exp?.event ?? null;
  // A stub a Durable Object gave out: the call waits at the object's input gate (88_durable_objects.js).
  if (event?.actor !== undefined && gateHolds(event.actor, () => invokeExport(callId, exportId, pathJson, kind, payload, tokens))) return;
  currentEvent = event;
  answerCall(callId, event, () => {
    if (exp === undefined) throw disposedStubError();
    return { root: exp.target, plain: false, isEntrypoint: false };
  }, pathJson, kind, payload, tokens);
}

/** A call made on the result of call `baseCallId` before the caller had it. */
function invokePipelined(callId, baseCallId, pathJson, kind, payload, tokens) {
  const base = rpcAnswers.get(baseCallId);
  const event = base?.event ?? null;
  if (event?.actor !== undefined && gateHolds(event.actor, () => invokePipelined(callId, baseCallId, pathJson, kind, payload, tokens))) return;
  currentEvent = event;
  answerCall(callId, event, () => {
    if (base === undefined) throw new TypeError("Calls cannot be pipelined on the result of an RPC call once it is disposed.");
    return { root: base.promise, plain: false, isEntrypoint: false, pipelined: true };
  }, pathJson, kind, payload, tokens);
}

const parsedPaths = new Map(); // path JSON -> frozen array, for the paths called again and again

function parsePath(json) {
  let path = parsedPaths.get(json);
  if (path === undefined) {
    path = Object.freeze(JSONParse(json));
    if (parsedPaths.size < 1024) parsedPaths.set(json, path);
  }
  return path;
}

function answerCall(callId, event, target, pathJson, kind, payload, tokens) {
  const received = [];
  let result;
  try {
    const args = rpcDeserialize(payload, tokens, received);
    for (const s of received) holdEvent(s, event);
    const path = parsePath(pathJson);
    const t = target();
    result = t.pipelined
      ? t.root.then((v) => rpcInvoke(v, path, kind, args, false))
      : rpcInvoke(t.root, path, kind, args, t.isEntrypoint, t.plain);
  } catch (e) {
    result = Promise.reject(e);
  }
  const promise = Promise.resolve(result);
  // Kept so calls pipelined on this result can find it, until the caller forgets it.
  rpcAnswers.set(callId, { promise, event });
  if (event !== null) (event.answers ??= []).push(callId);
  promise.then((v) => sendAnswer(callId, event, v, false, received), (e) => sendAnswer(callId, event, e, true, received));
}

function sendAnswer(callId, event, value, isError, received) {
  // Stubs received as parameters are disposed when the call returns (dup() keeps one).
  for (const s of received) disposeStub(s);
  currentEvent = event;
  let message;
  if (isError) message = rpcSerialize(rpcThrown(value), false);
  else {
    try {
      message = rpcSerialize(value, false);
    } catch (e) {
      isError = true;
      value = e;
      message = rpcSerialize(rpcThrown(e), false);
    }
  }
  const retained = !isError && value !== null && (typeof value === "object" || typeof value === "function");
  if (retained) { if (event !== null && event.rpc) event.holds++; }
  else rpcAnswers.delete(callId);
  ops.rpcReturn(callId, message.payload, message.tokens, isError, retained);
  if (event !== null && event.rpc && callId === event.mainCallId) {
    event.bodyDone = true;
    event.finishWhenSettled();
  }
}

/** What the caller receives for a thrown value: its type and message (not its stack), as workerd sends. */
function rpcThrown(e) {
  if (isDOMException(e)) return e;
  if (hasErrorBrand(e)) {
    const name = typeof e.name === "string" ? e.name : "Error";
    const message = typeof e.message === "string" ? e.message : String(e.message);
    if (name === "Error" || ERROR_TAGS.has(name)) return new (CLONEABLE_ERRORS.get(name) ?? Error)(message);
    return new Error(`${name}: ${message}`);
  }
  try { return new Error(String(e)); } catch { return new Error("An RPC method threw a value that is not an Error."); }
}

/** The last stub to export `exportId` is gone; an RpcTarget's disposer runs now. */
function releaseExport(exportId) {
  const exp = rpcExports.get(exportId);
  if (exp === undefined) return;
  rpcExports.delete(exportId);
  currentEvent = exp.event;
  runDisposer(exp.target);
  releaseHold(exp.event);
}

/** An RpcTarget's disposer; what it throws does not reach the caller, it is reported as uncaught. */
function runDisposer(target) {
  const dispose = target instanceof RpcTarget ? target[Symbol.dispose] : undefined;
  if (typeof dispose !== "function") return;
  try { dispose.call(target); } catch (e) { ops.log(LOG.error, `Uncaught ${errorText(e)}`); }
}

/** The caller forgot call `callId`: its result need not be kept any longer. */
function forgetCall(callId) {
  const answer = rpcAnswers.get(callId);
  if (answer === undefined) return;
  rpcAnswers.delete(callId);
  currentEvent = answer.event; // the disposers an ending event runs are its own code
  releaseHold(answer.event);
}

function releaseHold(event) {
  if (event === null || !event.rpc || event.done) return;
  event.holds--;
  event.finishWhenSettled();
}

const liveRpcEvents = new Map(); // event id -> EventState, for RPC events not yet done

/** An event is over: what it exported and kept goes with it. */
function dropEventRpc(event) {
  // Stubs to what the event gave out stop working with it: its RpcTargets are disposed now.
  if (event.exports !== undefined) {
    for (const id of event.exports) {
      const exp = rpcExports.get(id);
      if (exp === undefined) continue;
      rpcExports.delete(id);
      runDisposer(exp.target);
    }
    event.exports = undefined;
  }
  if (event.answers !== undefined) for (const id of event.answers) rpcAnswers.delete(id);
  if (event.rpc) liveRpcEvents.delete(event.id);
}

/**
 * The caller's event ended (on Cloudflare: the client disconnected): the call's event no longer
 * waits for its stubs; it ends once its waitUntil work settles and the streams it sent are read.
 */
function disconnectRpc(eventId) {
  const event = liveRpcEvents.get(eventId);
  if (event === undefined || event.done) return;
  currentEvent = event;
  dropEventRpc(event);
  event.holds = event.streamsOut ?? 0; // streams it sent and still being read keep it
  event.bodyDone = true;
  event.finishWhenSettled();
}
