using Flint.Engine.Config;
using Flint.Engine.Storage;
using Flint.JavaScript.Bindings;
using Flint.JavaScript.Bindings.Assets;
using Flint.JavaScript.Bindings.Cache;
using Flint.JavaScript.Bindings.D1;
using Flint.JavaScript.Bindings.Kv;
using Flint.JavaScript.Bindings.R2;
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
        foreach (var r2 in config.Bindings.R2Buckets)
        {
            // Locally a bucket is its bucket_name, as in wrangler dev; the S3 API serves the same store.
            bindings.Add(new R2Binding(r2.Binding, data.R2.Bucket(r2.BucketName)));
        }
        // The Cache API (caches.default, caches.open) is served to every Worker, as in wrangler dev.
        bindings.Add(new CacheBinding(data.Cache));
        if (AssetsBinding.For(config, data) is { } assets) bindings.Add(assets);
        foreach (var hyperdrive in config.Bindings.Hyperdrive)
        {
            bindings.Add(new Flint.JavaScript.Bindings.Hyperdrive.HyperdriveBinding(hyperdrive.Binding, hyperdrive.Origin));
        }
        return bindings;
    }
}
