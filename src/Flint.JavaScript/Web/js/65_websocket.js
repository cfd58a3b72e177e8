// WebSockets as Cloudflare Workers have them: WebSocketPair, WebSocket (accept, send, close,
// events), MessageEvent, CloseEvent, ErrorEvent; a Worker answers an upgrade with
// `new Response(null, { status: 101, webSocket })`, and connects out with
// `fetch(url, { headers: { Upgrade: "websocket" } })` or `new WebSocket(url)`.
//
// A socket's outgoing messages go either to its peer in the same isolate (the other end of a
// WebSocketPair) or to a host connection (`hostId`): the Kestrel connection a Response handed
// it to, or an outbound ClientWebSocket. Host connections deliver their events through
// webSocketEvent(), one event per turn of the loop. Observable details follow workerd
// (compatibility date 2025-11-01): close codes 1000–4999 except 1004/1005/1006/1015, the
// messages of its errors, events queued until accept(), a close answered with a close.

const WS_CONNECTING = 0, WS_OPEN = 1, WS_CLOSING = 2, WS_CLOSED = 3;
// workerd's limit on a received message (1 MiB).
const WS_MAX_MESSAGE = 1 << 20;
const kWsInternal = internalSymbol("flint.webSocket");
const WS_NOT_ACCEPTED = "You must call one of accept() or state.acceptWebSocket() on this WebSocket before sending messages.";
const WS_LOST = "Network connection lost.";
const WS_NO_CLOSE_FRAME = "WebSocket disconnected without sending Close frame.";

// ---- events --------------------------------------------------------------------------------

function eventInitOrThrow(init, where) {
  if (init === undefined || init === null) return {};
  if (typeof init !== "object" && typeof init !== "function") {
    throw new TypeError(`Failed to construct '${where}': constructor parameter 2 is not of type 'Initializer'.`);
  }
  return init;
}

function defineReadonly(target, name, value) {
  Object.defineProperty(target, name, { value, writable: false, enumerable: true, configurable: true });
}

class MessageEvent extends Event {
  constructor(type, init = undefined) {
    if (arguments.length === 0) throw new TypeError("Failed to construct 'MessageEvent': constructor parameter 1 is not of type 'string'.");
    const dict = eventInitOrThrow(init, "MessageEvent");
    super(type, dict);
    let ports = [];
    if (dict.ports !== undefined) {
      if (!Array.isArray(dict.ports)) throw new TypeError("Incorrect type for the 'ports' field on 'Initializer': the provided value is not of type 'Array'.");
      if (dict.ports.length > 0) throw new TypeError("Incorrect type for the 'ports' field on 'Initializer': the provided value is not of type 'MessagePort'.");
    }
    if (dict.source !== undefined && dict.source !== null) {
      throw new TypeError("Incorrect type for the 'source' field on 'Initializer': the provided value is not of type 'MessagePort'.");
    }
    defineReadonly(this, "data", dict.data === undefined ? null : dict.data);
    defineReadonly(this, "origin", dict.origin === undefined ? "" : (dict.origin === null ? null : toDOMString(dict.origin)));
    defineReadonly(this, "lastEventId", dict.lastEventId === undefined ? "" : toDOMString(dict.lastEventId));
    defineReadonly(this, "source", null);
    defineReadonly(this, "ports", ports);
  }
}
webidlInterface(MessageEvent);

class CloseEvent extends Event {
  constructor(type, init = undefined) {
    if (arguments.length === 0) throw new TypeError("Failed to construct 'CloseEvent': constructor parameter 1 is not of type 'string'.");
    const dict = eventInitOrThrow(init, "CloseEvent");
    super(type, dict);
    defineReadonly(this, "code", dict.code === undefined ? 0 : (Number(dict.code) & 0xffff));
    defineReadonly(this, "reason", dict.reason === undefined ? "" : toUSVString(dict.reason));
    defineReadonly(this, "wasClean", !!dict.wasClean);
  }
}
webidlInterface(CloseEvent);

