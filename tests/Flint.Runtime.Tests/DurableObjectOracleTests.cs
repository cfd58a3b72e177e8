using System.Text.Json.Nodes;
using Flint.Runtime.Tests.Support;

namespace Flint.Runtime.Tests;

/// <summary>
/// A probe Worker exercising Durable Object namespaces, ids, stubs, errors, the key-value and SQL
/// storage APIs and alarms, run on Flint and compared case by case with what wrangler dev
/// (workerd, local disk storage) answered: bench/oracle/do/*.json, recorded with
/// <c>RECORD=bench/oracle/do bench/oracle.sh bench/oracle/do/probe / /storage-sql /storage-kv</c>.
/// </summary>
public sealed class DurableObjectOracleTests
{
    // Cases Flint answers differently on purpose, with the reason.
    private static readonly Dictionary<string, string> s_known = new()
    {
        ["root.uniqueEu"] = "Flint has jurisdictions (ids made in one are another object); workerd throws \"not implemented\"",
        ["root.uniqueBadJurisdiction"] = "as above: an unknown jurisdiction is a TypeError naming the ones there are",
        ["root.jurisdictionNs"] = "as above",
        ["root.jurisdictionBad"] = "as above",
        ["root.kvSqlAccess"] = "wrangler dev backs new_classes objects with SQLite too; on Cloudflare (and Flint) the key-value backend has no SQL API",
        ["storage-kv.sqlType"] = "as above",
        ["storage-kv.key2049"] = "Cloudflare's key-value backend limits keys to 2048 bytes; workerd's local storage does not",
        ["storage-kv.keyUnicode2049"] = "as above",
        ["storage-kv.value131072"] = "Cloudflare's key-value backend limits values to 128 KiB (+34 bytes of serialization); workerd's local storage does not",
        ["storage-kv.value200k"] = "as above",
        ["storage-kv.value2mb"] = "as above",
        ["storage-kv.putEntries129"] = "Cloudflare's key-value backend takes 128 keys per call; workerd's local storage takes more",
        ["storage-kv.get129"] = "as above",
        ["storage-kv.delete129"] = "as above",
        ["storage-kv.getKey2049"] = "as above (keys over 2048 bytes)",
        ["storage-kv.deleteKey2049"] = "as above",
        ["storage-kv.txSync"] = "transactionSync() is for SQLite-backed objects only (workerd: \"Durable Object is not backed by SQL.\")",
        ["storage-kv.txSyncThrow"] = "as above",
        ["storage-kv.txSyncAsync"] = "as above",
        ["storage-sql.create"] = "rowsRead/rowsWritten are estimates (workerd counts with libSQL's statement counters)",
        ["storage-sql.rowsReadAfter"] = "Flint's cursor holds every row at once, so rowsRead is final before the rows are read",
    };

    [Theory]
    [InlineData("/", "root")]
    [InlineData("/storage-sql", "storage-sql")]
    [InlineData("/storage-kv", "storage-kv")]
    public async Task DurableObjectsAnswerAsWranglerDev(string path, string golden)
    {
        var oracle = Path.Combine(RpcOracleTests.RepoRoot(), "bench", "oracle", "do");
        await using var rt = await TestRuntime.LoadAsync(Path.GetTempPath(), [Path.Combine(oracle, "probe")]);
        var (status, body, _) = await rt.FetchAsync("do-probe", path);
        Assert.True(status == 200, body + "\n" + rt.Logs.All);
        var flint = JsonNode.Parse(body)!.AsObject();
        var expected = JsonNode.Parse(File.ReadAllText(Path.Combine(oracle, golden + ".json")))!.AsObject();
        var differences = new List<string>();
        foreach (var (key, answer) in expected)
        {
            if (s_known.ContainsKey($"{golden}.{key}")) continue;
            var got = flint[key]?.ToJsonString() ?? "(missing)";
            if (got != answer!.ToJsonString()) differences.Add($"{key}: wrangler {answer.ToJsonString()}\n      flint    {got}");
        }
        Assert.True(differences.Count == 0, "Answers differ from wrangler dev's:\n" + string.Join("\n", differences));
    }
}
