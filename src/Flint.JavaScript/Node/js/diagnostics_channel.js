// node:diagnostics_channel — named channels with subscribers, as in Node.
import bridge from "node-internal:bridge";

const channels = new Map();

export class Channel {
  #subscribers = [];
  #stores = new Map();
  constructor(name) { this.name = name; }
  get hasSubscribers() { return this.#subscribers.length > 0 || this.#stores.size > 0; }
  subscribe(fn) {
    if (typeof fn !== "function") throw bridge.invalidArgType("subscription", "of type function", fn);
    this.#subscribers.push(fn);
  }
  unsubscribe(fn) {
    const i = this.#subscribers.indexOf(fn);
    if (i < 0) return false;
    this.#subscribers.splice(i, 1);
    return true;
  }
  publish(message) {
    for (const fn of this.#subscribers.slice()) {
      try { fn(message, this.name); } catch (e) { queueMicrotask(() => { throw e; }); }
    }
  }
  bindStore(store, transform) { this.#stores.set(store, transform); }
  unbindStore(store) { return this.#stores.delete(store); }
  runStores(data, fn, thisArg, ...args) {
    let run = () => { this.publish(data); return Reflect.apply(fn, thisArg, args); };
    for (const [store, transform] of this.#stores) {
      const inner = run;
      run = () => store.run(transform ? transform(data) : data, inner);
    }
    return run();
  }
}

export function channel(name) {
  if (typeof name !== "string" && typeof name !== "symbol") throw bridge.invalidArgType("channel", "of type string or symbol", name);
  let c = channels.get(name);
  if (c === undefined) channels.set(name, c = new Channel(name));
  return c;
}
export function hasSubscribers(name) { return channels.get(name)?.hasSubscribers ?? false; }
export function subscribe(name, fn) { channel(name).subscribe(fn); }
export function unsubscribe(name, fn) { return channel(name).unsubscribe(fn); }

export class TracingChannel {
  constructor(nameOrChannels) {
    const names = typeof nameOrChannels === "string"
      ? Object.fromEntries(["start", "end", "asyncStart", "asyncEnd", "error"].map((k) => [k, channel(`tracing:${nameOrChannels}:${k}`)]))
      : nameOrChannels;
    Object.assign(this, names);
  }
  get hasSubscribers() { return [this.start, this.end, this.asyncStart, this.asyncEnd, this.error].some((c) => c?.hasSubscribers); }
  subscribe(handlers) { for (const [k, fn] of Object.entries(handlers)) this[k]?.subscribe(fn); }
  unsubscribe(handlers) { let all = true; for (const [k, fn] of Object.entries(handlers)) all = (this[k]?.unsubscribe(fn) ?? false) && all; return all; }
  traceSync(fn, context = {}, thisArg, ...args) {
    this.start.publish(context);
    try { const result = Reflect.apply(fn, thisArg, args); context.result = result; return result; }
    catch (e) { context.error = e; this.error.publish(context); throw e; }
    finally { this.end.publish(context); }
  }
  tracePromise(fn, context = {}, thisArg, ...args) {
    this.start.publish(context);
    try {
      return Promise.resolve(Reflect.apply(fn, thisArg, args)).then(
        (result) => { context.result = result; this.asyncStart.publish(context); this.asyncEnd.publish(context); return result; },
        (e) => { context.error = e; this.error.publish(context); this.asyncStart.publish(context); this.asyncEnd.publish(context); throw e; });
    } finally { this.end.publish(context); }
  }
  traceCallback(fn, position = -1, context = {}, thisArg, ...args) {
    const callback = args.at(position);
    args.splice(position < 0 ? args.length + position : position, 1, (err, result) => {
      if (err) { context.error = err; this.error.publish(context); } else context.result = result;
      this.asyncStart.publish(context);
      try { return callback(err, result); } finally { this.asyncEnd.publish(context); }
    });
    return this.traceSync(fn, context, thisArg, ...args);
  }
}
export function tracingChannel(nameOrChannels) { return new TracingChannel(nameOrChannels); }

export default { channel, hasSubscribers, subscribe, unsubscribe, tracingChannel, Channel, TracingChannel };
