using System.CommandLine;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Flint.Engine.Config;
using Flint.Engine.Kv;
using Flint.Engine.Storage;

namespace Flint.Cli;

/// <summary>
/// <c>flint kv …</c>, shaped like <c>wrangler kv … --local</c>: acts on the data directory
/// <c>flint dev</c> uses for the same Worker (<c>.flint/</c> beside its config, or --persist-to).
/// </summary>
internal static class KvCommands
{
    public static Command Build(TextWriter stdout, TextWriter stderr)
    {
        var kv = new Command("kv", "Manage Workers KV namespaces in Flint's local data.");
        var key = new Command("key", "Put, get, list and delete single keys.");
        key.Subcommands.Add(Put(stdout, stderr));
        key.Subcommands.Add(Get(stdout, stderr));
        key.Subcommands.Add(List(stdout, stderr));
        key.Subcommands.Add(Delete(stdout, stderr));
        var bulk = new Command("bulk", "Put or delete many keys from a JSON file.");
        bulk.Subcommands.Add(BulkPut(stdout, stderr));
        bulk.Subcommands.Add(BulkDelete(stdout, stderr));
        var ns = new Command("namespace", "Namespaces.");
        ns.Subcommands.Add(NamespaceList(stdout, stderr));
        kv.Subcommands.Add(key);
        kv.Subcommands.Add(bulk);
        kv.Subcommands.Add(ns);
        return kv;
    }

    /// <summary>The options every command takes to find the namespace and the data directory.</summary>
    private sealed class Target
    {
        public readonly Option<string?> Binding = new("--binding") { Description = "The binding name of the namespace in the Worker's config." };
        public readonly Option<string?> NamespaceId = new("--namespace-id") { Description = "The namespace id (instead of --binding)." };
        public readonly Option<string?> Config = new("--config", "-c") { Description = "The Worker's directory or wrangler config file (default: the current directory)." };
        public readonly Option<string?> Env = new("--env", "-e") { Description = "Use the [env.NAME] section of the config." };
        public readonly Option<string?> PersistTo = new("--persist-to") { Description = "Flint's data directory (default: .flint beside the config), as for flint dev." };

        public void AddTo(Command c, bool withNamespace = true)
        {
            if (withNamespace) { c.Options.Add(Binding); c.Options.Add(NamespaceId); }
            c.Options.Add(Config);
            c.Options.Add(Env);
            c.Options.Add(PersistTo);
        }

        /// <summary>The data directory and, when asked, the namespace id; throws <see cref="CliException"/> with the fix.</summary>
        public (string DataDirectory, string? NamespaceId) Resolve(ParseResult parse, bool needNamespace = true)
        {
            var binding = parse.GetValue(Binding);
            var id = parse.GetValue(NamespaceId);
            var persist = parse.GetValue(PersistTo);
            if (needNamespace && binding is not null && id is not null)
                throw new CliException("Pass either --binding or --namespace-id, not both.");
            if (needNamespace && binding is null && id is null)
                throw new CliException("Name the namespace: --binding NAME (as in the Worker's kv_namespaces) or --namespace-id ID.");
            WorkerConfig? config = null;
            if (binding is not null || persist is null)
            {
                var target = Path.GetFullPath(parse.GetValue(Config) ?? ".");
                config = ConfigLoader.Load(new ConfigLoadOptions { Target = target, Environment = parse.GetValue(Env), PersistTo = persist }).Config;
            }
            if (binding is not null)
            {
                var match = config!.Bindings.KvNamespaces.FirstOrDefault(k => k.Binding == binding)
                    ?? throw new CliException($"No KV namespace with binding \"{binding}\" in {config.ConfigPath ?? config.Main}. " +
                        $"Its kv_namespaces bind: {string.Join(", ", config.Bindings.KvNamespaces.Select(k => k.Binding).DefaultIfEmpty("(none)"))}.");
                id = match.Id;
            }
            return (persist is not null ? Path.GetFullPath(persist) : config!.PersistDirectory, id);
        }
    }

