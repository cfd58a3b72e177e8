using System.Text.Json.Nodes;
using Flint.Engine.Config;
using Flint.Engine.Storage;
using Flint.Runtime.Build;
using Flint.Runtime.Services;
using Flint.JavaScript.Isolates;
using Flint.JavaScript.Modules;
using Microsoft.Extensions.Logging;

namespace Flint.Runtime.Workers;

/// <summary>One loaded version of a Worker: its config, its files as read, and its isolates.</summary>
public sealed class WorkerVersion : IDisposable
{
    private WorkerVersion(WorkerConfig config, ModuleSource modules, IsolatePool pool, IReadOnlyList<string> bundledSources)
    {
        BundledSources = bundledSources;
        Config = config;
        Modules = modules;
        Pool = pool;
    }

    public WorkerConfig Config { get; }
    public ModuleSource Modules { get; }
    public IsolatePool Pool { get; }
    /// <summary>For a bundled Worker, the source files the bundle was built from (the dev watcher reloads when one changes).</summary>
    public IReadOnlyList<string> BundledSources { get; }

    /// <summary>
    /// Bundles the Worker when esbuild is there (as wrangler does), then loads it into its first
    /// isolate. Throws <see cref="WorkerLoadException"/> or <see cref="ConfigException"/>.
    /// </summary>
    /// <param name="isolates">Isolates of this version: 1 shares module state between all its events, as wrangler dev does; 0 means one per core.</param>
    /// <param name="outbound">Which addresses its fetch() and WebSockets may reach (any, as in wrangler dev, unless given).</param>
    /// <param name="registry">Where its service bindings find the Workers they name, at each call.</param>
    public static async Task<WorkerVersion> LoadAsync(WorkerConfig config, ILoggerFactory loggers, LocalData data, int isolates = 1,
        Flint.JavaScript.Web.Network.OutboundPolicy? outbound = null, WorkerRegistry? registry = null)
    {
        var log = loggers.CreateLogger($"worker:{config.Name}");
        if (config.Assets is { HasUserWorker: false }) Flint.Engine.Assets.AssetsOnlyWorker.Write(config.Main);
        ModuleSource modules;
        IReadOnlyList<string> sources = [];
        if (EsbuildBundler.EsbuildFor(config) is { } esbuild)
        {
            var bundle = await EsbuildBundler.BundleAsync(config, esbuild).ConfigureAwait(false);
            modules = new ModuleSource(config.BaseDirectory, bundle.MainPath, config.Rules, bundle.ImportDirectory, [config.PersistDirectory]);
            sources = bundle.Inputs;
        }
        else
        {
            modules = new ModuleSource(config.BaseDirectory, config.Main, config.Rules, excludedDirectories: [config.PersistDirectory]);
        }
        IReadOnlyList<Flint.JavaScript.Bindings.HostBinding> durableObjects = [];
        if (config.Bindings.DurableObjects.Count > 0 || config.Bindings.Migrations.Count > 0)
        {
            registry ??= new WorkerRegistry();
            durableObjects = await DurableObjects.DurableObjectBindings.CreateAsync(config, registry.EnsureDurableObjects(data, loggers)).ConfigureAwait(false);
        }
        var env = new JsonObject();
        foreach (var (name, value) in config.Vars) env[name] = value?.DeepClone();
        var options = new IsolateOptions
        {
            WorkerName = config.Name,
            Modules = modules,
            EnvJson = env.ToJsonString(),
            DefaultCfJson = LocalCf.Json,
            CpuLimit = TimeSpan.FromMilliseconds(config.Limits.CpuMs ?? 30_000),
            SubrequestLimit = config.Limits.Subrequests ?? 1000,
            Compatibility = config.Compatibility,
            Bindings = [.. WorkerBindings.Create(config, data, loggers.CreateLogger("flint")), .. ServiceBindings.Create(config, registry, loggers.CreateLogger("flint")), .. durableObjects, .. Queues.QueueBindings.Create(config, data)],
            Outbound = outbound ?? Flint.JavaScript.Web.Network.OutboundPolicy.AllowAll,
            // Subrequests go through the same cache as caches.default, as on Cloudflare (see SubrequestCache).
            SubrequestCache = data.Cache,
        };
        // Creating the first isolate is synchronous CPU work (V8): keep it off the caller's thread.
        var pool = await Task.Run(() => new IsolatePool(options, log, isolates)).ConfigureAwait(false);
        return new WorkerVersion(config, modules, pool, sources);
    }

    public void Dispose() => Pool.Dispose();
}
