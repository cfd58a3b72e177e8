using System.Diagnostics;
using System.Security.Cryptography;
using Flint.Cli.Tests.Support;
using Flint.Engine.Storage;

namespace Flint.Cli.Tests;

/// <summary>`flint r2 …` against a real data directory, the one `flint dev` would serve.</summary>
public sealed class R2CliTests : CliProjectTests
{
    public R2CliTests() : base("flint-r2cli-")
    {
        File.WriteAllText(Path.Combine(Dir, "wrangler.toml"), """
            name = "w"
            main = "index.js"
            compatibility_date = "2025-11-01"
            r2_buckets = [{ binding = "B", bucket_name = "assets" }]
            """);
        File.WriteAllText(Path.Combine(Dir, "index.js"), "export default { fetch() { return new Response('x') } }");
    }

    [Fact]
    public async Task BucketsAndObjectsActOnTheDevDataDirectory()
    {
        Assert.Equal(0, (await Flint("r2", "bucket", "create", "assets")).Code);
        var again = await Flint("r2", "bucket", "create", "assets");
        Assert.Equal(1, again.Code);
        Assert.Contains("already exists", again.Err);
        Assert.Contains("not a valid bucket name", (await Flint("r2", "bucket", "create", "Bad_Name")).Err);
        Assert.Contains("name:           assets", (await Flint("r2", "bucket", "list")).Out);

        var big = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 5);
        var file = Path.Combine(Dir, "photo.jpg");
        File.WriteAllBytes(file, big);
        var put = await Flint("r2", "object", "put", "assets/img/photo.jpg", "--file", file, "--content-type", "image/jpeg", "--cache-control", "max-age=3600");
        Assert.Equal((0, ""), (put.Code, put.Err));
        Assert.Contains("Upload complete.", put.Out);

        // The same store flint dev opens: .flint/r2/<bucket_name>.
        using (var data = new LocalData(Path.Combine(Dir, ".flint")))
        {
            var head = data.R2.Bucket("assets").Head("img/photo.jpg")!;
            Assert.Equal(("image/jpeg", "max-age=3600", big.Length), (head.HttpMetadata.ContentType, head.HttpMetadata.CacheControl, head.Size));
            Assert.Equal(Convert.ToHexStringLower(MD5.HashData(big)), head.Etag);
        }

        var copy = Path.Combine(Dir, "copy.jpg");
        Assert.Equal(0, (await Flint("r2", "object", "get", "assets/img/photo.jpg", "--file", copy)).Code);
        Assert.Equal(big, File.ReadAllBytes(copy));
        Assert.Contains("does not exist", (await Flint("r2", "object", "get", "assets/nope", "--file", copy)).Err);
        Assert.Contains("BUCKET/KEY", (await Flint("r2", "object", "get", "assets", "--file", copy)).Err);

        var notEmpty = await Flint("r2", "bucket", "delete", "assets");
        Assert.Equal(1, notEmpty.Code);
        Assert.Contains("not empty", notEmpty.Err);
        Assert.Equal(0, (await Flint("r2", "object", "delete", "assets/img/photo.jpg")).Code);
        Assert.Equal(0, (await Flint("r2", "bucket", "delete", "assets")).Code);
        Assert.DoesNotContain("assets", (await Flint("r2", "bucket", "list")).Out);
    }

    [Fact]
    public async Task ObjectsPipeInAndOut()
    {
        var flintDll = Path.Combine(AppContext.BaseDirectory, "flint.dll");
        var payload = RandomNumberGenerator.GetBytes(200_000);
        async Task<(int Code, byte[] Out)> RunAsync(byte[]? input, params string[] args)
        {
            var psi = new ProcessStartInfo("dotnet", ["exec", flintDll, .. args, "--config", Dir])
            {
                RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
            };
            using var p = Process.Start(psi)!;
            var output = new MemoryStream();
            var reading = p.StandardOutput.BaseStream.CopyToAsync(output);
            var errors = p.StandardError.ReadToEndAsync();
            if (input is not null) await p.StandardInput.BaseStream.WriteAsync(input);
            p.StandardInput.Close();
            await p.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
            await reading;
            Assert.True(p.ExitCode == 0, await errors);
            return (p.ExitCode, output.ToArray());
        }
        await RunAsync(payload, "r2", "object", "put", "assets/piped.bin", "--pipe");
        var (_, got) = await RunAsync(null, "r2", "object", "get", "assets/piped.bin", "--pipe");
        Assert.Equal(payload, got);
    }

    [Fact]
    public async Task TheCliAndARunningFlintDevShareABucket()
    {
        File.WriteAllText(Path.Combine(Dir, "index.js"), """
            export default {
              async fetch(request, env) {
                const key = new URL(request.url).pathname.slice(1);
                if (request.method === "PUT") return new Response((await env.B.put(key, request.body)).etag);
                const o = await env.B.get(key);
                return o === null ? new Response("missing", { status: 404 }) : new Response(o.body);
              }
            }
            """);
        using var flint = await FlintProcess.StartDevAsync(Dir, "--s3-port", "0");
        using var http = new HttpClient { BaseAddress = new Uri(flint.Url), Timeout = TimeSpan.FromSeconds(30) };
        var fromCli = RandomNumberGenerator.GetBytes(500_000);
        var file = Path.Combine(Dir, "from-cli.bin");
        File.WriteAllBytes(file, fromCli);
        // A second process opens the bucket flint dev has open: it must not take flint dev's files for leftovers.
        var put = await FlintProcess.RunAsync(TimeSpan.FromSeconds(60), "r2", "object", "put", "assets/from-cli.bin", "--file", file, "--config", Dir);
        Assert.True(put.Code == 0, put.Err);
        Assert.Equal(fromCli, await http.GetByteArrayAsync("/from-cli.bin"));

        var fromWorker = RandomNumberGenerator.GetBytes(400_000);
        (await http.PutAsync("/from-worker.bin", new ByteArrayContent(fromWorker))).EnsureSuccessStatusCode();
        var copy = Path.Combine(Dir, "copy.bin");
        var get = await FlintProcess.RunAsync(TimeSpan.FromSeconds(60), "r2", "object", "get", "assets/from-worker.bin", "--file", copy, "--config", Dir);
        Assert.True(get.Code == 0, get.Err);
        Assert.Equal(fromWorker, File.ReadAllBytes(copy));
        Assert.Equal(fromCli, await http.GetByteArrayAsync("/from-cli.bin"));
    }
}
