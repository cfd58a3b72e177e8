// The front door: verifies the caller's JWT, asks the auth Worker what its subject may do, and
// passes the request on to the Worker that owns the path. Requests cross service bindings as they
// are (method, headers, streamed body); nothing goes over the network.
import { verifyJwt } from "./jwt.js";

const routes = [
  { prefix: "/users/", binding: "USERS", permission: "users:read" },
  { prefix: "/billing/", binding: "BILLING", permission: "billing:read" },
];

function json(body, status = 200) {
  return Response.json(body, { status });
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/login" && request.method === "POST") {
      const { user, password } = await request.json();
      const token = await env.AUTH.login(user, password);
      return token === null ? json({ error: "invalid credentials" }, 401) : json({ token });
    }
    const route = routes.find((r) => url.pathname.startsWith(r.prefix));
    if (route === undefined) return json({ error: "not found" }, 404);

    const header = request.headers.get("authorization") ?? "";
    const claims = header.startsWith("Bearer ") ? await verifyJwt(header.slice(7), env.JWT_SECRET) : null;
    if (claims === null) return json({ error: "missing or invalid token" }, 401);

    // JavaScript RPC: a method call on the auth Worker's entrypoint, answered by value.
    const permissions = await env.AUTH.permissions(claims.sub);
    if (!permissions.includes(route.permission)) return json({ error: `${claims.sub} may not ${route.permission}` }, 403);

    const forwarded = new Request(request, { headers: new Headers(request.headers) });
    forwarded.headers.set("x-user", claims.sub);
    forwarded.headers.delete("authorization");
    return env[route.binding].fetch(forwarded);
  },
};
