using Flint.JavaScript.Tests.Support;

namespace Flint.JavaScript.Tests.Web;

/// <summary>
/// URLPattern against the WHATWG URL Pattern Standard. Expectations were compared with workerd; where
/// workerd departs from the standard (group order, a few pattern strings), the standard is expected.
/// </summary>
public class UrlPatternTests
{
    /// <summary>The examples of the URL Pattern Standard's introduction and pattern-string section.</summary>
    [Fact]
    public Task SpecExamples() => JsChecks.RunAsync("""
        check("spec example: https://example.com/:category/*", () => {
          const p = new URLPattern("https://example.com/:category/*");
          eq([p.protocol, p.username, p.password, p.hostname, p.port, p.pathname, p.search, p.hash],
            ["https", "*", "*", "example.com", "", "/:category/*", "*", "*"]);
          ok(p.test("https://example.com/products/"));
          ok(p.test("https://example.com/blog/our-greatest-product-ever"));
          eq(p.test("https://example.com/"), false);
          eq(p.test("http://example.com/products/"), false);
          eq(p.test("https://example.com:8443/blog/our-greatest-product-ever"), false);
          eq(p.exec("https://example.com/blog/our-greatest-product-ever").pathname.groups, { 0: "our-greatest-product-ever", category: "blog" });
        });
        check("spec example: optional parts and a regexp group", () => {
          const p = new URLPattern("http{s}?://{:subdomain.}?shop.example/products/:id([0-9]+)#reviews");
          eq([p.protocol, p.username, p.password, p.hostname, p.port, p.pathname, p.search, p.hash],
            ["http{s}?", "*", "*", "{:subdomain.}?shop.example", "", "/products/:id([0-9]+)", "", "reviews"]);
          ok(p.test("https://shop.example/products/74205#reviews"));
          ok(p.test("https://kathryn@voyager.shop.example/products/74656#reviews"));
          ok(p.test("http://insecure.shop.example/products/1701#reviews"));
          eq(p.test("https://shop.example/products/2000"), false);
          eq(p.test("http://shop.example:8080/products/0#reviews"), false);
          eq(p.test("https://nx.shop.example/products/01?speed=5#reviews"), false);
          eq(p.test("https://shop.example/products/chair#reviews"), false);
          const r = p.exec("https://kathryn@voyager.shop.example/products/74656#reviews");
          eq(r.hostname.groups, { subdomain: "voyager" });
          eq(r.pathname.groups, { id: "74656" });
          eq(p.exec("https://shop.example/products/1#reviews").hostname.groups.subdomain, undefined);
          eq(p.hasRegExpGroups, true);
        });
        check("spec example: relative pattern resolved against a base URL", () => {
          const p = new URLPattern("../admin/*", "https://discussion.example/forum/?page=2");
          eq([p.protocol, p.username, p.password, p.hostname, p.port, p.pathname, p.search, p.hash],
            ["https", "*", "*", "discussion.example", "", "/admin/*", "*", "*"]);
          ok(p.test("https://discussion.example/admin/"));
          ok(p.test("https://edd:librarian@discussion.example/admin/update?id=1"));
          eq(p.test("https://discussion.example/forum/admin/"), false);
          eq(p.test("http://discussion.example:8080/admin/update?id=1"), false);
        });
        check("spec example: pathname patterns", () => {
          const blog = new URLPattern({ pathname: "/blog/:title" });
          ok(blog.test({ pathname: "/blog/hello-world" }));
          eq(blog.test({ pathname: "/blog/2012/02" }), false);
          const dated = new URLPattern({ pathname: "/blog/:year(\\d+)/:month(\\d+)" });
          eq(dated.exec({ pathname: "/blog/2012/02" }).pathname.groups, { year: "2012", month: "02" });
          const product = new URLPattern({ pathname: "/products/:id?" });
          ok(product.test({ pathname: "/products" })); ok(product.test({ pathname: "/products/2" }));
          eq(product.test({ pathname: "/products/" }), false);
          const braced = new URLPattern({ pathname: "/products/{:id}?" });
          ok(braced.test({ pathname: "/products/" })); ok(braced.test({ pathname: "/products/2" }));
          eq(braced.test({ pathname: "/products" }), false);
          const any = new URLPattern({ pathname: "/products/*" });
          eq(any.exec({ pathname: "/products/a/b/c" }).pathname.groups, { 0: "a/b/c" });
        });
        """);

