using Flint.Engine.Config;
using Flint.Engine.Storage;
using Flint.JavaScript.Bindings;
using Flint.JavaScript.Bindings.D1;
using Flint.JavaScript.Bindings.Kv;
using Microsoft.Extensions.Logging;

namespace Flint.Runtime.Workers;

/// <summary>Turns a config's binding sections into the host bindings a version's env holds.</summary>
internal static class WorkerBindings
{
    public static IReadOnlyList<HostBinding> Create(WorkerConfig config, LocalData data, ILogger log)
    {
        var bindings = new List<HostBinding>();
        foreach (var kv in config.Bindings.KvNamespaces)
        {
            // Locally a namespace is its id, as in wrangler dev (the binding name when the config gives no id).
            bindings.Add(new KvBinding(kv.Binding, data.Kv.Namespace(kv.Id)));
        }
        foreach (var d1 in config.Bindings.D1Databases)
        {
            bindings.Add(new D1Binding(d1.Binding, data.D1.Database(d1.LocalId)));
        }
        WarnUnsupported(config, log);
        return bindings;
    }

    /// <summary>Bindings the config declares that Flint does not serve yet: say so once, by name, rather than leave a silent undefined.</summary>
    private static void WarnUnsupported(WorkerConfig config, ILogger log)
    {
        var b = config.Bindings;
        void Warn(string section, IEnumerable<string> names)
        {
            var list = names.ToList();
            if (list.Count > 0)
                log.LogWarning("{Section} are not supported by Flint yet: env.{Names} will be undefined.", section, string.Join(", env.", list));
        }
        Warn("r2_buckets", b.R2Buckets.Select(x => x.Binding));
        Warn("durable_objects bindings", b.DurableObjects.Select(x => x.Name));
        if (config.Assets is not null) log.LogWarning("assets are not supported by Flint yet: static files will not be served.");
    }
}
