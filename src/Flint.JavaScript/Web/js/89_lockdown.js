// Flint's built-in functions print as workerd's C++ ones do, `function fetch() { [native code] }`:
// their JavaScript is Flint's, not the Worker's to read, and libraries that test for native
// functions (`/\[native code\]/.test(String(fn))`) answer as on Cloudflare.

const nativeFunctionNames = new WeakMap(); // function -> the name it prints with
const FunctionPrototypeToString = Function.prototype.toString;
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

// Reflection shows none of the built-ins' internal symbols (00_internal.js internalSymbol).
const ReflectOwnKeys = Reflect.ownKeys;
const ObjectGetOwnPropertyDescriptors = Object.getOwnPropertyDescriptors;

function withoutInternalKeys(keys) {
  let internal = false;
  for (let i = 0; i < keys.length; i++) if (typeof keys[i] === "symbol" && internalKeys.has(keys[i])) { internal = true; break; }
  if (!internal) return keys;
  const out = [];
  for (let i = 0; i < keys.length; i++) if (typeof keys[i] !== "symbol" || !internalKeys.has(keys[i])) out[out.length] = keys[i];
  return out;
}

const reflection = {
  getOwnPropertySymbols(o) { return withoutInternalKeys(ObjectGetOwnPropertySymbols(o)); },
  ownKeys(target) { return withoutInternalKeys(ReflectOwnKeys(target)); },
  getOwnPropertyDescriptors(o) {
    const all = ObjectGetOwnPropertyDescriptors(o);
    for (const key of internalKeys) delete all[key];
    return all;
  },
};

function hideInternalKeys() {
  const replace = (target, name) => {
    const fn = reflection[name];
    markNative(fn);
    Object.defineProperty(target, name, { value: fn, writable: true, enumerable: false, configurable: true });
  };
  replace(Object, "getOwnPropertySymbols");
  replace(Object, "getOwnPropertyDescriptors");
  replace(Reflect, "ownKeys");
}

/** Called once the built-ins and the Worker's env exist, before any Worker code runs. */
function lockDownBuiltins(roots) {
  if (lockedDown) return;
  lockedDown = true;
  const seen = new WeakSet();
  for (const root of [...builtinGlobals, ...roots]) markBuiltins(root, seen);
  markNative(toString);
  hideInternalKeys();
  Object.defineProperty(Function.prototype, "toString", { value: toString, writable: true, enumerable: false, configurable: true });
}
