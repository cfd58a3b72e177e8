// node:string_decoder — Node's StringDecoder (npm `string_decoder`).
import m from "node-internal:vendor/string_decoder";

export const { StringDecoder } = m;
export default m;
