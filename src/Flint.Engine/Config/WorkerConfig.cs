using System.Text.Json.Nodes;
using Flint.Engine.Compatibility;

namespace Flint.Engine.Config;

/// <summary>
/// A Worker's configuration after loading and validating wrangler.toml / wrangler.json(c),
/// applying the selected <c>[env.NAME]</c>, command-line overrides and <c>.dev.vars</c>.
/// Paths are absolute. Built by <see cref="ConfigLoader.Load"/>.
/// </summary>
public sealed record WorkerConfig
{
    /// <summary>The config file it came from, or null for a bare script (<c>flint dev worker.js</c>).</summary>
    public string? ConfigPath { get; init; }
    /// <summary>The directory relative paths in the config are resolved against (the config file's directory, or the script's).</summary>
    public required string BaseDirectory { get; init; }
    /// <summary>The Worker's name; with <c>--env NAME</c> and no name of its own in that env, <c>&lt;name&gt;-&lt;env&gt;</c> as wrangler does.</summary>
    public required string Name { get; init; }
    /// <summary>Absolute path of the entry module.</summary>
    public required string Main { get; init; }
    /// <summary>The <c>--env</c> selected, if any.</summary>
    public string? Environment { get; init; }
    public string? CompatibilityDate { get; init; }
    public IReadOnlyList<string> CompatibilityFlags { get; init; } = [];
    /// <summary>The behaviours <see cref="CompatibilityDate"/> and <see cref="CompatibilityFlags"/> give, resolved as workerd does.</summary>
    public CompatibilitySettings Compatibility { get; init; } = CompatibilitySettings.Default;
    /// <summary>Plain-text vars and secrets as strings, JSON vars as parsed JSON.</summary>
    public IReadOnlyDictionary<string, JsonNode?> Vars { get; init; } = new Dictionary<string, JsonNode?>();
    /// <summary>Names in <see cref="Vars"/> whose value came from <c>.dev.vars</c> / <c>.env</c> (secrets: do not log their values).</summary>
    public IReadOnlyCollection<string> SecretNames { get; init; } = [];
    /// <summary>The <c>.dev.vars</c> (or <c>.env</c>) files secrets were read from, for a "Using secrets defined in …" line.</summary>
    public IReadOnlyList<string> SecretsFiles { get; init; } = [];
    /// <summary>Module rules: the user's first, then the defaults; a rule without <c>fallthrough = true</c> hides later rules of its type.</summary>
    public IReadOnlyList<ModuleRule> Rules { get; init; } = ModuleRule.Defaults;
    /// <summary>
    /// The directory module rules' globs and module names are relative to: <c>base_dir</c> if set, else the
    /// directory of <see cref="Main"/> (wrangler's "module root").
    /// </summary>
    public string ModuleRoot
    {
        get => _moduleRoot ?? Path.GetDirectoryName(Main) ?? BaseDirectory;
        init => _moduleRoot = value;
    }
    private readonly string? _moduleRoot;
    /// <summary>True for a service-worker style script (no ES module exports).</summary>
    public bool? NoBundleServiceWorker { get; init; }
    /// <summary><c>no_bundle</c> as written: true runs the modules as they are even when esbuild is available.</summary>
    public bool? NoBundle { get; init; }
    /// <summary><c>find_additional_modules</c> as written.</summary>
    public bool? FindAdditionalModules { get; init; }
    public WorkerLimits Limits { get; init; } = new();
    public WorkerBindings Bindings { get; init; } = new();
    /// <summary><c>triggers.crons</c>.</summary>
    public IReadOnlyList<string> CronTriggers { get; init; } = [];
    public AssetsConfig? Assets { get; init; }
    /// <summary><c>pages_build_output_dir</c> (a Pages project's config), absolute.</summary>
    public string? PagesBuildOutputDirectory { get; init; }
    /// <summary>Secret names declared in <c>secrets.required</c>, or null when the config has no <c>secrets</c> section.</summary>
    public IReadOnlyList<string>? RequiredSecrets { get; init; }
    /// <summary>The <c>[dev]</c> section (top level only, as in wrangler).</summary>
    public DevSettings Dev { get; init; } = new();
    /// <summary>Directory Flint keeps its state in (<c>.flint/</c> beside the config unless --persist-to).</summary>
    public required string PersistDirectory { get; init; }
}

public sealed record WorkerLimits
{
    /// <summary>CPU milliseconds one event may use; null means Flint's default.</summary>
    public int? CpuMs { get; init; }
    /// <summary>Subrequests one event may make; null means Flint's default.</summary>
    public int? Subrequests { get; init; }
}

/// <summary>wrangler's <c>[dev]</c> settings that matter to Flint; the command line wins over them.</summary>
public sealed record DevSettings
{
    public string? Ip { get; init; }
    public int? Port { get; init; }
    public string? LocalProtocol { get; init; }
}

/// <summary>wrangler's module types.</summary>
public enum ModuleType { ESModule, CommonJS, Text, Data, CompiledWasm, PythonModule, PythonRequirement }

public sealed record ModuleRule(ModuleType Type, IReadOnlyList<string> Globs, bool FallThrough = false)
{
    /// <summary>
    /// The default rules, applied after the user's. wrangler's own defaults are the Text, Data and
    /// CompiledWasm ones (esbuild handles JavaScript); Flint does not bundle, so it adds JavaScript's.
    /// </summary>
    public static readonly IReadOnlyList<ModuleRule> Defaults =
    [
        new(ModuleType.ESModule, ["**/*.mjs", "**/*.js"]),
        new(ModuleType.CommonJS, ["**/*.cjs"]),
        new(ModuleType.Text, ["**/*.txt", "**/*.html", "**/*.sql"]),
        new(ModuleType.Data, ["**/*.bin"]),
        new(ModuleType.CompiledWasm, ["**/*.wasm", "**/*.wasm?module"]),
    ];

