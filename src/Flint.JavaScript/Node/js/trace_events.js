// node:trace_events as workerd has it from 2025-12-04: tracing objects that record enable()/disable() and
// trace nothing.
import bridge from "node-internal:bridge";
import { validateObject, validateStringArray } from "node-internal:validators";

const { nodeError, inspect } = bridge;

class Tracing {
  #categories;
  #enabled = false;
  constructor(categories) { this.#categories = categories; }
  enable() { this.#enabled = true; }
  disable() { this.#enabled = false; }
  get enabled() { return this.#enabled; }
  get categories() { return this.#categories.join(","); }
  [Symbol.for("nodejs.util.inspect.custom")](depth) {
    if (typeof depth === "number" && depth < 0) return this;
    return `Tracing ${inspect({ enabled: this.enabled, categories: this.categories })}`;
  }
}

export function createTracing(options) {
  validateObject(options, "options");
  validateStringArray(options.categories, "options.categories");
  if (options.categories.length <= 0) throw nodeError(TypeError, "ERR_TRACE_EVENTS_CATEGORY_REQUIRED", "At least one category is required");
  return new Tracing(options.categories);
}
export function getEnabledCategories() { return undefined; }

export default { createTracing, getEnabledCategories };
