using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Flint.Engine.Config;
using Flint.Engine.D1;
using Flint.Engine.Storage;

namespace Flint.Cli;

/// <summary>
/// <c>flint d1 …</c>, shaped like <c>wrangler d1 … --local</c>: execute SQL, manage migrations
/// (tracked in <c>d1_migrations</c> as wrangler does) and export, on the data directory
/// <c>flint dev</c> uses for the same Worker, so a database can be seeded and then served.
/// </summary>
internal static class D1Commands
{
    private const string DefaultMigrationsTable = "d1_migrations";

    public static Command Build(TextWriter stdout, TextWriter stderr)
    {
        var d1 = new Command("d1", "Manage D1 databases in Flint's local data.");
        d1.Subcommands.Add(Execute(stdout, stderr));
        d1.Subcommands.Add(Export(stdout, stderr));
        var migrations = new Command("migrations", "Create, list and apply migrations (.sql files in migrations_dir).");
        migrations.Subcommands.Add(MigrationsCreate(stdout, stderr));
        migrations.Subcommands.Add(MigrationsList(stdout, stderr));
        migrations.Subcommands.Add(MigrationsApply(stdout, stderr));
        d1.Subcommands.Add(migrations);
        return d1;
    }

    /// <summary>The database argument and the options that find the config and the data directory.</summary>
    private sealed class Target
    {
        public readonly Argument<string> Database = new("database") { Description = "The database's name or binding, as in the Worker's d1_databases." };
        public readonly Option<string?> Config = new("--config", "-c") { Description = "The Worker's directory or wrangler config file (default: the current directory)." };
        public readonly Option<string?> Env = new("--env", "-e") { Description = "Use the [env.NAME] section of the config." };
        public readonly Option<string?> PersistTo = new("--persist-to") { Description = "Flint's data directory (default: .flint beside the config), as for flint dev." };

        public void AddTo(Command c)
        {
            c.Arguments.Add(Database);
            c.Options.Add(Config);
            c.Options.Add(Env);
            c.Options.Add(PersistTo);
        }

        public (WorkerConfig Config, D1DatabaseBinding Database, string DataDirectory) Resolve(ParseResult parse)
        {
            var persist = parse.GetValue(PersistTo);
            var target = Path.GetFullPath(parse.GetValue(Config) ?? ".");
            var config = ConfigLoader.Load(new ConfigLoadOptions { Target = target, Environment = parse.GetValue(Env), PersistTo = persist }).Config;
            var name = parse.GetValue(Database)!;
            var db = config.Bindings.D1Databases.FirstOrDefault(d => d.DatabaseName == name || d.Binding == name)
                ?? throw new CliException($"Couldn't find a D1 DB with the name or binding '{name}' in {config.ConfigPath ?? "the config"}. " +
                    $"Its d1_databases are: {string.Join(", ", config.Bindings.D1Databases.Select(d => $"{d.DatabaseName} (binding {d.Binding})").DefaultIfEmpty("(none)"))}.");
            return (config, db, persist is not null ? Path.GetFullPath(persist) : config.PersistDirectory);
        }
    }

