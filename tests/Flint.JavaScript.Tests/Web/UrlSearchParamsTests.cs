using Flint.JavaScript.Tests.Support;

namespace Flint.JavaScript.Tests.Web;

// Every expectation here was also checked against workerd (npm workerd 1.20261117.1,
// compatibility date 2025-09-01); the rest come from the WHATWG URL Standard.
public class UrlSearchParamsTests
{
    private const string Helpers = """
        const pairs = (sp) => [...sp];
        """;

    [Fact]
    public Task ConstructorAcceptsStringPairsAndRecord() => JsChecks.RunAsync(Helpers + """
        check("constructor from a string", () => {
          eq(pairs(new URLSearchParams("a=1&b=2&a=3")), [["a", "1"], ["b", "2"], ["a", "3"]]);
          eq(pairs(new URLSearchParams("?a=1")), [["a", "1"]]);
          eq(pairs(new URLSearchParams("??a=1")), [["?a", "1"]]);
          eq(pairs(new URLSearchParams("")), []); eq(pairs(new URLSearchParams()), []);
          eq(pairs(new URLSearchParams("&&a&=b&c=&=&d==e")), [["a", ""], ["", "b"], ["c", ""], ["", ""], ["d", "=e"]]);
          eq(pairs(new URLSearchParams("a+b=c+d%2B%20")), [["a b", "c d+ "]]);
          eq(pairs(new URLSearchParams("%zz=%4=%e2%82&x=%F0%9F%98%80&y=%C3%A9%C3")), [["%zz", "%4=\uFFFD"], ["x", "😀"], ["y", "é\uFFFD"]]);
          eq(pairs(new URLSearchParams("a=%EF%BB%BFx")), [["a", "\uFEFFx"]]);
          eq(pairs(new URLSearchParams("é=ü&\ud800=1")), [["é", "ü"], ["\uFFFD", "1"]]);
          eq(pairs(new URLSearchParams(null)), [["null", ""]]); eq(pairs(new URLSearchParams(123)), [["123", ""]]);
        });
        check("constructor from pairs", () => {
          eq(pairs(new URLSearchParams([["a", "1"], ["b", 2], ["a", null]])), [["a", "1"], ["b", "2"], ["a", "null"]]);
          eq(pairs(new URLSearchParams(new Map([["x", "y"]]))), [["x", "y"]]);
          eq(pairs(new URLSearchParams(new URLSearchParams("a=1&b=2"))), [["a", "1"], ["b", "2"]]);
          eq(pairs(new URLSearchParams([new Set(["k", "v"])])), [["k", "v"]]);
          eq(pairs(new URLSearchParams((function* () { yield ["g", "1"]; })())), [["g", "1"]]);
          throws(() => new URLSearchParams([["a"]]), "TypeError", "Invalid URL search params sequence.");
          throws(() => new URLSearchParams([["a", "b", "c"]]), "TypeError", "Invalid URL search params sequence.");
          throws(() => new URLSearchParams([1]), "TypeError", "Incorrect type: the provided value is not of type 'Sequence'.");
          throws(() => new URLSearchParams(["ab"]), "TypeError", "Incorrect type: the provided value is not of type 'Sequence'.");
        });
        check("constructor from a record", () => {
          eq(pairs(new URLSearchParams({ a: 1, b: [1, 2], "c d": "e&f" })), [["a", "1"], ["b", "1,2"], ["c d", "e&f"]]);
          eq(pairs(new URLSearchParams({ [Symbol("s")]: 1, x: "y" })), [["x", "y"]]);
          const o = Object.create({ inherited: 1 }); o.own = 2; Object.defineProperty(o, "hidden", { value: 3 });
          eq(pairs(new URLSearchParams(o)), [["own", "2"]]);
          eq(pairs(new URLSearchParams({ "\ud800": "a", "\udc00": "b" })), [["\uFFFD", "b"]]);
          eq(pairs(new URLSearchParams(function () {})), []);
        });
        """);