    private static Command Put(TextWriter stdout, TextWriter stderr)
    {
        var t = new Target();
        var keyArg = new Argument<string>("key") { Description = "The key to write." };
        var valueArg = new Argument<string?>("value") { Description = "The value (or use --path).", Arity = ArgumentArity.ZeroOrOne };
        var path = new Option<string?>("--path") { Description = "Read the value from this file." };
        var ttl = new Option<long?>("--ttl") { Description = "Seconds until the key expires (at least 60)." };
        var expiration = new Option<long?>("--expiration") { Description = "When the key expires, in seconds since the Unix epoch." };
        var metadata = new Option<string?>("--metadata") { Description = "Metadata as JSON (at most 1024 bytes)." };
        var cmd = new Command("put", "Write a single key.") { keyArg, valueArg, path, ttl, expiration, metadata };
        t.AddTo(cmd);
        cmd.SetAction((parse, ct) => Run(stderr, async () =>
        {
            var (data, id) = t.Resolve(parse);
            var key = parse.GetValue(keyArg)!;
            var value = parse.GetValue(valueArg);
            var file = parse.GetValue(path);
            if ((value is null) == (file is null)) throw new CliException("Give the value either as an argument or with --path FILE (exactly one of them).");
            var meta = parse.GetValue(metadata);
            if (meta is not null) meta = CanonicalJson(meta, "--metadata");
            var options = new KvPutOptions { ExpirationTtl = parse.GetValue(ttl), Expiration = parse.GetValue(expiration), MetadataJson = meta };
            using var local = new LocalData(data);
            var store = local.Kv.Namespace(id!);
            if (file is not null)
            {
                await using var stream = OpenFile(file);
                await store.PutAsync(key, stream, options, ct);
                stdout.WriteLine($"Writing the contents of {file} to the key \"{key}\" on namespace {id}.");
            }
            else
            {
                await store.PutAsync(key, Encoding.UTF8.GetBytes(value!), options, ct);
                stdout.WriteLine($"Writing the value \"{value}\" to key \"{key}\" on namespace {id}.");
            }
        }));
        return cmd;
    }

    private static Command Get(TextWriter stdout, TextWriter stderr)
    {
        var t = new Target();
        var keyArg = new Argument<string>("key") { Description = "The key to read." };
        var text = new Option<bool>("--text") { Description = "Decode the value as UTF-8 text (default: write its bytes as they are)." };
        var cmd = new Command("get", "Read a single key's value.") { keyArg, text };
        t.AddTo(cmd);
        cmd.SetAction((parse, ct) => Run(stderr, async () =>
        {
            var (data, id) = t.Resolve(parse);
            using var local = new LocalData(data);
            using var value = local.Kv.Namespace(id!).Get(parse.GetValue(keyArg)!);
            if (value is null)
            {
                stdout.WriteLine("Value not found");
                return;
            }
            var bytes = await value.ReadAllAsync(ct);
            var toConsole = ReferenceEquals(stdout, Console.Out);
            if (parse.GetValue(text) || !toConsole)
            {
                stdout.WriteLine(Encoding.UTF8.GetString(bytes));
                return;
            }
            // Without --text the bytes go out as they are (binary values survive a pipe), as with wrangler.
            stdout.Flush();
            await using var raw = Console.OpenStandardOutput();
            await raw.WriteAsync(bytes, ct);
        }));
        return cmd;
    }