    /// <summary>Rules are equal when their type, globs (in order) and fallthrough are.</summary>
    public bool Equals(ModuleRule? other) =>
        other is not null && Type == other.Type && FallThrough == other.FallThrough && Globs.SequenceEqual(other.Globs);

    public override int GetHashCode() => HashCode.Combine(Type, FallThrough, Globs.Count);

    public override string ToString() => $"{Type} [{string.Join(", ", Globs)}]{(FallThrough ? " (fallthrough)" : "")}";
}

public sealed record WorkerBindings
{
    public IReadOnlyList<KvNamespaceBinding> KvNamespaces { get; init; } = [];
    public IReadOnlyList<D1DatabaseBinding> D1Databases { get; init; } = [];
    public IReadOnlyList<R2BucketBinding> R2Buckets { get; init; } = [];
    public IReadOnlyList<DurableObjectBinding> DurableObjects { get; init; } = [];
    /// <summary>Durable Object migrations (inherited by environments, as in wrangler).</summary>
    public IReadOnlyList<DurableObjectMigration> Migrations { get; init; } = [];
    public IReadOnlyList<QueueProducerBinding> QueueProducers { get; init; } = [];
    public IReadOnlyList<QueueConsumerConfig> QueueConsumers { get; init; } = [];
    public IReadOnlyList<ServiceBinding> Services { get; init; } = [];
}

/// <summary>A KV namespace. <see cref="Id"/> is the binding name when the config gives no <c>id</c> (as wrangler dev does locally).</summary>
public sealed record KvNamespaceBinding(string Binding, string Id, string? PreviewId);

/// <summary>
/// A D1 database. Absent <c>database_name</c> / <c>database_id</c> default to the binding name;
/// <see cref="MigrationsDir"/> is absolute (default <c>&lt;config dir&gt;/migrations</c>) and
/// <see cref="MigrationsTable"/> defaults to <c>d1_migrations</c>.
/// </summary>
public sealed record D1DatabaseBinding(string Binding, string DatabaseName, string DatabaseId, string? MigrationsDir, string? MigrationsTable)
{
    public string? PreviewDatabaseId { get; init; }
    /// <summary>The id wrangler dev stores the database under locally: preview id, else id.</summary>
    public string LocalId => PreviewDatabaseId ?? DatabaseId;
}

/// <summary>An R2 bucket. <see cref="BucketName"/> is the binding name when the config gives no <c>bucket_name</c>.</summary>
public sealed record R2BucketBinding(string Binding, string BucketName, string? PreviewBucketName, string? Jurisdiction);

public sealed record DurableObjectBinding(string Name, string ClassName, string? ScriptName)
{
    /// <summary>The <c>environment</c> of <see cref="ScriptName"/>, if given.</summary>
    public string? Environment { get; init; }
}

public sealed record DurableObjectMigration(string Tag, IReadOnlyList<string> NewClasses, IReadOnlyList<string> NewSqliteClasses,
    IReadOnlyList<(string From, string To)> RenamedClasses, IReadOnlyList<string> DeletedClasses);

/// <summary>A queue producer. <see cref="Queue"/> is the binding name when the config gives no <c>queue</c>.</summary>
public sealed record QueueProducerBinding(string Binding, string Queue, int? DeliveryDelay);

public sealed record QueueConsumerConfig(string Queue, int? MaxBatchSize, int? MaxBatchTimeout, int? MaxRetries,
    string? DeadLetterQueue, int? MaxConcurrency, int? RetryDelay);

public sealed record ServiceBinding(string Binding, string Service, string? Entrypoint, string? Environment)
{
    /// <summary><c>props</c> passed to the target entrypoint as <c>ctx.props</c>, if any.</summary>
    public JsonObject? Props { get; init; }
}

/// <summary>Static assets. <see cref="Directory"/> is absolute.</summary>
public sealed record AssetsConfig(string Directory, string? Binding, string? HtmlHandling, string? NotFoundHandling, bool? RunWorkerFirst)
{
    /// <summary><c>run_worker_first</c> given as route patterns (e.g. <c>["/api/*", "!/api/docs/*"]</c>) rather than a boolean.</summary>
    public IReadOnlyList<string>? RunWorkerFirstPatterns { get; init; }
    /// <summary>False for an assets-only project (no <c>main</c>): the asset server answers every request.</summary>
    public bool HasUserWorker { get; init; } = true;
    /// <summary>For <c>flint pages dev</c>: the directory is served by Pages' asset server, with these routes.</summary>
    public Assets.PagesRouting? Pages { get; init; }
}

/// <summary>Invalid configuration: the message names the file, the key and the fix.</summary>
public sealed class ConfigException : Exception
{
    public ConfigException(string message) : base(message) { Errors = [message]; }

    public ConfigException(string message, string? filePath, IReadOnlyList<string> errors) : base(message)
    {
        FilePath = filePath;
        Errors = errors;
    }

    /// <summary>The config file at fault, when there is one.</summary>
    public string? FilePath { get; }
    /// <summary>Each problem found, without the header.</summary>
    public IReadOnlyList<string> Errors { get; }
}

/// <summary>A non-fatal finding, such as an unknown key. <see cref="Message"/> names the file.</summary>
public sealed record ConfigWarning(string Message, string? FilePath = null, string? Key = null);
