// Scheduled events (cron triggers): the module Worker's scheduled(controller, env, ctx) handler,
// or the service-worker `scheduled` event, with workerd's ScheduledController (own `cron` and
// `scheduledTime`, `noRetry()` on its prototype). The outcome goes back once the handler settled;
// the event ends when its waitUntil work has too.

class ScheduledController {
  constructor() { throw new TypeError("Illegal constructor"); }
  noRetry() { this[kState].noRetry = true; }
}
webidlInterface(ScheduledController);

function makeScheduledController(cron, scheduledTime, event) {
  const controller = Object.create(ScheduledController.prototype);
  Object.defineProperty(controller, kState, { value: event });
  controller.cron = cron;
  controller.scheduledTime = scheduledTime;
  return controller;
}

class ScheduledEvent extends Event {
  constructor() { throw new TypeError("Illegal constructor"); }
}

// The event's own state (kState holds the Event's).
const kScheduledEvent = internalSymbol("flint.scheduledEvent");

function makeScheduledEvent(cron, scheduledTime, event) {
  const e = Reflect.construct(Event, ["scheduled"], ScheduledEvent);
  Object.defineProperty(e, kScheduledEvent, { value: event });
  Object.defineProperties(e, {
    cron: { value: cron, enumerable: true },
    scheduledTime: { value: scheduledTime, enumerable: true },
  });
  return e;
}
Object.defineProperties(ScheduledEvent.prototype, {
  noRetry: { value: function noRetry() { this[kScheduledEvent].noRetry = true; }, enumerable: true, writable: true, configurable: true },
  waitUntil: { value: function waitUntil(promise) { this[kScheduledEvent].waitUntil(promise); }, enumerable: true, writable: true, configurable: true },
  [Symbol.toStringTag]: { value: "ScheduledEvent", configurable: true },
});

function dispatchScheduled(id, cron, scheduledTime) {
  const event = new EventState(id);
  event.noRetry = false;
  currentEvent = event;
  const finish = (ok, e) => {
    const text = ok ? "" : errorText(e);
    if (!ok) ops.log(LOG.error, `Uncaught ${text}`);
    ops.scheduledOutcome(id, ok, event.noRetry, text);
    event.finishWhenSettled();
  };
  let result;
  try {
    result = invokeScheduledHandler(cron, scheduledTime, event);
  } catch (e) {
    finish(false, e);
    return;
  }
  Promise.resolve(result).then(() => finish(true), (e) => finish(false, e));
}

function invokeScheduledHandler(cron, scheduledTime, event) {
  if (worker === null) throw new Error("The Worker has not finished loading.");
  if (worker.kind === "module") {
    const handler = worker.exports.default;
    if (typeof handler === "function" && handler.prototype instanceof WorkerEntrypoint) {
      const instance = new handler(event.context(), env);
      if (typeof instance.scheduled !== "function") throw new Error("Handler does not export a scheduled() function.");
      return instance.scheduled(makeScheduledController(cron, scheduledTime, event));
    }
    if (handler === undefined || handler === null || typeof handler.scheduled !== "function") {
      throw new Error("Handler does not export a scheduled() function.");
    }
    return handler.scheduled(makeScheduledController(cron, scheduledTime, event), env, event.context());
  }
  const listeners = typeof globalEventListeners === "function" ? globalEventListeners("scheduled") : (swListeners.get("scheduled") || []);
  if (listeners.length === 0) throw new Error("No event handlers were registered for \"scheduled\". This script does nothing.");
  const scheduledEvent = makeScheduledEvent(cron, scheduledTime, event);
  for (const listener of listeners) {
    if (typeof listener === "function") listener.call(globalThis, scheduledEvent);
    else listener.handleEvent(scheduledEvent);
  }
  return undefined;
}
