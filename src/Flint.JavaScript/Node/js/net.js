// node:net — net.Socket (a Duplex) over cloudflare:sockets' connect(), as workerd has it: a
// plain socket can always become a TLS one (tls.connect({ socket })), listening is not
// possible (Server and createServer throw), and BlockList / SocketAddress work on addresses.
import bridge from "node-internal:bridge";
import { Duplex } from "node:stream";
import { Buffer } from "node:buffer";

const { nodeError, invalidArgType } = bridge;
const cfConnect = bridge.sockets.connect;

const kHandle = Symbol("kHandle");
const kTimeout = Symbol("kTimeout");
const kInfo = Symbol("kInfo");
const TIMEOUT_MAX = 2 ** 31 - 1;

// ---- addresses --------------------------------------------------------------------------------
const V4_PART = "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
const V4 = `(?:${V4_PART}\\.){3}${V4_PART}`;
const V4_RE = new RegExp(`^${V4}$`);
const V6_SEG = "(?:[0-9a-fA-F]{1,4})";
const V6_RE = new RegExp("^(?:" + [
  `(?:${V6_SEG}:){7}(?:${V6_SEG}|:)`,
  `(?:${V6_SEG}:){6}(?:${V4}|:${V6_SEG}|:)`,
  `(?:${V6_SEG}:){5}(?::${V4}|(?::${V6_SEG}){1,2}|:)`,
  `(?:${V6_SEG}:){4}(?:(?::${V6_SEG}){0,1}:${V4}|(?::${V6_SEG}){1,3}|:)`,
  `(?:${V6_SEG}:){3}(?:(?::${V6_SEG}){0,2}:${V4}|(?::${V6_SEG}){1,4}|:)`,
  `(?:${V6_SEG}:){2}(?:(?::${V6_SEG}){0,3}:${V4}|(?::${V6_SEG}){1,5}|:)`,
  `(?:${V6_SEG}:){1}(?:(?::${V6_SEG}){0,4}:${V4}|(?::${V6_SEG}){1,6}|:)`,
  `(?::(?:(?::${V6_SEG}){0,5}:${V4}|(?::${V6_SEG}){1,7}|:))`,
].join("|") + ")(?:%[0-9a-zA-Z-.:]{1,})?$");

export function isIPv4(input) { return V4_RE.test(String(input)); }
export function isIPv6(input) { return V6_RE.test(String(input)); }
export function isIP(input) { return isIPv4(input) ? 4 : isIPv6(input) ? 6 : 0; }

/** An address as a BigInt and its family, for BlockList. */
function addressValue(address, family) {
  if (family === "ipv4") return address.split(".").reduce((n, p) => (n << 8n) | BigInt(Number(p)), 0n);
  let text = address.split("%")[0];
  if (text.includes(".")) {
    const at = text.lastIndexOf(":");
    const v4 = addressValue(text.slice(at + 1), "ipv4");
    text = `${text.slice(0, at)}:${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.split("::");
  const h = head ? head.split(":") : [], t = tail !== undefined && tail ? tail.split(":") : [];
  const parts = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
  return parts.reduce((n, p) => (n << 16n) | BigInt(parseInt(p, 16)), 0n);
}

function familyOf(family, name = "options.family") {
  const f = String(family ?? "ipv4").toLowerCase();
  if (f !== "ipv4" && f !== "ipv6") throw nodeError(TypeError, "ERR_INVALID_ARG_VALUE", `The property '${name}' must be one of: 'ipv4', 'ipv6'. Received '${family}'`);
  return f;
}

export class SocketAddress {
  #address; #port; #family; #flowlabel;
  constructor(options = {}) {
    if (options === null || typeof options !== "object") throw invalidArgType("options", "of type object", options);
    const family = familyOf(options.family);
    const address = options.address ?? (family === "ipv4" ? "127.0.0.1" : "::");
    if (typeof address !== "string") throw invalidArgType("options.address", "of type string", address);
    if (family === "ipv4" ? !isIPv4(address) : !isIPv6(address)) throw nodeError(Error, "ERR_INVALID_ADDRESS", "Invalid socket address");
    const port = options.port ?? 0;
    if (!Number.isInteger(Number(port)) || Number(port) < 0 || Number(port) > 65535) throw nodeError(RangeError, "ERR_SOCKET_BAD_PORT", `options.port should be >= 0 and < 65536. Received ${port}.`);
    this.#address = address; this.#port = Number(port); this.#family = family; this.#flowlabel = options.flowlabel ?? 0;
  }
  get address() { return this.#address; }
  get port() { return this.#port; }
  get family() { return this.#family; }
  get flowlabel() { return this.#flowlabel; }
  toJSON() { return { address: this.#address, port: this.#port, family: this.#family, flowlabel: this.#flowlabel }; }
  static isSocketAddress(value) { return value instanceof SocketAddress; }
  static parse(input) {
    try {
      const url = new URL(`http://${input}`);
      const host = url.hostname.replace(/^\[|\]$/g, "");
      return new SocketAddress({ address: host, port: url.port === "" ? 0 : Number(url.port), family: isIPv6(host) ? "ipv6" : "ipv4" });
    } catch { return undefined; }
  }
}

