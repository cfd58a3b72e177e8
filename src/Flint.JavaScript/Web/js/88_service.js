// Service bindings: env.NAME is a Fetcher reaching another Worker. fetch() works like the global
// fetch() but runs the other Worker's fetch handler, without HTTP (the request crosses as its
// head and a body handle, both bodies streamed); any other property is an RPC method on the bound
// entrypoint (87_rpc.js). `then` is undefined, so a binding is not mistaken for a promise.

// A function, not a class: calling it without `new` is workerd's "Illegal constructor" too.
function Fetcher() { throw new TypeError("Illegal constructor"); }
Object.defineProperty(Fetcher.prototype, Symbol.toStringTag, { value: "Fetcher", configurable: true });

function makeFetcher(descriptor) {
  const index = descriptor.index;
  const target = Object.create(Fetcher.prototype);
  const fetchMethod = function fetch(input, init = undefined) { return serviceFetch(index, input, init); };
  const connect = function connect() {
    return Promise.reject(new Error("Flint does not support connect() on service bindings yet."));
  };
  // Before 2024-03-26 (fetcher_no_get_put_delete), a Fetcher had get(), put() and delete(): fetch with that method.
  const legacy = compatEnabled("fetcher_no_get_put_delete") ? null : {
    get: function get(url) { return serviceFetch(index, url, { method: "GET" }); },
    put: function put(url, body) { return serviceFetch(index, url, { method: "PUT", body }); },
    delete: function delete_(url) { return serviceFetch(index, url, { method: "DELETE" }); },
  };
  // From 2024-04-03 (rpc), any other property is an RPC method on the bound entrypoint.
  const rpc = compatEnabled("rpc");
  return new Proxy(target, {
    get(t, name) {
      if (name === "fetch") return fetchMethod;
      if (name === "connect") return connect;
      if (legacy !== null && Object.hasOwn(legacy, name)) return legacy[name];
      if (name === "then") return undefined;
      if (name === "constructor" || typeof name === "symbol" || !rpc) return Reflect.get(t, name);
      if (name === "dup") return () => { throw new TypeError("'dup' is a reserved method and cannot be called over RPC."); };
      return rpcProperty({ binding: index }, [name]);
    },
    set() { return false; },
  });
}
registerBindingKind("service", makeFetcher);

/** fetch() through a service binding: Fetch semantics (redirects followed unless manual), no network. */
function serviceFetch(index, input, init) {
  let request;
  try {
    request = input instanceof Request && init === undefined ? input : new Request(input, init);
  } catch (e) {
    return Promise.reject(e);
  }
  const st = request[kState];
  const body = st.body;
  if (bodyUsed(body)) return Promise.reject(new TypeError(BODY_USED));
  let bytes = null, stream = null, hostStream = 0;
  if (body.stream === null && body.kind === "text") bytes = utf8Encode(body.value);
  else if (body.stream === null && body.kind === "bytes") bytes = body.value;
  else if (body.kind !== "none") {
    // A request body passed on unread (a gateway forwarding) goes from the host to the other Worker as it is.
    hostStream = takeUntouchedHostBody(body);
    if (hostStream === 0) stream = bodyStream(body);
  }
  body.used = true;
  const head = { method: st.method, url: st.url, headers: headersToFlat(requestHeaders(st)) };
  if (st.cf !== undefined && st.cf !== null) head.cf = typeof st.cf === "string" ? st.cf : JSONStringify(st.cf);
  const manual = st.redirect === "manual";
  return callBinding(index, "fetch", JSONStringify(head), bytes, stream, hostStream).then((r) => {
    const answer = JSONParse(r.text);
    const resp = Object.create(Response.prototype);
    let responseBody = makeBody("none", null);
    if (answer.text !== undefined) responseBody = makeBody("text", answer.text);
    else if (r.bytes !== null) responseBody = makeBody("bytes", r.bytes);
    else if (r.stream !== null) responseBody = makeBody("stream", r.stream);
    resp[kState] = {
      status: answer.status, statusText: answer.statusText, headers: headersFromFlat(answer.headers, true),
      body: responseBody, webSocket: r.socket === 0 ? null : foreignSocket(r.socket), encodeBody: "automatic", cf: undefined, type: "default",
      url: st.url, redirected: false,
    };
    if (!manual && REDIRECT_STATUS.has(answer.status) && resp.headers.has("location")) {
      // As the global fetch() would: follow it, out to the network (Fetch semantics, not RPC).
      const location = new URL(resp.headers.get("location"), st.url).href;
      return fetch(location, { method: answer.status === 303 ? "GET" : st.method, headers: requestHeaders(st), redirect: st.redirect });
    }
    return resp;
  });
}
