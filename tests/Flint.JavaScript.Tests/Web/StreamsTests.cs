using Flint.JavaScript.Tests.Support;

namespace Flint.JavaScript.Tests.Web;

public class StreamsTests
{
    [Fact]
    public Task ReadableStreamDefaultStreams() => JsChecks.RunAsync("""
        check("enqueue then read in order", async () => {
          const s = new ReadableStream({ start(c) { c.enqueue(1); c.enqueue(2); c.close(); } });
          const r = s.getReader();
          eq(await r.read(), { value: 1, done: false }); eq(await r.read(), { value: 2, done: false }); eq(await r.read(), { done: true });
        });
        check("pull is called on demand", async () => {
          let pulls = 0;
          const s = new ReadableStream({ pull(c) { pulls++; if (pulls > 3) c.close(); else c.enqueue(pulls); } }, { highWaterMark: 0 });
          eq(pulls, 0);
          const got = []; for await (const v of s) got.push(v);
          eq(got, [1, 2, 3]);
        });
        check("locking", () => {
          const s = new ReadableStream(); const r = s.getReader(); eq(s.locked, true);
          throws(() => s.getReader(), "TypeError"); r.releaseLock(); eq(s.locked, false);
        });
        check("error propagates", async () => {
          const s = new ReadableStream({ start(c) { c.error(new RangeError("bad")); } });
          await rejects(s.getReader().read(), "RangeError", "bad");
        });
        check("cancel calls the source", async () => {
          let reason; const s = new ReadableStream({ cancel(r) { reason = r; } });
          await s.cancel("why"); eq(reason, "why");
        });
        check("tee", async () => {
          const s = new ReadableStream({ start(c) { c.enqueue("a"); c.enqueue("b"); c.close(); } });
          const [x, y] = s.tee(); const rx = [], ry = [];
          for await (const v of x) rx.push(v); for await (const v of y) ry.push(v);
          eq(rx, ["a", "b"]); eq(ry, ["a", "b"]);
        });
        check("from async iterable", async () => {
          async function* gen() { yield 1; yield 2; }
          const got = []; for await (const v of ReadableStream.from(gen())) got.push(v); eq(got, [1, 2]);
          const got2 = []; for await (const v of ReadableStream.from([3, 4])) got2.push(v); eq(got2, [3, 4]);
        });
        check("desiredSize and strategies", () => {
          let ctrl; new ReadableStream({ start(c) { ctrl = c; } }, new CountQueuingStrategy({ highWaterMark: 3 }));
          eq(ctrl.desiredSize, 3); ctrl.enqueue("x"); eq(ctrl.desiredSize, 2);
          eq(new ByteLengthQueuingStrategy({ highWaterMark: 8 }).size(new Uint8Array(5)), 5);
        });
        check("response body is a stream", async () => {
          const body = new Response("abc").body; ok(body instanceof ReadableStream);
          const { value } = await body.getReader().read(); eq([...value], [97, 98, 99]);
        });
        """);
}
