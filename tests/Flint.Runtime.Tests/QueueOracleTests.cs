using System.Text.Json.Nodes;
using Flint.Runtime.Tests.Support;

namespace Flint.Runtime.Tests;

/// <summary>
/// The queues probe (bench/oracle/queues) run on Flint and compared case by case with what
/// wrangler dev answered (recorded with <c>RECORD=bench/oracle/queues/expected bench/oracle.sh bench/oracle/queues /run /consume</c>):
/// the producer's methods, options, limits and errors, and what consumers see and what becomes
/// of their messages.
/// </summary>
public sealed class QueueOracleTests
{
    // Where Flint answers differently on purpose, and why.
    private static readonly Dictionary<string, string> s_known = new()
    {
        // wrangler dev's broker fails on its own error text for these (miniflare: "Invalid statusText"), so the Worker sees
        // "Internal Server Error"; Flint says what was wrong, in the same Error with the same prefix.
        ["run.jsonFunction"] = "a body JSON.stringify cannot serialize",
        ["run.jsonSymbol"] = "a body JSON.stringify cannot serialize",
        ["run.delayNeg"] = "delay out of range",
        ["run.delayHuge"] = "delay out of range",
        ["run.batchDelayNeg"] = "delay out of range",
        ["run.batchItemDelayNeg"] = "delay out of range",
        // Cloudflare documents delays of at most 12 hours (43200 s); wrangler dev accepts up to 24 hours.
        ["run.delayBig"] = "delay between 12 and 24 hours",
        // Cloudflare documents that explicitly acknowledged messages are not delivered again when the handler throws
        // or calls retryAll(); wrangler dev delivers them again.
        ["consume.rule_ackThenThrow"] = "explicit ack before a throw",
        ["consume.rule_ackThenRetryAll"] = "explicit ack before retryAll()",
    };

    [Fact]
    public async Task QueuesAnswerAsWranglerDev()
    {
        var oracle = Path.Combine(RpcOracleTests.RepoRoot(), "bench", "oracle", "queues");
        await using var h = await QueueHarness.LoadAsync(oracle);
        var differences = new List<string>();
        foreach (var name in new[] { "run", "consume" })
        {
            var flint = JsonNode.Parse(await h.FetchAsync("oracle-queues", "/" + name))!.AsObject();
            var expected = JsonNode.Parse(File.ReadAllText(Path.Combine(oracle, "expected", name + ".json")))!.AsObject();
            foreach (var (key, answer) in expected)
            {
                if (s_known.ContainsKey($"{name}.{key}")) continue;
                var got = flint[key]?.ToJsonString() ?? "(missing)";
                if (got != answer!.ToJsonString()) differences.Add($"{name}.{key}: wrangler {answer.ToJsonString()}\n      flint    {got}");
            }
            Assert.Equal(expected.Count, flint.Count);
        }
        Assert.True(differences.Count == 0, "Answers differ from wrangler dev's:\n" + string.Join("\n", differences) + "\nLogs:\n" + h.Runtime.Logs.All);
    }
}
