// node:dns — as workerd has it: names are resolved with DNS over HTTPS (Cloudflare's JSON API,
// https://cloudflare-dns.com/dns-query, through fetch and so through the outbound policy; the
// FLINT_DNS_OVER_HTTPS variable names another, for networks without that one). Hyperdrive's
// made-up host names resolve to their made-up addresses, so a driver that looks names up first
// still reaches the database. Errors are Node's DnsError codes (`queryA ENOTFOUND name`).
import bridge from "node-internal:bridge";
import { isIP } from "node:net";

const { nodeError, invalidArgType } = bridge;

export const NODATA = "ENODATA", FORMERR = "EFORMERR", SERVFAIL = "ESERVFAIL", NOTFOUND = "ENOTFOUND", NOTIMP = "ENOTIMP",
  REFUSED = "EREFUSED", BADQUERY = "EBADQUERY", BADNAME = "EBADNAME", BADFAMILY = "EBADFAMILY", BADRESP = "EBADRESP",
  CONNREFUSED = "ECONNREFUSED", TIMEOUT = "ETIMEOUT", EOF = "EOF", FILE = "EFILE", NOMEM = "ENOMEM", DESTRUCTION = "EDESTRUCTION",
  BADSTR = "EBADSTR", BADFLAGS = "EBADFLAGS", NONAME = "ENONAME", BADHINTS = "EBADHINTS", NOTINITIALIZED = "ENOTINITIALIZED",
  LOADIPHLPAPI = "ELOADIPHLPAPI", ADDRGETNETWORKPARAMS = "EADDRGETNETWORKPARAMS", CANCELLED = "ECANCELLED";
export const ADDRCONFIG = 1024, V4MAPPED = 2048, ALL = 256;

const CODES = {
  NODATA, FORMERR, SERVFAIL, NOTFOUND, NOTIMP, REFUSED, BADQUERY, BADNAME, BADFAMILY, BADRESP, CONNREFUSED, TIMEOUT, EOF, FILE,
  NOMEM, DESTRUCTION, BADSTR, BADFLAGS, NONAME, BADHINTS, NOTINITIALIZED, LOADIPHLPAPI, ADDRGETNETWORKPARAMS, CANCELLED,
};

/** Node's DNS error: `queryA ENOTFOUND example.com`, with code, syscall and hostname. */
class DnsError extends Error {
  constructor(hostname, code, syscall) {
    super(`${syscall} ${code} ${hostname}`);
    this.code = code;
    this.syscall = syscall;
    this.hostname = hostname;
  }
}

// DNS RCODEs (the JSON API's Status) as Node's error codes.
const RCODE = { 1: FORMERR, 2: SERVFAIL, 3: NOTFOUND, 4: NOTIMP, 5: REFUSED };
const TYPE = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, MX: 15, TXT: 16, AAAA: 28, SRV: 33, NAPTR: 35, CAA: 257 };

/** One question to the DNS-over-HTTPS server: the answers of `type` (or throws the DnsError Node would). */
async function query(name, type) {
  const syscall = `query${type === "AAAA" ? "Aaaa" : type[0] + type.slice(1).toLowerCase()}`;
  const url = new URL(bridge.dnsServer());
  url.searchParams.set("name", name);
  url.searchParams.set("type", type);
  let json;
  try {
    const response = await fetch(url, { headers: { accept: "application/dns-json" } });
    if (!response.ok) throw new DnsError(name, BADRESP, syscall);
    json = await response.json();
  } catch (e) {
    throw e instanceof DnsError ? e : new DnsError(name, BADQUERY, syscall);
  }
  if (json === null || typeof json !== "object" || "error" in json || !Array.isArray(json.Question)) throw new DnsError(name, BADRESP, syscall);
  if (json.Status !== 0) throw new DnsError(name, RCODE[json.Status] ?? SERVFAIL, syscall);
  const answers = (json.Answer ?? []).filter((a) => a.type === TYPE[type]);
  if (answers.length === 0) throw new DnsError(name, type === "A" || type === "AAAA" ? NOTFOUND : NODATA, syscall);
  return answers;
}

