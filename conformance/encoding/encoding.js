// WHATWG Encoding: TextEncoder, TextDecoder, TextEncoderStream, TextDecoderStream.

test("TextEncoder encodes UTF-8", () => {
  const e = new TextEncoder();
  assert_equals(e.encoding, "utf-8");
  assert_array_equals(e.encode("aé€😀"), [0x61, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80]);
});

test("encode() with no argument is empty", () => {
  const out = new TextEncoder().encode();
  assert_true(out instanceof Uint8Array);
  assert_equals(out.length, 0);
});

test("lone surrogates encode as U+FFFD", () => {
  assert_array_equals(new TextEncoder().encode("\ud800"), [0xef, 0xbf, 0xbd]);
  assert_array_equals(new TextEncoder().encode("a\udc00b"), [0x61, 0xef, 0xbf, 0xbd, 0x62]);
});

test("encodeInto() reports read and written", () => {
  const dest = new Uint8Array(4);
  const r = new TextEncoder().encodeInto("aé€", dest);
  assert_equals(r.read, 2);
  assert_equals(r.written, 3);
  assert_array_equals(dest, [0x61, 0xc3, 0xa9, 0]);
});

test("encodeInto() does not split a surrogate pair", () => {
  const r = new TextEncoder().encodeInto("😀", new Uint8Array(3));
  assert_equals(r.read, 0);
  assert_equals(r.written, 0);
});

test("TextDecoder defaults", () => {
  const d = new TextDecoder();
  assert_equals(d.encoding, "utf-8");
  assert_false(d.fatal);
  assert_false(d.ignoreBOM);
});

test("decode() UTF-8 and strips the BOM", () => {
  const d = new TextDecoder();
  assert_equals(d.decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x61])), "a");
  assert_equals(d.decode(new Uint8Array([0xc3, 0xa9])), "é");
});

test("ignoreBOM keeps the BOM", () => {
  const d = new TextDecoder("utf-8", { ignoreBOM: true });
  assert_equals(d.decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x61])), "\ufeffa");
});

test("invalid sequences become U+FFFD", () => {
  assert_equals(new TextDecoder().decode(new Uint8Array([0xff])), "\ufffd");
  assert_equals(new TextDecoder().decode(new Uint8Array([0xc3])), "\ufffd");
  assert_equals(new TextDecoder().decode(new Uint8Array([0xed, 0xa0, 0x80])), "\ufffd\ufffd\ufffd");
});

test("fatal throws TypeError on invalid input", () => {
  const d = new TextDecoder("utf-8", { fatal: true });
  assert_true(d.fatal);
  assert_throws_js(TypeError, () => d.decode(new Uint8Array([0xff])));
});

test("stream: true keeps partial sequences", () => {
  const d = new TextDecoder();
  assert_equals(d.decode(new Uint8Array([0xe2, 0x82]), { stream: true }), "");
  assert_equals(d.decode(new Uint8Array([0xac])), "€");
});

test("labels are case-insensitive and trimmed", () => {
  assert_equals(new TextDecoder(" UTF8 ").encoding, "utf-8");
  assert_equals(new TextDecoder("unicode-1-1-utf-8").encoding, "utf-8");
});

test("an unknown label throws RangeError", () => {
  assert_throws_js(RangeError, () => new TextDecoder("nope"));
  assert_throws_js(RangeError, () => new TextDecoder("replacement"));
});

test("utf-16le decoding", () => {
  const d = new TextDecoder("utf-16le");
  assert_equals(d.encoding, "utf-16le");
  assert_equals(d.decode(new Uint8Array([0x61, 0x00, 0x3d, 0xd8, 0x00, 0xde])), "a😀");
});

test("windows-1252 (latin1 label)", () => {
  const d = new TextDecoder("latin1");
  assert_equals(d.encoding, "windows-1252");
  assert_equals(d.decode(new Uint8Array([0x41, 0x80, 0xe9])), "A€é");
});

test("decode() accepts ArrayBuffer and any view", () => {
  const d = new TextDecoder();
  assert_equals(d.decode(new Uint8Array([0x68, 0x69]).buffer), "hi");
  assert_equals(d.decode(new DataView(new Uint8Array([0x68, 0x69]).buffer, 1)), "i");
  assert_equals(d.decode(new Uint16Array([0x6968])), "hi");
  assert_equals(d.decode(), "");
});

test("decode() rejects non-buffers with TypeError", () => {
  assert_throws_js(TypeError, () => new TextDecoder().decode("abc"));
});

test("TextEncoderStream", async () => {
  const s = new TextEncoderStream();
  assert_equals(s.encoding, "utf-8");
  const w = s.writable.getWriter();
  w.write("é"); w.close();
  const out = [];
  for await (const chunk of s.readable) out.push(...chunk);
  assert_array_equals(out, [0xc3, 0xa9]);
});

test("TextEncoderStream joins a surrogate pair split across chunks", async () => {
  const s = new TextEncoderStream();
  const w = s.writable.getWriter();
  w.write("\ud83d"); w.write("\ude00"); w.close();
  const out = [];
  for await (const chunk of s.readable) out.push(...chunk);
  assert_array_equals(out, [0xf0, 0x9f, 0x98, 0x80]);
});

test("TextDecoderStream joins split sequences", async () => {
  const s = new TextDecoderStream();
  const w = s.writable.getWriter();
  w.write(new Uint8Array([0xe2])); w.write(new Uint8Array([0x82, 0xac])); w.close();
  let text = "";
  for await (const chunk of s.readable) text += chunk;
  assert_equals(text, "€");
});

test("TextDecoderStream with fatal errors on bad input", async () => {
  const s = new TextDecoderStream("utf-8", { fatal: true });
  const w = s.writable.getWriter();
  w.write(new Uint8Array([0xff])).catch(() => {});
  w.close().catch(() => {});
  await promise_rejects_js(TypeError, s.readable.getReader().read());
});
