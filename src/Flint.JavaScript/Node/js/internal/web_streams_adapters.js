// Node's adapters between its streams and Web streams (Readable.fromWeb/toWeb, Writable.fromWeb/toWeb).
import { Buffer } from "node:buffer";

export function fromWebReadable(Readable, readableStream, options = {}) {
  const reader = readableStream.getReader();
  return new Readable({
    objectMode: options.objectMode, highWaterMark: options.highWaterMark, encoding: options.encoding, signal: options.signal,
    read() {
      reader.read().then(({ value, done }) => {
        if (done) this.push(null);
        else this.push(options.objectMode || typeof value === "string" ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength));
      }, (e) => this.destroy(e));
    },
    destroy(error, callback) {
      reader.cancel(error ?? undefined).then(() => callback(error), () => callback(error));
    },
  });
}

export function toWebReadable(readable) {
  return new ReadableStream({
    start(controller) {
      readable.on("data", (chunk) => {
        controller.enqueue(typeof chunk === "string" ? new TextEncoder().encode(chunk) : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if (controller.desiredSize <= 0) readable.pause();
      });
      readable.on("end", () => controller.close());
      readable.on("error", (e) => controller.error(e));
      readable.pause();
    },
    pull() { readable.resume(); },
    cancel(reason) { readable.destroy(reason); },
  });
}

export function fromWebWritable(Writable, writableStream, options = {}) {
  const writer = writableStream.getWriter();
  return new Writable({
    objectMode: options.objectMode, highWaterMark: options.highWaterMark, decodeStrings: options.decodeStrings, signal: options.signal,
    write(chunk, encoding, callback) {
      writer.ready.then(() => writer.write(chunk)).then(() => callback(), callback);
    },
    final(callback) { writer.close().then(() => callback(), callback); },
    destroy(error, callback) { writer.abort(error).then(() => callback(error), () => callback(error)); },
  });
}

export function toWebWritable(writable) {
  return new WritableStream({
    write(chunk) {
      return new Promise((resolve, reject) => {
        const ok = writable.write(chunk, (e) => { if (e) reject(e); });
        if (ok) resolve(); else writable.once("drain", resolve);
      });
    },
    close() { return new Promise((resolve) => writable.end(resolve)); },
    abort(reason) { writable.destroy(reason); },
  });
}
