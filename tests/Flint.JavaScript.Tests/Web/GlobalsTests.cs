using Flint.JavaScript.Tests.Support;

namespace Flint.JavaScript.Tests.Web;

public class GlobalsTests
{
    [Fact]
    public Task TimersMicrotasksAndGlobals() => JsChecks.RunAsync("""
        check("setTimeout ordering and arguments", async () => {
          const order = [];
          await new Promise((done) => {
            // Delays far apart: a timer counts from its call, and a loaded machine may stall between two calls.
            setTimeout((x) => order.push(x), 150, "b");
            setTimeout((x) => order.push(x), 0, "a");
            setTimeout(() => { order.push("c"); done(); }, 300);
          });
          eq(order, ["a", "b", "c"]);
        });
        check("a timer counts from its call, not from the start of the turn (as on wrangler dev)", async () => {
          const busy = (ms) => { const end = Date.now() + ms; while (Date.now() < end) {} };
          busy(30);
          const t0 = Date.now();
          await new Promise((r) => setTimeout(r, 20));
          ok(Date.now() - t0 >= 20, "20 ms of Date.now() passed");
          const order = [];
          await new Promise((done) => {
            setTimeout(() => order.push("20 ms"), 20);
            busy(30);
            setTimeout(() => order.push("0 ms, 30 ms later"), 0);
            setTimeout(done, 60);
          });
          eq(order, ["20 ms", "0 ms, 30 ms later"]);
        });
        check("clearTimeout and setInterval", async () => {
          let fired = false; const id = setTimeout(() => { fired = true; }, 5); clearTimeout(id);
          let ticks = 0;
          await new Promise((done) => { const i = setInterval(() => { if (++ticks === 3) { clearInterval(i); done(); } }, 5); });
          await new Promise((r) => setTimeout(r, 20));
          eq(fired, false); eq(ticks, 3);
        });
        check("timer ids are numbers", () => { const id = setTimeout(() => {}, 1); eq(typeof id, "number"); clearTimeout(id); });
        check("queueMicrotask runs before timers", async () => {
          const order = []; setTimeout(() => order.push("timer"), 0); queueMicrotask(() => order.push("micro"));
          await new Promise((r) => setTimeout(r, 10)); eq(order, ["micro", "timer"]);
        });
        check("crypto", () => {
          const a = crypto.getRandomValues(new Uint8Array(16)); ok(a.some((b) => b !== 0));
          ok(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(crypto.randomUUID()));
          throws(() => crypto.getRandomValues(new Float32Array(1)), "TypeMismatchError");
          throws(() => crypto.getRandomValues(new Uint8Array(65537)), "QuotaExceededError");
        });
        check("navigator, performance, self", () => {
          eq(navigator.userAgent, "Cloudflare-Workers"); eq(typeof performance.now(), "number"); eq(self, globalThis);
          eq(performance.timeOrigin, 0); ok(Math.abs(performance.now() - Date.now()) < 1000);
        });
        check("no host objects reachable", () => {
          for (const name of Object.getOwnPropertyNames(globalThis)) {
            ok(!/^(__|host|clr|lib)/i.test(name) || name === "__checks", `unexpected global ${name}`);
          }
          eq(typeof globalThis.ops, "undefined");
        });
        """);

    [Fact]
    public async Task ConsoleFormatsLikeNodeAndGoesToTheLogger()
    {
        using var w = new TestWorker("""
            export default {
              fetch() {
                console.log("plain", 1, { a: [1, "x"], b: null }, [1, 2], undefined, true);
                console.error(new TypeError("shown with stack"));
                console.warn("%s is %d years", "Bob", 42);
                console.log(new Map([["k", 1]]), new Set([1]), new Uint8Array([1, 2]));
                return new Response("ok");
              }
            }
            """);
        await w.FetchAsync();
        var lines = w.Logs.Entries;
        Assert.Contains(lines, e => e.Message == "plain 1 { a: [ 1, 'x' ], b: null } [ 1, 2 ] undefined true");
        Assert.Contains(lines, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Error && e.Message.StartsWith("TypeError: shown with stack\n    at "));
        Assert.Contains(lines, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Warning && e.Message == "Bob is 42 years");
        Assert.Contains(lines, e => e.Message == "Map(1) { 'k' => 1 } Set(1) { 1 } Uint8Array(2) [ 1, 2 ]");
    }
}