export class BlockList {
  #rules = [];
  static isBlockList(value) { return value instanceof BlockList; }
  #value(address, family) {
    if (address instanceof SocketAddress) return [addressValue(address.address, address.family), address.family];
    const f = familyOf(family, "family");
    if (typeof address !== "string") throw invalidArgType("address", "of type string", address);
    if (f === "ipv4" ? !isIPv4(address) : !isIPv6(address)) throw nodeError(TypeError, "ERR_INVALID_ARG_VALUE", `The argument 'address' is invalid. Received '${address}'`);
    return [addressValue(address, f), f];
  }
  addAddress(address, family = "ipv4") {
    const [v, f] = this.#value(address, family);
    this.#rules.push({ f, test: (x) => x === v, text: `Address: ${f === "ipv4" ? "IPv4" : "IPv6"} ${address.address ?? address}` });
  }
  addRange(start, end, family = "ipv4") {
    const [a, f] = this.#value(start, family), [b] = this.#value(end, family);
    if (a > b) throw nodeError(RangeError, "ERR_INVALID_ARG_VALUE", "The argument 'start' must be less than or equal to 'end'");
    this.#rules.push({ f, test: (x) => x >= a && x <= b, text: `Range: ${f === "ipv4" ? "IPv4" : "IPv6"} ${start.address ?? start}-${end.address ?? end}` });
  }
  addSubnet(network, prefix, family = "ipv4") {
    const [v, f] = this.#value(network, family);
    const bits = f === "ipv4" ? 32 : 128;
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits) throw nodeError(RangeError, "ERR_OUT_OF_RANGE", `The value of "prefix" is out of range. It must be >= 0 && <= ${bits}. Received ${prefix}`);
    const shift = BigInt(bits - prefix);
    this.#rules.push({ f, test: (x) => (x >> shift) === (v >> shift), text: `Subnet: ${f === "ipv4" ? "IPv4" : "IPv6"} ${network.address ?? network}/${prefix}` });
  }
  check(address, family = "ipv4") {
    let v, f;
    try { [v, f] = this.#value(address, family); } catch (e) { if (typeof address === "string") return false; throw e; }
    return this.#rules.some((r) => r.f === f && r.test(v));
  }
  get rules() { return this.#rules.map((r) => r.text); }
}

// ---- errors -----------------------------------------------------------------------------------
const ERRNO = { ECONNREFUSED: -111, ETIMEDOUT: -110, ENETUNREACH: -101, EHOSTUNREACH: -113, ECONNRESET: -104, ENOTFOUND: -3008 };

/** A failed connect, as Node (and workerd's node:net) reports it: `connect ECONNREFUSED 127.0.0.1:5432`. */
export class ConnectException extends Error {
  constructor(code, address, port) {
    super(`connect ${code} ${address}:${port}`);
    this.code = code;
    this.errno = ERRNO[code];
    this.syscall = "connect";
    this.address = address;
    this.port = port;
  }
}

/** A name that did not resolve: `getaddrinfo ENOTFOUND example.invalid`. */
export class GetAddrInfoException extends Error {
  constructor(code, hostname) {
    super(`getaddrinfo ${code} ${hostname}`);
    this.code = code;
    this.errno = ERRNO[code];
    this.syscall = "getaddrinfo";
    this.hostname = hostname;
  }
}

function connectError(error) {
  const failure = bridge.sockets.failure(error);
  if (failure === undefined || failure.code === "ERR_TLS_CERT") return error;
  if (failure.code === "ENOTFOUND") return new GetAddrInfoException(failure.code, failure.host);
  return new ConnectException(failure.code, failure.host, failure.port);
}

// ---- Socket -----------------------------------------------------------------------------------
function notImplementedError(what) {
  return nodeError(Error, "ERR_METHOD_NOT_IMPLEMENTED", `The ${what} method is not implemented`);
}

function validatePort(port, name = "Port") {
  const n = typeof port === "string" && port.trim() !== "" ? Number(port) : port;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > 65535) {
    throw nodeError(Error, "ERR_SOCKET_BAD_PORT", `${name} should be >= 0 and < 65536. Received ${typeof port}.`);
  }
  return n;
}

