// KV behaviour probe: run with bench/oracle.sh bench/oracle/kv /run
async function attempt(fn) {
  try {
    const v = await fn();
    if (v instanceof ArrayBuffer) return { ok: [...new Uint8Array(v)] };
    if (v instanceof ReadableStream) return { ok: "stream:" + (await new Response(v).text()) };
    if (v instanceof Map) return { ok: Object.fromEntries(v) };
    return { ok: v === undefined ? "undefined" : v };
  } catch (e) {
    return { err: `${e?.constructor?.name}: ${e?.message}` };
  }
}
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname !== "/run") return new Response("ok");
    const kv = env.KV, r = {};
    const now = Math.floor(Date.now() / 1000);
    r.toString = Object.prototype.toString.call(kv);
    r.putText = await attempt(() => kv.put("a", "one"));
    r.getText = await attempt(() => kv.get("a"));
    r.getJsonBad = await attempt(() => kv.get("a", "json"));
    r.putJson = await attempt(() => kv.put("j", JSON.stringify({ x: [1, "two"] }), { metadata: { m: 1 } }));
    r.getJson = await attempt(() => kv.get("j", { type: "json" }));
    r.getAb = await attempt(() => kv.get("a", "arrayBuffer"));
    r.getStream = await attempt(() => kv.get("a", "stream"));
    r.getBadType = await attempt(() => kv.get("a", "blob"));
    r.getBadTypeMissing = await attempt(() => kv.get("missing", "blob"));
    r.getMissing = await attempt(() => kv.get("missing"));
    r.gwm = await attempt(() => kv.getWithMetadata("j"));
    r.gwmJson = await attempt(() => kv.getWithMetadata("j", "json"));
    r.gwmNoMeta = await attempt(() => kv.getWithMetadata("a"));
    r.gwmMissing = await attempt(() => kv.getWithMetadata("missing"));
    r.emptyKey = await attempt(() => kv.get(""));
    r.dotKey = await attempt(() => kv.put(".", "x"));
    r.dotdotKey = await attempt(() => kv.delete(".."));
    r.longKey = await attempt(() => kv.get("k".repeat(513)));
    r.longKeyUtf8 = await attempt(() => kv.put("é".repeat(257), "x"));
    r.ttlLow = await attempt(() => kv.put("t", "x", { expirationTtl: 30 }));
    r.ttlZero = await attempt(() => kv.put("t", "x", { expirationTtl: 0 }));
    r.ttlFloat = await attempt(() => kv.put("t", "x", { expirationTtl: 90.7 }));
    r.ttlString = await attempt(() => kv.put("t", "x", { expirationTtl: "120" }));
    // Times in these messages are made relative so recorded answers stay comparable.
    const rel = (o) => (o.err ? { err: o.err.replace(String(now - 10), "NOW-10").replace(String(now + 10), "NOW+10") } : o);
    r.expPast = rel(await attempt(() => kv.put("t", "x", { expiration: now - 10 })));
    r.expSoon = rel(await attempt(() => kv.put("t", "x", { expiration: now + 10 })));
    r.expOk = await attempt(() => kv.put("e", "x", { expiration: now + 3600 }));
    r.expGet = await attempt(async () => { const d = (await kv.list({ prefix: "e" })).keys[0].expiration - now; return d >= 3599 && d <= 3601; });
    r.metaBig = await attempt(() => kv.put("m", "x", { metadata: "x".repeat(1100) }));
    r.metaNull = await attempt(() => kv.put("mn", "x", { metadata: null }));
    r.valueObject = await attempt(() => kv.put("o", { a: 1 }));
    r.valueNumber = await attempt(async () => { await kv.put("n", 42); return kv.get("n"); });
    r.valueNull = await attempt(async () => { await kv.put("nul", null); return kv.get("nul"); });
    r.valueBytes = await attempt(async () => { await kv.put("b", new Uint8Array([1, 2, 3])); return kv.get("b", "arrayBuffer"); });
    r.valueView = await attempt(async () => { await kv.put("v", new Uint16Array([258]).subarray(0, 1)); return kv.get("v", "arrayBuffer"); });
    r.valueStream = await attempt(async () => { await kv.put("s", new Response("streamed").body); return kv.get("s"); });
    r.valueEmpty = await attempt(async () => { await kv.put("empty", ""); return kv.get("empty"); });
    r.bom = await attempt(async () => { await kv.put("bom", new Uint8Array([0xef, 0xbb, 0xbf, 0x41])); return (await kv.get("bom")).length; });
    r.cacheTtlLow = await attempt(() => kv.get("a", { cacheTtl: 10 }));
    r.cacheTtlOk = await attempt(() => kv.get("a", { cacheTtl: 60 }));
    for (const k of ["b", "a", "ab", "😀", "\uFF5E", "Z"]) await kv.put("order:" + k, k);
    r.listOrder = await attempt(async () => (await kv.list({ prefix: "order:" })).keys.map((k) => k.name));
    r.listShape = await attempt(() => kv.list({ prefix: "j" }));
    r.listPage = await attempt(() => kv.list({ prefix: "order:", limit: 2 }));
    r.listCursor = await attempt(async () => { const p = await kv.list({ prefix: "order:", limit: 2 }); return kv.list({ prefix: "order:", cursor: p.cursor }); });
    r.listLimit0 = await attempt(async () => (await kv.list({ prefix: "order:", limit: 0 })).keys.length);
    r.listLimitBig = await attempt(() => kv.list({ limit: 1001 }));
    r.listPrefixLong = await attempt(() => kv.list({ prefix: "p".repeat(600) }));
    r.bulk = await attempt(() => kv.get(["a", "j", "missing"]));
    r.bulkJson = await attempt(() => kv.get(["j"], "json"));
    r.bulkJsonBad = await attempt(() => kv.get(["a"], "json"));
    r.bulkMeta = await attempt(() => kv.getWithMetadata(["j", "a", "missing"]));
    r.bulkBadType = await attempt(() => kv.get(["a"], "arrayBuffer"));
    r.bulkTooMany = await attempt(() => kv.get(Array.from({ length: 101 }, (_, i) => "k" + i)));
    r.bulkEmpty = await attempt(() => kv.get([]));
    r.bulkEmptyKey = await attempt(() => kv.get(["a", ""]));
    r.deleteMissing = await attempt(() => kv.delete("never"));
    r.deleted = await attempt(async () => { await kv.delete("a"); return kv.get("a"); });
    r.noArgs = await attempt(() => kv.get());
    r.putOneArg = await attempt(() => kv.put("x"));
    const sync = (fn) => { try { const p = fn(); p?.catch?.(() => {}); return "no sync throw"; } catch (e) { return `sync ${e.constructor.name}: ${e.message}`; } };
    r.noArgsSync = sync(() => kv.get());
    r.putUndefinedSync = sync(() => kv.put("x", undefined));
    r.putBadValueSync = sync(() => kv.put("x", {}));
    r.emptyKeySync = sync(() => kv.get(""));
    r.getNull = await attempt(async () => { await kv.put("null", "N"); return kv.get(null); });
    r.putBadOptions = await attempt(() => kv.put("x", "v", "notobj"));
    r.listBadOptions = await attempt(() => kv.list("x"));
    r.getBadOptions = await attempt(() => kv.get("a", 5));
    r.wrongThis = await attempt(() => kv.get.call({}, "a"));
    // Mistakes that must get KV's errors, not an internal error or an isolate killed for memory.
    r.loneSurrogatePut = await attempt(() => kv.put("a\ud800b", "v"));
    r.loneSurrogateGet = await attempt(() => kv.get("a\ud800b"));
    r.loneSurrogateGwm = await attempt(() => kv.getWithMetadata("\udc00x"));
    r.loneSurrogateDelete = await attempt(() => kv.delete("\ud800"));
    r.loneSurrogateListPrefix = await attempt(async () => (await kv.list({ prefix: "\ud800" })).keys.length);
    r.surrogatePair = await attempt(async () => { await kv.put("\ud83d\ude00", "v"); return kv.get("\ud83d\ude00"); });
    r.ttlHuge = await attempt(() => kv.put("t", "x", { expirationTtl: 1e300 }));
    r.ttlInt32Max = await attempt(() => kv.put("t", "x", { expirationTtl: 2147483647 }));
    r.ttlInt32Over = await attempt(() => kv.put("t", "x", { expirationTtl: 2147483648 }));
    r.ttlInfinity = await attempt(() => kv.put("t", "x", { expirationTtl: Infinity }));
    r.ttlNaN = await attempt(() => kv.put("t", "x", { expirationTtl: "abc" }));
    r.expHuge = await attempt(() => kv.put("t", "x", { expiration: 1e300 }));
    r.expNegative = await attempt(() => kv.put("t", "x", { expiration: -1 }));
    r.listLimitHuge = await attempt(() => kv.list({ limit: 1e300 }));
    r.cacheTtlHuge = await attempt(() => kv.get("a", { cacheTtl: 1e300 }));
    r.metadata10MB = await attempt(() => kv.put("m", "v", { metadata: { a: "x".repeat(10 * 1024 * 1024) } }));
    r.metadataLoneSurrogate = await attempt(async () => { await kv.put("ms", "v", { metadata: { a: "\ud800" } }); return (await kv.getWithMetadata("ms")).metadata.a === "\ud800"; });
    r.value100MB = await attempt(() => kv.put("big", new Uint8Array(100 * 1024 * 1024)));
    r.value26MB = await attempt(() => kv.put("big", new Uint8Array(26 * 1024 * 1024)));
    r.string30MB = await attempt(() => kv.put("big", "x".repeat(30 * 1024 * 1024)));
    r.checkOrderKeyFirst = await attempt(() => kv.put("\ud800", new Uint8Array(26 * 1024 * 1024)));
    r.checkOrderTtlFirst = await attempt(() => kv.put("k", new Uint8Array(26 * 1024 * 1024), { expirationTtl: 10, metadata: { a: "x".repeat(2000) } }));
    r.checkOrderMetadataThenValue = await attempt(() => kv.put("k", new Uint8Array(26 * 1024 * 1024), { metadata: { a: "x".repeat(2000) } }));
    r.keysOfProto = Object.keys(Object.getPrototypeOf(kv));
    r.ctorName = kv.constructor.name;
    return Response.json(r);
  },
};
