// cloudflare:sockets: connect() and Socket, as workerd has them (its api/sockets.c++): the
// address rules and errors, `opened` and `closed`, a readable byte stream and a writable stream
// over the host's connection (Web/Sockets/), allowHalfOpen, close() and startTls(). Every
// connection goes through the host's outbound policy, as fetch does. A socket belongs to the
// event that made it and is closed when that event is over, as workerd ends its I/O then.

const SOCKET_WRITABLE_CLOSING = "This WritableStream belongs to an object that is closing.";
const SOCKET_READABLE_CLOSING = "This ReadableStream belongs to an object that is closing.";
const SECURE_TRANSPORTS = { off: 0, on: 1, starttls: 2 };

/** Addresses whose connect() is served by something else ("host:port" -> () => Socket): Hyperdrive's made-up hosts. */
const connectOverrides = new Map();
/** Host names node:dns answers itself (Hyperdrive's made-up host -> its made-up address). */
const dnsOverrides = new Map();

class SocketState {
  constructor(address, domain, secureTransport, allowHalfOpen) {
    this.address = address;          // "host:port" as given, for SocketInfo.remoteAddress
    this.domain = domain;            // the host name startTls() checks the certificate against
    this.secureTransport = secureTransport;
    this.allowHalfOpen = allowHalfOpen;
    this.hostId = 0;                 // the host's socket id, once known (startTls() sockets wait for the flush)
    this.readId = 0;                 // the host stream of its read side
    this.hostReady = null;           // promise of hostId
    this.readable = null;            // ReadableStreamRec
    this.writable = null;            // WritableStreamRec
    this.opened = null;
    this.closed = null;
    this.resolveClosed = null;
    this.rejectClosed = null;
    this.closing = false;
    this.upgraded = false;
    this.tlsStarted = false;
    this.ended = false;              // closed or failed: the host is done with it
    // Writes: chunks counted as they are queued and as the host takes them, so close() and
    // startTls() can wait for exactly those queued before them, and refuse later ones.
    this.queued = 0;
    this.written = 0;
    this.acceptUpTo = Infinity;
    this.flushWaiters = [];
  }
}

class Socket {
  constructor() { throw new TypeError("Illegal constructor"); }
  get readable() { return socketState(this).readable.obj; }
  get writable() { return socketState(this).writable.obj; }
  get closed() { return socketState(this).closed; }
  get opened() { return socketState(this).opened; }
  get upgraded() { return socketState(this).upgraded; }
  get secureTransport() { return socketState(this).secureTransport; }
  close() {
    const st = socketState(this);
    if (st.closing) return st.closed.then(noop, noop);
    st.closing = true;
    st.acceptUpTo = st.queued;
    return st.opened.then(() => flushSocketWrites(st), noop).then(() => {
      endSocketStreams(st);
      if (st.hostId !== 0) ops.sockClose(st.hostId);
      return st.closed;
    }).then(noop, noop);
  }
  startTls(options = undefined) {
    const st = socketState(this);
    if (st.secureTransport === "on") throw new TypeError("Cannot startTls on a TLS socket.");
    if (st.ended || st.closing) throw new TypeError("The connection was closed before startTls could be started.");
    if (st.secureTransport !== "starttls") throw new TypeError("The `secureTransport` socket option must be set to 'starttls' for startTls to be used.");
    if (st.tlsStarted) throw new TypeError("startTls has already been called on this socket, or the socket was transferred over RPC.");
    if (options !== undefined && options !== null && options.expectedServerHostname !== undefined) {
      ops.log(LOG.error, "startTls() does not support the expectedServerHostname option; it is ignored (as in workerd).");
    }
    st.tlsStarted = true;
    const next = new SocketState(st.address, st.domain, "on", st.allowHalfOpen);
    socketPromises(next);
    st.acceptUpTo = st.queued;
    const hostReady = st.hostReady.then(() => flushSocketWrites(st)).then(() => {
      // The plain socket's streams are done with; its connection carries on in the new socket.
      st.upgraded = true;
      st.tlsStarted = true;
      endSocketStreams(st);
      return ops.sockStartTls(st.hostId, next.openedId, next.closedId, st.domain);
    });
    return makeTcpSocket(next, hostReady);
  }
}
webidlInterface(Socket);

function socketState(socket) {
  const st = socket?.[kState];
  if (!(st instanceof SocketState)) throw illegalInvocation();
  return st;
}