/** connect()'s arguments as [options, callback], as Node's normalizeArgs gives them. */
export function _normalizeArgs(args) {
  if (args.length === 0) return [{}, null];
  const first = args[0];
  let options = {};
  if (first !== null && typeof first === "object") options = first;
  else if (typeof first === "string" && Number.isNaN(Number(first))) options.path = first;
  else {
    options.port = first;
    if (args.length > 1 && typeof args[1] === "string") options.host = args[1];
  }
  const cb = args[args.length - 1];
  return [options, typeof cb === "function" ? cb : null];
}

export class Socket extends Duplex {
  constructor(options = undefined) {
    if (typeof options === "number") options = { fd: options };
    options = { ...(options ?? {}) };
    if (options.fd !== undefined) throw nodeError(Error, "ERR_OPTION_NOT_IMPLEMENTED", "The options.fd option is not implemented");
    const allowHalfOpen = Boolean(options.allowHalfOpen);
    super({ allowHalfOpen, decodeStrings: false, emitClose: true, autoDestroy: true, readableHighWaterMark: options.readableHighWaterMark, writableHighWaterMark: options.writableHighWaterMark });
    this.connecting = false;
    this.encrypted = Boolean(options.encrypted);
    this[kHandle] = null;
    this[kTimeout] = null;
    this[kInfo] = null;
    this._host = null;
    this._timeoutMs = 0;
    this._hadError = false;
    this._bytesRead = 0;
    this._bytesWritten = 0;
    if (options.signal !== undefined) {
      const signal = options.signal;
      if (signal.aborted) queueMicrotask(() => this.destroy(new DOMException("The operation was aborted", "AbortError")));
      else signal.addEventListener("abort", () => this.destroy(new DOMException("The operation was aborted", "AbortError")), { once: true });
    }
    this.on("end", () => { if (!this.allowHalfOpen) this.write = writeAfterEnd; });
  }

  connect(...args) {
    const [options, callback] = Array.isArray(args[0]) && args.length === 1 ? args[0] : _normalizeArgs(args);
    if (this.connecting) throw nodeError(Error, "ERR_SOCKET_CONNECTING", "Socket is already connecting");
    if (options.path !== undefined) throw nodeError(TypeError, "ERR_INVALID_ARG_VALUE", `The argument 'path' is not supported. Received '${options.path}'`);
    if (options.port === undefined || options.port === null) throw nodeError(TypeError, "ERR_MISSING_ARGS", 'The "options" or "port" or "path" argument must be specified');
    const port = validatePort(options.port);
    const host = options.host === undefined || options.host === null || options.host === "" ? "localhost" : String(options.host);
    if (callback !== null) this.once(this.encrypted ? "secureConnect" : "connect", callback);
    if (options.timeout !== undefined) this.setTimeout(options.timeout);
    this.connecting = true;
    if (this.destroyed) { this._undestroy?.(); }
    const proceed = (address, family) => this.#open(address, port, family);
    const family = isIP(host);
    if (family === 0 && typeof options.lookup === "function") {
      options.lookup(host, { family: options.family ?? 0, hints: options.hints ?? 0 }, (err, address, fam) => {
        this.emit("lookup", err, address, fam, host);
        if (err) { this.destroy(err); return; }
        proceed(address, typeof fam === "string" ? (fam === "IPv6" ? 6 : 4) : fam);
      });
    } else {
      proceed(host, family);
    }
    return this;
  }

