// node:timers/promises
function abortError(signal) {
  const e = new DOMException("The operation was aborted", "AbortError");
  e.cause = signal?.reason;
  Object.defineProperty(e, "code", { value: "ABORT_ERR", enumerable: true });
  return e;
}
function delayed(delay, value, options = {}) {
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(abortError(signal));
  return new Promise((resolve, reject) => {
    const id = globalThis.setTimeout(() => { signal?.removeEventListener("abort", onAbort); resolve(value); }, delay);
    const onAbort = () => { globalThis.clearTimeout(id); reject(abortError(signal)); };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
export function setTimeout(delay = 1, value, options) { return delayed(delay, value, options); }
export function setImmediate(value, options) { return delayed(0, value, options); }
export async function* setInterval(delay = 1, value, options = {}) {
  while (true) { yield await delayed(delay, value, options); }
}
export const scheduler = {
  wait: (delay, options) => delayed(delay, undefined, options),
  yield: () => delayed(0),
};
export default { setTimeout, setImmediate, setInterval, scheduler };