const unquote = (s) => s.replace(/^"|"$/g, "");
const noDot = (s) => (s.endsWith(".") ? s.slice(0, -1) : s);

const parse = {
  A: (a) => a.data,
  AAAA: (a) => a.data,
  CNAME: (a) => noDot(a.data),
  NS: (a) => noDot(a.data),
  PTR: (a) => noDot(a.data),
  MX: (a) => { const [priority, exchange] = a.data.split(" "); return { exchange: noDot(exchange ?? ""), priority: parseInt(priority, 10) }; },
  TXT: (a) => [...a.data.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) => (m[1] ?? m[2]).replace(/\\(.)/g, "$1")),
  SRV: (a) => { const [priority, weight, port, name] = a.data.split(" "); return { name: noDot(name ?? ""), port: Number(port), priority: Number(priority), weight: Number(weight) }; },
  SOA: (a) => {
    const [nsname, hostmaster, serial, refresh, retry, expire, minttl] = a.data.split(" ");
    return { nsname: noDot(nsname), hostmaster: noDot(hostmaster), serial: Number(serial), refresh: Number(refresh), retry: Number(retry), expire: Number(expire), minttl: Number(minttl) };
  },
  NAPTR: (a) => {
    const [order, preference, flags, service, regexp, replacement] = a.data.split(" ");
    return { flags: unquote(flags), service: unquote(service), regexp: unquote(regexp), replacement: noDot(replacement), order: Number(order), preference: Number(preference) };
  },
  CAA: (a) => { const [critical, tag, ...value] = a.data.split(" "); return { critical: Number(critical), [tag]: unquote(value.join(" ")) }; },
};

function validateName(name, what = "hostname") {
  if (typeof name !== "string") throw invalidArgType(what, "of type string", name);
}

async function resolveType(name, type, options) {
  validateName(name);
  const answers = await query(name, type);
  if ((type === "A" || type === "AAAA") && options?.ttl) return answers.map((a) => ({ address: a.data, ttl: a.TTL }));
  return answers.map(parse[type]);
}

const promises = {
  lookup: (hostname, options) => new Promise((resolve, reject) => lookup(hostname, options ?? {}, (err, address, family) => {
    if (err) reject(err);
    else resolve(Array.isArray(address) ? address : { address, family });
  })),
  resolve: (name, rrtype = "A") => {
    if (typeof rrtype !== "string") throw invalidArgType("rrtype", "of type string", rrtype);
    const type = rrtype.toUpperCase();
    if (type === "ANY") return promises.resolveAny(name);
    if (!(type in parse)) throw nodeError(TypeError, "ERR_INVALID_ARG_VALUE", `The argument 'rrtype' is invalid. Received '${rrtype}'`);
    return resolveType(name, type);
  },
  resolve4: (name, options) => resolveType(name, "A", options),
  resolve6: (name, options) => resolveType(name, "AAAA", options),
  resolveCname: (name) => resolveType(name, "CNAME"),
  resolveMx: (name) => resolveType(name, "MX"),
  resolveNs: (name) => resolveType(name, "NS"),
  resolvePtr: (name) => resolveType(name, "PTR"),
  resolveTxt: (name) => resolveType(name, "TXT"),
  resolveSrv: (name) => resolveType(name, "SRV"),
  resolveSoa: async (name) => (await resolveType(name, "SOA"))[0],
  resolveNaptr: (name) => resolveType(name, "NAPTR"),
  resolveCaa: (name) => resolveType(name, "CAA"),
  resolveAny: async (name) => {
    validateName(name);
    const all = [];
    for (const type of ["A", "AAAA", "CNAME", "MX", "NS", "TXT", "SRV", "SOA", "CAA"]) {
      try {
        for (const a of await query(name, type)) {
          const value = parse[type](a);
          if (type === "A" || type === "AAAA") all.push({ address: value, ttl: a.TTL, type });
          else if (type === "TXT") all.push({ entries: value, type });
          else if (typeof value === "string") all.push({ value, type });
          else all.push({ ...value, type });
        }
      } catch { /* a type the name has not */ }
    }
    if (all.length === 0) throw new DnsError(name, NOTFOUND, "queryAny");
    return all;
  },
  reverse: async (ip) => {
    validateName(ip, "ip");
    const family = isIP(ip);
    if (family === 0) throw nodeError(TypeError, "ERR_INVALID_ARG_VALUE", `The argument 'ip' is invalid. Received '${ip}'`);
    const name = family === 4 ? `${ip.split(".").reverse().join(".")}.in-addr.arpa`
      : `${expandV6(ip).replace(/:/g, "").split("").reverse().join(".")}.ip6.arpa`;
    return (await query(name, "PTR")).map(parse.PTR);
  },
  lookupService: () => { throw nodeError(Error, "ERR_METHOD_NOT_IMPLEMENTED", "The lookupService method is not implemented"); },
};