/** Builds the Socket for `st`, whose host socket id `hostReady` gives (now or after startTls' flush). */
function makeTcpSocket(st, hostReady) {
  const socket = Object.create(Socket.prototype);
  socket[kState] = st;
  const info = { remoteAddress: st.address };
  const closed = Promise.withResolvers();
  st.closed = closed.promise;
  st.resolveClosed = closed.resolve;
  st.rejectClosed = closed.reject;
  st.closed.then(noop, noop); // workerd marks both promises handled
  // The host answers "" once open, or the errno name of a failed connect (node:net reports it).
  st.opened = st.openedHost.then((code) => {
    if (code === "") return info;
    throw connectFailure(code, st);
  }).catch((e) => { failSocketStreams(st, e); throw e; });
  st.opened.then(noop, noop);
  st.closedHost.then(() => { st.ended = true; st.resolveClosed(); }, (e) => { st.ended = true; st.rejectClosed(e); });
  st.hostReady = Promise.resolve(hostReady).then((id) => {
    st.hostId = id;
    st.readId = ops.sockReadable(id);
    return id;
  });
  st.hostReady.then(noop, (e) => { st.ended = true; failSocketStreams(st, e); st.rejectClosed(e); });
  st.readable = socketReadable(st);
  st.writable = socketWritable(st);
  const event = currentEvent;
  if (event !== null && event.cleanups !== undefined) event.cleanups.push(() => { if (!st.ended && st.hostId !== 0) ops.sockClose(st.hostId); });
  return socket;
}

/** Promises the host settles as the connection opens and ends; their ids go with the connect op. */
function socketPromises(st) {
  st.openedHost = opAsync((id) => { st.openedId = id; });
  st.closedHost = opAsync((id) => { st.closedId = id; });
}

function socketReadable(st) {
  const rec = createReadableByteStream({
    pull() {
      return st.hostReady.then(() => opAsync((id) => ops.readBody(st.readId, id, HOST_CHUNK))).then((chunk) => {
        const c = rec.controller;
        if (rec.state !== "readable" || c.closeRequested) return;
        if (chunk === null || chunk === undefined) {
          byteControllerClose(c);
          if (c.pendingPullIntos.length > 0) byteRespond(c, 0);
          // Without allowHalfOpen the peer's end closes our side too, once what was written is out.
          if (!st.allowHalfOpen && st.writable.state === "writable" && !writableCloseQueuedOrInFlight(st.writable)) {
            writableStreamClose(st.writable).then(noop, noop);
          }
        } else if (chunk.byteLength > 0) {
          byteControllerEnqueue(c, chunk);
        }
      });
    },
    cancel() {
      if (st.readId !== 0) ops.cancelBody(st.readId);
    },
  }, 0);
  return rec;
}

function socketWritable(st) {
  const sink = {
    write(chunk) {
      const index = st.written++;
      if (index >= st.acceptUpTo) return Promise.reject(new TypeError(SOCKET_WRITABLE_CLOSING));
      let bytes;
      if (typeof chunk === "string") bytes = utf8Encode(chunk);
      else if (isBufferSource(chunk)) bytes = bytesCopy(chunk);
      else return Promise.reject(new TypeError("This WritableStream only supports writing byte types."));
      return st.hostReady.then((id) => opAsync((p) => ops.sockWrite(id, p, bytes))).finally(() => wakeSocketFlush(st));
    },
    close() {
      return st.hostReady.then((id) => opAsync((p) => ops.sockShutdown(id, p)));
    },
    abort() {
      return st.hostReady.then((id) => opAsync((p) => ops.sockShutdown(id, p))).then(noop, noop);
    },
  };
  // Counting strategy: each queued chunk is numbered, so a flush knows which ones came before it.
  return createWritableStream(sink, 1, () => { st.queued++; return 1; });
}

/** Resolves once every chunk queued before the call has been handed to the host. */
function flushSocketWrites(st) {
  const target = st.queued;
  if (st.written >= target || st.writable.state !== "writable") return Promise.resolve();
  return new Promise((resolve) => st.flushWaiters.push({ target, resolve }));
}

function wakeSocketFlush(st) {
  const waiting = st.flushWaiters;
  st.flushWaiters = [];
  for (const w of waiting) {
    if (st.written >= w.target || st.writable.state !== "writable") w.resolve();
    else st.flushWaiters.push(w);
  }
}

/** After close() or startTls(): the streams refuse further use, as workerd's do. */
function endSocketStreams(st) {
  if (st.readable.state === "readable") readableStreamError(st.readable, new TypeError(SOCKET_READABLE_CLOSING));
  if (st.writable.state === "writable") writableControllerError(st.writable.controller, new TypeError(SOCKET_WRITABLE_CLOSING));
  wakeSocketFlush(st);
}

function failSocketStreams(st, e) {
  if (st.readable !== null && st.readable.state === "readable") readableStreamError(st.readable, e);
  if (st.writable !== null && st.writable.state === "writable") writableControllerError(st.writable.controller, e);
  if (st.writable !== null) wakeSocketFlush(st);
}

