using Flint.Engine.Assets;
using Flint.Engine.Config;

namespace Flint.Engine.Tests.Assets;

/// <summary>The asset rules engine's parsers and small rules, with wrangler's messages (the behaviour is checked end to end against wrangler dev in AssetsOracleTests).</summary>
public class AssetRulesTests
{
    [Fact]
    public void RedirectsSkipInvalidLinesWithWranglersReasons()
    {
        var rules = RedirectRules.Parse(string.Join('\n',
            "# comment", "/a /b", "/a /c", "/one", "/x /y 404", "/p/* https://example.com/:splat 200", "/* /index.html",
            "/ /index", "http://h/x /y", "/q /r 301 # trailing comment", "/f /g#frag", new string('a', 2001)), htmlHandling: "auto-trailing-slash");
        // A "from" without a leading slash gets one, as wrangler gives it (so an absolute URL becomes a path).
        Assert.Equal(["/a", "/http://h/x", "/q", "/f"], rules.Rules.Select(r => r.From));
        Assert.Equal(301, rules.Rules[2].Status);
        Assert.Equal("/g#frag", rules.Rules[3].To);
        var messages = rules.Invalid.Select(i => i.Message).ToList();
        Assert.Contains("Ignoring duplicate rule for path /a.", messages);
        Assert.Contains("Expected exactly 2 or 3 whitespace-separated tokens. Got 1.", messages);
        Assert.Contains("Valid status codes are 200, 301, 302 (default), 303, 307, or 308. Got 404.", messages);
        Assert.Contains("Proxy (200) redirects can only point to relative paths. Got https://example.com/:splat", messages);
        Assert.Equal(2, messages.Count(m => m.StartsWith("Infinite loop detected", StringComparison.Ordinal)));
        Assert.Contains("Ignoring line 12 as it exceeds the maximum allowed length of 2000.", messages);
        // With html_handling "none", `/ /index` is not a loop.
        Assert.Single(RedirectRules.Parse("/ /index", htmlHandling: "none").Rules);
    }

    [Fact]
    public void RedirectsStopAfterAHundredDynamicRules()
    {
        var lines = Enumerable.Range(0, 105).Select(i => $"/d{i}/* /t/:splat");
        var rules = RedirectRules.Parse(string.Join('\n', lines));
        Assert.Equal(100, rules.Rules.Count);
        Assert.StartsWith("Maximum number of dynamic rules supported is 100. Skipping remaining 5 lines of file.", rules.Invalid.Single().Message);
    }

    [Fact]
    public void RedirectsMatchStaticRulesFirstThenPlaceholders()
    {
        var rules = RedirectRules.Parse("/shop/:cat/:item /items/:cat-:item 301\n/exact /there\n/blog/* //archive//:splat");
        Assert.Equal((301, "/items/hats-red"), rules.Match("h", "h", "/shop/hats/red"));
        Assert.Equal((302, "/there"), rules.Match("h", "h", "/exact"));  // after a dynamic rule, a static one is tried in order
        Assert.Equal((302, "/archive/a/b"), rules.Match("h", "h", "/blog/a/b"));
    }

    [Fact]
    public void HeadersParseBlocksAndReportMistakes()
    {
        var rules = HeaderRules.Parse(string.Join('\n',
            "X-Before: path", "/a/*", "  X-One: 1", "  X-One: 2", "  ! X-Gone", "  Bad Name: x", "  X-Empty:", "  no colon",
            "/b/*/*", "  X-Never: 1", "/c", "https://h.example:8080/x", "/d/*", "  X-Splat: :splat"));
        Assert.Equal(["/a/*", "/d/*"], rules.Rules.Select(r => r.Path));
        Assert.Equal([new KeyValuePair<string, string>("x-one", "1, 2")], rules.Rules[0].Set);
        Assert.Equal(["X-Gone"], rules.Rules[0].Unset);
        var messages = rules.Invalid.Select(i => i.Message).ToList();
        Assert.Contains("Path should come before header (x-before: path)", messages);
        Assert.Contains("Header name cannot include spaces", messages);
        Assert.Contains("No header value specified", messages);
        Assert.Contains("Expected a colon-separated header pair (e.g. name: value)", messages);
        Assert.Contains("Only one wildcard is allowed per rule. Use a named placeholder (e.g. :project) instead. Skipping /b/*/*.", messages);
        Assert.Contains("No headers specified", messages);
        Assert.Contains("Specifying ports is not supported. Skipping absolute URL https://h.example:8080/x.", messages);

        var headers = new ResponseHeaders { new("X-Gone", "here") };
        rules.Apply("h", "/d/x/y", headers);
        Assert.Equal("x/y", headers.Get("x-splat"));
    }

