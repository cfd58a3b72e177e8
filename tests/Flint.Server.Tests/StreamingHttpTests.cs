using System.Net;
using Flint.Server.Tests.Support;

namespace Flint.Server.Tests;

/// <summary>Stream bodies over real HTTP: echo, generated streams, and Content-Length of known-length streams.</summary>
public class StreamingHttpTests
{
    private const string Worker = """
        export default {
          async fetch(request, env, ctx) {
            const path = new URL(request.url).pathname;
            if (path === "/echo") return new Response(request.body);
            if (path === "/echo-then-look") {
              // Once the host took the body to send it on, script sees it used and cannot read it.
              const body = request.body;
              ctx.waitUntil(new Promise((r) => setTimeout(r, 20)).then(async () => {
                let read;
                try { await body.getReader(); read = "readable"; } catch (e) { read = e.constructor.name; }
                console.log(`after: used=${request.bodyUsed} locked=${body.locked} getReader=${read}`);
              }));
              return new Response(body);
            }
            if (path === "/byob-sum") {
              const reader = request.body.getReader({ mode: "byob" });
              let total = 0, sum = 0, buf = new ArrayBuffer(4096);
              for (;;) {
                const { value, done } = await reader.read(new Uint8Array(buf));
                if (done) break;
                for (const b of value) sum = (sum + b) % 65521;
                total += value.byteLength; buf = value.buffer;
              }
              return Response.json({ total, sum });
            }
            const encoder = new TextEncoder();
            if (path === "/fixed" || path === "/identity") {
              const { readable, writable } = path === "/fixed" ? new FixedLengthStream(10 * 1000) : new IdentityTransformStream();
              const writer = writable.getWriter();
              (async () => { for (let i = 0; i < 10; i++) await writer.write(new Uint8Array(1000).fill(65 + i)); await writer.close(); })();
              return new Response(readable);
            }
            if (path === "/sizes") {
              // Chunks below, at and above the host's 256 KiB transfer buffer, and one the Worker
              // overwrites right after enqueueing it: a default stream hands on the chunk itself,
              // not a copy, so the reader (the host) sees it as it is when read.
              const sizes = [10, 256 * 1024, 256 * 1024 + 1, 1024 * 1024, 0, 3];
              let i = 0;
              const reused = new Uint8Array(1000);
              return new Response(new ReadableStream({
                pull(c) {
                  if (i === sizes.length) {
                    reused.fill(7); c.enqueue(reused.subarray(0, 500));
                    reused.fill(9); return c.close();
                  }
                  const n = sizes[i];
                  c.enqueue(new Uint8Array(n).map((_, j) => (i * 31 + j) & 255));
                  i++;
                },
              }));
            }
            if (path === "/text-stream") {
              return new Response(ReadableStream.from(["a", "b", "c"]).pipeThrough(new TextEncoderStream()));
            }
            return new Response("?", { status: 404 });
          }
        };
        """;