    private static Command Execute(TextWriter stdout, TextWriter stderr)
    {
        var t = new Target();
        var command = new Option<string?>("--command") { Description = "The SQL to run (one or more statements)." };
        var file = new Option<string?>("--file") { Description = "A .sql file to run." };
        var json = new Option<bool>("--json") { Description = "Print the results as JSON instead of tables." };
        var cmd = new Command("execute", "Run SQL against a local D1 database; all statements in one transaction.") { command, file, json };
        t.AddTo(cmd);
        cmd.SetAction((parse, ct) => Run(stderr, async () =>
        {
            var (_, db, data) = t.Resolve(parse);
            var sql = parse.GetValue(command);
            var path = parse.GetValue(file);
            if ((sql is null) == (path is null)) throw new CliException("Give the SQL either with --command SQL or with --file FILE (exactly one of them).");
            sql ??= ReadFile(path!);
            var asJson = parse.GetValue(json);
            if (!asJson) stdout.WriteLine($"🌀 Executing on local database {parse.GetValue(t.Database)} ({db.LocalId}) from {Path.Combine(data, "d1")}:");

            var statements = SqlSplitter.Split(sql).Select(p => new D1Query(p.Text, [])).ToList();
            if (statements.Count == 0) throw new CliException("No SQL statements detected.");
            using var local = new LocalData(data);
            var results = await local.D1.Database(db.LocalId).QueryAsync(statements, ct);

            if (asJson)
            {
                var array = new JsonArray(results.Select(r => (JsonNode)new JsonObject
                {
                    ["results"] = new JsonArray(r.Rows.Select(row => (JsonNode)RowObject(r.Columns, row)).ToArray()),
                    ["success"] = true,
                    ["meta"] = new JsonObject { ["duration"] = r.Meta.Duration },
                }).ToArray());
                stdout.WriteLine(array.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
                return;
            }
            stdout.WriteLine($"🚣 {results.Count} command{(results.Count == 1 ? "" : "s")} executed successfully.");
            foreach (var r in results.Where(r => r.Rows.Count > 0))
            {
                stdout.Write(TextTable.Render(r.Columns, r.Rows.Select(row => row.Select(Display).ToArray()).ToList()));
            }
        }));
        return cmd;
    }

    private static Command Export(TextWriter stdout, TextWriter stderr)
    {
        var t = new Target();
        var output = new Option<string>("--output") { Description = "The .sql file to write.", Required = true };
        var noSchema = new Option<bool>("--no-schema") { Description = "Only the data (INSERT statements)." };
        var noData = new Option<bool>("--no-data") { Description = "Only the schema (CREATE statements)." };
        var tables = new Option<string[]>("--table") { Description = "Only these tables (repeatable).", AllowMultipleArgumentsPerToken = false };
        var cmd = new Command("export", "Write a local D1 database's schema and data as SQL.") { output, noSchema, noData, tables };
        t.AddTo(cmd);
        cmd.SetAction((parse, ct) => Run(stderr, async () =>
        {
            var (_, db, data) = t.Resolve(parse);
            if (parse.GetValue(noSchema) && parse.GetValue(noData)) throw new CliException("--no-schema and --no-data together would export nothing; drop one of them.");
            using var local = new LocalData(data);
            var sql = await D1Export.DumpAsync(local.D1.Database(db.LocalId), !parse.GetValue(noSchema), !parse.GetValue(noData),
                parse.GetValue(tables) ?? [], ct);
            var path = Path.GetFullPath(parse.GetValue(output)!);
            try { await File.WriteAllTextAsync(path, sql, new UTF8Encoding(false), ct); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { throw new CliException($"Cannot write {path}: {ex.Message}"); }
            stdout.WriteLine($"🌀 Exported local database {parse.GetValue(t.Database)} ({db.LocalId}) to {path}");
        }));
        return cmd;
    }

    private static Command MigrationsCreate(TextWriter stdout, TextWriter stderr)
    {
        var t = new Target();
        var message = new Argument<string>("message") { Description = "What the migration does; becomes its file name (spaces as underscores)." };
        var cmd = new Command("create", "Create a new, empty migration file numbered after the last one.");
        t.AddTo(cmd);
        cmd.Arguments.Add(message);
        cmd.SetAction((parse, ct) => Run(stderr, () =>
        {
            var (config, db, _) = t.Resolve(parse);
            var text = parse.GetValue(message)!;
            var name = text.Replace(' ', '_');
            if (name.IndexOfAny(['/', '\\']) >= 0)
                throw new CliException($"The migration name \"{text}\" contains a path separator (\"/\" or \"\\\"). Please remove this and try again.");
            var dir = MigrationsDirectory(config, db);
            Directory.CreateDirectory(dir);
            var next = MigrationFiles(dir).Select(LeadingNumber).Where(n => n is not null).Select(n => n!.Value).DefaultIfEmpty(0).Max() + 1;
            var number = next.ToString("D4", CultureInfo.InvariantCulture);
            var fileName = $"{number}_{name}.sql";
            var path = Path.Combine(dir, fileName);
            File.WriteAllText(path, $"-- Migration number: {number} \t {DateTime.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ}\n");
            stdout.WriteLine($"✅ Successfully created Migration '{fileName}'!");
            stdout.WriteLine();
            stdout.WriteLine("The migration is available for editing here");
            stdout.WriteLine(path);
            return Task.CompletedTask;
        }));
        return cmd;
    }

    private static Command MigrationsList(TextWriter stdout, TextWriter stderr)
    {
        var t = new Target();
        var cmd = new Command("list", "List the migrations not yet applied to the local database.");
        t.AddTo(cmd);
        cmd.SetAction((parse, ct) => Run(stderr, async () =>
        {
            var (config, db, data) = t.Resolve(parse);
            using var local = new LocalData(data);
            var pending = await PendingAsync(config, db, local.D1.Database(db.LocalId), ct);
            if (pending.Count == 0)
            {
                stdout.WriteLine("✅ No migrations to apply!");
                return;
            }
            stdout.WriteLine("Migrations to be applied:");
            stdout.Write(TextTable.Render(["Name"], pending.Select(p => new[] { p }).ToList()));
        }));
        return cmd;
    }

    private static Command MigrationsApply(TextWriter stdout, TextWriter stderr)
    {
        var t = new Target();
        var cmd = new Command("apply", "Apply pending migrations in order, each in its own transaction, stopping at the first failure.");
        t.AddTo(cmd);
        cmd.SetAction((parse, ct) => Run(stderr, async () =>
        {
            var (config, db, data) = t.Resolve(parse);
            using var local = new LocalData(data);
            var database = local.D1.Database(db.LocalId);
            var dir = MigrationsDirectory(config, db);
            var pending = await PendingAsync(config, db, database, ct);
            if (pending.Count == 0)
            {
                stdout.WriteLine("✅ No migrations to apply!");
                return;
            }
            stdout.WriteLine("Migrations to be applied:");
            stdout.Write(TextTable.Render(["Name"], pending.Select(p => new[] { p }).ToList()));
            var status = pending.ToDictionary(p => p, _ => "🕒️");
            var table = D1Export.Quote(db.MigrationsTable ?? DefaultMigrationsTable);
            foreach (var name in pending)
            {
                // The migration's statements and its bookkeeping row commit together or not at all.
                var statements = SqlSplitter.Split(ReadFile(Path.Combine(dir, name))).Select(p => new D1Query(p.Text, [])).ToList();
                statements.Add(new D1Query($"INSERT INTO {table} (name) VALUES (?)", [name]));
                string? error = null;
                try { await database.QueryAsync(statements, ct); }
                catch (D1Exception ex) { error = ex.Message; }
                status[name] = error is null ? "✅" : "❌";
                stdout.Write(TextTable.Render(["Name", "Status"], pending.Select(p => new[] { p, status[p] }).ToList()));
                if (error is not null)
                    throw new CliException($"Migration {name} failed with the following errors:\n{error}");
            }
        }));
        return cmd;
    }

    private static string MigrationsDirectory(WorkerConfig config, D1DatabaseBinding db)
    {
        if (db.MigrationsDir is not null) return db.MigrationsDir;
        var configDir = config.ConfigPath is not null ? Path.GetDirectoryName(config.ConfigPath)! : Directory.GetCurrentDirectory();
        return Path.Combine(configDir, "migrations");
    }

    private static IEnumerable<string> MigrationFiles(string dir) =>
        Directory.Exists(dir)
            ? Directory.EnumerateFiles(dir, "*.sql").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)
            : [];

    private static int? LeadingNumber(string fileName) =>
        int.TryParse(fileName.Split('_')[0], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;

    /// <summary>Migration files not yet recorded in the migrations table (created if missing), in order.</summary>
    private static async Task<List<string>> PendingAsync(WorkerConfig config, D1DatabaseBinding db, D1Database database, CancellationToken ct)
    {
        var dir = MigrationsDirectory(config, db);
        if (!Directory.Exists(dir)) throw new CliException($"No migrations present at {dir}. Create one with: flint d1 migrations create {db.DatabaseName} \"first migration\"");
        var table = D1Export.Quote(db.MigrationsTable ?? DefaultMigrationsTable);
        await database.QueryAsync([new D1Query(
            $"CREATE TABLE IF NOT EXISTS {table}(\n    id         INTEGER PRIMARY KEY AUTOINCREMENT,\n    name       TEXT UNIQUE,\n    applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL\n);", [])], ct);
        var applied = (await database.QueryAsync([new D1Query($"SELECT name FROM {table} ORDER BY id", [])], ct))[0]
            .Rows.Select(r => r[0] as string).ToHashSet(StringComparer.Ordinal);
        return MigrationFiles(dir).Where(f => !applied.Contains(f)).ToList();
    }

    private static JsonObject RowObject(IReadOnlyList<string> columns, object?[] row)
    {
        var o = new JsonObject();
        for (var i = 0; i < columns.Count; i++)
        {
            o[columns[i]] = row[i] switch
            {
                null => null,
                long l => JsonValue.Create(l),
                double d => JsonValue.Create(d),
                string s => JsonValue.Create(s),
                // As wrangler prints them: the bytes as "[1, 2, 3]".
                byte[] b => JsonValue.Create("[" + string.Join(", ", b) + "]"),
                var other => JsonValue.Create(other.ToString()),
            };
        }
        return o;
    }

    private static string Display(object? value) => value switch
    {
        null => "null",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture),
        byte[] b => "[" + string.Join(", ", b) + "]",
        var v => v.ToString() ?? "",
    };

    private static string ReadFile(string path)
    {
        try { return File.ReadAllText(path); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { throw new CliException($"Cannot read {path}: {ex.Message}"); }
    }

    private static Task<int> Run(TextWriter stderr, Func<Task> action) => KvCommands.Run(stderr, async () =>
    {
        try { await action(); }
        catch (D1Exception ex) { throw new CliException(ex.Message); }
    });
}

/// <summary>A box-drawn table as wrangler prints query results.</summary>
internal static class TextTable
{
    public static string Render(IReadOnlyList<string> headers, IReadOnlyList<string[]> rows)
    {
        var widths = headers.Select((h, i) => Math.Max(h.Length, rows.Select(r => r[i].Length).DefaultIfEmpty(0).Max())).ToArray();
        var sb = new StringBuilder();
        void Line(char left, char mid, char right) =>
            sb.Append(left).Append(string.Join(mid, widths.Select(w => new string('─', w + 2)))).Append(right).Append('\n');
        void Row(IReadOnlyList<string> cells) =>
            sb.Append("│ ").Append(string.Join(" │ ", cells.Select((c, i) => c.PadRight(widths[i])))).Append(" │\n");
        Line('┌', '┬', '┐');
        Row(headers);
        Line('├', '┼', '┤');
        foreach (var r in rows) Row(r);
        Line('└', '┴', '┘');
        return sb.ToString();
    }
}
