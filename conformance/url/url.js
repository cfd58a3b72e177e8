// WHATWG URL: the URL class.

test("parses and serializes", () => {
  const u = new URL("HTTPS://User:Pa@Example.COM:443/a/./b/../c?x=1#y");
  assert_equals(u.href, "https://User:Pa@example.com/a/c?x=1#y");
  assert_equals(u.protocol, "https:");
  assert_equals(u.username, "User");
  assert_equals(u.password, "Pa");
  assert_equals(u.host, "example.com");
  assert_equals(u.port, "");
  assert_equals(u.pathname, "/a/c");
  assert_equals(u.search, "?x=1");
  assert_equals(u.hash, "#y");
  assert_equals(u.origin, "https://example.com");
});

test("relative to a base", () => {
  assert_equals(new URL("../x?y", "http://h/a/b/c").href, "http://h/a/x?y");
  assert_equals(new URL("//other/p", "https://h/").href, "https://other/p");
  assert_equals(new URL("?q", "http://h/p").href, "http://h/p?q");
  assert_equals(new URL("#f", "http://h/p?q").href, "http://h/p?q#f");
});

test("an invalid URL throws TypeError", () => {
  assert_throws_js(TypeError, () => new URL("nope"));
  assert_throws_js(TypeError, () => new URL("http://a b/"));
  assert_throws_js(TypeError, () => new URL("/x", "nope"));
});

test("URL.canParse", () => {
  assert_true(URL.canParse("https://x/"));
  assert_false(URL.canParse("x"));
  assert_true(URL.canParse("x", "https://h/"));
});

test("URL.parse returns null on failure", () => {
  assert_equals(URL.parse("x"), null);
  assert_equals(URL.parse("/a", "https://h/").href, "https://h/a");
});

test("default ports are dropped", () => {
  assert_equals(new URL("http://h:80/").port, "");
  assert_equals(new URL("https://h:443/").host, "h");
  assert_equals(new URL("http://h:8080/").port, "8080");
  assert_equals(new URL("ws://h:80/").port, "");
});

test("IPv4 addresses are normalized", () => {
  assert_equals(new URL("http://0x7f.1/").host, "127.0.0.1");
  assert_equals(new URL("http://2130706433/").host, "127.0.0.1");
  assert_throws_js(TypeError, () => new URL("http://256.256.256.256.256/"));
});

test("IPv6 addresses are compressed", () => {
  assert_equals(new URL("http://[0:0:0:0:0:0:0:1]/").host, "[::1]");
  assert_equals(new URL("http://[2001:db8:0:0:1:0:0:1]/").hostname, "[2001:db8::1:0:0:1]");
});

test("international domain names become punycode", () => {
  assert_equals(new URL("http://münchen.de/").hostname, "xn--mnchen-3ya.de");
  assert_equals(new URL("http://EXAMPLE.コム/").hostname, "example.xn--tckwe");
});

test("percent-encoding of path, query and fragment", () => {
  const u = new URL("http://h/a b/é?q=a b&é#f g");
  assert_equals(u.pathname, "/a%20b/%C3%A9");
  assert_equals(u.search, "?q=a%20b&%C3%A9");
  assert_equals(u.hash, "#f%20g");
});

test("backslashes are slashes in special URLs", () => {
  assert_equals(new URL("http:\\\\h\\a\\b").href, "http://h/a/b");
});

test("setters", () => {
  const u = new URL("http://h/p");
  u.protocol = "https";
  u.hostname = "example.org";
  u.port = "8443";
  u.pathname = "x y";
  u.search = "a=1";
  u.hash = "top";
  assert_equals(u.href, "https://example.org:8443/x%20y?a=1#top");
});

test("a special URL cannot become non-special by its protocol", () => {
  const u = new URL("http://h/");
  u.protocol = "foo";
  assert_equals(u.protocol, "http:");
});

test("an invalid port is ignored by the setter", () => {
  const u = new URL("http://h:1/");
  u.port = "99999";
  assert_equals(u.port, "1");
  u.port = "";
  assert_equals(u.port, "");
});

test("href setter throws TypeError on an invalid URL", () => {
  const u = new URL("http://h/");
  assert_throws_js(TypeError, () => { u.href = "nope"; });
});

test("non-special URLs keep an opaque path", () => {
  const u = new URL("mailto:Someone@Example.com");
  assert_equals(u.pathname, "Someone@Example.com");
  assert_equals(u.origin, "null");
  assert_equals(new URL("data:text/plain,hi").protocol, "data:");
});

test("file URLs", () => {
  const u = new URL("file:///C:/x/../y");
  assert_equals(u.href, "file:///C:/y");
  assert_equals(u.host, "");
});

test("searchParams is live", () => {
  const u = new URL("http://h/?a=1");
  u.searchParams.append("b", "2 3");
  assert_equals(u.search, "?a=1&b=2+3");
  u.search = "?c=4";
  assert_equals(u.searchParams.get("c"), "4");
  assert_equals(u.searchParams, u.searchParams);
});

test("toString and toJSON return href", () => {
  const u = new URL("http://h/x");
  assert_equals(String(u), "http://h/x");
  assert_equals(u.toJSON(), "http://h/x");
  assert_equals(JSON.stringify({ u }), '{"u":"http://h/x"}');
});

test("URL requires new and an argument", () => {
  assert_throws_js(TypeError, () => URL("http://h/"));
  assert_throws_js(TypeError, () => new URL());
});

test("tabs and newlines are removed, C0 controls and spaces trimmed", () => {
  assert_equals(new URL(" \thttp://h/a\nb\t ").href, "http://h/ab");
});

test("forbidden host code points throw TypeError", () => {
  assert_throws_js(TypeError, () => new URL("http://a<b/"));
  assert_throws_js(TypeError, () => new URL("http://a%00b/"));
});
