using Flint.Engine.D1;

namespace Flint.Engine.Tests.D1;

/// <summary>
/// The D1 engine on a real SQLite file. Expected messages are the ones wrangler dev gives for the
/// same SQL (recorded with bench/oracle.sh bench/oracle/d1).
/// </summary>
public sealed class D1DatabaseTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("flint-d1-").FullName;
    private readonly D1Storage _storage;
    private readonly D1Database _db;

    public D1DatabaseTests()
    {
        _storage = new D1Storage(_dir);
        _db = _storage.Database("test-db");
    }

    public void Dispose()
    {
        _storage.Dispose();
        Directory.Delete(_dir, true);
    }

    private Task<IReadOnlyList<D1Result>> Q(string sql, params object?[] args) => _db.QueryAsync([new D1Query(sql, args)]);
    private async Task<D1Result> One(string sql, params object?[] args) => (await Q(sql, args))[0];
    private async Task<string> Error(string sql, params object?[] args) => (await Assert.ThrowsAsync<D1Exception>(() => Q(sql, args))).Message;

    private Task Items() => Q("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, price REAL, data BLOB)");

    [Fact]
    public async Task BindsAndReadsEveryTypeKeepingColumnOrder()
    {
        await Items();
        var insert = await One("INSERT INTO items (name, price, data, id) VALUES (?, ?, ?, ?)", "apple", 1.5, new byte[] { 1, 2, 255 }, 9007199254740993L);
        Assert.Equal(1, insert.Meta.Changes);
        Assert.Equal(9007199254740993L, insert.Meta.LastRowId);
        Assert.True(insert.Meta.ChangedDb);

        var select = await One("SELECT name, id, price, data, NULL AS nada FROM items");
        Assert.Equal(["name", "id", "price", "data", "nada"], select.Columns);
        var row = Assert.Single(select.Rows);
        Assert.Equal("apple", row[0]);
        Assert.Equal(9007199254740993L, row[1]); // beyond 2^53, exact here; the binding decides how JavaScript sees it
        Assert.Equal(1.5, row[2]);
        Assert.Equal(new byte[] { 1, 2, 255 }, row[3]);
        Assert.Null(row[4]);
        Assert.False(select.Meta.ChangedDb);
        Assert.Equal(0, select.Meta.Changes);
    }

    [Fact]
    public async Task NumberedParametersAndParameterCountErrors()
    {
        var r = await One("SELECT ?2 AS b, ?1 AS a", "x", "y");
        Assert.Equal(new object?[] { "y", "x" }, r.Rows[0]);
        Assert.Equal("Wrong number of parameter bindings for SQL query.", await Error("SELECT ?", 1L, 2L));
        Assert.Equal("Wrong number of parameter bindings for SQL query.", await Error("SELECT ?, ?", 1L));
    }

    [Fact]
    public async Task SeveralStatementsInOneQueryReturnTheLastOnesRows()
    {
        var r = await One("SELECT 1; SELECT 2");
        Assert.Equal(["2"], r.Columns);
        Assert.Equal(2L, r.Rows[0][0]);
        Assert.Equal("No SQL statements detected.", await Error("-- only a comment\n  "));
    }

    [Fact]
    public async Task SqliteErrorsAreWordedAsD1WordsThem()
    {
        await Items();
        Assert.Equal("no such table: nope: SQLITE_ERROR", await Error("SELECT * FROM nope"));
        Assert.Equal("near \"SELEC\": syntax error at offset 0: SQLITE_ERROR", await Error("SELEC 1"));
        await Q("INSERT INTO items (id, name) VALUES (1, 'a')");
        Assert.Equal("UNIQUE constraint failed: items.id: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_PRIMARYKEY)",
            await Error("INSERT INTO items (id, name) VALUES (1, 'b')"));
        Assert.Equal("NOT NULL constraint failed: items.name: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_NOTNULL)",
            await Error("INSERT INTO items (id) VALUES (2)"));
    }

    [Fact]
    public async Task StatementsD1ForbidsAreRefused()
    {
        Assert.Equal("not authorized: SQLITE_AUTH", await Error("ATTACH DATABASE 'x.db' AS x"));
        Assert.StartsWith("not authorized", await Error("SELECT load_extension('x')"));
        Assert.Equal("not authorized to use function: sqlite_version at offset 7: SQLITE_ERROR", await Error("SELECT sqlite_version()"));
        Assert.Equal("not authorized: SQLITE_AUTH", await Error("PRAGMA journal_mode=DELETE"));
        Assert.Contains("state.storage.transaction()", await Error("BEGIN TRANSACTION"));
        // Pragmas D1 allows still work.
        await Items();
        var info = await One("PRAGMA table_info(items)");
        Assert.Equal(4, info.Rows.Count);
        Assert.Equal(1L, (await One("PRAGMA foreign_keys")).Rows[0][0]);
    }

    [Fact]
    public async Task ForeignKeysAreEnforced()
    {
        await Items();
        await Q("CREATE TABLE tags (id INTEGER PRIMARY KEY, item_id INTEGER NOT NULL REFERENCES items(id))");
        Assert.Equal("FOREIGN KEY constraint failed: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_FOREIGNKEY)",
            await Error("INSERT INTO tags (item_id) VALUES (42)"));
    }

    [Fact]
    public async Task SizeLimitsOnParametersAndSqlLength()
    {
        var hundredAndOne = Enumerable.Range(0, 101).Select(i => (object?)(long)i).ToArray();
        var sql = "SELECT " + string.Join(", ", Enumerable.Repeat("?", 101));
        Assert.StartsWith("too many SQL variables", await Error(sql, hundredAndOne));
        var hundred = hundredAndOne[..100];
        Assert.Single((await One("SELECT " + string.Join(", ", Enumerable.Repeat("?", 100)), hundred)).Rows);

        var longSql = "SELECT '" + new string('x', D1Database.MaxSqlBytes) + "'";
        Assert.Equal("statement too long: SQLITE_TOOBIG", await Error(longSql));
    }

    [Fact]
    public async Task ABatchIsAllOrNothing()
    {
        await Items();
        var ex = await Assert.ThrowsAsync<D1Exception>(() => _db.QueryAsync([
            new D1Query("INSERT INTO items (name) VALUES (?)", ["a"]),
            new D1Query("INSERT INTO items (name) VALUES (?)", ["b"]),
            new D1Query("INSERT INTO items (name) VALUES (?)", ["a"]),
        ]));
        Assert.StartsWith("UNIQUE constraint failed: items.name", ex.Message);
        Assert.Equal(0L, (await One("SELECT count(*) FROM items")).Rows[0][0]);

        var ok = await _db.QueryAsync([
            new D1Query("INSERT INTO items (name) VALUES (?)", ["a"]),
            new D1Query("SELECT name FROM items", []),
        ]);
        Assert.Equal(2, ok.Count);
        Assert.Equal("a", ok[1].Rows[0][0]);
    }

    [Fact]
    public async Task BookmarksGrowWithEveryWrite()
    {
        await Items();
        var before = _db.Bookmark;
        await Q("SELECT 1");
        Assert.Equal(before, _db.Bookmark);
        await Q("INSERT INTO items (name) VALUES ('x')");
        var after = _db.Bookmark;
        Assert.True(string.CompareOrdinal(after, before) > 0, $"{after} should sort after {before}");
    }

    [Fact]
    public async Task ManyConcurrentWritersAllSucceed()
    {
        await Items();
        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(() => Q("INSERT INTO items (name) VALUES (?)", $"n{i}"))));
        Assert.Equal(200L, (await One("SELECT count(*) FROM items")).Rows[0][0]);
    }

    [Fact]
    public async Task DataSurvivesReopeningTheFile()
    {
        await Items();
        await Q("INSERT INTO items (name) VALUES ('kept')");
        _storage.Dispose();
        using var again = new D1Storage(_dir);
        var r = await again.Database("test-db").QueryAsync([new D1Query("SELECT name FROM items", [])]);
        Assert.Equal("kept", r[0].Rows[0][0]);
    }

    [Fact]
    public void DatabasesAreOneFilePerId()
    {
        var other = _storage.Database("another/id");
        Assert.NotEqual(_db.Path, other.Path);
        Assert.Equal(_storage.Root, Path.GetDirectoryName(other.Path));
        Assert.True(File.Exists(other.Path));
    }

    private const string CountTo300Million =
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300000000) SELECT count(*) AS n FROM c";

    [Theory]
    [InlineData("SELECT 1\0; SELECT 2")]
    [InlineData("\0SELECT 1")]
    [InlineData("SELECT 1 AS a;\0")]
    public async Task ANulInTheSqlIsD1sErrorNotAHang(string sql)
    {
        // Run off the test thread: before the fix this spun forever inside SQLite's prepare loop.
        var error = await Assert.ThrowsAsync<D1Exception>(() => Task.Run(() => Q(sql)).WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal("SQL code did not contain a statement.", error.Message);
        Assert.Equal(2L, (await One("SELECT 2 AS two")).Rows[0][0]);
    }

    [Fact]
    public async Task ANulInsideAStringEndsTheSqlThereAsInSqlite()
    {
        Assert.Equal("unrecognized token: \"'a\" at offset 7: SQLITE_ERROR", await Error("SELECT 'a\0b' AS a"));
    }

    [Fact]
    public async Task AQueryPastTheTimeLimitIsStoppedWithD1sErrorAndTheNextOneRuns()
    {
        using var storage = new D1Storage(Path.Combine(_dir, "limited"), new D1Options { QueryTimeLimit = TimeSpan.FromMilliseconds(300) });
        var db = storage.Database("slow");
        await db.QueryAsync([new D1Query("CREATE TABLE t (x)", [])]);
        // A read (the cached, single-statement path) and a write batch (the transaction path).
        var read = await Assert.ThrowsAsync<D1Exception>(() => db.QueryAsync([new D1Query(CountTo300Million, [])]).WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal("D1 DB exceeded its CPU time limit and was reset.", read.Message);
        var write = await Assert.ThrowsAsync<D1Exception>(() => db.QueryAsync([
            new D1Query("INSERT INTO t VALUES (1)", []),
            new D1Query("INSERT INTO t " + CountTo300Million, []),
        ]).WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Equal("D1 DB exceeded its CPU time limit and was reset.", write.Message);
        // Nothing of the stopped batch was applied, and the database serves the next query.
        Assert.Equal(0L, (await db.QueryAsync([new D1Query("SELECT count(*) FROM t", [])]))[0].Rows[0][0]);
    }

    [Fact]
    public async Task ACancelledQueryStopsAtOnceAndFreesTheDatabase()
    {
        using var cancel = new CancellationTokenSource();
        // Cancelled from a thread of its own: a timer's callback waits for a pool thread, which the
        // parallel tests' synchronous SQLite work can keep busy for longer than this query runs.
        var canceller = new Thread(() => { Thread.Sleep(300); cancel.Cancel(); }) { IsBackground = true };
        canceller.Start();
        var started = System.Diagnostics.Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _db.QueryAsync([new D1Query(CountTo300Million, [])], cancel.Token).WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(10), $"the query ran on for {started.Elapsed} after it was cancelled");
        Assert.Equal(2L, (await One("SELECT 2 AS two")).Rows[0][0]);
    }

    [Fact]
    public void ASlowReadIsNotAnsweredInlineOnTheCallersThread()
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        Assert.False(_db.TryQueryInline(new D1Query(CountTo300Million, []), out _));
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(5), $"the inline attempt held the thread for {started.Elapsed}");
    }

    [Fact]
    public async Task ABlobOrStringOverD1sRowSizeLimitIsTooBig()
    {
        Assert.Equal("string or blob too big: SQLITE_TOOBIG", await Error("SELECT length(?)", new byte[D1Database.MaxValueBytes + 1]));
        Assert.Equal("string or blob too big: SQLITE_TOOBIG", await Error("SELECT length(?)", new string('x', D1Database.MaxValueBytes + 1)));
        Assert.Equal((long)D1Database.MaxValueBytes, (await One("SELECT length(?)", new byte[D1Database.MaxValueBytes])).Rows[0][0]);
    }
}

public class SqlSplitterTests
{
    [Fact]
    public void SplitsAtTerminatingSemicolonsOnly()
    {
        var pieces = SqlSplitter.Split("""
            -- leading comment
            INSERT INTO t VALUES ('a;b', "c;d"); /* ; */ SELECT 1;
            CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET x = 1; DELETE FROM u; END;
            ;  -- only a comment here
            SELECT 2
            """).Select(p => p.Text).ToList();
        Assert.Equal(4, pieces.Count);
        Assert.Equal("INSERT INTO t VALUES ('a;b', \"c;d\");", pieces[0]);
        Assert.StartsWith("SELECT 1", pieces[1]);
        Assert.StartsWith("CREATE TRIGGER tr", pieces[2]);
        Assert.EndsWith("END;", pieces[2]);
        Assert.Equal("SELECT 2", pieces[3]);
    }

}
