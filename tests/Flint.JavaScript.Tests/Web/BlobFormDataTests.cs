using Flint.JavaScript.Tests.Support;

namespace Flint.JavaScript.Tests.Web;

// Expected values were taken from workerd (compatibility date 2025-11-01).
public class BlobFormDataTests
{
    [Fact]
    public Task BlobAndFileMatchWorkerd() => JsChecks.RunAsync("""
        check("type is lowercased, non-printable ASCII gives empty", () => {
          eq(new Blob(["a"], { type: "Text/HTML" }).type, "text/html");
          eq(new Blob(["a"], { type: "te\u00e9xt" }).type, "");
          eq(new Blob(["a"], { type: "a\x19b" }).type, "");
          eq(new Blob(["a"], { type: "  x " }).type, "  x ");
          eq(new Blob(["a"], { type: null }).type, "null");
          eq(new Blob().size, 0); eq(new Blob().type, "");
        });
        check("endings is not implemented, as in workerd", async () => {
          throws(() => new Blob(["a\n"], { endings: "native" }), "Error", "The 'endings' field on 'Options' is not implemented.");
          throws(() => new Blob(["a\n"], { endings: "transparent" }), "Error", "not implemented");
          eq(await new Blob(["a\nb"], { endings: undefined }).text(), "a\nb");
        });
        check("bad arguments", () => {
          throws(() => new Blob("abc"), "TypeError", "Failed to construct 'Blob': constructor parameter 1 is not of type 'Array'.");
          throws(() => new Blob(["a"], 5), "TypeError", "Failed to construct 'Blob': constructor parameter 2 is not of type 'Options'.");
          throws(() => new File(["ab"]), "TypeError", "Failed to construct 'File': constructor parameter 2 is not of type 'string'.");
          throws(() => Blob.prototype.size, "TypeError", "Illegal invocation");
        });
        check("parts of every kind", async () => {
          eq(new Blob(["héllo", new Uint8Array([1, 2]), new ArrayBuffer(3), new Blob(["xy"])]).size, 13);
          eq(await new Blob([1, null, undefined, {}]).text(), "1nullundefined[object Object]");
          eq(new Blob([new Uint16Array([1, 2])]).size, 4);
          eq(new Blob([new DataView(new ArrayBuffer(3), 1)]).size, 2);
          const u = new Uint8Array([97]); const b = new Blob([u]); u[0] = 98; eq(await b.text(), "a");
        });
        check("slice", async () => {
          const b = new Blob(["hello world"], { type: "a/b" });
          eq(await b.slice(-5).text(), "world");
          eq(b.slice(2, -3, "A/B").type, "a/b");
          eq(b.slice(8, 2).size, 0);
          eq(b.slice().type, "");
          const s = new Blob(["abcdef"]);
          eq(await s.slice(1.7, "4").text(), "bcd");
          eq(await s.slice(-Infinity, Infinity).text(), "");
          eq(await s.slice(-2, -1).text(), "e");
          eq(await s.slice(3, 100).text(), "def");
          eq(await s.slice(-100, 2).text(), "ab");
          eq(await s.slice(1).slice(1, 3).text(), "cd");
        });
        check("text keeps a BOM, arrayBuffer and bytes copy", async () => {
          eq((await new Blob([new Uint8Array([0xef, 0xbb, 0xbf, 97])]).text()).length, 2);
          eq(await new Blob([new Uint8Array([0xff])]).text(), "\ufffd");
          const b = new Blob(["ab"]);
          eq(Array.from(await b.bytes()), [97, 98]);
          const ab = await b.arrayBuffer(); ok(ab instanceof ArrayBuffer); eq(ab.byteLength, 2);
          new Uint8Array(ab)[0] = 0; eq(await b.text(), "ab");
        });
        check("stream is a byte stream", async () => {
          const r = new Blob(["abc"]).stream();
          const rd = r.getReader(); const x = await rd.read();
          eq([x.value.constructor.name, x.value.length, (await rd.read()).done], ["Uint8Array", 3, true]);
          eq(typeof new Blob(["abc"]).stream().getReader({ mode: "byob" }), "object");
          eq(await new Response(new Blob(["xyz"]).stream()).text(), "xyz");
        });
        check("File", () => {
          const f = new File(["ab"], "n/a\\b.txt", { type: "X", lastModified: 42 });
          eq([f.name, f.type, f.size, f.lastModified, f instanceof Blob], ["n/a\\b.txt", "x", 2, 42, true]);
          eq(Object.prototype.toString.call(f), "[object File]");
          eq(String(new Blob([])), "[object Blob]");
          const d = Date.now(); const g = new File([], "a"); ok(g.lastModified >= d && g.lastModified - d < 1000, "lastModified is now");
          eq(new File([], "a", { lastModified: new Date(5) }).lastModified, 5);
          eq(new File([], "a", { lastModified: "7" }).lastModified, 7);
          eq(new File([], "a", { lastModified: NaN }).lastModified, 0);
          eq(Object.getOwnPropertyNames(Blob.prototype).sort(), ["arrayBuffer", "bytes", "constructor", "size", "slice", "stream", "text", "type"]);
          eq(Object.getOwnPropertyNames(File.prototype).sort(), ["constructor", "lastModified", "name"]);
        });
        check("structuredClone clones a Blob but not a File", async () => {
          const b = structuredClone(new Blob(["abc"], { type: "a/b" }));
          eq([b.constructor.name, await b.text(), b.type], ["Blob", "abc", "a/b"]);
          await rejects(async () => structuredClone(new File(["abc"], "n")), "DataCloneError", 'Could not serialize object of type "File". This type does not support serialization.');
        });
        check("Blob bodies", async () => {
          eq(new Response(new Blob(["x"], { type: "A/B" })).headers.get("content-type"), "a/b");
          eq(new Response(new Blob(["x"])).headers.get("content-type"), null);
          eq(await new Request("http://x/", { method: "POST", body: new Blob(["hi"]) }).text(), "hi");
          const b = await new Response("xy", { headers: { "content-type": "Text/Plain" } }).blob();
          eq([b.type, b.size, b.constructor.name], ["text/plain", 2, "Blob"]);
        });
        """);

