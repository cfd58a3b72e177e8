// node:readline as workerd has it from 2026-03-17: no terminal, so the cursor helpers answer false and
// createInterface() gives a no-op Interface.
import { Interface } from "node-internal:readline_interfaces";
import * as promises from "node:readline/promises";

export { promises, Interface };
export function clearLine() { return false; }
export function clearScreenDown() { return false; }
export function createInterface() { return new Interface(); }
export function cursorTo() { return false; }
export function emitKeypressEvents() {}
export function moveCursor() { return false; }

export default { clearLine, clearScreenDown, createInterface, cursorTo, emitKeypressEvents, moveCursor, Interface, promises };
