// cloudflare:node — runs Worker Requests through node:http servers, as workerd's does:
// httpServerHandler({ port } | server) is a fetch handler; handleAsNodeRequest(port, request) a Response.
import bridge from "node-internal:bridge";
import { IncomingMessage, ServerResponse, Server } from "node:http";
import { listening } from "node-internal:http_registry";

const { notImplemented, invalidArgType } = bridge;

export function handleAsNodeRequest(port, request) {
  if (!(request instanceof Request)) throw invalidArgType("request", "an instance of Request", request);
  const server = listening.get(Number(port));
  if (server === undefined) return Promise.reject(new Error(`Failed to handle request: no server is listening on port ${port}`));
  return new Promise((resolve, reject) => {
    const url = new URL(request.url);
    const socket = { remoteAddress: request.headers.get("cf-connecting-ip") ?? "127.0.0.1", remotePort: 0, encrypted: url.protocol === "https:", setTimeout() {}, destroy() {} };
    const req = new IncomingMessage(socket)._fromFetch(request);
    req.method = request.method;
    req.url = url.pathname + url.search;
    if (req.headers.host === undefined) { req.headers.host = url.host; req.rawHeaders.push("host", url.host); }
    const res = new ServerResponse(req, (response, error) => (error ? reject(error) : resolve(response)));
    res.socket = socket;
    try {
      if (!server.emit("request", req, res)) { res.statusCode = 404; res.end(); }
    } catch (e) {
      reject(e);
    }
  });
}

export function httpServerHandler(target) {
  let port;
  if (target instanceof Server) {
    port = () => target.address()?.port;
  } else if (target !== null && typeof target === "object" && target.port !== undefined) {
    port = () => target.port;
  } else {
    throw invalidArgType("options", "an instance of Server or an object with a port", target);
  }
  return { fetch: (request) => handleAsNodeRequest(port(), request) };
}

export function handleAsNodeConnection() { throw notImplemented("handleAsNodeConnection"); }
export function connectHandler() { throw notImplemented("connectHandler"); }


