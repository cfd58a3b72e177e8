using Flint.JavaScript.Tests.Support;

namespace Flint.JavaScript.Tests.Web;

// Expected values were taken from workerd (compatibility date 2026-11-01).
public class EncodingTests
{
    private const string Helpers = """
        const hex = (s) => Array.from(s, (c) => c.charCodeAt(0).toString(16)).join(" ");
        const u8 = (...b) => new Uint8Array(b);
        """;

    [Fact]
    public Task TextEncoderMatchesWorkerd() => JsChecks.RunAsync(Helpers + """
        check("encode", () => {
          const te = new TextEncoder();
          eq(te.encoding, "utf-8");
          eq(Array.from(te.encode()), []); eq(Array.from(te.encode(undefined)), []);
          eq(Array.from(te.encode(null)), [110, 117, 108, 108]);
          eq(Array.from(te.encode(12)), [49, 50]);
          eq(Array.from(te.encode("\ud800a")), [239, 191, 189, 97]);
          eq(Array.from(te.encode("é€😀")), [0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80]);
          ok(te.encode("x") instanceof Uint8Array);
        });
        check("encode long strings through the host", () => {
          const s = "aé€😀\udc00".repeat(500);
          const bytes = new TextEncoder().encode(s);
          eq(bytes.length, 500 * (1 + 2 + 3 + 4 + 3));
          eq(new TextDecoder().decode(bytes), s.toWellFormed());
        });
        check("encodeInto", () => {
          const te = new TextEncoder();
          const buf = new Uint8Array(5);
          eq(te.encodeInto("a😀b", buf), { read: 3, written: 5 });
          eq(Array.from(buf), [97, 240, 159, 152, 128]);
          eq(te.encodeInto("ab😀", new Uint8Array(3)), { read: 2, written: 2 });
          eq(te.encodeInto("\ud800x", new Uint8Array(3)), { read: 1, written: 3 });
          eq(te.encodeInto("", new Uint8Array(0)), { read: 0, written: 0 });
          eq(te.encodeInto("é", new Uint8Array(1)), { read: 0, written: 0 });
          eq(Object.keys(te.encodeInto("a", new Uint8Array(2))), ["read", "written"]);
          const big = new Uint8Array(8); const view = big.subarray(2, 6);
          eq(te.encodeInto("wxyz!", view), { read: 4, written: 4 });
          eq(Array.from(big), [0, 0, 119, 120, 121, 122, 0, 0]);
        });
        check("encodeInto argument checks", () => {
          const te = new TextEncoder();
          throws(() => te.encodeInto("a", new Uint16Array(2)), "TypeError", "parameter 2 is not of type 'Uint8Array'");
          throws(() => te.encodeInto("a", new ArrayBuffer(2)), "TypeError");
          throws(() => te.encodeInto("a"), "TypeError");
        });
        check("shape", () => {
          for (const k of ["encode", "encodeInto", "encoding"]) ok(Object.getOwnPropertyNames(TextEncoder.prototype).includes(k), k);
          eq(Object.prototype.toString.call(new TextEncoder()), "[object TextEncoder]");
          throws(() => TextEncoder.prototype.encode.call({}, "x"), "TypeError", "Illegal invocation");
        });
        """);

