// Cache API behaviour probe: run with bench/oracle.sh bench/oracle/cache /run
async function attempt(fn) {
  try {
    return { ok: await fn() };
  } catch (e) {
    return { err: `${e?.constructor?.name}: ${String(e?.message).split("\n")[0]}` };
  }
}
// A response as the probe reports it: status, headers (dates and ages by presence only), body.
async function show(r) {
  if (r === undefined) return "undefined";
  if (!(r instanceof Response)) return `not a Response: ${typeof r}`;
  const headers = {};
  // Dates made from the clock differ from run to run: shown by name only (the fixed Last-Modified stays).
  for (const [k, v] of r.headers) headers[k] = ["date", "age", "expires"].includes(k) || (k === "last-modified" && !v.includes("2015")) ? `<${k}>` : v;
  const body = await r.text();
  return { status: r.status, statusText: r.statusText, headers, body: body.length > 200 ? `${body.length} bytes` : body };
}
const BASE = "https://cache.example/";
let n = 0;
const u = (name) => `${BASE}${name}-${++n}`;
const httpDate = (ms) => new Date(ms).toUTCString();

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname !== "/run") return new Response("ok");
    const r = {};
    const c = caches.default;
    r.types = [Object.prototype.toString.call(caches), Object.prototype.toString.call(c), typeof Cache, typeof CacheStorage];
    r.sameDefault = caches.default === caches.default;
    r.cacheCtor = await attempt(() => new Cache());
    r.storageCtor = await attempt(() => new CacheStorage());
    r.openType = await attempt(async () => Object.prototype.toString.call(await caches.open("x")));
    r.openLong = await attempt(() => caches.open("n".repeat(1024)));
    r.openLongOk = await attempt(async () => typeof (await caches.open("n".repeat(1023))));
    r.keysMethod = typeof c.keys;
    r.add = await attempt(() => c.add("https://a.example/"));
    r.addAll = await attempt(() => c.addAll(["https://a.example/"]));
    r.matchAll = await attempt(() => c.matchAll());
    r.keys = await attempt(() => c.keys());
    r.storageMatch = await attempt(() => caches.match("https://a.example/"));
    r.storageHas = await attempt(() => caches.has("x"));
    r.storageDelete = await attempt(() => caches.delete("x"));
    r.storageKeys = await attempt(() => caches.keys());

    // put + match basics
    let k = u("basic");
    r.putBasic = await attempt(() => c.put(k, new Response("hello", { headers: { "cache-control": "max-age=3600", "x-a": "1" } })));
    r.matchBasic = await attempt(async () => show(await c.match(k)));
    r.matchRequest = await attempt(async () => show(await c.match(new Request(k))));
    r.matchMissing = await attempt(async () => show(await c.match(u("missing"))));
    r.matchPost = await attempt(async () => show(await c.match(new Request(k, { method: "POST" }))));
    r.matchPostIgnore = await attempt(async () => show(await c.match(new Request(k, { method: "POST" }), { ignoreMethod: true })));
    r.matchHeadIgnore = await attempt(async () => show(await c.match(new Request(k, { method: "HEAD" }), { ignoreMethod: true })));
    r.matchTwice = await attempt(async () => [await show(await c.match(k)), await show(await c.match(k))]);
    r.putReturns = await attempt(async () => String(await c.put(u("ret"), new Response("x", { headers: { "cache-control": "max-age=60" } }))));
    r.matchUrlObject = await attempt(async () => { const key = u("urlobj"); await c.put(new URL(key), new Response("u", { headers: { "cache-control": "max-age=60" } })); return show(await c.match(new URL(key))); });
    r.fragment = await attempt(async () => { const key = u("frag"); await c.put(key + "#a", new Response("f", { headers: { "cache-control": "max-age=60" } })); return [await show(await c.match(key + "#a")), await show(await c.match(key))]; });
    r.query = await attempt(async () => { const key = u("query"); await c.put(key + "?a=1", new Response("q", { headers: { "cache-control": "max-age=60" } })); return [await show(await c.match(key + "?a=1")), await show(await c.match(key))]; });
    r.overwrite = await attempt(async () => { const key = u("over"); await c.put(key, new Response("one", { headers: { "cache-control": "max-age=60" } })); await c.put(key, new Response("two", { headers: { "cache-control": "max-age=60" } })); return show(await c.match(key)); });

    // errors of put
    r.putPost = await attempt(() => c.put(new Request(u("post"), { method: "POST", body: "x" }), new Response("x")));
    r.put206 = await attempt(() => c.put(u("206"), new Response("x", { status: 206 })));
    r.putVaryStar = await attempt(() => c.put(u("varystar"), new Response("x", { headers: { vary: "*" } })));
    r.putVaryStarList = await attempt(() => c.put(u("varystar2"), new Response("x", { headers: { vary: "Accept, *" } })));
    r.putError = await attempt(() => c.put(u("err"), Response.error()));
    r.put304 = await attempt(async () => { const key = u("304"); await c.put(key, new Response(null, { status: 304, headers: { "cache-control": "max-age=60" } })); return show(await c.match(key)); });
    r.putNotResponse = await attempt(() => c.put(u("nr"), "hello"));
    r.putNoArgs = await attempt(() => c.put());
    r.putBadUrl = await attempt(() => c.put("not a url", new Response("x")));
    r.matchBadUrl = await attempt(() => c.match("not a url"));
    r.deleteBadUrl = await attempt(() => c.delete("not a url"));
    r.putUsedBody = await attempt(async () => { const res = new Response("used", { headers: { "cache-control": "max-age=60" } }); await res.text(); return c.put(u("used"), res); });
    r.putDisturbs = await attempt(async () => { const res = new Response("d", { headers: { "cache-control": "max-age=60" } }); const p = c.put(u("dist"), res); const used = res.bodyUsed; await p; return used; });
    r.putWsScheme = await attempt(() => c.put("ftp://x.example/a", new Response("x", { headers: { "cache-control": "max-age=60" } })));

    // what gets stored
    const stored = async (name, init, body = "body") => { const key = u(name); await c.put(key, new Response(body, init)); return show(await c.match(key)); };
    r.noHeaders = await attempt(() => stored("noheaders", {}));
    r.maxAge0 = await attempt(() => stored("maxage0", { headers: { "cache-control": "max-age=0" } }));
    r.sMaxage = await attempt(() => stored("smaxage", { headers: { "cache-control": "s-maxage=60" } }));
    r.sMaxage0 = await attempt(() => stored("smaxage0", { headers: { "cache-control": "max-age=60, s-maxage=0" } }));
    r.noStore = await attempt(() => stored("nostore", { headers: { "cache-control": "no-store, max-age=60" } }));
    r.private = await attempt(() => stored("private", { headers: { "cache-control": "private, max-age=60" } }));
    r.noCache = await attempt(() => stored("nocache", { headers: { "cache-control": "no-cache, max-age=60" } }));
    r.public = await attempt(() => stored("public", { headers: { "cache-control": "public" } }));
    r.pragmaNoCache = await attempt(() => stored("pragma", { headers: { pragma: "no-cache" } }));
    r.expiresFuture = await attempt(() => stored("expfut", { headers: { expires: httpDate(Date.now() + 3600e3) } }));
    r.expiresPast = await attempt(() => stored("exppast", { headers: { expires: httpDate(Date.now() - 3600e3) } }));
    r.expiresBad = await attempt(() => stored("expbad", { headers: { expires: "tomorrow" } }));
    r.lastModifiedOnly = await attempt(() => stored("lastmod", { headers: { "last-modified": httpDate(Date.now() - 100 * 86400e3) } }));
    r.setCookie = await attempt(() => stored("cookie", { headers: { "cache-control": "max-age=60", "set-cookie": "a=1" } }));
    r.setCookiePrivate = await attempt(() => stored("cookiepriv", { headers: { "cache-control": "private=set-cookie, max-age=60", "set-cookie": "a=1" } }));
    r.setCookiePublic = await attempt(() => stored("cookiepub", { headers: { "cache-control": "public, max-age=60", "set-cookie": "a=1" } }));
    r.status404 = await attempt(() => stored("s404", { status: 404, headers: { "cache-control": "max-age=60" } }));
    r.status500 = await attempt(() => stored("s500", { status: 500, headers: { "cache-control": "max-age=60" } }));
    r.status302 = await attempt(() => stored("s302", { status: 302, headers: { "cache-control": "max-age=60", location: "/x" } }));
    r.status204 = await attempt(() => stored("s204", { status: 204, headers: { "cache-control": "max-age=60" } }, null));
    r.status201 = await attempt(() => stored("s201", { status: 201, headers: { "cache-control": "max-age=60" } }));
    r.statusText = await attempt(() => stored("stext", { status: 200, statusText: "Fine", headers: { "cache-control": "max-age=60" } }));
    r.hopByHop = await attempt(() => stored("hop", { headers: { "cache-control": "max-age=60", connection: "x-drop", "x-drop": "1", "keep-alive": "5", "x-keep": "1" } }));
    r.multiHeader = await attempt(async () => { const h = new Headers({ "cache-control": "max-age=60" }); h.append("x-m", "a"); h.append("x-m", "b"); return stored("multi", { headers: h }); });
    r.varyAccept = await attempt(async () => {
      const key = u("vary");
      await c.put(new Request(key, { headers: { accept: "text/html" } }), new Response("v", { headers: { "cache-control": "max-age=60", vary: "Accept" } }));
      return [await show(await c.match(new Request(key, { headers: { accept: "text/html" } }))), await show(await c.match(new Request(key, { headers: { accept: "application/json" } }))), await show(await c.match(key))];
    });
    r.requestCacheControl = await attempt(async () => { const key = u("reqcc"); await c.put(new Request(key, { headers: { "cache-control": "no-store" } }), new Response("r", { headers: { "cache-control": "max-age=60" } })); return show(await c.match(key)); });
    r.requestAuthorization = await attempt(async () => { const key = u("auth"); await c.put(new Request(key, { headers: { authorization: "Bearer x" } }), new Response("a", { headers: { "cache-control": "max-age=60" } })); return show(await c.match(key)); });
    r.requestAuthorizationPublic = await attempt(async () => { const key = u("authpub"); await c.put(new Request(key, { headers: { authorization: "Bearer x" } }), new Response("a", { headers: { "cache-control": "public, max-age=60" } })); return show(await c.match(key)); });
    r.contentType = await attempt(() => stored("ctype", { headers: { "cache-control": "max-age=60", "content-type": "application/json" } }, "{}"));
    r.streamBody = await attempt(async () => { const key = u("stream"); const body = new ReadableStream({ start(ctl) { ctl.enqueue(new TextEncoder().encode("str")); ctl.enqueue(new TextEncoder().encode("eam")); ctl.close(); } }); await c.put(key, new Response(body, { headers: { "cache-control": "max-age=60" } })); return show(await c.match(key)); });
    r.bytesBody = await attempt(async () => { const key = u("bytes"); await c.put(key, new Response(new Uint8Array([104, 105]), { headers: { "cache-control": "max-age=60" } })); const m = await c.match(key); return [...new Uint8Array(await m.arrayBuffer())]; });
    r.emptyBody = await attempt(() => stored("empty", { headers: { "cache-control": "max-age=60" } }, ""));
    r.bigBody = await attempt(async () => { const key = u("big"); await c.put(key, new Response("z".repeat(300000), { headers: { "cache-control": "max-age=60" } })); const m = await c.match(key); return [m.headers.get("content-length"), (await m.text()).length]; });
    r.cacheKeyCf = await attempt(async () => { const key = u("cfkey"); await c.put(new Request(key, { cf: { cacheKey: "custom-key" } }), new Response("ck", { headers: { "cache-control": "max-age=60" } })); return [await show(await c.match(key)), await show(await c.match(new Request(u("other"), { cf: { cacheKey: "custom-key" } })))]; });

    // conditional requests and ranges
    const ck = u("cond");
    await c.put(ck, new Response("conditional body", { headers: { "cache-control": "max-age=60", etag: '"v1"', "last-modified": "Wed, 21 Oct 2015 07:28:00 GMT" } }));
    const m = (headers) => attempt(async () => show(await c.match(new Request(ck, { headers }))));
    r.ifNoneMatch = await m({ "if-none-match": '"v1"' });
    r.ifNoneMatchWeak = await m({ "if-none-match": 'W/"v1"' });
    r.ifNoneMatchList = await m({ "if-none-match": '"v0", "v1"' });
    r.ifNoneMatchStar = await m({ "if-none-match": "*" });
    r.ifNoneMatchOther = await m({ "if-none-match": '"v2"' });
    r.ifModifiedSinceLater = await m({ "if-modified-since": "Thu, 22 Oct 2015 07:28:00 GMT" });
    r.ifModifiedSinceSame = await m({ "if-modified-since": "Wed, 21 Oct 2015 07:28:00 GMT" });
    r.ifModifiedSinceEarlier = await m({ "if-modified-since": "Tue, 20 Oct 2015 07:28:00 GMT" });
    r.ifModifiedSinceBad = await m({ "if-modified-since": "yesterday" });
    r.rangeFirst = await m({ range: "bytes=0-3" });
    r.rangeOpen = await m({ range: "bytes=12-" });
    r.rangeSuffix = await m({ range: "bytes=-4" });
    r.rangeBeyond = await m({ range: "bytes=10-100" });
    r.rangeMulti = await attempt(async () => { const res = await c.match(new Request(ck, { headers: { range: "bytes=0-1, 4-5" } })); return { status: res.status, type: res.headers.get("content-type")?.split(";")[0], hasBoundary: /boundary=/.test(res.headers.get("content-type") ?? ""), lines: (await res.text()).split("\r\n").filter((l) => !l.startsWith("--")) }; });
    r.rangeUnsatisfiable = await m({ range: "bytes=100-200" });
    r.rangeBad = await m({ range: "lines=1-2" });
    r.rangeAndIfNoneMatch = await m({ range: "bytes=0-1", "if-none-match": '"v1"' });
    r.weakEtagStored = await attempt(async () => { const key = u("weak"); await c.put(key, new Response("w", { headers: { "cache-control": "max-age=60", etag: 'W/"w1"' } })); return show(await c.match(new Request(key, { headers: { "if-none-match": '"w1"' } }))); });

    // delete
    const dk = u("del");
    await c.put(dk, new Response("d", { headers: { "cache-control": "max-age=60" } }));
    r.deleteHit = await attempt(() => c.delete(dk));
    r.deleteAgain = await attempt(() => c.delete(dk));
    r.deleteThenMatch = await attempt(async () => show(await c.match(dk)));
    r.deletePost = await attempt(async () => { const key = u("delpost"); await c.put(key, new Response("d", { headers: { "cache-control": "max-age=60" } })); return [await c.delete(new Request(key, { method: "POST" })), await c.delete(new Request(key, { method: "POST" }), { ignoreMethod: true })]; });
    r.deleteNotStored = await attempt(async () => { const key = u("delns"); await c.put(key, new Response("d")); return c.delete(key); });

    // namespaces
    r.namespaces = await attempt(async () => {
      const key = u("ns");
      const a = await caches.open("a"), b = await caches.open("b"), a2 = await caches.open("a");
      await a.put(key, new Response("in a", { headers: { "cache-control": "max-age=60" } }));
      return [await show(await a2.match(key)), await show(await b.match(key)), await show(await c.match(key)), a === a2];
    });
    r.openDefault = await attempt(async () => {
      const key = u("nsdef");
      await c.put(key, new Response("in default", { headers: { "cache-control": "max-age=60" } }));
      return show(await (await caches.open("default")).match(key));
    });
    r.expiresSoon = await attempt(async () => { const key = u("soon"); await c.put(key, new Response("s", { headers: { "cache-control": "max-age=1" } })); const first = await show(await c.match(key)); await scheduler.wait(1100); return [first, await show(await c.match(key))]; });
    r.ageHeader = await attempt(async () => { const key = u("age"); await c.put(key, new Response("a", { headers: { "cache-control": "max-age=60", age: "30" } })); const m1 = await c.match(key); return [m1.headers.get("age"), m1.headers.get("cf-cache-status")]; });
    r.ageExceeds = await attempt(() => stored("ageexc", { headers: { "cache-control": "max-age=60", age: "120" } }));
    r.matchedBodyUsed = await attempt(async () => { const res = await c.match(ck); return [res.bodyUsed, res.redirected, res.url, res.type, res.ok]; });
    r.matchHeadersMutable = await attempt(async () => { const res = await c.match(ck); res.headers.set("x-new", "1"); return res.headers.get("x-new"); });
    return Response.json(r);
  },
};
