// Node's argument validators (lib/internal/validators.js) with Node's words, for the node: modules.
import bridge from "node-internal:bridge";

const { nodeError, invalidArgType } = bridge;
const what = (name) => (name.includes(".") || name.includes("[") ? "property" : "argument");
const shown = (value) => (typeof value === "string" ? `'${value}'` : String(value));

export function validateObject(value, name, { allowArray = false, nullable = false } = {}) {
  if ((!nullable && value === null) || (!allowArray && Array.isArray(value)) || (typeof value !== "object" && typeof value !== "function") || (value === null && !nullable))
    throw invalidArgType(name, "of type object", value);
}
export function validateString(value, name) {
  if (typeof value !== "string") throw invalidArgType(name, "of type string", value);
}
export function validateBoolean(value, name) {
  if (typeof value !== "boolean") throw invalidArgType(name, "of type boolean", value);
}
export function validateArray(value, name) {
  if (!Array.isArray(value)) throw invalidArgType(name, "an instance of Array", value);
}
export function validateStringArray(value, name) {
  validateArray(value, name);
  for (let i = 0; i < value.length; i++) validateString(value[i], `${name}[${i}]`);
}
export function validateBuffer(value, name) {
  if (!ArrayBuffer.isView(value)) throw invalidArgType(name, "an instance of Buffer, TypedArray, or DataView", value);
}
function validateIntegerIn(value, name, min, max, range = `>= ${min} && <= ${max}`) {
  if (typeof value !== "number") throw invalidArgType(name, "of type number", value);
  if (!Number.isInteger(value)) throw nodeError(RangeError, "ERR_OUT_OF_RANGE", `The value of "${name}" is out of range. It must be an integer. Received ${value}`);
  if (value < min || value > max) throw nodeError(RangeError, "ERR_OUT_OF_RANGE", `The value of "${name}" is out of range. It must be ${range}. Received ${value}`);
}
export function validateInt32(value, name, min = -2147483648) { validateIntegerIn(value, name, min, 2147483647); }
export function validateUint32(value, name, positive = false) {
  validateIntegerIn(value, name, positive ? 1 : 0, 4294967295, `>= ${positive ? 1 : 0} && < 4294967296`);
}
export function validateOneOf(value, name, allowed) {
  if (!allowed.includes(value))
    throw nodeError(TypeError, "ERR_INVALID_ARG_VALUE", `The ${what(name)} '${name}' must be one of: ${allowed.map(shown).join(", ")}. Received ${shown(value)}`);
}
