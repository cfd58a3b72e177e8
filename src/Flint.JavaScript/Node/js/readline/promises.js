// node:readline/promises as workerd has it from 2026-03-17: no-op interfaces (see internal/readline_interfaces.js).
import { PromisesInterface as Interface, Readline } from "node-internal:readline_interfaces";

export { Interface, Readline };
export function createInterface() { return new Interface(); }

export default { Interface, Readline, createInterface };
