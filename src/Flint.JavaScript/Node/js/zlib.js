// node:zlib — deflate/inflate/gzip/gunzip/raw/unzip, brotli and zstd in the host (Node/NodeZlib.cs:
// the zlib and brotli .NET ships, zstd from ZstdSharp), streaming: each chunk crosses once each
// way. Stream classes are Node's Transform streams; the sync, callback and promise-able forms
// and crc32 are there. Errors are worded as workerd words them.
import bridge from "node-internal:bridge";
import { Transform } from "node:stream";
import { Buffer } from "node:buffer";

const { ops, nodeError, invalidArgType } = bridge;

const ZLIB = {
  Z_NO_FLUSH: 0, Z_PARTIAL_FLUSH: 1, Z_SYNC_FLUSH: 2, Z_FULL_FLUSH: 3, Z_FINISH: 4, Z_BLOCK: 5, Z_OK: 0, Z_STREAM_END: 1, Z_NEED_DICT: 2,
  Z_ERRNO: -1, Z_STREAM_ERROR: -2, Z_DATA_ERROR: -3, Z_MEM_ERROR: -4, Z_BUF_ERROR: -5, Z_VERSION_ERROR: -6, Z_NO_COMPRESSION: 0,
  Z_BEST_SPEED: 1, Z_BEST_COMPRESSION: 9, Z_DEFAULT_COMPRESSION: -1, Z_FILTERED: 1, Z_HUFFMAN_ONLY: 2, Z_RLE: 3, Z_FIXED: 4,
  Z_DEFAULT_STRATEGY: 0, ZLIB_VERNUM: 4880, DEFLATE: 1, INFLATE: 2, GZIP: 3, GUNZIP: 4, DEFLATERAW: 5, INFLATERAW: 6, UNZIP: 7,
  BROTLI_DECODE: 8, BROTLI_ENCODE: 9, ZSTD_COMPRESS: 10, ZSTD_DECOMPRESS: 11, Z_MIN_WINDOWBITS: 8, Z_MAX_WINDOWBITS: 15,
  Z_DEFAULT_WINDOWBITS: 15, Z_MIN_CHUNK: 64, Z_MAX_CHUNK: Infinity, Z_DEFAULT_CHUNK: 16384, Z_MIN_MEMLEVEL: 1, Z_MAX_MEMLEVEL: 9,
  Z_DEFAULT_MEMLEVEL: 8, Z_MIN_LEVEL: -1, Z_MAX_LEVEL: 9, Z_DEFAULT_LEVEL: -1,
};
const BROTLI = {
  BROTLI_OPERATION_PROCESS: 0, BROTLI_OPERATION_FLUSH: 1, BROTLI_OPERATION_FINISH: 2, BROTLI_OPERATION_EMIT_METADATA: 3,
  BROTLI_PARAM_MODE: 0, BROTLI_MODE_GENERIC: 0, BROTLI_MODE_TEXT: 1, BROTLI_MODE_FONT: 2, BROTLI_DEFAULT_MODE: 0,
  BROTLI_PARAM_QUALITY: 1, BROTLI_MIN_QUALITY: 0, BROTLI_MAX_QUALITY: 11, BROTLI_DEFAULT_QUALITY: 11, BROTLI_PARAM_LGWIN: 2,
  BROTLI_MIN_WINDOW_BITS: 10, BROTLI_MAX_WINDOW_BITS: 24, BROTLI_LARGE_MAX_WINDOW_BITS: 30, BROTLI_DEFAULT_WINDOW: 22,
  BROTLI_PARAM_LGBLOCK: 3, BROTLI_MIN_INPUT_BLOCK_BITS: 16, BROTLI_MAX_INPUT_BLOCK_BITS: 24, BROTLI_PARAM_DISABLE_LITERAL_CONTEXT_MODELING: 4,
  BROTLI_PARAM_SIZE_HINT: 5, BROTLI_PARAM_LARGE_WINDOW: 6, BROTLI_PARAM_NPOSTFIX: 7, BROTLI_PARAM_NDIRECT: 8,
  BROTLI_DECODER_RESULT_ERROR: 0, BROTLI_DECODER_RESULT_SUCCESS: 1, BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT: 2,
  BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT: 3, BROTLI_DECODER_PARAM_DISABLE_RING_BUFFER_REALLOCATION: 0, BROTLI_DECODER_PARAM_LARGE_WINDOW: 1,
  BROTLI_DECODER_NO_ERROR: 0, BROTLI_DECODER_SUCCESS: 1, BROTLI_DECODER_NEEDS_MORE_INPUT: 2, BROTLI_DECODER_NEEDS_MORE_OUTPUT: 3,
  BROTLI_DECODER_ERROR_FORMAT_EXUBERANT_NIBBLE: -1, BROTLI_DECODER_ERROR_FORMAT_RESERVED: -2, BROTLI_DECODER_ERROR_FORMAT_EXUBERANT_META_NIBBLE: -3,
  BROTLI_DECODER_ERROR_FORMAT_SIMPLE_HUFFMAN_ALPHABET: -4, BROTLI_DECODER_ERROR_FORMAT_SIMPLE_HUFFMAN_SAME: -5, BROTLI_DECODER_ERROR_FORMAT_CL_SPACE: -6,
  BROTLI_DECODER_ERROR_FORMAT_HUFFMAN_SPACE: -7, BROTLI_DECODER_ERROR_FORMAT_CONTEXT_MAP_REPEAT: -8, BROTLI_DECODER_ERROR_FORMAT_BLOCK_LENGTH_1: -9,
  BROTLI_DECODER_ERROR_FORMAT_BLOCK_LENGTH_2: -10, BROTLI_DECODER_ERROR_FORMAT_TRANSFORM: -11, BROTLI_DECODER_ERROR_FORMAT_DICTIONARY: -12,
  BROTLI_DECODER_ERROR_FORMAT_WINDOW_BITS: -13, BROTLI_DECODER_ERROR_FORMAT_PADDING_1: -14, BROTLI_DECODER_ERROR_FORMAT_PADDING_2: -15,
  BROTLI_DECODER_ERROR_FORMAT_DISTANCE: -16, BROTLI_DECODER_ERROR_DICTIONARY_NOT_SET: -19, BROTLI_DECODER_ERROR_INVALID_ARGUMENTS: -20,
  BROTLI_DECODER_ERROR_ALLOC_CONTEXT_MODES: -21, BROTLI_DECODER_ERROR_ALLOC_TREE_GROUPS: -22, BROTLI_DECODER_ERROR_ALLOC_CONTEXT_MAP: -25,
  BROTLI_DECODER_ERROR_ALLOC_RING_BUFFER_1: -26, BROTLI_DECODER_ERROR_ALLOC_RING_BUFFER_2: -27, BROTLI_DECODER_ERROR_ALLOC_BLOCK_TYPE_TREES: -30,
  BROTLI_DECODER_ERROR_UNREACHABLE: -31,
};
const ZSTD = {
  ZSTD_e_continue: 0, ZSTD_e_flush: 1, ZSTD_e_end: 2, ZSTD_fast: 1, ZSTD_dfast: 2, ZSTD_greedy: 3, ZSTD_lazy: 4, ZSTD_lazy2: 5,
  ZSTD_btlazy2: 6, ZSTD_btopt: 7, ZSTD_btultra: 8, ZSTD_btultra2: 9, ZSTD_c_compressionLevel: 100, ZSTD_c_windowLog: 101,
  ZSTD_c_hashLog: 102, ZSTD_c_chainLog: 103, ZSTD_c_searchLog: 104, ZSTD_c_minMatch: 105, ZSTD_c_targetLength: 106, ZSTD_c_strategy: 107,
  ZSTD_c_enableLongDistanceMatching: 160, ZSTD_c_ldmHashLog: 161, ZSTD_c_ldmMinMatch: 162, ZSTD_c_ldmBucketSizeLog: 163,
  ZSTD_c_ldmHashRateLog: 164, ZSTD_c_contentSizeFlag: 200, ZSTD_c_checksumFlag: 201, ZSTD_c_dictIDFlag: 202, ZSTD_c_nbWorkers: 400,
  ZSTD_c_jobSize: 401, ZSTD_c_overlapLog: 402, ZSTD_d_windowLogMax: 100, ZSTD_CLEVEL_DEFAULT: 3, ZSTD_error_no_error: 0,
  ZSTD_error_GENERIC: 1, ZSTD_error_prefix_unknown: 10, ZSTD_error_version_unsupported: 12, ZSTD_error_frameParameter_unsupported: 14,
  ZSTD_error_frameParameter_windowTooLarge: 16, ZSTD_error_corruption_detected: 20, ZSTD_error_checksum_wrong: 22,
  ZSTD_error_literals_headerWrong: 24, ZSTD_error_dictionary_corrupted: 30, ZSTD_error_dictionary_wrong: 32,
  ZSTD_error_dictionaryCreation_failed: 34, ZSTD_error_parameter_unsupported: 40, ZSTD_error_parameter_combination_unsupported: 41,
  ZSTD_error_parameter_outOfBound: 42, ZSTD_error_tableLog_tooLarge: 44, ZSTD_error_maxSymbolValue_tooLarge: 46,
  ZSTD_error_maxSymbolValue_tooSmall: 48, ZSTD_error_stabilityCondition_notRespected: 50, ZSTD_error_stage_wrong: 60,
  ZSTD_error_init_missing: 62, ZSTD_error_memory_allocation: 64, ZSTD_error_workSpace_tooSmall: 66, ZSTD_error_dstSize_tooSmall: 70,
  ZSTD_error_srcSize_wrong: 72, ZSTD_error_dstBuffer_null: 74, ZSTD_error_noForwardProgress_destFull: 80,
  ZSTD_error_noForwardProgress_inputEmpty: 82, ZSTD_ENCODE: 10, ZSTD_DECODE: 11,
};
export const constants = Object.freeze({ ...ZLIB, ...BROTLI, ...ZSTD });

