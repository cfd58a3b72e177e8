// Request and Response (WHATWG Fetch, with workerd's additions and error messages).

const STATUS_TEXT = {
  100: "Continue", 101: "Switching Protocols", 102: "Processing", 103: "Early Hints",
  200: "OK", 201: "Created", 202: "Accepted", 203: "Non-Authoritative Information", 204: "No Content",
  205: "Reset Content", 206: "Partial Content", 207: "Multi-Status", 208: "Already Reported", 226: "IM Used",
  300: "Multiple Choices", 301: "Moved Permanently", 302: "Found", 303: "See Other", 304: "Not Modified",
  305: "Use Proxy", 307: "Temporary Redirect", 308: "Permanent Redirect",
  400: "Bad Request", 401: "Unauthorized", 402: "Payment Required", 403: "Forbidden", 404: "Not Found",
  405: "Method Not Allowed", 406: "Not Acceptable", 407: "Proxy Authentication Required", 408: "Request Timeout",
  409: "Conflict", 410: "Gone", 411: "Length Required", 412: "Precondition Failed", 413: "Payload Too Large",
  414: "URI Too Long", 415: "Unsupported Media Type", 416: "Range Not Satisfiable", 417: "Expectation Failed",
  418: "I'm a teapot", 421: "Misdirected Request", 422: "Unprocessable Entity", 423: "Locked",
  424: "Failed Dependency", 426: "Upgrade Required", 428: "Precondition Required", 429: "Too Many Requests",
  431: "Request Header Fields Too Large", 451: "Unavailable For Legal Reasons",
  500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway", 503: "Service Unavailable",
  504: "Gateway Timeout", 505: "HTTP Version Not Supported", 506: "Variant Also Negotiates",
  507: "Insufficient Storage", 508: "Loop Detected", 510: "Not Extended", 511: "Network Authentication Required",
};
function defaultStatusText(status) { return STATUS_TEXT[status] ?? ""; }

const KNOWN_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE",
  "COPY", "LOCK", "MKCOL", "MOVE", "PROPFIND", "PROPPATCH", "SEARCH", "UNLOCK", "ACL", "REPORT", "MKACTIVITY",
  "CHECKOUT", "MERGE", "M-SEARCH", "NOTIFY", "SUBSCRIBE", "UNSUBSCRIBE", "PURGE", "MKCALENDAR", "LINK", "UNLINK", "QUERY"]);

// The methods the Fetch spec upper-cases (https://fetch.spec.whatwg.org/#methods).
const SPEC_NORMALIZED_METHODS = new Set(["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS"]);

function normalizeMethod(m) {
  m = String(m);
  if (KNOWN_METHODS.has(m)) return m;
  const upper = m.toUpperCase();
  // The spec upper-cases only its six standard methods and rejects other lower-case ones; workerd
  // does so before 2024-10-14, then upper-cases every method it knows (upper_case_all_http_methods).
  if (KNOWN_METHODS.has(upper) && (SPEC_NORMALIZED_METHODS.has(upper) || compatEnabled("upper_case_all_http_methods"))) return upper;
  throw new TypeError(`Invalid HTTP method string: ${m}`);
}

function parseRequestUrl(input) {
  const s = String(input);
  try {
    return new URL(s).href;
  } catch {
    throw new TypeError(`Invalid URL: ${s}`);
  }
}

