// node:_http_common — the parts of node:http its other modules share.
import { METHODS, validateHeaderName, validateHeaderValue } from "node:http";
export const methods = METHODS;
export const HTTPParser = undefined;
const TOKEN = /^[\^_`a-zA-Z\-0-9!#$%&'*+.|~]+$/;
export function _checkIsHttpToken(value) { return TOKEN.test(value); }
export function _checkInvalidHeaderChar(value) { return /[^\t\x20-\x7e\x80-\xff]/.test(value); }
export const chunkExpression = /(?:^|\W)chunked(?:$|\W)/i;
export const continueExpression = /(?:^|\W)100-continue(?:$|\W)/i;
export { validateHeaderName, validateHeaderValue };
export default { methods, HTTPParser, _checkIsHttpToken, _checkInvalidHeaderChar, chunkExpression, continueExpression };
