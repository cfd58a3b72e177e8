// Echoes the request body back as it arrives (the benchmark POSTs 100 MiB; a GET answers "ok").
export default {
  fetch(request) {
    if (request.method !== "POST") return new Response("ok");
    return new Response(request.body, { headers: { "content-type": "application/octet-stream" } });
  },
};