class Request {
  constructor(input, init = undefined) {
    requiredArguments(arguments.length, 1, "Request");
    let url, method = "GET", headers, body = makeBody("none", null), redirect = "follow", signal = null,
      cf = undefined, fetcher = null, cache = undefined;
    if (input instanceof Request) {
      const other = input[kState];
      const replacesBody = init !== undefined && init !== null && (init instanceof Request || init.body !== undefined);
      url = other.url;
      method = other.method;
      headers = new Headers(requestHeaders(other));
      cf = other.cf === undefined ? undefined : structuredCloneCf(other.cf);
      if (!replacesBody) {
        if (bodyUsed(other.body)) throw new TypeError("Cannot reconstruct a Request with a used body.");
        if (other.body.kind !== "none") {
          body = makeBody("stream", bodyStream(other.body), other.body.contentType);
          other.body.used = true;
        }
      }
      redirect = other.redirect;
      signal = other.signal ?? null;
      fetcher = other.fetcher;
      cache = other.cache;
    } else {
      url = parseRequestUrl(input);
    }
    if (init !== undefined && init !== null) {
      if (typeof init !== "object") throw new TypeError("Failed to construct 'Request': The provided value is not of type 'RequestInit'.");
      if (init.integrity !== undefined && String(init.integrity) !== "") {
        throw new TypeError("Subrequest integrity checking is not implemented. The integrity option must be either undefined or an empty string.");
      }
      if (init.method !== undefined) method = normalizeMethod(init.method);
      if (init.headers !== undefined) headers = new Headers(init.headers);
      if (init.fetcher !== undefined) fetcher = init.fetcher;
      if (init.signal !== undefined) signal = init.signal;
      if (init.cf !== undefined) cf = structuredCloneCf(init.cf);
      if (init.body !== undefined && init.body !== null) {
        body = extractBody(init.body);
        if (method === "GET" || method === "HEAD") throw new TypeError("Request with a GET or HEAD method cannot have a body.");
      }
      if (init.redirect !== undefined) {
        redirect = String(init.redirect);
        if (redirect !== "follow" && redirect !== "manual") {
          throw new TypeError("Invalid redirect value, must be one of \"follow\" or \"manual\" (\"error\" won't be implemented since it does not make sense at the edge; use \"manual\" and check the response status code).");
        }
      }
      if (init.cache !== undefined) cache = requestCacheMode(init.cache);
      if (init.cf !== undefined && init.cf !== null && typeof init.cf === "object" && init.cf.cacheControl !== undefined) {
        if (init.cf.cacheTtl !== undefined) {
          throw new TypeError("The 'cacheControl' and 'cacheTtl' options on cf are mutually exclusive. Use 'cacheControl' for explicit Cache-Control header directives, or 'cacheTtl' for a simplified TTL, but not both.");
        }
        if (init.cache !== undefined) {
          throw new TypeError("The 'cacheControl' option on cf cannot be used together with the 'cache' request option. The 'cache' option ('no-store'/'no-cache') maps to cache TTL behavior internally, which conflicts with explicit Cache-Control directives.");
        }
      }
      if ((init.method !== undefined || init.body !== undefined) && (method === "GET" || method === "HEAD") && body.kind !== "none") {
        throw new TypeError("Request with a GET or HEAD method cannot have a body.");
      }
    }
    headers ??= new Headers();
    if (body.contentType !== null && !headers.has("content-type")) headers.set("content-type", body.contentType);
    // A request without a signal gets one that never aborts, made when first asked for.
    this[kState] = { url, method, headers, body, redirect, signal: signal ?? undefined, cf, fetcher, cache };
  }

  get method() { return requestState(this).method; }
  get url() { return requestState(this).url; }
  get headers() { return requestHeaders(requestState(this)); }
  get redirect() { return requestState(this).redirect; }
  get signal() {
    const st = requestState(this);
    if (st.signal === undefined) st.signal = neverAbortedSignal();
    return st.signal;
  }
  get fetcher() { return requestState(this).fetcher; }
  get cf() {
    const st = requestState(this);
    if (typeof st.cf === "string") st.cf = JSONParse(st.cf);
    return st.cf;
  }
  get integrity() { return ""; }
  get keepalive() { return false; }
  get cache() { return requestState(this).cache; }

  clone() {
    const st = requestState(this);
    const copy = Object.create(Request.prototype);
    copy[kState] = { ...st, headers: new Headers(requestHeaders(st)), body: cloneBody(st.body), cf: st.cf === undefined ? undefined : structuredCloneCf(st.cf) };
    return copy;
  }
}
mixinBody(Request, "Request");
webidlInterface(Request);

/**
 * The Request `cache` option as workerd takes it: only with cache_option_enabled (from 2024-11-11),
 * "no-store" always, "no-cache" with cache_no_cache_enabled (implied from 2025-08-07), "reload" with
 * the experimental cache_reload_enabled; any other value is a TypeError.
 */
function requestCacheMode(value) {
  if (!compatEnabled("cache_option_enabled")) throw new Error("The 'cache' field on 'RequestInitializerDict' is not implemented.");
  const mode = String(value);
  if (mode === "no-store" || (mode === "no-cache" && compatEnabled("cache_no_cache_enabled")) ||
      (mode === "reload" && compatEnabled("cache_reload_enabled"))) return mode;
  throw new TypeError(`Unsupported cache mode: ${mode}`);
}

// Without cache_option_enabled a Request has no `cache` property at all, as in workerd.
if (!compatEnabled("cache_option_enabled")) delete Request.prototype.cache;

function requestState(r) {
  const st = r?.[kState];
  if (st === undefined || !(r instanceof Request)) throw illegalInvocation();
  return st;
}

/** An incoming request's headers stay a flat string until a Worker looks at them. */
function requestHeaders(st) {
  if (typeof st.headers === "string") st.headers = headersFromFlat(st.headers === "" ? [] : st.headers.split("\n"), true);
  return st.headers;
}

function structuredCloneCf(cf) {
  if (typeof cf === "string") return cf;
  if (cf === null || typeof cf !== "object") return cf;
  return JSONParse(JSONStringify(cf));
}

function neverAbortedSignal() {
  // Workers give every Request a signal. An incoming request's never aborts unless the
  // enable_request_signal flag is set, which Flint does not implement yet.
  return typeof AbortController === "function" ? new AbortController().signal : null;
}

/** The Request a Worker receives: headers immutable, body pulled from the host on demand. */
function incomingRequest(method, url, headersFlat, bodyId, cf) {
  const r = Object.create(Request.prototype);
  r[kState] = {
    url, method, headers: headersFlat,
    body: bodyId > 0 ? makeBody("host", bodyId, null, contentLengthOf(headersFlat)) : makeBody("none", null),
    redirect: "manual", signal: undefined, cf, fetcher: null, cache: undefined,
  };
  return r;
}

