// The upload side of the pipeline: accepts a file, stores it in R2, queues a job for the
// processor Worker and answers at once; the client polls the job's status.
//
//   POST /uploads?name=NAME   the file as the body -> 202 {id, status: "queued"}
//   GET  /uploads/ID          the job's status: queued, retrying, done (with the result) or failed
//   GET  /uploads/ID/result   the processor's report, from R2

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const [, root, id, part] = url.pathname.split("/");
    if (root !== "uploads") return new Response("Not found", { status: 404 });
    if (!id && request.method === "POST") return upload(request, env, url.searchParams.get("name") ?? "upload");
    if (id && !part && request.method === "GET") {
      const status = await env.STATUS.get(`job:${id}`, "json");
      return status ? Response.json(status) : Response.json({ error: "no such upload" }, { status: 404 });
    }
    if (id && part === "result" && request.method === "GET") {
      const result = await env.FILES.get(`results/${id}.json`);
      return result ? new Response(result.body, { headers: { "content-type": "application/json" } }) : new Response("Not processed yet", { status: 404 });
    }
    return new Response("Not found", { status: 404 });
  },
};

async function upload(request, env, name) {
  if (!request.body) return Response.json({ error: "send the file as the request body" }, { status: 400 });
  const id = crypto.randomUUID();
  const key = `uploads/${id}`;
  const type = request.headers.get("content-type") ?? "application/octet-stream";
  // The file is durable in R2 before the job that names it is queued...
  const object = await env.FILES.put(key, request.body, { httpMetadata: { contentType: type }, customMetadata: { name } });
  await env.STATUS.put(`job:${id}`, JSON.stringify({ id, name, status: "queued" }));
  // ...and the job is durable in the queue when send() returns: the processor will get it at least once.
  await env.JOBS.send({ id, key, name, type, size: object.size });
  return Response.json({ id, status: "queued", size: object.size }, { status: 202 });
}
