// node:_http_incoming — node:http's IncomingMessage.
export { IncomingMessage } from "node:http";
import { IncomingMessage } from "node:http";
export function readStart() {}
export function readStop() {}
export default { IncomingMessage, readStart, readStop };
