// node:_http_server — node:http's Server and ServerResponse.
export { Server, ServerResponse, STATUS_CODES, _connectionListener } from "node:http";
import { Server, ServerResponse, STATUS_CODES, _connectionListener } from "node:http";
export default { Server, ServerResponse, STATUS_CODES, _connectionListener };
