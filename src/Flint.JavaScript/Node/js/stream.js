// node:stream — Node's streams (npm `readable-stream` 4, Node 18's lib/internal/streams), plus the
// Web-stream adapters (Readable.fromWeb/toWeb, Writable.fromWeb/toWeb) Node has.
import rs from "node-internal:vendor/readable-stream";
import { fromWebReadable, toWebReadable, fromWebWritable, toWebWritable } from "node-internal:web_streams_adapters";

const Stream = rs.Stream;
for (const name of ["Readable", "Writable", "Duplex", "Transform", "PassThrough", "pipeline", "finished", "compose",
  "addAbortSignal", "destroy", "isDisturbed", "isErrored", "isReadable", "_isUint8Array", "_uint8ArrayToBuffer"]) {
  if (Stream[name] === undefined) Stream[name] = rs[name];
}
Stream.Stream = Stream;
let defaultHighWaterMark = 16 * 1024, defaultObjectHighWaterMark = 16;
Stream.getDefaultHighWaterMark = (objectMode) => (objectMode ? defaultObjectHighWaterMark : defaultHighWaterMark);
Stream.setDefaultHighWaterMark = (objectMode, value) => { if (objectMode) defaultObjectHighWaterMark = value; else defaultHighWaterMark = value; };
Stream.isWritable = (s) => !!s && typeof s.write === "function" && s.writable !== false && !s.destroyed && !s.writableEnded;
Stream.Readable.fromWeb ??= (readable, options) => fromWebReadable(Stream.Readable, readable, options);
Stream.Readable.toWeb ??= (readable) => toWebReadable(readable);
Stream.Writable.fromWeb ??= (writable, options) => fromWebWritable(Stream.Writable, writable, options);
Stream.Writable.toWeb ??= (writable) => toWebWritable(writable);

export default Stream;
export const {
  Readable, Writable, Duplex, Transform, PassThrough, pipeline, finished, compose, addAbortSignal, destroy,
  isDisturbed, isErrored, isReadable, isWritable, getDefaultHighWaterMark, setDefaultHighWaterMark, _isUint8Array, _uint8ArrayToBuffer,
} = Stream;
export const promises = Stream.promises;
export { Stream };
