using System.Text.Json.Nodes;
using Flint.Engine.Compatibility;

namespace Flint.Engine.Config;

/// <summary>What <c>flint dev</c> was asked to run, and the command-line overrides.</summary>
public sealed record ConfigLoadOptions
{
    /// <summary>A directory (holding wrangler.json / wrangler.jsonc / wrangler.toml), a config file, or a bare script.</summary>
    public required string Target { get; init; }
    /// <summary><c>--env NAME</c>: selects <c>[env.NAME]</c>.</summary>
    public string? Environment { get; init; }
    /// <summary><c>--var KEY:VALUE</c>: wins over the config's vars and <c>.dev.vars</c>.</summary>
    public IReadOnlyDictionary<string, string> VarOverrides { get; init; } = new Dictionary<string, string>();
    /// <summary><c>--persist-to DIR</c> (default: <c>&lt;config dir&gt;/.flint</c>, or <c>&lt;script dir&gt;/.flint</c>).</summary>
    public string? PersistTo { get; init; }
    /// <summary><c>--compatibility-date</c>: overrides the file's.</summary>
    public string? CompatibilityDate { get; init; }
    /// <summary>Accept experimental compatibility flags, as wrangler dev does (it runs workerd with --experimental).</summary>
    public bool AllowExperimentalCompatibilityFlags { get; init; } = true;
    /// <summary>
    /// <c>flint pages dev</c>: the target is a Pages project's root, whose config (optional) has no
    /// <c>main</c>; the Worker is made from its Functions or <c>_worker.js</c> afterwards.
    /// </summary>
    public bool Pages { get; init; }
    /// <summary><c>--compatibility-flags</c> (Pages), replacing the file's.</summary>
    public IReadOnlyList<string>? CompatibilityFlags { get; init; }
}

/// <summary>
/// Loads a Worker's configuration as wrangler does: finds the config, parses TOML / JSON / JSONC,
/// validates every key (all problems reported at once, naming file, key and fix), applies the
/// selected environment, then <c>.dev.vars</c> and <c>--var</c>.
/// </summary>
public static class ConfigLoader
{
    /// <summary>wrangler's search order within a directory.</summary>
    public static readonly IReadOnlyList<string> ConfigFileNames = ["wrangler.json", "wrangler.jsonc", "wrangler.toml"];

