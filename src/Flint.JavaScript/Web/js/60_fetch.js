// Outbound fetch(): the request crosses to the host once (method, URL, flat headers, body
// as a string, bytes or a stream the host pulls); the host's answer comes back as one
// string with the response head and a handle to pull its body from.

// Cloudflare's per-request subrequest limit (paid plan default); `[limits] subrequests` changes it.
let subrequestLimit = 1000;

// Cloudflare's loop limit: every subrequest carries the invocations its event has left (the host
// counts them down on the way in and refuses a request with none), whatever headers the Worker set.
const LOOP_HEADER = "cf-ew-via";
const LOOP_INVOCATIONS = 16;

function withLoopCount(flatList, event) {
  const out = [];
  for (let i = 0; i + 1 < flatList.length; i += 2) {
    if (StringPrototypeToLowerCase(flatList[i]) !== LOOP_HEADER) ArrayPrototypePush(out, flatList[i], flatList[i + 1]);
  }
  ArrayPrototypePush(out, LOOP_HEADER, String(event?.loopsLeft ?? LOOP_INVOCATIONS - 1));
  return out;
}

/** The invocations left after this one, from the incoming CF-EW-Via (which the host already counted down). */
function loopsLeftOf(headersFlat) {
  if (headersFlat.length === 0 || !/cf-ew-via/i.test(headersFlat)) return LOOP_INVOCATIONS - 1;
  const parts = headersFlat.split("\n");
  for (let i = 0; i + 1 < parts.length; i += 2) {
    if (parts[i].toLowerCase() === LOOP_HEADER) {
      const n = Number(parts[i + 1]);
      return Number.isInteger(n) ? Math.min(n, LOOP_INVOCATIONS - 1) : LOOP_INVOCATIONS - 1;
    }
  }
  return LOOP_INVOCATIONS - 1;
}

/** A TTL as Cloudflare takes it, a 32-bit count of seconds (NaN when it is not a number). */
function seconds32(value) {
  const n = Math.trunc(Number(value));
  return Number.isFinite(n) ? Math.max(-2147483648, Math.min(n, 2147483647)) : NaN;
}

const STATUS_RANGE = /^\s*([0-9]{3})\s*(?:-\s*([0-9]{3})\s*)?$/;

/**
 * What this subrequest asks of the cache, as JSON for the host (SubrequestCachePolicy decides the
 * rest), or "" when it cannot go through it. workerd's checks come first: `cache: "no-store"` with a
 * cf.cacheTtl other than -1 is a TypeError. A `cache` mode also sends Cache-Control and Pragma
 * `no-cache` to the origin unless the Worker set them (added to flatList).
 */
function subrequestCachePlan(request, st, flatList) {
  const mode = st.cache;
  const raw = typeof st.cf === "string" ? JSONParse(st.cf) : st.cf;
  const cf = raw !== undefined && raw !== null && typeof raw === "object" ? raw : null;
  if (mode === "no-store" && cf !== null && "cacheTtl" in cf && cf.cacheTtl !== -1) {
    throw new TypeError(`CacheTtl: ${String(cf.cacheTtl)}, is not compatible with cache: no-store header.`);
  }
  if (mode !== undefined) {
    let cacheControl = false, pragma = false;
    for (let i = 0; i + 1 < flatList.length; i += 2) {
      if (flatList[i] === "cache-control") cacheControl = true;
      else if (flatList[i] === "pragma") pragma = true;
    }
    if (!cacheControl) ArrayPrototypePush(flatList, "cache-control", "no-cache");
    if (!pragma) ArrayPrototypePush(flatList, "pragma", "no-cache");
  }
  const ttlNumber = cf !== null && cf.cacheTtl !== undefined && cf.cacheTtl !== null ? seconds32(cf.cacheTtl) : NaN;
  const ttl = Number.isFinite(ttlNumber) ? ttlNumber : null;
  const byStatus = [];
  if (cf !== null && cf.cacheTtlByStatus !== undefined && cf.cacheTtlByStatus !== null && typeof cf.cacheTtlByStatus === "object") {
    const names = Object.keys(cf.cacheTtlByStatus);
    for (let i = 0; i < names.length; i++) {
      const name = names[i];
      const m = RegExpPrototypeExec(STATUS_RANGE, name);
      const seconds = seconds32(cf.cacheTtlByStatus[name]);
      if (m === null || !Number.isFinite(seconds)) continue;
      ArrayPrototypePush(byStatus, [Number(m[1]), Number(m[2] ?? m[1]), seconds]);
    }
  }
  const everything = cf !== null && Boolean(cf.cacheEverything);
  const forced = everything || ttl !== null || byStatus.length > 0;
  if (!forced && mode === undefined && st.method !== "GET" && st.method !== "HEAD") return "";
  return JSONStringify({
    ns: CACHE_DEFAULT_NS, key: cacheKeyOf(request), everything, ttl, byStatus,
    bypass: mode === "no-store" || mode === "reload", revalidate: mode === "no-cache",
  });
}

