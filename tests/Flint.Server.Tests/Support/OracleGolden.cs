using System.Text.Json.Nodes;

namespace Flint.Server.Tests.Support;

/// <summary>
/// Runs a bench/oracle/NAME probe Worker on Flint and compares its /run answer, key by key,
/// with the answers recorded from wrangler dev (bench/oracle.sh with RECORD=…/expected).
/// </summary>
internal static class OracleGolden
{
    /// <param name="isolates">1 for a probe whose answers depend on module state shared by its requests, as in wrangler dev and <c>flint dev</c>.</param>
    /// <param name="config">The probe's config to run (a probe may record one answer file per config, e.g. per compatibility date).</param>
    /// <param name="expectedFile">The answers recorded from wrangler dev with that config, in <c>expected/</c>.</param>
    public static async Task AssertSameAsWranglerDevAsync(string name, int isolates = 2, string config = "wrangler.toml", string expectedFile = "run.json")
    {
        var source = Path.Combine(RepoRoot.Path, "bench", "oracle", name);
        var files = new Dictionary<string, string>
        {
            ["wrangler.toml"] = File.ReadAllText(Path.Combine(source, config)),
            ["index.js"] = File.ReadAllText(Path.Combine(source, "index.js")),
        };
        await using var w = await RunningWorker.StartAsync(files, isolates: isolates);
        using var response = await w.Client.GetAsync("/run");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"/run answered {(int)response.StatusCode}: {body}\n{w.Logs.All}");
        var actual = JsonNode.Parse(body)!.AsObject();
        var expected = JsonNode.Parse(File.ReadAllText(Path.Combine(source, "expected", expectedFile)))!.AsObject();
        var differences = expected
            .Where(e => !JsonNode.DeepEquals(e.Value, actual[e.Key]))
            .Select(e => $"{e.Key}: wrangler dev {e.Value?.ToJsonString()}\n{new string(' ', e.Key.Length)}  flint       {actual[e.Key]?.ToJsonString()}")
            .ToList();
        Assert.True(differences.Count == 0, string.Join("\n", differences));
        Assert.Equal(expected.Count, actual.Count);
    }
}