    /// <summary>Named and regexp groups, wildcards, modifiers, {} groups, escaping, and the normalized pattern strings.</summary>
    [Fact]
    public Task PatternSyntax() => JsChecks.RunAsync("""
        check("named groups stop at the segment delimiter", () => {
          const p = new URLPattern({ pathname: "/books/:id" });
          eq(p.exec({ pathname: "/books/123" }).pathname.groups, { id: "123" });
          eq(p.exec({ pathname: "/books/index.html" }).pathname.groups, { id: "index.html" });
          eq(p.test({ pathname: "/books/1/2" }), false);
          eq(p.test({ pathname: "/books/" }), false);
          const h = new URLPattern({ hostname: ":sub.example.com" });
          eq(h.exec({ hostname: "api.example.com" }).hostname.groups, { sub: "api" });
          eq(h.test({ hostname: "a.b.example.com" }), false);
        });
        check("names follow JavaScript identifier rules", () => {
          eq(new URLPattern({ pathname: "/:café" }).exec({ pathname: "/x" }).pathname.groups, { café: "x" });
          eq(new URLPattern({ pathname: "/:$a_1" }).exec({ pathname: "/x" }).pathname.groups, { $a_1: "x" });
          eq(new URLPattern({ pathname: "/:a-b" }).pathname, "/:a-b");
          eq(new URLPattern({ pathname: "/:a-b" }).exec({ pathname: "/x-b" }).pathname.groups, { a: "x" });
          throws(() => new URLPattern({ pathname: "/:1a" }), "TypeError");
          throws(() => new URLPattern({ pathname: "/:" }), "TypeError");
        });
        check("regexp groups, numbered in order, and nested (?:) groups", () => {
          const p = new URLPattern({ pathname: "/(\\d+)/:name/(.*)" });
          eq(p.exec({ pathname: "/42/x/rest/of/it" }).pathname.groups, { 0: "42", 1: "rest/of/it", name: "x" });
          eq(p.hasRegExpGroups, true);
          const q = new URLPattern({ pathname: "/(foo(?:bar)?)" });
          ok(q.test({ pathname: "/foobar" })); ok(q.test({ pathname: "/foo" })); eq(q.test({ pathname: "/foob" }), false);
          eq(new URLPattern({ pathname: "/(a|b)" }).exec({ pathname: "/b" }).pathname.groups, { 0: "b" });
        });
        check("wildcards", () => {
          const p = new URLPattern({ pathname: "/static/*" });
          eq(p.exec({ pathname: "/static/css/site.css" }).pathname.groups, { 0: "css/site.css" });
          eq(p.exec({ pathname: "/static/" }).pathname.groups, { 0: "" });
          eq(p.test({ pathname: "/static" }), false);
          eq(new URLPattern({ pathname: "*.js" }).exec({ pathname: "/a/b.js" }).pathname.groups, { 0: "/a/b" });
          eq(new URLPattern({ pathname: "/(.*)" }).pathname, "/*");
          eq(new URLPattern({ pathname: "/:rest(.*)" }).hasRegExpGroups, false);
        });
        check("modifiers ?, + and * on named groups", () => {
          const opt = new URLPattern({ pathname: "/foo/:bar?" });
          eq(opt.exec({ pathname: "/foo" }).pathname.groups, { bar: undefined });
          ok("bar" in opt.exec({ pathname: "/foo" }).pathname.groups);
          eq(opt.test({ pathname: "/foo/" }), false);
          const plus = new URLPattern({ pathname: "/foo/:bar+" });
          eq(plus.exec({ pathname: "/foo/a/b" }).pathname.groups, { bar: "a/b" });
          eq(plus.test({ pathname: "/foo" }), false);
          const star = new URLPattern({ pathname: "/foo/:bar*" });
          eq(star.exec({ pathname: "/foo/a/b/c" }).pathname.groups, { bar: "a/b/c" });
          eq(star.exec({ pathname: "/foo" }).pathname.groups, { bar: undefined });
          eq(star.test({ pathname: "/foo/" }), false);
        });
        check("modifiers on {} groups with prefix and suffix", () => {
          const p = new URLPattern({ pathname: "/product{/:id}?" });
          ok(p.test({ pathname: "/product" })); ok(p.test({ pathname: "/product/1" }));
          const q = new URLPattern({ pathname: "/files{/:name}+" });
          eq(q.exec({ pathname: "/files/a/b" }).pathname.groups, { name: "a/b" });
          eq(q.test({ pathname: "/files" }), false);
          eq(new URLPattern({ pathname: "/files{/:name}*" }).exec({ pathname: "/files" }).pathname.groups, { name: undefined });
          // A {} group holds at most one matching group.
          throws(() => new URLPattern({ pathname: "/files{/:name.:ext}" }), "TypeError");
          const r = new URLPattern({ pathname: "/{a-:x-b}*" });
          eq(r.exec({ pathname: "/a-1-ba-2-b" }).pathname.groups, { x: "1-ba-2" });
          ok(r.test({ pathname: "/" }));
          const s = new URLPattern({ pathname: "/{foo}?bar" });
          ok(s.test({ pathname: "/bar" })); ok(s.test({ pathname: "/foobar" })); eq(s.pathname, "/{foo}?bar");
          eq(new URLPattern({ pathname: "/{foo}bar" }).pathname, "/foobar");
          eq(new URLPattern({ pathname: "/{}" }).pathname, "/");
        });
        check("escaping in patterns", () => {
          const p = new URLPattern({ pathname: "/a\\:b\\*c\\(d\\)" });
          ok(p.test({ pathname: "/a:b*c(d)" })); eq(p.test({ pathname: "/a:bxc(d)" }), false);
          eq(p.pathname, "/a\\:b\\*c\\(d\\)");
          ok(new URLPattern({ pathname: "/a\\+" }).test({ pathname: "/a+" }));
          ok(new URLPattern({ search: "q=\\?" }).test({ search: "q=?" }));
          ok(new URLPattern({ pathname: "/a.b" }).test({ pathname: "/a.b" }));
          eq(new URLPattern({ pathname: "/a.b" }).test({ pathname: "/axb" }), false);
        });
        check("generated pattern strings are normalized", () => {
          const cases = [
            ["/:id([^\\/]+?)", "/:id"],
            ["/([^\\/]+?)", "/([^\\/]+?)"],
            ["/:foo(.*)", "/:foo(.*)"],
            ["/{:foo}bar", "/{:foo}bar"],
            ["/:foo\\bar", "{/:foo}bar"],
            ["/{:foo}:bar", "/{:foo}:bar"],
            ["{:foo}:bar", ":foo:bar"],
            ["{/:foo}", "/:foo"],
            ["/{:foo}?", "/{:foo}?"],
            ["{/:foo}?", "/:foo?"],
            ["/{bar:foo}", "/{bar:foo}"],
            ["{/bar:foo}", "{/bar:foo}"], // workerd drops these braces; the standard keeps them
            ["/(.*)(.*)", "/*(.*)"],
            ["/{foo}*", "/{foo}*"],
            ["/a{b}c", "/abc"],
          ];
          for (const [input, expected] of cases) eq(new URLPattern({ pathname: input }).pathname, expected, input);
          eq(new URLPattern({ hostname: "{:sub.}?example.com" }).hostname, "{:sub.}?example.com");
        });
        """);

