using System.CommandLine;
using System.Globalization;
using Flint.Engine.Config;
using Flint.Engine.DurableObjects;
using Flint.Engine.Storage;

namespace Flint.Cli;

/// <summary>
/// <c>flint do …</c> (also <c>flint durable-objects …</c>; wrangler has no local counterpart): the
/// Durable Object classes of a Worker and their objects in the data directory <c>flint dev</c>
/// uses for it (<c>.flint/do/</c> beside its config, or --persist-to).
/// </summary>
internal static class DurableObjectCommands
{
    public static Command Build(TextWriter stdout, TextWriter stderr)
    {
        var root = new Command("do", "List and delete Durable Objects in Flint's local data.");
        root.Aliases.Add("durable-objects");
        root.Subcommands.Add(List(stdout, stderr));
        root.Subcommands.Add(Delete(stdout, stderr));
        return root;
    }

    private sealed class Target
    {
        public readonly Option<string?> Config = new("--config", "-c") { Description = "The Worker's directory or wrangler config file (default: the current directory)." };
        public readonly Option<string?> Env = new("--env", "-e") { Description = "Use the [env.NAME] section of the config." };
        public readonly Option<string?> PersistTo = new("--persist-to") { Description = "Flint's data directory (default: .flint beside the config), as for flint dev." };

        public void AddTo(Command c)
        {
            c.Options.Add(Config);
            c.Options.Add(Env);
            c.Options.Add(PersistTo);
        }

        public (WorkerConfig Config, string Data) Load(ParseResult parse)
        {
            var target = Path.GetFullPath(parse.GetValue(Config) ?? ".");
            var config = ConfigLoader.Load(new ConfigLoadOptions { Target = target, Environment = parse.GetValue(Env) }).Config;
            return (config, parse.GetValue(PersistTo) is { } persist ? Path.GetFullPath(persist) : config.PersistDirectory);
        }
    }

    /// <summary>The class named <paramref name="name"/> (or bound under that name) of the config's Worker.</summary>
    private static DurableObjectClass Class(LocalData data, WorkerConfig config, string name)
    {
        var classes = data.DurableObjects.Classes.Classes(config.Name);
        var className = config.Bindings.DurableObjects.FirstOrDefault(b => b.Name == name && (b.ScriptName is null || b.ScriptName == config.Name))?.ClassName ?? name;
        return classes.FirstOrDefault(c => c.ClassName == className) ?? throw new CliException(classes.Count == 0
            ? $"Worker \"{config.Name}\" has no Durable Object classes in {data.DurableObjects.Root} yet: they are made when flint dev first applies its migrations."
            : $"Worker \"{config.Name}\" has no Durable Object class or binding \"{name}\". Its classes: {string.Join(", ", classes.Select(c => c.ClassName))}.");
    }

