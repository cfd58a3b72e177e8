// crypto.getRandomValues and crypto.randomUUID; crypto.subtle arrives with the Web Crypto issue.

const INTEGER_ARRAYS = [Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, BigInt64Array, BigUint64Array];

class Crypto {
  constructor() { throw new TypeError("Illegal constructor"); }
  getRandomValues(array) {
    requiredArguments(arguments.length, 1, "getRandomValues");
    if (!INTEGER_ARRAYS.some((T) => array instanceof T)) {
      throw new DOMException("The data argument must be an integer-type TypedArray", "TypeMismatchError");
    }
    if (array.byteLength > 65536) {
      throw new DOMException(`The ArrayBufferView's byte length (${array.byteLength}) exceeds the number of bytes of entropy available via this API (65536)`, "QuotaExceededError");
    }
    if (array.byteLength > 0) ops.randomFill(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
    return array;
  }
  randomUUID() {
    return ops.randomUUID();
  }
}
webidlInterface(Crypto);
const flintCrypto = Object.create(Crypto.prototype);
defineGlobal("Crypto", Crypto);
defineGlobal("crypto", flintCrypto);