function fetch(input, init = undefined) {
  let request;
  try {
    requireHandlerScope();
    request = input instanceof Request && init === undefined ? input : new Request(input, init);
  } catch (e) {
    return Promise.reject(e);
  }
  const st = request[kState];
  const url = st.url;
  const scheme = url.slice(0, url.indexOf(":"));
  if (scheme !== "http" && scheme !== "https") {
    return Promise.reject(new TypeError(`Fetch API cannot load: ${url}`));
  }
  const event = currentEvent;
  if (event !== null) {
    event.subrequests = (event.subrequests ?? 0) + 1;
    if (event.subrequests > subrequestLimit) return Promise.reject(new Error("Too many subrequests."));
  }
  const signal = st.signal;
  if (signal !== null && signal !== undefined && signal.aborted) return Promise.reject(signal.reason);
  if (st.method === "GET" && isWebSocketUpgrade(requestHeaders(st))) return fetchWebSocket(url, requestHeaders(st));
  const body = st.body;
  if (bodyUsed(body)) return Promise.reject(new TypeError(BODY_USED));
  let bodyValue = null;
  let streamId = 0;
  let hostId = 0;
  if (body.stream === null && (body.kind === "text" || body.kind === "bytes")) bodyValue = body.value;
  else if (body.kind !== "none") {
    // A request or fetch body passed on unread goes from the host straight to the origin.
    hostId = takeUntouchedHostBody(body);
    if (hostId === 0) streamId = registerJsStream(bodyStream(body));
  }
  let cachePlan;
  const flatList = headersToFlat(requestHeaders(st));
  try {
    cachePlan = subrequestCachePlan(request, st, flatList);
  } catch (e) {
    return Promise.reject(e);
  }
  body.used = true;
  const flat = ArrayPrototypeJoin(withLoopCount(flatList, event), "\n");
  const manual = st.redirect === "manual";

  return new Promise((resolve, reject) => {
    let fetchId = 0;
    let onAbort;
    if (signal !== null && signal !== undefined && typeof signal.addEventListener === "function") {
      onAbort = () => {
        if (fetchId !== 0) ops.fetchAbort(fetchId);
        reject(signal.reason);
      };
      signal.addEventListener("abort", onAbort, { once: true });
    }
    PromisePrototypeThen(opAsync((id) => {
      fetchId = id;
      ops.fetch(id, st.method, url, flat, bodyValue, streamId, manual, hostId, cachePlan);
    }), (head) => {
      if (onAbort !== undefined) signal.removeEventListener("abort", onAbort);
      resolve(fetchedResponse(head, signal));
    }, (e) => {
      if (onAbort !== undefined) signal.removeEventListener("abort", onAbort);
      reject(e);
    });
  });
}

/** Builds the Response from the host's head: status, statusText, url, redirected, body id, headers. */
function fetchedResponse(head) {
  const parts = StringPrototypeSplit(head, "\n");
  const status = Number(parts[0]);
  const bodyId = Number(parts[4]);
  const r = Object.create(Response.prototype);
  const headers = headersFromFlat(ArrayPrototypeSlice(parts, 5), true);
  // A decoded body's length is not its Content-Length.
  const length = bodyId > 0 && !headers.has("content-encoding") ? Number(headers.get("content-length") ?? -1) : -1;
  r[kState] = {
    status,
    statusText: parts[1],
    headers,
    body: bodyId > 0 ? makeBody("host", bodyId, null, Number.isSafeInteger(length) && length >= 0 ? length : -1) : makeBody("none", null),
    webSocket: null, encodeBody: "automatic", cf: undefined, type: "default",
    url: parts[2], redirected: parts[3] === "1",
  };
  return r;
}

defineGlobal("fetch", fetch);