    private static Command List(TextWriter stdout, TextWriter stderr)
    {
        var t = new Target();
        var className = new Argument<string?>("class") { Description = "A class (or its binding's name): list its objects. Without it, list the Worker's classes.", Arity = ArgumentArity.ZeroOrOne };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table." };
        var cmd = new Command("list", "List a Worker's Durable Object classes, or the objects of one class.") { className, json };
        t.AddTo(cmd);
        cmd.SetAction((parse, ct) => KvCommands.Run(stderr, () =>
        {
            var (config, dir) = t.Load(parse);
            using var data = new LocalData(dir);
            if (parse.GetValue(className) is not { } name)
            {
                var classes = data.DurableObjects.Classes.Classes(config.Name);
                var rows = classes.Select(c => new[]
                {
                    c.ClassName, c.Sqlite ? "sqlite" : "key-value", Objects(data, c).Count.ToString(CultureInfo.InvariantCulture), Path.Combine(data.DurableObjects.Root, c.Namespace),
                }).ToList();
                if (parse.GetValue(json))
                    stdout.WriteLine(System.Text.Json.JsonSerializer.Serialize(classes.Select((c, i) => new { @class = c.ClassName, storage = rows[i][1], objects = int.Parse(rows[i][2], CultureInfo.InvariantCulture), directory = rows[i][3] })));
                else if (rows.Count == 0) stdout.WriteLine($"Worker \"{config.Name}\" has no Durable Object classes in {data.DurableObjects.Root}.");
                else stdout.Write(TextTable.Render(["class", "storage", "objects", "directory"], rows));
                return Task.CompletedTask;
            }
            var cls = Class(data, config, name);
            var objects = Objects(data, cls);
            if (parse.GetValue(json))
            {
                stdout.WriteLine(System.Text.Json.JsonSerializer.Serialize(objects.Select(o => new
                {
                    id = o.Id, name = o.Name, size = o.SizeBytes, created = o.Created?.ToString("O", CultureInfo.InvariantCulture), alarm = o.Alarm?.ToString("O", CultureInfo.InvariantCulture),
                })));
            }
            else if (objects.Count == 0) stdout.WriteLine($"Class {cls.ClassName} has no objects.");
            else
            {
                stdout.Write(TextTable.Render(["id", "name", "size", "alarm"], objects.Select(o => new[]
                {
                    o.Id, o.Name ?? "", Size(o.SizeBytes), o.Alarm?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) ?? "",
                }).ToList()));
            }
            return Task.CompletedTask;
        }));
        return cmd;
    }

    private static Command Delete(TextWriter stdout, TextWriter stderr)
    {
        var t = new Target();
        var className = new Argument<string>("class") { Description = "The class (or its binding's name) whose objects to delete." };
        var id = new Option<string[]>("--id") { Description = "An object's id (64 hex digits); repeatable.", AllowMultipleArgumentsPerToken = false };
        var name = new Option<string[]>("--name") { Description = "The name an object's id was made from (idFromName); repeatable.", AllowMultipleArgumentsPerToken = false };
        var all = new Option<bool>("--all") { Description = "Delete every object of the class." };
        var cmd = new Command("delete", "Delete Durable Objects and all their storage (flint dev must not be running on the same data).") { className, id, name, all };
        t.AddTo(cmd);
        cmd.SetAction((parse, ct) => KvCommands.Run(stderr, () =>
        {
            var (config, dir) = t.Load(parse);
            using var data = new LocalData(dir);
            var cls = Class(data, config, parse.GetValue(className)!);
            var ids = new DurableObjectIds(cls.Namespace);
            var targets = new List<string>();
            foreach (var hex in parse.GetValue(id) ?? [])
            {
                if (!DurableObjectIds.IsWellFormed(hex)) throw new CliException($"\"{hex}\" is not a Durable Object id: ids are 64 hex digits.");
                if (!ids.IsValid(hex)) throw new CliException($"{hex} is not an id of class {cls.ClassName}.");
                targets.Add(hex.ToLowerInvariant());
            }
            foreach (var n in parse.GetValue(name) ?? []) targets.Add(ids.FromName(n));
            var everything = parse.GetValue(all);
            if (targets.Count == 0 && !everything) throw new CliException("Say which objects to delete: --id ID, --name NAME (repeatable) or --all.");
            var directory = Path.Combine(data.DurableObjects.Root, cls.Namespace);
            // Counted from the files: opening the namespace here would hold its lock against the deletion.
            var count = everything
                ? (Directory.Exists(directory) ? Directory.EnumerateFiles(directory, "*.sqlite").Count(f => DurableObjectIds.IsWellFormed(Path.GetFileNameWithoutExtension(f))) : 0)
                : targets.Distinct().Count(t => File.Exists(Path.Combine(directory, t + ".sqlite")));
            if (!DurableObjectNamespaceStore.TryDeleteAlone(directory, everything ? null : targets))
                throw new CliException($"Another Flint process (flint dev?) has class {cls.ClassName}'s objects open in {dir}: stop it, then delete.");
            stdout.WriteLine($"Deleted {count} object{(count == 1 ? "" : "s")} of class {cls.ClassName}.");
            return Task.CompletedTask;
        }));
        return cmd;
    }

    private static IReadOnlyList<DurableObjectInfo> Objects(LocalData data, DurableObjectClass cls) =>
        Directory.Exists(Path.Combine(data.DurableObjects.Root, cls.Namespace)) ? data.DurableObjects.Namespace(cls.Namespace).List() : [];

    private static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{bytes / 1024.0:F1} kB",
        _ => $"{bytes / 1024.0 / 1024.0:F1} MB",
    };
}