class ErrorEvent extends Event {
  constructor(type, init = undefined) {
    if (arguments.length === 0) throw new TypeError("Failed to construct 'ErrorEvent': constructor parameter 1 is not of type 'string'.");
    const dict = eventInitOrThrow(init, "ErrorEvent");
    super(type, dict);
    const st = this[kState];
    st.message = dict.message === undefined ? "" : toDOMString(dict.message);
    st.filename = dict.filename === undefined ? "" : toDOMString(dict.filename);
    st.lineno = dict.lineno === undefined ? 0 : Number(dict.lineno) >>> 0;
    st.colno = dict.colno === undefined ? 0 : Number(dict.colno) >>> 0;
    st.error = dict.error;
  }
  get filename() { return eventState(this).filename ?? ""; }
  get message() { return eventState(this).message ?? ""; }
  get lineno() { return eventState(this).lineno ?? 0; }
  get colno() { return eventState(this).colno ?? 0; }
  get error() { return eventState(this).error; }
}
webidlInterface(ErrorEvent);

function trusted(event) {
  event[kState].trusted = true;
  return event;
}

// ---- WebSocket -------------------------------------------------------------------------------

function wsState(ws) {
  const st = ws instanceof WebSocket ? ws[kState] : undefined;
  if (st === undefined || st.ws === undefined) throw illegalInvocation();
  return st.ws;
}

/** Host connection id → the WebSocket its incoming events go to. */
const hostSockets = new Map();
/** Events for a host id whose WebSocket is not registered yet (kept in order). */
const earlyHostEvents = new Map();

function newSocketState(readyState) {
  return {
    readyState,
    accepted: false,
    transferred: false,   // handed to the host in a Response
    peer: null,           // the other end of a WebSocketPair, while in this isolate
    hostId: 0,            // the host connection outgoing messages go to
    answering: null,      // the request that answered with this socket's partner: it ends when this closes
    inbox: [],            // events waiting for accept() or for their turn
    flushScheduled: false,
    closeSent: false,
    closeReceived: false,
    errored: false,
    url: null, protocol: "", extensions: "",
    binaryType: "arraybuffer",
    bufferedAmount: 0,
    attachment: undefined,
    handlers: { message: null, close: null, error: null, open: null },
    pendingSends: null,   // sends made by script while CONNECTING (new WebSocket(url))
  };
}

function makeSocket(readyState) {
  const ws = new WebSocket(kWsInternal);
  ws[kState].ws = newSocketState(readyState);
  return ws;
}

function messageSize(data) {
  return typeof data === "string" ? (data.length < 256 ? utf8Encode(data).byteLength : ops.utf8Length(data)) : data.byteLength;
}

/** Queues an incoming event on `ws`; it is dispatched once accepted, one event per turn. */
function wsReceive(ws, item) {
  const s = ws[kState].ws;
  s.inbox.push(item);
  if (s.accepted) scheduleFlush(ws);
}

function scheduleFlush(ws) {
  const s = ws[kState].ws;
  if (s.flushScheduled || s.inbox.length === 0) return;
  s.flushScheduled = true;
  startTimer(() => { s.flushScheduled = false; flushOne(ws); }, 0, [], false);
}

function flushOne(ws) {
  const s = ws[kState].ws;
  if (s.inbox.length === 0) return;
  const item = s.inbox.shift();
  if (item.from !== undefined) {
    const from = item.from[kState].ws;
    from.bufferedAmount = Math.max(0, from.bufferedAmount - item.size);
  }
  dispatchIncoming(ws, item);
  scheduleFlush(ws);
}

