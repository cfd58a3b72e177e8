using Flint.JavaScript.Tests.Support;

namespace Flint.JavaScript.Tests.Web;

// Expected values were taken from workerd (compatibility date 2026-11-01).
public class DomExceptionTests
{
    [Fact]
    public Task DomExceptionMatchesWorkerd() => JsChecks.RunAsync("""
        check("name, message and legacy code", () => {
          const e = new DOMException("m", "AbortError");
          eq(e.name, "AbortError"); eq(e.message, "m"); eq(e.code, 20);
          eq(new DOMException("x", "DataCloneError").code, 25);
          eq(new DOMException("x", "NotAThing").code, 0);
        });
        check("defaults", () => {
          const e = new DOMException();
          eq(e.name, "Error"); eq(e.message, ""); eq(e.code, 0);
          eq(new DOMException(undefined, undefined).message, "");
          eq(new DOMException(null, null).name, "null"); eq(new DOMException(null).message, "null");
        });
        check("is an Error with a stack", () => {
          const e = new DOMException("m", "AbortError");
          ok(e instanceof Error, "instanceof Error"); ok(e instanceof DOMException);
          eq(Object.getPrototypeOf(DOMException.prototype), Error.prototype);
          eq(typeof e.stack, "string");
          ok(e.stack.startsWith("AbortError: m\n    at "), e.stack);
          ok(!e.stack.includes("new DOMException"), "constructor frames are hidden: " + e.stack);
          eq(String(e), "AbortError: m");
        });
        check("own properties like workerd", () => {
          const e = new DOMException("m", "AbortError");
          eq(Object.keys(e), ["code", "name", "message", "stack"]);
          eq(JSON.parse(JSON.stringify(e)).code, 20);
          const d = Object.getOwnPropertyDescriptor(e, "name");
          eq([d.writable, d.enumerable, d.configurable], [false, true, true]);
          eq(Object.getOwnPropertyDescriptor(e, "stack").enumerable, true);
          throws(() => { e.name = "x"; }, "TypeError");
        });
        check("toString tag", () => {
          eq(Object.prototype.toString.call(new DOMException("x")), "[object DOMException]");
          eq(Object.prototype.toString.call(DOMException.prototype), "[object DOMException]");
        });
        check("constants on constructor and prototype", () => {
          const table = { INDEX_SIZE_ERR: 1, DOMSTRING_SIZE_ERR: 2, HIERARCHY_REQUEST_ERR: 3, WRONG_DOCUMENT_ERR: 4,
            INVALID_CHARACTER_ERR: 5, NO_DATA_ALLOWED_ERR: 6, NO_MODIFICATION_ALLOWED_ERR: 7, NOT_FOUND_ERR: 8,
            NOT_SUPPORTED_ERR: 9, INUSE_ATTRIBUTE_ERR: 10, INVALID_STATE_ERR: 11, SYNTAX_ERR: 12,
            INVALID_MODIFICATION_ERR: 13, NAMESPACE_ERR: 14, INVALID_ACCESS_ERR: 15, VALIDATION_ERR: 16,
            TYPE_MISMATCH_ERR: 17, SECURITY_ERR: 18, NETWORK_ERR: 19, ABORT_ERR: 20, URL_MISMATCH_ERR: 21,
            QUOTA_EXCEEDED_ERR: 22, TIMEOUT_ERR: 23, INVALID_NODE_TYPE_ERR: 24, DATA_CLONE_ERR: 25 };
          for (const [k, v] of Object.entries(table)) { eq(DOMException[k], v, k); eq(DOMException.prototype[k], v, k); }
          const d = Object.getOwnPropertyDescriptor(DOMException, "ABORT_ERR");
          eq([d.writable, d.enumerable], [false, true]);
        });
        check("codes by name", () => {
          const names = ["IndexSizeError", "HierarchyRequestError", "WrongDocumentError", "InvalidCharacterError",
            "NoModificationAllowedError", "NotFoundError", "NotSupportedError", "InvalidStateError", "SyntaxError",
            "InvalidModificationError", "NamespaceError", "InvalidAccessError", "TypeMismatchError", "SecurityError",
            "NetworkError", "AbortError", "URLMismatchError", "QuotaExceededError", "TimeoutError",
            "InvalidNodeTypeError", "DataCloneError"];
          const codes = [1, 3, 4, 5, 7, 8, 9, 11, 12, 13, 14, 15, 17, 18, 19, 20, 21, 22, 23, 24, 25];
          names.forEach((n, i) => eq(new DOMException("", n).code, codes[i], n));
          eq(new DOMException("", "EncodingError").code, 0);
        });
        check("must be called with new", () => {
          throws(() => DOMException("x"), "TypeError", "Please use the 'new' operator");
          eq(DOMException.length, 0);
        });
        check("subclasses", () => {
          class Sub extends DOMException { constructor() { super("sm", "NotFoundError"); } }
          const s = new Sub();
          eq(s.name, "NotFoundError"); eq(s.code, 8); ok(s instanceof DOMException); ok(s instanceof Sub);
          ok(s.stack.startsWith("NotFoundError: sm\n    at new Sub"), s.stack);
        });
        check("thrown by platform code", () => {
          const e = throws(() => atob("*"), "InvalidCharacterError");
          ok(e instanceof DOMException); eq(e.code, 5);
        });
        """);
}
