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
  body.used = true;
  const flat = ArrayPrototypeJoin(withLoopCount(headersToFlat(requestHeaders(st)), event), "\n");
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
      ops.fetch(id, st.method, url, flat, bodyValue, streamId, manual, hostId);
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