function expandV6(ip) {
  const [head, tail] = ip.split("::");
  const h = head ? head.split(":") : [], t = tail ? tail.split(":") : [];
  const parts = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
  return parts.map((p) => p.padStart(4, "0")).join(":");
}

let defaultOrder = "verbatim";
export function getDefaultResultOrder() { return defaultOrder; }
export function setDefaultResultOrder(order) {
  if (!["verbatim", "ipv4first", "ipv6first"].includes(order)) throw nodeError(TypeError, "ERR_INVALID_ARG_VALUE", `The argument 'dnsOrder' must be one of: 'verbatim', 'ipv4first', 'ipv6first'. Received '${order}'`);
  defaultOrder = order;
}
export function getServers() { return ["1.1.1.1", "2606:4700:4700::1111", "1.0.0.1", "2606:4700:4700::1001"]; }
export function setServers(servers) { if (!Array.isArray(servers)) throw invalidArgType("servers", "an instance of Array", servers); }

/** dns.lookup(hostname[, options], callback), as Node validates and answers it. */
export function lookup(hostname, options, callback) {
  let family = 0, all = false, order = defaultOrder;
  if (typeof options === "function") { callback = options; options = {}; }
  if (typeof callback !== "function") throw invalidArgType("callback", "of type function", callback);
  if (hostname && typeof hostname !== "string") throw invalidArgType("hostname", "of type string", hostname);
  if (typeof options === "number") family = options;
  else if (options !== undefined && options !== null) {
    if (typeof options !== "object") throw invalidArgType("options", "of type integer or an instance of Object", options);
    if (options.hints != null && options.hints !== 0) throw nodeError(Error, "ERR_OPTION_NOT_IMPLEMENTED", "The options.hints option is not implemented");
    family = options.family === "IPv4" ? 4 : options.family === "IPv6" ? 6 : (options.family ?? 0);
    all = Boolean(options.all);
    if (options.verbatim != null) order = options.verbatim ? "verbatim" : "ipv4first";
    if (options.order != null) order = options.order;
  }
  if (![0, 4, 6].includes(family)) throw nodeError(TypeError, "ERR_INVALID_ARG_VALUE", `The property 'options.family' must be one of: 0, 4, 6. Received ${family}`);
  const answer = (list) => {
    if (order === "ipv4first") list.sort((a, b) => a.family - b.family);
    if (order === "ipv6first") list.sort((a, b) => b.family - a.family);
    if (all) callback(null, list);
    else callback(null, list[0].address, list[0].family);
  };
  if (!hostname) { queueMicrotask(() => (all ? callback(null, []) : callback(null, null, family === 6 ? 6 : 4))); return {}; }
  const literal = isIP(hostname);
  if (literal !== 0) { queueMicrotask(() => answer([{ address: hostname, family: literal }])); return {}; }
  const override = bridge.sockets.dnsOverride(hostname);
  if (override !== undefined) {
    queueMicrotask(() => answer([{ address: family === 6 ? `::ffff:${override}` : override, family: family === 6 ? 6 : 4 }]));
    return {};
  }
  const wanted = family === 4 ? ["A"] : family === 6 ? ["AAAA"] : all ? ["A", "AAAA"] : ["A"];
  Promise.all(wanted.map((type) => query(hostname, type).then((answers) => answers.map((a) => ({ address: a.data, family: type === "A" ? 4 : 6 })),
    (e) => (wanted.length > 1 ? [] : Promise.reject(e)))))
    .then((lists) => {
      const list = lists.flat();
      if (list.length === 0) throw new DnsError(hostname, NOTFOUND, "queryA");
      answer(list);
    })
    // As workerd: a name lookup() cannot resolve, for whatever reason, is not found.
    .catch((e) => callback(e instanceof DnsError ? new DnsError(hostname, NOTFOUND, e.syscall) : e));
  return {};
}

