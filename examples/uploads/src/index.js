// Uploads: a multipart/form-data upload is stored in R2 and served back with its content type
// and ETag; a client that already has it gets 304 Not Modified, and Range requests get 206.
//
//   GET  /                 an upload form
//   POST /upload           multipart/form-data with a "file" field -> 201 {key, url, size, etag}
//   GET  /files            the stored files (JSON)
//   GET  /files/KEY        the file (If-None-Match / If-Modified-Since -> 304, Range -> 206)
//   DELETE /files/KEY

const FORM = `<!doctype html>
<title>Upload</title>
<form method="post" action="/upload" enctype="multipart/form-data">
  <input type="file" name="file" required> <button>Upload</button>
</form>`;

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/" && request.method === "GET") {
      return new Response(FORM, { headers: { "content-type": "text/html;charset=utf-8" } });
    }
    if (url.pathname === "/upload" && request.method === "POST") return upload(request, env);
    if (url.pathname === "/files" && request.method === "GET") return list(env);
    if (url.pathname.startsWith("/files/")) {
      const key = decodeURIComponent(url.pathname.slice("/files/".length));
      if (request.method === "GET" || request.method === "HEAD") return serve(request, env, key);
      if (request.method === "DELETE") {
        await env.UPLOADS.delete(key);
        return new Response(null, { status: 204 });
      }
    }
    return new Response("Not found", { status: 404 });
  },
};

async function upload(request, env) {
  let form;
  try {
    form = await request.formData();
  } catch (e) {
    return Response.json({ error: `expected multipart/form-data: ${e.message}` }, { status: 400 });
  }
  const file = form.get("file");
  if (!(file instanceof File)) return Response.json({ error: 'send the file in a field named "file"' }, { status: 400 });
  const name = file.name.replace(/[\\/]/g, "_") || "upload";
  const key = `${crypto.randomUUID()}/${name}`;
  const object = await env.UPLOADS.put(key, file.stream(), {
    httpMetadata: {
      contentType: file.type || "application/octet-stream",
      contentDisposition: `inline; filename="${name.replace(/"/g, "")}"`,
    },
    customMetadata: { originalName: file.name },
  });
  return Response.json(
    { key, url: `/files/${encodeURIComponent(key)}`, size: object.size, etag: object.etag },
    { status: 201, headers: { etag: object.httpEtag } },
  );
}

async function list(env) {
  const listed = await env.UPLOADS.list({ include: ["httpMetadata", "customMetadata"] });
  return Response.json(listed.objects.map((o) => ({
    key: o.key, size: o.size, etag: o.etag, uploaded: o.uploaded, type: o.httpMetadata.contentType, name: o.customMetadata.originalName,
  })));
}

async function serve(request, env, key) {
  // The request's own If-None-Match / If-Modified-Since / If-Match and Range headers go to R2 as they are.
  const object = await env.UPLOADS.get(key, { onlyIf: request.headers, range: request.headers });
  if (object === null) return new Response("Not found", { status: 404 });
  const headers = new Headers();
  object.writeHttpMetadata(headers);
  headers.set("etag", object.httpEtag);
  headers.set("last-modified", object.uploaded.toUTCString());
  headers.set("accept-ranges", "bytes");
  if (!("body" in object)) {
    // A condition did not hold: R2 gave the object without its body.
    const conditional = request.headers.has("if-none-match") || request.headers.has("if-modified-since");
    return new Response(null, { status: conditional ? 304 : 412, headers });
  }
  const { offset, length } = object.range;
  const partial = length < object.size;
  if (partial) headers.set("content-range", `bytes ${offset}-${offset + length - 1}/${object.size}`);
  let body = object.body;
  if (request.method === "HEAD") {
    await body.cancel(); // let the stored body go at once rather than when the object is collected
    body = null;
    headers.set("content-length", String(length));
  }
  return new Response(body, { status: partial ? 206 : 200, headers });
}
