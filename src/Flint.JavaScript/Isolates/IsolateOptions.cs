using Flint.JavaScript.Modules;

namespace Flint.JavaScript.Isolates;

/// <summary>Options shared by the isolates of one Worker version.</summary>
public sealed record IsolateOptions
{
    public required string WorkerName { get; init; }
    public required ModuleSource Modules { get; init; }
    /// <summary>env as a JSON object: vars and secrets (bindings join later).</summary>
    public string EnvJson { get; init; } = "{}";
    /// <summary>Bindings the host serves (KV, D1, …), added to env under their names.</summary>
    public IReadOnlyList<Bindings.HostBinding> Bindings { get; init; } = [];
    /// <summary>The request.cf object given to requests that bring none.</summary>
    public string? DefaultCfJson { get; init; }
    /// <summary>CPU time one event may use before it is stopped (and its isolate replaced).</summary>
    public TimeSpan CpuLimit { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Subrequests (fetch calls) one event may make.</summary>
    public int SubrequestLimit { get; init; } = 1000;
    /// <summary>V8 heap size at which the isolate is stopped and replaced.</summary>
    public ulong MaxHeapBytes { get; init; } = 128UL * 1024 * 1024;
    /// <summary>Which addresses fetch() and outbound WebSockets may reach.</summary>
    public Web.Network.OutboundPolicy Outbound { get; init; } = Web.Network.OutboundPolicy.AllowAll;
    /// <summary>The cache fetch() subrequests go through (the Worker's Cache API store); null: none, every subrequest asks the origin.</summary>
    public Engine.Cache.CacheStore? SubrequestCache { get; init; }
    /// <summary>The behaviours the Worker's compatibility date and flags give; the built-ins ask with compatEnabled("flag").</summary>
    public Engine.Compatibility.CompatibilitySettings Compatibility { get; init; } = Engine.Compatibility.CompatibilitySettings.Default;
}

/// <summary>The Worker failed to load: a syntax error, a missing module, an exception at startup.</summary>
public sealed class WorkerLoadException(string message) : Exception(message);