    /// <summary>The constructor string parser: components, defaults, base URLs, opaque protocols, IPv6, default ports.</summary>
    [Fact]
    public Task ConstructorStrings() => JsChecks.RunAsync("""
        check("constructor string: all components", () => {
          const p = new URLPattern("https://user:1234@example.com:8080/path/:id/?q=:query#frag");
          eq([p.protocol, p.username, p.password, p.hostname, p.port, p.pathname, p.search, p.hash],
            ["https", "user", "1234", "example.com", "8080", "/path/:id/", "q=:query", "frag"]);
          eq(p.exec("https://user:1234@example.com:8080/path/7/?q=x#frag").search.groups, { query: "x" });
        });
        check("constructor string: ':name' and a '?' after a group are pattern syntax", () => {
          const p = new URLPattern("https://user:pass@example.com:8080/path/:id?q=:query#frag");
          eq([p.protocol, p.username, p.password, p.hostname, p.port, p.pathname, p.search, p.hash],
            ["https", "user:pass", "*", "example.com", "8080", "/path/:id?q=:query", "", "frag"]);
          const q = new URLPattern("https://user\\:pass@example.com/path/:id\\?q");
          eq([q.username, q.password, q.pathname, q.search], ["user", "pass", "/path/:id", "q"]);
        });
        check("constructor string: later components default to wildcards", () => {
          const p = new URLPattern("https://example.com");
          eq([p.pathname, p.search, p.hash, p.port], ["*", "*", "*", ""]);
          ok(p.test("https://example.com/anything?at=all#really"));
          eq(p.test("https://example.com:8443/"), false);
          const q = new URLPattern("https://example.com/foo");
          eq([q.search, q.hash], ["*", "*"]);
          const r = new URLPattern("https://example.com/foo?bar");
          eq([r.search, r.hash], ["bar", "*"]);
          const s = new URLPattern("https://example.com/foo#bar");
          eq([s.search, s.hash], ["", "bar"]);
          eq(new URLPattern("https://example.com?q").pathname, "/");
        });
        check("constructor string: wildcards and groups across components", () => {
          const p = new URLPattern("https://*.example.com:*/*");
          ok(p.test("https://a.example.com:8443/x"));
          eq(p.exec("https://a.b.example.com/x").hostname.groups, { 0: "a.b" });
          const q = new URLPattern("*://:host.example/(.*)");
          eq(q.exec("wss://h.example/x").protocol.groups, { 0: "wss" });
          eq(q.exec("wss://h.example/x").hostname.groups, { host: "h" });
          eq(q.test("wss://a.h.example/x"), false);
          const r = new URLPattern("https://example.com/:id?");
          eq(r.pathname, "/:id?"); eq(r.search, "*");
          const g = new URLPattern("https://example.com/{:a}?b");
          eq(g.pathname, "/{:a}?b");
        });
        check("constructor string: relative patterns need a base URL", () => {
          throws(() => new URLPattern("/books/:id"), "TypeError", "Failed to construct URLPattern");
          const p = new URLPattern("/books/:id", "https://example.com/shelf?x#y");
          eq([p.protocol, p.hostname, p.port, p.pathname, p.search, p.hash], ["https", "example.com", "", "/books/:id", "*", "*"]);
          eq(new URLPattern("books/:id", "https://example.com/shelf/").pathname, "/shelf/books/:id");
          eq(new URLPattern("?q=1", "https://example.com/a/b?x").pathname, "/a/b");
          eq(new URLPattern("#h", "https://example.com/a?x").search, "x");
          eq(new URLPattern("#h", "https://example.com/a?x").hash, "h");
          throws(() => new URLPattern("/x", "not a url"), "TypeError", "Failed to construct URLPattern");
        });
        check("constructor string: base URL components are escaped", () => {
          const p = new URLPattern({ pathname: "b", baseURL: "https://example.com/a*(x)/" });
          eq(p.pathname, "/a\\*\\(x\\)/b");
          ok(p.test("https://example.com/a*(x)/b"));
          eq(new URLPattern({ baseURL: "https://example.com/?a+b" }).search, "a\\+b");
        });
        check("constructor string: non-special and opaque protocols", () => {
          // "data:text" would read ":text" as a group name: the protocol's ":" must be escaped.
          throws(() => new URLPattern("data:text/plain,:content"), "TypeError");
          const p = new URLPattern("data\\:text/plain,:content");
          eq([p.protocol, p.hostname, p.pathname, p.search], ["data", "", "text/plain,:content", "*"]);
          eq(p.exec("data:text/plain,hello").pathname.groups, { content: "hello" });
          const q = new URLPattern("foo://example.com/:x");
          eq([q.protocol, q.hostname, q.pathname], ["foo", "example.com", "/:x"]);
          ok(q.test("foo://example.com/bar"));
          const m = new URLPattern("mailto\\::user@:domain");
          eq([m.protocol, m.username, m.hostname, m.pathname], ["mailto", "*", "", ":user@:domain"]);
          eq(m.exec("mailto:alice@example").pathname.groups, { user: "alice", domain: "example" });
        });
        check("constructor string: IPv6 hosts need escaped colons", () => {
          const p = new URLPattern("http://[\\:\\:1]:8080/");
          eq([p.hostname, p.port], ["[\\:\\:1]", "8080"]);
          ok(p.test("http://[::1]:8080/"));
          throws(() => new URLPattern("http://[::1]/"), "TypeError");
          eq(new URLPattern({ hostname: "[2001\\:DB8\\:\\:1]" }).hostname, "[2001\\:db8\\:\\:1]");
          throws(() => new URLPattern({ hostname: "[\\:\\:g]" }), "TypeError");
        });
        check("constructor string: default ports are dropped", () => {
          eq(new URLPattern("https://example.com:443/").port, "");
          eq(new URLPattern("http://example.com:80/").port, "");
          eq(new URLPattern("http://example.com:443/").port, "443");
          eq(new URLPattern({ protocol: "wss", port: "443" }).port, "");
          eq(new URLPattern({ port: "443" }).port, "443");
          ok(new URLPattern("https://example.com:443/").test("https://example.com/"));
        });
        """);

