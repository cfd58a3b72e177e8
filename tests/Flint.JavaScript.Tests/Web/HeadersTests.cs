using Flint.JavaScript.Tests.Support;

namespace Flint.JavaScript.Tests.Web;

public class HeadersTests
{
    [Fact]
    public Task HeadersFollowFetchSpec() => JsChecks.RunAsync("""
        check("case-insensitive get/has/delete", () => {
          const h = new Headers({ "Content-Type": "text/plain" });
          eq(h.get("content-type"), "text/plain"); eq(h.has("CONTENT-TYPE"), true);
          h.delete("Content-type"); eq(h.get("content-type"), null);
        });
        check("append combines with comma-space", () => {
          const h = new Headers(); h.append("a", "1"); h.append("A", "2"); eq(h.get("a"), "1, 2");
        });
        check("iteration is sorted and lowercased", () => {
          const h = new Headers([["b", "2"], ["A", "1"], ["c", "3"]]);
          eq([...h], [["a", "1"], ["b", "2"], ["c", "3"]]);
          eq([...h.keys()], ["a", "b", "c"]); eq([...h.values()], ["1", "2", "3"]);
        });
        check("set-cookie kept apart", () => {
          const h = new Headers(); h.append("Set-Cookie", "a=1"); h.append("set-cookie", "b=2"); h.append("x", "y");
          eq(h.getSetCookie(), ["a=1", "b=2"]);
          eq([...h], [["set-cookie", "a=1"], ["set-cookie", "b=2"], ["x", "y"]]);
          eq(h.get("set-cookie"), "a=1, b=2");
          eq(h.getAll("set-cookie"), ["a=1", "b=2"]);
        });
        check("values are trimmed", () => { const h = new Headers({ a: "  v \t" }); eq(h.get("a"), "v"); });
        check("invalid name and value", () => {
          throws(() => new Headers({ "bad name": "x" }), "TypeError", "Invalid header name");
          throws(() => new Headers({ a: "x\ny" }), "TypeError", "Invalid header value");
          throws(() => new Headers([["a"]]), "TypeError");
        });
        check("copy from Headers and record", () => {
          const a = new Headers({ x: "1" }); const b = new Headers(a); b.set("x", "2"); eq(a.get("x"), "1"); eq(b.get("x"), "2");
        });
        check("forEach order and arguments", () => {
          const seen = []; const h = new Headers({ b: "2", a: "1" });
          h.forEach((v, k, self) => seen.push([k, v, self === h])); eq(seen, [["a", "1", true], ["b", "2", true]]);
        });
        check("toStringTag and enumerable methods", () => {
          eq(Object.prototype.toString.call(new Headers()), "[object Headers]");
          ok(Object.keys(Headers.prototype).includes("append"));
        });
        check("missing arguments", () => { throws(() => new Headers().get(), "TypeError"); throws(() => new Headers().append("a"), "TypeError"); });
        check("immutable headers of an incoming request", async () => {
          // The Response.redirect guard is the same immutable guard an incoming request has.
          const r = Response.redirect("https://example.com/", 302);
          throws(() => r.headers.set("x", "1"), "TypeError", "Can't modify immutable headers.");
        });
        """);
}
