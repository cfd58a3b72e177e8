// A Worker behind its assets: it answers what the assets do not, and reads assets through env.ASSETS.
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname.startsWith("/via-binding/")) {
      const target = new URL(url.pathname.slice("/via-binding".length) + url.search, url);
      const init = { method: request.method, headers: request.headers, redirect: "manual" };
      return env.ASSETS.fetch(new Request(target, init));
    }
    if (url.pathname === "/binding-string") {
      const r = await env.ASSETS.fetch(new URL("/about", url).href);
      return new Response(`${r.status} ${r.headers.get("content-type")} ${(await r.text()).trim()}`);
    }
    if (url.pathname === "/binding-follows") {
      // A redirect the assets answer is followed unless the request says manual.
      const r = await env.ASSETS.fetch(new Request(new URL("/about.html", url), { redirect: "manual" }));
      return new Response(`${r.status} ${r.headers.get("location")}`);
    }
    if (url.pathname === "/binding-rewrite") {
      const r = await env.ASSETS.fetch(new URL("/data.json", url));
      const copy = new Response(r.body, r);
      copy.headers.set("x-rewritten", "1");
      return copy;
    }
    if (url.pathname === "/binding-shape") {
      return Response.json({
        tag: Object.prototype.toString.call(env.ASSETS),
        fetch: typeof env.ASSETS.fetch,
        keys: Object.keys(env.ASSETS),
      });
    }
    return new Response(`worker: ${request.method} ${url.pathname}`, { headers: { "x-from": "worker" } });
  },
};