    public static (WorkerConfig Config, IReadOnlyList<ConfigWarning> Warnings) Load(ConfigLoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Target)) throw new ConfigException("No Worker given: pass a directory, a wrangler config file or a script.");
        var target = Path.GetFullPath(options.Target);

        if (Directory.Exists(target))
        {
            var found = ConfigFileNames.Select(n => Path.Combine(target, n)).FirstOrDefault(File.Exists);
            if (!options.Pages && DeployRedirect.Find(target) is { } redirected) return LoadConfigFile(redirected, options);
            if (found is null && options.Pages) return LoadPagesWithoutConfig(target, options);
            if (found is null)
            {
                throw new ConfigException(
                    $"No wrangler.json, wrangler.jsonc or wrangler.toml found in {target}.\n" +
                    "Add a wrangler.toml there, e.g.\n\n    name = \"my-worker\"\n    main = \"src/index.js\"\n    compatibility_date = \"" + ConfigReader.Today() + "\"\n\n" +
                    "or pass a script to run without one: flint dev path/to/worker.js");
            }
            return LoadConfigFile(found, options);
        }
        if (File.Exists(target))
        {
            var ext = Path.GetExtension(target).ToLowerInvariant();
            if (ext is ".toml" or ".json" or ".jsonc") return LoadConfigFile(target, options);
            return LoadBareScript(target, options);
        }
        throw new ConfigException($"{target} does not exist. Pass a directory holding a wrangler.toml / wrangler.json(c), a config file, or a Worker script.");
    }

    /// <summary>A Pages project without a wrangler config: its name is its directory's, the rest comes from the command line.</summary>
    private static (WorkerConfig, IReadOnlyList<ConfigWarning>) LoadPagesWithoutConfig(string dir, ConfigLoadOptions options)
    {
        var warnings = new List<ConfigWarning>();
        var compatibilityDate = CommandLineCompatibilityDate(options);
        if (compatibilityDate is null)
            warnings.Add(new ConfigWarning($"No compatibility date was specified. Pass --compatibility-date={ConfigReader.Today()} or add one to a wrangler.toml in {dir}."));
        var flags = options.CompatibilityFlags ?? [];
        var (vars, secretNames, secretFiles) = BuildVars(new Dictionary<string, JsonNode?>(), null, dir, options, warnings, null);
        var persist = PersistDirectory(options, dir);
        var config = new WorkerConfig
        {
            ConfigPath = null,
            BaseDirectory = dir,
            Name = Path.GetFileName(dir.TrimEnd('/')).ToLowerInvariant(),
            Main = Assets.AssetsOnlyWorker.PathIn(persist),
            CompatibilityDate = compatibilityDate,
            CompatibilityFlags = flags,
            Compatibility = ResolveCompatibility(compatibilityDate, flags, options, null, warnings),
            Vars = vars,
            SecretNames = secretNames,
            SecretsFiles = secretFiles,
            PersistDirectory = persist,
        };
        return (config, warnings);
    }

    private static (WorkerConfig, IReadOnlyList<ConfigWarning>) LoadBareScript(string script, ConfigLoadOptions options)
    {
        var warnings = new List<ConfigWarning>();
        var dir = Path.GetDirectoryName(script)!;
        var compatibilityDate = CommandLineCompatibilityDate(options);
        if (compatibilityDate is null)
        {
            warnings.Add(new ConfigWarning(
                $"No compatibility date was specified. Pass --compatibility-date={ConfigReader.Today()} or add a wrangler.toml with compatibility_date = \"{ConfigReader.Today()}\"."));
        }
        var (vars, secretNames, secretFiles) = BuildVars(new Dictionary<string, JsonNode?>(), null, dir, options, warnings, null);
        var config = new WorkerConfig
        {
            ConfigPath = null,
            BaseDirectory = dir,
            Name = Path.GetFileNameWithoutExtension(script),
            Main = script,
            Environment = options.Environment,
            CompatibilityDate = compatibilityDate,
            Compatibility = ResolveCompatibility(compatibilityDate, [], options, null, warnings),
            Vars = vars,
            SecretNames = secretNames,
            SecretsFiles = secretFiles,
            PersistDirectory = PersistDirectory(options, dir),
        };
        return (config, warnings);
    }

    private static (WorkerConfig, IReadOnlyList<ConfigWarning>) LoadConfigFile(string path, ConfigLoadOptions options)
    {
        var parsed = ParsedConfigFile.Read(path);
        var reader = new ConfigReader(parsed);
        var env = reader.Read(string.IsNullOrEmpty(options.Environment) ? null : options.Environment);
        reader.CheckUniqueNames(env);
        reader.CheckPaths(env);
        var rules = reader.ResolveRules(env);
        ThrowIfErrors(path, reader.Errors);

        var warnings = reader.Warnings;
        var dir = Path.GetDirectoryName(path)!;

        // An assets-only project (assets and no main) is served by the asset server alone, as wrangler does;
        // a Pages project's Worker is made from its Functions later.
        var assetsOnly = (env.Main is null && env.Assets is not null) || options.Pages;
        if (assetsOnly && !options.Pages) Assets.AssetsOnlyWorker.Check(env.Assets!, env.AssetsKey, path);
        if (env.Main is null && !assetsOnly)
        {
            var hint = parsed.Format == ConfigFormat.Toml ? "main = \"src/index.js\"" : "\"main\": \"src/index.js\"";
            throw new ConfigException(
                "Missing entry-point: The entry-point should be specified via the command line (e.g. `flint dev path/to/script`) or the `main` config field.\n" +
                $"Add {hint} to {path}.", path, ["main"]);
        }
        if (!assetsOnly && !File.Exists(env.Main))
        {
            var what = Directory.Exists(env.Main) ? "is a directory, not a file" : "was not found";
            throw new ConfigException(
                $"The entry-point file at \"{env.Main}\" {what} ({env.MainKey} = \"{env.MainRaw}\" in {path}). " +
                $"Fix \"{env.MainKey}\" so that it points at your Worker's script, relative to {dir}.", path, [env.MainKey]);
        }

        var compatibilityDate = CommandLineCompatibilityDate(options) ?? env.CompatibilityDate;
        var compatibilityFlags = options.CompatibilityFlags ?? env.CompatibilityFlags;
        if (compatibilityDate is null)
        {
            var hint = parsed.Format == ConfigFormat.Toml ? $"compatibility_date = \"{ConfigReader.Today()}\"" : $"\"compatibility_date\": \"{ConfigReader.Today()}\"";
            warnings.Add(new ConfigWarning($"{path}: No compatibility_date was specified. Add {hint} to pin the runtime behaviour your Worker expects.", path, "compatibility_date"));
        }

        var (vars, secretNames, secretFiles) = BuildVars(env.Vars, env.RequiredSecrets, dir, options, warnings, env);
        var persist = PersistDirectory(options, dir);
        var main = assetsOnly ? Assets.AssetsOnlyWorker.PathIn(persist) : env.Main!;
        var config = new WorkerConfig
        {
            ConfigPath = path,
            BaseDirectory = dir,
            Name = env.Name ?? "worker",
            Main = main,
            Environment = string.IsNullOrEmpty(options.Environment) ? null : options.Environment,
            CompatibilityDate = compatibilityDate,
            CompatibilityFlags = compatibilityFlags,
            Compatibility = ResolveCompatibility(compatibilityDate, compatibilityFlags, options, path, warnings),
            Vars = vars,
            SecretNames = secretNames,
            SecretsFiles = secretFiles,
            Rules = rules,
            ModuleRoot = env.BaseDir ?? Path.GetDirectoryName(main)!,
            NoBundle = env.NoBundle,
            FindAdditionalModules = env.FindAdditionalModules,
            Limits = env.Limits,
            Bindings = new WorkerBindings
            {
                KvNamespaces = env.Kv,
                D1Databases = env.D1,
                R2Buckets = env.R2,
                DurableObjects = env.DurableObjects,
                Migrations = env.Migrations,
                QueueProducers = env.QueueProducers,
                QueueConsumers = env.QueueConsumers,
                Services = env.Services,
            },
            CronTriggers = env.Crons,
            Assets = options.Pages ? null : assetsOnly ? env.Assets! with { HasUserWorker = false } : env.Assets,
            PagesBuildOutputDirectory = parsed.Root["pages_build_output_dir"] is JsonValue v && v.TryGetValue<string>(out var output)
                ? Path.GetFullPath(Path.Combine(dir, output)) : null,
            RequiredSecrets = env.RequiredSecrets,
            Dev = reader.Dev,
            PersistDirectory = persist,
        };
        return (config, warnings);
    }

    private static void ThrowIfErrors(string path, IReadOnlyList<string> errors)
    {
        if (errors.Count == 0) return;
        var lines = errors.Select(e => "  - " + string.Join("\n", e.Split('\n').Select((l, i) => i == 0 || l.Length == 0 ? l : "    " + l)));
        throw new ConfigException($"Processing {path} configuration:\n{string.Join("\n", lines)}", path, errors);
    }

    /// <summary>
    /// The behaviours the date and flags give, as workerd resolves them; without a date, today's (as
    /// wrangler dev does). A flag workerd does not know is an error, as in workerd.
    /// </summary>
    private static CompatibilitySettings ResolveCompatibility(string? date, IReadOnlyList<string> flags, ConfigLoadOptions options,
        string? path, List<ConfigWarning> warnings)
    {
        var resolution = CompatibilityResolver.Resolve(date ?? CompatibilityResolver.Today(), flags, options.AllowExperimentalCompatibilityFlags);
        var where = path is null ? "" : $"{path}: ";
        foreach (var warning in resolution.Warnings) warnings.Add(new ConfigWarning($"{where}{warning}", path, "compatibility_flags"));
        if (resolution.Errors.Count > 0)
        {
            var errors = resolution.Errors.Select(e => e.StartsWith("No such compatibility flag", StringComparison.Ordinal)
                ? $"{e}. Check its spelling in \"compatibility_flags\"; the flags are listed at https://developers.cloudflare.com/workers/configuration/compatibility-flags/"
                : e).ToList();
            if (path is null) throw new ConfigException(string.Join("\n", errors));
            ThrowIfErrors(path, errors);
        }
        return resolution.Settings;
    }

    private static string? CommandLineCompatibilityDate(ConfigLoadOptions options)
    {
        if (options.CompatibilityDate is not { } date) return null;
        var problem = ConfigReader.CheckCompatibilityDate(date, "--compatibility-date", $"For example: --compatibility-date={ConfigReader.Today()}");
        return problem is null ? date : throw new ConfigException(problem);
    }

    private static string PersistDirectory(ConfigLoadOptions options, string baseDirectory) =>
        string.IsNullOrEmpty(options.PersistTo) ? Path.Combine(baseDirectory, ".flint") : Path.GetFullPath(options.PersistTo);

    /// <summary>
    /// The config's vars, then secrets from <c>.dev.vars.&lt;env&gt;</c> or <c>.dev.vars</c> (or, when neither
    /// exists, the <c>.env</c> files), then <c>--var</c>. With a <c>secrets</c> section, only declared
    /// secrets and keys already in vars are taken from those files, as in wrangler.
    /// </summary>
    private static (Dictionary<string, JsonNode?> Vars, HashSet<string> SecretNames, List<string> Files) BuildVars(
        IReadOnlyDictionary<string, JsonNode?> configVars, IReadOnlyList<string>? requiredSecrets, string dir,
        ConfigLoadOptions options, List<ConfigWarning> warnings, EnvironmentSettings? env)
    {
        var vars = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var (k, v) in configVars) vars[k] = v?.DeepClone();
        var envName = string.IsNullOrEmpty(options.Environment) ? null : options.Environment;
        var files = new List<string>();

        IReadOnlyDictionary<string, string>? secrets = null;
        var devVars = Path.Combine(dir, ".dev.vars");
        foreach (var candidate in envName is null ? [devVars] : new[] { $"{devVars}.{envName}", devVars })
        {
            if (!File.Exists(candidate)) continue;
            secrets = ReadDotEnvFile(candidate, warnings);
            files.Add(candidate);
            break;
        }
        if (secrets is null)
        {
            var merged = new Dictionary<string, string>(StringComparer.Ordinal);
            var envFiles = envName is null ? new[] { ".env", ".env.local" } : [".env", ".env.local", $".env.{envName}", $".env.{envName}.local"];
            foreach (var name in envFiles)
            {
                var p = Path.Combine(dir, name);
                if (!File.Exists(p)) continue;
                foreach (var (k, v) in ReadDotEnvFile(p, warnings)) merged[k] = v;
                files.Add(p);
            }
            if (requiredSecrets is not null)
            {
                // wrangler also takes declared secrets from the process environment in this mode.
                foreach (var name in requiredSecrets)
                {
                    if (!merged.ContainsKey(name) && System.Environment.GetEnvironmentVariable(name) is { } value) merged[name] = value;
                }
            }
            if (files.Count > 0 || merged.Count > 0) secrets = DotEnv.Expand(merged);
        }

        var secretNames = new HashSet<string>(StringComparer.Ordinal);
        if (secrets is not null)
        {
            foreach (var (k, v) in secrets)
            {
                if (requiredSecrets is not null && !vars.ContainsKey(k) && !requiredSecrets.Contains(k)) continue;
                vars[k] = JsonValue.Create(v);
                secretNames.Add(k);
            }
        }
        if (requiredSecrets is not null)
        {
            var missing = requiredSecrets.Where(s => !secretNames.Contains(s) && !vars.ContainsKey(s)).ToList();
            if (missing.Count > 0)
            {
                warnings.Add(new ConfigWarning(
                    $"Missing required secrets: {string.Join(", ", missing)}. Add them to {Path.Combine(dir, ".dev.vars")} (KEY=value), .env, or set them as environment variables.",
                    null, "secrets.required"));
            }
        }

        if (env is not null)
        {
            foreach (var name in secretNames)
            {
                var clash = env.BindingNames.FirstOrDefault(b => b.Name == name && b.Section != "vars");
                if (clash is not null)
                {
                    warnings.Add(new ConfigWarning(
                        $"The secret {name} from {string.Join(", ", files.Select(Path.GetFileName))} has the same name as the {clash.Kind} binding at \"{clash.Key}\"; rename one of them.",
                        null, clash.Key));
                }
            }
        }

        foreach (var (k, v) in options.VarOverrides)
        {
            vars[k] = JsonValue.Create(v);
            secretNames.Remove(k);
        }
        return (vars, secretNames, files);
    }

    private static IReadOnlyDictionary<string, string> ReadDotEnvFile(string path, List<ConfigWarning> warnings)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"Failed to load local dev variables file {path}: {ex.Message}");
        }
        var values = DotEnv.Parse(text, out var issues);
        foreach (var issue in issues)
        {
            warnings.Add(new ConfigWarning(
                $"{path}:{issue.Line}: ignored a line that is not KEY=value: {issue.Text.Trim()}", path, null));
        }
        return values;
    }
}
