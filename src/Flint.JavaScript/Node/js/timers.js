// node:timers — the global timers (numbers as handles, as Flint's globals give them; Node's Timeout
// objects under enable_nodejs_global_timers are not implemented yet).
export const { setTimeout, clearTimeout, setInterval, clearInterval, setImmediate, clearImmediate } = globalThis;
import promises from "node:timers/promises";
export { promises };
export default { setTimeout, clearTimeout, setInterval, clearInterval, setImmediate, clearImmediate, promises };
