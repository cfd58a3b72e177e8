using Flint.Engine.Config;
using Flint.Engine.DurableObjects;
using Flint.JavaScript.Bindings;
using Flint.JavaScript.Bindings.DurableObjects;

namespace Flint.Runtime.DurableObjects;

/// <summary>
/// The <c>durable_objects</c> and <c>migrations</c> sections of a config: the Worker's migrations
/// are applied (once each, in order) when it loads, and each binding becomes a namespace in env.
/// A binding to a class of this Worker that no migration created is refused with Cloudflare's error.
/// </summary>
internal static class DurableObjectBindings
{
    public static async Task<IReadOnlyList<HostBinding>> CreateAsync(WorkerConfig config, DurableObjectDirectory directory)
    {
        var classes = await directory.ApplyMigrationsAsync(config).ConfigureAwait(false);
        var bindings = new List<HostBinding>();
        foreach (var b in config.Bindings.DurableObjects)
        {
            var script = b.ScriptName ?? config.Name;
            if (script == config.Name && !classes.Any(c => c.ClassName == b.ClassName)) throw new ConfigException(MissingMigration(config, b, classes));
            bindings.Add(new DurableObjectNamespaceBinding(b.Name, script, b.ClassName, directory));
        }
        return bindings;
    }

    private static string MissingMigration(WorkerConfig config, DurableObjectBinding binding, IReadOnlyList<DurableObjectClass> classes)
    {
        var file = Path.GetFileName(config.ConfigPath ?? "wrangler.toml");
        var toml = !file.EndsWith(".json", StringComparison.Ordinal) && !file.EndsWith(".jsonc", StringComparison.Ordinal);
        var tag = $"v{config.Bindings.Migrations.Count + 1}";
        var snippet = toml
            ? $"[[migrations]]\ntag = \"{tag}\"\nnew_sqlite_classes = [\"{binding.ClassName}\"]"
            : $"\"migrations\": [{{ \"tag\": \"{tag}\", \"new_sqlite_classes\": [\"{binding.ClassName}\"] }}]";
        return $"Cannot create binding for class '{binding.ClassName}' because it is not currently configured to implement Durable Objects. " +
               $"Ensure a --new-class migration has been applied to it. In {file}, durable_objects binding \"{binding.Name}\" names class {binding.ClassName}, " +
               $"which no migration created{(classes.Count > 0 ? $" (this Worker's classes: {string.Join(", ", classes.Select(c => c.ClassName))})" : "")}. Add:\n\n{snippet}";
    }
}