export const codes = Object.freeze({
  Z_OK: 0, Z_STREAM_END: 1, Z_NEED_DICT: 2, Z_ERRNO: -1, Z_STREAM_ERROR: -2, Z_DATA_ERROR: -3, Z_MEM_ERROR: -4, Z_BUF_ERROR: -5, Z_VERSION_ERROR: -6,
  0: "Z_OK", 1: "Z_STREAM_END", 2: "Z_NEED_DICT", [-1]: "Z_ERRNO", [-2]: "Z_STREAM_ERROR", [-3]: "Z_DATA_ERROR", [-4]: "Z_MEM_ERROR", [-5]: "Z_BUF_ERROR", [-6]: "Z_VERSION_ERROR",
});

const EMPTY = new Uint8Array(0);
const isBrotli = (mode) => mode === ZLIB.BROTLI_ENCODE || mode === ZLIB.BROTLI_DECODE;
const isZstd = (mode) => mode === ZLIB.ZSTD_COMPRESS || mode === ZLIB.ZSTD_DECOMPRESS;

function hostError() {
  const text = ops.zlibError();
  const [, , ...message] = text.split("\n");
  // workerd's errors carry only the message ("incorrect header check", "unexpected end of file").
  return new Error(message.join("\n"));
}

// workerd's two shapes of a range error here: a plain RangeError (options.level), and its Node
// error class ERR_OUT_OF_RANGE with code and name (the other options).
class ERR_OUT_OF_RANGE extends RangeError {
  constructor(message) {
    super(message);
    this.code = "ERR_OUT_OF_RANGE";
    this.name = "RangeError";
  }
}

