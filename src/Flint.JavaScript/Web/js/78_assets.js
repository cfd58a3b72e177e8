// env.ASSETS: the Fetcher of a Worker's assets binding (and of every Pages project). fetch() takes
// what the global fetch() takes and asks the asset server (Bindings/Assets) in one crossing; the
// answer's body is the file, read by the host only when the Worker reads it, so a response returned
// as it is goes from the disk to the client without entering V8. Redirects are followed unless the
// request says "manual", as with any Fetcher.

function AssetsFetcher() { throw new TypeError("Illegal constructor"); }
Object.defineProperty(AssetsFetcher.prototype, Symbol.toStringTag, { value: "Fetcher", configurable: true });

function makeAssetsFetcher(descriptor) {
  const index = descriptor.index;
  const fetcher = Object.create(AssetsFetcher.prototype);
  Object.defineProperty(fetcher, "fetch", {
    value: function fetch(input, init = undefined) { return assetsFetch(index, input, init); },
    enumerable: false, writable: true, configurable: true,
  });
  Object.defineProperty(fetcher, "connect", {
    value: function connect() { return Promise.reject(new Error("connect() is not supported on an assets binding.")); },
    enumerable: false, writable: true, configurable: true,
  });
  return fetcher;
}
registerBindingKind("assets", makeAssetsFetcher);

function assetsFetch(index, input, init) {
  let request;
  try {
    request = input instanceof Request && init === undefined ? input : new Request(input, init);
  } catch (e) {
    return Promise.reject(e);
  }
  const st = request[kState];
  if (bodyUsed(st.body)) return Promise.reject(new TypeError(BODY_USED));
  // The asset server reads no request body (only GET and HEAD are served).
  const head = { method: st.method, url: st.url, headers: headersToFlat(requestHeaders(st)) };
  const manual = st.redirect === "manual";
  return callBinding(index, "fetch", JSON.stringify(head)).then((r) => {
    const answer = JSON.parse(r.text);
    const resp = Object.create(Response.prototype);
    let body = makeBody("none", null);
    if (answer.text !== undefined) body = makeBody("text", answer.text);
    else if (r.stream !== null) body = makeBody("stream", r.stream);
    resp[kState] = {
      status: answer.status, statusText: answer.statusText || defaultStatusText(answer.status),
      headers: headersFromFlat(answer.headers, true), body, webSocket: null, encodeBody: "automatic",
      cf: undefined, type: "default", url: st.url, redirected: false,
    };
    if (!manual && REDIRECT_STATUS.has(answer.status) && resp.headers.has("location")) {
      if (r.stream !== null) r.stream.cancel();
      const location = new URL(resp.headers.get("location"), st.url).href;
      return fetch(location, { method: answer.status === 303 ? "GET" : st.method, headers: requestHeaders(st), redirect: st.redirect });
    }
    return resp;
  });
}
