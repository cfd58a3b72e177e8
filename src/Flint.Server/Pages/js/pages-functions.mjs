// Pages Functions in one Worker (Flint writes the routes module and bundles this with the project's
// esbuild, as wrangler does). A request runs every _middleware whose directory its path is under,
// outermost first, then the first route its path and method match exactly; each handler gets the
// EventContext and calls next() to run the one after it, and after the last, next() asks the
// assets. Route patterns are path-to-regexp's, as on Cloudflare.
import { match } from "./path-to-regexp.mjs";

// `*` stays special (catch-all routes); anything else regular expressions give meaning to is literal.
const SPECIAL = /[.+?^${}()|[\]\\]/g;
const NULL_BODY = new Set([101, 204, 205, 304]);

function matcher(path, end) {
  return match(path.replace(SPECIAL, "\\$&"), { end });
}

function compile(routes) {
  return routes.map((r) => ({
    ...r,
    exact: matcher(r.routePath, true),
    prefix: matcher(r.routePath, false),
    mount: matcher(r.mountPath, false),
  }));
}

/** The handlers a request runs, in order: middleware from the outermost in, then the matching route's modules. */
function* handlersFor(routes, request) {
  const path = new URL(request.url).pathname;
  for (let i = routes.length - 1; i >= 0; i--) {
    const route = routes[i];
    if (route.method && route.method !== request.method) continue;
    const found = route.prefix(path);
    const mounted = route.mount(path);
    if (found && mounted) {
      for (const handler of route.middlewares.flat()) yield { handler, params: found.params, path: mounted.path };
    }
  }
  for (const route of routes) {
    if (route.method && route.method !== request.method) continue;
    const found = route.exact(path);
    const mounted = route.mount(path);
    if (found && mounted && route.modules.length) {
      for (const handler of route.modules.flat()) yield { handler, params: found.params, path: found.path };
      break;
    }
  }
}

/** A Response the next handler may change (a handler's own, or the assets', may have immutable headers). */
function mutable(response) {
  return new Response(NULL_BODY.has(response.status) ? null : response.body, response);
}

export function pagesWorker(routeTable) {
  const routes = compile(routeTable);
  return {
    async fetch(originalRequest, env, ctx) {
      let request = originalRequest;
      const handlers = handlersFor(routes, request);
      let data = {};
      let failOpen = false;
      const next = async (input, init) => {
        if (input !== undefined) {
          request = new Request(typeof input === "string" ? new URL(input, request.url).toString() : input, init);
        }
        const step = handlers.next();
        if (step.done) return mutable(await env.ASSETS.fetch(request));
        const { handler, params, path } = step.value;
        const context = {
          request: new Request(request.clone()),
          functionPath: path,
          next,
          params,
          get data() { return data; },
          set data(value) {
            if (typeof value !== "object" || value === null) throw new Error("context.data must be an object");
            data = value;
          },
          env,
          waitUntil: ctx.waitUntil.bind(ctx),
          passThroughOnException: () => { failOpen = true; },
        };
        const response = await handler(context);
        if (!(response instanceof Response)) throw new Error("Your Pages function should return a Response");
        return mutable(response);
      };
      try {
        return await next();
      } catch (error) {
        if (failOpen) return mutable(await env.ASSETS.fetch(request));
        throw error;
      }
    },
  };
}
