// node:http — as workerd has it: the client (http.request, http.get, ClientRequest) runs on
// fetch, so it follows the outbound policy; servers (http.createServer, server.listen(port)) are
// reached through cloudflare:node's httpServerHandler / handleAsNodeRequest, which turn a Worker's
// Request into an IncomingMessage and the ServerResponse into a Response. Nothing listens on a port.
import bridge from "node-internal:bridge";
import { Readable, Writable } from "node:stream";
import { EventEmitter } from "node:events";
import { Buffer } from "node:buffer";
import { listening } from "node-internal:http_registry";

const { nodeError, invalidArgType, notImplemented } = bridge;

export const METHODS = ["ACL", "BIND", "CHECKOUT", "CONNECT", "COPY", "DELETE", "GET", "HEAD", "LINK", "LOCK", "M-SEARCH", "MERGE",
  "MKACTIVITY", "MKCALENDAR", "MKCOL", "MOVE", "NOTIFY", "OPTIONS", "PATCH", "POST", "PROPFIND", "PROPPATCH", "PURGE", "PUT",
  "QUERY", "REBIND", "REPORT", "SEARCH", "SOURCE", "SUBSCRIBE", "TRACE", "UNBIND", "UNLINK", "UNLOCK", "UNSUBSCRIBE"];

export const STATUS_CODES = {
  100: "Continue", 101: "Switching Protocols", 102: "Processing", 103: "Early Hints", 200: "OK", 201: "Created", 202: "Accepted",
  203: "Non-Authoritative Information", 204: "No Content", 205: "Reset Content", 206: "Partial Content", 207: "Multi-Status",
  208: "Already Reported", 226: "IM Used", 300: "Multiple Choices", 301: "Moved Permanently", 302: "Found", 303: "See Other",
  304: "Not Modified", 305: "Use Proxy", 307: "Temporary Redirect", 308: "Permanent Redirect", 400: "Bad Request", 401: "Unauthorized",
  402: "Payment Required", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 406: "Not Acceptable",
  407: "Proxy Authentication Required", 408: "Request Timeout", 409: "Conflict", 410: "Gone", 411: "Length Required",
  412: "Precondition Failed", 413: "Payload Too Large", 414: "URI Too Long", 415: "Unsupported Media Type", 416: "Range Not Satisfiable",
  417: "Expectation Failed", 418: "I'm a Teapot", 421: "Misdirected Request", 422: "Unprocessable Entity", 423: "Locked",
  424: "Failed Dependency", 425: "Too Early", 426: "Upgrade Required", 428: "Precondition Required", 429: "Too Many Requests",
  431: "Request Header Fields Too Large", 451: "Unavailable For Legal Reasons", 500: "Internal Server Error", 501: "Not Implemented",
  502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout", 505: "HTTP Version Not Supported", 506: "Variant Also Negotiates",
  507: "Insufficient Storage", 508: "Loop Detected", 509: "Bandwidth Limit Exceeded", 510: "Not Extended", 511: "Network Authentication Required",
};

export const maxHeaderSize = 16384;
export function setMaxIdleHTTPParsers() {}

