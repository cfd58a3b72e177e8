using System.Text.Json.Nodes;

namespace Flint.Engine.Config;

/// <summary>
/// A Worker's configuration after loading and validating wrangler.toml / wrangler.json(c),
/// applying the selected <c>[env.NAME]</c>, command-line overrides and <c>.dev.vars</c>.
/// Paths are absolute.
/// </summary>
public sealed record WorkerConfig
{
    /// <summary>The config file it came from, or null for a bare script (<c>flint dev worker.js</c>).</summary>
    public string? ConfigPath { get; init; }
    /// <summary>The directory relative paths in the config are resolved against.</summary>
    public required string BaseDirectory { get; init; }
    public required string Name { get; init; }
    /// <summary>Absolute path of the entry module.</summary>
    public required string Main { get; init; }
    public string? CompatibilityDate { get; init; }
    public IReadOnlyList<string> CompatibilityFlags { get; init; } = [];
    /// <summary>Plain-text vars and secrets as strings, JSON vars as parsed JSON.</summary>
    public IReadOnlyDictionary<string, JsonNode?> Vars { get; init; } = new Dictionary<string, JsonNode?>();
    /// <summary>Module rules: the user's first, then wrangler's defaults (unless fallthrough is false).</summary>
    public IReadOnlyList<ModuleRule> Rules { get; init; } = ModuleRule.Defaults;
    /// <summary>True for a service-worker style script (no ES module exports).</summary>
    public bool? NoBundleServiceWorker { get; init; }
    public WorkerLimits Limits { get; init; } = new();
    public WorkerBindings Bindings { get; init; } = new();
    public IReadOnlyList<string> CronTriggers { get; init; } = [];
    public AssetsConfig? Assets { get; init; }
    /// <summary>Directory Flint keeps its state in (<c>.flint/</c> beside the config unless --persist-to).</summary>
    public required string PersistDirectory { get; init; }
}

public sealed record WorkerLimits
{
    /// <summary>CPU milliseconds one event may use; null means Flint's default.</summary>
    public int? CpuMs { get; init; }
}

/// <summary>wrangler's module types.</summary>
public enum ModuleType { ESModule, CommonJS, Text, Data, CompiledWasm, PythonModule, PythonRequirement }

public sealed record ModuleRule(ModuleType Type, IReadOnlyList<string> Globs, bool FallThrough = false)
{
    /// <summary>wrangler's default rules, applied after the user's.</summary>
    public static readonly IReadOnlyList<ModuleRule> Defaults =
    [
        new(ModuleType.ESModule, ["**/*.mjs", "**/*.js"]),
        new(ModuleType.CommonJS, ["**/*.cjs"]),
        new(ModuleType.Text, ["**/*.txt", "**/*.html", "**/*.sql"]),
        new(ModuleType.Data, ["**/*.bin"]),
        new(ModuleType.CompiledWasm, ["**/*.wasm", "**/*.wasm?module"]),
    ];
}

public sealed record WorkerBindings
{
    public IReadOnlyList<KvNamespaceBinding> KvNamespaces { get; init; } = [];
    public IReadOnlyList<D1DatabaseBinding> D1Databases { get; init; } = [];
    public IReadOnlyList<R2BucketBinding> R2Buckets { get; init; } = [];
    public IReadOnlyList<DurableObjectBinding> DurableObjects { get; init; } = [];
    public IReadOnlyList<DurableObjectMigration> Migrations { get; init; } = [];
    public IReadOnlyList<QueueProducerBinding> QueueProducers { get; init; } = [];
    public IReadOnlyList<QueueConsumerConfig> QueueConsumers { get; init; } = [];
    public IReadOnlyList<ServiceBinding> Services { get; init; } = [];
}

public sealed record KvNamespaceBinding(string Binding, string Id, string? PreviewId);
public sealed record D1DatabaseBinding(string Binding, string DatabaseName, string DatabaseId, string? MigrationsDir, string? MigrationsTable);
public sealed record R2BucketBinding(string Binding, string BucketName, string? PreviewBucketName, string? Jurisdiction);
public sealed record DurableObjectBinding(string Name, string ClassName, string? ScriptName);
public sealed record DurableObjectMigration(string Tag, IReadOnlyList<string> NewClasses, IReadOnlyList<string> NewSqliteClasses,
    IReadOnlyList<(string From, string To)> RenamedClasses, IReadOnlyList<string> DeletedClasses);
public sealed record QueueProducerBinding(string Binding, string Queue, int? DeliveryDelay);
public sealed record QueueConsumerConfig(string Queue, int? MaxBatchSize, int? MaxBatchTimeout, int? MaxRetries,
    string? DeadLetterQueue, int? MaxConcurrency, int? RetryDelay);
public sealed record ServiceBinding(string Binding, string Service, string? Entrypoint, string? Environment);
public sealed record AssetsConfig(string Directory, string? Binding, string? HtmlHandling, string? NotFoundHandling, bool? RunWorkerFirst);

/// <summary>Invalid configuration: the message names the file, the key and the fix.</summary>
public sealed class ConfigException(string message) : Exception(message);

/// <summary>A non-fatal finding, such as an unknown key.</summary>
public sealed record ConfigWarning(string Message);