    private static Command List(TextWriter stdout, TextWriter stderr)
    {
        var t = new Target();
        var prefix = new Option<string?>("--prefix") { Description = "Only keys starting with this prefix." };
        var cmd = new Command("list", "List keys as JSON (every page).") { prefix };
        t.AddTo(cmd);
        cmd.SetAction((parse, ct) => Run(stderr, () =>
        {
            var (data, id) = t.Resolve(parse);
            using var local = new LocalData(data);
            var store = local.Kv.Namespace(id!);
            var keys = new JsonArray();
            string? cursor = null;
            do
            {
                var page = store.List(parse.GetValue(prefix), null, cursor);
                foreach (var k in page.Keys)
                {
                    var o = new JsonObject { ["name"] = k.Name };
                    if (k.Expiration is { } e) o["expiration"] = e;
                    if (k.MetadataJson is { } m) o["metadata"] = JsonNode.Parse(m);
                    keys.Add(o);
                }
                cursor = page.Cursor;
            } while (cursor is not null);
            stdout.WriteLine(keys.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return Task.CompletedTask;
        }));
        return cmd;
    }

    private static Command Delete(TextWriter stdout, TextWriter stderr)
    {
        var t = new Target();
        var keyArg = new Argument<string>("key") { Description = "The key to delete." };
        var cmd = new Command("delete", "Delete a single key.") { keyArg };
        t.AddTo(cmd);
        cmd.SetAction((parse, ct) => Run(stderr, async () =>
        {
            var (data, id) = t.Resolve(parse);
            using var local = new LocalData(data);
            var key = parse.GetValue(keyArg)!;
            await local.Kv.Namespace(id!).DeleteAsync(key, ct);
            stdout.WriteLine($"Deleting the key \"{key}\" on namespace {id}.");
        }));
        return cmd;
    }

    private static Command BulkPut(TextWriter stdout, TextWriter stderr)
    {
        var t = new Target();
        var fileArg = new Argument<string>("filename") { Description = "A JSON array of {key, value, expiration?, expiration_ttl?, metadata?, base64?}." };
        var cmd = new Command("put", "Write many keys from a JSON file.") { fileArg };
        t.AddTo(cmd);
        cmd.SetAction((parse, ct) => Run(stderr, async () =>
        {
            var (data, id) = t.Resolve(parse);
            var file = parse.GetValue(fileArg)!;
            var entries = ReadJsonArray(file);
            // Validate the whole file first, so a bad entry writes nothing.
            var puts = new List<(string Key, byte[] Value, KvPutOptions Options)>();
            for (var i = 0; i < entries.Count; i++)
            {
                if (entries[i] is not JsonObject o || o["key"]?.GetValueKind() != JsonValueKind.String || o["value"]?.GetValueKind() != JsonValueKind.String)
                    throw new CliException($"{file}: entry {i} must be an object with string \"key\" and \"value\" (and optional expiration, expiration_ttl, metadata, base64).");
                var value = o["value"]!.GetValue<string>();
                byte[] bytes;
                if (o["base64"]?.GetValueKind() == JsonValueKind.True)
                {
                    try { bytes = Convert.FromBase64String(value); }
                    catch (FormatException) { throw new CliException($"{file}: entry {i} (\"{o["key"]}\") has base64: true but its value is not valid base64."); }
                }
                else bytes = Encoding.UTF8.GetBytes(value);
                puts.Add((o["key"]!.GetValue<string>(), bytes, new KvPutOptions
                {
                    Expiration = o["expiration"]?.GetValue<long>(),
                    ExpirationTtl = o["expiration_ttl"]?.GetValue<long>(),
                    MetadataJson = o["metadata"]?.ToJsonString(),
                }));
            }
            using var local = new LocalData(data);
            var store = local.Kv.Namespace(id!);
            foreach (var (key, value, options) in puts) await store.PutAsync(key, value, options, ct);
            stdout.WriteLine($"Success! Wrote {puts.Count} key{(puts.Count == 1 ? "" : "s")} to namespace {id}.");
        }));
        return cmd;
    }

    private static Command BulkDelete(TextWriter stdout, TextWriter stderr)
    {
        var t = new Target();
        var fileArg = new Argument<string>("filename") { Description = "A JSON array of key names (or of objects with a \"key\")." };
        var cmd = new Command("delete", "Delete many keys listed in a JSON file.") { fileArg };
        t.AddTo(cmd);
        cmd.SetAction((parse, ct) => Run(stderr, async () =>
        {
            var (data, id) = t.Resolve(parse);
            var file = parse.GetValue(fileArg)!;
            var keys = ReadJsonArray(file).Select((n, i) => n switch
            {
                JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
                JsonObject o when o["key"]?.GetValueKind() == JsonValueKind.String => o["key"]!.GetValue<string>(),
                _ => throw new CliException($"{file}: entry {i} must be a key name or an object with a string \"key\"."),
            }).ToList();
            using var local = new LocalData(data);
            var store = local.Kv.Namespace(id!);
            foreach (var key in keys) await store.DeleteAsync(key, ct);
            stdout.WriteLine($"Success! Deleted {keys.Count} key{(keys.Count == 1 ? "" : "s")} from namespace {id}.");
        }));
        return cmd;
    }

    private static Command NamespaceList(TextWriter stdout, TextWriter stderr)
    {
        var t = new Target();
        var cmd = new Command("list", "List the namespaces: those the config binds and those with local data.");
        t.AddTo(cmd, withNamespace: false);
        cmd.SetAction((parse, ct) => Run(stderr, () =>
        {
            var persist = parse.GetValue(t.PersistTo);
            WorkerConfig? config = null;
            try
            {
                config = ConfigLoader.Load(new ConfigLoadOptions
                {
                    Target = Path.GetFullPath(parse.GetValue(t.Config) ?? "."),
                    Environment = parse.GetValue(t.Env),
                    PersistTo = persist,
                }).Config;
            }
            catch (ConfigException) when (persist is not null) { } // a data directory alone is enough
            var data = persist is not null ? Path.GetFullPath(persist) : config!.PersistDirectory;
            using var local = new LocalData(data);
            var result = new JsonArray();
            var bound = config?.Bindings.KvNamespaces ?? [];
            foreach (var id in bound.Select(b => b.Id).Concat(local.Kv.NamespaceIds()).Distinct())
            {
                var binding = bound.FirstOrDefault(b => b.Id == id)?.Binding;
                result.Add(new JsonObject { ["id"] = id, ["title"] = binding ?? id, ["binding"] = binding });
            }
            stdout.WriteLine(result.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            return Task.CompletedTask;
        }));
        return cmd;
    }

    private static string CanonicalJson(string json, string what)
    {
        try { return JsonNode.Parse(json)?.ToJsonString() ?? "null"; }
        catch (JsonException ex) { throw new CliException($"{what} is not valid JSON: {ex.Message}"); }
    }

    private static JsonArray ReadJsonArray(string file)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(file)) as JsonArray ?? throw new CliException($"{file} must hold a JSON array.");
        }
        catch (JsonException ex) { throw new CliException($"{file} is not valid JSON: {ex.Message}"); }
        catch (IOException ex) { throw new CliException($"Cannot read {file}: {ex.Message}"); }
    }

    private static FileStream OpenFile(string file)
    {
        try { return File.OpenRead(file); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { throw new CliException($"Cannot read {file}: {ex.Message}"); }
    }

    /// <summary>Runs a command, turning expected failures into one "✘ [ERROR]" line and exit code 1.</summary>
    internal static async Task<int> Run(TextWriter stderr, Func<Task> action)
    {
        try
        {
            await action();
            return 0;
        }
        catch (Exception ex) when (ex is CliException or ConfigException)
        {
            stderr.WriteLine($"✘ [ERROR] {ex.Message}");
            return 1;
        }
        catch (KvException ex)
        {
            stderr.WriteLine($"✘ [ERROR] {ex.Message}");
            return 1;
        }
    }
}

/// <summary>A command-line mistake: the message says what was wrong and how to fix it.</summary>
internal sealed class CliException(string message) : Exception(message);
