// A tiny WPT-style test harness for Flint's conformance suite. Each test file is appended to this
// harness and runs as one ES module Worker in a fresh isolate; its fetch handler answers with the
// results as JSON: [{ name, ok, message }]. The same composed Worker runs on Flint and on workerd.
//
//   test(name, fn)              fn may be async; a test fails when it throws or its promise rejects
//   assert_equals(a, b, msg)    Object.is, as testharness.js does
//   assert_not_equals, assert_true, assert_false, assert_array_equals, assert_in_array,
//   assert_object_equals (JSON shape), assert_class_string, assert_own_property, assert_unreached,
//   assert_throws_js(Ctor, fn), assert_throws_dom(name, fn),
//   await promise_rejects_js(Ctor, promise), await promise_rejects_dom(name, promise)

const __tests = [];
const TEST_TIMEOUT_MS = 5000;

function test(name, fn) {
  if (__tests.some((t) => t.name === name)) throw new Error(`duplicate test name: ${name}`);
  __tests.push({ name, fn });
}

class AssertionError extends Error {
  constructor(message) { super(message); this.name = "AssertionError"; }
}

function __fmt(v) {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "symbol" || typeof v === "function") return String(v);
  if (Object.is(v, -0)) return "-0";
  if (v === null || typeof v !== "object") return String(v);
  try { return JSON.stringify(v) ?? String(v); } catch { return Object.prototype.toString.call(v); }
}

function __fail(description, message) {
  throw new AssertionError(message ? `${message}: ${description}` : description);
}

function assert_equals(actual, expected, message) {
  if (!Object.is(actual, expected)) __fail(`expected ${__fmt(expected)} but got ${__fmt(actual)}`, message);
}
function assert_not_equals(actual, expected, message) {
  if (Object.is(actual, expected)) __fail(`got the disallowed value ${__fmt(actual)}`, message);
}
function assert_true(actual, message) {
  if (actual !== true) __fail(`expected true but got ${__fmt(actual)}`, message);
}
function assert_false(actual, message) {
  if (actual !== false) __fail(`expected false but got ${__fmt(actual)}`, message);
}
function assert_in_array(actual, expected, message) {
  if (!expected.some((e) => Object.is(e, actual))) __fail(`${__fmt(actual)} is not one of ${__fmt(expected)}`, message);
}
function assert_array_equals(actual, expected, message) {
  if (actual === null || typeof actual !== "object" || typeof actual.length !== "number") __fail(`expected an array-like but got ${__fmt(actual)}`, message);
  if (actual.length !== expected.length) __fail(`lengths differ: expected ${expected.length} (${__fmt([...expected])}) but got ${actual.length} (${__fmt([...actual])})`, message);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) __fail(`element ${i}: expected ${__fmt(expected[i])} but got ${__fmt(actual[i])}`, message);
  }
}
function assert_object_equals(actual, expected, message) {
  const a = JSON.stringify(actual), e = JSON.stringify(expected);
  if (a !== e) __fail(`expected ${e} but got ${a}`, message);
}
function assert_class_string(object, className, message) {
  const actual = Object.prototype.toString.call(object);
  if (actual !== `[object ${className}]`) __fail(`expected [object ${className}] but got ${actual}`, message);
}
function assert_own_property(object, name, message) {
  if (!Object.prototype.hasOwnProperty.call(object, name)) __fail(`expected own property ${__fmt(name)}`, message);
}
function assert_unreached(message) {
  __fail("reached unreachable code", message);
}
function __describe(e) {
  return e === null || e === undefined ? String(e) : `${e.name ?? e.constructor?.name}: ${e.message}`;
}
function __checkJsError(e, Ctor, message) {
  if (!(e instanceof Ctor) || e.constructor !== Ctor) __fail(`expected ${Ctor.name} but got ${__describe(e)}`, message);
}
function __checkDomError(e, name, message) {
  if (!(e instanceof DOMException)) __fail(`expected a DOMException ${name} but got ${__describe(e)}`, message);
  if (e.name !== name) __fail(`expected DOMException ${name} but got ${e.name}: ${e.message}`, message);
}
function assert_throws_js(Ctor, fn, message) {
  try { fn(); } catch (e) { __checkJsError(e, Ctor, message); return; }
  __fail(`expected ${Ctor.name} to be thrown`, message);
}
function assert_throws_dom(name, fn, message) {
  try { fn(); } catch (e) { __checkDomError(e, name, message); return; }
  __fail(`expected DOMException ${name} to be thrown`, message);
}
async function promise_rejects_js(Ctor, promise, message) {
  try { await promise; } catch (e) { __checkJsError(e, Ctor, message); return; }
  __fail(`expected a rejection with ${Ctor.name}`, message);
}
async function promise_rejects_dom(name, promise, message) {
  try { await promise; } catch (e) { __checkDomError(e, name, message); return; }
  __fail(`expected a rejection with DOMException ${name}`, message);
}
async function promise_rejects_exactly(value, promise, message) {
  try { await promise; } catch (e) { assert_equals(e, value, message); return; }
  __fail(`expected a rejection with ${__fmt(value)}`, message);
}
/** Resolves after the given milliseconds (with setTimeout, so it works before scheduler exists). */
function delay(ms) { return new Promise((resolve) => setTimeout(resolve, ms)); }

async function __runTests() {
  const results = [];
  for (const { name, fn } of __tests) {
    let timer;
    try {
      const timeout = new Promise((_, reject) => { timer = setTimeout(() => reject(new AssertionError(`timed out after ${TEST_TIMEOUT_MS} ms`)), TEST_TIMEOUT_MS); });
      await Promise.race([Promise.resolve().then(fn), timeout]);
      results.push({ name, ok: true });
    } catch (e) {
      let message;
      try { message = e instanceof Error ? `${e.name}: ${e.message}` : `threw ${__fmt(e)}`; } catch { message = "threw an unprintable value"; }
      results.push({ name, ok: false, message: message.slice(0, 300) });
    } finally {
      clearTimeout(timer);
    }
  }
  return results;
}
