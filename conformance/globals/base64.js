// HTML: atob() and btoa().

test("btoa encodes Latin-1", () => {
  assert_equals(btoa(""), "");
  assert_equals(btoa("a"), "YQ==");
  assert_equals(btoa("ab"), "YWI=");
  assert_equals(btoa("abc"), "YWJj");
  assert_equals(btoa("\xff\xfe"), "//4=");
});

test("btoa throws InvalidCharacterError beyond Latin-1", () => {
  assert_throws_dom("InvalidCharacterError", () => btoa("€"));
});

test("atob decodes and ignores ASCII whitespace", () => {
  assert_equals(atob("YWJj"), "abc");
  assert_equals(atob(" YW\nJj\t"), "abc");
  assert_equals(atob("YQ"), "a");
  assert_equals(atob("YQ=="), "a");
});

test("atob throws InvalidCharacterError on bad input", () => {
  assert_throws_dom("InvalidCharacterError", () => atob("a"));
  assert_throws_dom("InvalidCharacterError", () => atob("YQ="));
  assert_throws_dom("InvalidCharacterError", () => atob("Y@=="));
});

test("atob and btoa convert their argument to a string", () => {
  assert_equals(btoa(12), "MTI=");
  assert_equals(atob(null), atob("null"));
  assert_throws_dom("InvalidCharacterError", () => atob(undefined));
  assert_throws_js(TypeError, () => btoa());
});
