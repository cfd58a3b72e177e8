// The Cache API: `caches` (CacheStorage) with `caches.default` and `caches.open(name)`, and
// Cache's match / put / delete, checked here with workerd's errors and in the order workerd
// checks them; the host's cache (Bindings/Cache, Engine/Cache) stores and answers. One crossing
// per call; a hit's body stays in the host until read, so a cached response returned as it is
// goes from the file to the client without entering V8.

let cacheBindingIndex = -1;
registerBindingKind("cache", (d) => { cacheBindingIndex = d.index; return undefined; });

const CACHE_DEFAULT_NS = "*";   // caches.default
const CACHE_NAMED_NS = "=";     // prefix of caches.open(name), so no name can be the default's
const CACHE_NAME_MAX = 1024;    // bytes, as workerd limits the name

function cacheUnimplemented(method, iface) {
  return new Error(`Failed to execute '${method}' on '${iface}': the method is not implemented.`);
}

/** Request::coerce: a Request as it is, anything else as the URL of a new GET Request. */
function cacheRequest(requestOrUrl, method) {
  requireHandlerScope();
  if (requestOrUrl instanceof Request) return requestOrUrl;
  if (requestOrUrl === undefined || requestOrUrl === null) {
    throw new TypeError(`Failed to execute '${method}' on 'Cache': parameter 1 is not of type 'Request or string'.`);
  }
  return new Request(toDOMString(requestOrUrl));
}

/** The key an entry is stored under: cf.cacheKey when given, else the URL without its fragment. */
function cacheKeyOf(request) {
  const st = request[kState];
  const cf = typeof st.cf === "string" ? JSONParse(st.cf) : st.cf;
  if (cf !== undefined && cf !== null && cf.cacheKey) return String(cf.cacheKey);
  const hash = st.url.indexOf("#");
  return hash < 0 ? st.url : st.url.slice(0, hash);
}

function cacheIgnoresMethod(options) {
  return options !== undefined && options !== null && Boolean(options.ignoreMethod);
}

function cacheCall(method, args, bytes = null, stream = null) {
  if (cacheBindingIndex < 0) return Promise.reject(new Error("The Cache API is not available in this isolate."));
  return callBinding(cacheBindingIndex, method, JSONStringify(args), bytes, stream);
}

class Cache {
  constructor() { throw new TypeError("Illegal constructor"); }

  add(request) { cacheState(this); throw cacheUnimplemented("add", "Cache"); }
  addAll(requests) { cacheState(this); throw cacheUnimplemented("addAll", "Cache"); }

  async delete(request, options = undefined) {
    const st = cacheState(this);
    const req = cacheRequest(request, "delete");
    if (!cacheIgnoresMethod(options) && req[kState].method !== "GET") return false;
    const result = await cacheCall("delete", { ns: st.ns, key: cacheKeyOf(req) });
    return result.text === "1";
  }

  async match(request, options = undefined) {
    const st = cacheState(this);
    const req = cacheRequest(request, "match");
    if (!cacheIgnoresMethod(options) && req[kState].method !== "GET") return undefined;
    const headers = requestHeaders(req[kState]);
    const args = { ns: st.ns, key: cacheKeyOf(req) };
    const range = headers.get("range"), ifNoneMatch = headers.get("if-none-match"), ifModifiedSince = headers.get("if-modified-since");
    if (range !== null) args.range = range;
    if (ifNoneMatch !== null) args.ifNoneMatch = ifNoneMatch;
    if (ifModifiedSince !== null) args.ifModifiedSince = ifModifiedSince;
    const result = await cacheCall("match", args);
    if (result.text === null) return undefined;
    return cachedResponse(result.text, result.stream);
  }

