import { route } from "./router.js";
import { listItems, getItem } from "./items.js";
import page from "./page.html";

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    ctx.waitUntil(Promise.resolve().then(() => console.log(`served ${url.pathname}`)));
    return route(request, url, {
      "GET /": () => new Response(page.replace("{{greeting}}", env.GREETING), {
        headers: { "content-type": "text/html;charset=UTF-8" },
      }),
      "GET /api/items": () => Response.json(listItems(url.searchParams, env.FEATURES.maxItems)),
      "GET /api/items/:id": ({ id }) => {
        const item = getItem(id);
        return item ? Response.json(item) : Response.json({ error: `no item ${id}` }, { status: 404 });
      },
      "GET /api/whoami": () => Response.json({
        ip: request.headers.get("cf-connecting-ip"),
        colo: request.cf?.colo,
        country: request.cf?.country,
        secret: env.API_TOKEN ? "set" : "missing",
      }),
      "POST /api/echo": async () => {
        // Count the upload chunk by chunk instead of buffering it.
        let bytes = 0;
        for await (const chunk of request.body ?? []) bytes += chunk.byteLength;
        return Response.json({ bytes, contentType: request.headers.get("content-type") });
      },
      "GET /api/stream": () => {
        const encoder = new TextEncoder();
        let n = 0;
        const body = new ReadableStream({
          pull(controller) {
            if (n === 5) return controller.close();
            controller.enqueue(encoder.encode(`chunk ${n++}\n`));
          },
        });
        return new Response(body, { headers: { "content-type": "text/plain" } });
      },
    });
  },
};
