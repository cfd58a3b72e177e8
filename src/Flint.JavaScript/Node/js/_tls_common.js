// node:_tls_common — SecureContext, as node:tls has it.
export { SecureContext, createSecureContext } from "node:tls";
import { SecureContext, createSecureContext } from "node:tls";
export default { SecureContext, createSecureContext };
