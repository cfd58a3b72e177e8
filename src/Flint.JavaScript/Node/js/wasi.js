// node:wasi as workerd has it from 2025-12-04: a stub; the constructor checks Node's options, then throws
// ERR_METHOD_NOT_IMPLEMENTED.
import bridge from "node-internal:bridge";
import { validateArray, validateBoolean, validateInt32, validateObject, validateOneOf } from "node-internal:validators";

const { notImplemented } = bridge;

export class WASI {
  constructor(options = { version: "unstable" }) {
    validateObject(options, "options");
    validateOneOf(options.version, "options.version", ["unstable", "preview1"]);
    if (options.args !== undefined) validateArray(options.args, "options.args");
    if (options.env !== undefined) validateObject(options.env, "options.env");
    if (options.preopens !== undefined) validateObject(options.preopens, "options.preopens");
    const { stdin = 0, stdout = 1, stderr = 2 } = options;
    validateInt32(stdin, "options.stdin", 0);
    validateInt32(stdout, "options.stdout", 0);
    validateInt32(stderr, "options.stderr", 0);
    if (options.returnOnExit !== undefined) validateBoolean(options.returnOnExit, "options.returnOnExit");
    throw notImplemented("WASI");
  }
  finalizeBindings() { throw notImplemented("WASI.finalizeBindings"); }
  start() { throw notImplemented("WASI.start"); }
  initialize() { throw notImplemented("WASI.initialize"); }
  getImportObject() { return {}; }
}

export default { WASI };