function checkRange(options, key, min, max, fallback) {
  const value = options[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "number" || Number.isNaN(value)) throw invalidArgType(`options.${key}`, "of type number", value);
  if (!Number.isFinite(value) || value < min || value > max) {
    const message = `The value of "options.${key}" is out of range. It must be >= ${min} and <= ${max}. Received ${value}`;
    throw key === "level" ? new RangeError(message) : new ERR_OUT_OF_RANGE(message);
  }
  return value;
}

/** Creates the host codec for `mode` with Node's options, validated as Node validates them. */
function createCodec(mode, options) {
  if (options === null || options === undefined) options = {};
  if (typeof options !== "object") throw invalidArgType("options", "of type object", options);
  let level = -1, windowBits = 15, memLevel = 8, strategy = 0, quality = 11, window = 22;
  if (isBrotli(mode)) {
    const params = options.params ?? {};
    quality = params[BROTLI.BROTLI_PARAM_QUALITY] ?? 11;
    window = params[BROTLI.BROTLI_PARAM_LGWIN] ?? 22;
  } else if (isZstd(mode)) {
    const params = options.params ?? {};
    level = params[ZSTD.ZSTD_c_compressionLevel] ?? 3;
  } else {
    const inflate = mode === ZLIB.INFLATE || mode === ZLIB.GUNZIP || mode === ZLIB.INFLATERAW || mode === ZLIB.UNZIP;
    windowBits = checkRange(options, "windowBits", inflate && mode !== ZLIB.INFLATERAW ? 0 : 8, 15, 15);
    if (windowBits === 0) windowBits = 15;
    level = checkRange(options, "level", -1, 9, -1);
    memLevel = checkRange(options, "memLevel", 1, 9, 8);
    strategy = checkRange(options, "strategy", 0, 4, 0);
    // zlib's deflate cannot use an 8-bit window; Node raises it to 9 as zlib does.
    if (!inflate && windowBits === 8) windowBits = 9;
    if (options.dictionary !== undefined) throw nodeError(Error, "ERR_OPTION_NOT_IMPLEMENTED", "The options.dictionary option is not implemented");
  }
  const handle = ops.zlibCreate(mode, level, windowBits, memLevel, strategy, quality, window);
  if (handle < 0) throw hostError();
  return handle;
}