function dispatchIncoming(ws, item) {
  const s = ws[kState].ws;
  if (s.readyState === WS_CLOSED) return;
  // The rest of this turn, its microtasks included, runs in the context of the request the socket answered.
  const scope = answeringScope(s);
  if (scope !== null) {
    currentEvent = scope;
    scope.subrequests = 0; // each message its own allowance, not the socket's whole life
  }
  switch (item.type) {
    case "message": {
      let data = item.data;
      if (typeof data !== "string") {
        data = data.buffer.byteLength === data.byteLength && data.byteOffset === 0 ? data.buffer : data.slice().buffer;
        if (s.binaryType === "blob" && typeof Blob === "function") data = new Blob([data]);
      }
      dispatchGuarded(ws, trusted(new MessageEvent("message", { data, origin: null })));
      break;
    }
    case "close": {
      s.closeReceived = true;
      if (!s.closeSent && compatEnabled("web_socket_auto_reply_to_close")) {
        // Answered with the same close, as workerd does from 2026-04-07.
        s.closeSent = true;
        sendOutgoing(ws, { type: "close", code: item.code === 1005 ? -1 : item.code, reason: item.code === 1005 ? "" : item.reason });
      }
      // Before that date the Worker answers with close() itself; until then the socket is closing
      // (and the peer waits for its answer).
      s.readyState = s.closeSent ? WS_CLOSED : WS_CLOSING;
      dispatchAt(ws[kState], ws, trusted(new CloseEvent("close", { code: item.code, reason: item.reason, wasClean: item.wasClean })));
      if (s.readyState === WS_CLOSED) {
        forgetHost(s);
        answerEnded(s);
      }
      break;
    }
    case "error": {
      s.readyState = WS_CLOSED;
      s.errored = true;
      s.closeSent = true;
      s.closeReceived = true;
      const error = item.errorName === "TypeError" ? new TypeError(item.message) : new Error(item.message);
      dispatchAt(ws[kState], ws, trusted(new ErrorEvent("error", { message: `Uncaught ${error.name}: ${item.message}`, error })));
      dispatchAt(ws[kState], ws, trusted(new CloseEvent("close", { code: 1006, reason: item.reason ?? WS_NO_CLOSE_FRAME, wasClean: false })));
      forgetHost(s);
      answerEnded(s);
      break;
    }
    case "open": {
      s.readyState = WS_OPEN;
      s.protocol = item.protocol;
      s.extensions = item.extensions;
      const pending = s.pendingSends;
      dispatchGuarded(ws, trusted(new Event("open")));
      if (s.errored) break;
      s.pendingSends = null;
      if (pending !== null) for (const out of pending) sendOutgoing(ws, out);
      break;
    }
  }
}

const noException = Symbol("none");

/** Dispatches an incoming `event`; if a listener throws, the socket errors, as in workerd. */
function dispatchGuarded(ws, event) {
  let thrown = noException;
  dispatchAt(ws[kState], ws, event, (e) => { thrown = e; });
  if (thrown !== noException) errorFromListener(ws, thrown);
}

/**
 * A listener threw while the socket delivered an event. As in workerd: the listeners after it do
 * not run, the connection drops without a close frame (the peer sees 1006), and the socket fires
 * `error` carrying the exception; no `close` follows. The global scope's `error` event does not
 * fire; the exception is logged.
 */
function errorFromListener(ws, e) {
  const s = ws[kState].ws;
  reportUncaught(e);
  if (s.errored) return;
  s.readyState = WS_CLOSED;
  s.errored = true;
  s.closeSent = true;
  s.closeReceived = true;
  s.inbox = [];
  s.pendingSends = null;
  // The host answers with "ended" once the connection is gone; until then its id stays known.
  if (s.hostId !== 0) ops.wsDrop(s.hostId);
  const peer = s.peer;
  s.peer = null;
  if (peer !== null) {
    peer[kState].ws.peer = null;
    wsReceive(peer, { type: "error", message: WS_LOST });
  }
  let text;
  try { text = String(e); } catch { text = "(unprintable value)"; }
  dispatchAt(ws[kState], ws, trusted(new ErrorEvent("error", { message: `Uncaught ${text}`, error: e })));
  answerEnded(s);
}

function forgetHost(s) {
  if (s.hostId !== 0 && s.closeSent && s.closeReceived) hostSockets.delete(s.hostId);
}

/**
 * The socket a request answered with is closed: that request is over, as in workerd, where its
 * context ends with the connection, and the timers it set stop (an interval that pinged the
 * client does not tick on forever).
 */
function answerEnded(s) {
  const event = s.answering;
  if (event === null) return;
  s.answering = null;
  event.timersOutlive = false;
  if (event.done && event.actor === null) cancelOwnedTimers(event);
  const scope = event.socketScope;
  if (scope === null) return;
  // What the socket's listeners started ends with it too: timers, TCP sockets, the stubs they gave out.
  event.socketScope = null;
  scope.done = true;
  scope.releaseOwned(true);
}

/**
 * The context the events of a socket kept by a request run in, as in workerd, where they run in
 * that request's I/O context, which lives on with the socket. The request itself is over (its
 * response went out): this is a context of its own for what the listeners start, made with the
 * first event and ended by answerEnded(). Null for other sockets.
 */
