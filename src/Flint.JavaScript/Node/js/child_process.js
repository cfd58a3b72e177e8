// node:child_process as workerd has it from 2026-03-17: a Worker starts no processes, so every entry point
// throws ERR_METHOD_NOT_IMPLEMENTED (after Node's argument checks where workerd makes them).
import bridge from "node-internal:bridge";
import { EventEmitter } from "node:events";
import { validateArray, validateObject, validateString } from "node-internal:validators";

const { notImplemented, invalidArgType } = bridge;

export class ChildProcess extends EventEmitter {
  stdin = null;
  stdout = null;
  stderr = null;
  killed = false;
  stdio = [null, null, null, null, null];
  connected = false;
  exitCode = null;
  signalCode = null;
  spawnargs = [];
  constructor() {
    super();
    throw notImplemented("child_process.ChildProcess");
  }
  kill() { return false; }
  send() { return false; }
  disconnect() {}
  unref() {}
  ref() {}
  [Symbol.dispose]() { this.kill(); }
}

export function _forkChild() { throw notImplemented("child_process._forkChild"); }
export function exec(command, options, callback) {
  validateString(command, "command");
  if (options != null) validateObject(options, "options");
  if (callback != null && typeof callback !== "function") throw invalidArgType("callback", "of type function", callback);
  throw notImplemented("child_process.exec");
}
export function execFile() { throw notImplemented("child_process.execFile"); }
export function execFileSync() { throw notImplemented("child_process.execFileSync"); }
export function execSync() { throw notImplemented("child_process.execSync"); }
export function fork(modulePath, args, options) {
  if (args == null) args = [];
  else if (typeof args === "object" && !Array.isArray(args)) { options = args; args = []; }
  else validateArray(args, "args");
  if (options != null) validateObject(options, "options");
  throw notImplemented("child_process.fork");
}
export function spawn() { throw notImplemented("child_process.spawn"); }
export function spawnSync(command) {
  validateString(command, "command");
  throw notImplemented("child_process.spawnSync");
}

export default { ChildProcess, _forkChild, exec, execFile, execFileSync, execSync, fork, spawn, spawnSync };