const TOKEN = /^[\^_`a-zA-Z\-0-9!#$%&'*+.|~]+$/;
const INVALID_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

export function validateHeaderName(name, label = "Header name") {
  if (typeof name !== "string" || !name || !TOKEN.test(name)) throw nodeError(TypeError, "ERR_INVALID_HTTP_TOKEN", `${label} must be a valid HTTP token ["${name}"]`);
}
export function validateHeaderValue(name, value) {
  if (value === undefined) throw nodeError(TypeError, "ERR_HTTP_INVALID_HEADER_VALUE", `Invalid value "${value}" for header "${name}"`);
  if (INVALID_VALUE.test(String(value))) throw nodeError(TypeError, "ERR_INVALID_CHAR", `Invalid character in header content ["${name}"]`);
}

// ---- messages -----------------------------------------------------------------------------------
/** A request a server receives, or a response a client gets: headers, then the body as a Readable. */
export class IncomingMessage extends Readable {
  #reader = null;
  constructor(socket) {
    super();
    this.socket = socket ?? null;
    this.httpVersionMajor = 1; this.httpVersionMinor = 1; this.httpVersion = "1.1";
    this.complete = false; this.aborted = false;
    this.headers = {}; this.rawHeaders = []; this.headersDistinct = {};
    this.trailers = {}; this.rawTrailers = []; this.trailersDistinct = {};
    this.method = null; this.url = ""; this.statusCode = null; this.statusMessage = null;
  }
  get connection() { return this.socket; }
  /** Takes headers and a body from a fetch Request or Response. */
  _fromFetch(message) {
    for (const [name, value] of message.headers) {
      this.rawHeaders.push(name, value);
      if (name === "set-cookie") (this.headers[name] ??= []).push(value);
      else this.headers[name] = this.headers[name] === undefined ? value : `${this.headers[name]}, ${value}`;
      (this.headersDistinct[name] ??= []).push(value);
    }
    this.#reader = message.body === null ? null : message.body.getReader();
    return this;
  }
  _read() {
    if (this.#reader === null) { this.complete = true; this.push(null); return; }
    this.#reader.read().then(({ value, done }) => {
      if (done) { this.complete = true; this.push(null); return; }
      this.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
    }, (e) => this.destroy(e));
  }
  _destroy(error, callback) {
    if (!this.complete) this.aborted = !!error || this.aborted;
    this.#reader?.cancel(error).catch(() => {});
    callback(error);
  }
  setTimeout(msecs, callback) { if (callback) this.once("timeout", callback); return this; }
}

const kHeaders = Symbol("kHeaders");

/** What is common to a server's response and a client's request: headers, then a body written in chunks. */
export class OutgoingMessage extends Writable {
  constructor() {
    // Not destroyed once finished: a client request still waits for its response then.
    super({ decodeStrings: true, autoDestroy: false });
    this[kHeaders] = new Map(); // lower-case name -> [name as set, value]
    this.headersSent = false;
    this.sendDate = false;
    this.finished = false;
    this.chunkedEncoding = false;
    this.useChunkedEncodingByDefault = true;
    this.socket = null;
    this.on("finish", () => { this.finished = true; });
  }
  get connection() { return this.socket; }
  #assertMutable(name) {
    if (this.headersSent) throw nodeError(Error, "ERR_HTTP_HEADERS_SENT", `Cannot ${name} headers after they are sent to the client`);
  }
  setHeader(name, value) {
    this.#assertMutable("set");
    validateHeaderName(name);
    validateHeaderValue(name, value);
    this[kHeaders].set(name.toLowerCase(), [name, value]);
    return this;
  }
  appendHeader(name, value) {
    this.#assertMutable("append");
    validateHeaderName(name);
    validateHeaderValue(name, value);
    const key = name.toLowerCase();
    const old = this[kHeaders].get(key);
    if (old === undefined) this[kHeaders].set(key, [name, value]);
    else this[kHeaders].set(key, [old[0], [...(Array.isArray(old[1]) ? old[1] : [old[1]]), ...(Array.isArray(value) ? value : [value])]]);
    return this;
  }
  getHeader(name) {
    if (typeof name !== "string") throw invalidArgType("name", "of type string", name);
    return this[kHeaders].get(name.toLowerCase())?.[1];
  }
  getHeaders() {
    const out = Object.create(null);
    for (const [key, [, value]] of this[kHeaders]) out[key] = value;
    return out;
  }
  getHeaderNames() { return [...this[kHeaders].keys()]; }
  getRawHeaderNames() { return [...this[kHeaders].values()].map(([n]) => n); }
  hasHeader(name) { return this[kHeaders].has(String(name).toLowerCase()); }
  removeHeader(name) { this.#assertMutable("remove"); this[kHeaders].delete(String(name).toLowerCase()); }
  flushHeaders() { this._sendHeaders?.(); }
  setTimeout(msecs, callback) { if (callback) this.once("timeout", callback); return this; }
  /** The headers as fetch's Headers take them. */
  _fetchHeaders() {
    const headers = new Headers();
    for (const [, [name, value]] of this[kHeaders]) {
      for (const v of Array.isArray(value) ? value : [value]) headers.append(name, String(v));
    }
    return headers;
  }
}

/** A server's answer: its status and headers become a Response, its body that Response's stream. */
export class ServerResponse extends OutgoingMessage {
  #controller = null;
  #respond;
  constructor(req, respond) {
    super();
    this.req = req;
    this.statusCode = 200;
    this.statusMessage = undefined;
    this.strictContentLength = false;
    this.#respond = respond;
  }
  writeHead(statusCode, statusMessage, headers) {
    if (this.headersSent) throw nodeError(Error, "ERR_HTTP_HEADERS_SENT", "Cannot write headers after they are sent to the client");
    if (typeof statusMessage !== "string") { headers = statusMessage; statusMessage = undefined; }
    const code = Number(statusCode);
    if (!Number.isInteger(code) || code < 100 || code > 999) throw nodeError(RangeError, "ERR_HTTP_INVALID_STATUS_CODE", `Invalid status code: ${statusCode}`);
    this.statusCode = code;
    if (statusMessage !== undefined) this.statusMessage = statusMessage;
    if (Array.isArray(headers)) {
      if (headers.length && Array.isArray(headers[0])) for (const [k, v] of headers) this.appendHeader(k, v);
      else for (let i = 0; i + 1 < headers.length; i += 2) this.appendHeader(headers[i], headers[i + 1]);
    } else if (headers) {
      for (const [k, v] of Object.entries(headers)) this.setHeader(k, v);
    }
    this._sendHeaders();
    return this;
  }
  writeContinue() {}
  writeProcessing() {}
  writeEarlyHints() {}
  assignSocket() {}
  detachSocket() {}
  _sendHeaders() {
    if (this.headersSent) return;
    this.headersSent = true;
    const nullBody = this.statusCode === 204 || this.statusCode === 304 || this.req?.method === "HEAD";
    const body = nullBody ? null : new ReadableStream({ start: (c) => { this.#controller = c; } });
    this.#respond(new Response(body, { status: this.statusCode, statusText: this.statusMessage ?? STATUS_CODES[this.statusCode] ?? "", headers: this._fetchHeaders() }));
  }
  _write(chunk, encoding, callback) {
    this._sendHeaders();
    if (this.#controller !== null && chunk.byteLength > 0) this.#controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength).slice());
    callback();
  }
  _final(callback) {
    this._sendHeaders();
    this.#controller?.close();
    callback();
  }
  _destroy(error, callback) {
    if (error) { if (this.#controller !== null) this.#controller.error(error); else this.#respond(null, error); }
    callback(error);
  }
}

// ---- the client ---------------------------------------------------------------------------------
export class Agent extends EventEmitter {
  constructor(options = {}) {
    super();
    this.options = { path: null, ...options };
    this.defaultPort = options.defaultPort ?? 80;
    this.protocol = options.protocol ?? "http:";
    this.keepAlive = Boolean(options.keepAlive);
    this.keepAliveMsecs = options.keepAliveMsecs ?? 1000;
    this.maxSockets = options.maxSockets ?? Infinity;
    this.maxFreeSockets = options.maxFreeSockets ?? 256;
    this.maxTotalSockets = options.maxTotalSockets ?? Infinity;
    this.scheduling = options.scheduling ?? "lifo";
    this.requests = Object.create(null);
    this.sockets = Object.create(null);
    this.freeSockets = Object.create(null);
  }
  destroy() {}
  getName(options = {}) { return `${options.host ?? "localhost"}:${options.port ?? ""}:${options.localAddress ?? ""}`; }
  createConnection() { throw notImplemented("Agent.createConnection"); }
}
export const globalAgent = new Agent();

/** A client request: headers and body are gathered, then sent with fetch() when it ends. */
export class ClientRequest extends OutgoingMessage {
  #chunks = [];
  #url;
  #abort = new AbortController();
  constructor(input, options, callback, defaults = { protocol: "http:", port: 80, agent: globalAgent }) {
    super();
    if (typeof options === "function") { callback = options; options = {}; }
    let url;
    if (typeof input === "string" || input instanceof URL) {
      url = new URL(String(input));
      options = { ...options };
    } else {
      options = { ...(input ?? {}) };
      url = null;
    }
    const protocol = url?.protocol ?? options.protocol ?? defaults.protocol;
    if (protocol !== defaults.protocol) throw nodeError(TypeError, "ERR_INVALID_PROTOCOL", `Protocol "${protocol}" not supported. Expected "${defaults.protocol}"`);
    const host = options.hostname ?? options.host?.replace(/:\d+$/, "") ?? url?.hostname ?? "localhost";
    const port = options.port ?? (url?.port ? Number(url.port) : defaults.port);
    const path = options.path ?? (url ? url.pathname + url.search : "/");
    this.method = String(options.method ?? "GET").toUpperCase();
    if (!METHODS.includes(this.method)) throw nodeError(TypeError, "ERR_INVALID_HTTP_TOKEN", `Method must be a valid HTTP token ["${options.method}"]`);
    this.protocol = protocol;
    this.host = host;
    this.path = path;
    this.agent = options.agent ?? defaults.agent;
    this.reusedSocket = false;
    this.maxHeadersCount = null;
    const hostPart = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
    this.#url = `${protocol}//${hostPart}${Number(port) === defaults.port ? "" : `:${port}`}${path}`;
    const headers = options.headers ?? {};
    if (Array.isArray(headers)) for (let i = 0; i + 1 < headers.length; i += 2) this.appendHeader(headers[i], headers[i + 1]);
    else for (const [k, v] of Object.entries(headers)) this.setHeader(k, v);
    const auth = options.auth ?? (url?.username ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` : null);
    if (auth && !this.hasHeader("authorization")) this.setHeader("Authorization", `Basic ${Buffer.from(auth).toString("base64")}`);
    if (options.signal) options.signal.addEventListener("abort", () => this.destroy(options.signal.reason), { once: true });
    if (options.timeout) this.setTimeout(options.timeout);
    if (callback) this.once("response", callback);
  }
  _write(chunk, encoding, callback) { this.#chunks.push(Buffer.from(chunk)); callback(); }
  _final(callback) {
    this.headersSent = true;
    const body = this.#chunks.length === 0 || this.method === "GET" || this.method === "HEAD" ? undefined : Buffer.concat(this.#chunks);
    fetch(this.#url, { method: this.method, headers: this._fetchHeaders(), body, redirect: "manual", signal: this.#abort.signal }).then((response) => {
      const res = new IncomingMessage(null)._fromFetch(response);
      res.statusCode = response.status;
      res.statusMessage = response.statusText || STATUS_CODES[response.status] || "";
      res.req = this;
      this.res = res;
      if (!this.emit("response", res)) res.resume();
    }, (e) => this.destroy(e));
    callback();
  }
  _destroy(error, callback) { this.#abort.abort(error); callback(error); }
  abort() { this.aborted = true; this.destroy(); this.emit("abort"); }
  setNoDelay() {}
  setSocketKeepAlive() {}
  getRawHeaderNames() { return super.getRawHeaderNames(); }
}

export function request(input, options, callback) { return new ClientRequest(input, options, callback); }
export function get(input, options, callback) {
  const req = new ClientRequest(input, options, callback);
  req.end();
  return req;
}

// ---- servers ------------------------------------------------------------------------------------
export class Server extends EventEmitter {
  #port = null;
  constructor(options, requestListener) {
    super();
    if (typeof options === "function") { requestListener = options; options = {}; }
    this.options = options ?? {};
    this.timeout = 0; this.keepAliveTimeout = 5000; this.headersTimeout = 60000; this.requestTimeout = 300000;
    this.maxHeadersCount = null; this.maxRequestsPerSocket = 0;
    if (requestListener) this.on("request", requestListener);
  }
  listen(...args) {
    const callback = typeof args[args.length - 1] === "function" ? args.pop() : null;
    const first = args[0];
    const port = Number(typeof first === "object" && first !== null ? first.port ?? 0 : first ?? 0);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw nodeError(RangeError, "ERR_SOCKET_BAD_PORT", `options.port should be >= 0 and < 65536. Received ${port}.`);
    if (listening.has(port) && listening.get(port) !== this) {
      const e = nodeError(Error, "EADDRINUSE", `listen EADDRINUSE: address already in use :::${port}`);
      queueMicrotask(() => this.emit("error", e));
      return this;
    }
    this.#port = port;
    listening.set(port, this);
    if (callback) this.once("listening", callback);
    queueMicrotask(() => this.emit("listening"));
    return this;
  }
  get listening() { return this.#port !== null; }
  address() { return this.#port === null ? null : { port: this.#port, family: "IPv4", address: "127.0.0.1" }; }
  close(callback) {
    if (this.#port !== null && listening.get(this.#port) === this) listening.delete(this.#port);
    this.#port = null;
    if (callback) this.once("close", callback);
    queueMicrotask(() => this.emit("close"));
    return this;
  }
  closeAllConnections() {}
  closeIdleConnections() {}
  getConnections(callback) { queueMicrotask(() => callback(null, 0)); return this; }
  setTimeout(msecs, callback) { this.timeout = msecs; if (callback) this.on("timeout", callback); return this; }
  ref() { return this; }
  unref() { return this; }
  get connections() { return 0; }
  get maxConnections() { return undefined; }
}

export function createServer(options, requestListener) { return new Server(options, requestListener); }
export function _connectionListener() { throw notImplemented("http._connectionListener"); }

export { WebSocket, CloseEvent, MessageEvent };
const { WebSocket, CloseEvent, MessageEvent } = globalThis;

export default {
  Agent, ClientRequest, CloseEvent, IncomingMessage, METHODS, MessageEvent, OutgoingMessage, STATUS_CODES, Server, ServerResponse,
  WebSocket, _connectionListener, createServer, get, globalAgent, maxHeaderSize, request, setMaxIdleHTTPParsers,
  validateHeaderName, validateHeaderValue,
};
