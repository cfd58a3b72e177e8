// DOMException (Web IDL). Shaped like workerd's: the prototype chain runs through
// Error.prototype (so `instanceof Error` holds and a stack is captured), `code`, `name` and
// `message` are read-only own properties, `stack` is an enumerable own property, and the
// legacy code constants sit on both the constructor and the prototype.

const DOM_EXCEPTION_TABLE = [
  ["INDEX_SIZE_ERR", 1, "IndexSizeError"],
  ["DOMSTRING_SIZE_ERR", 2, "DOMStringSizeError"],
  ["HIERARCHY_REQUEST_ERR", 3, "HierarchyRequestError"],
  ["WRONG_DOCUMENT_ERR", 4, "WrongDocumentError"],
  ["INVALID_CHARACTER_ERR", 5, "InvalidCharacterError"],
  ["NO_DATA_ALLOWED_ERR", 6, "NoDataAllowedError"],
  ["NO_MODIFICATION_ALLOWED_ERR", 7, "NoModificationAllowedError"],
  ["NOT_FOUND_ERR", 8, "NotFoundError"],
  ["NOT_SUPPORTED_ERR", 9, "NotSupportedError"],
  ["INUSE_ATTRIBUTE_ERR", 10, "InUseAttributeError"],
  ["INVALID_STATE_ERR", 11, "InvalidStateError"],
  ["SYNTAX_ERR", 12, "SyntaxError"],
  ["INVALID_MODIFICATION_ERR", 13, "InvalidModificationError"],
  ["NAMESPACE_ERR", 14, "NamespaceError"],
  ["INVALID_ACCESS_ERR", 15, "InvalidAccessError"],
  ["VALIDATION_ERR", 16, "ValidationError"],
  ["TYPE_MISMATCH_ERR", 17, "TypeMismatchError"],
  ["SECURITY_ERR", 18, "SecurityError"],
  ["NETWORK_ERR", 19, "NetworkError"],
  ["ABORT_ERR", 20, "AbortError"],
  ["URL_MISMATCH_ERR", 21, "URLMismatchError"],
  ["QUOTA_EXCEEDED_ERR", 22, "QuotaExceededError"],
  ["TIMEOUT_ERR", 23, "TimeoutError"],
  ["INVALID_NODE_TYPE_ERR", 24, "InvalidNodeTypeError"],
  ["DATA_CLONE_ERR", 25, "DataCloneError"],
];
const DOM_EXCEPTION_CODES = new Map(DOM_EXCEPTION_TABLE.map(([, code, name]) => [name, code]));

function DOMException(message = undefined, name = undefined) {
  if (new.target === undefined) {
    throw new TypeError("Failed to construct 'DOMException': Please use the 'new' operator, this object constructor cannot be called as a function.");
  }
  message = message === undefined ? "" : `${message}`;
  name = name === undefined ? "Error" : `${name}`;
  const fixed = { writable: false, enumerable: true, configurable: true };
  Object.defineProperty(this, "code", { ...fixed, value: DOM_EXCEPTION_CODES.get(name) ?? 0 });
  Object.defineProperty(this, "name", { ...fixed, value: name });
  Object.defineProperty(this, "message", { ...fixed, value: message });
  // The stack's first line is "name: message", so capture after those are set. Frames of the
  // constructor itself are left out, as they are for a native constructor.
  Error.captureStackTrace(this, DOMException);
  Object.defineProperty(this, "stack", { enumerable: true });
}
Object.setPrototypeOf(DOMException.prototype, Error.prototype);
for (const [constant, code] of DOM_EXCEPTION_TABLE) {
  const desc = { value: code, writable: false, enumerable: true, configurable: true };
  Object.defineProperty(DOMException, constant, desc);
  Object.defineProperty(DOMException.prototype, constant, desc);
}
Object.defineProperty(DOMException.prototype, Symbol.toStringTag, { value: "DOMException", writable: true, configurable: true });
defineGlobal("DOMException", DOMException);

/** True for a DOMException made by the constructor (or a subclass of it). */
function isDOMException(v) {
  return v !== null && typeof v === "object" && DOMException.prototype.isPrototypeOf(v);
}
