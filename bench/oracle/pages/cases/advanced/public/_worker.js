export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname.startsWith("/api/")) return Response.json({ worker: "advanced", path: url.pathname, pages: env.CF_PAGES });
    const response = await env.ASSETS.fetch(request);
    return new Response(response.body, response);
  },
};