/** Pushes `input` through codec `handle` with `flush`; returns the output as a Buffer, or throws. */
function runCodec(handle, input, flush) {
  const n = ops.zlibWrite(handle, input, flush);
  if (n < 0) throw hostError();
  if (n === 0) return Buffer.alloc(0);
  const out = new Uint8Array(n);
  ops.zlibTake(handle, out);
  return Buffer.from(out.buffer, 0, n);
}

function toInput(buffer) {
  if (typeof buffer === "string") return Buffer.from(buffer);
  if (ArrayBuffer.isView(buffer)) return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  if (buffer instanceof ArrayBuffer) return new Uint8Array(buffer);
  throw new TypeError("Failed to execute 'zlibSync' on 'ZlibUtil': parameter 1 is not of type 'string or ArrayBuffer or ArrayBufferView'.");
}

const finishFlush = (mode) => (isBrotli(mode) ? BROTLI.BROTLI_OPERATION_FINISH : isZstd(mode) ? ZSTD.ZSTD_e_end : ZLIB.Z_FINISH);

/** The *Sync functions: one codec, one crossing each way. */
function processSync(mode, buffer, options) {
  const input = toInput(buffer);
  const handle = createCodec(mode, options);
  try {
    const out = runCodec(handle, input, options?.finishFlush ?? finishFlush(mode));
    if (options?.maxOutputLength !== undefined && out.byteLength > options.maxOutputLength) throw new RangeError("Memory limit exceeded");
    return options?.info ? { buffer: out, engine: {} } : out;
  } finally {
    ops.zlibClose(handle);
  }
}

