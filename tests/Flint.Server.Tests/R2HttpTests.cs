using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Flint.Server.Tests.Support;

namespace Flint.Server.Tests;

/// <summary>R2 through a real Worker over HTTP, with the engine's files on disk.</summary>
public class R2HttpTests
{
    /// <summary>
    /// bench/oracle/r2 probes ~220 R2 behaviours (values, object shapes, conditions, ranges, lists,
    /// multipart rules, errors); its expected answers were recorded from wrangler dev. Flint must give the same JSON.
    /// </summary>
    [Fact]
    public async Task AnswersAsWranglerDevDoesOnTheR2Oracle()
    {
        await OracleGolden.AssertSameAsWranglerDevAsync("r2");
    }

    private const string Config = """
        name = "r2"
        main = "index.js"
        compatibility_date = "2025-11-01"
        r2_buckets = [{ binding = "B", bucket_name = "files" }]
        """;

    private const string Worker = """
        export default {
          async fetch(request, env) {
            const key = new URL(request.url).pathname.slice(1);
            try {
              if (request.method === "PUT") return new Response((await env.B.put(key, request.body)).etag);
              const object = await env.B.get(key, { range: request.headers });
              if (object === null) return new Response("missing", { status: 404 });
              const status = object.range.length < object.size ? 206 : 200;
              return new Response(object.body, { status, headers: { etag: object.httpEtag, "x-range": JSON.stringify(object.range) } });
            } catch (e) {
              return new Response(`${e.constructor.name}: ${e.message}`, { status: 500 });
            }
          }
        }
        """;

