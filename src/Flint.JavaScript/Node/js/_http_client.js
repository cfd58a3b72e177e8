// node:_http_client — node:http's ClientRequest.
export { ClientRequest } from "node:http";
import { ClientRequest } from "node:http";
export default { ClientRequest };
