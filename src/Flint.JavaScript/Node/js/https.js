// node:https — node:http's client over https: (through fetch) and its servers, as workerd has them.
import { Agent as HttpAgent, ClientRequest, Server as HttpServer } from "node:http";

export class Agent extends HttpAgent {
  constructor(options = {}) { super({ defaultPort: 443, protocol: "https:", ...options }); }
}
export const globalAgent = new Agent();
const defaults = { protocol: "https:", port: 443, agent: globalAgent };
export function request(input, options, callback) { return new ClientRequest(input, options, callback, defaults); }
export function get(input, options, callback) {
  const req = new ClientRequest(input, options, callback, defaults);
  req.end();
  return req;
}
export class Server extends HttpServer {}
export function createServer(options, requestListener) { return new Server(options, requestListener); }
export default { Agent, Server, createServer, get, globalAgent, request };
