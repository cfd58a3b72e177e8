using Flint.JavaScript.Tests.Support;

namespace Flint.JavaScript.Tests.Web;

public class RequestResponseTests
{
    [Fact]
    public Task ResponseFollowsFetchSpecAndWorkerd() => JsChecks.RunAsync("""
        check("defaults", async () => {
          const r = new Response("hi");
          eq(r.status, 200); eq(r.statusText, ""); eq(r.ok, true); eq(r.type, "default"); eq(r.url, ""); eq(r.redirected, false);
          eq(r.headers.get("content-type"), "text/plain;charset=UTF-8"); eq(await r.text(), "hi");
        });
        check("body mixin: text, json, arrayBuffer, bytes", async () => {
          eq(await new Response('{"a":1}').json(), { a: 1 });
          const ab = await new Response(new Uint8Array([1, 2])).arrayBuffer(); ok(ab instanceof ArrayBuffer); eq(ab.byteLength, 2);
          const bytes = await new Response("é").bytes(); ok(bytes instanceof Uint8Array); eq([...bytes], [0xc3, 0xa9]);
          eq(await new Response(null).text(), "");
          eq(await new Response(new Uint8Array([0xef, 0xbb, 0xbf, 0x41])).text(), "A");
        });
        check("body used once", async () => {
          const r = new Response("x"); await r.text(); eq(r.bodyUsed, true);
          await rejects(r.text(), "TypeError", "Body has already been used. It can only be used once. Use tee() first if you need to read it twice.");
        });
        check("clone reads independently", async () => {
          const r = new Response("twice"); const c = r.clone(); eq(await r.text(), "twice"); eq(await c.text(), "twice");
          const s = new Response(new ReadableStream({ start(c) { c.enqueue(new Uint8Array([65])); c.close(); } }));
          const s2 = s.clone(); eq(await s.text(), "A"); eq(await s2.text(), "A");
        });
        check("status range and null-body statuses", () => {
          throws(() => new Response("", { status: 199 }), "RangeError", "Responses may only be constructed with status codes in the range 200 to 599, inclusive.");
          throws(() => new Response("x", { status: 204 }), "TypeError", "Response with null body status (101, 204, 205, or 304) cannot have a body.");
          eq(new Response(null, { status: 204 }).status, 204);
          eq(new Response("", { status: 304 }).body, null);
          eq(new Response(null, { status: 599 }).statusText, "");
          throws(() => new Response("", { statusText: "a\nb" }), "TypeError", "Invalid statusText");
        });
        check("Response.json", async () => {
          const r = Response.json({ a: [1] }, { status: 202, headers: { "x-y": "z" } });
          eq(r.status, 202); eq(r.headers.get("content-type"), "application/json"); eq(r.headers.get("x-y"), "z"); eq(await r.text(), '{"a":[1]}');
          eq(Response.json(1, { headers: { "content-type": "text/x" } }).headers.get("content-type"), "text/x");
        });
        check("Response.redirect", () => {
          const r = Response.redirect("https://example.com/a b", 307);
          eq(r.status, 307); eq(r.headers.get("location"), "https://example.com/a%20b");
          throws(() => Response.redirect("https://x/", 200), "RangeError", "200 is not a redirect status code. It must be one of: 301, 302, 303, 307, or 308.");
          throws(() => Response.redirect("not a url"), "TypeError", "Unable to parse URL: not a url");
        });
        check("Response.error", () => { const r = Response.error(); eq(r.status, 0); eq(r.type, "error"); eq(r.ok, false); });
        check("body from stream, buffer views, URLSearchParams", async () => {
          const u = new Uint8Array([1, 2, 3, 4]);
          eq([...new Uint8Array(await new Response(u.subarray(1, 3)).arrayBuffer())], [2, 3]);
          const p = new Response(new URLSearchParams({ a: "1 2" }));
          eq(p.headers.get("content-type"), "application/x-www-form-urlencoded;charset=UTF-8"); eq(await p.text(), "a=1+2");
        });
        check("stream of strings is rejected", async () => {
          const r = new Response(new ReadableStream({ start(c) { c.enqueue("text"); c.close(); } }));
          await rejects(r.text(), "TypeError", "This ReadableStream did not return bytes.");
        });
        check("illegal invocation", () => { throws(() => Response.prototype.status, "TypeError", "Illegal invocation"); });
        """);