    [Fact]
    public async Task LargeObjectsStreamThroughTheBindingBothWaysAndSurviveARestart()
    {
        var dir = RunningWorker.WriteFiles(new Dictionary<string, string> { ["wrangler.toml"] = Config, ["index.js"] = Worker });
        try
        {
            var big = RandomNumberGenerator.GetBytes(24 * 1024 * 1024 + 3);
            await using (var w = await RunningWorker.StartInAsync(dir))
            {
                // A request body given to put() goes to the engine as it is.
                using var put = await w.Client.PutAsync("/big.bin", new ByteArrayContent(big));
                Assert.Equal(Convert.ToHexStringLower(MD5.HashData(big)), await put.Content.ReadAsStringAsync());
            }
            Assert.True(Directory.Exists(Path.Combine(dir, ".flint", "r2", "files")), "R2 data lives in .flint/r2/<bucket_name> beside the config");
            await using (var w = await RunningWorker.StartInAsync(dir))
            {
                using var response = await w.Client.GetAsync("/big.bin", HttpCompletionOption.ResponseHeadersRead);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                // The body has a known length, so it goes out with Content-Length, as in workerd.
                Assert.Equal(big.Length, response.Content.Headers.ContentLength);
                Assert.Equal(SHA256.HashData(big), SHA256.HashData(await response.Content.ReadAsStreamAsync()));

                var ranged = new HttpRequestMessage(HttpMethod.Get, "/big.bin") { Headers = { Range = new RangeHeaderValue(10_000_000, 10_000_099) } };
                using var part = await w.Client.SendAsync(ranged);
                Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
                Assert.Equal(big[10_000_000..10_000_100], await part.Content.ReadAsByteArrayAsync());
                Assert.Equal("""{"offset":10000000,"length":100}""", part.Headers.GetValues("x-range").Single());
            }
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    /// <summary>
    /// An object's body goes from its file straight to the client; if the file turns out shorter
    /// than its row says (changed outside Flint), the response is cut, not ended as if complete.
    /// </summary>
    [Fact]
    public async Task AnObjectWhoseFileBreaksMidwayCutsTheResponse()
    {
        var dir = RunningWorker.WriteFiles(new Dictionary<string, string> { ["wrangler.toml"] = Config, ["index.js"] = Worker });
        try
        {
            await using var w = await RunningWorker.StartInAsync(dir);
            var big = RandomNumberGenerator.GetBytes(2 * 1024 * 1024);
            using (var put = await w.Client.PutAsync("/broken.bin", new ByteArrayContent(big))) Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            var blob = Assert.Single(Directory.GetFiles(Path.Combine(dir, ".flint", "r2", "files"), "*", SearchOption.AllDirectories), f => new FileInfo(f).Length == big.Length);
            using (var file = new FileStream(blob, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete)) file.SetLength(700 * 1024);
            using var response = await w.Client.GetAsync("/broken.bin", HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(big.Length, response.Content.Headers.ContentLength);
            await Assert.ThrowsAnyAsync<Exception>(async () => await response.Content.ReadAsByteArrayAsync());
            // The server goes on serving.
            using var after = await w.Client.GetAsync("/nothing");
            Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    /// <summary>
    /// Listed objects are built the cheap way (a listed object without metadata crosses as five
    /// fields; one descriptor and shared digest getters make its properties): they must still be
    /// what head() gives, with read-only own properties and digests made once.
    /// </summary>
    [Fact]
    public async Task ListedObjectsHaveTheShapeAndValuesHeadGives()
    {
        const string worker = """
            export default {
              async fetch(request, env) {
                await env.B.put("a/plain", "hello");
                await env.B.put("a/meta", "x", { httpMetadata: { contentType: "text/x" }, customMetadata: { k: "v" } });
                await env.B.put("a/sha", "hello", { sha256: "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824" });
                const listed = (await env.B.list({ prefix: "a/" })).objects;
                const withMeta = (await env.B.list({ prefix: "a/", include: ["httpMetadata", "customMetadata"] })).objects;
                const plain = listed.find((o) => o.key === "a/plain");
                const head = await env.B.head("a/plain");
                const fields = (o) => ({ keys: Object.keys(o), key: o.key, size: o.size, etag: o.etag, httpEtag: o.httpEtag, version: o.version,
                  uploaded: o.uploaded.getTime(), http: o.httpMetadata, custom: o.customMetadata, checksums: o.checksums.toJSON(),
                  checksumKeys: Object.keys(o.checksums), storageClass: o.storageClass });
                const d = Object.getOwnPropertyDescriptor(plain, "key");
                const md5 = plain.checksums.md5;
                const getter = Object.getOwnPropertyDescriptor(plain.checksums, "md5").get;
                let foreign;
                try { getter.call(head); foreign = "no error"; } catch (e) { foreign = `${e.constructor.name}: ${e.message}`; }
                return Response.json({
                  same: JSON.stringify(fields(plain)) === JSON.stringify(fields(head)),
                  plain: fields(plain),
                  descriptor: { writable: d.writable, enumerable: d.enumerable, configurable: d.configurable },
                  md5: [...new Uint8Array(md5)].map((b) => b.toString(16).padStart(2, "0")).join(""),
                  md5Kept: plain.checksums.md5 === md5,
                  sha1: String(plain.checksums.sha1),
                  foreign,
                  sha: listed.find((o) => o.key === "a/sha").checksums.toJSON(),
                  metaNotIncluded: [listed.find((o) => o.key === "a/meta").httpMetadata, listed.find((o) => o.key === "a/meta").customMetadata],
                  metaIncluded: [withMeta.find((o) => o.key === "a/meta").httpMetadata, withMeta.find((o) => o.key === "a/meta").customMetadata],
                });
              }
            }
            """;
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string> { ["wrangler.toml"] = Config, ["index.js"] = worker });
        using var answer = System.Text.Json.JsonDocument.Parse(await w.GetStringAsync("/"));
        var r = answer.RootElement;
        Assert.True(r.GetProperty("same").GetBoolean(), r.GetProperty("plain").ToString());
        var plain = r.GetProperty("plain");
        Assert.Equal("""["ssecKeyMd5","storageClass","range","customMetadata","httpMetadata","uploaded","checksums","httpEtag","etag","size","version","key"]""",
            plain.GetProperty("keys").GetRawText());
        Assert.Equal("""{"md5":"5d41402abc4b2a76b9719d911017c592"}""", plain.GetProperty("checksums").GetRawText());
        Assert.Equal("""["sha512","sha384","sha256","sha1","md5"]""", plain.GetProperty("checksumKeys").GetRawText());
        Assert.Equal("""{"writable":false,"enumerable":true,"configurable":true}""", r.GetProperty("descriptor").GetRawText());
        Assert.Equal("5d41402abc4b2a76b9719d911017c592", r.GetProperty("md5").GetString());
        Assert.True(r.GetProperty("md5Kept").GetBoolean());
        Assert.Equal("undefined", r.GetProperty("sha1").GetString());
        Assert.StartsWith("TypeError: Illegal invocation", r.GetProperty("foreign").GetString());
        Assert.Equal("""{"md5":"5d41402abc4b2a76b9719d911017c592","sha256":"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"}""",
            r.GetProperty("sha").GetRawText());
        Assert.Equal("""[{},{}]""", r.GetProperty("metaNotIncluded").GetRawText());
        Assert.Equal("""[{"contentType":"text/x"},{"k":"v"}]""", r.GetProperty("metaIncluded").GetRawText());
    }

    /// <summary>A page whose JSON is long crosses in slices (BindingResult.TextParts), cut between characters of many bytes.</summary>
    [Fact]
    public async Task APageOfLongMultiByteKeysArrivesWhole()
    {
        const string worker = """
            export default {
              async fetch(request, env) {
                const keys = [];
                for (let i = 0; i < 120; i++) keys.push(`k/${String(i).padStart(3, "0")}/` + "é😀ж".repeat(100 + (i % 7)));
                await Promise.all(keys.map((k) => env.B.put(k, "x")));
                const page = await env.B.list({ prefix: "k/" });
                return Response.json({ same: JSON.stringify(page.objects.map((o) => o.key)) === JSON.stringify(keys), n: page.objects.length, truncated: page.truncated });
              }
            }
            """;
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string> { ["wrangler.toml"] = Config, ["index.js"] = worker });
        Assert.Equal("""{"same":true,"n":120,"truncated":false}""", await w.GetStringAsync("/"));
    }

    [Fact]
    public async Task ABodyOfUnknownLengthIsRefusedAsWorkerdRefusesIt()
    {
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string> { ["wrangler.toml"] = Config, ["index.js"] = Worker });
        // Chunked: no Content-Length, so the stream's length is unknown (workerd: TypeError; checked on wrangler dev).
        var chunked = new HttpRequestMessage(HttpMethod.Put, "/chunked") { Content = new StreamContent(new MemoryStream("hello"u8.ToArray())) };
        chunked.Headers.TransferEncodingChunked = true;
        using var refused = await w.Client.SendAsync(chunked);
        Assert.Equal("TypeError: Provided readable stream must have a known length (request/response body or readable half of FixedLengthStream)",
            await refused.Content.ReadAsStringAsync());
        using var sized = await w.Client.PutAsync("/sized", new ByteArrayContent("hello"u8.ToArray()));
        Assert.Equal(HttpStatusCode.OK, sized.StatusCode);
        Assert.Equal("hello", await w.GetStringAsync("/sized"));
    }

    [Fact]
    public async Task TheUploadsExampleStoresAFormUploadAndServesItWithItsTypeAndEtag()
    {
        var example = Path.Combine(RepoRoot.Path, "examples", "uploads");
        var dir = RunningWorker.WriteFiles(new Dictionary<string, string>
        {
            ["wrangler.toml"] = File.ReadAllText(Path.Combine(example, "wrangler.toml")),
            ["src/index.js"] = File.ReadAllText(Path.Combine(example, "src", "index.js")),
        });
        try
        {
            await using var w = await RunningWorker.StartInAsync(dir);
            Assert.Contains("multipart/form-data", await w.GetStringAsync("/"));
            var photo = RandomNumberGenerator.GetBytes(150_000);
            // Quoted parameters, as a browser sends them (workerd's parser, like Flint's, requires the quotes).
            var file = new ByteArrayContent(photo) { Headers = { ContentType = new MediaTypeHeaderValue("image/png") } };
            file.Headers.ContentDisposition = new ContentDispositionHeaderValue("form-data") { Name = "\"file\"", FileName = "\"cat photo.png\"" };
            using var form = new MultipartFormDataContent { file };
            using var uploaded = await w.Client.PostAsync("/upload", form);
            Assert.True(uploaded.StatusCode == HttpStatusCode.Created, await uploaded.Content.ReadAsStringAsync());
            using var info = System.Text.Json.JsonDocument.Parse(await uploaded.Content.ReadAsStringAsync());
            var url = info.RootElement.GetProperty("url").GetString()!;
            var etag = Convert.ToHexStringLower(MD5.HashData(photo));
            Assert.Equal(etag, info.RootElement.GetProperty("etag").GetString());
            Assert.Equal(150_000, info.RootElement.GetProperty("size").GetInt32());

            using var served = await w.Client.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
            Assert.Equal("image/png", served.Content.Headers.ContentType!.MediaType);
            Assert.Equal($"\"{etag}\"", served.Headers.ETag!.Tag);
            Assert.Equal(photo, await served.Content.ReadAsByteArrayAsync());

            var again = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { IfNoneMatch = { new EntityTagHeaderValue($"\"{etag}\"") } } };
            using var notModified = await w.Client.SendAsync(again);
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
            Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
            var changed = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { IfNoneMatch = { new EntityTagHeaderValue("\"something-else\"") } } };
            using (var full = await w.Client.SendAsync(changed)) Assert.Equal(HttpStatusCode.OK, full.StatusCode);

            var ranged = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { Range = new RangeHeaderValue(100, 199) } };
            using var part = await w.Client.SendAsync(ranged);
            Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
            Assert.Equal(photo[100..200], await part.Content.ReadAsByteArrayAsync());
            using var head = await w.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, url));
            Assert.Equal((HttpStatusCode.OK, $"\"{etag}\""), (head.StatusCode, head.Headers.ETag!.Tag));

            using var listed = System.Text.Json.JsonDocument.Parse(await w.GetStringAsync("/files"));
            var entry = listed.RootElement.EnumerateArray().Single();
            Assert.Equal(("image/png", "cat photo.png"), (entry.GetProperty("type").GetString(), entry.GetProperty("name").GetString()));
            Assert.Equal(HttpStatusCode.NoContent, (await w.Client.DeleteAsync(url)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await w.Client.GetAsync(url)).StatusCode);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