    [Fact]
    public void RunWorkerFirstRulesAreCheckedAsWranglerChecksThem()
    {
        var routing = StaticRouting.Parse(["/api/*", "!/api/docs/*"]);
        Assert.True(routing.ToWorker("/api/x"));
        Assert.True(routing.ToAssets("/api/docs/a"));
        Assert.False(routing.ToWorker("/apix"));
        Assert.Contains("Only negative `run_worker_first` rules", Assert.Throws<ConfigException>(() => StaticRouting.Parse(["!/a"])).Message);
        var invalid = Assert.Throws<ConfigException>(() => StaticRouting.Parse(["api", "!x", "/a/*", "/a/b", "/c", "/c"])).Message;
        Assert.Contains("'api': rules must start with '/' or '!/'", invalid);
        Assert.Contains("'!x': negative rules must start with '!/'", invalid);
        Assert.Contains("'/a/b': rule '/a/*' makes it redundant", invalid);
        Assert.Contains("'/c': rule is a duplicate; rules must be unique", invalid);
    }

    [Theory]
    [InlineData(null, "text/html", EdgeEncoding.Identity)]
    [InlineData("gzip", "text/html; charset=utf-8", EdgeEncoding.Gzip)]
    [InlineData("gzip;q=0.5, br", "text/css", EdgeEncoding.Brotli)]
    [InlineData("br, gzip", "image/png", EdgeEncoding.Identity)]
    [InlineData("gzip", null, EdgeEncoding.Gzip)]
    [InlineData("identity, gzip", "text/plain", EdgeEncoding.Identity)]
    [InlineData("identity;q=0", "text/plain", EdgeEncoding.Unacceptable)]
    [InlineData("deflate", "text/plain", EdgeEncoding.Identity)]
    public void CompressionFollowsCloudflaresEdge(string? accept, string? type, EdgeEncoding expected) =>
        Assert.Equal(expected, EdgeCompression.Choose(accept, type));

    [Fact]
    public void PathsDecodeAndEncodeAsTheAssetWorker()
    {
        Assert.Equal("/café/[id]", AssetPaths.Decode("/caf%C3%A9/%5Bid%5D"));
        Assert.Equal("/bad%zz/x", AssetPaths.Decode("/bad%zz//x"));
        Assert.Equal("/caf%C3%A9/%5Bid%5D/a%20b/(x)!", AssetPaths.Encode("/café/[id]/a b/(x)!"));
        Assert.Equal("/about", UrlPath.Normalize("/blog/../about"));
        Assert.Equal("/a/", UrlPath.Normalize("/a/%2e/"));
        Assert.Equal("/a%20b/%C3%A9", UrlPath.Normalize("/a b/é"));
    }

    [Theory]
    [InlineData("index.html", false, "text/html; charset=utf-8")]
    [InlineData("app.js", false, "text/javascript; charset=utf-8")]
    [InlineData("app.js", true, "application/javascript")]
    [InlineData("x.wasm", false, "application/wasm")]
    [InlineData("README", false, null)]
    [InlineData("README", true, "application/octet-stream")]
    [InlineData("a.unknownext", false, null)]
    public void ContentTypesAreMimes(string file, bool pages, string? expected) => Assert.Equal(expected, MimeTypes.ForFile(file, pages));

    [Fact]
    public void ManifestHonoursAssetsIgnoreAndLimits()
    {
        var dir = Directory.CreateTempSubdirectory("flint-manifest-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "a.txt"), "a");
            Directory.CreateDirectory(Path.Combine(dir, "private"));
            File.WriteAllText(Path.Combine(dir, "private", "k.txt"), "k");
            File.WriteAllText(Path.Combine(dir, "b.map"), "{}");
            File.WriteAllText(Path.Combine(dir, ".assetsignore"), "private/\n*.map\n");
            File.WriteAllText(Path.Combine(dir, "_headers"), "");
            File.CreateSymbolicLink(Path.Combine(dir, "outside"), "/etc/hostname");
            File.CreateSymbolicLink(Path.Combine(dir, "inside"), Path.Combine(dir, "a.txt"));
            var manifest = AssetManifest.Scan(dir, [AssetManifest.IgnoreFileName, "_headers", "_redirects"], []);
            Assert.Equal(["/a.txt", "/inside"], manifest.Files.Select(f => f.UrlPath).Order(StringComparer.Ordinal));
            Assert.Equal([Path.Combine(dir, "outside")], manifest.Skipped);
            Assert.Matches("^[0-9a-f]{32}$", manifest.Get("/a.txt")!.ETag);

            using (var big = File.Create(Path.Combine(dir, "big.bin"))) big.SetLength(AssetManifest.MaxAssetSize + 1);
            var error = Assert.Throws<ConfigException>(() => AssetManifest.Scan(dir, [], []));
            Assert.Contains("Asset too large.", error.Message);
            Assert.Contains("Cloudflare Workers supports assets with sizes of up to 25 MiB.", error.Message);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
