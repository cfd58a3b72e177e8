using System.Net;
using System.Security.Cryptography;
using Flint.Engine.Config;
using Flint.Server.Tests.Support;

namespace Flint.Server.Tests.Assets;

/// <summary>
/// What the golden test cannot hold Flint to because wrangler dev does not do it (Range requests: it
/// answers them with the whole file), or does not show it (large files streamed from disk, the
/// directory watched, config errors), tested against Cloudflare's documented behaviour.
/// </summary>
public class AssetsHttpTests
{
    private static Dictionary<string, string> Site(string toml, params (string Path, string Content)[] files)
    {
        var all = new Dictionary<string, string> { ["wrangler.toml"] = toml };
        foreach (var (path, content) in files) all[path] = content;
        return all;
    }

    private const string AssetsOnly = "name = \"t\"\ncompatibility_date = \"2025-11-01\"\n[assets]\ndirectory = \"public\"\n";

    [Fact]
    public async Task RangeRequestsGetPartialContentAsOnCloudflare()
    {
        await using var w = await RunningWorker.StartAsync(Site(AssetsOnly, ("public/digits.txt", "0123456789")));
        var single = await RawHttp.SendAsync(w.Url, "GET", "/digits.txt", [new("Range", "bytes=2-4")]);
        Assert.Equal(206, single.Status);
        Assert.Equal("234", System.Text.Encoding.ASCII.GetString(single.Body));
        Assert.Equal("bytes 2-4/10", single.Header("content-range"));
        Assert.Null(single.Header("cache-control")); // a range request is not cacheable, as in the asset worker
        var suffix = await RawHttp.SendAsync(w.Url, "GET", "/digits.txt", [new("Range", "bytes=-3"), new("Accept-Encoding", "gzip")]);
        Assert.Equal((206, "789", (string?)null), (suffix.Status, System.Text.Encoding.ASCII.GetString(suffix.Body), suffix.Header("content-encoding")));
        var unsatisfiable = await RawHttp.SendAsync(w.Url, "GET", "/digits.txt", [new("Range", "bytes=20-")]);
        Assert.Equal(416, unsatisfiable.Status);
        Assert.Equal("bytes */10", unsatisfiable.Header("content-range"));
        var several = await RawHttp.SendAsync(w.Url, "GET", "/digits.txt", [new("Range", "bytes=0-1,5-6")]);
        Assert.Equal((200, "0123456789"), (several.Status, System.Text.Encoding.ASCII.GetString(several.Body)));
        var head = await RawHttp.SendAsync(w.Url, "HEAD", "/digits.txt");
        Assert.Equal(("10", 0), (head.Header("content-length"), head.Body.Length));
    }

    [Fact]
    public async Task LargeFilesStreamFromDiskDirectlyAndThroughEnvAssets()
    {
        var files = Site("name = \"t\"\nmain = \"index.js\"\ncompatibility_date = \"2025-11-01\"\n[assets]\ndirectory = \"public\"\nbinding = \"ASSETS\"\n",
            ("index.js", "export default { fetch(request, env) { const u = new URL(request.url); return env.ASSETS.fetch(new URL(u.pathname.slice('/via'.length), u)); } };"));
        var dir = RunningWorker.WriteFiles(files);
        var data = new byte[20 * 1024 * 1024];
        Random.Shared.NextBytes(data);
        Directory.CreateDirectory(Path.Combine(dir, "public"));
        File.WriteAllBytes(Path.Combine(dir, "public", "big.bin"), data);
        await using var w = await RunningWorker.StartInAsync(dir, ownsDirectory: true);
        var expected = SHA256.HashData(data);
        foreach (var path in new[] { "/big.bin", "/via/big.bin" })
        {
            using var response = await w.Client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await using var body = await response.Content.ReadAsStreamAsync();
            Assert.Equal(expected, await SHA256.HashDataAsync(body));
        }
    }

    [Fact]
    public async Task TheDirectoryIsWatched()
    {
        var dir = RunningWorker.WriteFiles(Site(AssetsOnly, ("public/index.html", "v1")));
        await using var w = await RunningWorker.StartInAsync(dir, watch: true, ownsDirectory: true);
        Assert.Equal(HttpStatusCode.NotFound, (await w.Client.GetAsync("/new.txt")).StatusCode);
        await File.WriteAllTextAsync(Path.Combine(dir, "public", "new.txt"), "new");
        await File.WriteAllTextAsync(Path.Combine(dir, "public", "index.html"), "v2");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        string? text = null;
        while (DateTime.UtcNow < deadline)
        {
            var r = await w.Client.GetAsync("/new.txt");
            if (r.IsSuccessStatusCode && (text = await r.Content.ReadAsStringAsync()) == "new") break;
            await Task.Delay(50);
        }
        Assert.Equal("new", text);
        Assert.Equal("v2", await w.GetStringAsync("/"));
    }

    [Fact]
    public async Task AssetsOnlyProjectsRefuseWhatNeedsAWorker()
    {
        var binding = await Assert.ThrowsAsync<ConfigException>(() => RunningWorker.StartAsync(Site(AssetsOnly + "binding = \"ASSETS\"\n", ("public/a.txt", "a"))));
        Assert.Contains("Cannot use assets with a binding in an assets-only Worker.", binding.Message);
        var first = await Assert.ThrowsAsync<ConfigException>(() => RunningWorker.StartAsync(Site(AssetsOnly + "run_worker_first = true\n", ("public/a.txt", "a"))));
        Assert.Contains("Cannot set run_worker_first without a Worker script.", first.Message);
        var rules = await Assert.ThrowsAsync<ConfigException>(() => RunningWorker.StartAsync(Site(
            "name = \"t\"\nmain = \"index.js\"\n[assets]\ndirectory = \"public\"\nrun_worker_first = [\"api\"]\n",
            ("public/a.txt", "a"), ("index.js", "export default { fetch() { return new Response('w'); } };"))));
        Assert.Contains("'api': rules must start with '/' or '!/'", rules.Message);
    }

    [Fact]
    public async Task ABrokenDeployRedirectSaysWhatToDo()
    {
        var missing = await Assert.ThrowsAsync<ConfigException>(() => RunningWorker.StartAsync(Site(AssetsOnly,
            ("public/a.txt", "a"), (".wrangler/deploy/config.json", "{\"configPath\": \"../../dist/gone/wrangler.json\"}"))));
        Assert.Contains("does not exist. Run the build again", missing.Message);
        var noPath = await Assert.ThrowsAsync<ConfigException>(() => RunningWorker.StartAsync(Site(AssetsOnly,
            ("public/a.txt", "a"), (".wrangler/deploy/config.json", "{}"))));
        Assert.Contains("the required \"configPath\" property was not found", noPath.Message);
    }
}