class ZlibBase extends Transform {
  constructor(mode, options) {
    options = options ?? {};
    super({ ...options, readableObjectMode: false, writableObjectMode: false });
    this._mode = mode;
    this._handle = createCodec(mode, options);
    this._defaultFlushFlag = options.flush ?? (isBrotli(mode) ? BROTLI.BROTLI_OPERATION_PROCESS : ZLIB.Z_NO_FLUSH);
    this._finishFlushFlag = options.finishFlush ?? finishFlush(mode);
    this._maxOutputLength = options.maxOutputLength ?? Infinity;
    this._outputLength = 0;
    this.bytesWritten = 0;
    this._closed = false;
  }
  get bytesRead() { return this.bytesWritten; }
  #run(chunk, flush) {
    if (this._handle === null) throw nodeError(Error, "ERR_ZLIB_BINDING_CLOSED", "zlib binding closed");
    const out = runCodec(this._handle, chunk, flush);
    this._outputLength += out.byteLength;
    if (this._outputLength > this._maxOutputLength) throw new RangeError("Memory limit exceeded");
    return out;
  }
  _transform(chunk, encoding, callback) {
    const input = typeof chunk === "string" ? Buffer.from(chunk, encoding) : chunk;
    let out;
    try { out = this.#run(input, this._defaultFlushFlag); } catch (e) { callback(e); return; }
    this.bytesWritten += input.byteLength;
    if (out.byteLength > 0) this.push(out);
    callback();
  }
  _flush(callback) {
    let out;
    try { out = this.#run(EMPTY, this._finishFlushFlag); } catch (e) { callback(e); return; }
    if (out.byteLength > 0) this.push(out);
    callback();
  }
  _destroy(error, callback) {
    if (this._handle !== null) { ops.zlibClose(this._handle); this._handle = null; }
    this._closed = true;
    callback(error);
  }
  flush(kind, callback) {
    if (typeof kind === "function" || kind === undefined) { callback = kind; kind = isBrotli(this._mode) ? BROTLI.BROTLI_OPERATION_FLUSH : ZLIB.Z_FULL_FLUSH; }
    const run = () => {
      if (this.writableEnded || this._handle === null) { if (callback) queueMicrotask(callback); return; }
      try {
        const out = this.#run(EMPTY, kind);
        if (out.byteLength > 0) this.push(out);
      } catch (e) { this.destroy(e); return; }
      if (callback) queueMicrotask(callback);
    };
    if (this.writableLength > 0) this.once("drain", run); else run();
  }
  params() { throw nodeError(Error, "ERR_METHOD_NOT_IMPLEMENTED", "The params method is not implemented"); }
  reset() { if (this._handle !== null) ops.zlibReset(this._handle); }
  close(callback) { if (callback) this.once("close", callback); this.destroy(); }
}

export class Deflate extends ZlibBase { constructor(options) { super(ZLIB.DEFLATE, options); } }
export class Inflate extends ZlibBase { constructor(options) { super(ZLIB.INFLATE, options); } }
export class Gzip extends ZlibBase { constructor(options) { super(ZLIB.GZIP, options); } }
export class Gunzip extends ZlibBase { constructor(options) { super(ZLIB.GUNZIP, options); } }
export class DeflateRaw extends ZlibBase { constructor(options) { super(ZLIB.DEFLATERAW, options); } }
export class InflateRaw extends ZlibBase { constructor(options) { super(ZLIB.INFLATERAW, options); } }
export class Unzip extends ZlibBase { constructor(options) { super(ZLIB.UNZIP, options); } }
export class BrotliCompress extends ZlibBase { constructor(options) { super(ZLIB.BROTLI_ENCODE, options); } }
export class BrotliDecompress extends ZlibBase { constructor(options) { super(ZLIB.BROTLI_DECODE, options); } }
export class ZstdCompress extends ZlibBase { constructor(options) { super(ZLIB.ZSTD_COMPRESS, options); } }
export class ZstdDecompress extends ZlibBase { constructor(options) { super(ZLIB.ZSTD_DECOMPRESS, options); } }

export const createDeflate = (o) => new Deflate(o), createInflate = (o) => new Inflate(o), createGzip = (o) => new Gzip(o),
  createGunzip = (o) => new Gunzip(o), createDeflateRaw = (o) => new DeflateRaw(o), createInflateRaw = (o) => new InflateRaw(o),
  createUnzip = (o) => new Unzip(o), createBrotliCompress = (o) => new BrotliCompress(o), createBrotliDecompress = (o) => new BrotliDecompress(o),
  createZstdCompress = (o) => new ZstdCompress(o), createZstdDecompress = (o) => new ZstdDecompress(o);

function syncFor(mode) { return (buffer, options) => processSync(mode, buffer, options); }
function asyncFor(mode) {
  return (buffer, options, callback) => {
    if (typeof options === "function") { callback = options; options = {}; }
    if (typeof callback !== "function") throw invalidArgType("callback", "of type function", callback);
    let result, error = null;
    try { result = processSync(mode, buffer, options); } catch (e) { error = e; }
    queueMicrotask(() => (error ? callback(error) : callback(null, result)));
  };
}

export const deflateSync = syncFor(ZLIB.DEFLATE), inflateSync = syncFor(ZLIB.INFLATE), gzipSync = syncFor(ZLIB.GZIP),
  gunzipSync = syncFor(ZLIB.GUNZIP), deflateRawSync = syncFor(ZLIB.DEFLATERAW), inflateRawSync = syncFor(ZLIB.INFLATERAW),
  unzipSync = syncFor(ZLIB.UNZIP), brotliCompressSync = syncFor(ZLIB.BROTLI_ENCODE), brotliDecompressSync = syncFor(ZLIB.BROTLI_DECODE),
  zstdCompressSync = syncFor(ZLIB.ZSTD_COMPRESS), zstdDecompressSync = syncFor(ZLIB.ZSTD_DECOMPRESS);
export const deflate = asyncFor(ZLIB.DEFLATE), inflate = asyncFor(ZLIB.INFLATE), gzip = asyncFor(ZLIB.GZIP),
  gunzip = asyncFor(ZLIB.GUNZIP), deflateRaw = asyncFor(ZLIB.DEFLATERAW), inflateRaw = asyncFor(ZLIB.INFLATERAW),
  unzip = asyncFor(ZLIB.UNZIP), brotliCompress = asyncFor(ZLIB.BROTLI_ENCODE), brotliDecompress = asyncFor(ZLIB.BROTLI_DECODE),
  zstdCompress = asyncFor(ZLIB.ZSTD_COMPRESS), zstdDecompress = asyncFor(ZLIB.ZSTD_DECOMPRESS);

export function crc32(data, value = 0) {
  if (typeof value !== "number") throw invalidArgType("value", "of type number", value);
  const bytes = typeof data === "string" ? Buffer.from(data) : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    : (() => { throw invalidArgType("data", "of type string or an instance of Buffer, TypedArray, or DataView", data); })();
  return ops.zlibCrc32(bytes, value >>> 0);
}

const exportsObject = {
  crc32, Deflate, Inflate, Gzip, Gunzip, DeflateRaw, InflateRaw, Unzip, BrotliCompress, BrotliDecompress, ZstdCompress, ZstdDecompress,
  deflate, deflateSync, gzip, gzipSync, deflateRaw, deflateRawSync, unzip, unzipSync, inflate, inflateSync, gunzip, gunzipSync,
  inflateRaw, inflateRawSync, brotliCompress, brotliCompressSync, brotliDecompress, brotliDecompressSync, zstdCompress,
  zstdCompressSync, zstdDecompress, zstdDecompressSync, createDeflate, createInflate, createDeflateRaw, createInflateRaw,
  createGzip, createGunzip, createUnzip, createBrotliCompress, createBrotliDecompress, createZstdCompress, createZstdDecompress,
  constants, codes,
};
// Node (and workerd) also put every constant on the module itself (zlib.Z_SYNC_FLUSH).
for (const [k, v] of Object.entries(constants)) if (!(k in exportsObject)) exportsObject[k] = v;
export default exportsObject;