function answeringScope(s) {
  const event = s.answering;
  if (event === null) return null;
  if (event.socketScope === null) {
    const scope = new EventState(event.id);
    scope.props = event.props;
    scope.responded = true;
    event.socketScope = scope;
  }
  return event.socketScope;
}

/** Sends a message or a close from `ws` to whatever is at the other end. */
function sendOutgoing(ws, out) {
  const s = ws[kState].ws;
  if (s.pendingSends !== null) { s.pendingSends.push(out); return; }
  if (s.hostId !== 0) {
    if (out.type === "message") ops.wsSend(s.hostId, out.data);
    else ops.wsClose(s.hostId, out.code, out.reason);
    return;
  }
  const peer = s.peer;
  if (peer === null) return;
  if (out.type === "message") {
    const size = messageSize(out.data);
    s.bufferedAmount += size;
    wsReceive(peer, { type: "message", data: out.data, from: ws, size });
  } else {
    wsReceive(peer, { type: "close", code: out.code < 0 ? 1005 : out.code, reason: out.code < 0 ? "" : out.reason, wasClean: true });
  }
}

function validCloseCode(code) {
  return code >= 1000 && code <= 4999 && code !== 1004 && code !== 1005 && code !== 1006 && code !== 1015;
}

class WebSocket extends EventTarget {
  constructor(url, protocols = undefined) {
    if (url === kWsInternal) { super(); return; }
    requiredArguments(arguments.length, 1, "WebSocket");
    let parsed;
    try { parsed = new URL(toUSVString(url)); } catch { throw new DOMException(`WebSocket URL is invalid: ${toDOMString(url)}`, "SyntaxError"); }
    if (parsed.protocol === "http:") parsed.protocol = "ws:";
    else if (parsed.protocol === "https:") parsed.protocol = "wss:";
    if (parsed.protocol !== "ws:" && parsed.protocol !== "wss:") {
      throw new DOMException(`WebSocket URL has an unsupported scheme: ${parsed.protocol} (use ws: or wss:).`, "SyntaxError");
    }
    if (parsed.hash !== "") throw new DOMException("WebSocket URL must not have a fragment.", "SyntaxError");
    let list = [];
    if (protocols !== undefined) list = typeof protocols === "string" ? [protocols] : Array.from(protocols, toDOMString);
    const seen = new Set();
    for (const p of list) {
      if (p.length === 0 || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(p) || seen.has(p.toLowerCase())) {
        throw new DOMException(`The subprotocol '${p}' is invalid or repeated.`, "SyntaxError");
      }
      seen.add(p.toLowerCase());
    }
    super();
    const s = newSocketState(WS_CONNECTING);
    this[kState].ws = s;
    s.url = parsed.href;
    s.accepted = true;
    s.client = true;
    if (currentEvent !== null && currentEvent.actor != null) s.gateActor = currentEvent.actor; // see accept()
    s.pendingSends = [];
    const ws = this;
    // Failures read as workerd's.
    const failed = { reason: "Failed to establish websocket connection", errorName: "TypeError" };
    startWsConnect(parsed.href, list.join(","), "").then((head) => {
      if (head.status !== 101) {
        wsReceive(ws, { type: "error", ...failed,
          message: `Failed to establish the WebSocket connection: expected server to reply with HTTP status code 101 (switching protocols), but received ${head.status} instead.` });
        return;
      }
      adoptHost(ws, head.id);
      wsReceive(ws, { type: "open", protocol: head.protocol, extensions: null });
    }, (e) => {
      wsReceive(ws, { type: "error", reason: failed.reason, message: e?.message ?? WS_LOST });
    });
  }

  accept(options = undefined) {
    const s = wsState(this);
    if (s.transferred || s.client) throw new TypeError("Can't accept() WebSocket that was already used in a response.");
    if (s.accepted) return;
    if (s.foreignId !== undefined) {
      // Another isolate's WebSocket (a Durable Object's from stub.fetch(), a service's from env.SVC.fetch()): this Worker talks to it over it.
      const id = ops.wsAcceptForeign(s.foreignId);
      s.foreignId = undefined;
      if (id === 0) throw new TypeError("The WebSocket's other end is gone: the Worker or Durable Object that returned it has closed it.");
      adoptHost(this, id);
    }
    s.accepted = true;
    // Accepted inside a Durable Object: its events wait at the object's input gate (88_durable_objects.js).
    const event = currentEvent;
    if (event !== null && event.actor != null) s.gateActor = event.actor;
    scheduleFlush(this);
  }