    [Fact]
    public Task TextDecoderMatchesWorkerd() => JsChecks.RunAsync(Helpers + """
        check("defaults", () => {
          const td = new TextDecoder();
          eq([td.encoding, td.fatal, td.ignoreBOM], ["utf-8", false, false]);
          eq(td.decode(), ""); eq(td.decode(undefined), "");
          eq(td.decode(u8(0x68, 0xc3, 0xa9, 0xe2, 0x82, 0xac)), "hé€");
          eq(Object.prototype.toString.call(td), "[object TextDecoder]");
        });
        check("labels", () => {
          const cases = { "utf8": "utf-8", " UTF-8 ": "utf-8", "\tunicode-1-1-utf-8\n": "utf-8", "latin1": "windows-1252",
            "ascii": "windows-1252", "US-ASCII": "windows-1252", "iso-8859-1": "windows-1252", "utf-16": "utf-16le",
            "utf-16le": "utf-16le", "ucs-2": "utf-16le", "utf-16be": "utf-16be", "iso-8859-2": "iso-8859-2",
            "windows-1251": "windows-1251", "koi8-r": "koi8-r", "macintosh": "macintosh", "iso-8859-8-i": "iso-8859-8-i",
            "x-user-defined": "x-user-defined", "cp1250": "windows-1250", "l9": "iso-8859-15", "dos-874": "windows-874",
            "x-mac-ukrainian": "x-mac-cyrillic", "ibm866": "ibm866" };
          for (const [label, name] of Object.entries(cases)) eq(new TextDecoder(label).encoding, name, label);
          throws(() => new TextDecoder("foo"), "RangeError", "\"foo\" is not a valid encoding.");
          throws(() => new TextDecoder("replacement"), "RangeError", "\"replacement\" is not a valid encoding.");
          throws(() => new TextDecoder("iso-2022-kr"), "RangeError");
          throws(() => new TextDecoder(null), "RangeError");
        });
        check("options", () => {
          const d = new TextDecoder("utf-8", { fatal: 1, ignoreBOM: "yes" });
          eq([d.fatal, d.ignoreBOM], [true, true]);
          throws(() => new TextDecoder("utf-8", 5), "TypeError", "constructor parameter 2 is not of type 'ConstructorOptions'");
          throws(() => new TextDecoder().decode(u8(1), 5), "TypeError", "parameter 2 is not of type 'DecodeOptions'");
        });
        check("input types", () => {
          const td = new TextDecoder();
          eq(td.decode(new DataView(u8(65).buffer)), "A");
          eq(td.decode(new Uint16Array([0x4241])), "AB");
          eq(td.decode(u8(65, 66).buffer), "AB");
          const big = u8(0x78, 0x68, 0xc3, 0xa9, 0x79); eq(td.decode(big.subarray(1, 4)), "hé");
          for (const bad of ["abc", 123, null, {}]) throws(() => td.decode(bad), "TypeError", "parameter 1 is not of type 'Array'");
        });
        check("replacement of invalid UTF-8", () => {
          const td = new TextDecoder();
          eq(hex(td.decode(u8(0xed, 0xa0, 0x80))), "fffd fffd fffd");
          eq(hex(td.decode(u8(0xe2, 0x82))), "fffd");
          eq(hex(td.decode(u8(0xf0, 0x90, 0x80, 0x41))), "fffd 41");
          eq(hex(td.decode(u8(0xc0, 0x80))), "fffd fffd");
          eq(hex(td.decode(u8(0xff))), "fffd");
          eq(hex(td.decode(u8(0x41, 0x80, 0x42))), "41 fffd 42");
          eq(hex(td.decode(u8(0xe0, 0x80, 0x41))), "fffd fffd 41");
          eq(hex(td.decode(u8(0xf4, 0x90, 0x80, 0x80))), "fffd fffd fffd fffd");
        });
        check("fatal", () => {
          const fatal = new TextDecoder("utf-8", { fatal: true });
          throws(() => fatal.decode(u8(0xff)), "TypeError", "Failed to decode input.");
          throws(() => fatal.decode(u8(0xe2, 0x82)), "TypeError", "Failed to decode input.");
          throws(() => fatal.decode(u8(0x80)), "TypeError", "Failed to decode input.");
          eq(fatal.decode(u8(0xe2, 0x82, 0xac)), "€");
          const s = new TextDecoder("utf-8", { fatal: true });
          eq(s.decode(u8(0xe2), { stream: true }), "");
          throws(() => s.decode(), "TypeError", "Failed to decode input.");
          eq(s.decode(u8(0x41)), "A");
        });
        check("BOM", () => {
          eq(hex(new TextDecoder().decode(u8(0xef, 0xbb, 0xbf, 0x41))), "41");
          eq(hex(new TextDecoder("utf-8", { ignoreBOM: true }).decode(u8(0xef, 0xbb, 0xbf, 0x41))), "feff 41");
          eq(hex(new TextDecoder().decode(u8(0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf))), "feff");
          const b = new TextDecoder();
          eq(hex(b.decode(u8(0xef), { stream: true })), "");
          eq(hex(b.decode(u8(0xbb, 0xbf, 0x41), { stream: true })), "41");
          eq(hex(b.decode(u8(0xef, 0xbb, 0xbf, 0x41))), "feff 41");
          // The stream ended with the last call, so the next one starts afresh.
          eq(hex(b.decode(u8(0xef, 0xbb, 0xbf, 0x41))), "41");
        });
        check("streaming keeps unfinished sequences", () => {
          const s = new TextDecoder();
          eq(s.decode(u8(0xe2, 0x82), { stream: true }), "");
          eq(s.decode(u8(0xac), { stream: true }), "€");
          eq(hex(s.decode(u8(0xe2))), "fffd");
          eq(s.decode(), "");
          const bytes = new TextEncoder().encode("aé€😀b".repeat(40));
          for (const size of [1, 2, 3, 5, 7]) {
            const d = new TextDecoder(); let out = "";
            for (let i = 0; i < bytes.length; i += size) out += d.decode(bytes.subarray(i, i + size), { stream: true });
            out += d.decode();
            eq(out, "aé€😀b".repeat(40), `chunks of ${size}`);
          }
          const bad = new TextDecoder();
          eq(hex(bad.decode(u8(0x41, 0xe0, 0x80), { stream: true })), "41 fffd fffd");
          eq(hex(bad.decode(u8(0xf0, 0x9f), { stream: true }) + "|" + bad.decode(u8(0x41))), "7c fffd 41");
        });
        check("utf-16", () => {
          eq(new TextDecoder("utf-16le").decode(u8(0xff, 0xfe, 0x41, 0, 0x42, 0)), "AB");
          eq(hex(new TextDecoder("utf-16le").decode(u8(0x41, 0, 0x00, 0xd8))), "41 fffd");
          eq(hex(new TextDecoder("utf-16le").decode(u8(0x41, 0, 0x42))), "41 fffd");
          throws(() => new TextDecoder("utf-16le", { fatal: true }).decode(u8(0x41, 0, 0x42)), "TypeError", "Failed to decode input.");
          throws(() => new TextDecoder("utf-16le", { fatal: true }).decode(u8(0x00, 0xdc)), "TypeError");
          eq(hex(new TextDecoder("utf-16be").decode(u8(0xfe, 0xff, 0, 0x41))), "41");
          eq(hex(new TextDecoder("utf-16be", { ignoreBOM: true }).decode(u8(0xfe, 0xff, 0, 0x41))), "feff 41");
          const s = new TextDecoder("utf-16le"); const bytes = u8(0x3d, 0xd8, 0x00, 0xde, 0x41, 0x00);
          let out = ""; for (const b of bytes) out += s.decode(u8(b), { stream: true });
          eq(out + s.decode(), "😀A");
        });
        check("single-byte encodings", () => {
          eq(hex(new TextDecoder("latin1").decode(u8(0x41, 0x80, 0x81, 0x9f, 0xa0, 0xff))), "41 20ac 81 178 a0 ff");
          eq(new TextDecoder("windows-1251").decode(u8(0xcf, 0xf0, 0xe8, 0xe2, 0xe5, 0xf2)), "Привет");
          eq(new TextDecoder("koi8-r").decode(u8(0xf0, 0xd2, 0xc9, 0xd7, 0xc5, 0xd4)), "Привет");
          eq(new TextDecoder("iso-8859-2").decode(u8(0xa3, 0xf3, 0x64, 0xbc)), "Łódź");
          eq(new TextDecoder("iso-8859-15").decode(u8(0xa4)), "€");
          eq(hex(new TextDecoder("iso-8859-8").decode(u8(0xa1))), "fffd");
          throws(() => new TextDecoder("iso-8859-8", { fatal: true }).decode(u8(0xa1)), "TypeError", "Failed to decode input.");
          eq(hex(new TextDecoder("latin1").decode(u8(0xef, 0xbb, 0xbf))), "ef bb bf");
          eq(hex(new TextDecoder("x-user-defined").decode(u8(0x41, 0x80, 0xff))), "41 f780 f7ff");
          const long = new Uint8Array(20000).fill(0xe9);
          eq(new TextDecoder("latin1").decode(long), "é".repeat(20000));
        });
        check("long UTF-8 through the host", () => {
          const s = "ab€😀".repeat(5000);
          eq(new TextDecoder().decode(new TextEncoder().encode(s)), s);
        });
        """);