/** Why each failed connect failed (its errno name and target), for node:net; invisible to Worker code. */
const socketFailures = new WeakMap();

function connectFailure(code, st) {
  const port = Number(st.address.slice(st.address.lastIndexOf(":") + 1));
  const e = new Error(port === 80 || port === 443
    ? "proxy request failed, cannot connect to the specified address. It looks like you might be trying to connect to a HTTP-based service — consider using fetch instead"
    : "proxy request failed, cannot connect to the specified address");
  socketFailures.set(e, { code, host: st.domain, port });
  return e;
}

/** workerd's isValidHost: a length and character check only, against malicious input. */
function isValidSocketAddress(address) {
  return address.length > 0 && address.length <= 255 && /^[A-Za-z0-9\-._[\]:]+$/.test(address);
}

/** The host part of an IPv4-mapped IPv6 address (::ffff:a.b.c.d) as dotted IPv4, else null. */
function mappedIPv4(host) {
  let h = host.toLowerCase();
  if (h.startsWith("[") && h.endsWith("]")) h = h.slice(1, -1);
  const prefix = ["::ffff:", "0:0:0:0:0:ffff:", "0000:0000:0000:0000:0000:ffff:"].find((p) => h.startsWith(p));
  if (prefix === undefined) return null;
  const tail = h.slice(prefix.length);
  if (tail.includes(".")) return tail;
  const m = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(tail);
  if (m === null) return null;
  const hi = parseInt(m[1], 16), lo = parseInt(m[2], 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

function connect(address, options = undefined) {
  if (arguments.length < 1) throw new TypeError("Failed to execute 'connect' on 'Sockets': parameter 1 is not of type 'string or SocketAddress'.");
  requireHandlerScope();
  let hostname, port, addressStr;
  if (typeof address === "string" || address instanceof String) {
    const text = String(address);
    let url;
    try { url = new URL(`fake://${text}`); } catch { throw new TypeError("Specified address could not be parsed."); }
    if (url.hostname === "") throw new TypeError("Specified address is missing hostname.");
    if (url.port === "") throw new TypeError("Specified address is missing port.");
    hostname = url.hostname;
    port = Number(url.port);
    addressStr = text;
  } else if (address !== null && typeof address === "object") {
    hostname = toDOMString(address.hostname);
    const p = Number(address.port);
    if (!Number.isFinite(p)) throw new TypeError("Value out of range. Must be less than or equal to 65535.");
    port = Math.trunc(p);
    if (port > 65535) throw new TypeError("Value out of range. Must be less than or equal to 65535.");
    if (port < 0) throw new TypeError("Value out of range. Must be greater than or equal to 0.");
    addressStr = `${hostname}:${port}`;
  } else {
    throw new TypeError("Failed to execute 'connect' on 'Sockets': parameter 1 is not of type 'string or SocketAddress'.");
  }
  if (!isValidSocketAddress(addressStr)) throw new TypeError("Specified address is empty string, contains unsupported characters or is too long.");

  let secureTransport = "off", allowHalfOpen = false;
  if (options !== undefined && options !== null) {
    if (typeof options !== "object") throw new TypeError("Failed to execute 'connect' on 'Sockets': parameter 2 is not of type 'SocketOptions'.");
    if (options.secureTransport !== undefined) {
      secureTransport = toDOMString(options.secureTransport);
      if (!(secureTransport in SECURE_TRANSPORTS)) throw new TypeError(`Unsupported value in secureTransport socket option: ${secureTransport}`);
    }
    allowHalfOpen = Boolean(options.allowHalfOpen);
  }

  const override = connectOverrides.get(addressStr) ?? connectOverrides.get(`${mappedIPv4(hostname) ?? ""}:${port}`);
  if (override !== undefined) return override();

  const st = new SocketState(addressStr, hostname, secureTransport, allowHalfOpen);
  socketPromises(st);
  const id = ops.sockConnect(st.openedId, st.closedId, hostname, port, SECURE_TRANSPORTS[secureTransport], -1);
  return makeTcpSocket(st, id);
}

/** A socket to binding `bindingIndex`'s database (Hyperdrive), shown as `address`. */
function connectBinding(bindingIndex, address, hostname) {
  requireHandlerScope();
  const st = new SocketState(address, hostname, "off", false);
  socketPromises(st);
  const id = ops.sockConnect(st.openedId, st.closedId, hostname, 0, 0, bindingIndex);
  return makeTcpSocket(st, id);
}

registerBuiltinModule("cloudflare:sockets", ["connect"], () => ({ connect }));
