using Flint.JavaScript.Tests.Support;

namespace Flint.JavaScript.Tests.Web;

// Every expectation here was also checked against workerd (npm workerd 1.20261117.1,
// compatibility date 2025-09-01); the rest come from the WHATWG URL Standard.
public class UrlTests
{
    private const string Helpers = """
        const parts = (u) => [u.protocol, u.username, u.password, u.hostname, u.port, u.pathname, u.search, u.hash];
        const href = (input, base) => new URL(input, base).href;
        """;

    [Fact]
    public Task ParsingFollowsTheUrlStandard() => JsChecks.RunAsync(Helpers + """
        check("components of a full URL", () => {
          const u = new URL("https://user:pa%20ss@Example.COM:8080/a/b;c?q=1&r=2#frag");
          eq(parts(u), ["https:", "user", "pa%20ss", "example.com", "8080", "/a/b;c", "?q=1&r=2", "#frag"]);
          eq(u.host, "example.com:8080");
          eq(u.origin, "https://example.com:8080");
          eq(u.href, "https://user:pa%20ss@example.com:8080/a/b;c?q=1&r=2#frag");
          eq(String(u), u.href); eq(u.toJSON(), u.href); eq(JSON.stringify({ u }), `{"u":"${u.href}"}`);
        });
        check("normalized http URLs keep their spelling", () => {
          for (const s of ["https://example.com/api/items?id=42&sort=desc", "http://localhost:8787/bench?name=world&n=3",
            "https://a.b-c_d.example/x/y.z/?#", "wss://h:1/p?q#f", "http://h/%41%zz/~!$&'()*+,;=:@[]|"]) eq(href(s), s);
        });
        check("an empty path becomes /", () => {
          eq(href("http://example.com"), "http://example.com/");
          eq(href("http://example.com?x"), "http://example.com/?x");
          eq(href("https://h:81#f"), "https://h:81/#f");
          eq(new URL("http://example.com").pathname, "/");
        });
        check("default ports are dropped, others kept", () => {
          eq(href("http://h:80/"), "http://h/"); eq(href("https://h:443/"), "https://h/");
          eq(href("ws://h:80/"), "ws://h/"); eq(href("wss://h:443/"), "wss://h/"); eq(href("ftp://h:21/"), "ftp://h/");
          eq(href("https://h:80/"), "https://h:80/"); eq(href("http://h:0080/"), "http://h/");
          eq(href("http://h:00000000000000000000443/"), "http://h:443/");
          eq(href("sc://h:80/"), "sc://h:80/"); eq(new URL("http://h:8080").port, "8080");
          eq(href("http://h:/"), "http://h/"); eq(href("http://h:65535/"), "http://h:65535/");
        });
        check("bad ports fail", () => {
          for (const s of ["http://h:65536/", "http://h:b/", "http://h: 1/", "http://h:1a/", "sc://h:99999/", "http://h:-1/"]) {
            throws(() => new URL(s), "TypeError", "Invalid URL string.");
          }
        });
        check("scheme is lowercased and must start with a letter", () => {
          eq(href("HTTP://H/"), "http://h/"); eq(href("Git+SSH://h/x"), "git+ssh://h/x");
          eq(new URL("a1+-.:x").protocol, "a1+-.:");
          throws(() => new URL("1http://h/"), "TypeError");
        });
        check("leading/trailing C0 and space are trimmed, tabs and newlines removed anywhere", () => {
          eq(href("  \t http://h/a \n"), "http://h/a");
          eq(href("\u0000\u001fhttp://h/\u0000"), "http://h/");
          eq(href("ht\ttp://h\n.com/p\ra/th"), "http://h.com/pa/th");
          eq(href("http://h/ a "), "http://h/%20a");
        });
        check("relative resolution (RFC 3986 examples)", () => {
          const base = "http://a/b/c/d;p?q";
          const cases = { "g:h": "g:h", "g": "http://a/b/c/g", "./g": "http://a/b/c/g", "g/": "http://a/b/c/g/", "/g": "http://a/g",
            "//g": "http://g/", "?y": "http://a/b/c/d;p?y", "g?y": "http://a/b/c/g?y", "#s": "http://a/b/c/d;p?q#s",
            "g#s": "http://a/b/c/g#s", "g?y#s": "http://a/b/c/g?y#s", ";x": "http://a/b/c/;x", "g;x": "http://a/b/c/g;x",
            "": "http://a/b/c/d;p?q", ".": "http://a/b/c/", "./": "http://a/b/c/", "..": "http://a/b/", "../": "http://a/b/",
            "../g": "http://a/b/g", "../..": "http://a/", "../../": "http://a/", "../../g": "http://a/g",
            "../../../g": "http://a/g", "/./g": "http://a/g", "/../g": "http://a/g", "g.": "http://a/b/c/g.",
            ".g": "http://a/b/c/.g", "g..": "http://a/b/c/g..", "..g": "http://a/b/c/..g", "./../g": "http://a/b/g",
            "./g/.": "http://a/b/c/g/", "g/./h": "http://a/b/c/g/h", "g/../h": "http://a/b/c/h", "g;x=1/./y": "http://a/b/c/g;x=1/y",
            "g;x=1/../y": "http://a/b/c/y", "http:g": "http://a/b/c/g", "http:": "http://a/b/c/d;p?q" };
          for (const [input, want] of Object.entries(cases)) eq(href(input, base), want, input);
        });
        check("base may be a URL object; an invalid base throws", () => {
          const base = new URL("https://example.com/dir/file");
          eq(href("other", base), "https://example.com/dir/other");
          eq(href("//cdn.example/x", base), "https://cdn.example/x");
          eq(href("https://abs.example/", base), "https://abs.example/");
        });
        check("invalid base and relative without base", () => {
          throws(() => new URL("/x", "bad"), "TypeError", "Invalid URL string.");
          throws(() => new URL("/x"), "TypeError", "Invalid URL string.");
          throws(() => new URL("x", "about:blank"), "TypeError", "Invalid URL string.");
          throws(() => new URL("http://a", "bad"), "TypeError", "Invalid URL string.");
          eq(href("#frag", "about:blank"), "about:blank#frag");
        });
        check("dot segments in every spelling", () => {
          eq(href("http://h/a/./b/../c"), "http://h/a/c");
          eq(href("http://h/a/%2e/b/%2E%2e/c"), "http://h/a/c");
          eq(href("http://h/a/.%2E/b"), "http://h/b");
          eq(href("http://h/a/b/.."), "http://h/a/");
          eq(href("http://h/a/b/."), "http://h/a/b/");
          eq(href("http://h/../../x"), "http://h/x");
          eq(href("http://h/.well-known/x"), "http://h/.well-known/x");
          eq(href("http://h/a/..b/...c"), "http://h/a/..b/...c");
          eq(href("http://h/a\\b\\..\\c"), "http://h/a/c");
          eq(href("sc://h/a\\b\\..\\c"), "sc://h/a\\b\\..\\c");
        });
        check("percent-encoding per component", () => {
          const u = new URL("http://h/ \"<>`{}^|é?q= \"<>'`{}é#f \"<>`{}é");
          eq(u.pathname, "/%20%22%3C%3E%60%7B%7D%5E|%C3%A9");
          eq(u.search, "?q=%20%22%3C%3E%27`{}%C3%A9");
          eq(u.hash, "#f%20%22%3C%3E%60{}%C3%A9");
          eq(new URL("sc://h/?'").search, "?'");
          eq(new URL("http://h/?'").search, "?%27");
          eq(href("http://h/%zz%%41"), "http://h/%zz%%41");
          eq(href("http://h/\u{1F600}"), "http://h/%F0%9F%98%80");
          eq(href("http://h/\ud800"), "http://h/%EF%BF%BD");
          eq(href("http://h/\u0000\u007f"), "http://h/%00%7F");
        });
        check("userinfo", () => {
          eq(href("http://user@h/"), "http://user@h/");
          eq(href("http://:pass@h/"), "http://:pass@h/");
          eq(href("http://:@h/"), "http://h/");
          eq(href("http://a:b:c@h/"), "http://a:b%3Ac@h/");
          eq(href("http://a@b@h/"), "http://a%40b@h/");
          eq(href("http://a b:c d@h/"), "http://a%20b:c%20d@h/");
          eq(href("http://a;=[]^|@h/"), "http://a%3B%3D%5B%5D%5E%7C@h/");
          throws(() => new URL("http://user@/x"), "TypeError");
          throws(() => new URL("http://@/"), "TypeError");
          throws(() => new URL("sc://user@/x"), "TypeError");
        });
        check("special schemes need a host; others may not have one", () => {
          throws(() => new URL("http://"), "TypeError"); throws(() => new URL("http:///"), "TypeError");
          eq(href("http:/example.com/"), "http://example.com/");
          eq(href("http:\\\\example.com\\x"), "http://example.com/x");
          eq(href("http:////example.com/"), "http://example.com/");
          eq(href("sc://"), "sc://"); eq(href("sc:///x"), "sc:///x"); eq(new URL("sc:///x").host, "");
          eq(href("sc:/x"), "sc:/x"); eq(new URL("sc:/x").host, "");
          eq(href("sc:/.//x"), "sc:/.//x"); eq(new URL("sc:/.//x").pathname, "//x");
        });
        check("opaque paths: data, mailto, javascript, blob", () => {
          const d = new URL("data:text/plain,Hello World");
          eq(parts(d), ["data:", "", "", "", "", "text/plain,Hello World", "", ""]); eq(d.origin, "null");
          eq(new URL("mailto:someone@example.com?subject=hi").pathname, "someone@example.com");
          eq(new URL("mailto:someone@example.com?subject=hi").search, "?subject=hi");
          eq(new URL("javascript:alert(1)").pathname, "alert(1)");
          eq(href("JavaScript:alert( 1 )"), "javascript:alert( 1 )");
          eq(href("data:space  ?query#fragment"), "data:space %20?query#fragment");
          eq(href("data:a\u0000b\u00e9"), "data:a%00b%C3%A9");
          const b = new URL("blob:https://example.com:443/uuid-1234");
          eq(b.origin, "https://example.com"); eq(b.pathname, "https://example.com:443/uuid-1234");
          eq(new URL("blob:d3958f5c-0777-0845-9dcf-2cb28783acaf").origin, "null");
          eq(new URL("blob:ftp://host/path").origin, "null");
          eq(href("#x", "data:text/plain,abc"), "data:text/plain,abc#x");
          throws(() => new URL("x", "data:text/plain,abc"), "TypeError");
        });
        check("origin", () => {
          eq(new URL("http://h:81/x").origin, "http://h:81"); eq(new URL("https://u:p@h/x").origin, "https://h");
          eq(new URL("ws://h/").origin, "ws://h"); eq(new URL("ftp://h/").origin, "ftp://h");
          eq(new URL("file:///x").origin, "null"); eq(new URL("sc://h/").origin, "null"); eq(new URL("about:blank").origin, "null");
          eq(new URL("http://[::1]/").origin, "http://[::1]");
        });
        check("file URLs", () => {
          eq(href("file:///C:/a/b"), "file:///C:/a/b");
          eq(href("file:C|/a"), "file:///C:/a");
          eq(href("file://localhost/x"), "file:///x");
          eq(href("file://LOCALHOST/x"), "file:///x");
          eq(href("file://host/share/x"), "file://host/share/x");
          eq(href("file:"), "file:///");
          eq(href("file:/x"), "file:///x");
          eq(href("file:\\\\server\\x"), "file://server/x");
          eq(href("file:///C:/a/../../.."), "file:///C:/");
          eq(href("..", "file:///C:/"), "file:///C:/");
          eq(href("/x", "file:///C:/a/b"), "file:///C:/x");
          eq(href("//h/x", "file:///C:/a"), "file://h/x");
          eq(href("x", "file:///a/b"), "file:///a/x");
          eq(href("?q", "file:///a/b"), "file:///a/b?q");
          eq(href("file:?q"), "file:///?q");
          throws(() => new URL("file://h:80/x"), "TypeError");
          eq(new URL("file:///x").host, "");
          eq(href("file://[::1]/x"), "file://[::1]/x");
        });
        """);

