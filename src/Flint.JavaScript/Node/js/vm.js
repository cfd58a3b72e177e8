// node:vm as workerd has it from 2025-10-01: a non-functional stub. Workers cannot compile code from strings,
// so every way to run code throws ERR_METHOD_NOT_IMPLEMENTED after Node's argument checks.
import bridge from "node-internal:bridge";
import { Buffer } from "node:buffer";
import {
  validateArray, validateBoolean, validateBuffer, validateInt32, validateObject, validateOneOf, validateString, validateStringArray, validateUint32,
} from "node-internal:validators";

const { invalidArgType, notImplemented } = bridge;

export const constants = Object.freeze({
  __proto__: null,
  USE_MAIN_CONTEXT_DEFAULT_LOADER: Symbol("vm_dynamic_import_main_context_default"),
  DONT_CONTEXTIFY: Symbol("vm_context_no_contextify"),
});
const kContext = Symbol("vm_context_symbol");

export function isContext(object) {
  validateObject(object, "object", { allowArray: true });
  return kContext in object && object[kContext] === true;
}

function validateContext(context) {
  if (!isContext(context)) throw invalidArgType("contextifiedObject", "an vm.Context", context); // Node's words for a type it cannot name
}

function validateRunOptions(options) {
  validateObject(options, "options");
  const { breakOnSigint = false, displayErrors = true, timeout } = options;
  validateBoolean(breakOnSigint, "options.breakOnSigint");
  validateBoolean(displayErrors, "options.displayErrors");
  if (timeout !== undefined) validateUint32(timeout, "options.timeout", true);
}

export class Script {
  cachedDataRejected = undefined;
  cachedDataProduced = undefined;
  cachedData = undefined;
  sourceMapURL = undefined;
  constructor(code, options = {}) {
    code = `${code}`;
    if (typeof options === "string") options = { filename: options };
    else validateObject(options, "options");
    const { filename = "evalmachine.<anonymous>", lineOffset = 0, columnOffset = 0, cachedData, produceCachedData = false, importModuleDynamically = false } = options;
    validateBoolean(importModuleDynamically, "options.importModuleDynamically");
    validateString(filename, "options.filename");
    validateInt32(lineOffset, "options.lineOffset");
    validateInt32(columnOffset, "options.columnOffset");
    if (cachedData !== undefined) validateBuffer(cachedData, "options.cachedData");
    validateBoolean(produceCachedData, "options.produceCachedData");
  }
  createCachedData() { return Buffer.alloc(0); }
  runInThisContext(options = {}) {
    validateRunOptions(options);
    throw notImplemented("runInThisContext");
  }
  runInContext(contextifiedObject, options = {}) {
    validateContext(contextifiedObject);
    validateRunOptions(options);
    throw notImplemented("runInThisContext"); // workerd's words for every run
  }
  runInNewContext(contextObject, options = {}) {
    return this.runInContext(createContext(contextObject, contextOptions(options)), options);
  }
}

function contextOptions(options) {
  if (!options) return {};
  const result = { name: options.contextName, origin: options.contextOrigin, codeGeneration: undefined, microtaskMode: options.microtaskMode };
  if (result.name !== undefined) validateString(result.name, "options.contextName");
  if (result.origin !== undefined) validateString(result.origin, "options.contextOrigin");
  if (options.contextCodeGeneration !== undefined) {
    validateObject(options.contextCodeGeneration, "options.contextCodeGeneration");
    const { strings, wasm } = options.contextCodeGeneration;
    if (strings !== undefined) validateBoolean(strings, "options.contextCodeGeneration.strings");
    if (wasm !== undefined) validateBoolean(wasm, "options.contextCodeGeneration.wasm");
    result.codeGeneration = { strings, wasm };
  }
  if (options.microtaskMode !== undefined) validateString(options.microtaskMode, "options.microtaskMode");
  return result;
}

export function createContext(contextObject = {}, options = {}) {
  if (contextObject !== constants.DONT_CONTEXTIFY && isContext(contextObject)) return contextObject;
  validateObject(options, "options");
  const { name = "VM Context", origin, codeGeneration, microtaskMode, importModuleDynamically = false } = options;
  validateString(name, "options.name");
  if (origin !== undefined) validateString(origin, "options.origin");
  if (codeGeneration !== undefined) validateObject(codeGeneration, "options.codeGeneration");
  validateBoolean(importModuleDynamically, "options.importModuleDynamically");
  if (codeGeneration !== undefined) {
    const { strings = true, wasm = true } = codeGeneration;
    validateBoolean(strings, "options.codeGeneration.strings");
    validateBoolean(wasm, "options.codeGeneration.wasm");
  }
  validateOneOf(microtaskMode, "options.microtaskMode", ["afterEvaluate", undefined]);
  // As workerd: a fresh null-prototype object marked as a context (the given object is not contextified).
  return Object.create(null, { [kContext]: { value: true } });
}

export function createScript(code, options = {}) { return new Script(code, options); }

export function runInContext(code, contextifiedObject, options = {}) {
  validateContext(contextifiedObject);
  if (typeof options === "string") options = { filename: options };
  return createScript(code, options).runInContext(contextifiedObject, options);
}

export function runInNewContext(code, contextObject, options) {
  options = typeof options === "string" ? { filename: options } : { ...options };
  contextObject = createContext(contextObject, contextOptions(options));
  return createScript(code, options).runInNewContext(contextObject, options);
}

export function runInThisContext(code, options = {}) {
  if (typeof options === "string") options = { filename: options };
  return createScript(code, options).runInThisContext(options);
}

export function compileFunction(code, params = [], options = {}) {
  validateString(code, "code");
  validateObject(options, "options");
  if (params !== undefined) validateStringArray(params, "params");
  const { filename = "", columnOffset = 0, lineOffset = 0, cachedData, produceCachedData = false, parsingContext, contextExtensions = [], importModuleDynamically = false } = options;
  validateString(filename, "options.filename");
  validateInt32(columnOffset, "options.columnOffset");
  validateInt32(lineOffset, "options.lineOffset");
  if (cachedData !== undefined) validateBuffer(cachedData, "options.cachedData");
  validateBoolean(produceCachedData, "options.produceCachedData");
  validateBoolean(importModuleDynamically, "options.importModuleDynamically");
  if (parsingContext !== undefined && (typeof parsingContext !== "object" || parsingContext === null || !isContext(parsingContext)))
    throw invalidArgType("options.parsingContext", "an instance of Context", parsingContext);
  validateArray(contextExtensions, "options.contextExtensions");
  contextExtensions.forEach((extension, i) => validateObject(extension, `options.contextExtensions[${i}]`, { nullable: true }));
  throw notImplemented("compileFunction");
}

export function measureMemory(options = {}) {
  validateObject(options, "options");
  const { mode = "summary", execution = "default" } = options;
  validateOneOf(mode, "options.mode", ["summary", "detailed"]);
  validateOneOf(execution, "options.execution", ["default", "eager"]);
  throw notImplemented("measureMemory");
}

export default { Script, createContext, createScript, runInContext, runInNewContext, runInThisContext, isContext, compileFunction, measureMemory, constants };
