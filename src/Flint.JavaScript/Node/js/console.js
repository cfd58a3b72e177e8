// node:console as workerd has it from 2025-09-21: the global console itself (default export), its methods
// bound to it, and Console / context / createTask that throw ERR_METHOD_NOT_IMPLEMENTED. Like workerd's,
// importing it gives the global console Node's private fields and those three members.
import bridge from "node-internal:bridge";

const { notImplemented, process } = bridge;
const globalConsole = globalThis.console;

export function Console() { throw notImplemented("Console"); }
export function context() { throw notImplemented("Console.context"); }
export function createTask() { throw notImplemented("Console.createTask"); }

const extras = {
  _times: new Map(), _ignoreErrors: true, _stderrErrorHandler: () => {}, _stdoutErrorHandler: () => {},
  _stderr: process().stderr, _stdout: process().stdout, Console, context, createTask,
};
if (Object.isExtensible(globalConsole)) {
  for (const [name, value] of Object.entries(extras)) if (!(name in globalConsole)) globalConsole[name] = value;
}

const bound = (name) => {
  const method = typeof globalConsole[name] === "function" ? globalConsole[name] : () => {};
  const fn = method.bind(globalConsole);
  Console.prototype[name] = fn;
  return fn;
};
export const log = bound("log"), info = bound("info"), debug = bound("debug"), warn = bound("warn"), error = bound("error");
export const dir = bound("dir"), time = bound("time"), timeEnd = bound("timeEnd"), timeLog = bound("timeLog"), trace = bound("trace");
export const assert = bound("assert"), clear = bound("clear"), count = bound("count"), countReset = bound("countReset");
export const group = bound("group"), groupEnd = bound("groupEnd"), table = bound("table"), dirxml = bound("dirxml");
export const groupCollapsed = bound("groupCollapsed"), profile = bound("profile"), profileEnd = bound("profileEnd"), timeStamp = bound("timeStamp");
Console.prototype.context = context;
Console.prototype.createTask = createTask;

export default globalConsole;