  send(message) {
    const s = wsState(this);
    if (arguments.length === 0) {
      throw new TypeError("Failed to execute 'send' on 'WebSocket': parameter 1 is not of type 'ArrayBuffer or ArrayBufferView or string'.");
    }
    let data;
    if (isBufferSource(message)) data = bytesCopy(message);
    else data = toDOMString(message);
    // workerd: a socket still connecting counts as not accepted yet.
    if (!s.accepted || (s.readyState === WS_CONNECTING && s.pendingSends !== null)) throw new TypeError(WS_NOT_ACCEPTED);
    if (s.errored) return; // the connection is gone; workerd drops the message silently
    if (s.closeSent) throw new TypeError("Can't call WebSocket send() after close().");
    if (s.peer !== null && typeof data !== "string" && data.byteLength > WS_MAX_MESSAGE ||
        s.peer !== null && typeof data === "string" && data.length > WS_MAX_MESSAGE / 3 && messageSize(data) > WS_MAX_MESSAGE) {
      throw new RangeError(`WebSocket message is too large: ${messageSize(data)} bytes; the limit is ${WS_MAX_MESSAGE} bytes (1 MiB).`);
    }
    sendOutgoing(this, { type: "message", data });
  }

  close(code = undefined, reason = undefined) {
    const s = wsState(this);
    let c = -1;
    if (code !== undefined) {
      if (typeof code === "symbol") throw new TypeError("Cannot convert a Symbol value to a string");
      c = Math.trunc(Number(code));
      if (Number.isNaN(c)) c = 0;
      if (!validCloseCode(c)) throw new DOMException(`Invalid WebSocket close code: ${c}.`, "InvalidAccessError");
    } else if (reason !== undefined) {
      throw new DOMException("If you specify a WebSocket close reason, you must also specify a code.", "InvalidAccessError");
    }
    let text = "";
    if (reason !== undefined) {
      text = toUSVString(reason);
      const bytes = messageSize(text);
      // RFC 6455 leaves 123 bytes for a reason in a close frame (workerd sends a longer one and breaks the connection).
      if (bytes > 123) throw new DOMException(`The WebSocket close reason must not be longer than 123 UTF-8 bytes (it is ${bytes}).`, "SyntaxError");
    }
    if (!s.accepted) throw new TypeError(WS_NOT_ACCEPTED);
    if (s.closeSent) return;
    s.closeSent = true;
    if (s.readyState === WS_CONNECTING && s.pendingSends !== null) {
      // Still connecting: the close goes out once the connection is open.
      s.readyState = WS_CLOSING;
      s.pendingSends.push({ type: "close", code: c, reason: text });
      return;
    }
    s.readyState = s.closeReceived ? WS_CLOSED : WS_CLOSING;
    sendOutgoing(this, { type: "close", code: c, reason: text });
    forgetHost(s);
    if (s.readyState === WS_CLOSED) answerEnded(s);
  }

  serializeAttachment(value) {
    const s = wsState(this);
    // A hibernatable socket's attachment outlives the object's instance (88_durable_objects.js).
    if (s.hibernation !== undefined) { hibernationSerializeAttachment(s, value); return; }
    s.attachment = structuredClone(value);
  }
  deserializeAttachment() {
    const s = wsState(this);
    if (s.hibernation !== undefined) return hibernationDeserializeAttachment(s);
    return s.attachment === undefined ? null : structuredClone(s.attachment);
  }

