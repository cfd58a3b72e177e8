// TextEncoderStream and TextDecoderStream (WHATWG Encoding): TransformStreams whose
// transforms reuse the encoder and the streaming decoder of 15_encoding.js.

const DECODE_STREAM = Object.freeze({ stream: true });
const UTF8_REPLACEMENT = new Uint8Array([0xef, 0xbf, 0xbd]);

/** Builds a TransformStream record over internal transform/flush methods. */
function createTransformStream(transformer) {
  const ts = new TransformStreamRec(undefined);
  const startPromise = resolvedPromise;
  initializeTransformStream(ts, startPromise, 1, countSize, 0, countSize);
  setUpTransformController(ts, transformer, transformer.transform, transformer.flush, undefined);
  // workerd's encoding streams transform the first chunk without waiting for a read.
  transformSetBackpressure(ts, false);
  return ts;
}

class TextEncoderStream {
  constructor() {
    const st = { pendingHighSurrogate: null, ts: undefined };
    st.ts = createTransformStream({
      transform(chunk, controller) {
        let s = String(chunk);
        if (st.pendingHighSurrogate !== null) {
          s = st.pendingHighSurrogate + s;
          st.pendingHighSurrogate = null;
        }
        const last = s.length > 0 ? s.charCodeAt(s.length - 1) : 0;
        // A high surrogate at the end may pair with the next chunk's first code unit.
        if (last >= 0xd800 && last <= 0xdbff) {
          st.pendingHighSurrogate = s[s.length - 1];
          s = s.slice(0, -1);
        }
        if (s.length > 0) transformControllerEnqueue(controller[kState], utf8Encode(s));
      },
      flush(controller) {
        if (st.pendingHighSurrogate !== null) transformControllerEnqueue(controller[kState], UTF8_REPLACEMENT.slice());
      },
    });
    this[kState] = st;
  }
  get encoding() { encoderStreamState(this); return "utf-8"; }
  get readable() { return encoderStreamState(this).ts.readable.obj; }
  get writable() { return encoderStreamState(this).ts.writable.obj; }
}
webidlInterface(TextEncoderStream);

function encoderStreamState(o) {
  const st = o instanceof TextEncoderStream ? o[kState] : undefined;
  if (st === undefined) throw illegalInvocation();
  return st;
}

class TextDecoderStream {
  constructor(label = undefined, options = undefined) {
    const decoder = new TextDecoder(label, options);
    const st = { decoder, ts: undefined };
    st.ts = createTransformStream({
      transform(chunk, controller) {
        if (!isBufferSource(chunk)) {
          throw new TypeError("This TransformStream is being used as a byte stream, but received a value that is not a BufferSource.");
        }
        const text = decoder.decode(chunk, DECODE_STREAM);
        if (text.length > 0) transformControllerEnqueue(controller[kState], text);
      },
      flush(controller) {
        const text = decoder.decode();
        if (text.length > 0) transformControllerEnqueue(controller[kState], text);
      },
    });
    this[kState] = st;
  }
  get encoding() { return decoderStreamState(this).decoder.encoding; }
  get fatal() { return decoderStreamState(this).decoder.fatal; }
  get ignoreBOM() { return decoderStreamState(this).decoder.ignoreBOM; }
  get readable() { return decoderStreamState(this).ts.readable.obj; }
  get writable() { return decoderStreamState(this).ts.writable.obj; }
}
webidlInterface(TextDecoderStream);

function decoderStreamState(o) {
  const st = o instanceof TextDecoderStream ? o[kState] : undefined;
  if (st === undefined) throw illegalInvocation();
  return st;
}

defineGlobal("TextEncoderStream", TextEncoderStream);
defineGlobal("TextDecoderStream", TextDecoderStream);
