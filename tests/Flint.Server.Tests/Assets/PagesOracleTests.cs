using System.Text.Json.Nodes;
using Flint.Engine.Config;
using Flint.Server.Dev;
using Flint.Server.Pages;
using Flint.Server.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Flint.Server.Tests.Assets;

/// <summary>
/// <c>flint pages dev</c> against <c>wrangler pages dev</c>: the probes of bench/oracle/pages/probes.mjs,
/// recorded by bench/oracle/pages/record.mjs, replayed raw on Flint and compared as the Workers assets
/// oracle compares them. Cases: a static site (Pages' HTML rules, 404.html, _headers, _redirects), a
/// Functions tree (params, catch-alls, middleware at two levels and as an array, methods, next(), data,
/// passThroughOnException, env.ASSETS), the same with _routes.json, and advanced mode (_worker.js).
/// </summary>
public class PagesOracleTests
{
    [Theory]
    [InlineData("static")]
    [InlineData("functions")]
    [InlineData("routes")]
    [InlineData("advanced")]
    public async Task AnswersAsWranglerPagesDev(string name)
    {
        var source = Path.Combine(RepoRoot.Path, "bench", "oracle", "pages");
        var work = Path.Combine(Path.GetTempPath(), "flint-pages-" + Guid.NewGuid().ToString("n"));
        AssetsOracleTests.CopyDirectory(Path.Combine(source, "cases", name), work);
        await TestTools.InstallEsbuildIntoAsync(work);
        try
        {
            await using var server = await StartAsync(work);
            var url = server.Url;
            var expected = JsonNode.Parse(File.ReadAllText(Path.Combine(source, "expected", name + ".json")))!.AsArray();
            var etags = new Dictionary<string, string>();
            var differences = new List<string>();
            foreach (var entry in expected)
            {
                var request = entry!["request"]!;
                var method = request["method"]!.GetValue<string>();
                var path = request["path"]!.GetValue<string>();
                var headers = new List<KeyValuePair<string, string>>();
                foreach (var (k, v) in request["headers"]?.AsObject() ?? [])
                {
                    var value = v!.GetValue<string>();
                    if (value.Contains("$etag"))
                    {
                        if (!etags.TryGetValue(path, out var etag))
                            etags[path] = etag = (await RawHttp.SendAsync(url, "GET", path)).Header("etag") ?? "";
                        value = value.Replace("$etag", etag);
                    }
                    headers.Add(new(k, value));
                }
                var body = request["body"]?.GetValue<string>();
                var actual = AssetsOracleTests.Shape(await RawHttp.SendAsync(url, method, path, headers, body));
                var want = entry["response"]!;
                if (!JsonNode.DeepEquals(want, actual))
                    differences.Add($"{method} {path} {request["headers"]?.ToJsonString()}\n  wrangler pages dev {want.ToJsonString()}\n  flint              {actual.ToJsonString()}");
            }
            Assert.True(differences.Count == 0, $"{differences.Count} of {expected.Count} answers differ:\n" + string.Join("\n", differences));
        }
        finally
        {
            try { Directory.Delete(work, true); } catch (IOException) { }
        }
    }

    /// <summary>What `flint pages dev` runs in <paramref name="project"/> (its wrangler.toml names the output directory).</summary>
    internal static Task<DevServer> StartAsync(string project, LogSink? logs = null)
    {
        var options = new PagesDevOptions
        {
            ProjectDirectory = project,
            Config = new ConfigLoadOptions { Target = project, PersistTo = Path.Combine(project, ".flint") },
        };
        return DevServer.StartAsync(new DevServerOptions
        {
            LoadConfig = () => PagesProject.Load(options),
            Port = 0,
            Watch = false,
            Isolates = 1,
            LogLevel = LogLevel.Debug,
            ConfigureLogging = b => b.AddProvider(logs ?? new LogSink()),
        });
    }
}
