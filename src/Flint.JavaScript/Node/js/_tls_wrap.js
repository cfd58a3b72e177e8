// node:_tls_wrap — TLSSocket and connect, as node:tls has them.
export { TLSSocket, connect, Server, createServer } from "node:tls";
import { TLSSocket, connect, Server, createServer } from "node:tls";
export default { TLSSocket, connect, Server, createServer };
