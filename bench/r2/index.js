// bench/r2-transfer.sh: a large object through the binding both ways, and a listing page.
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/list") {
      const options = { limit: 1000 };
      for (const name of ["prefix", "cursor", "startAfter"]) if (url.searchParams.has(name)) options[name] = url.searchParams.get(name);
      const page = await env.MILLION.list(options);
      return Response.json({ n: page.objects.length, first: page.objects[0]?.key, last: page.objects.at(-1)?.key, truncated: page.truncated });
    }
    const key = url.pathname.slice(1);
    if (key === "") return new Response("ok");
    if (request.method === "PUT") return new Response((await env.BUCKET.put(key, request.body)).etag);
    const object = await env.BUCKET.get(key);
    return object === null ? new Response("missing", { status: 404 }) : new Response(object.body);
  },
};
