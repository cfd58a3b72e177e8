using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Flint.Server.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Flint.Server.Tests;

/// <summary>
/// Content-Encoding as workerd applies it (checked against workerd 2025-11-01): subrequest bodies
/// in gzip or br arrive decoded with their headers kept, deflate passes through; a Worker's
/// gzip/br response is encoded unless encodeBody is "manual". Also multipart uploads parsed by
/// request.formData().
/// </summary>
public class CompressionHttpTests : IAsyncLifetime
{
    private const string Text = "hello compressed world hello compressed world hello compressed world";
    private WebApplication _origin = null!;
    private string _originUrl = "";

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        _origin = builder.Build();
        _origin.MapGet("/{coding}", async (HttpContext c, string coding) =>
        {
            var plain = Encoding.UTF8.GetBytes(Text);
            byte[] body = coding switch
            {
                "gzip" => Compress(plain, s => new GZipStream(s, CompressionLevel.Optimal)),
                "br" => Compress(plain, s => new BrotliStream(s, CompressionLevel.Optimal)),
                "deflate" => Compress(plain, s => new ZLibStream(s, CompressionLevel.Optimal)),
                "bad" => "not gzip at all"u8.ToArray(),
                _ => plain,
            };
            c.Response.Headers.ContentEncoding = coding == "bad" ? "gzip" : coding;
            c.Response.Headers["x-ae"] = c.Request.Headers.AcceptEncoding.ToString();
            c.Response.ContentLength = body.Length;
            await c.Response.Body.WriteAsync(body);
        });
        await _origin.StartAsync();
        _originUrl = _origin.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    public async Task DisposeAsync() => await _origin.DisposeAsync();

    private static byte[] Compress(byte[] data, Func<Stream, Stream> encoder)
    {
        var ms = new MemoryStream();
        using (var s = encoder(ms)) s.Write(data);
        return ms.ToArray();
    }

    private Task<RunningWorker> StartAsync() => RunningWorker.StartAsync(new Dictionary<string, string>
    {
        ["wrangler.toml"] = $"name = \"c\"\nmain = \"index.js\"\ncompatibility_date = \"2025-11-01\"\n[vars]\nORIGIN = \"{_originUrl}\"\n",
        ["index.js"] = """
            const TEXT = "hello hello hello hello";
            export default {
              async fetch(request, env) {
                const path = new URL(request.url).pathname;
                if (path === "/out") {
                  const out = {};
                  for (const e of ["gzip", "br", "deflate", "bad", "identity"]) {
                    try {
                      const r = await fetch(`${env.ORIGIN}/${e}`);
                      const body = new Uint8Array(await r.arrayBuffer());
                      out[e] = [r.headers.get("content-encoding"), r.headers.get("content-length"), r.headers.get("x-ae"), body.length, new TextDecoder().decode(body.slice(0, 5))];
                    } catch (x) { out[e] = x.constructor.name + ": " + x.message; }
                  }
                  return Response.json(out);
                }
                if (path === "/proxy") return fetch(`${env.ORIGIN}/gzip`);
                if (path === "/gz") return new Response(TEXT, { headers: { "content-encoding": "gzip" } });
                if (path === "/gzbytes") return new Response(new TextEncoder().encode(TEXT), { headers: { "content-encoding": "GZIP", "content-length": "23" } });
                if (path === "/gzmanual") return new Response("notcompressed", { headers: { "content-encoding": "gzip" }, encodeBody: "manual" });
                if (path === "/br") return new Response(TEXT, { headers: { "content-encoding": "br" } });
                if (path === "/deflate") return new Response(TEXT, { headers: { "content-encoding": "deflate" } });
                if (path === "/gzstream") {
                  const body = ReadableStream.from(["part one, ", "part two, ", "part three"]).pipeThrough(new TextEncoderStream());
                  return new Response(body, { headers: { "content-encoding": "gzip" } });
                }
                if (path === "/selfgz") {
                  const body = new Response(TEXT).body.pipeThrough(new CompressionStream("gzip"));
                  return new Response(body, { headers: { "content-encoding": "gzip" }, encodeBody: "manual" });
                }
                if (path === "/form") {
                  const fd = await request.formData();
                  const o = [];
                  for (const [k, v] of fd) o.push(typeof v === "string" ? [k, v] : [k, v.constructor.name, v.name, v.type, v.size, await v.text()]);
                  return Response.json(o);
                }
                if (path === "/form-out") {
                  const fd = new FormData(); fd.append("a", "1"); fd.append("f", new File(["file body"], "f.txt", { type: "text/plain" }));
                  return new Response(fd);
                }
                return new Response("?", { status: 404 });
              }
            };
            """,
    });

    private static string Gunzip(byte[] data)
    {
        using var gz = new GZipStream(new MemoryStream(data), CompressionMode.Decompress);
        using var reader = new StreamReader(gz);
        return reader.ReadToEnd();
    }

