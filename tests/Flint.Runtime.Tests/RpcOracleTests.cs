using System.Text.Json.Nodes;
using Flint.Runtime.Tests.Support;

namespace Flint.Runtime.Tests;

/// <summary>
/// A caller Worker exercising JavaScript RPC and service-binding fetch on a callee, run on Flint and
/// compared case by case with what wrangler dev (workerd) answered (bench/oracle/rpc/answers.json,
/// recorded with <c>wrangler dev -c caller/wrangler.toml -c callee/wrangler.toml</c>).
/// </summary>
public sealed class RpcOracleTests
{
    // Cases Flint answers differently on purpose, with the reason.
    private static readonly Dictionary<string, string> s_known = new()
    {
        ["connect"] = "connect() on service bindings is not supported yet",
        ["disposedCount"] = "Flint runs an RpcTarget's disposer as soon as its last stub is disposed, as Cloudflare documents; workerd had not run it yet",
    };

    [Fact]
    public async Task RpcBetweenTwoWorkersAnswersAsWranglerDev()
    {
        var oracle = Path.Combine(RepoRoot(), "bench", "oracle", "rpc");
        await using var rt = await TestRuntime.LoadAsync(Path.GetTempPath(), [Path.Combine(oracle, "caller"), Path.Combine(oracle, "callee")]);
        var (status, body, _) = await rt.FetchAsync("caller");
        Assert.True(status == 200, body);
        var flint = JsonNode.Parse(body)!.AsObject();
        var expected = JsonNode.Parse(File.ReadAllText(Path.Combine(oracle, "answers.json")))!.AsObject();
        var differences = new List<string>();
        foreach (var (key, answer) in expected)
        {
            if (s_known.ContainsKey(key)) continue;
            var got = flint[key]?.ToJsonString() ?? "(missing)";
            if (got != answer!.ToJsonString()) differences.Add($"{key}: wrangler {answer.ToJsonString()}\n      flint    {got}");
        }
        Assert.True(differences.Count == 0, "Answers differ from wrangler dev's:\n" + string.Join("\n", differences) + "\nLogs:\n" + rt.Logs.All);
    }

    internal static string RepoRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "Flint.slnx"))) dir = Path.GetDirectoryName(dir);
        return dir ?? throw new InvalidOperationException("Run from inside the repository.");
    }
}
