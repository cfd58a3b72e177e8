using System.Text.Json.Nodes;
using Flint.Engine.D1;
using Flint.Engine.Storage;
using Flint.Cli.Tests.Support;

namespace Flint.Cli.Tests;

/// <summary>`flint d1 …` against a real data directory, the one `flint dev` would serve.</summary>
public sealed class D1CliTests : CliProjectTests
{
    public D1CliTests() : base("flint-d1cli-")
    {
        File.WriteAllText(Path.Combine(Dir, "wrangler.toml"), """
            name = "w"
            main = "index.js"
            compatibility_date = "2025-11-01"
            d1_databases = [{ binding = "DB", database_name = "shop", database_id = "shop-id" }]
            """);
        File.WriteAllText(Path.Combine(Dir, "index.js"), "export default { fetch() { return new Response('x') } }");
    }

    private async Task<JsonArray> Json(string sql)
    {
        var (code, output, error) = await Flint("d1", "execute", "shop", "--command", sql, "--json");
        Assert.True(code == 0, error);
        return JsonNode.Parse(output)!.AsArray();
    }

    [Fact]
    public async Task ExecuteRunsEveryStatementInOneTransactionOnTheDevDatabase()
    {
        var results = await Json("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT, b BLOB); INSERT INTO t (v, b) VALUES ('x;y', x'01ff'); SELECT * FROM t");
        Assert.Equal(3, results.Count);
        Assert.Equal("""[{"id":1,"v":"x;y","b":"[1, 255]"}]""", results[2]!["results"]!.ToJsonString());
        Assert.True(results[2]!["success"]!.GetValue<bool>());

        // A failing statement rolls back the statements before it.
        var (code, _, error) = await Flint("d1", "execute", "DB", "--command", "INSERT INTO t (v) VALUES ('z'); INSERT INTO nope VALUES (1)");
        Assert.Equal(1, code);
        Assert.Contains("no such table: nope: SQLITE_ERROR", error);
        Assert.Equal("1", (await Json("SELECT count(*) AS n FROM t"))[0]!["results"]![0]!["n"]!.ToJsonString());

        // Tables by default; --file reads SQL from a file.
        var file = Path.Combine(Dir, "q.sql");
        File.WriteAllText(file, "-- a comment\nSELECT v FROM t;\n");
        var table = await Flint("d1", "execute", "shop", "--file", file);
        Assert.Equal(0, table.Code);
        Assert.Contains("│ x;y │", table.Out);

        // The same file flint dev opens: .flint/d1/<database id>.sqlite.
        using var data = new LocalData(Path.Combine(Dir, ".flint"));
        var rows = await data.D1.Database("shop-id").QueryAsync([new D1Query("SELECT v FROM t", [])]);
        Assert.Equal("x;y", rows[0].Rows[0][0]);
    }

    [Fact]
    public async Task MigrationsAreCreatedNumberedListedAndAppliedUntilTheFirstFailure()
    {
        Assert.Equal(0, (await Flint("d1", "migrations", "create", "shop", "create items")).Code);
        var migrations = Path.Combine(Dir, "migrations");
        var first = Path.Combine(migrations, "0001_create_items.sql");
        Assert.StartsWith("-- Migration number: 0001", File.ReadAllText(first));
        File.AppendAllText(first, "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT);\nINSERT INTO items (name) VALUES ('seed');\n");
        Assert.Equal(0, (await Flint("d1", "migrations", "create", "shop", "broken")).Code);
        var second = Path.Combine(migrations, "0002_broken.sql");
        File.AppendAllText(second, "INSERT INTO items (name) VALUES ('half');\nINSERT INTO missing VALUES (1);\n");
        File.WriteAllText(Path.Combine(migrations, "0003_later.sql"), "INSERT INTO items (name) VALUES ('later');\n");

        var list = await Flint("d1", "migrations", "list", "shop");
        Assert.Contains("0001_create_items.sql", list.Out);
        Assert.Contains("0003_later.sql", list.Out);

        var (code, _, error) = await Flint("d1", "migrations", "apply", "shop");
        Assert.Equal(1, code);
        Assert.Contains("Migration 0002_broken.sql failed with the following errors:", error);
        Assert.Contains("no such table: missing: SQLITE_ERROR", error);
        // 0001 applied and recorded; 0002 left nothing behind; 0003 not attempted.
        Assert.Equal("""[{"name":"seed"}]""", (await Json("SELECT name FROM items"))[0]!["results"]!.ToJsonString());
        Assert.Equal("""[{"name":"0001_create_items.sql"}]""", (await Json("SELECT name FROM d1_migrations"))[0]!["results"]!.ToJsonString());

        File.WriteAllText(second, "INSERT INTO items (name) VALUES ('fixed');\n");
        Assert.Equal(0, (await Flint("d1", "migrations", "apply", "shop")).Code);
        Assert.Equal("""[{"name":"seed"},{"name":"fixed"},{"name":"later"}]""", (await Json("SELECT name FROM items ORDER BY id"))[0]!["results"]!.ToJsonString());
        Assert.Contains("No migrations to apply", (await Flint("d1", "migrations", "list", "shop")).Out);
    }

    [Fact]
    public async Task ExportWritesSqlThatRecreatesTheDatabase()
    {
        await Json("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT, r REAL, b BLOB); CREATE INDEX t_v ON t (v); " +
                   "INSERT INTO t (v, r, b) VALUES ('it''s', 2.0, x'00ff'), (NULL, 0.1, NULL)");
        var output = Path.Combine(Dir, "dump.sql");
        Assert.Equal(0, (await Flint("d1", "export", "shop", "--output", output)).Code);
        var sql = File.ReadAllText(output);
        Assert.Contains("INSERT INTO \"t\" (\"id\",\"v\",\"r\",\"b\") VALUES(1,'it''s',2.0,X'00FF');", sql);

        // Loading the dump into a fresh database gives the same rows.
        using var other = new D1Storage(Path.Combine(Dir, "other"));
        var db = other.Database("copy");
        await db.QueryAsync(SqlSplitter.Split(sql).Select(p => new D1Query(p.Text, [])).ToList());
        var rows = await db.QueryAsync([new D1Query("SELECT v, r, hex(b) FROM t ORDER BY id", [])]);
        Assert.Equal(new object?[] { "it's", 2.0, "00FF" }, rows[0].Rows[0]);
        Assert.Equal(new object?[] { null, 0.1, "" }, rows[0].Rows[1]);
        Assert.Single((await db.QueryAsync([new D1Query("SELECT name FROM sqlite_master WHERE type = 'index'", [])]))[0].Rows);
    }

    [Fact]
    public async Task AnUnknownDatabaseNamesTheOnesTheConfigHas()
    {
        var (code, _, error) = await Flint("d1", "execute", "nope", "--command", "SELECT 1");
        Assert.Equal(1, code);
        Assert.Contains("Couldn't find a D1 DB with the name or binding 'nope'", error);
        Assert.Contains("shop (binding DB)", error);
    }
}