  get readyState() { return wsState(this).readyState; }
  get bufferedAmount() { return wsState(this).bufferedAmount; }
  get url() { return wsState(this).url; }
  get protocol() { return wsState(this).protocol; }
  get extensions() { return wsState(this).extensions; }
  get binaryType() { return wsState(this).binaryType; }
  set binaryType(value) {
    const s = wsState(this);
    value = toDOMString(value);
    if (value === "blob" || value === "arraybuffer") s.binaryType = value;
  }
  get onmessage() { return wsState(this).handlers.message; }
  set onmessage(v) { wsState(this).handlers.message = handlerValue(v); }
  get onclose() { return wsState(this).handlers.close; }
  set onclose(v) { wsState(this).handlers.close = handlerValue(v); }
  get onerror() { return wsState(this).handlers.error; }
  set onerror(v) { wsState(this).handlers.error = handlerValue(v); }
  get onopen() { return wsState(this).handlers.open; }
  set onopen(v) { wsState(this).handlers.open = handlerValue(v); }
}

function handlerValue(v) {
  return typeof v === "function" || (v !== null && typeof v === "object") ? v : null;
}

webidlInterface(WebSocket);
for (const [name, value] of [["CONNECTING", WS_CONNECTING], ["OPEN", WS_OPEN], ["CLOSING", WS_CLOSING], ["CLOSED", WS_CLOSED]]) {
  for (const key of ["READY_STATE_" + name, name]) {
    const desc = { value, writable: false, enumerable: true, configurable: true };
    Object.defineProperty(WebSocket, key, desc);
    Object.defineProperty(WebSocket.prototype, key, desc);
  }
}

// ---- WebSocketPair -------------------------------------------------------------------------

function WebSocketPair() {
  if (new.target === undefined) {
    throw new TypeError("Failed to construct 'WebSocketPair': Please use the 'new' operator, this object constructor cannot be called as a function.");
  }
  requireHandlerScope();
  const a = makeSocket(WS_OPEN), b = makeSocket(WS_OPEN);
  a[kState].ws.peer = b;
  b[kState].ws.peer = a;
  Object.defineProperty(this, "0", { value: a, writable: false, enumerable: true, configurable: true });
  Object.defineProperty(this, "1", { value: b, writable: false, enumerable: true, configurable: true });
}
Object.defineProperty(WebSocketPair.prototype, Symbol.iterator, {
  value: function* entries() { yield this[0]; yield this[1]; },
  writable: true, enumerable: false, configurable: true,
});
Object.defineProperty(WebSocketPair.prototype, Symbol.toStringTag, { value: "WebSocketPair", configurable: true });

// ---- host connections ------------------------------------------------------------------------

/** A WebSocket of another isolate (a Durable Object's from stub.fetch(), a service's from env.SVC.fetch()): returned in a Response it is passed on, accept()ed this isolate talks over it. */
function foreignSocket(id) {
  const ws = makeSocket(WS_OPEN);
  ws[kState].ws.foreignId = id;
  return ws;
}

/** Makes `ws`'s outgoing go to host connection `id` and the connection's events come to `ws`. */
function adoptHost(ws, id) {
  const s = ws[kState].ws;
  s.hostId = id;
  s.peer = null;
  hostSockets.set(id, ws);
  if (s.hibernation !== undefined) hibernationAdopted(ws, id);
  const early = earlyHostEvents.get(id);
  if (early !== undefined) {
    earlyHostEvents.delete(id);
    for (const item of early) wsReceive(ws, item);
  }
}

/**
 * Hands `ws` (one end of a pair) to the host, which carries it over the connection a Response
 * upgrades: what its peer sends goes out, what arrives is delivered to the peer. Returns the id.
 */
function transferToHost(ws) {
  const s = wsState(ws);
  // A Durable Object's WebSocket returned by stub.fetch(): its connection is the object's, passed on as it is.
  if (s.foreignId !== undefined) {
    if (s.transferred) throw new TypeError("This WebSocket was already used in a response.");
    s.transferred = true;
    return s.foreignId;
  }
  if (s.transferred) throw new TypeError("This WebSocket was already used in a response.");
  if (s.accepted) throw new TypeError("Can't return a WebSocket in a response after calling accept() on it.");
  if (s.peer === null) throw new TypeError("Only one end of a WebSocketPair can be returned in a response.");
  s.transferred = true;
  const id = ops.wsCreate();
  const peer = s.peer;
  s.peer = null;
  // What the peer sent before the response is already queued here: send it out first, in order.
  const queued = s.inbox;
  s.inbox = [];
  const ps = peer[kState].ws;
  for (const item of queued) {
    if (item.type === "message") {
      ps.bufferedAmount = Math.max(0, ps.bufferedAmount - item.size);
      ops.wsSend(id, item.data);
    } else if (item.type === "close") {
      ops.wsClose(id, item.code === 1005 ? -1 : item.code, item.reason);
    }
  }
  adoptHost(peer, id);
  return id;
}

