// node:assert — Node's assertions with AssertionError (code ERR_ASSERTION); deep equality is util's.
import bridge from "node-internal:bridge";
import { isDeepStrictEqual, _deepEqual } from "node:util";

export class AssertionError extends Error {
  constructor(options = {}) {
    const { message, actual, expected, operator } = options;
    super(message ?? `${bridge.inspect(actual)} ${operator} ${bridge.inspect(expected)}`);
    this.generatedMessage = message === undefined;
    this.code = "ERR_ASSERTION";
    this.actual = actual;
    this.expected = expected;
    this.operator = operator;
  }
  get name() { return "AssertionError"; }
}

function fail(actual, expected, message, operator, defaultMessage) {
  if (message instanceof Error) throw message;
  throw new AssertionError({ message: message ?? defaultMessage, actual, expected, operator });
}

function looseDeepEqual(a, b) { return _deepEqual(a, b, false, new Map()); }

export function ok(value, message) {
  if (!value) fail(value, true, message, "==", arguments.length === 0 ? "No value argument passed to `assert.ok()`" : "The expression evaluated to a falsy value:\n\n  assert.ok(" + bridge.inspect(value) + ")\n");
}
export function equal(actual, expected, message) { if (!(actual == expected || (actual !== actual && expected !== expected))) fail(actual, expected, message, "==", `${bridge.inspect(actual)} == ${bridge.inspect(expected)}`); }
export function notEqual(actual, expected, message) { if (actual == expected) fail(actual, expected, message, "!=", `${bridge.inspect(actual)} != ${bridge.inspect(expected)}`); }
export function strictEqual(actual, expected, message) { if (!Object.is(actual, expected)) fail(actual, expected, message, "strictEqual", `Expected values to be strictly equal:\n\n${bridge.inspect(actual)} !== ${bridge.inspect(expected)}\n`); }
export function notStrictEqual(actual, expected, message) { if (Object.is(actual, expected)) fail(actual, expected, message, "notStrictEqual", `Expected "actual" to be strictly unequal to: ${bridge.inspect(expected)}`); }
export function deepEqual(actual, expected, message) { if (!looseDeepEqual(actual, expected)) fail(actual, expected, message, "deepEqual", "Expected values to be loosely deep-equal:\n\n" + bridge.inspect(actual) + "\n\nshould loosely deep-equal\n\n" + bridge.inspect(expected)); }
export function notDeepEqual(actual, expected, message) { if (looseDeepEqual(actual, expected)) fail(actual, expected, message, "notDeepEqual", `"actual" deepEqual "expected"`); }
export function deepStrictEqual(actual, expected, message) { if (!isDeepStrictEqual(actual, expected)) fail(actual, expected, message, "deepStrictEqual", "Expected values to be strictly deep-equal:\n" + bridge.inspect(actual) + "\n\nshould equal\n\n" + bridge.inspect(expected)); }
export function notDeepStrictEqual(actual, expected, message) { if (isDeepStrictEqual(actual, expected)) fail(actual, expected, message, "notDeepStrictEqual", `Expected "actual" not to be strictly deep-equal to: ${bridge.inspect(expected)}`); }
export function partialDeepStrictEqual(actual, expected, message) {
  const partial = (a, e) => e === null || typeof e !== "object" ? Object.is(a, e) : typeof a === "object" && a !== null && Object.keys(e).every((k) => partial(a[k], e[k]));
  if (!partial(actual, expected)) fail(actual, expected, message, "partialDeepStrictEqual", "Expected values to be partially and strictly deep-equal");
}

function matches(error, expected, message) {
  if (expected === undefined) return;
  if (typeof expected === "function") {
    if (expected.prototype !== undefined && error instanceof expected) return;
    if (Error.isPrototypeOf(expected) || expected === Error) fail(error, expected, message, "throws", `The error is expected to be an instance of "${expected.name}". Received "${error?.constructor?.name}"`);
    if (expected.call({}, error) === true) return;
    fail(error, expected, message, "throws", "The validation function is expected to return \"true\". Received false");
  }
  if (expected instanceof RegExp) { if (expected.test(String(error))) return; fail(error, expected, message, "throws", `The input did not match the regular expression ${expected}. Input:\n\n${bridge.inspect(String(error))}\n`); }
  if (typeof expected === "object" && expected !== null) {
    for (const key of Object.keys(expected)) {
      const want = expected[key], got = error?.[key];
      const same = want instanceof RegExp && typeof got === "string" ? want.test(got) : isDeepStrictEqual(got, want);
      if (!same) fail(error, expected, message, "throws", `Expected values to be strictly deep-equal:\n+ actual - expected\n\n  ${key}: ${bridge.inspect(got)} !== ${bridge.inspect(want)}`);
    }
  }
}

export function throws(fn, expected, message) {
  if (typeof expected === "string") { message = expected; expected = undefined; }
  try { fn(); } catch (e) { matches(e, expected, message); return; }
  fail(undefined, expected, message, "throws", `Missing expected exception${expected?.name ? ` (${expected.name})` : ""}${message ? `: ${message}` : "."}`);
}
export function doesNotThrow(fn, expected, message) {
  try { fn(); } catch (e) { fail(e, expected, typeof expected === "string" ? expected : message, "doesNotThrow", `Got unwanted exception.\nActual message: "${e?.message}"`); }
}
export async function rejects(promiseOrFn, expected, message) {
  if (typeof expected === "string") { message = expected; expected = undefined; }
  try { await (typeof promiseOrFn === "function" ? promiseOrFn() : promiseOrFn); } catch (e) { matches(e, expected, message); return; }
  fail(undefined, expected, message, "rejects", `Missing expected rejection${expected?.name ? ` (${expected.name})` : ""}${message ? `: ${message}` : "."}`);
}
export async function doesNotReject(promiseOrFn, expected, message) {
  try { await (typeof promiseOrFn === "function" ? promiseOrFn() : promiseOrFn); } catch (e) { fail(e, expected, typeof expected === "string" ? expected : message, "doesNotReject", `Got unwanted rejection.\nActual message: "${e?.message}"`); }
}
export function match(string, regexp, message) { if (!regexp.test(string)) fail(string, regexp, message, "match", `The input did not match the regular expression ${regexp}. Input:\n\n${bridge.inspect(string)}\n`); }
export function doesNotMatch(string, regexp, message) { if (regexp.test(string)) fail(string, regexp, message, "doesNotMatch", `The input was expected to not match the regular expression ${regexp}. Input:\n\n${bridge.inspect(string)}\n`); }
export function ifError(value) { if (value !== null && value !== undefined) { if (value instanceof Error) throw value; fail(value, null, undefined, "ifError", `ifError got unwanted exception: ${bridge.inspect(value)}`); } }
export function failAssert(message = "Failed") { if (message instanceof Error) throw message; throw new AssertionError({ message, operator: "fail" }); }
export { failAssert as fail };

function assert(value, message) { ok(value, message); }
const members = { ok, equal, notEqual, strictEqual, notStrictEqual, deepEqual, notDeepEqual, deepStrictEqual, notDeepStrictEqual, partialDeepStrictEqual,
  throws, doesNotThrow, rejects, doesNotReject, match, doesNotMatch, ifError, fail: failAssert, AssertionError };
Object.assign(assert, members);
const strictAssert = (value, message) => ok(value, message);
Object.assign(strictAssert, members, { equal: strictEqual, notEqual: notStrictEqual, deepEqual: deepStrictEqual, notDeepEqual: notDeepStrictEqual });
strictAssert.strict = strictAssert;
assert.strict = strictAssert;
export const strict = strictAssert;
export default assert;
