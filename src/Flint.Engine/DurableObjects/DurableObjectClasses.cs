using Flint.Engine.Config;
using Flint.Engine.Storage;

namespace Flint.Engine.DurableObjects;

/// <summary>A Durable Object class as its migrations left it: the Worker and name it has now, and its namespace's storage.</summary>
/// <param name="Namespace">The namespace's storage name (<c>&lt;script&gt;-&lt;Class&gt;</c> when it was created), kept through renames and transfers.</param>
/// <param name="Sqlite">Created by <c>new_sqlite_classes</c> (SQL API on), else <c>new_classes</c> (the key-value backend's limits).</param>
public sealed record DurableObjectClass(string Script, string ClassName, string Namespace, bool Sqlite);

/// <summary>
/// Which Durable Object classes each Worker has, as its <c>migrations</c> made them (<c>do/classes.sqlite</c>).
/// Migrations apply in order, each tag once, and are recorded as Cloudflare records them, so a
/// class keeps its objects through a rename or a transfer to another Worker, and loses them with
/// its deletion. The errors are wrangler's and Cloudflare's for the same mistakes.
/// </summary>
public sealed class DurableObjectClasses : IDisposable
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS migrations (script TEXT NOT NULL, tag TEXT NOT NULL, applied INTEGER NOT NULL, PRIMARY KEY (script, tag)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS classes (script TEXT NOT NULL, class TEXT NOT NULL, namespace TEXT NOT NULL UNIQUE, sqlite INTEGER NOT NULL, PRIMARY KEY (script, class)) WITHOUT ROWID;
        """;

    private readonly SqliteDatabase _db;
    private readonly string _root;

    public DurableObjectClasses(string root)
    {
        _root = root;
        _db = SqliteDatabase.Open(Path.Combine(root, "classes.sqlite"), Schema);
    }

    /// <summary>
    /// Applies the migrations of <paramref name="script"/> not applied yet, in order, and returns its
    /// classes. Deleted classes' namespaces are handed to <paramref name="deleteNamespace"/> after the
    /// records commit. Throws <see cref="ConfigException"/> for a migration that cannot apply.
    /// </summary>
    public async Task<IReadOnlyList<DurableObjectClass>> ApplyAsync(string script, IReadOnlyList<DurableObjectMigration> migrations,
        IReadOnlyCollection<string> boundClasses, string configFile, Action<string> deleteNamespace)
    {
        var deleted = await _db.WriteAsync(s =>
        {
            var applied = new HashSet<string>(StringComparer.Ordinal);
            using (var read = s.Command("SELECT tag FROM migrations WHERE script = $s"))
            {
                read.Parameters.AddWithValue("$s", script);
                using var reader = read.ExecuteReader();
                while (reader.Read()) applied.Add(reader.GetString(0));
            }
            var classes = ReadClasses(s, script).ToDictionary(c => c.ClassName, StringComparer.Ordinal);
            var gone = new List<string>();
            foreach (var m in migrations)
            {
                if (applied.Contains(m.Tag)) continue;
                foreach (var name in m.DeletedClasses)
                {
                    if (!classes.Remove(name, out var c)) throw new ConfigException($"Cannot apply deleted_classes migration to non-existent class {name}");
                    if (boundClasses.Contains(name))
                        throw new ConfigException($"Cannot apply --delete-class migration to class '{name}' without also removing the binding that references it. Remove the durable_objects binding to {name} from {configFile} first.");
                    Exec(s, "DELETE FROM classes WHERE script = $s AND class = $c", ("$s", script), ("$c", name));
                    gone.Add(c.Namespace);
                }
                foreach (var (from, to) in m.RenamedClasses)
                {
                    if (!classes.Remove(from, out var c)) throw new ConfigException($"Cannot apply renamed_classes migration to non-existent class {from}");
                    if (classes.ContainsKey(to)) throw new ConfigException($"Cannot apply renamed_classes migration to existing class {to}");
                    Exec(s, "UPDATE classes SET class = $to WHERE script = $s AND class = $c", ("$to", to), ("$s", script), ("$c", from));
                    classes[to] = c with { ClassName = to };
                }
                foreach (var (from, fromScript, to) in m.TransferredClasses)
                {
                    var source = ReadClasses(s, fromScript).FirstOrDefault(c => c.ClassName == from)
                        ?? throw new ConfigException($"Cannot apply transferred_classes migration: Worker \"{fromScript}\" has no Durable Object class {from}");
                    if (classes.ContainsKey(to)) throw new ConfigException($"Cannot apply transferred_classes migration to existing class {to}");
                    Exec(s, "UPDATE classes SET script = $s, class = $to WHERE script = $fs AND class = $c", ("$s", script), ("$to", to), ("$fs", fromScript), ("$c", from));
                    classes[to] = source with { Script = script, ClassName = to };
                }
                foreach (var (list, sqlite) in new[] { (m.NewClasses, false), (m.NewSqliteClasses, true) })
                {
                    foreach (var name in list)
                    {
                        if (classes.ContainsKey(name))
                            throw new ConfigException($"Cannot apply {(sqlite ? "new_sqlite_classes" : "new_classes")} migration to existing class {name}");
                        var ns = UniqueNamespace(s, StorageNames.ForId($"{script}-{name}"));
                        Exec(s, "INSERT INTO classes (script, class, namespace, sqlite) VALUES ($s, $c, $n, $q)", ("$s", script), ("$c", name), ("$n", ns), ("$q", sqlite ? 1 : 0));
                        classes[name] = new DurableObjectClass(script, name, ns, sqlite);
                    }
                }
                Exec(s, "INSERT INTO migrations (script, tag, applied) VALUES ($s, $t, $a)", ("$s", script), ("$t", m.Tag), ("$a", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));
            }
            return gone;
        }).ConfigureAwait(false);
        foreach (var ns in deleted) deleteNamespace(ns);
        return Classes(script);
    }

    /// <summary>The classes <paramref name="script"/> has now.</summary>
    public IReadOnlyList<DurableObjectClass> Classes(string script) => _db.Read(s => ReadClasses(s, script));

    /// <summary>Every class of every Worker.</summary>
    public IReadOnlyList<DurableObjectClass> All() => _db.Read(s => ReadClasses(s, null));

    /// <summary>The class <paramref name="className"/> of <paramref name="script"/>, or null.</summary>
    public DurableObjectClass? Find(string script, string className) => Classes(script).FirstOrDefault(c => c.ClassName == className);

    private static List<DurableObjectClass> ReadClasses(SqliteSession s, string? script)
    {
        using var cmd = s.Connection.CreateCommand();
        cmd.Transaction = s.Transaction;
        cmd.CommandText = script is null ? "SELECT script, class, namespace, sqlite FROM classes ORDER BY script, class"
            : "SELECT script, class, namespace, sqlite FROM classes WHERE script = $s ORDER BY class";
        if (script is not null) cmd.Parameters.AddWithValue("$s", script);
        using var reader = cmd.ExecuteReader();
        var list = new List<DurableObjectClass>();
        while (reader.Read()) list.Add(new DurableObjectClass(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3) != 0));
        return list;
    }

    private string UniqueNamespace(SqliteSession s, string wanted)
    {
        var name = wanted;
        for (var i = 2; ; i++)
        {
            using var cmd = s.Connection.CreateCommand();
            cmd.Transaction = s.Transaction;
            cmd.CommandText = "SELECT 1 FROM classes WHERE namespace = $n";
            cmd.Parameters.AddWithValue("$n", name);
            // A directory left by a deleted class of the same name is someone's old data: never reuse it.
            if (cmd.ExecuteScalar() is null && !Directory.Exists(Path.Combine(_root, name))) return name;
            name = $"{wanted}-{i}";
        }
    }

    private static void Exec(SqliteSession s, string sql, params (string Name, object Value)[] args)
    {
        using var cmd = s.Connection.CreateCommand();
        cmd.Transaction = s.Transaction;
        cmd.CommandText = sql;
        foreach (var (name, value) in args) cmd.Parameters.AddWithValue(name, value);
        cmd.ExecuteNonQuery();
    }

    public void Dispose() => _db.Dispose();
}
