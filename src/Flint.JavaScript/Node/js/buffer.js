// node:buffer — Buffer from the npm `buffer` package (in the built-ins, 84_vendor_buffer.js) with
// Node's additions (85_node.js).
import bridge from "node-internal:bridge";

const m = bridge.buffer();
export const {
  Buffer, SlowBuffer, INSPECT_MAX_BYTES, kMaxLength, kStringMaxLength, constants, Blob, File,
  atob, btoa, isUtf8, isAscii, transcode, resolveObjectURL,
} = m;
export default m;
