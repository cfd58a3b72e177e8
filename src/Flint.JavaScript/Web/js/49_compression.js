// CompressionStream and DecompressionStream (WHATWG Compression): TransformStreams whose
// codec is zlib in the host (Web/Compression). Each chunk crosses once to the host; output
// comes back through one scratch buffer and is copied out per 64 KiB produced.

const COMPRESSION_FORMATS = new Map([["gzip", 0], ["deflate", 1], ["deflate-raw", 2]]);
const COMPRESSION_OUT = 65536;
let compressionScratch = null;

function compressionTransformer(format, compress, who) {
  const code = COMPRESSION_FORMATS.get(toDOMString(format));
  if (code === undefined) throw new TypeError("The compression format must be either 'deflate', 'deflate-raw' or 'gzip'.");
  let handle = ops.compressionCreate(code, compress);
  if (handle < 0) throw new TypeError(ops.compressionError());
  const release = () => {
    if (handle > 0) ops.compressionRelease(handle);
    handle = 0;
  };
  const fail = () => {
    const e = new TypeError(ops.compressionError());
    release();
    return e;
  };
  // Output is taken 64 KiB at a time, and each piece after the first waits until the reader
  // has asked for more: a small compressed chunk may inflate a thousandfold, and queueing all
  // of it at once would let a decompression bomb take the isolate's memory. A piece is read
  // before waiting, so the transform ends as soon as the codec has nothing more to give.
  const drain = async (controller, finish) => {
    const ts = controller[kState].stream;
    compressionScratch ??= new Uint8Array(COMPRESSION_OUT);
    for (let first = true; ; first = false) {
      const n = ops.compressionRead(handle, compressionScratch, finish);
      if (n < 0) throw fail();
      if (n > 0) {
        const piece = compressionScratch.slice(0, n);
        if (!first) {
          while (ts.backpressure && ts.readable.state === "readable") await ts.backpressureChange.promise;
          if (handle === 0 || ts.readable.state !== "readable") return; // cancelled or errored meanwhile
        }
        controller.enqueue(piece);
      }
      if (n < COMPRESSION_OUT) return;
    }
  };
  return {
    transform(chunk, controller) {
      let bytes;
      if (typeof chunk === "string") bytes = utf8Encode(chunk);
      else if (isBufferSource(chunk)) bytes = bytesView(chunk);
      else {
        release();
        throw new TypeError("This TransformStream is being used as a byte stream, but received an object of non-ArrayBuffer/ArrayBufferView type on its writable side.");
      }
      if (handle === 0) throw new TypeError(`The ${who} is closed.`);
      if (bytes.byteLength === 0) return;
      if (ops.compressionPush(handle, bytes) < 0) throw fail();
      return drain(controller, false);
    },
    flush(controller) {
      if (handle === 0) throw new TypeError(`The ${who} is closed.`);
      return drain(controller, true).finally(release);
    },
    cancel() { release(); },
  };
}

class CompressionStream extends TransformStream {
  constructor(format) {
    if (arguments.length < 1) throw new TypeError("Failed to construct 'CompressionStream': constructor parameter 1 is not of type 'string'.");
    super(compressionTransformer(format, true, "CompressionStream"));
  }
}
Object.defineProperty(CompressionStream.prototype, Symbol.toStringTag, { value: "CompressionStream", configurable: true });

class DecompressionStream extends TransformStream {
  constructor(format) {
    if (arguments.length < 1) throw new TypeError("Failed to construct 'DecompressionStream': constructor parameter 1 is not of type 'string'.");
    super(compressionTransformer(format, false, "DecompressionStream"));
  }
}
Object.defineProperty(DecompressionStream.prototype, Symbol.toStringTag, { value: "DecompressionStream", configurable: true });

defineGlobal("CompressionStream", CompressionStream);
defineGlobal("DecompressionStream", DecompressionStream);