    [Fact]
    public Task HostsIPv4IPv6AndIdna() => JsChecks.RunAsync(Helpers + """
        check("IPv4 in all its forms", () => {
          eq(new URL("http://192.168.0.1/").host, "192.168.0.1");
          eq(new URL("http://0x7f.1/").host, "127.0.0.1");
          eq(new URL("http://0177.0.0.1/").host, "127.0.0.1");
          eq(new URL("http://2130706433/").host, "127.0.0.1");
          eq(new URL("http://0xffffffff/").host, "255.255.255.255");
          eq(new URL("http://1.2.3/").host, "1.2.0.3");
          eq(new URL("http://1.65536/").host, "1.1.0.0");
          eq(new URL("http://127.1./").host, "127.0.0.1");
          eq(new URL("http://0x/").host, "0.0.0.0");
          eq(new URL("http://09.com/").host, "09.com");
          eq(new URL("http://a.0x1g/").host, "a.0x1g");
          for (const s of ["http://256.0.0.1/", "http://1.2.3.4.5/", "http://4294967296/", "http://0x100000000/", "http://09/", "http://a.1/", "http://1.2.3.08/", "http://foo.0x4/"]) {
            throws(() => new URL(s), "TypeError", "Invalid URL string.");
          }
          eq(new URL("sc://256.0.0.1/").host, "256.0.0.1");
        });
        check("IPv6 parsing and serialization", () => {
          const host = (s) => new URL(`http://[${s}]/`).hostname;
          eq(host("::1"), "[::1]"); eq(host("::"), "[::]"); eq(host("1:0:0:0:0:0:0:1"), "[1::1]");
          eq(host("2001:DB8:0:0:1:0:0:1"), "[2001:db8::1:0:0:1]"); eq(host("1:0:0:2:0:0:0:3"), "[1:0:0:2::3]");
          eq(host("0:0:1:0:0:0:0:0"), "[0:0:1::]"); eq(host("1:2:3:4:5:6:7:8"), "[1:2:3:4:5:6:7:8]");
          eq(host("::ffff:192.168.0.1"), "[::ffff:c0a8:1]"); eq(host("::127.0.0.1"), "[::7f00:1]");
          eq(host("0000:0000:0000:0000:0000:0000:0000:0001"), "[::1]"); eq(host("1::2:0:0:3"), "[1::2:0:0:3]");
          eq(new URL("http://[::1]:8080/").host, "[::1]:8080");
          eq(new URL("http://[::1]:8080/").origin, "http://[::1]:8080");
          eq(new URL("sc://[::1]/").host, "[::1]");
          for (const s of ["[::1", "[:1]", "[1:2:3:4:5:6:7:8:9]", "[1::2::3]", "[::1.2.3]", "[::1.2.3.4.5]", "[::01.2.3.4]", "[::256.0.0.1]", "[12345::]", "[::1]x", "[g::]", "[1:2:3:4:5:6:7]"]) {
            throws(() => new URL(`http://${s}/`), "TypeError", "Invalid URL string.");
          }
        });
        check("forbidden host and domain code points", () => {
          for (const c of [" ", "<", ">", "^", "|", "%", "\u0000"]) throws(() => new URL(`http://a${c}b/`), "TypeError", "Invalid URL string.");
          eq(href("http://a%41b/"), "http://aab/");
          throws(() => new URL("http://a%00b/"), "TypeError");
          throws(() => new URL("http://%/"), "TypeError");
          eq(href("sc://a%41b/"), "sc://a%41b/");
          eq(href("sc://a!$&'()*+,;=b/"), "sc://a!$&'()*+,;=b/");
          throws(() => new URL("sc://a b/"), "TypeError");
          eq(href("sc://é/"), "sc://%C3%A9/");
          eq(href("http://a_b-c.example/"), "http://a_b-c.example/");
        });
        check("IDNA: Unicode domains become Punycode", () => {
          eq(new URL("http://münchen.de/").hostname, "xn--mnchen-3ya.de");
          eq(new URL("http://MÜNCHEN.DE/").hostname, "xn--mnchen-3ya.de");
          eq(new URL("http://m%C3%BCnchen.de/").hostname, "xn--mnchen-3ya.de");
          eq(new URL("http://☃.net/").hostname, "xn--n3h.net");
          eq(new URL("http://faß.de/").hostname, "xn--fa-hia.de");
          eq(new URL("http://βόλος.com/").hostname, "xn--nxasmm1c.com");
          eq(new URL("http://日本語.jp/").hostname, "xn--wgv71a119e.jp");
          eq(new URL("http://例え.テスト/").hostname, "xn--r8jz45g.xn--zckzah");
          eq(new URL("http://www.lookout.сом/").hostname, "www.lookout.xn--l1adi");
          eq(new URL("http://ＧＯ.com/").hostname, "go.com");
          eq(new URL("http://a。b．c｡d/").hostname, "a.b.c.d");
          eq(new URL("http://a\u00ADb.com/").hostname, "ab.com");
          eq(new URL("http://xn--mnchen-3ya.de/").hostname, "xn--mnchen-3ya.de");
          eq(new URL("http://XN--MNCHEN-3YA.de/").hostname, "xn--mnchen-3ya.de");
          eq(new URL("https://xn--/").hostname, "xn--");
          eq(new URL("http://نامه‌ای.com/").hostname, "xn--mgba3gch31f060k.com");
        });
        check("IDNA: invalid domains fail", () => {
          for (const s of ["http://\uFFFD.com/", "http://a\u200Db/", "http://\u0378.net/", "http://www\u2025lookout.net/", "http://\u00AD/", "http://xn--a.ß/",
            "http://\u0661a/", "http://\u0300x.com/", "http://look\u202Eout.net/", "http://a.xn--tešla/"]) {
            throws(() => new URL(s), "TypeError", "Invalid URL string.");
          }
        });
        """);

