import Stream from "node:stream";
export default Stream.Readable;