    /// <summary>test() and exec(): result shape, inputs, base URLs, dictionary inputs and their canonicalization.</summary>
    [Fact]
    public Task MatchingAndResults() => JsChecks.RunAsync("""
        check("exec result shape for a URL string", () => {
          const r = new URLPattern({ pathname: "/books/:id" }).exec("https://example.com/books/123?x=1#top");
          eq(Object.keys(r), ["inputs", "protocol", "username", "password", "hostname", "port", "pathname", "search", "hash"]);
          eq(r.inputs, ["https://example.com/books/123?x=1#top"]);
          eq(r.protocol, { input: "https", groups: { 0: "https" } });
          eq(r.username, { input: "", groups: { 0: "" } });
          eq(r.hostname, { input: "example.com", groups: { 0: "example.com" } });
          eq(r.port, { input: "", groups: { 0: "" } });
          eq(r.pathname, { input: "/books/123", groups: { id: "123" } });
          eq(r.search, { input: "x=1", groups: { 0: "x=1" } });
          eq(r.hash, { input: "top", groups: { 0: "top" } });
        });
        check("exec with a base URL lists both inputs", () => {
          const p = new URLPattern({ pathname: "/books/:id" });
          const r = p.exec("/books/9", "https://example.com/");
          eq(r.inputs, ["/books/9", "https://example.com/"]);
          eq(r.hostname.input, "example.com");
          ok(p.test("../books/9", "https://example.com/a/b"));
          eq(p.exec("/books/9", "not a url"), null);
          eq(p.exec("not a url"), null);
          eq(p.test("https://example.com/books/9", undefined), true);
        });
        check("exec with a URLPatternInit", () => {
          const p = new URLPattern({ pathname: "/books/:id" });
          const input = { pathname: "/books/1", extra: 1 };
          const r = p.exec(input);
          eq(r.inputs, [{ pathname: "/books/1" }]);
          ok(r.inputs[0] !== input);
          eq(r.protocol, { input: "", groups: { 0: "" } });
          eq(Object.keys(p.exec({ hash: "h", search: "q", pathname: "/books/1", port: "1", hostname: "a", password: "p", username: "u", protocol: "http", baseURL: "http://a/" }).inputs[0]),
            ["protocol", "username", "password", "hostname", "port", "pathname", "search", "hash", "baseURL"]);
          eq(p.exec({ pathname: "/books/1", baseURL: "https://example.com/" }).hostname.input, "example.com");
          eq(p.exec({ pathname: "1", baseURL: "https://example.com/books/" }).pathname.groups, { id: "1" });
          eq(p.exec({ port: 8080, pathname: "/books/1" }).port.input, "8080");
          throws(() => p.test({ pathname: "/books/1" }, "https://example.com"), "TypeError", "Failed to test URLPattern");
          throws(() => p.exec({ pathname: "/books/1" }, "https://example.com"), "TypeError", "Failed to exec URLPattern");
          eq(p.exec({ pathname: "/books/1", baseURL: "not a url" }), null);
        });
        check("a URL object is read as a URLPatternInit", () => {
          const r = new URLPattern({ pathname: "/a/:x" }).exec(new URL("https://u:p@example.com:8080/a/1?q#h"));
          eq(r.inputs, [{ protocol: "https:", username: "u", password: "p", hostname: "example.com", port: "8080", pathname: "/a/1", search: "?q", hash: "#h" }]);
          eq([r.protocol.input, r.port.input, r.search.input, r.hash.input], ["https", "8080", "q", "h"]);
          eq(r.pathname.groups, { x: "1" });
        });
        check("test() and exec() default to an empty input", () => {
          const any = new URLPattern();
          ok(any.test()); ok(any.test({})); ok(any.test(null));
          eq(any.exec().inputs, [{}]);
          eq(new URLPattern({ pathname: "/x" }).test(), false);
        });
        check("inputs are canonicalized like URL components", () => {
          const p = new URLPattern({ protocol: "https", hostname: "example.com", pathname: "/a b/%7E" });
          ok(p.test({ protocol: "HTTPS:", hostname: "EXAMPLE.com", pathname: "/a b/%7E" }));
          ok(p.test("https://EXAMPLE.com/a b/%7E"));
          eq(new URLPattern({ hostname: "xn--mnchen-3ya.de" }).test({ hostname: "münchen.de" }), true);
          eq(new URLPattern({ pathname: "/b" }).exec({ pathname: "/a/../b" }).pathname.input, "/b");
          eq(new URLPattern({ search: "q=a%20b" }).test({ search: "?q=a b" }), true);
          eq(new URLPattern({ hash: "a%20b" }).test({ hash: "#a b" }), true);
          eq(new URLPattern({ port: "8080" }).test({ port: "8080" }), true);
          eq(new URLPattern({ port: "" }).test({ protocol: "https", port: "443" }), true);
          eq(new URLPattern({ port: "443" }).test({ port: "443" }), true);
          eq(new URLPattern().test({ port: "nope" }), false);
          eq(new URLPattern().test({ hostname: "a b" }), false);
          eq(new URLPattern().test({ protocol: "1http" }), false);
        });
        check("credentials in URLs and patterns", () => {
          const p = new URLPattern("https://:user::pass@example.com");
          eq([p.username, p.password], [":user", ":pass"]);
          const r = p.exec("https://alice:s3cret@example.com/");
          eq(r.username.groups, { user: "alice" }); eq(r.password.groups, { pass: "s3cret" });
          eq(new URLPattern({ username: "a b@c" }).username, "a%20b%40c");
        });
        // Groups are listed in pattern order, as the standard's record is (workerd's order is a hash order).
        check("unmatched optional groups are undefined", () => {
          const r = new URLPattern({ pathname: "/:a/:b?" }).exec({ pathname: "/x" });
          eq(Object.keys(r.pathname.groups), ["a", "b"]);
          eq(r.pathname.groups.b, undefined);
        });
        check("non-special protocols use opaque pathname rules", () => {
          const p = new URLPattern({ protocol: "javascript", pathname: "alert(:x)" });
          eq(p.pathname, "alert(:x)");
          const q = new URLPattern({ protocol: "javascript", pathname: "var x = 1;" });
          ok(q.test("javascript:var x = 1;"));
          eq(new URLPattern({ protocol: "foo", pathname: "a/../b" }).pathname, "a/../b");
          eq(new URLPattern({ protocol: "https", pathname: "/a/../b" }).pathname, "/b");
          ok(new URLPattern({ protocol: "foo", pathname: "/:x" }).test("foo:/bar"));
        });
        """);

