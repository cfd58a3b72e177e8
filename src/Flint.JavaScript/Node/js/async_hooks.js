// node:async_hooks — AsyncLocalStorage and AsyncResource as workerd has them. The store follows
// await, promise reactions, queueMicrotask and timers: frames live in V8's continuation-preserved
// embedder data (see 08_async_context.js and Node/ContinuationData.cs).
import bridge from "node-internal:bridge";

const { current, run } = bridge.asyncContext;

function requireFunction(fn, method, className) {
  if (typeof fn !== "function") {
    throw new TypeError(`undefined: Failed to execute '${method}' on '${className}': parameter ${method === "run" ? 2 : 1} is not of type 'function'.`);
  }
}

function withStore(frame, key, store) {
  const next = new Map(frame ?? []);
  next.set(key, store);
  return next;
}

export class AsyncLocalStorage {
  #name;
  constructor(options = {}) {
    this.#name = typeof options?.name === "string" ? options.name : "";
  }
  get name() { return this.#name; }

  run(store, callback, ...args) {
    requireFunction(callback, "run", "AsyncLocalStorage");
    return run(withStore(current(), this, store), callback, undefined, args);
  }

  exit(callback, ...args) {
    requireFunction(callback, "exit", "AsyncLocalStorage");
    const next = new Map(current() ?? []);
    next.delete(this);
    return run(next, callback, undefined, args);
  }

  getStore() {
    return current()?.get(this);
  }

  enterWith() {
    throw new Error("asyncLocalStorage.enterWith() is not implemented");
  }

  disable() {
    throw new Error("asyncLocalStorage.disable() is not implemented");
  }

  /** A function that runs its argument in the frame current now. */
  static snapshot() {
    const frame = current();
    return function runInAsyncScope(fn, ...args) {
      return run(frame, fn, this, args);
    };
  }

  static bind(fn) {
    return AsyncResource.bind(fn);
  }
}

let nextAsyncId = 1;

export class AsyncResource {
  #frame;
  #asyncId;
  #triggerAsyncId;
  constructor(type, options = {}) {
    this.#frame = current();
    this.#asyncId = nextAsyncId++;
    this.#triggerAsyncId = typeof options === "object" && typeof options?.triggerAsyncId === "number" ? options.triggerAsyncId : 0;
  }
  asyncId() { return this.#asyncId; }
  triggerAsyncId() { return this.#triggerAsyncId; }
  runInAsyncScope(fn, thisArg, ...args) {
    requireFunction(fn, "runInAsyncScope", "AsyncResource");
    return run(this.#frame, fn, thisArg, args);
  }
  bind(fn, thisArg) {
    requireFunction(fn, "bind", "AsyncResource");
    const resource = this;
    const bound = function (...args) { return resource.runInAsyncScope(fn, thisArg === undefined ? this : thisArg, ...args); };
    Object.defineProperties(bound, {
      length: { value: fn.length, configurable: true },
      asyncResource: { value: this, configurable: true, enumerable: true, writable: true },
    });
    return bound;
  }
  emitDestroy() { return this; }
  static bind(fn, type, thisArg) {
    return new AsyncResource(type || fn.name || "bound-anonymous-fn").bind(fn, thisArg);
  }
}

class AsyncHook {
  enable() { return this; }
  disable() { return this; }
}

export function createHook() { return new AsyncHook(); }
export function executionAsyncId() { return 0; }
export function executionAsyncResource() { return Object.create(null); }
export function triggerAsyncId() { return 0; }
export const asyncWrapProviders = Object.freeze(Object.fromEntries([
  "NONE", "DIRHANDLE", "DNSCHANNEL", "ELDHISTOGRAM", "FILEHANDLE", "FILEHANDLECLOSEREQ", "BLOBREADER", "FSEVENTWRAP",
  "FSREQCALLBACK", "FSREQPROMISE", "GETADDRINFOREQWRAP", "GETNAMEINFOREQWRAP", "HEAPSNAPSHOT", "HTTP2SESSION",
  "HTTP2STREAM", "HTTP2PING", "HTTP2SETTINGS", "HTTPINCOMINGMESSAGE", "HTTPCLIENTREQUEST", "JSSTREAM", "JSUDPWRAP",
  "MESSAGEPORT", "PIPECONNECTWRAP", "PIPESERVERWRAP", "PIPEWRAP", "PROCESSWRAP", "PROMISE", "QUERYWRAP",
  "SHUTDOWNWRAP", "SIGNALWRAP", "STATWATCHER", "STREAMPIPE", "TCPCONNECTWRAP", "TCPSERVERWRAP", "TCPWRAP",
  "TTYWRAP", "UDPSENDWRAP", "UDPWRAP", "SIGINTWATCHDOG", "WORKER", "WRITEWRAP", "ZLIB",
].map((n) => [n, 0])));

export default {
  AsyncLocalStorage, AsyncResource, asyncWrapProviders, createHook, executionAsyncId, executionAsyncResource, triggerAsyncId,
};