    [Fact]
    public Task MethodsFollowTheStandard() => JsChecks.RunAsync(Helpers + """
        check("append, get, getAll, has", () => {
          const sp = new URLSearchParams();
          sp.append("a", "1"); sp.append("a", 2); sp.append("b", undefined);
          eq(sp.get("a"), "1"); eq(sp.getAll("a"), ["1", "2"]); eq(sp.get("b"), "undefined"); eq(sp.get("z"), null);
          eq(sp.getAll("z"), []);
          eq(sp.has("a"), true); eq(sp.has("z"), false);
          eq(sp.has("a", "2"), true); eq(sp.has("a", "3"), false); eq(sp.has("a", undefined), true);
          eq(new URLSearchParams("undefined=1").get(undefined), "1");
        });
        check("delete with and without a value", () => {
          const sp = new URLSearchParams("a=1&b=2&a=3&a=1");
          sp.delete("a", "1"); eq(sp.toString(), "b=2&a=3");
          sp.delete("a", undefined); eq(sp.toString(), "b=2");
          sp.delete("missing"); eq(sp.toString(), "b=2");
          sp.delete("b"); eq(sp.toString(), ""); eq(sp.size, 0);
        });
        check("set replaces the first and drops the rest", () => {
          const sp = new URLSearchParams("a=1&b=2&a=3&c=4");
          sp.set("a", "9"); eq(sp.toString(), "a=9&b=2&c=4");
          sp.set("d", "5"); eq(sp.toString(), "a=9&b=2&c=4&d=5");
        });
        check("sort is stable and by UTF-16 code units", () => {
          const sp = new URLSearchParams("z=1&a=2&\uD83D\uDE00=3&\uFFFD=4&a=1&A=0&=e");
          sp.sort();
          eq(pairs(sp), [["", "e"], ["A", "0"], ["a", "2"], ["a", "1"], ["z", "1"], ["😀", "3"], ["\uFFFD", "4"]]);
          const big = new URLSearchParams();
          for (let i = 0; i < 50; i++) big.append(i % 2 ? "b" : "a", String(i));
          big.sort();
          eq(big.getAll("a").join(), Array.from({ length: 25 }, (_, i) => String(2 * i)).join());
        });
        check("size", () => {
          eq(new URLSearchParams("a=1&b=2&a=3").size, 3); eq(new URLSearchParams().size, 0);
          eq(typeof Object.getOwnPropertyDescriptor(URLSearchParams.prototype, "size").get, "function");
        });
        check("toString uses application/x-www-form-urlencoded", () => {
          eq(new URLSearchParams({ k: " ~!'()*-._%&=+,/:;@$é\u0000" }).toString(), "k=+%7E%21%27%28%29*-._%25%26%3D%2B%2C%2F%3A%3B%40%24%C3%A9%00");
          eq(new URLSearchParams([["a b", "c\nd"], ["😀", "\ud800"]]).toString(), "a+b=c%0Ad&%F0%9F%98%80=%EF%BF%BD");
          eq(new URLSearchParams("a=b+c").toString(), "a=b+c");
          eq(new URLSearchParams("a=b%20c").toString(), "a=b+c");
          eq(new URLSearchParams([["", ""]]).toString(), "=");
          eq(String(new URLSearchParams("x=1")), "x=1");
        });
        """);

    [Fact]
    public Task IterationIsLive() => JsChecks.RunAsync(Helpers + """
        check("iteration: entries, keys, values, Symbol.iterator, forEach", () => {
          const sp = new URLSearchParams("a=1&b=2");
          eq([...sp.entries()], [["a", "1"], ["b", "2"]]); eq([...sp.keys()], ["a", "b"]); eq([...sp.values()], ["1", "2"]);
          const it = sp[Symbol.iterator]();
          eq(it.next(), { done: false, value: ["a", "1"] });
          eq(Object.prototype.toString.call(sp.keys()), "[object KeyIterator]");
          eq(Object.prototype.toString.call(sp.values()), "[object ValueIterator]");
          eq(Object.prototype.toString.call(sp.entries()), "[object EntryIterator]");
          ok(typeof it[Symbol.iterator] === "function" && it[Symbol.iterator]() === it);
          const seen = [];
          sp.forEach(function (value, key, self) { seen.push([value, key, self === sp, this]); }, 7);
          eq(seen, [["1", "a", true, 7], ["2", "b", true, 7]]);
        });
        check("iterators and forEach see changes made during iteration", () => {
          const sp = new URLSearchParams("a=1&b=2");
          const keys = [];
          for (const [k] of sp) { keys.push(k); if (k === "a") sp.append("c", "3"); }
          eq(keys, ["a", "b", "c"]);
          const it = sp.keys(); sp.delete("a"); eq([...it], ["b", "c"]);
          const each = []; sp.forEach((v, k) => { each.push(k); if (k === "b") sp.delete("c"); }); eq(each, ["b"]);
        });
        """);

