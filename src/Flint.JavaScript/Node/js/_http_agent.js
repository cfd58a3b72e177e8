// node:_http_agent — node:http's Agent.
export { Agent, globalAgent } from "node:http";
import { Agent, globalAgent } from "node:http";
export default { Agent, globalAgent };