    [Fact]
    public Task SettersApplyStateOverrides() => JsChecks.RunAsync(Helpers + """
        check("href setter", () => {
          const u = new URL("http://a/?x=1");
          const sp = u.searchParams;
          u.href = "https://b.example/p?y=2#h";
          eq(parts(u), ["https:", "", "", "b.example", "", "/p", "?y=2", "#h"]);
          eq(sp.get("y"), "2"); eq(sp.get("x"), null); ok(sp === u.searchParams);
          throws(() => { u.href = "not a url"; }, "TypeError", "Failed to set the 'href' property on 'URL': the provided value is not of type 'valid URL string'.");
          eq(u.href, "https://b.example/p?y=2#h");
          u.href = "data:x"; eq(u.protocol, "data:"); eq(sp.size, 0);
        });
        check("protocol setter", () => {
          const u = new URL("http://h:443/x");
          u.protocol = "https"; eq(u.href, "https://h/x");
          u.protocol = "ws:anything"; eq(u.href, "ws://h/x");
          u.protocol = "sc"; eq(u.protocol, "ws:", "special to non-special is refused");
          u.port = "1"; u.protocol = "file"; eq(u.protocol, "ws:", "file takes no port");
          u.protocol = "1x"; eq(u.protocol, "ws:");
          const s = new URL("sc://h/"); s.protocol = "http"; eq(s.protocol, "sc:"); s.protocol = "other+x"; eq(s.href, "other+x://h/");
          const f = new URL("file:///x"); f.protocol = "http"; eq(f.protocol, "file:", "file with an empty host stays");
          const g = new URL("http://u@h/"); g.protocol = "file"; eq(g.protocol, "http:");
        });
        check("username and password setters", () => {
          const u = new URL("http://h/");
          u.username = "us er@"; u.password = "p:w/d"; eq(u.href, "http://us%20er%40:p%3Aw%2Fd@h/");
          u.username = ""; eq(u.href, "http://:p%3Aw%2Fd@h/"); u.password = ""; eq(u.href, "http://h/");
          const f = new URL("file:///x"); f.username = "u"; eq(f.href, "file:///x");
          const m = new URL("mailto:x"); m.password = "p"; eq(m.href, "mailto:x");
          const e = new URL("sc:///x"); e.username = "u"; eq(e.href, "sc:///x");
        });
        check("host and hostname setters", () => {
          const u = new URL("http://h:8080/p?q#f");
          u.host = "example.com:81"; eq(u.href, "http://example.com:81/p?q#f");
          u.host = "other.example"; eq(u.host, "other.example:81", "a host without port keeps the port");
          u.hostname = "x.example:99"; eq(u.host, "other.example:81", "hostname refuses a port");
          u.hostname = "Y.Example"; eq(u.host, "y.example:81");
          u.host = "münchen.de/ignored?x"; eq(u.host, "xn--mnchen-3ya.de:81");
          u.host = ""; eq(u.host, "xn--mnchen-3ya.de:81", "special URLs need a host");
          u.host = "a b"; eq(u.hostname, "xn--mnchen-3ya.de");
          u.host = "[::1]:80"; eq(u.host, "[::1]");
          u.host = "h:65536"; eq(u.href, "http://h/p?q#f", "host is set even when the port fails");
          const s = new URL("sc://h/x"); s.host = ""; eq(s.href, "sc:///x");
          const c = new URL("sc://u@h/x"); c.host = ""; eq(c.href, "sc://u@h/x");
          const o = new URL("mailto:x"); o.host = "h"; eq(o.href, "mailto:x");
          const f = new URL("file://h/x"); f.host = "localhost"; eq(f.href, "file:///x");
        });
        check("port setter", () => {
          const u = new URL("http://h/");
          u.port = "8080"; eq(u.port, "8080");
          u.port = "80"; eq(u.port, "");
          u.port = "123abc"; eq(u.port, "123");
          u.port = "abc"; eq(u.port, "123");
          u.port = "65536"; eq(u.port, "123");
          u.port = ""; eq(u.href, "http://h/");
          u.port = 443; eq(u.port, "443");
          u.port = "  1"; eq(u.port, "443");
          u.port = "\t1\n2"; eq(u.port, "12");
          const f = new URL("file:///x"); f.port = "1"; eq(f.href, "file:///x");
        });
        check("pathname setter", () => {
          const u = new URL("http://h/a?q#f");
          u.pathname = "b/c d/../e"; eq(u.href, "http://h/b/e?q#f");
          u.pathname = "/x?y#z"; eq(u.pathname, "/x%3Fy%23z");
          u.pathname = ""; eq(u.pathname, "/");
          u.pathname = "\\a\\b"; eq(u.pathname, "/a/b");
          const s = new URL("sc://h/a"); s.pathname = ""; eq(s.href, "sc://h");
          const n = new URL("sc:/a"); n.pathname = "//b"; eq(n.href, "sc:/.//b");
          const o = new URL("mailto:x"); o.pathname = "y"; eq(o.href, "mailto:x");
        });
        check("search and hash setters", () => {
          const u = new URL("http://h/p#f");
          u.search = "a=1 2&b='"; eq(u.search, "?a=1%202&b=%27");
          u.search = "??x#y"; eq(u.search, "??x%23y");
          u.search = "?"; eq(u.href, "http://h/p?#f"); eq(u.search, "");
          u.search = ""; eq(u.href, "http://h/p#f");
          u.hash = "x y`"; eq(u.hash, "#x%20y%60");
          u.hash = "##"; eq(u.hash, "##");
          u.hash = "#"; eq(u.href, "http://h/p#"); eq(u.hash, "");
          u.hash = ""; eq(u.href, "http://h/p");
          const d = new URL("data:space ?query#f"); d.search = ""; eq(d.href, "data:space%20#f"); d.hash = ""; eq(d.href, "data:space%20");
        });
        """);