  #open(host, port, family) {
    this[kInfo] = { address: host, port, family: family === 4 ? "IPv4" : family === 6 ? "IPv6" : undefined };
    const target = family === 6 ? `[${host}]:${port}` : `${host}:${port}`;
    this._host = host;
    this.emit("connectionAttempt", host, port, family);
    let socket;
    try {
      // The Duplex keeps half-open state itself; the inner socket stays half-open so both agree.
      socket = cfConnect(target, { allowHalfOpen: true, secureTransport: this.encrypted ? "on" : "starttls" });
    } catch (e) {
      queueMicrotask(() => this.destroy(e));
      return;
    }
    this._attach(socket);
  }

  /** Takes `socket` (a cloudflare:sockets Socket) as this one's connection. */
  _attach(socket) {
    const handle = { socket, writer: socket.writable.getWriter(), reader: socket.readable.getReader(), reading: false, wantRead: false };
    this[kHandle] = handle;
    socket.opened.then(() => {
      if (this[kHandle] !== handle || this.destroyed) return;
      this.connecting = false;
      this.#touch();
      this.emit("connect");
      this.emit("ready");
      if (this.encrypted) this.emit("secureConnect");
      if (handle.wantRead) this.#startRead(handle);
    }, (e) => {
      if (this[kHandle] !== handle) return;
      const error = connectError(e);
      this.emit("connectionAttemptFailed", this[kInfo]?.address, this[kInfo]?.port, this[kInfo]?.family, error);
      this.destroy(error);
    });
    socket.closed.then(() => {
      if (this[kHandle] !== handle || socket.upgraded) return;
      clearTimeout(this[kTimeout]);
    }, (e) => { if (this[kHandle] === handle) this.destroy(connectError(e)); });
  }

  /** For tls.connect({ socket }): hands this connection over to TLS (startTls()) and returns the new inner socket; this one is left inert. */
  _startTls() {
    const handle = this[kHandle];
    if (handle === null) throw nodeError(Error, "ERR_SOCKET_CLOSED", "Socket is closed");
    handle.writer.releaseLock();
    handle.reader.releaseLock();
    this[kHandle] = null;
    return handle.socket.startTls();
  }

  async #startRead(handle) {
    if (handle.reading) return;
    handle.reading = true;
    try {
      while (this[kHandle] === handle && !this.destroyed) {
        const { value, done } = await handle.reader.read();
        if (this[kHandle] !== handle || this.destroyed) break;
        this.#touch();
        if (done) { this.push(null); break; }
        if (value.byteLength === 0) continue;
        this._bytesRead += value.byteLength;
        if (!this.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength))) break;
      }
    } catch {
      // "This ReadableStream belongs to an object that is closing." after close or startTls; closed says the rest.
    } finally {
      handle.reading = false;
    }
  }

  _read() {
    const handle = this[kHandle];
    if (handle === null || this.connecting) { if (handle !== null) handle.wantRead = true; else this.once("connect", () => this._read()); return; }
    this.#startRead(handle);
  }

  _write(chunk, encoding, callback) {
    const handle = this[kHandle];
    if (handle === null) { this.once("connect", () => this._write(chunk, encoding, callback)); return; }
    const bytes = typeof chunk === "string" ? Buffer.from(chunk, encoding) : chunk;
    handle.writer.write(bytes).then(() => { this._bytesWritten += bytes.byteLength; this.#touch(); callback(); }, (e) => callback(e));
  }

  _writev(chunks, callback) {
    const bytes = Buffer.concat(chunks.map(({ chunk, encoding }) => (typeof chunk === "string" ? Buffer.from(chunk, encoding) : chunk)));
    this._write(bytes, "buffer", callback);
  }

  _final(callback) {
    const handle = this[kHandle];
    if (handle === null) { callback(); return; }
    handle.writer.close().then(() => callback(), () => callback());
  }

  _destroy(error, callback) {
    clearTimeout(this[kTimeout]);
    if (error) this._hadError = true;
    this.connecting = false;
    const handle = this[kHandle];
    if (handle !== null) {
      this[kHandle] = null;
      handle.socket.close().then(() => callback(error), () => callback(error));
    } else {
      callback(error);
    }
  }

  /** 'close' carries hadError, as Node's net.Socket emits it. */
  emit(event, ...args) {
    if (event === "close" && args.length === 0) return super.emit("close", this._hadError);
    return super.emit(event, ...args);
  }

  #touch() {
    if (this._timeoutMs === 0) return;
    clearTimeout(this[kTimeout]);
    this[kTimeout] = setTimeout(() => this.emit("timeout"), this._timeoutMs);
  }

  setTimeout(msecs, callback) {
    if (typeof msecs !== "number") throw invalidArgType("msecs", "of type number", msecs);
    if (msecs < 0 || !Number.isFinite(msecs)) throw nodeError(RangeError, "ERR_OUT_OF_RANGE", `The value of "msecs" is out of range. It must be a non-negative finite number. Received ${msecs}`);
    this._timeoutMs = Math.min(msecs, TIMEOUT_MAX);
    clearTimeout(this[kTimeout]);
    if (this._timeoutMs > 0) this.#touch();
    if (typeof callback === "function") { if (msecs === 0) this.removeListener("timeout", callback); else this.once("timeout", callback); }
    return this;
  }

  setNoDelay() { return this; }
  setKeepAlive() { return this; }
  ref() { return this; }
  unref() { return this; }
  address() { return {}; }
  destroySoon() { if (this.writable) this.end(); if (this.writableFinished) this.destroy(); else this.once("finish", () => this.destroy()); }
  resetAndDestroy() { return this.destroy(nodeError(Error, "ERR_SOCKET_CLOSED", "Socket is closed")); }

  get pending() { return this[kHandle] === null || this.connecting; }
  get readyState() {
    if (this.connecting) return "opening";
    if (this.readable && this.writable) return "open";
    if (this.readable && !this.writable) return "readOnly";
    if (!this.readable && this.writable) return "writeOnly";
    return "closed";
  }
  get bytesRead() { return this._bytesRead; }
  get bytesWritten() { return this._bytesWritten; }
  get bufferSize() { return this.writableLength; }
  get remoteAddress() { return this[kInfo]?.address ?? null; }
  get remotePort() { return this[kInfo]?.port ?? null; }
  get remoteFamily() { return this[kInfo]?.family ?? null; }
  get localAddress() { return undefined; }
  get localPort() { return undefined; }
  get localFamily() { return undefined; }
  get _handle() { return this[kHandle]; }
}