    [Fact]
    public Task FormDataMatchesWorkerd() => JsChecks.RunAsync("""
        check("a Blob becomes a File named after the field; filename renames", () => {
          const fd = new FormData();
          fd.append("a", new Blob(["x"]));
          const v = fd.get("a"); eq([v.constructor.name, v.name, v.type], ["File", "a", ""]);
          fd.set("yy", new Blob(["x"])); eq(fd.get("yy").name, "yy");
          fd.append("b", new File(["x"], "orig", { type: "t/t" }), "renamed");
          const w = fd.get("b"); eq([w.constructor.name, w.name, w.type], ["File", "renamed", "t/t"]);
          const f = new File(["x"], "orig"); fd.append("c", f); ok(fd.get("c") === f, "same File");
          fd.append("d", "x", "fn"); eq(fd.get("d"), "x");
          fd.append("e", new Blob([]), { toString() { return "q"; } }); eq(fd.get("e").name, "q");
          fd.append("g", {}); eq(fd.get("g"), "[object Object]");
          fd.append("h", "x", undefined); eq(fd.get("h"), "x");
        });
        check("list operations", () => {
          const fd = new FormData();
          fd.append("a", "1"); fd.append("b", "2"); fd.append("a", "3"); fd.set("a", "4"); fd.append("c", 5);
          eq([...fd], [["a", "4"], ["b", "2"], ["c", "5"]]);
          fd.delete("b");
          eq([...fd.keys()], ["a", "c"]); eq([...fd.values()], ["4", "5"]);
          eq(fd.has("b"), false); eq(fd.get("zz"), null); eq(fd.getAll("a"), ["4"]);
          const seen = [];
          fd.forEach(function (v, k, p) { seen.push([v, k, p === fd, this]); }, 7);
          eq(seen, [["4", "a", true, 7], ["5", "c", true, 7]]);
          const n = new FormData(); n.append("a\r\nb", "c\rd\ne"); eq([...n], [["a\r\nb", "c\rd\ne"]]);
          const s = new FormData(); s.append("\ud800", "x"); eq([...s][0][0].charCodeAt(0), 0xfffd);
          eq(new FormData(undefined).has("x"), false); eq(new FormData(null).has("x"), false);
        });
        check("argument errors", () => {
          throws(() => new FormData().get(), "TypeError", "Failed to execute 'get' on 'FormData': parameter 1 is not of type 'string'.");
          throws(() => new FormData().append("a"), "TypeError", "Failed to execute 'append' on 'FormData': parameter 2 is not of type 'File or Blob or string'.");
        });
        check("iterators", () => {
          const fd = new FormData();
          eq(Object.prototype.toString.call(fd.entries()), "[object EntryIterator]");
          eq(Object.prototype.toString.call(fd.keys()), "[object KeyIterator]");
          eq(Object.prototype.toString.call(fd.values()), "[object ValueIterator]");
          const it = fd.entries();
          eq([typeof it[Symbol.iterator], it[Symbol.iterator]() === it, JSON.stringify(it.next())], ["function", true, '{"done":true}']);
          fd.append("a", "1"); const live = fd.keys(); fd.append("b", "2"); eq([...live], ["a", "b"]);
          eq(Object.getOwnPropertyNames(FormData.prototype).sort(), ["append", "constructor", "delete", "entries", "forEach", "get", "getAll", "has", "keys", "set", "values"]);
        });
        check("a FormData body is multipart/form-data", async () => {
          const fd = new FormData();
          fd.append("a", "1"); fd.append("f", new Blob(["hi"], { type: "text/x" }), "f.txt"); fd.append("q\"n", "v");
          fd.append("zz", new Blob(["x"])); fd.append("f2", new File(["x"], ""));
          fd.append("n\r\nx\"y", "l1\nl2\rl3\r\nl4"); fd.append("fn", new File(["x"], "a\"b\nc.txt"));
          const r = new Response(fd);
          const ct = r.headers.get("content-type");
          ok(/^multipart\/form-data; boundary=[0-9a-f]{32}$/.test(ct), ct);
          const b = ct.slice(ct.indexOf("=") + 1);
          eq(await r.text(), `--${b}\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n` +
            `--${b}\r\nContent-Disposition: form-data; name="f"; filename="f.txt"\r\nContent-Type: text/x\r\n\r\nhi\r\n` +
            `--${b}\r\nContent-Disposition: form-data; name="q%22n"\r\n\r\nv\r\n` +
            `--${b}\r\nContent-Disposition: form-data; name="zz"; filename="zz"\r\nContent-Type: application/octet-stream\r\n\r\nx\r\n` +
            `--${b}\r\nContent-Disposition: form-data; name="f2"; filename=""\r\nContent-Type: application/octet-stream\r\n\r\nx\r\n` +
            `--${b}\r\nContent-Disposition: form-data; name="n\r%0Ax%22y"\r\n\r\nl1\nl2\rl3\r\nl4\r\n` +
            `--${b}\r\nContent-Disposition: form-data; name="fn"; filename="a%22b%0Ac.txt"\r\nContent-Type: application/octet-stream\r\n\r\nx\r\n` +
            `--${b}--`);
          ok(new Response(new FormData()).headers.get("content-type") !== ct, "a new boundary each time");
        });
        """);

