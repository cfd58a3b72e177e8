using System.Text;
using Flint.Engine.Config;
using Flint.Engine.DurableObjects;

namespace Flint.Engine.Tests.DurableObjects;

/// <summary>
/// One object's storage on a real SQLite file: the key-value API in the same database as the SQL
/// tables, writes held in one implicit transaction until committed, durability after the log's
/// fsync, and the messages workerd gives (bench/oracle/do).
/// </summary>
public sealed class DurableObjectStorageTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("flint-do-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private DurableObjectStorage Open(bool sqlite = true, string name = "obj") => DurableObjectStorage.Open(Path.Combine(_dir, name + ".sqlite"), sqlite);

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task WritesStayInOneTransactionUntilCommittedThenBecomeDurable()
    {
        using (var s = Open())
        {
            s.Put("a", B("1"));
            s.Put("b", B("2"));
            Assert.True(s.HasUncommittedWrites);
            Assert.Equal("1", Encoding.UTF8.GetString(s.Get("a")!)); // read your own writes
            var seq = s.Commit();
            Assert.True(seq > 0);
            Assert.False(s.HasUncommittedWrites);
            await s.Durability.WhenDurable(seq).WaitAsync(TimeSpan.FromSeconds(10));
            Assert.True(s.Durability.DurableSeq >= seq);
            s.Put("c", B("3")); // never committed: lost with the process
            s.RollbackUncommitted();
        }
        using var again = Open();
        Assert.NotNull(again.Get("a"));
        Assert.NotNull(again.Get("b"));
        Assert.Null(again.Get("c"));
    }

    [Fact]
    public void ListsInUtf8OrderWithCloudflaresOptions()
    {
        using var s = Open();
        foreach (var k in new[] { "b", "a", "c", "aa", "ab", "b1", "é", "Z", "\U0001F600", "\uFFFD" }) s.Put(k, B(k));
        string Keys(DurableObjectListOptions o) => string.Join(",", s.List(o).Select(e => e.Key));
        Assert.Equal("Z,a,aa,ab,b,b1,c,é,\uFFFD,\U0001F600", Keys(new()));
        Assert.Equal("a,aa,ab", Keys(new(Prefix: "a")));
        Assert.Equal("aa,ab,b", Keys(new(Start: "aa", End: "b1")));
        Assert.Equal("ab,b,b1", Keys(new(StartAfter: "aa", Limit: 3)));
        Assert.Equal("\U0001F600,\uFFFD,é", Keys(new(Reverse: true, Limit: 3)));
        Assert.Equal("ab", Keys(new(Prefix: "a", Start: "ab")));
        // Get of many keys: each once, in key order, missing ones left out.
        Assert.Equal("a,b", string.Join(",", s.Get(["b", "a", "b", "nope"]).Select(e => e.Key)));
    }

    [Fact]
    public void KeyValueBackendHasCloudflaresLimitsAndSqliteBackendHasSqlites()
    {
        using var kv = Open(sqlite: false, name: "kv");
        Assert.Equal("Keys cannot be larger than 2048 bytes. A key of size 2049 was provided.",
            Assert.Throws<DurableObjectStorageException>(() => kv.Put(new string('k', 2049), B("x"))).Message);
        kv.Put(new string('k', 2048), new byte[128 * 1024 + 34]);
        var big = Assert.Throws<DurableObjectStorageException>(() => kv.Put("v", new byte[128 * 1024 + 35]));
        Assert.Equal(("RangeError", "Values cannot be larger than 131072 bytes. A value of size 131107 was provided."), (big.Name, big.Message));
        Assert.Equal("Maximum number of key value pairs is 128. 129 pairs were provided.",
            Assert.Throws<DurableObjectStorageException>(() => kv.Get(Enumerable.Range(0, 129).Select(i => "k" + i).ToList())).Message);
        Assert.Equal("SQL is not enabled for this Durable Object class.", Assert.Throws<DurableObjectStorageException>(() => kv.Exec("SELECT 1", [])).Message);

        using var sql = Open(sqlite: true, name: "sql");
        sql.Put(new string('k', 5000), new byte[3 * 1024 * 1024]);
        Assert.Contains("SQLITE_TOOBIG", Assert.Throws<DurableObjectStorageException>(() => sql.Put("v", new byte[5 * 1024 * 1024])).Message);
    }

    [Fact]
    public void SqlRunsEveryStatementAndReturnsTheLastOnesRowsWithWorkerdsErrors()
    {
        using var s = Open();
        s.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, score REAL, data BLOB)", []);
        var insert = s.Exec("INSERT INTO t (name, score, data) VALUES (?, ?, ?), (?, ?, ?)", ["a", 1.5, new byte[] { 1, 2 }, "b", 2.0, null]);
        Assert.Equal(2, insert.RowsWritten);
        var select = s.Exec("SELECT * FROM t ORDER BY id", []);
        Assert.Equal(["id", "name", "score", "data"], select.Columns);
        Assert.Equal(2, select.Rows.Count);
        Assert.Equal(1L, select.Rows[0][0]);
        Assert.Equal(new byte[] { 1, 2 }, select.Rows[0][3]);
        Assert.Equal(3L, s.Exec("INSERT INTO t (name) VALUES ('c'); SELECT count(*) AS n FROM t", []).Rows[0][0]);

        string Error(string sql, params object?[] args) => Assert.Throws<DurableObjectStorageException>(() => s.Exec(sql, args)).Message;
        Assert.Equal("When executing multiple SQL statements in a single call, only the last statement can have parameters.", Error("SELECT ?; SELECT ?", 1, 2));
        Assert.Equal("Wrong number of parameter bindings for SQL query.", Error("SELECT ?, ?", 1));
        Assert.Equal("near \"SELEC\": syntax error at offset 0: SQLITE_ERROR", Error("SELEC 1"));
        Assert.Equal("no such table: nope: SQLITE_ERROR", Error("SELECT * FROM nope"));
        Assert.StartsWith("To execute a transaction, please use the state.storage.transaction()", Error("BEGIN TRANSACTION"));
        Assert.Equal("SQL code did not contain a statement.", Error("-- nothing"));
        Assert.Equal("SQL code did not contain a statement.", Error(""));
        s.Put("kvkey", B("v"));
        Assert.Equal("access to _cf_KV.key is prohibited: SQLITE_AUTH", Error("SELECT * FROM _cf_KV"));
        Assert.Equal("not authorized: SQLITE_AUTH", Error("CREATE TABLE _cf_mine (x)"));
        Assert.Equal("not authorized: SQLITE_AUTH", Error("PRAGMA journal_mode"));
        s.Exec("CREATE TABLE u (x UNIQUE)", []);
        s.Exec("INSERT INTO u VALUES (1)", []);
        Assert.Equal("UNIQUE constraint failed: u.x: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_UNIQUE)", Error("INSERT INTO u VALUES (1)"));
        Assert.Contains("_cf_KV", s.Exec("PRAGMA table_list", []).Rows.Select(r => (string)r[1]!));
        Assert.True(s.DatabaseSize > 0);
    }

    [Fact]
    public void ExplicitTransactionsNestAndRollBackAlone()
    {
        using var s = Open();
        s.Exec("CREATE TABLE t (x)", []);
        s.BeginTransaction();
        s.Exec("INSERT INTO t VALUES (1)", []);
        s.BeginTransaction();
        s.Put("inner", B("x"));
        s.Exec("INSERT INTO t VALUES (2)", []);
        s.EndTransaction(commit: false);
        Assert.Equal(0, s.Commit()); // an explicit transaction is open: nothing commits yet
        s.EndTransaction(commit: true);
        Assert.True(s.Commit() > 0);
        Assert.Equal(1L, s.Exec("SELECT count(*) FROM t", []).Rows[0][0]);
        Assert.Null(s.Get("inner"));
    }

    [Fact]
    public void DeleteAllResetsTheDatabaseAndKeepsTheAlarmOnlyWhenAsked()
    {
        using var s = Open();
        s.Exec("CREATE TABLE t (x); CREATE INDEX ti ON t (x); CREATE VIEW v AS SELECT * FROM t", []);
        s.Put("k", B("v"));
        s.SetAlarm(1234);
        s.Commit();
        s.DeleteAll(alarmToo: false);
        Assert.Equal(1234, s.GetAlarm());
        Assert.Null(s.Get("k"));
        Assert.Empty(s.Exec("SELECT name FROM sqlite_master WHERE name NOT LIKE '_cf_%'", []).Rows);
        s.DeleteAll(alarmToo: true);
        Assert.Null(s.GetAlarm());
        s.BeginTransaction();
        Assert.Equal("Cannot call deleteAll() within a transaction", Assert.Throws<DurableObjectStorageException>(() => s.DeleteAll(true)).Message);
    }

    [Fact]
    public void IdsAreStablePerNameAndValidOnlyInTheirNamespace()
    {
        var a = new DurableObjectIds("script-A");
        var b = new DurableObjectIds("script-B");
        var id = a.FromName("room");
        Assert.Matches("^[0-9a-f]{64}$", id);
        Assert.Equal(id, a.FromName("room"));
        Assert.NotEqual(id, a.FromName("room", "eu"));
        Assert.NotEqual(id, b.FromName("room"));
        Assert.True(a.IsValid(id));
        Assert.True(a.IsValid(id.ToUpperInvariant()));
        Assert.False(b.IsValid(id));
        Assert.False(a.IsValid(id[..63] + (id[63] == '0' ? '1' : '0')));
        var unique = a.NewUnique();
        Assert.True(a.IsValid(unique));
        Assert.NotEqual(unique, a.NewUnique());
    }

    [Fact]
    public async Task MigrationsApplyOnceInOrderAndKeepStorageThroughRenames()
    {
        using var data = new DurableObjectsData(_dir);
        var v1 = new DurableObjectMigration("v1", ["Kv"], ["Room"], [], []);
        var classes = await data.Classes.ApplyAsync("chat", [v1], ["Room"], "wrangler.toml", data.DeleteNamespace);
        var room = Assert.Single(classes, c => c.ClassName == "Room");
        Assert.True(room.Sqlite);
        Assert.False(classes.Single(c => c.ClassName == "Kv").Sqlite);
        data.Namespace(room.Namespace).ObjectPath("x");
        // Applying the same list again changes nothing; a rename keeps the namespace.
        var v2 = new DurableObjectMigration("v2", [], [], [("Room", "Lobby")], []);
        classes = await data.Classes.ApplyAsync("chat", [v1, v2], ["Lobby"], "wrangler.toml", data.DeleteNamespace);
        Assert.Equal(room.Namespace, classes.Single(c => c.ClassName == "Lobby").Namespace);
        var bad = new DurableObjectMigration("v3", [], [], [], ["Nope"]);
        Assert.Equal("Cannot apply deleted_classes migration to non-existent class Nope",
            (await Assert.ThrowsAsync<ConfigException>(() => data.Classes.ApplyAsync("chat", [v1, v2, bad], [], "wrangler.toml", data.DeleteNamespace))).Message);
        var again = new DurableObjectMigration("v3", ["Lobby"], [], [], []);
        Assert.Equal("Cannot apply new_classes migration to existing class Lobby",
            (await Assert.ThrowsAsync<ConfigException>(() => data.Classes.ApplyAsync("chat", [v1, v2, again], [], "wrangler.toml", data.DeleteNamespace))).Message);
        var stillBound = new DurableObjectMigration("v3", [], [], [], ["Lobby"]);
        Assert.StartsWith("Cannot apply --delete-class migration to class 'Lobby' without also removing the binding that references it.",
            (await Assert.ThrowsAsync<ConfigException>(() => data.Classes.ApplyAsync("chat", [v1, v2, stillBound], ["Lobby"], "wrangler.toml", data.DeleteNamespace))).Message);
        var delete = new DurableObjectMigration("v3", [], [], [], ["Lobby"]);
        classes = await data.Classes.ApplyAsync("chat", [v1, v2, delete], [], "wrangler.toml", data.DeleteNamespace);
        Assert.DoesNotContain(classes, c => c.ClassName == "Lobby");
        Assert.False(Directory.Exists(Path.Combine(data.Root, room.Namespace)));
        // Another Worker takes a class over with its objects.
        var transfer = new DurableObjectMigration("t1", [], [], [], []) { TransferredClasses = [("Kv", "chat", "Store")] };
        var taken = await data.Classes.ApplyAsync("other", [transfer], [], "wrangler.toml", data.DeleteNamespace);
        Assert.Equal("chat-Kv", Assert.Single(taken).Namespace);
        Assert.Empty(data.Classes.Classes("chat"));
    }
}
