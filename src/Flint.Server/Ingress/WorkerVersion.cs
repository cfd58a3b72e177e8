using System.Text.Json.Nodes;
using Flint.Engine.Config;
using Flint.Engine.Storage;
using Flint.JavaScript.Isolates;
using Flint.JavaScript.Modules;
using Microsoft.Extensions.Logging;

namespace Flint.Server.Ingress;

/// <summary>One loaded version of a Worker: its config, its files as read, and its isolates.</summary>
public sealed class WorkerVersion : IDisposable
{
    private WorkerVersion(WorkerConfig config, ModuleSource modules, IsolatePool pool)
    {
        Config = config;
        Modules = modules;
        Pool = pool;
    }

    public WorkerConfig Config { get; }
    public ModuleSource Modules { get; }
    public IsolatePool Pool { get; }

    /// <summary>Loads the Worker into its first isolate. Throws <see cref="WorkerLoadException"/>.</summary>
    public static WorkerVersion Load(WorkerConfig config, ILoggerFactory loggers, LocalData data, int isolates = 0)
    {
        var log = loggers.CreateLogger($"worker:{config.Name}");
        var modules = new ModuleSource(config.BaseDirectory, config.Main, config.Rules);
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
            Bindings = WorkerBindings.Create(config, data, loggers.CreateLogger("flint")),
        };
        var pool = new IsolatePool(options, log, isolates);
        return new WorkerVersion(config, modules, pool);
    }

    public void Dispose() => Pool.Dispose();
}
