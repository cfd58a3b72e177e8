// node:events — EventEmitter from the npm `events` package with Node's additions (85_node.js).
import bridge from "node-internal:bridge";

const EventEmitter = bridge.events();
export default EventEmitter;
export { EventEmitter };
export const {
  once, on, errorMonitor, getEventListeners, setMaxListeners, listenerCount, addAbortListener, EventEmitterAsyncResource,
} = EventEmitter;
export const captureRejectionSymbol = Symbol.for("nodejs.rejection");
export const captureRejections = false;
export const usingDomains = false;
export const defaultMaxListeners = EventEmitter.defaultMaxListeners;
export function getMaxListeners(emitter) {
  return typeof emitter?.getMaxListeners === "function" ? emitter.getMaxListeners() : EventEmitter.defaultMaxListeners;
}