    [Fact]
    public async Task SubrequestBodiesAreDecodedAsInWorkerd()
    {
        await using var w = await StartAsync();
        using var doc = JsonDocument.Parse(await w.GetStringAsync("/out"));
        var root = doc.RootElement;
        string Show(string name) => root.GetProperty(name).ToString();
        var gzipLength = Compress(Encoding.UTF8.GetBytes(Text), s => new GZipStream(s, CompressionLevel.Optimal)).Length;
        // Headers stay as the origin sent them (Content-Length too); no Accept-Encoding is added.
        Assert.Equal($"""["gzip","{gzipLength}","",{Text.Length},"hello"]""", Show("gzip"));
        Assert.StartsWith("""["br",""", Show("br"));
        Assert.EndsWith($"""{Text.Length},"hello"]""", Show("br"));
        // deflate is not decoded (as in workerd): the zlib header comes through.
        Assert.StartsWith("""["deflate",""", Show("deflate"));
        Assert.DoesNotContain("hello", Show("deflate"));
        Assert.Equal("TypeError: Gzip decompression failed.", root.GetProperty("bad").GetString());
        Assert.Equal($"""["identity","{Text.Length}","",{Text.Length},"hello"]""", Show("identity"));
    }

    [Fact]
    public async Task ResponsesWithContentEncodingAreEncoded()
    {
        await using var w = await StartAsync();
        foreach (var path in new[] { "/gz", "/gzbytes" })
        {
            var r = await w.Client.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.True(r.Headers.TransferEncodingChunked, path);
            Assert.Equal("hello hello hello hello", Gunzip(await r.Content.ReadAsByteArrayAsync()));
        }

        var stream = await w.Client.GetAsync("/gzstream");
        Assert.Equal(["gzip"], stream.Content.Headers.ContentEncoding);
        Assert.Equal("part one, part two, part three", Gunzip(await stream.Content.ReadAsByteArrayAsync()));

        var br = await w.Client.GetAsync("/br");
        using (var decoder = new BrotliStream(await br.Content.ReadAsStreamAsync(), CompressionMode.Decompress))
        using (var reader = new StreamReader(decoder))
            Assert.Equal("hello hello hello hello", await reader.ReadToEndAsync());

        // Not encoded: deflate, and any coding with encodeBody "manual".
        var deflate = await w.Client.GetAsync("/deflate");
        Assert.Equal(23, deflate.Content.Headers.ContentLength);
        Assert.Equal("hello hello hello hello", await deflate.Content.ReadAsStringAsync());
        var manual = await w.Client.GetAsync("/gzmanual");
        Assert.Equal(["gzip"], manual.Content.Headers.ContentEncoding);
        Assert.Equal("notcompressed", await manual.Content.ReadAsStringAsync());
        var self = await w.Client.GetAsync("/selfgz");
        Assert.Equal("hello hello hello hello", Gunzip(await self.Content.ReadAsByteArrayAsync()));

        // A proxied gzip response: decoded by fetch(), encoded again on the way out.
        var proxy = await w.Client.GetAsync("/proxy");
        Assert.Equal(Text, Gunzip(await proxy.Content.ReadAsByteArrayAsync()));

        var head = await w.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/gz"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task MultipartUploadsAreParsed()
    {
        await using var w = await StartAsync();
        var file = new byte[300_000];
        new Random(5).NextBytes(file);
        for (var i = 0; i < file.Length; i++) file[i] = (byte)('a' + file[i] % 26);
        using var form = new MultipartFormDataContent("----flint-test-boundary")
        {
            // Quoted: .NET leaves simple names unquoted, which workerd's parser does not accept.
            { new StringContent("value é"), "\"field\"" },
        };
        var part = new ByteArrayContent(file);
        part.Headers.ContentType = new MediaTypeHeaderValue("text/x-letters");
        form.Add(part, "\"upload\"", "\"letters.txt\"");
        var response = await w.Client.PostAsync("/form", form);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var entries = doc.RootElement;
        Assert.Equal(2, entries.GetArrayLength());
        Assert.Equal("""["field","value é"]""", entries[0].ToString());
        Assert.Equal("upload", entries[1][0].GetString());
        Assert.Equal("File", entries[1][1].GetString());
        Assert.Equal("letters.txt", entries[1][2].GetString());
        Assert.Equal("text/x-letters", entries[1][3].GetString());
        Assert.Equal(file.Length, entries[1][4].GetInt32());
        Assert.Equal(Encoding.ASCII.GetString(file), entries[1][5].GetString());

        var urlencoded = await w.Client.PostAsync("/form", new FormUrlEncodedContent([new("a", "1 2"), new("b", "&")]));
        Assert.Equal("""[["a","1 2"],["b","&"]]""", await urlencoded.Content.ReadAsStringAsync());

        var bad = await w.Client.PostAsync("/form", new StringContent("x", Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.InternalServerError, bad.StatusCode);

        var outgoing = await w.Client.GetAsync("/form-out");
        var type = outgoing.Content.Headers.ContentType!;
        Assert.Equal("multipart/form-data", type.MediaType);
        var boundary = type.Parameters.Single(p => p.Name == "boundary").Value!;
        var text = await outgoing.Content.ReadAsStringAsync();
        Assert.Equal($"--{boundary}\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"f\"; filename=\"f.txt\"\r\nContent-Type: text/plain\r\n\r\nfile body\r\n--{boundary}--", text);
    }
}