const NULL_BODY_STATUS = new Set([101, 204, 205, 304]);
const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);

class Response {
  constructor(body = null, init = undefined) {
    let status = 200, statusText, headers, webSocket = null, encodeBody = "automatic", cf;
    if (init !== undefined && init !== null) {
      if (typeof init !== "object") throw new TypeError("Failed to construct 'Response': The provided value is not of type 'ResponseInit'.");
      if (init.status !== undefined) status = Number(init.status) | 0;
      if (init.statusText !== undefined) statusText = toByteString(init.statusText, "statusText");
      if (init.headers !== undefined) headers = new Headers(init.headers);
      if (init.webSocket !== undefined && init.webSocket !== null) {
        if (!(init.webSocket instanceof WebSocket)) throw new TypeError("Incorrect type for the 'webSocket' field on 'InitializerDict': the provided value is not of type 'WebSocket'.");
        webSocket = init.webSocket;
      }
      if (init.encodeBody !== undefined) {
        encodeBody = String(init.encodeBody);
        if (encodeBody !== "automatic" && encodeBody !== "manual") throw new TypeError(`encodeBody: unexpected value: ${encodeBody}`);
      }
      if (init.cf !== undefined) cf = structuredCloneCf(init.cf);
    }
    if (webSocket === null) {
      if (status < 200 || status > 599) throw new RangeError("Responses may only be constructed with status codes in the range 200 to 599, inclusive.");
    } else if (status !== 101) {
      throw new RangeError("Responses with a WebSocket must have status code 101.");
    }
    if (statusText !== undefined && /[\x00-\x1f]/.test(statusText)) throw new TypeError("Invalid statusText");
    let extracted = extractBody(body);
    if (NULL_BODY_STATUS.has(status) && extracted.kind !== "none") {
      const empty = (extracted.kind === "text" && extracted.value.length === 0) || (extracted.kind === "bytes" && extracted.value.byteLength === 0);
      if (!empty) throw new TypeError("Response with null body status (101, 204, 205, or 304) cannot have a body.");
      extracted = makeBody("none", null);
    }
    headers ??= new Headers();
    if (extracted.contentType !== null && !headers.has("content-type")) headers.set("content-type", extracted.contentType);
    this[kState] = { status, statusText, headers, body: extracted, webSocket, encodeBody, cf, type: "default", url: "", redirected: false };
  }

  static json(data, init = undefined) {
    const text = JSONStringify(data);
    if (text === undefined) throw new TypeError("Value is not JSON serializable");
    const headers = new Headers(init?.headers);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
    const r = new Response(text, init === undefined || init === null ? { headers } : { status: init.status, statusText: init.statusText, headers, cf: init.cf, webSocket: init.webSocket, encodeBody: init.encodeBody });
    return r;
  }

  static redirect(url, status = 302) {
    status = Number(status) | 0;
    if (!REDIRECT_STATUS.has(status)) throw new RangeError(`${status} is not a redirect status code. It must be one of: 301, 302, 303, 307, or 308.`);
    let href;
    try { href = new URL(String(url)).href; } catch { throw new TypeError(`Unable to parse URL: ${url}`); }
    const r = new Response(null, { status });
    r[kState].headers.set("location", href);
    setHeadersImmutable(r[kState].headers);
    return r;
  }

  static error() {
    const r = new Response(null, { status: 200 });
    const st = r[kState];
    st.status = 0;
    st.type = "error";
    setHeadersImmutable(st.headers);
    return r;
  }

  get status() { return responseState(this).status; }
  // "" unless given (the spec, and workerd); the reason phrase sent on the wire defaults per status.
  get statusText() { return responseState(this).statusText ?? ""; }
  get ok() { const s = responseState(this).status; return s >= 200 && s <= 299; }
  get headers() { return responseState(this).headers; }
  get redirected() { return responseState(this).redirected; }
  get type() { return responseState(this).type; }
  get url() { return responseState(this).url; }
  get webSocket() { return responseState(this).webSocket; }
  get cf() { return responseState(this).cf; }
  get encodeBody() { return responseState(this).encodeBody; }

  clone() {
    const st = responseState(this);
    if (st.webSocket !== null) throw new TypeError("Cannot clone a response to a WebSocket handshake.");
    const copy = Object.create(Response.prototype);
    copy[kState] = { ...st, headers: new Headers(st.headers), body: cloneBody(st.body), cf: st.cf === undefined ? undefined : structuredCloneCf(st.cf) };
    return copy;
  }
}
mixinBody(Response, "Response");
webidlInterface(Response);

function responseState(r) {
  const st = r?.[kState];
  if (st === undefined || !(r instanceof Response)) throw illegalInvocation();
  return st;
}

defineGlobal("Request", Request);
defineGlobal("Response", Response);