function callbackStyle(fn) {
  return function (...args) {
    const callback = args.pop();
    if (typeof callback !== "function") throw invalidArgType("callback", "of type function", callback);
    fn(...args).then((result) => callback(null, result), (e) => callback(e));
  };
}

export const resolve = callbackStyle(promises.resolve);
export const resolve4 = callbackStyle(promises.resolve4);
export const resolve6 = callbackStyle(promises.resolve6);
export const resolveAny = callbackStyle(promises.resolveAny);
export const resolveCname = callbackStyle(promises.resolveCname);
export const resolveCaa = callbackStyle(promises.resolveCaa);
export const resolveMx = callbackStyle(promises.resolveMx);
export const resolveNaptr = callbackStyle(promises.resolveNaptr);
export const resolveNs = callbackStyle(promises.resolveNs);
export const resolvePtr = callbackStyle(promises.resolvePtr);
export const resolveSoa = callbackStyle(promises.resolveSoa);
export const resolveSrv = callbackStyle(promises.resolveSrv);
export const resolveTxt = callbackStyle(promises.resolveTxt);
export const reverse = callbackStyle(promises.reverse);
export function lookupService() { throw nodeError(Error, "ERR_METHOD_NOT_IMPLEMENTED", "The lookupService method is not implemented"); }

export class Resolver {
  constructor() {}
  cancel() {}
  getServers() { return getServers(); }
  setServers(servers) { setServers(servers); }
  setLocalAddress() {}
}
for (const name of ["resolve", "resolve4", "resolve6", "resolveAny", "resolveCname", "resolveCaa", "resolveMx", "resolveNaptr", "resolveNs", "resolvePtr", "resolveSoa", "resolveSrv", "resolveTxt", "reverse"]) {
  Resolver.prototype[name] = { resolve, resolve4, resolve6, resolveAny, resolveCname, resolveCaa, resolveMx, resolveNaptr, resolveNs, resolvePtr, resolveSoa, resolveSrv, resolveTxt, reverse }[name];
}

class PromisesResolver extends Resolver {}
for (const name of ["resolve", "resolve4", "resolve6", "resolveAny", "resolveCname", "resolveCaa", "resolveMx", "resolveNaptr", "resolveNs", "resolvePtr", "resolveSoa", "resolveSrv", "resolveTxt", "reverse"]) {
  PromisesResolver.prototype[name] = promises[name];
}

export const dnsPromises = Object.assign({ ...CODES, ADDRCONFIG, V4MAPPED, ALL, Resolver: PromisesResolver, getDefaultResultOrder, setDefaultResultOrder, getServers, setServers }, promises);
dnsPromises.default = dnsPromises;
export { dnsPromises as promises };

export default {
  ...CODES, ADDRCONFIG, V4MAPPED, ALL, Resolver, getDefaultResultOrder, setDefaultResultOrder, getServers, setServers, lookup,
  lookupService, resolve, resolve4, resolve6, resolveAny, resolveCname, resolveCaa, resolveMx, resolveNaptr, resolveNs,
  resolvePtr, resolveSoa, resolveSrv, resolveTxt, reverse, promises: dnsPromises,
};
