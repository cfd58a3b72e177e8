// node:domain as workerd has it from 2025-12-04: domains are not operational; run() calls the function,
// bind() and intercept() give the callback back, enter/exit/add/remove do nothing.
import { EventEmitter } from "node:events";

EventEmitter.usingDomains = false;

export class Domain extends EventEmitter {
  members = undefined;
  _errorHandler(error) { throw error; }
  enter() {}
  exit() {}
  add() {}
  remove() {}
  run(fn, ...args) {
    this.enter();
    const result = Reflect.apply(fn, this, args);
    this.exit();
    return result;
  }
  intercept(callback) { return callback; }
  bind(callback) { return callback; }
}

export function createDomain() { return new Domain(); }
export const create = createDomain();
export const active = null;

export default { Domain, active, createDomain, create };