function writeAfterEnd(chunk, encoding, callback) {
  if (!this.writableEnded) return Duplex.prototype.write.call(this, chunk, encoding, callback);
  if (typeof encoding === "function") callback = encoding;
  const e = nodeError(Error, "EPIPE", "This socket has been ended by the other party");
  if (typeof callback === "function") queueMicrotask(() => callback(e));
  this.destroy(e);
  return false;
}

export const Stream = Socket;

export function connect(...args) {
  const [options, callback] = _normalizeArgs(args);
  const socket = new Socket(options);
  if (options.timeout) socket.setTimeout(options.timeout);
  return socket.connect([options, callback]);
}
export const createConnection = connect;

export function Server() { throw new Error("Server is not implemented"); }
export function createServer() { throw new Error("createServer() is not implemented"); }

let autoSelectFamilyAttemptTimeout = 250;
export function getDefaultAutoSelectFamily() { return false; }
export function setDefaultAutoSelectFamily(value) { if (value) throw notImplementedError("net.setDefaultAutoSelectFamily"); }
export function getDefaultAutoSelectFamilyAttemptTimeout() { return autoSelectFamilyAttemptTimeout; }
export function setDefaultAutoSelectFamilyAttemptTimeout(value) { autoSelectFamilyAttemptTimeout = Math.max(10, Number(value)); }

export default {
  BlockList, SocketAddress, Stream, Server, Socket, connect, createConnection, createServer,
  getDefaultAutoSelectFamily, setDefaultAutoSelectFamily, getDefaultAutoSelectFamilyAttemptTimeout,
  setDefaultAutoSelectFamilyAttemptTimeout, isIP, isIPv4, isIPv6, _normalizeArgs,
};
