// node:_http_outgoing — node:http's OutgoingMessage and header checks.
export { OutgoingMessage, validateHeaderName, validateHeaderValue } from "node:http";
import { OutgoingMessage, validateHeaderName, validateHeaderValue } from "node:http";
export default { OutgoingMessage, validateHeaderName, validateHeaderValue };
