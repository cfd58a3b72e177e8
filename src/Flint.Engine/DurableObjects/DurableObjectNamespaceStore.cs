using Flint.Engine.Storage;

namespace Flint.Engine.DurableObjects;

/// <summary>
/// One namespace's objects on disk: <c>&lt;id&gt;.sqlite</c> per object (WAL beside it), and
/// <c>index.sqlite</c> with what the CLI and the alarm scheduler need without opening every object:
/// the name an object was made from, when it was first used, and when its alarm is due (a hint,
/// never later than the alarm in the object's own database; the object's database decides).
/// </summary>
public sealed class DurableObjectNamespaceStore : IDisposable
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS objects (id TEXT PRIMARY KEY, name TEXT, created INTEGER NOT NULL) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS alarms (id TEXT PRIMARY KEY, time INTEGER NOT NULL) WITHOUT ROWID;
        """;

    private readonly SqliteDatabase _index;
    private readonly StoreLock _lock;

    private DurableObjectNamespaceStore(string directory, SqliteDatabase index, StoreLock storeLock)
    {
        Directory = directory;
        _index = index;
        _lock = storeLock;
    }

    public string Directory { get; }

    /// <summary>Opens the namespace, holding its shared store lock (so <see cref="TryDeleteAlone"/> in another process waits for none).</summary>
    public static DurableObjectNamespaceStore Open(string directory)
    {
        System.IO.Directory.CreateDirectory(directory);
        var storeLock = StoreLock.Acquire(Path.Combine(directory, "store.lock"), static () => { });
        try { return new DurableObjectNamespaceStore(directory, SqliteDatabase.Open(Path.Combine(directory, "index.sqlite"), Schema), storeLock); }
        catch
        {
            storeLock.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Deletes objects <paramref name="ids"/> of the namespace in <paramref name="directory"/> (all of
    /// them when null) if no other process has it open; false when one does (a running flint dev,
    /// whose live objects would keep writing to deleted files).
    /// </summary>
    public static bool TryDeleteAlone(string directory, IReadOnlyCollection<string>? ids)
    {
        if (!System.IO.Directory.Exists(directory)) return true;
        var done = false;
        using (StoreLock.Acquire(Path.Combine(directory, "store.lock"), () =>
        {
            var targets = ids ?? System.IO.Directory.EnumerateFiles(directory, "*.sqlite").Select(Path.GetFileNameWithoutExtension)
                .Where(id => id is not null && DurableObjectIds.IsWellFormed(id)).Select(id => id!).ToList();
            foreach (var id in targets) DeleteFiles(Path.Combine(directory, id + ".sqlite"));
            // Alone under the exclusive lock: a plain connection, synchronous, is all it needs.
            using var index = new Microsoft.Data.Sqlite.SqliteConnection(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder
            {
                DataSource = Path.Combine(directory, "index.sqlite"), Pooling = false,
            }.ToString());
            index.Open();
            using var tx = index.BeginTransaction();
            using (var schema = index.CreateCommand()) { schema.Transaction = tx; schema.CommandText = Schema; schema.ExecuteNonQuery(); }
            foreach (var id in targets)
            {
                using var cmd = index.CreateCommand();
                cmd.Transaction = tx;
                cmd.CommandText = "DELETE FROM objects WHERE id = $id; DELETE FROM alarms WHERE id = $id";
                cmd.Parameters.AddWithValue("$id", id);
                cmd.ExecuteNonQuery();
            }
            tx.Commit();
            done = true;
        }))
        { }
        return done;
    }

    private static void DeleteFiles(string path)
    {
        foreach (var file in new[] { path, path + "-wal", path + "-shm" })
        {
            if (File.Exists(file)) File.Delete(file);
        }
    }

    /// <summary>The database file of object <paramref name="id"/> (64 lowercase hex digits).</summary>
    public string ObjectPath(string id) => Path.Combine(Directory, id + ".sqlite");

    /// <summary>Records that object <paramref name="id"/> exists (made from <paramref name="name"/>, if known).</summary>
    public Task RegisterAsync(string id, string? name, DateTimeOffset now) =>
        _index.WriteAsync(s =>
        {
            var cmd = s.Command("INSERT INTO objects (id, name, created) VALUES ($id, $name, $created) ON CONFLICT (id) DO UPDATE SET name = coalesce(objects.name, excluded.name)");
            cmd.Parameters.AddWithValue("$id", id);
            cmd.Parameters.AddWithValue("$name", (object?)name ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$created", now.ToUnixTimeMilliseconds());
            return cmd.ExecuteNonQuery();
        });

    /// <summary>Records (or with null, forgets) when object <paramref name="id"/>'s alarm is due, durably.</summary>
    public Task SetAlarmAsync(string id, long? unixMs) =>
        _index.WriteAsync(s =>
        {
            var cmd = unixMs is null
                ? s.Command("DELETE FROM alarms WHERE id = $id")
                : s.Command("INSERT INTO alarms (id, time) VALUES ($id, $time) ON CONFLICT (id) DO UPDATE SET time = excluded.time");
            cmd.Parameters.AddWithValue("$id", id);
            if (unixMs is { } ms) cmd.Parameters.AddWithValue("$time", ms);
            return cmd.ExecuteNonQuery();
        });

    /// <summary>Every alarm recorded here: (object id, due time in Unix ms).</summary>
    public IReadOnlyList<(string Id, long Time)> Alarms() =>
        _index.Read(s =>
        {
            using var reader = s.Command("SELECT id, time FROM alarms ORDER BY time").ExecuteReader();
            var list = new List<(string, long)>();
            while (reader.Read()) list.Add((reader.GetString(0), reader.GetInt64(1)));
            return list;
        });

    /// <summary>The objects that have storage here (or were recorded), by id.</summary>
    public IReadOnlyList<DurableObjectInfo> List()
    {
        var recorded = _index.Read(s =>
        {
            using var reader = s.Command("SELECT o.id, o.name, o.created, a.time FROM objects o LEFT JOIN alarms a ON a.id = o.id").ExecuteReader();
            var map = new Dictionary<string, (string? Name, long Created, long? Alarm)>(StringComparer.Ordinal);
            while (reader.Read())
                map[reader.GetString(0)] = (reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetInt64(2), reader.IsDBNull(3) ? null : reader.GetInt64(3));
            return map;
        });
        var result = new List<DurableObjectInfo>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "*.sqlite"))
        {
            var id = Path.GetFileNameWithoutExtension(file);
            if (!DurableObjectIds.IsWellFormed(id)) continue;
            seen.Add(id);
            var size = new FileInfo(file).Length + (File.Exists(file + "-wal") ? new FileInfo(file + "-wal").Length : 0);
            recorded.TryGetValue(id, out var r);
            result.Add(new DurableObjectInfo(id, r.Name, r.Created > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(r.Created) : null, size,
                r.Alarm is { } a ? DateTimeOffset.FromUnixTimeMilliseconds(a) : null));
        }
        result.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        return result;
    }

    /// <summary>Deletes object <paramref name="id"/>'s storage and records. The object must not be running.</summary>
    public async Task DeleteAsync(string id)
    {
        DeleteFiles(ObjectPath(id));
        await _index.WriteAsync(s =>
        {
            foreach (var table in new[] { "objects", "alarms" })
            {
                var cmd = s.Command($"DELETE FROM {table} WHERE id = $id");
                cmd.Parameters.AddWithValue("$id", id);
                cmd.ExecuteNonQuery();
            }
            return 0;
        }).ConfigureAwait(false);
    }

    public void Dispose()
    {
        _index.Dispose();
        _lock.Dispose();
    }
}

/// <summary>One object of a namespace as the CLI lists it.</summary>
public sealed record DurableObjectInfo(string Id, string? Name, DateTimeOffset? Created, long SizeBytes, DateTimeOffset? Alarm);