    [Fact]
    public Task AtobBtoaMatchWorkerd() => JsChecks.RunAsync("""
        const msg = "atob() called with invalid base64-encoded data. (Only whitespace, '+', '/', alphanumeric ASCII, and up to two terminal '=' signs when the input data length is divisible by 4 are allowed.)";
        check("atob", () => {
          eq(atob(" YW Jj\n"), "abc"); eq(atob("YQ"), "a"); eq(atob("YQ=="), "a"); eq(atob("YR=="), "a");
          eq(atob("\fYQ\t"), "a"); eq(atob(""), ""); eq(atob(null), "\u009e\u00e9e");
          eq(atob("/+8="), "\u00ff\u00ef"); eq(atob("AAEC"), "\u0000\u0001\u0002");
        });
        check("atob errors", () => {
          for (const bad of ["YWJj=", "Y", "YQ=", "Y===", "YW=Jj", "€", "a-b_", "=", "YQ==="]) {
            const e = throws(() => atob(bad), "InvalidCharacterError", msg);
            ok(e instanceof DOMException, bad); eq(e.code, 5);
          }
          throws(() => atob(undefined), "InvalidCharacterError");
          throws(() => atob(), "TypeError", "Failed to execute 'atob' on 'ServiceWorkerGlobalScope': parameter 1 is not of type 'string'.");
        });
        check("btoa", () => {
          eq(btoa("abc"), "YWJj"); eq(btoa(""), ""); eq(btoa("a"), "YQ=="); eq(btoa("ab"), "YWI=");
          eq(btoa(undefined), "dW5kZWZpbmVk"); eq(btoa(null), "bnVsbA=="); eq(btoa("\xff\xfe"), "//4=");
          const e = throws(() => btoa("€"), "InvalidCharacterError", "btoa() can only operate on characters in the Latin1 (ISO/IEC 8859-1) range.");
          ok(e instanceof DOMException);
          throws(() => btoa(), "TypeError", "parameter 1 is not of type 'String'.");
        });
        check("round trip of all bytes, long input", () => {
          let s = ""; for (let i = 0; i < 256; i++) s += String.fromCharCode(i);
          s = s.repeat(100);
          const b = btoa(s);
          eq(b.length, Math.ceil(s.length / 3) * 4);
          eq(atob(b), s);
        });
        """);
}
