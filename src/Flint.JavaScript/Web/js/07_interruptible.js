// V8 runs a few builtins as one loop in Torque or C++ that never checks for interrupts, so the
// CPU watchdog's TerminateExecution waits until the loop ends, however long: Array.from of a huge
// array-like ran 43 s and new Array(2 ** 27).fill(0) 72 s past a 50 ms limit, growing to 2 GB
// (issue 18). For huge inputs these run as JavaScript loops instead, whose back edges V8 checks,
// so the Worker is stopped at its limit; below the threshold the native builtin runs, as before.
// The results are the same (the spec's steps, in the spec's order).

const INTERRUPTIBLE_LENGTH = 1 << 22; // 4M elements: the native builtins take well under a CPU limit below this
const nativeArrayFrom = Array.from;
const nativeArrayFill = Array.prototype.fill;
const ArrayIsArray = Array.isArray;
const ReflectApplyBuiltin = Reflect.apply;
const ReflectConstruct = Reflect.construct;

/** The length of `items` when it is an array or an array-like whose length is a plain data property, else -1 (not read twice). */
function plainLength(items) {
  if (ArrayIsArray(items)) return items.length;
  if (typeof items !== "object" || items === null) return -1;
  const desc = Object.getOwnPropertyDescriptor(items, "length");
  if (desc === undefined || !("value" in desc)) return -1;
  const n = Math.trunc(Number(desc.value));
  return Number.isFinite(n) && n > 0 ? Math.min(n, Number.MAX_SAFE_INTEGER) : 0;
}

function isConstructor(C) {
  if (typeof C !== "function") return false;
  try { ReflectConstruct(String, [], C); return true; } catch { return false; }
}

function from(items, mapfn = undefined, thisArg = undefined) {
  const length = plainLength(items);
  if (length <= INTERRUPTIBLE_LENGTH) return ReflectApplyBuiltin(nativeArrayFrom, this, arguments);
  if (mapfn !== undefined && typeof mapfn !== "function") throw new TypeError(`${typeof mapfn === "object" && mapfn !== null ? "#<Object>" : String(mapfn)} is not a function`);
  const C = this;
  const iterator = items[Symbol.iterator];
  if (iterator !== undefined && iterator !== null) {
    const A = isConstructor(C) ? new C() : [];
    let k = 0;
    for (const value of { [Symbol.iterator]: () => ReflectApplyBuiltin(iterator, items, []) }) {
      A[k] = mapfn === undefined ? value : ReflectApplyBuiltin(mapfn, thisArg, [value, k]);
      k++;
    }
    A.length = k;
    return A;
  }
  // Filled from empty rather than made `length` long first: a huge array is a dictionary, whose
  // rehashes as it grows are long C++ steps V8 cannot interrupt either.
  const A = C === Array || !isConstructor(C) ? [] : new C(length);
  for (let k = 0; k < length; k++) {
    const value = items[k];
    A[k] = mapfn === undefined ? value : ReflectApplyBuiltin(mapfn, thisArg, [value, k]);
  }
  A.length = length;
  return A;
}

function fill(value, start = undefined, end = undefined) {
  if (!ArrayIsArray(this) || this.length <= INTERRUPTIBLE_LENGTH) return ReflectApplyBuiltin(nativeArrayFill, this, arguments);
  const O = this;
  const len = O.length;
  const relative = (x, dflt) => {
    if (x === undefined) return dflt;
    const n = Math.trunc(Number(x)) || 0;
    return n < 0 ? Math.max(len + n, 0) : Math.min(n, len);
  };
  const k0 = relative(start, 0);
  const final = relative(end, len);
  for (let k = k0; k < final; k++) O[k] = value;
  return O;
}

Object.defineProperty(Array, "from", { value: from, writable: true, enumerable: false, configurable: true });
Object.defineProperty(Array.prototype, "fill", { value: fill, writable: true, enumerable: false, configurable: true });
Object.defineProperty(from, "length", { value: 1 });
Object.defineProperty(fill, "length", { value: 1 });
builtinGlobals.push(from, fill);
