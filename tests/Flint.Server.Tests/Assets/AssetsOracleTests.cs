using System.Text;
using System.Text.Json.Nodes;
using Flint.Server.Tests.Support;

namespace Flint.Server.Tests.Assets;

/// <summary>
/// Workers static assets against wrangler dev: every probe of bench/oracle/assets/probes.mjs, recorded
/// from wrangler dev by bench/oracle/assets/record.mjs (expected/CASE.json), replayed on Flint byte for
/// byte on the wire (raw request targets, so <c>/./about</c> reaches the server as written) and
/// compared: status, reason, every header but the volatile ones (ETags by shape), the decoded body.
/// The cases cover the four html_handling modes, the three not_found_handling modes, _headers,
/// _redirects, .assetsignore, conditional requests, compression, methods, the router with and without
/// run_worker_first, and env.ASSETS.
/// </summary>
public class AssetsOracleTests
{
    [Theory]
    [InlineData("site")]
    [InlineData("force")]
    [InlineData("drop")]
    [InlineData("none")]
    [InlineData("worker")]
    [InlineData("first")]
    [InlineData("first-all")]
    public async Task AnswersAsWranglerDev(string name)
    {
        var source = Path.Combine(RepoRoot.Path, "bench", "oracle", "assets");
        var work = Path.Combine(Path.GetTempPath(), "flint-assets-" + Guid.NewGuid().ToString("n"));
        CopyDirectory(Path.Combine(source, "cases"), work);
        try
        {
            await using var w = await RunningWorker.StartInAsync(Path.Combine(work, name));
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
                            etags[path] = etag = (await RawHttp.SendAsync(w.Url, "GET", path)).Header("etag") ?? "";
                        value = value.Replace("$etag", etag);
                    }
                    headers.Add(new(k, value));
                }
                var actual = Shape(await RawHttp.SendAsync(w.Url, method, path, headers));
                var want = entry["response"]!;
                if (!JsonNode.DeepEquals(want, actual))
                    differences.Add($"{method} {path} {request["headers"]?.ToJsonString()}\n  wrangler dev {want.ToJsonString()}\n  flint        {actual.ToJsonString()}");
            }
            Assert.True(differences.Count == 0, $"{differences.Count} of {expected.Count} answers differ:\n" + string.Join("\n", differences));
        }
        finally
        {
            try { Directory.Delete(work, true); } catch (IOException) { }
        }
    }

    private static readonly HashSet<string> Volatile = ["date", "content-length", "transfer-encoding", "connection", "keep-alive", "server"];

    /// <summary>What bench/oracle/assets/http.mjs keeps of an answer.</summary>
    internal static JsonObject Shape(RawResponse r)
    {
        var headers = new JsonObject();
        foreach (var group in r.Headers.Where(h => !Volatile.Contains(h.Key) && !h.Key.StartsWith("x-mf-", StringComparison.Ordinal)).GroupBy(h => h.Key))
        {
            var value = string.Join(", ", group.Select(h => h.Value));
            if (group.Key == "etag") value = System.Text.RegularExpressions.Regex.Replace(value, "^(W/)?\"[^\"]+\"$", "$1\"<etag>\"");
            headers[group.Key] = value;
        }
        var shape = new JsonObject { ["status"] = r.Status, ["statusText"] = r.Reason, ["headers"] = headers };
        var body = r.DecodedBody();
        var text = new UTF8Encoding(false, false).GetString(body);
        if (Encoding.UTF8.GetBytes(text).AsSpan().SequenceEqual(body) && !text.Contains('\0')) shape["body"] = text;
        else shape["bodyBase64"] = Convert.ToBase64String(body);
        return shape;
    }

    internal static void CopyDirectory(string from, string to)
    {
        foreach (var dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
    }
}