    /// <summary>Component canonicalization, ignoreCase, invalid patterns, argument conversion and the Web IDL surface.</summary>
    [Fact]
    public Task CanonicalizationCaseErrorsAndInterface() => JsChecks.RunAsync("""
        check("pattern components are canonicalized", () => {
          eq(new URLPattern({ protocol: "HTTPS" }).protocol, "https");
          eq(new URLPattern({ protocol: "https:" }).protocol, "https");
          eq(new URLPattern({ hostname: "EXAMPLE.com" }).hostname, "example.com");
          eq(new URLPattern({ hostname: "münchen.de" }).hostname, "xn--mnchen-3ya.de");
          eq(new URLPattern({ pathname: "/a b/é" }).pathname, "/a%20b/%C3%A9");
          eq(new URLPattern({ pathname: "/foo/./bar/../baz" }).pathname, "/foo/baz");
          eq(new URLPattern({ pathname: "../b" }).pathname, "../b");
          eq(new URLPattern({ search: "?a b" }).search, "a%20b");
          eq(new URLPattern({ hash: "#a b`" }).hash, "a%20b%60");
          eq(new URLPattern({ port: "08080" }).port, "8080");
          eq(new URLPattern({ port: "80\t80" }).port, "8080");
          eq(new URLPattern({ password: "p@ss" }).password, "p%40ss");
        });
        check("ignoreCase", () => {
          const p = new URLPattern({ pathname: "/Books/:ID" }, { ignoreCase: true });
          ok(p.test({ pathname: "/books/1" })); ok(p.test({ pathname: "/BOOKS/1" }));
          eq(p.exec({ pathname: "/BOOKS/x" }).pathname.groups, { ID: "x" });
          eq(new URLPattern({ pathname: "/Books" }).test({ pathname: "/books" }), false);
          const s = new URLPattern("https://example.com/FOO?BAR#BAZ", { ignoreCase: true });
          ok(s.test("https://example.com/foo?bar#baz"));
          const b = new URLPattern("/foo?bar#baz", "https://example.com", { ignoreCase: true });
          ok(b.test({ pathname: "/FOO", search: "BAR", hash: "BAZ", baseURL: "https://example.com" }));
          eq(new URLPattern({ pathname: "/a" }, { ignoreCase: false }).test({ pathname: "/A" }), false);
          ok(new URLPattern({ pathname: "/a" }, { ignoreCase: 1 }).test({ pathname: "/A" }));
        });
        check("invalid patterns throw TypeError", () => {
          const bad = [
            { pathname: "/:a/:a" }, { pathname: "/(foo" }, { pathname: "/([)" }, { pathname: "/(?x)" },
            { pathname: "/()" }, { pathname: "/(é)" }, { pathname: "/{foo" }, { pathname: "/foo}" },
            { pathname: "/foo\\" }, { pathname: "/(a(b))" }, { pathname: "/??" }, { pathname: "/:" },
            { pathname: "/([a-z-])" }, { protocol: "ht tp" }, { protocol: "1http" }, { hostname: "a b" },
            { hostname: "example.com:80" }, { port: "abc" }, { port: "99999" }, { search: "??x" },
          ];
          for (const init of bad) throws(() => new URLPattern(init), "TypeError", "Failed to construct URLPattern");
          throws(() => new URLPattern({ pathname: "/x" }, "https://example.com"), "TypeError", "Failed to construct URLPattern");
          throws(() => new URLPattern({ baseURL: "nope" }), "TypeError", "Failed to construct URLPattern");
        });
        check("v-mode regular expressions", () => {
          const p = new URLPattern({ pathname: "/([\\d&&[0-1]])" });
          ok(p.test({ pathname: "/1" })); eq(p.test({ pathname: "/2" }), false);
          ok(new URLPattern({ pathname: "/(\\p{Lu}+)" }).test({ pathname: "/ABC" }));
        });
        check("argument conversion and overloads", () => {
          eq(new URLPattern(undefined).pathname, "*");
          eq(new URLPattern(null).pathname, "*");
          eq(new URLPattern("https://example.com/foo", undefined, {}).pathname, "/foo");
          eq(new URLPattern("https://example.com/foo", null).pathname, "/foo");
          eq(new URLPattern({ port: 8080 }).port, "8080");
          throws(() => new URLPattern(42), "TypeError", "Failed to construct URLPattern");
          throws(() => new URLPattern({ pathname: Symbol() }), "TypeError", "Cannot convert a Symbol value to a string");
          throws(() => new URLPattern({ get pathname() { throw new RangeError("boom"); } }), "RangeError", "boom");
          throws(() => new URLPattern("/foo", "https://example.com", 5), "TypeError",
            "Failed to construct 'URLPattern': constructor parameter 3 is not of type 'URLPatternOptions'.");
          eq(new URLPattern("/foo", "https://example.com", { ignoreCase: true }).hostname, "example.com");
          eq(new URLPattern("\uD800foo", "https://example.com/").pathname, "/%EF%BF%BDfoo");
        });
        check("the interface", () => {
          eq(typeof URLPattern, "function"); eq(URLPattern.length, 0);
          eq(URLPattern.prototype.test.length, 0); eq(URLPattern.prototype.exec.length, 0);
          eq(Object.prototype.toString.call(new URLPattern()), "[object URLPattern]");
          const keys = Object.keys(URLPattern.prototype);
          for (const k of ["protocol", "username", "password", "hostname", "port", "pathname", "search", "hash", "hasRegExpGroups", "test", "exec"]) ok(keys.includes(k), k);
          eq(Object.getOwnPropertyNames(new URLPattern()), []);
          const d = Object.getOwnPropertyDescriptor(URLPattern.prototype, "pathname");
          eq([typeof d.get, d.set, d.enumerable, d.configurable], ["function", undefined, true, true]);
          throws(() => d.get.call({}), "TypeError", "Illegal invocation");
          throws(() => URLPattern.prototype.test.call({}), "TypeError", "Illegal invocation");
          throws(() => URLPattern(), "TypeError");
          eq(new URLPattern().hasRegExpGroups, false);
          eq(new URLPattern({ hash: "(a|b)" }).hasRegExpGroups, true);
        });
        check("a replaced RegExp.prototype.exec does not change matching", () => {
          const p = new URLPattern({ pathname: "/a/:b" });
          const saved = RegExp.prototype.exec;
          try {
            RegExp.prototype.exec = function () { return null; };
            ok(p.test({ pathname: "/a/x" }));
          } finally { RegExp.prototype.exec = saved; }
        });
        """);
}
