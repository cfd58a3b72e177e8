// CompressionStream and DecompressionStream (WHATWG Compression): TransformStreams whose
// codec is zlib in the host (Web/Compression). Each chunk crosses once to the host; output
// comes back through one scratch buffer and is copied out per chunk produced.

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
  const drain = (controller, finish) => {
    compressionScratch ??= new Uint8Array(COMPRESSION_OUT);
    for (;;) {
      const n = ops.compressionRead(handle, compressionScratch, finish);
      if (n < 0) throw fail();
      if (n > 0) controller.enqueue(compressionScratch.slice(0, n));
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
      drain(controller, false);
    },
    flush(controller) {
      if (handle === 0) throw new TypeError(`The ${who} is closed.`);
      drain(controller, true);
      release();
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
