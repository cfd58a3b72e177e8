// node:tls — tls.connect() and TLSSocket over cloudflare:sockets, as workerd has them: TLS from
// the start (secureTransport "on") or over an existing net.Socket ({ socket }, startTls()). The
// certificate is always verified (rejectUnauthorized: false is not possible, as in workerd);
// listening is not possible.
import bridge from "node-internal:bridge";
import { Socket, _normalizeArgs, isIP } from "node:net";

const { nodeError } = bridge;

function optionNotImplemented(name) {
  return nodeError(Error, "ERR_OPTION_NOT_IMPLEMENTED", `The ${name} option is not implemented`);
}

export const CLIENT_RENEG_LIMIT = 3;
export const CLIENT_RENEG_WINDOW = 600;
export const DEFAULT_CIPHERS = "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES256-GCM-SHA384:DHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-SHA256:DHE-RSA-AES128-SHA256:ECDHE-RSA-AES256-SHA384:DHE-RSA-AES256-SHA384:ECDHE-RSA-AES256-SHA256:DHE-RSA-AES256-SHA256:HIGH:!aNULL:!eNULL:!EXPORT:!DES:!RC4:!MD5:!PSK:!SRP:!CAMELLIA";
export const DEFAULT_ECDH_CURVE = "auto";
export const DEFAULT_MIN_VERSION = "TLSv1.2";
export const DEFAULT_MAX_VERSION = "TLSv1.3";
export const rootCertificates = Object.freeze([]);

export class SecureContext {
  constructor(options = {}) { this.context = {}; this.options = options; }
}
export function createSecureContext(options = {}) { return new SecureContext(options); }

export class TLSSocket extends Socket {
  constructor(socket = undefined, options = {}) {
    for (const name of ["enableTrace", "isServer", "server", "requestCert", "ALPNProtocols", "SNICallback", "requestOCSP", "pskCallback"]) {
      if (options?.[name] !== undefined && options[name] !== false) throw optionNotImplemented(`options.${name}`);
    }
    if (options?.rejectUnauthorized === false) throw optionNotImplemented("options.rejectUnauthorized");
    super({ allowHalfOpen: options?.allowHalfOpen, encrypted: true, signal: options?.signal });
    this.authorized = false;
    this.authorizationError = null;
    this.alpnProtocol = false;
    this.servername = null;
    this.ssl = null;
    this._parent = socket ?? null;
    this.once("secureConnect", () => { this.authorized = true; });
    if (socket instanceof Socket) {
      // Upgrade an open plain socket in place: its connection continues over TLS here.
      const secure = socket._startTls();
      this._attach(secure);
    }
  }
  setServername(name) {
    if (typeof name !== "string") throw bridge.invalidArgType("name", "of type string", name);
    this.servername = name;
  }
  setSession() {}
  getSession() { return undefined; }
  getTLSTicket() { return undefined; }
  isSessionReused() { return false; }
  getProtocol() { return null; }
  getCipher() { return undefined; }
  getEphemeralKeyInfo() { return null; }
  getFinished() { return undefined; }
  getPeerFinished() { return undefined; }
  getSharedSigalgs() { return []; }
  disableRenegotiation() {}
  renegotiate() { throw nodeError(Error, "ERR_METHOD_NOT_IMPLEMENTED", "The renegotiate method is not implemented"); }
  exportKeyingMaterial() { throw nodeError(Error, "ERR_METHOD_NOT_IMPLEMENTED", "The exportKeyingMaterial method is not implemented"); }
  setMaxSendFragment() { return false; }
  enableTrace() { throw optionNotImplemented("enableTrace"); }
  getPeerCertificate() { throw new Error("getPeerCertificate is not implemented"); }
  getCertificate() { throw new Error("TLSSocket.getCertificate is not implemented"); }
  getPeerX509Certificate() { throw new Error("TLSSocket.getPeerX509Certificate is not implemented"); }
  getX509Certificate() { throw new Error("TLSSocket.getX509Certificate is not implemented"); }
  setKeyCert() { throw new Error("TLSSocket.setKeyCert is not implemented"); }
}

/** tls.connect(options[, cb]), (port[, host][, options][, cb]) as Node normalizes them. */
export function connect(...args) {
  let options = {};
  let callback = typeof args[args.length - 1] === "function" ? args.pop() : null;
  if (args[0] !== null && typeof args[0] === "object") options = { ...args[0] };
  else {
    const [normalized] = _normalizeArgs(args.slice(0, 2));
    options = { ...(args.find((a, i) => i > 0 && a !== null && typeof a === "object") ?? {}), ...normalized };
  }
  if (options.minDHSize !== undefined) throw optionNotImplemented("options.minDHSize");
  if (options.rejectUnauthorized === false) throw optionNotImplemented("options.rejectUnauthorized");
  if (options.pskCallback !== undefined) throw optionNotImplemented("options.pskCallback");
  const tls = new TLSSocket(options.socket, options);
  tls.servername = options.servername ?? (options.host !== undefined && isIP(options.host) === 0 ? options.host : null);
  if (callback !== null) tls.once("secureConnect", callback);
  if (!options.socket) {
    if (options.timeout) tls.setTimeout(options.timeout);
    tls.connect(options);
  }
  return tls;
}

export function checkServerIdentity(hostname, cert) {
  const names = String(cert?.subjectaltname ?? "").split(/,\s*/).filter((n) => n.startsWith("DNS:")).map((n) => n.slice(4).toLowerCase());
  const host = String(hostname).toLowerCase();
  const match = (pattern) => pattern === host || (pattern.startsWith("*.") && host.endsWith(pattern.slice(1)) && host.split(".").length === pattern.split(".").length);
  if (names.length === 0 && cert?.subject?.CN) names.push(String(cert.subject.CN).toLowerCase());
  if (names.some(match)) return undefined;
  const e = nodeError(Error, "ERR_TLS_CERT_ALTNAME_INVALID", `Hostname/IP does not match certificate's altnames: Host: ${hostname}. is not in the cert's altnames: ${cert?.subjectaltname ?? ""}`);
  e.reason = `Host: ${hostname}. is not in the cert's altnames: ${cert?.subjectaltname ?? ""}`;
  e.host = hostname;
  e.cert = cert;
  return e;
}

export function convertALPNProtocols(protocols, out) {
  const list = Array.isArray(protocols) ? protocols : [];
  const bytes = [];
  for (const p of list) { const b = new TextEncoder().encode(String(p)); bytes.push(b.length, ...b); }
  out.ALPNProtocols = Uint8Array.from(bytes);
}

export function getCiphers() { return DEFAULT_CIPHERS.split(":").filter((c) => !c.startsWith("!") && c !== "HIGH").map((c) => c.toLowerCase()); }
export function Server() { throw new Error("Server is not implemented"); }
export function createServer() { throw new Error("createServer() is not implemented"); }
export function createSecurePair() { throw nodeError(Error, "ERR_METHOD_NOT_IMPLEMENTED", "The createSecurePair method is not implemented"); }

export default {
  CLIENT_RENEG_LIMIT, CLIENT_RENEG_WINDOW, DEFAULT_CIPHERS, DEFAULT_ECDH_CURVE, DEFAULT_MIN_VERSION, DEFAULT_MAX_VERSION,
  rootCertificates, TLSSocket, connect, createSecureContext, createServer, checkServerIdentity, SecureContext, Server,
  convertALPNProtocols, getCiphers, createSecurePair,
};
