using System.Text;
using Flint.Server.Tests.Support;

namespace Flint.Server.Tests;

/// <summary>HTMLRewriter through a real Worker over HTTP.</summary>
public class HtmlRewriterHttpTests
{
    /// <summary>
    /// bench/oracle/htmlrewriter probes ~120 HTMLRewriter behaviours (selectors and their errors,
    /// every token's API, text chunk boundaries, serialization of changed tags, content models,
    /// namespaces, async handlers, one document cut into chunks of 1 to 4096 bytes); its expected
    /// answers were recorded from wrangler dev (workerd's lol-html) with bench/oracle.sh.
    /// </summary>
    [Fact]
    public async Task AnswersAsWranglerDevDoesOnTheHtmlRewriterOracle()
    {
        await OracleGolden.AssertSameAsWranglerDevAsync("htmlrewriter");
    }

    /// <summary>
    /// 100 MiB of generated HTML is rewritten as it streams: the Worker's source is pulled one
    /// chunk per chunk the client reads, so the isolate (128 MB heap limit) never holds the page.
    /// </summary>
    [Fact]
    public async Task AHundredMebibytePageIsRewrittenAsItStreams()
    {
        // Rows of 1 KiB: a paragraph of text with a link and a span, 64 rows per 64 KiB chunk.
        const string worker = """
            const ROW = new TextEncoder().encode('<p class="row">' + "x".repeat(966) + '<a href="/p">link</a><span>text</span></p>\n');
            const TOTAL = 100 * 1024 * 1024;
            export default {
              async fetch() {
                if (ROW.length !== 1024) throw new Error("row is " + ROW.length);
                let sent = 0;
                const page = new ReadableStream({
                  pull(c) {
                    if (sent >= TOTAL) return c.close();
                    const chunk = new Uint8Array(64 * 1024);
                    for (let o = 0; o < chunk.length; o += ROW.length) chunk.set(ROW, o);
                    c.enqueue(chunk);
                    sent += chunk.length;
                  },
                }, { highWaterMark: 0 });
                let links = 0;
                return new HTMLRewriter()
                  .on("a[href]", { async element(e) { if (++links % 1000 === 0) await null; e.setAttribute("href", "https://x/p"); } })
                  .on("span", { element(e) { e.remove(); } })
                  .transform(new Response(page, { headers: { "content-type": "text/html" } }));
              }
            }
            """;
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string> { ["index.js"] = worker });
        using var response = await w.Client.GetAsync("/", HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[1 << 16];
        long total = 0, links = 0, spans = 0;
        var carry = "";
        int n;
        while ((n = await body.ReadAsync(buffer)) > 0)
        {
            total += n;
            // Count matches in what arrived, with the tail of the last read in front so none is cut.
            var text = carry + Encoding.ASCII.GetString(buffer, 0, n);
            var keep = Math.Min(text.Length, 32);
            links += Count(text, "href=\"https://x/p\"") - Count(text[^keep..], "href=\"https://x/p\"");
            spans += Count(text, "<span>") - Count(text[^keep..], "<span>");
            carry = text[^keep..];
        }
        links += Count(carry, "href=\"https://x/p\"");
        spans += Count(carry, "<span>");
        const long rows = 100L * 1024;
        Assert.Equal(rows, links);
        Assert.Equal(0, spans);
        Assert.Equal(rows * (1024 - "<span>text</span>".Length + "https://x".Length), total);
    }

    private static int Count(string text, string what)
    {
        var count = 0;
        for (var i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + what.Length, StringComparison.Ordinal)) count++;
        return count;
    }

    [Fact]
    public async Task AHandlerThatThrowsBreaksTheResponseAndIsLogged()
    {
        const string worker = """
            export default {
              async fetch(request) {
                const rewriter = new HTMLRewriter().on("p", { element() { throw new Error("handler failed"); } });
                if (new URL(request.url).pathname === "/text") {
                  try { await rewriter.transform(new Response("<p>x</p>")).text(); return new Response("no error"); }
                  catch (e) { return new Response(`${e.constructor.name}: ${e.message}`); }
                }
                return rewriter.transform(new Response("<p>x</p>".repeat(10)));
              }
            }
            """;
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string> { ["index.js"] = worker });
        Assert.Equal("Error: handler failed", await w.GetStringAsync("/text"));
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => w.Client.GetStringAsync("/"));
    }
}