    [Fact]
    public async Task EchoesALargeBody()
    {
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string> { ["index.js"] = Worker });
        var body = new byte[3 * 1024 * 1024];
        new Random(7).NextBytes(body);
        var response = await w.Client.PostAsync("/echo", new ByteArrayContent(body));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var echoed = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(body.Length, echoed.Length);
        Assert.True(body.AsSpan().SequenceEqual(echoed), "the echoed bytes differ");
    }

    [Fact]
    public async Task ABodyPassedOnIsUsedAsFarAsScriptCanTell()
    {
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string> { ["index.js"] = Worker });
        var response = await w.Client.PostAsync("/echo-then-look", new StringContent("some bytes"));
        Assert.Equal("some bytes", await response.Content.ReadAsStringAsync());
        await w.Logs.WaitForAsync(l => l.Contains("after: used=true locked=true getReader=TypeError"));
    }

    [Fact]
    public async Task AnEchoedBodyComesBackWhileTheUploadIsStillGoing()
    {
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string> { ["index.js"] = Worker });
        // Raw HTTP/1.1, since HttpClient does not read a response before it sent the whole request.
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(w.Url.Host, w.Url.Port);
        var net = tcp.GetStream();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        const int Part = 100_000;
        async Task SendChunkAsync(byte value)
        {
            await net.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"{Part:x}\r\n"), timeout.Token);
            await net.WriteAsync(Enumerable.Repeat(value, Part).ToArray(), timeout.Token);
            await net.WriteAsync("\r\n"u8.ToArray(), timeout.Token);
        }
        await net.WriteAsync(System.Text.Encoding.ASCII.GetBytes(
            $"POST /echo HTTP/1.1\r\nHost: {w.Url.Authority}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"), timeout.Token);
        await SendChunkAsync(1);
        var response = new ChunkedReader(net, timeout.Token);
        Assert.StartsWith("HTTP/1.1 200", await response.ReadHeadAsync());
        // The first part comes back before the second is sent: nothing waits for the whole body.
        Assert.All(await response.ReadBodyAsync(Part), b => Assert.Equal(1, b));
        await SendChunkAsync(2);
        await net.WriteAsync("0\r\n\r\n"u8.ToArray(), timeout.Token);
        Assert.All(await response.ReadBodyAsync(Part), b => Assert.Equal(2, b));
        Assert.Empty(await response.ReadBodyAsync(1));
    }

    /// <summary>Reads an HTTP/1.1 response with a chunked body off a raw connection.</summary>
    private sealed class ChunkedReader(Stream net, CancellationToken token)
    {
        private int _chunkLeft;
        private bool _ended;

        public async Task<string> ReadHeadAsync()
        {
            var head = new System.Text.StringBuilder();
            while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal)) head.Append((char)await ReadByteAsync());
            Assert.Contains("transfer-encoding: chunked", head.ToString(), StringComparison.OrdinalIgnoreCase);
            return head.ToString();
        }

        /// <summary>Up to <paramref name="count"/> body bytes; fewer only at the end of the body.</summary>
        public async Task<byte[]> ReadBodyAsync(int count)
        {
            var result = new MemoryStream();
            while (result.Length < count && !_ended)
            {
                if (_chunkLeft == 0)
                {
                    var line = await ReadLineAsync();
                    if (line.Length == 0) line = await ReadLineAsync(); // the CRLF after a chunk's data
                    _chunkLeft = Convert.ToInt32(line.Split(';')[0], 16);
                    if (_chunkLeft == 0) { _ended = true; break; }
                }
                var take = (int)Math.Min(_chunkLeft, count - result.Length);
                var buffer = new byte[take];
                await net.ReadExactlyAsync(buffer, token);
                result.Write(buffer);
                _chunkLeft -= take;
            }
            return result.ToArray();
        }

        private async Task<string> ReadLineAsync()
        {
            var line = new System.Text.StringBuilder();
            while (!line.ToString().EndsWith("\r\n", StringComparison.Ordinal)) line.Append((char)await ReadByteAsync());
            return line.ToString()[..^2];
        }

        private async Task<int> ReadByteAsync()
        {
            var one = new byte[1];
            await net.ReadExactlyAsync(one, token);
            return one[0];
        }
    }

    [Fact]
    public async Task ChunksOfEverySizeArriveAsEnqueued()
    {
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string> { ["index.js"] = Worker });
        var body = await w.Client.GetByteArrayAsync("/sizes");
        var expected = new List<byte>();
        int[] sizes = [10, 256 * 1024, 256 * 1024 + 1, 1024 * 1024, 0, 3];
        for (var i = 0; i < sizes.Length; i++)
            for (var j = 0; j < sizes[i]; j++) expected.Add((byte)((i * 31 + j) & 255));
        expected.AddRange(Enumerable.Repeat((byte)9, 500));
        Assert.Equal(expected.Count, body.Length);
        Assert.True(expected.ToArray().AsSpan().SequenceEqual(body), "the streamed bytes differ");
    }

    [Fact]
    public async Task ReadsAnUploadWithAByobReader()
    {
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string> { ["index.js"] = Worker });
        var body = new byte[200_000];
        new Random(3).NextBytes(body);
        var sum = 0;
        foreach (var b in body) sum = (sum + b) % 65521;
        var response = await w.Client.PostAsync("/byob-sum", new ByteArrayContent(body));
        Assert.Equal($$"""{"total":200000,"sum":{{sum}}}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AFixedLengthStreamIsSentWithContentLength()
    {
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string> { ["index.js"] = Worker });
        var fixedLength = await w.Client.GetAsync("/fixed");
        Assert.Equal(10_000, fixedLength.Content.Headers.ContentLength);
        Assert.False(fixedLength.Headers.TransferEncodingChunked ?? false);
        var text = await fixedLength.Content.ReadAsStringAsync();
        Assert.Equal(10_000, text.Length);
        Assert.Equal('J', text[^1]);

        var identity = await w.Client.GetAsync("/identity");
        Assert.True(identity.Headers.TransferEncodingChunked);
        Assert.Equal(10_000, (await identity.Content.ReadAsByteArrayAsync()).Length);
    }

    [Fact]
    public async Task AnEncodedTextStream()
    {
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string> { ["index.js"] = Worker });
        Assert.Equal("abc", await w.Client.GetStringAsync("/text-stream"));
    }

    /// <summary>
    /// A response streamed by timers while other requests come and finish on the same isolate: each
    /// pull runs in its own request's context, so its timers are its own. (The host's pulls once ran
    /// in whichever event ran last; a timer set then belonged to that one, or to none once it was over.)
    /// </summary>
    [Fact]
    public async Task AResponseStreamedByTimersIsNotCutByOtherRequestsFinishing()
    {
        const string Streamer = """
            export default {
              async fetch(request) {
                if (new URL(request.url).pathname === "/quick") return new Response("ok");
                let i = 0;
                return new Response(new ReadableStream({
                  async pull(c) {
                    await new Promise((r) => setTimeout(r, 15));
                    c.enqueue(new TextEncoder().encode(`${i},`));
                    if (++i === 20) c.close();
                  },
                }, { highWaterMark: 0 })); // pulled only when the host asks, from a turn of its own
              },
            };
            """;
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string> { ["index.js"] = Streamer }, isolates: 1);
        var streamed = w.Client.GetStringAsync("/stream");
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!streamed.IsCompleted && DateTime.UtcNow < deadline)
        {
            Assert.Equal("ok", await w.Client.GetStringAsync("/quick"));
            await Task.WhenAny(streamed, Task.Delay(5));
        }
        Assert.Equal(string.Concat(Enumerable.Range(0, 20).Select(i => $"{i},")), await streamed.WaitAsync(TimeSpan.FromSeconds(15)));
    }
}
