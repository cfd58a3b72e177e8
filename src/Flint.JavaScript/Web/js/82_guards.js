// Guards in front of the few V8 paths that abort the whole process rather than throw: V8 stops
// with "Fatal JavaScript invalid size error" when one array would have more elements than its
// FixedArray limit, taking every Worker of the process with it (workerd dies of it too). Where
// the size is known before V8 allocates, throw the RangeError a too-long array gets instead.

// V8's FixedArray limit on 64-bit builds without pointer compression, the lower of the two.
const MAX_ARRAY_ELEMENTS = 134_217_725;

const stringSplit = String.prototype.split;
const stringIndexOf = String.prototype.indexOf;
const reflectApply = Reflect.apply;

/** How many pieces splitting `s` by the non-empty string `separator` gives, counting only as far as `max`. */
function splitCount(s, separator, max) {
  let count = 1;
  for (let at = reflectApply(stringIndexOf, s, [separator]); at !== -1 && count <= max; at = reflectApply(stringIndexOf, s, [separator, at + separator.length])) count++;
  return count;
}

const guardedSplit = {
  split(separator, limit) {
    // Only a primitive string split by a primitive string can be sized without running user code.
    if (typeof this === "string" && this.length > MAX_ARRAY_ELEMENTS && typeof separator === "string" && limit === undefined) {
      const pieces = separator === "" ? this.length : splitCount(this, separator, MAX_ARRAY_ELEMENTS);
      if (pieces > MAX_ARRAY_ELEMENTS) throw new RangeError("Invalid array length");
    }
    return reflectApply(stringSplit, this, arguments);
  },
}.split;
Object.defineProperty(String.prototype, "split", { value: guardedSplit, writable: true, enumerable: false, configurable: true });