    [Fact]
    public Task ErrorsAndShapeMatchWorkerd() => JsChecks.RunAsync(Helpers + """
        check("missing arguments and wrong types", () => {
          const sp = new URLSearchParams();
          throws(() => sp.get(), "TypeError", "Failed to execute 'get' on 'URLSearchParams': parameter 1 is not of type 'USVString'.");
          throws(() => sp.getAll(), "TypeError", "Failed to execute 'getAll' on 'URLSearchParams': parameter 1 is not of type 'USVString'.");
          throws(() => sp.has(), "TypeError", "Failed to execute 'has' on 'URLSearchParams': parameter 1 is not of type 'USVString'.");
          throws(() => sp.delete(), "TypeError", "Failed to execute 'delete' on 'URLSearchParams': parameter 1 is not of type 'USVString'.");
          throws(() => sp.append("a"), "TypeError", "Failed to execute 'append' on 'URLSearchParams': parameter 2 is not of type 'USVString'.");
          throws(() => sp.set("a"), "TypeError", "Failed to execute 'set' on 'URLSearchParams': parameter 2 is not of type 'USVString'.");
          throws(() => sp.forEach(), "TypeError", "Failed to execute 'forEach' on 'URLSearchParams': parameter 1 is not of type 'function'.");
          throws(() => URLSearchParams.prototype.get.call({}, "a"), "TypeError", "Illegal invocation");
          throws(() => sp.keys().next.call({}), "TypeError", "Illegal invocation");
          throws(() => sp.get(Symbol()), "TypeError", "Cannot convert a Symbol value to a string");
          throws(() => new URLSearchParams([[Symbol(), "x"]]), "TypeError", "Cannot convert a Symbol value to a string");
          throws(() => URLSearchParams.prototype.keys.call(new URL("http://h/")), "TypeError", "Illegal invocation");
          throws(() => URLSearchParams(), "TypeError");
        });
        check("interface shape", () => {
          eq(Object.prototype.toString.call(new URLSearchParams()), "[object URLSearchParams]");
          eq(Object.keys(URLSearchParams.prototype), ["size", "append", "delete", "get", "getAll", "has", "set", "sort", "entries", "keys", "values", "forEach", "toString"]);
          eq(URLSearchParams.length, 0);
          class Params extends URLSearchParams { first() { return [...this][0]; } }
          eq(new Params("q=1").first(), ["q", "1"]);
        });
        """);

    [Fact]
    public Task WorksWithUrlAndBodies() => JsChecks.RunAsync(Helpers + """
        check("a URLSearchParams body is form-urlencoded", async () => {
          const r = new Request("https://h/", { method: "POST", body: new URLSearchParams({ a: "1 2", b: "é" }) });
          eq(r.headers.get("content-type"), "application/x-www-form-urlencoded;charset=UTF-8");
          eq(await r.text(), "a=1+2&b=%C3%A9");
          const res = new Response(new URLSearchParams("x=y"));
          eq(res.headers.get("content-type"), "application/x-www-form-urlencoded;charset=UTF-8");
          eq(await res.text(), "x=y");
        });
        check("a URL's params object survives URL changes and stays linked", () => {
          const u = new URL("http://h/?a=1");
          const sp = u.searchParams;
          u.href = "http://h/?b=2"; eq(sp.toString(), "b=2");
          u.search = "c=3"; eq(sp.get("c"), "3");
          sp.append("d", "4"); eq(u.search, "?c=3&d=4");
          const detached = new URLSearchParams(sp); detached.append("e", "5"); eq(u.search, "?c=3&d=4");
        });
        """);
}
