// Flint's built-in functions print as workerd's C++ ones do, `function fetch() { [native code] }`:
// their JavaScript is Flint's, not the Worker's to read, and libraries that test for native
// functions (`/\[native code\]/.test(String(fn))`) answer as on Cloudflare.

const nativeFunctionNames = new WeakMap(); // function -> the name it prints with
const FunctionPrototypeToString = Function.prototype.toString;
const ReflectApply = Reflect.apply;
const ObjectGetOwnPropertyNames = Object.getOwnPropertyNames;
const ObjectGetOwnPropertySymbols = Object.getOwnPropertySymbols;
const ObjectGetOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
const ObjectGetPrototypeOf = Object.getPrototypeOf;

function markNative(fn) {
  if (typeof fn !== "function" || nativeFunctionNames.has(fn)) return false;
  const name = ObjectGetOwnPropertyDescriptor(fn, "name")?.value;
  nativeFunctionNames.set(fn, typeof name === "string" ? name : "");
  return true;
}

/**
 * Marks every function reachable from `root` through own properties (values and accessors),
 * prototypes and `.prototype`, down to the intrinsics, which print as native code already.
 */
function markBuiltins(root, seen = new WeakSet()) {
  const stack = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if ((typeof value !== "object" && typeof value !== "function") || value === null || seen.has(value)) continue;
    if (value === Object.prototype || value === Function.prototype) continue;
    seen.add(value);
    markNative(value);
    for (const key of [...ObjectGetOwnPropertyNames(value), ...ObjectGetOwnPropertySymbols(value)]) {
      const d = ObjectGetOwnPropertyDescriptor(value, key);
      if (d === undefined) continue;
      if ("value" in d) stack.push(d.value);
      if (d.get !== undefined) stack.push(d.get);
      if (d.set !== undefined) stack.push(d.set);
    }
    stack.push(ObjectGetPrototypeOf(value));
  }
}

function toString() {
  const name = nativeFunctionNames.get(this);
  if (name !== undefined) return `function ${name}() { [native code] }`;
  return ReflectApply(FunctionPrototypeToString, this, []);
}

let lockedDown = false;

/** Marks what a lazily loaded built-in (URLPattern, crypto.subtle, …) defined on first use. */
function markLoadedBuiltin(value) {
  if (lockedDown) markBuiltins(value);
}

/** Called once the built-ins and the Worker's env exist, before any Worker code runs. */
function lockDownBuiltins(roots) {
  if (lockedDown) return;
  lockedDown = true;
  const seen = new WeakSet();
  for (const root of [...builtinGlobals, ...roots]) markBuiltins(root, seen);
  markNative(toString);
  Object.defineProperty(Function.prototype, "toString", { value: toString, writable: true, enumerable: false, configurable: true });
}
