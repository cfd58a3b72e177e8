using Flint.JavaScript.Tests.Support;

namespace Flint.JavaScript.Tests;

/// <summary>
/// Buffers that script hands to the host must become garbage once script drops them: a handle the
/// host kept (ClearScript's typed-array wrappers hold one to the ArrayBuffer) made a
/// CompressionStream keep every 1 MiB input alive until .NET happened to finalize it.
/// </summary>
public class ScriptHandleTests
{
    [Fact]
    public async Task BuffersPassedToHostOpsAreCollectedOnceDropped()
    {
        using var w = new TestWorker("""
            const refs = [];
            async function gzip(bytes) {
              const cs = new CompressionStream("gzip");
              const writer = cs.writable.getWriter();
              writer.write(bytes);
              writer.close();
              return (await new Response(cs.readable).arrayBuffer()).byteLength;
            }
            export default {
              async fetch(req) {
                const path = new URL(req.url).pathname;
                if (path === "/use") {
                  // Each buffer goes to a different op, as a view of part of it or as a whole.
                  const a = new ArrayBuffer(4 << 20), b = new ArrayBuffer(4 << 20), c = new ArrayBuffer(4 << 20);
                  const d = new ArrayBuffer(4 << 20), e = new ArrayBuffer(4 << 20);
                  crypto.getRandomValues(new Uint8Array(a, 1024, 16));
                  new TextDecoder().decode(new Uint8Array(b));
                  await gzip(new Uint8Array(c, 0, 1 << 20));
                  await crypto.subtle.digest("SHA-256", new Uint8Array(d));
                  new TextEncoder().encodeInto("flint", new Uint8Array(e, 8, 8));
                  refs.push(new WeakRef(a), new WeakRef(b), new WeakRef(c), new WeakRef(d), new WeakRef(e));
                  return new Response("used");
                }
                if (path === "/churn") {
                  // Garbage outside the heap: enough for the isolate to collect after this turn.
                  for (let i = 0; i < 4; i++) new Uint8Array(16 << 20)[0] = 1;
                  return new Response("churned");
                }
                return new Response(String(refs.filter((r) => r.deref() !== undefined).length));
              },
            };
            """);
        Assert.Equal("used", await w.TextAsync("http://localhost/use"));
        for (var i = 0; i < 3; i++)
        {
            await Task.Delay(5);
            Assert.Equal("churned", await w.TextAsync("http://localhost/churn"));
        }
        Assert.Equal("0", await w.TextAsync("http://localhost/alive"));
    }
}