    [Theory]
    [InlineData("2024-10-13", "", false)]
    [InlineData("2024-10-14", "", true)]
    [InlineData("2024-01-01", "upper_case_all_http_methods", true)]
    [InlineData("2025-01-01", "no_upper_case_all_http_methods", false)]
    public Task MethodsAreUpperCasedByCompatibilityDate(string date, string flag, bool upperCaseAll) => JsChecks.RunAsync($$"""
        const upperCaseAll = {{(upperCaseAll ? "true" : "false")}};
        check("the six spec methods are always upper-cased", () => {
          for (const m of ["get", "post", "put", "delete", "head", "options"]) eq(new Request("https://x/", { method: m }).method, m.toUpperCase());
        });
        check("other known methods only with upper_case_all_http_methods", () => {
          eq(new Request("https://x/", { method: "PATCH" }).method, "PATCH");
          if (upperCaseAll) eq(new Request("https://x/", { method: "patch" }).method, "PATCH");
          else throws(() => new Request("https://x/", { method: "patch" }), "TypeError", "Invalid HTTP method string: patch");
        });
        """, compatibility: (date, flag.Length == 0 ? [] : [flag]));

    [Fact]
    public Task RequestFollowsFetchSpecAndWorkerd() => JsChecks.RunAsync("""
        check("defaults", () => {
          const r = new Request("https://example.com/a?b=1");
          eq(r.method, "GET"); eq(r.url, "https://example.com/a?b=1"); eq(r.redirect, "follow"); eq(r.bodyUsed, false); eq(r.body, null);
          eq(r.integrity, ""); ok(r.signal instanceof AbortSignal); eq(r.signal.aborted, false);
        });
        check("method normalization", () => {
          eq(new Request("https://x/", { method: "post" }).method, "POST");
          eq(new Request("https://x/", { method: "PATCH" }).method, "PATCH");
          // workerd upper-cases every method it knows from compatibility date 2024-10-14 (upper_case_all_http_methods).
          eq(new Request("https://x/", { method: "patch" }).method, "PATCH");
          throws(() => new Request("https://x/", { method: "bad method" }), "TypeError", "Invalid HTTP method string");
        });
        check("GET with body is an error", () => {
          throws(() => new Request("https://x/", { body: "x" }), "TypeError", "Request with a GET or HEAD method cannot have a body.");
        });
        check("invalid URL", () => { throws(() => new Request("/relative"), "TypeError", "Invalid URL: /relative"); });
        check("redirect values", () => {
          eq(new Request("https://x/", { redirect: "manual" }).redirect, "manual");
          throws(() => new Request("https://x/", { redirect: "error" }), "TypeError", "Invalid redirect value");
        });
        check("body and content type", async () => {
          const r = new Request("https://x/", { method: "POST", body: "hello" });
          eq(r.headers.get("content-type"), "text/plain;charset=UTF-8"); eq(await r.text(), "hello");
          const j = new Request("https://x/", { method: "PUT", body: JSON.stringify({ a: 1 }), headers: { "content-type": "application/json" } });
          eq(await j.json(), { a: 1 });
        });
        check("construct from another request", async () => {
          const a = new Request("https://x/a", { method: "POST", body: "b", headers: { h: "1" } });
          const b = new Request(a, { headers: { h: "2" } });
          eq(b.method, "POST"); eq(b.url, "https://x/a"); eq(b.headers.get("h"), "2"); eq(await b.text(), "b");
          eq(a.bodyUsed, true);
          throws(() => new Request(a), "TypeError", "Cannot reconstruct a Request with a used body.");
        });
        check("clone", async () => {
          const a = new Request("https://x/", { method: "POST", body: "c" }); const b = a.clone();
          eq(await a.text(), "c"); eq(await b.text(), "c");
        });
        check("cf is cloned", () => {
          const cf = { cacheTtl: 5 }; const r = new Request("https://x/", { cf }); cf.cacheTtl = 6; eq(r.cf.cacheTtl, 5);
        });
        check("integrity not implemented", () => {
          throws(() => new Request("https://x/", { integrity: "sha256-x" }), "TypeError", "Subrequest integrity checking is not implemented.");
        });
        """);

    [Fact]
    public async Task IncomingRequestIsImmutableAndLazy()
    {
        using var w = new TestWorker("""
            export default {
              async fetch(request) {
                let error;
                try { request.headers.set("x", "1"); } catch (e) { error = e.message; }
                return Response.json({ error, ua: request.headers.get("user-agent"), body: await request.text(), cf: request.cf.colo, method: request.method });
              }
            }
            """);
        var r = await w.FetchAsync("http://localhost/", "POST", [("User-Agent", "tests")], "data"u8.ToArray());
        Assert.Equal("""{"error":"Can't modify immutable headers.","ua":"tests","body":"data","cf":"DFW","method":"POST"}""", r.Text);
    }
}