/** An event from host connection `id`: 1 message (text or bytes), 2 close, 3 error, 4 ended (after wsDrop). */
function webSocketEvent(id, kind, data, code, reason) {
  if (kind === 4) {
    hostSockets.delete(id);
    earlyHostEvents.delete(id);
    return;
  }
  let item;
  if (kind === 1) item = { type: "message", data };
  else if (kind === 2) item = { type: "close", code, reason: reason ?? "", wasClean: true };
  else item = { type: "error", message: data ?? WS_LOST, reason: reason || undefined };
  currentEvent = null;
  const ws = hostSockets.get(id);
  if (ws === undefined) {
    const list = earlyHostEvents.get(id) ?? [];
    list.push(item);
    earlyHostEvents.set(id, list);
    return;
  }
  const s = ws[kState].ws;
  if (s.gateActor !== undefined && gateHolds(s.gateActor, () => webSocketEvent(id, kind, data, code, reason))) return;
  if (s.accepted && s.inbox.length === 0 && !s.flushScheduled) dispatchIncoming(ws, item);
  else wsReceive(ws, item);
}

/** Connects out; resolves { status, id, protocol, extensions, headers } (status 101 when upgraded). */
function startWsConnect(url, protocols, headersFlat) {
  return opAsync((id) => ops.wsConnect(id, url, protocols, headersFlat)).then((head) => {
    const parts = head.split("\n");
    return {
      status: Number(parts[0]), id: Number(parts[1]), protocol: parts[2], extensions: parts[3],
      statusText: parts[4], headers: parts.slice(5),
    };
  });
}

function isWebSocketUpgrade(headers) {
  const v = headers.get("upgrade");
  return v !== null && v.trim().toLowerCase() === "websocket";
}

/** fetch() of a request with `Upgrade: websocket`: a 101 Response whose webSocket must be accept()ed. */
function fetchWebSocket(url, headers) {
  let wsUrl = url.replace(/^http/, "ws");
  const flat = [];
  let protocols = "";
  for (const [name, value] of headers) {
    if (name === "sec-websocket-protocol") { protocols = value; continue; }
    flat.push(name, value);
  }
  return startWsConnect(wsUrl, protocols.split(",").map((p) => p.trim()).filter((p) => p.length > 0).join(","), flat.join("\n"))
    .then((head) => {
      const r = Object.create(Response.prototype);
      let webSocket = null;
      if (head.status === 101) {
        webSocket = makeSocket(WS_OPEN);
        const s = webSocket[kState].ws;
        s.url = null;
        s.protocol = head.protocol;
        s.extensions = head.extensions;
        adoptHost(webSocket, head.id);
      }
      r[kState] = {
        status: head.status, statusText: head.statusText,
        headers: headersFromFlat(head.headers, true),
        body: makeBody("none", null),
        webSocket, encodeBody: "automatic", cf: undefined, type: "default", url, redirected: false,
      };
      return r;
    });
}

/** Sends a 101 Response whose webSocket the host is to carry over the upgraded connection. */
function respondWebSocket(event, st) {
  const id = transferToHost(st.webSocket);
  event.responded = true;
  // The request's timers may send on the socket: they run until the end that stays here closes.
  // A socket passed on (a Durable Object's, a service's) has no end here, and the request is over
  // with its response, as on wrangler dev, where an interval it set never ticks.
  const kept = hostSockets.get(id);
  if (kept !== undefined && kept[kState].ws.readyState !== WS_CLOSED) {
    event.timersOutlive = true;
    kept[kState].ws.answering = event;
  }
  ops.wsRespond(event.id, ArrayPrototypeJoin(headersToFlat(st.headers), "\n"), id);
}

defineGlobal("MessageEvent", MessageEvent);
defineGlobal("CloseEvent", CloseEvent);
defineGlobal("ErrorEvent", ErrorEvent);
defineGlobal("WebSocket", WebSocket);
defineGlobal("WebSocketPair", WebSocketPair);
