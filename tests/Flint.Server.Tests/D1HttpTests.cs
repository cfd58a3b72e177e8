using System.Text.Json.Nodes;
using Flint.Server.Tests.Support;

namespace Flint.Server.Tests;

/// <summary>D1 through a real Worker over HTTP, with the database file on disk.</summary>
[Collection(AloneCollection.Name)] // the oracle moves megabyte values through one turn
public class D1HttpTests
{
    /// <summary>
    /// bench/oracle/d1 probes D1's API (binding types, result shapes, errors, limits, batch,
    /// exec, sessions); its expected answers were recorded from wrangler dev with bench/oracle.sh.
    /// Flint must give the same JSON.
    /// </summary>
    [Fact]
    public async Task AnswersAsWranglerDevDoesOnTheD1Oracle()
    {
        await OracleGolden.AssertSameAsWranglerDevAsync("d1");
    }

    private static readonly Dictionary<string, string> CounterWorker = new()
    {
        ["wrangler.toml"] = """
            name = "d1"
            main = "index.js"
            compatibility_date = "2025-11-01"
            d1_databases = [{ binding = "DB", database_name = "main", database_id = "db-1" }]
            """,
        ["index.js"] = """
            export default {
              async fetch(request, env) {
                const path = new URL(request.url).pathname;
                await env.DB.exec("CREATE TABLE IF NOT EXISTS hits (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)");
                if (path === "/hit") {
                  const { meta } = await env.DB.prepare("INSERT INTO hits (n) VALUES (?)").bind(1).run();
                  return Response.json({ id: meta.last_row_id });
                }
                if (path === "/bad-batch") {
                  try {
                    await env.DB.batch([env.DB.prepare("INSERT INTO hits (n) VALUES (1)"), env.DB.prepare("INSERT INTO hits (n) VALUES (NULL)")]);
                  } catch (e) { return new Response(e.message, { status: 500 }); }
                }
                return Response.json(await env.DB.prepare("SELECT count(*) AS c, typeof(max(id)) AS t FROM hits").first());
              }
            }
            """,
    };

    [Fact]
    public async Task ConcurrentWritersNeverSeeALockedDatabaseAndDataSurvivesARestart()
    {
        var dir = RunningWorker.WriteFiles(CounterWorker);
        try
        {
            await using (var w = await RunningWorker.StartInAsync(dir))
            {
                var statuses = await Task.WhenAll(Enumerable.Range(0, 100).Select(async _ => (await w.Client.GetAsync("/hit")).StatusCode));
                Assert.All(statuses, s => Assert.Equal(System.Net.HttpStatusCode.OK, s));
                var bad = await w.Client.GetAsync("/bad-batch");
                Assert.Equal(500, (int)bad.StatusCode);
                Assert.Equal("D1_ERROR: NOT NULL constraint failed: hits.n: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_NOTNULL)", await bad.Content.ReadAsStringAsync());
            }
            await using (var again = await RunningWorker.StartInAsync(dir))
            {
                Assert.Equal("""{"c":100,"t":"integer"}""", await again.GetStringAsync("/"));
            }
            Assert.True(File.Exists(Path.Combine(dir, ".flint", "d1", "db-1.sqlite")), "one SQLite file per database id under .flint/d1");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public async Task AClientThatGoesAwayCancelsItsQueryAndFreesTheDatabase()
    {
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string>
        {
            ["wrangler.toml"] = """
                name = "d1"
                main = "index.js"
                compatibility_date = "2025-11-01"
                d1_databases = [{ binding = "DB", database_name = "main", database_id = "db-1" }]
                """,
            ["index.js"] = """
                const slow = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300000000) SELECT count(*) AS n FROM c";
                export default {
                  async fetch(request, env) {
                    if (new URL(request.url).pathname === "/slow") {
                      try { return Response.json(await env.DB.prepare(slow).first()); }
                      catch (e) { console.log("slow query: " + e.message); throw e; }
                    }
                    return Response.json(await env.DB.prepare("SELECT 2 AS two").first());
                  }
                }
                """,
        });
        using (var leave = new CancellationTokenSource(TimeSpan.FromSeconds(1)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => w.Client.GetAsync("/slow", leave.Token));
        }
        // Without the cancellation this waits for the slow query's 30 s time limit.
        var started = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal("""{"two":2}""", await w.GetStringAsync("/quick"));
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(15), $"the next query waited {started.Elapsed}");
        await w.Logs.WaitForAsync(l => l.Contains("slow query: D1_ERROR:") && l.Contains("client disconnected"));
    }
}