    [Fact]
    public Task ApiMatchesWorkerd() => JsChecks.RunAsync(Helpers + """
        check("canParse and parse", () => {
          eq(URL.canParse("https://example.com/"), true); eq(URL.canParse("nope"), false);
          eq(URL.canParse("x", "https://example.com/"), true); eq(URL.canParse("x", "nope"), false);
          eq(URL.canParse("https://a", undefined), true);
          eq(URL.parse("nope"), null);
          const u = URL.parse("../c", "https://h/a/b/");
          ok(u instanceof URL); eq(u.href, "https://h/a/c");
          eq(URL.parse("https://h/").searchParams.size, 0);
        });
        check("argument conversion and missing arguments", () => {
          throws(() => new URL(), "TypeError", "Failed to construct 'URL': constructor parameter 1 is not of type 'USVString'.");
          throws(() => URL.parse(), "TypeError", "Failed to execute 'parse' on 'URL': parameter 1 is not of type 'USVString'.");
          throws(() => URL.canParse(), "TypeError", "Failed to execute 'canParse' on 'URL': parameter 1 is not of type 'USVString'.");
          throws(() => new URL(undefined), "TypeError", "Invalid URL string.");
          throws(() => new URL(null), "TypeError", "Invalid URL string.");
          eq(href("http://a", undefined), "http://a/");
          throws(() => new URL("/a", null), "TypeError", "Invalid URL string.");
          eq(href({ toString: () => "http://obj/" }), "http://obj/");
          throws(() => new URL(Symbol()), "TypeError", "Cannot convert a Symbol value to a string");
          const base = new URL("http://base/dir/"); base.toString = () => "http://other/";
          eq(href("x", base), "http://other/x", "a base is converted with its toString");
          eq(href(new URL("http://copy/x")), "http://copy/x");
        });
        check("createObjectURL and revokeObjectURL are not implemented, like workerd", () => {
          eq(typeof URL.createObjectURL, "function"); eq(typeof URL.revokeObjectURL, "function");
          throws(() => URL.createObjectURL(), "TypeError", "parameter 1 is not of type 'File or Blob'.");
          throws(() => URL.createObjectURL("x"), "TypeError", "parameter 1 is not of type 'File or Blob'.");
          throws(() => URL.revokeObjectURL("blob:x"), "Error", "URL.revokeObjectURL() is not implemented");
          throws(() => URL.revokeObjectURL(), "TypeError", "Failed to execute 'revokeObjectURL' on 'URL': parameter 1 is not of type 'USVString'.");
          if (typeof Blob === "function") throws(() => URL.createObjectURL(new Blob(["x"])), "Error", "URL.createObjectURL() is not implemented");
        });
        check("searchParams is live in both directions", () => {
          const u = new URL("https://h/p?a=1&b=2#f");
          const sp = u.searchParams;
          ok(sp === u.searchParams, "same object each time");
          eq(sp.get("a"), "1");
          sp.append("c", "x y"); eq(u.href, "https://h/p?a=1&b=2&c=x+y#f");
          sp.delete("a"); sp.delete("b"); sp.delete("c"); eq(u.href, "https://h/p#f"); eq(u.search, "");
          u.search = "?z=9"; eq(sp.get("z"), "9"); eq([...sp], [["z", "9"]]);
          sp.set("é", "ü"); eq(u.search, "?z=9&%C3%A9=%C3%BC");
          sp.sort(); eq(u.search, "?z=9&%C3%A9=%C3%BC");
          u.search = ""; eq(sp.size, 0);
          const o = new URL("sc:opaque?x=1"); o.searchParams.set("x", "2"); eq(o.href, "sc:opaque?x=2");
        });
        check("searchParams parses the URL's encoded query", () => {
          const u = new URL("http://h/?q=a+b%20c&e=%C3%A9&bad=%zz&emoji=%F0%9F%98%80");
          eq(u.searchParams.get("q"), "a b c"); eq(u.searchParams.get("e"), "é");
          eq(u.searchParams.get("bad"), "%zz"); eq(u.searchParams.get("emoji"), "😀");
        });
        check("interface shape matches workerd", () => {
          eq(Object.prototype.toString.call(new URL("http://h/")), "[object URL]");
          eq(Object.keys(URL.prototype), ["origin", "href", "protocol", "username", "password", "host", "hostname", "port",
            "pathname", "search", "hash", "searchParams", "toJSON", "toString"]);
          eq(Object.keys(new URL("http://h/")), []);
          ok(["canParse", "parse", "createObjectURL", "revokeObjectURL"].every((k) => Object.keys(URL).includes(k)));
          eq(URL.length, 0); eq(typeof Object.getOwnPropertyDescriptor(URL.prototype, "origin").set, "undefined");
          throws(() => URL.prototype.href, "TypeError", "Illegal invocation");
          throws(() => Object.getOwnPropertyDescriptor(URL.prototype, "search").set.call({}, "x"), "TypeError", "Illegal invocation");
          throws(() => URL.prototype.toString.call({}), "TypeError", "Illegal invocation");
          throws(() => URL("http://h/"), "TypeError");
        });
        check("a subclass works", () => {
          class MyURL extends URL { get twice() { return this.pathname + this.pathname; } }
          const u = new MyURL("http://h/x");
          eq(u.twice, "/x/x"); ok(u instanceof URL); eq(u.href, "http://h/x");
        });
        check("Request, Response.redirect and fetch paths use URL", () => {
          eq(new Request("https://EXAMPLE.com:443/a/../b?x#y").url, "https://example.com/b?x#y");
          eq(new Request("http://münchen.de/").url, "http://xn--mnchen-3ya.de/");
          throws(() => new Request("/relative"), "TypeError");
          eq(Response.redirect("https://h/x y", 301).headers.get("location"), "https://h/x%20y");
        });
        """);
}