  async put(request, response) {
    const st = cacheState(this);
    // Arguments are converted in order (parameter 1, then 2) before anything else is checked.
    if (request === undefined || request === null) cacheRequest(request, "put");
    if (!(response instanceof Response)) throw new TypeError("Failed to execute 'put' on 'Cache': parameter 2 is not of type 'Response'.");
    const rs = response[kState];
    if (rs.type === "error") throw new TypeError("Cache is unable to store an error response");
    const req = cacheRequest(request, "put");
    if (req[kState].method !== "GET") throw new TypeError("Cannot cache response to non-GET request.");
    if (rs.status === 206) throw new TypeError("Cannot cache response to a range request (206 Partial Content).");
    const vary = rs.headers.get("vary");
    if (vary !== null && vary.includes("*")) throw new TypeError("Cannot cache response with 'Vary: *' header.");
    // workerd drops 304s without a word: caching one would answer later plain requests with it.
    if (rs.status === 304) return undefined;
    if (rs.webSocket !== null) throw new TypeError("Cannot cache WebSocket upgrade response.");
    const body = rs.body;
    if (bodyUsed(body)) throw new TypeError(BODY_USED);
    const args = {
      ns: st.ns, key: cacheKeyOf(req), auth: requestHeaders(req[kState]).has("authorization"),
      status: rs.status, headers: headersToFlat(rs.headers),
    };
    // The body is taken now, as workerd serializes it at once: bodyUsed is true when put() returns.
    let bytes = null, stream = null;
    if (body.stream === null && body.kind !== "stream" && body.kind !== "host") {
      bytes = body.kind === "none" ? EMPTY_BYTES : body.kind === "text" ? utf8Encode(body.value) : body.value;
      args.length = bytes.byteLength;
    } else {
      stream = bodyStream(body);
      const known = streamKnownLength(stream);
      if (known >= 0) args.length = known;
      else if (body.kind === "host" && body.stream === null) {
        const length = rs.headers.get("content-length");
        if (length !== null && /^\d+$/.test(length) && rs.headers.get("content-encoding") === null) args.length = Number(length);
      }
      if (stream.locked) throw new TypeError("This ReadableStream is currently locked to a reader.");
    }
    body.used = true;
    await cacheCall("put", args, bytes, stream);
    return undefined;
  }

  matchAll(request, options) { cacheState(this); throw cacheUnimplemented("matchAll", "Cache"); }
  keys(request, options) { cacheState(this); throw cacheUnimplemented("keys", "Cache"); }
}
webidlInterface(Cache);

function cacheState(c) {
  const st = c?.[kState];
  if (st === undefined || !(c instanceof Cache)) throw illegalInvocation();
  return st;
}

function newCache(ns) {
  const c = Object.create(Cache.prototype);
  c[kState] = { ns };
  return c;
}

/** A hit as the Worker sees it: immutable headers (CF-Cache-Status: HIT among them), the body read from the host. */
function cachedResponse(head, stream) {
  const parts = head.split("\n");
  const status = Number(parts[0]);
  const r = Object.create(Response.prototype);
  r[kState] = {
    status, statusText: defaultStatusText(status),
    headers: headersFromFlat(parts.slice(1), true),
    body: stream === null ? makeBody("none", null) : makeBody("stream", stream),
    webSocket: null, encodeBody: "automatic", cf: undefined, type: "default", url: "", redirected: false,
  };
  return r;
}

class CacheStorage {
  constructor() { throw new TypeError("Illegal constructor"); }

  async open(cacheName) {
    cacheStorageState(this);
    const name = toDOMString(cacheName);
    if (utf8Encode(name).byteLength >= CACHE_NAME_MAX) throw new TypeError("Cache name is too long.");
    return newCache(CACHE_NAMED_NS + name);
  }
  delete(cacheName) { cacheStorageState(this); throw cacheUnimplemented("delete", "CacheStorage"); }
  match(request, options) { cacheStorageState(this); throw cacheUnimplemented("match", "CacheStorage"); }
  has(cacheName) { cacheStorageState(this); throw cacheUnimplemented("has", "CacheStorage"); }
  keys() { cacheStorageState(this); throw cacheUnimplemented("keys", "CacheStorage"); }
}
webidlInterface(CacheStorage);

function cacheStorageState(c) {
  const st = c?.[kState];
  if (st === undefined || !(c instanceof CacheStorage)) throw illegalInvocation();
  return st;
}

const cacheStorage = Object.create(CacheStorage.prototype);
cacheStorage[kState] = {};
// An instance property in workerd (JSG_READONLY_INSTANCE_PROPERTY): the same Cache every time.
Object.defineProperty(cacheStorage, "default", { value: newCache(CACHE_DEFAULT_NS), enumerable: true, configurable: false, writable: false });

defineGlobal("caches", cacheStorage);
defineGlobal("Cache", Cache);
defineGlobal("CacheStorage", CacheStorage);