    [Fact]
    public Task FormDataParsingMatchesWorkerd() => JsChecks.RunAsync("""
        const mp = (ct, body) => new Request("http://x/", { method: "POST", headers: { "content-type": ct }, body }).formData();
        const show = async (p) => {
          const fd = await p; const r = [];
          for (const [k, v] of fd) r.push(typeof v === "string" ? [k, v] : [k, v.constructor.name, v.name, v.type, await v.text(), v.lastModified > 0]);
          return r;
        };
        check("multipart with a file", async () => {
          eq(await show(mp("multipart/form-data; boundary=XX", "--XX\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nhello\r\n--XX\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x.txt\"\r\nContent-Type: text/plain\r\n\r\nfile body\r\n--XX--\r\n")),
            [["a", "hello"], ["f", "File", "x.txt", "text/plain", "file body", true]]);
          eq(await show(mp("multipart/form-data; boundary=XX", "--XX\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x.bin\"\r\n\r\nzz\r\n--XX--")),
            [["f", "File", "x.bin", "", "zz", true]]);
        });
        check("multipart syntax", async () => {
          eq(await show(mp("multipart/form-data; boundary=\"X Y\"", "--X Y\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--X Y--")), [["a", "v"]]);
          eq(await show(mp("multipart/form-data; boundary=XX", "--XX--")), []);
          eq(await show(mp("multipart/form-data; boundary=XX", "preamble\r\n--XX\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--XX--\r\nepilogue")), [["a", "v"]]);
          eq(await show(mp("multipart/form-data; boundary=XX", "--XX\nContent-Disposition: form-data; name=\"a\"\n\nv\n--XX--")), [["a", "v"]]);
          eq(await show(mp("multipart/form-data; boundary=XX", "--XX\r\nContent-Disposition: form-data; name=\"a%22b\\\"c\"; filename=\"q%22.txt\"\r\n\r\nv\r\n--XX--")),
            [["a%22b\"c", "File", "q%22.txt", "", "v", true]]);
          eq(await show(mp("multipart/form-data; boundary=XX", "--XX\r\nContent-Disposition: form-data; name=\"é\"; filename=\"ü.txt\"\r\n\r\nvé\r\n--XX--")),
            [["é", "File", "ü.txt", "", "vé", true]]);
          eq(await show(mp(" multipart/form-data ; boundary=XX", "--XX--")), []);
          const bin = new Uint8Array([45, 45, 88, 88, 13, 10, ...new TextEncoder().encode('Content-Disposition: form-data; name="a"; filename="b"\r\n\r\n'), 0xff, 0x00, 13, 10, 45, 45, 88, 88, 45, 45]);
          eq(Array.from(await (await mp("multipart/form-data; boundary=XX", bin)).get("a").bytes()), [255, 0]);
        });
        check("multipart errors", async () => {
          await rejects(mp("multipart/form-data", "--XX\r\n"), "TypeError", "No boundary string in Content-Type header. The multipart/form-data MIME type requires a boundary parameter, e.g. 'Content-Type: multipart/form-data; boundary=\"abcd\"'. See RFC 7578, section 4.");
          await rejects(mp("multipart/form-data; boundary=XX", "garbage"), "TypeError", "No initial boundary string (or you have a truncated message).");
          await rejects(mp("multipart/form-data; boundary=XX", ""), "TypeError", "No initial boundary string (or you have a truncated message).");
          await rejects(mp("multipart/form-data; boundary=XX", "--XX\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nhello"), "TypeError", "No subsequent boundary string after multipart message.");
          await rejects(mp("multipart/form-data; boundary=XX", "--XX\r\nContent-Disposition: form-data\r\n\r\nhello\r\n--XX--"), "TypeError", "Content-Disposition header in FormData part is missing a name.");
          await rejects(mp("multipart/form-data;boundary=XX", "--XX\r\nContent-Disposition: form-data; name=a\r\n\r\nv\r\n--XX--"), "TypeError", "missing a name.");
          await rejects(mp("multipart/form-data; boundary=XX", "--XX\r\nFoo: bar\r\n\r\nhello\r\n--XX--"), "TypeError", "No valid Content-Disposition header found in FormData part.");
          await rejects(mp("Multipart/Form-Data; BOUNDARY=XX", "--XX\r\ncontent-disposition: Form-Data; NAME=\"a\"\r\n\r\nv\r\n--XX--"), "TypeError", "Content-Disposition header for FormData part must have the value \"form-data\", possibly followed by parameters. Got: \"Form-Data\"");
          await rejects(mp("multipart/form-data; boundary=XX", "--XX\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\nw\r\n--XXz\r\n--XX--"), "TypeError", "Boundary string was not succeeded by CRLF, LF, or '--'.");
          await rejects(mp("multipart/form-data; boundary=XX", "--XX  \r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--XX--"), "TypeError", "Boundary string was not succeeded by CRLF, LF, or '--'.");
        });
        check("urlencoded", async () => {
          eq(await show(mp("application/x-www-form-urlencoded", "a=1&b=%20x+y&a=2&&c")), [["a", "1"], ["b", " x y"], ["a", "2"], ["c", ""]]);
          eq(await show(mp("application/x-www-form-urlencoded;charset=UTF-8", "a=1")), [["a", "1"]]);
          eq(await show(new Request("http://x/", { headers: { "content-type": "application/x-www-form-urlencoded" } }).formData()), []);
          eq(await show(new Response(new URLSearchParams("a=1&b=2")).formData()), [["a", "1"], ["b", "2"]]);
        });
        check("other content types and used bodies", async () => {
          await rejects(mp("text/plain", "a=1"), "TypeError", "Unrecognized Content-Type header value. FormData can only parse the following MIME types: multipart/form-data, application/x-www-form-urlencoded");
          await rejects(mp("application/x-www-form-urlencodedx", "a=1"), "TypeError", "Unrecognized Content-Type header value.");
          await rejects(new Request("http://x/", { method: "POST", body: new Uint8Array([97]) }).formData(), "TypeError", "Parsing a Body as FormData requires a Content-Type header.");
          await rejects(new Request("http://x/", { headers: { "content-type": "multipart/form-data; boundary=x" } }).formData(), "TypeError", "No initial boundary string");
          const r = new Request("http://x/", { method: "POST", body: "a=1", headers: { "content-type": "application/x-www-form-urlencoded" } });
          await r.text();
          await rejects(r.formData(), "TypeError", "Body has already been used.");
        });
        check("round trip through a Response", async () => {
          const fd = new FormData(); fd.append("a", "1"); fd.append("f", new Blob(["hi"], { type: "text/x" }), "f.txt");
          eq(await show(new Response(fd).formData()), [["a", "1"], ["f", "File", "f.txt", "text/x", "hi", true]]);
        });
        """);
}
