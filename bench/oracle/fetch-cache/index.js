// The Request `cache` option and how fetch() sends it: run with bench/oracle.sh bench/oracle/fetch-cache /run
// (wrangler.toml: compatibility_date 2025-11-01; CONFIG=wrangler.reload.toml etc. switch the date and flags).
async function attempt(fn) {
  try {
    return { ok: await fn() };
  } catch (e) {
    return { err: `${e?.constructor?.name}: ${String(e?.message).split("\n")[0]}` };
  }
}
const U = "https://cache-option.example/x";
const shown = (v) => (v === undefined ? "<undefined>" : v);
const VALUES = { undefined: undefined, noStore: "no-store", noCache: "no-cache", reload: "reload", default: "default",
  forceCache: "force-cache", onlyIfCached: "only-if-cached", upper: "NO-STORE", null: null, empty: "", zero: 0, object: {} };
let hits = 0;

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/origin") {
      // What reaches the origin: the cache headers fetch() adds for a cache mode.
      hits++;
      return Response.json({ cacheControl: request.headers.get("cache-control"), pragma: request.headers.get("pragma") });
    }
    if (url.pathname === "/hits") return new Response(String(hits));
    if (url.pathname === "/subrequest-cache") {
      // Does the local runtime cache a subrequest that asks for it? Cloudflare does, wrangler dev
      // does not: a difference Flint keeps on purpose (see the README), so not part of /run.
      const before = hits;
      const statuses = [];
      for (let i = 0; i < 2; i++) {
        const res = await fetch(new URL("/origin?cached", url), { cf: { cacheEverything: true, cacheTtl: 60 } });
        await res.text();
        statuses.push(res.headers.get("cf-cache-status"));
      }
      return Response.json({ originHits: hits - before, cfCacheStatus: statuses });
    }
    if (url.pathname !== "/run") return new Response("ok");
    const origin = new URL("/origin", url).href;
    const r = {};
    for (const [name, value] of Object.entries(VALUES)) {
      r[`cache_${name}`] = await attempt(() => shown(new Request(U, { cache: value }).cache));
    }
    r.protoHas = "cache" in Request.prototype;
    r.protoGetter = typeof Object.getOwnPropertyDescriptor(Request.prototype, "cache")?.get;
    r.plain = await attempt(() => shown(new Request(U).cache));
    r.copied = await attempt(() => shown(new Request(new Request(U, { cache: "no-store" })).cache));
    r.copiedEmptyInit = await attempt(() => shown(new Request(new Request(U, { cache: "no-store" }), {}).cache));
    r.overridden = await attempt(() => shown(new Request(new Request(U, { cache: "no-store" }), { cache: "no-cache" }).cache));
    r.cloned = await attempt(() => shown(new Request(U, { cache: "no-store" }).clone().cache));
    r.requestAsInit = await attempt(() => shown(new Request(U, new Request(U, { cache: "no-store" })).cache));
    const sent = async (init) => {
      const res = await fetch(origin, init);
      return { status: res.status, ...(await res.json()) };
    };
    r.fetchDefault = await attempt(() => sent({}));
    r.fetchNoStore = await attempt(() => sent({ cache: "no-store" }));
    r.fetchNoCache = await attempt(() => sent({ cache: "no-cache" }));
    r.fetchReload = await attempt(() => sent({ cache: "reload" }));
    r.fetchDefaultMode = await attempt(() => sent({ cache: "default" }));
    r.fetchNoStoreOwnHeaders = await attempt(() => sent({ cache: "no-store", headers: { "cache-control": "max-age=5", pragma: "x" } }));
    r.fetchRequestNoStore = await attempt(async () => {
      const res = await fetch(new Request(origin, { cache: "no-store" }));
      return { status: res.status, ...(await res.json()) };
    });
    r.fetchNoStoreTtl = await attempt(() => sent({ cache: "no-store", cf: { cacheTtl: 5 } }));
    r.fetchNoStoreTtlMinus1 = await attempt(() => sent({ cache: "no-store", cf: { cacheTtl: -1 } }));
    r.fetchNoStoreTtl0 = await attempt(() => sent({ cache: "no-store", cf: { cacheTtl: 0 } }));
    r.fetchNoCacheTtl = await attempt(() => sent({ cache: "no-cache", cf: { cacheTtl: 5 } }));
    r.requestNoStoreTtl = await attempt(() => shown(new Request(U, { cache: "no-store", cf: { cacheTtl: 5 } }).cache));
    r.cacheControlAndTtl = await attempt(() => shown(new Request(U, { cf: { cacheControl: "max-age=5", cacheTtl: 5 } }).cache));
    r.cacheControlAndCache = await attempt(() => shown(new Request(U, { cache: "no-store", cf: { cacheControl: "max-age=5" } }).cache));
    r.cacheControlAlone = await attempt(() => shown(new Request(U, { cf: { cacheControl: "max-age=5" } }).cache));
    r.cfAfterNoStore = await attempt(() => JSON.stringify(new Request(U, { cache: "no-store" }).cf ?? null));
    return Response.json(r);
  },
};
