// A tiny router: "METHOD /path/:param" keys, first match wins.
export function route(request, url, routes) {
  for (const [key, handler] of Object.entries(routes)) {
    const [method, pattern] = key.split(" ");
    if (method !== request.method) continue;
    const params = match(pattern, url.pathname);
    if (params) return handler(params);
  }
  return new Response("Not Found", { status: 404 });
}

function match(pattern, path) {
  const want = pattern.split("/");
  const got = path.split("/");
  if (want.length !== got.length) return null;
  const params = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(":")) params[want[i].slice(1)] = decodeURIComponent(got[i]);
    else if (want[i] !== got[i]) return null;
  }
  return params;
}
