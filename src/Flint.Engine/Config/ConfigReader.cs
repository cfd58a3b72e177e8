using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Flint.Engine.Config;

/// <summary>One environment (the top level or an <c>[env.NAME]</c>) after validation.</summary>
internal sealed class EnvironmentSettings
{
    // Inheritable: an environment that does not set them takes the top level's.
    public string? Name;
    public string? Main;
    public string MainKey = "main";
    public string? MainRaw;
    public string? CompatibilityDate;
    public List<string> CompatibilityFlags = [];
    public List<(ModuleRule Rule, bool? FallThrough, string Key)> Rules = [];
    public bool? NoBundle;
    public bool? FindAdditionalModules;
    public string? BaseDir;
    public List<string> Crons = [];
    public AssetsConfig? Assets;
    public string AssetsKey = "assets";
    public WorkerLimits Limits = new();
    public List<DurableObjectMigration> Migrations = [];

    // Not inheritable: an environment has only its own.
    public Dictionary<string, JsonNode?> Vars = new(StringComparer.Ordinal);
    public List<string>? RequiredSecrets;
    public List<KvNamespaceBinding> Kv = [];
    public List<D1DatabaseBinding> D1 = [];
    public List<R2BucketBinding> R2 = [];
    public List<DurableObjectBinding> DurableObjects = [];
    public List<QueueProducerBinding> QueueProducers = [];
    public List<QueueConsumerConfig> QueueConsumers = [];
    public List<ServiceBinding> Services = [];

    /// <summary>Every name this environment puts on <c>env</c>, for the uniqueness check.</summary>
    public List<BindingName> BindingNames = [];
}

internal sealed record BindingName(string Name, string Kind, string Key, string Section);

/// <summary>
/// Validates a parsed wrangler config the way wrangler's <c>normalizeAndValidateConfig</c> does,
/// collecting every error (and warning) before failing, with messages that name the key path and,
/// where it helps, the line to add.
/// </summary>
internal sealed partial class ConfigReader(ParsedConfigFile file)
{
    public List<string> Errors { get; } = [];
    public List<ConfigWarning> Warnings { get; } = [];

    private readonly string _dir = Path.GetDirectoryName(file.Path)!;
    private bool IsToml => file.Format == ConfigFormat.Toml;
    private string FileName => Path.GetFileName(file.Path);

    private static readonly JsonSerializerOptions DisplayJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // ───────────────────────────── known keys ─────────────────────────────

    private static readonly string[] TopLevelOnlyKeys =
    [
        "env", "$schema", "dev", "site", "alias", "wasm_modules", "text_blobs", "data_blobs", "send_metrics",
        "dependencies_instrumentation", "keep_vars", "addresses", "pages_build_output_dir", "legacy_env",
        // Computed fields a tool writes into a generated config (Cloudflare's Vite plugin: dist/NAME/wrangler.json).
        "configPath", "userConfigPath", "topLevelName", "definedEnvironments", "targetEnvironment",
    ];

    private static readonly string[] HandledKeys =
    [
        "name", "main", "compatibility_date", "compatibility_flags", "rules", "no_bundle", "find_additional_modules",
        "base_dir", "triggers", "assets", "limits", "migrations", "vars", "secrets", "kv_namespaces", "d1_databases",
        "r2_buckets", "durable_objects", "queues", "services",
    ];

    /// <summary>wrangler keys that do nothing locally: accepted without a word.</summary>
    private static readonly string[] IgnoredKeys =
    [
        "account_id", "workers_dev", "preview_urls", "routes", "route", "build", "observability", "placement",
        "upload_source_maps", "minify", "keep_names", "tsconfig", "node_compat", "logpush", "tail_consumers",
        "streaming_tail_consumers", "jsx_factory", "jsx_fragment", "preserve_file_names", "first_party_worker",
        "compliance_region", "python_modules", "previews", "access", "cache", "exports", "usage_model", "logfwdr",
    ];

    /// <summary>wrangler binding kinds Flint does not provide yet, with the name wrangler shows for them.</summary>
    private static readonly Dictionary<string, string> UnsupportedBindings = new()
    {
        ["workflows"] = "Workflow", ["send_email"] = "Send Email", ["vectorize"] = "Vectorize Index",
        ["ai_search_namespaces"] = "AI Search Namespace", ["ai_search"] = "AI Search Instance", ["websearch"] = "Web Search",
        ["agent_memory"] = "Agent Memory", ["hyperdrive"] = "Hyperdrive Config", ["analytics_engine_datasets"] = "Analytics Engine Dataset",
        ["dispatch_namespaces"] = "Dispatch Namespace", ["mtls_certificates"] = "mTLS Certificate", ["browser"] = "Browser Run",
        ["ai"] = "AI", ["images"] = "Images", ["stream"] = "Stream", ["media"] = "Media", ["pipelines"] = "Pipeline",
        ["secrets_store_secrets"] = "Secrets Store Secret", ["artifacts"] = "Artifacts", ["unsafe_hello_world"] = "Hello World",
        ["flagship"] = "Flagship", ["worker_loaders"] = "Worker Loader", ["ratelimits"] = "Rate Limit",
        ["vpc_services"] = "VPC Service", ["vpc_networks"] = "VPC Network", ["k2"] = "K2", ["version_metadata"] = "Worker Version Metadata",
        ["unsafe"] = "Unsafe Metadata", ["containers"] = "Container", ["cloudchamber"] = "Cloudchamber", ["connect"] = "Connect handler",
        ["define"] = "define",
    };

    private static readonly HashSet<string> EnvironmentKeys = [.. HandledKeys, .. IgnoredKeys, .. UnsupportedBindings.Keys];

    // ───────────────────────────── entry ─────────────────────────────

    /// <summary>Validates the whole file and returns the settings of the selected environment.</summary>
    public EnvironmentSettings Read(string? envName)
    {
        var root = file.Root;
        var known = new HashSet<string>(EnvironmentKeys);
        known.UnionWith(TopLevelOnlyKeys);
        var unknown = root.Select(p => p.Key).Where(k => !known.Contains(k)).ToList();
        if (unknown.Count > 0)
            Warn($"Unexpected fields found in top-level field: {string.Join(",", unknown.Select(k => $"\"{k}\""))}", unknown[0]);

        var envTable = root["env"];
        JsonObject? envs = null;
        if (root.ContainsKey("env"))
        {
            if (envTable is JsonObject o) envs = o;
            else Error($"The field \"env\" should be an object of environments (e.g. {(IsToml ? "[env.staging]" : "\"env\": { \"staging\": { } }")}) but got {Show(envTable)}.");
        }

        var topIsActive = envName is null || envs is null || !envs.ContainsKey(envName);
        var top = ReadEnvironment(root, null, null, topIsActive);
        ReadDev(root);

        if (envs is not null)
        {
            foreach (var (name, value) in envs)
            {
                if (value is not JsonObject) Error($"The field \"env.{name}\" should be an object but got {Show(value)}.");
            }
        }
        if (envName is null) return top;

        if (envs is not null && envs[envName] is JsonObject rawEnv)
            return ReadEnvironment(rawEnv, envName, top, true);
        if (envs is not null && envs.ContainsKey(envName)) return top; // not an object: reported above

        var defined = envs?.Select(p => p.Key).ToList() ?? [];
        var section = IsToml ? $"[env.{envName}]" : $"\"env\": {{ \"{envName}\": {{ }} }}";
        var message =
            $"No environment found in configuration with name \"{envName}\".\n" +
            $"Before using `--env={envName}` there should be an equivalent environment section in the configuration.\n" +
            (defined.Count > 0 ? $"The available configured environment names are: {JsonSerializer.Serialize(defined, DisplayJson)}\n" : "") +
            $"\nConsider adding an environment configuration section to the {FileName} file:\n{section}";
        if (defined.Count > 0) Error(message);
        else Warn(message, "env");
        // As wrangler: with no environments at all, --env runs the top level under the name "<name>-<env>".
        top.Name = top.Name is null ? null : $"{top.Name}-{envName}";
        return top;
    }

    /// <summary>Reads one environment. <paramref name="top"/> is null for the top level itself.</summary>
    private EnvironmentSettings ReadEnvironment(JsonObject raw, string? envName, EnvironmentSettings? top, bool active)
    {
        var env = new EnvironmentSettings();
        string K(string key) => envName is null ? key : $"env.{envName}.{key}";
        bool Has(string key) => raw.ContainsKey(key);

        if (envName is not null)
        {
            var unknown = raw.Select(p => p.Key).Where(k => !EnvironmentKeys.Contains(k)).ToList();
            if (unknown.Count > 0)
                Warn($"Unexpected fields found in env.{envName} field: {string.Join(",", unknown.Select(k => $"\"{k}\""))}", K(unknown[0]));
        }

        // name (inheritable; an environment without its own becomes "<name>-<env>")
        if (Has("name")) env.Name = ReadName(raw["name"], K("name"));
        else if (top?.Name is not null) env.Name = $"{top.Name}-{envName}";

        // main
        if (Has("main"))
        {
            if (IsString(raw["main"], out var main))
            {
                env.MainRaw = main;
                env.Main = Path.GetFullPath(Path.Combine(_dir, main));
                env.MainKey = K("main");
            }
            else Error($"Expected \"{K("main")}\" to be of type string but got {Show(raw["main"])}. {SetHint("main", "\"src/index.js\"")}");
        }
        else if (top is not null) (env.Main, env.MainRaw, env.MainKey) = (top.Main, top.MainRaw, top.MainKey);

        // compatibility_date / compatibility_flags
        if (Has("compatibility_date")) env.CompatibilityDate = ReadCompatibilityDate(raw["compatibility_date"], K("compatibility_date"));
        else env.CompatibilityDate = top?.CompatibilityDate;
        if (Has("compatibility_flags"))
        {
            env.CompatibilityFlags = ReadStringArray(raw["compatibility_flags"], K("compatibility_flags"),
                $"Expected \"{K("compatibility_flags")}\" to be of type string array but got {Show(raw["compatibility_flags"])}. {SetHint("compatibility_flags", "[\"nodejs_compat\"]")}") ?? [];
        }
        else if (top is not null) env.CompatibilityFlags = top.CompatibilityFlags;

        // rules and module settings
        if (Has("rules")) env.Rules = ReadRules(raw["rules"], K("rules"));
        else if (top is not null) env.Rules = top.Rules;
        env.NoBundle = Has("no_bundle") ? LenientBool(raw["no_bundle"], K("no_bundle")) : top?.NoBundle;
        env.FindAdditionalModules = Has("find_additional_modules") ? LenientBool(raw["find_additional_modules"], K("find_additional_modules")) : top?.FindAdditionalModules;
        if (Has("base_dir"))
        {
            if (IsString(raw["base_dir"], out var baseDir)) env.BaseDir = Path.GetFullPath(Path.Combine(_dir, baseDir));
            else Warn($"\"{K("base_dir")}\" should be a string (a directory relative to {FileName}) but got {Show(raw["base_dir"])}; it is ignored.", K("base_dir"));
        }
        else env.BaseDir = top?.BaseDir;

        // triggers, assets, limits, migrations (inheritable)
        if (Has("triggers")) env.Crons = ReadTriggers(raw["triggers"], K("triggers"));
        else if (top is not null) env.Crons = top.Crons;
        if (Has("assets")) (env.Assets, env.AssetsKey) = (ReadAssets(raw["assets"], K("assets")), K("assets"));
        else if (top is not null) (env.Assets, env.AssetsKey) = (top.Assets, top.AssetsKey);
        if (Has("limits")) env.Limits = ReadLimits(raw["limits"], K("limits"));
        else if (top is not null) env.Limits = top.Limits;
        if (Has("migrations")) env.Migrations = ReadMigrations(raw["migrations"], K("migrations"));
        else if (top is not null) env.Migrations = top.Migrations;
        if (env.Assets?.Binding is { } assetsBinding)
            env.BindingNames.Add(new BindingName(assetsBinding, "Assets", $"{env.AssetsKey}.binding", "assets"));

        // Not inheritable: only what this environment declares.
        if (envName is not null)
        {
            foreach (var key in new[] { "vars", "secrets", "kv_namespaces", "d1_databases", "r2_buckets", "durable_objects", "queues", "services" }
                         .Concat(UnsupportedBindings.Keys))
            {
                if (!Has(key) && file.Root.ContainsKey(key))
                {
                    Warn($"\"{key}\" exists at the top level, but not on \"env.{envName}\".\n" +
                         $"This is not what you probably want, since \"{key}\" is not inherited by environments.\n" +
                         $"Please add \"{key}\" to \"env.{envName}\".", K(key));
                }
            }
        }
        if (Has("vars")) ReadVars(raw["vars"], K("vars"), env);
        if (Has("secrets")) env.RequiredSecrets = ReadSecrets(raw["secrets"], K("secrets"));
        if (Has("kv_namespaces")) ReadArray(raw["kv_namespaces"], K("kv_namespaces"), (o, key) => ReadKv(o, key, env, active));
        if (Has("d1_databases")) ReadArray(raw["d1_databases"], K("d1_databases"), (o, key) => ReadD1(o, key, env, active));
        if (Has("r2_buckets")) ReadArray(raw["r2_buckets"], K("r2_buckets"), (o, key) => ReadR2(o, key, env, active));
        if (Has("durable_objects")) ReadDurableObjects(raw["durable_objects"], K("durable_objects"), env);
        if (Has("queues")) ReadQueues(raw["queues"], K("queues"), env, active);
        if (Has("services")) ReadArray(raw["services"], K("services"), (o, key) => ReadService(o, key, env, active));
        foreach (var (key, kind) in UnsupportedBindings)
        {
            // A generated config lists every binding kind, empty: nothing to warn about.
            if (!Has(key) || IsEmptySection(raw[key])) continue;
            foreach (var name in GetBindingNames(raw[key])) env.BindingNames.Add(new BindingName(name, kind, K(key), key));
            if (active)
            {
                Warn(key == "define"
                    ? $"\"{K(key)}\" is ignored: Flint runs your modules as they are, without a bundler to substitute them."
                    : $"\"{K(key)}\" ({kind} bindings) is not supported by Flint yet; the Worker will run without it.", K(key));
            }
        }

        if (top is not null) WarnMissingInheritedBindings(envName!, top, env, raw);
        return env;
    }

    // ───────────────────────────── simple fields ─────────────────────────────

    private string? ReadName(JsonNode? value, string key)
    {
        if (IsString(value, out var name) && NameRegex().IsMatch(name)) return name.Length == 0 ? null : name;
        var suggestion = value is JsonValue && IsString(value, out var s) ? Slug(s) : "my-worker";
        Error($"Expected \"{key}\" to be of type string, alphanumeric and lowercase with dashes only but got {Show(value)}. {SetHint("name", $"\"{suggestion}\"")}");
        return null;
    }

    private string? ReadCompatibilityDate(JsonNode? value, string key)
    {
        if (value is not null && file.TomlDates.Contains(value))
        {
            var text = value.GetValue<string>();
            Error($"\"{key}\" is a TOML date, which is not supported; write it as a string: compatibility_date = \"{(text.Length >= 10 ? text[..10] : text)}\".");
            return null;
        }
        if (!IsString(value, out var date))
        {
            Error($"Expected \"{key}\" to be of type string but got {Show(value)}. {SetHint("compatibility_date", $"\"{Today()}\"")}");
            return null;
        }
        return CheckCompatibilityDate(date, $"\"{key}\"", SetHint("compatibility_date", $"\"{Today()}\"")) is { } problem ? Fail(problem) : date;

        string? Fail(string problem) { Error(problem); return null; }
    }

    /// <summary>Null when <paramref name="date"/> is a real YYYY-MM-DD date that is not in the future.</summary>
    internal static string? CheckCompatibilityDate(string date, string what, string fix)
    {
        if (date.Contains('–') || date.Contains('—'))
            return $"{what} field should use ISO-8601 accepted hyphens (-) rather than en-dashes (–) or em-dashes (—). {fix}";
        if (!DateRegex().IsMatch(date) || !DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
            return $"{what} field should be a valid ISO-8601 date (YYYY-MM-DD), but got \"{date}\". {fix}";
        // A day of grace: east of UTC it is already tomorrow.
        var latest = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(1);
        if (parsed > latest)
            return $"{what} is \"{date}\", which is in the future. Use today's date or an earlier one. {fix}";
        return null;
    }

    internal static string Today() => DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private bool? LenientBool(JsonNode? value, string key)
    {
        if (IsBool(value, out var b)) return b;
        Warn($"\"{key}\" should be true or false but got {Show(value)}; it is ignored.", key);
        return null;
    }

    private List<string>? ReadStringArray(JsonNode? value, string key, string message)
    {
        if (value is JsonArray array && array.All(i => IsString(i, out _)))
            return array.Select(i => i!.GetValue<string>()).ToList();
        Error(message);
        return null;
    }

    private List<(ModuleRule, bool?, string)> ReadRules(JsonNode? value, string key)
    {
        var result = new List<(ModuleRule, bool?, string)>();
        if (value is not JsonArray array)
        {
            Error($"The field \"{key}\" should be an array but got {Show(value)}. {ArrayHint("rules", "type = \"Text\"\nglobs = [\"**/*.md\"]")}");
            return result;
        }
        var types = string.Join(", ", Enum.GetNames<ModuleType>().Select(n => $"\"{n}\""));
        for (var i = 0; i < array.Count; i++)
        {
            var path = $"{key}[{i}]";
            if (array[i] is not JsonObject rule)
            {
                Error($"\"{path}\" should be an object but got {Show(array[i])}.");
                continue;
            }
            var ok = true;
            ModuleType type = default;
            if (!IsString(rule["type"], out var typeName) || !Enum.TryParse(typeName, false, out type) || !Enum.IsDefined(type) || char.IsDigit(typeName[0]))
            {
                Error($"\"{path}\" should have a string \"type\" field, which contains one of {types}, but got {Show(rule)}. {AddOrSetHint(rule, "type", "\"Text\"")}");
                ok = false;
            }
            List<string>? globs = null;
            if (!rule.ContainsKey("globs"))
            {
                Error($"\"{path}.globs\" is a required field. {AddHint("globs", "[\"**/*.txt\"]")}");
                ok = false;
            }
            else
            {
                globs = ReadStringArray(rule["globs"], $"{path}.globs", $"Expected \"{path}.globs\" to be an array of strings but got {Show(rule["globs"])}. {SetHint("globs", "[\"**/*.txt\"]")}");
                ok &= globs is not null;
            }
            bool? fallthrough = null;
            if (rule.ContainsKey("fallthrough"))
            {
                if (IsBool(rule["fallthrough"], out var f)) fallthrough = f;
                else
                {
                    Error($"\"{path}.fallthrough\", when present, should be a boolean but got {Show(rule["fallthrough"])}. {SetHint("fallthrough", "true")}");
                    ok = false;
                }
            }
            if (ok) result.Add((new ModuleRule(type, globs!, fallthrough == true), fallthrough, path));
        }
        return result;
    }

    private List<string> ReadTriggers(JsonNode? value, string key)
    {
        if (value is null) return [];
        if (value is not JsonObject triggers)
        {
            Error($"Expected \"{key}\" to be of type object but got {Show(value)}. {TableHint("triggers", "crons = [\"*/5 * * * *\"]")}");
            return [];
        }
        WarnUnexpected(triggers, key, "crons", "events");
        if (!triggers.ContainsKey("crons")) return [];
        var crons = ReadStringArray(triggers["crons"], $"{key}.crons",
            $"Expected \"{key}.crons\" to be an array of cron expressions (strings) but got {Show(triggers["crons"])}. {SetHint("crons", "[\"*/5 * * * *\"]")}") ?? [];
        for (var i = 0; i < crons.Count; i++)
        {
            try { Cron.CronSchedule.Parse(crons[i]); }
            catch (FormatException ex) { Error($"\"{key}.crons[{i}]\" is not a valid cron expression: \"{crons[i]}\": {ex.Message}."); }
        }
        return crons;
    }

    private AssetsConfig? ReadAssets(JsonNode? value, string key)
    {
        if (value is not JsonObject assets)
        {
            Error($"\"{key}\" should be an object but got {Show(value)}. {TableHint("assets", "directory = \"./public\"")}");
            return null;
        }
        var ok = OptionalString(assets, key, "directory", "\"./public\"", out var directory);
        ok &= OptionalString(assets, key, "binding", "\"ASSETS\"", out var binding);
        ok &= OptionalChoice(assets, key, "html_handling", ["auto-trailing-slash", "force-trailing-slash", "drop-trailing-slash", "none"], out var html);
        ok &= OptionalChoice(assets, key, "not_found_handling", ["single-page-application", "404-page", "none"], out var notFound);
        bool? runFirst = null;
        List<string>? runFirstPatterns = null;
        if (assets.ContainsKey("run_worker_first"))
        {
            var r = assets["run_worker_first"];
            if (IsBool(r, out var b)) runFirst = b;
            else if (r is JsonArray a && a.All(i => IsString(i, out _))) runFirstPatterns = a.Select(i => i!.GetValue<string>()).ToList();
            else
            {
                Error($"The field \"{key}.run_worker_first\" should be an array of strings or a boolean, but got {Show(r)}. {SetHint("run_worker_first", "true")}");
                ok = false;
            }
        }
        WarnUnexpected(assets, key, "directory", "binding", "html_handling", "not_found_handling", "run_worker_first");
        if (!ok) return null;
        if (directory is null)
        {
            Error($"\"{key}.directory\" is required: the directory of static files to serve. {AddHint("directory", "\"./public\"")}");
            return null;
        }
        var full = Path.GetFullPath(Path.Combine(_dir, directory));
        return new AssetsConfig(full, binding, html, notFound, runFirst) { RunWorkerFirstPatterns = runFirstPatterns };
    }

    private WorkerLimits ReadLimits(JsonNode? value, string key)
    {
        if (value is not JsonObject limits)
        {
            Error($"The field \"{key}\" should be an object but got {Show(value)}. {TableHint("limits", "cpu_ms = 50")}");
            return new WorkerLimits();
        }
        OptionalInt(limits, key, "cpu_ms", "50", out var cpu, min: 1);
        OptionalInt(limits, key, "subrequests", "50", out var subrequests, min: 0);
        return new WorkerLimits { CpuMs = cpu, Subrequests = subrequests };
    }

    private List<DurableObjectMigration> ReadMigrations(JsonNode? value, string key)
    {
        var result = new List<DurableObjectMigration>();
        if (value is not JsonArray array)
        {
            Error($"The optional \"{key}\" field should be an array, but got {Show(value)}. {ArrayHint("migrations", "tag = \"v1\"\nnew_sqlite_classes = [\"MyDurableObject\"]")}");
            return result;
        }
        for (var i = 0; i < array.Count; i++)
        {
            var path = $"{key}[{i}]";
            if (array[i] is not JsonObject m)
            {
                Error($"\"{path}\" should be an object but got {Show(array[i])}. {ArrayHint("migrations", "tag = \"v1\"\nnew_sqlite_classes = [\"MyDurableObject\"]")}");
                continue;
            }
            WarnUnexpected(m, path, "tag", "new_classes", "new_sqlite_classes", "renamed_classes", "deleted_classes", "transferred_classes");
            var ok = true;
            if (!IsString(m["tag"], out var tag))
            {
                Error(m.ContainsKey("tag")
                    ? $"Expected \"{path}.tag\" to be of type string but got {Show(m["tag"])}. {SetHint("tag", "\"v1\"")}"
                    : $"\"{path}.tag\" is a required field. {AddHint("tag", "\"v1\"")}");
                ok = false;
            }
            List<string> Classes(string field)
            {
                if (!m.ContainsKey(field)) return [];
                var list = ReadStringArray(m[field], $"{path}.{field}", $"Expected \"{path}.{field}\" to be an array of class names (strings) but got {Show(m[field])}. {SetHint(field, "[\"MyDurableObject\"]")}");
                if (list is null) ok = false;
                return list ?? [];
            }
            var newClasses = Classes("new_classes");
            var newSqlite = Classes("new_sqlite_classes");
            var deleted = Classes("deleted_classes");
            var renamed = new List<(string, string)>();
            if (m.ContainsKey("renamed_classes"))
            {
                if (m["renamed_classes"] is JsonArray ra && ra.All(r => r is JsonObject ro && IsString(ro["from"], out _) && IsString(ro["to"], out _)))
                    renamed.AddRange(ra.Select(r => (r!["from"]!.GetValue<string>(), r["to"]!.GetValue<string>())));
                else
                {
                    Error($"Expected \"{path}.renamed_classes\" to be an array of \"{{from: string, to: string}}\" objects but got {Show(m["renamed_classes"])}. " +
                          (IsToml ? "Write renamed_classes = [{ from = \"OldName\", to = \"NewName\" }]." : "Write \"renamed_classes\": [{ \"from\": \"OldName\", \"to\": \"NewName\" }]."));
                    ok = false;
                }
            }
            if (ok) result.Add(new DurableObjectMigration(tag!, newClasses, newSqlite, renamed, deleted));
        }
        return result;
    }

    private void ReadDev(JsonObject root)
    {
        if (!root.ContainsKey("dev")) return;
        if (root["dev"] is not JsonObject dev)
        {
            Warn($"\"dev\" should be an object but got {Show(root["dev"])}; it is ignored.", "dev");
            return;
        }
        string? ip = null;
        int? port = null;
        string? protocol = null;
        if (dev.ContainsKey("ip") && !IsString(dev["ip"], out ip)) Warn($"\"dev.ip\" should be a string but got {Show(dev["ip"])}; it is ignored.", "dev.ip");
        if (dev.ContainsKey("port"))
        {
            if (AsInt(dev["port"]) is int p and >= 0 and <= 65535) port = p;
            else Warn($"\"dev.port\" should be a port number but got {Show(dev["port"])}; it is ignored.", "dev.port");
        }
        if (dev.ContainsKey("local_protocol") && !IsString(dev["local_protocol"], out protocol))
            Warn($"\"dev.local_protocol\" should be \"http\" or \"https\" but got {Show(dev["local_protocol"])}; it is ignored.", "dev.local_protocol");
        Dev = new DevSettings { Ip = ip, Port = port, LocalProtocol = protocol };
    }

    public DevSettings Dev { get; private set; } = new();

    // ───────────────────────────── vars and secrets ─────────────────────────────

    private void ReadVars(JsonNode? value, string key, EnvironmentSettings env)
    {
        if (value is not JsonObject vars)
        {
            Error($"The field \"{key}\" should be an object but got {Show(value)}. {TableHint("vars", "API_HOST = \"example.com\"")}");
            return;
        }
        foreach (var (name, v) in vars)
        {
            if (v is not null && file.TomlDates.Contains(v))
            {
                Error($"The field \"{key}.{name}\" is a TOML date, which is not supported. Please use a string instead, e.g. {name} = \"{v.GetValue<string>()}\".");
                continue;
            }
            env.Vars[name] = v?.DeepClone();
            env.BindingNames.Add(new BindingName(name, "Environment Variable", $"{key}.{name}", "vars"));
        }
    }

    private List<string>? ReadSecrets(JsonNode? value, string key)
    {
        if (value is not JsonObject secrets)
        {
            Error($"The field \"{key}\" should be an object but got {Show(value)}. {TableHint("secrets", "required = [\"API_KEY\"]")}");
            return null;
        }
        WarnUnexpected(secrets, key, "required");
        if (!secrets.ContainsKey("required")) return [];
        return ReadStringArray(secrets["required"], $"{key}.required",
            $"Expected \"{key}.required\" to be an array of secret names (strings) but got {Show(secrets["required"])}. {SetHint("required", "[\"API_KEY\"]")}") ?? [];
    }

    // ───────────────────────────── bindings ─────────────────────────────

    private void ReadArray(JsonNode? value, string key, Action<JsonObject, string> readItem)
    {
        if (value is not JsonArray array)
        {
            var section = key[(key.LastIndexOf('.') + 1)..];
            Error($"The field \"{key}\" should be an array but got {Show(value)}. " +
                  (IsToml ? $"Write each entry as a [[{section}]] table." : $"Write \"{section}\": [ {{ ... }} ]."));
            return;
        }
        for (var i = 0; i < array.Count; i++)
        {
            var path = $"{key}[{i}]";
            if (array[i] is JsonObject o) readItem(o, path);
            else
            {
                var section = key[(key.LastIndexOf('.') + 1)..];
                Error($"\"{section}\" bindings should be objects, but got {Show(array[i])} at \"{path}\".");
            }
        }
    }

    private void ReadKv(JsonObject o, string key, EnvironmentSettings env, bool active)
    {
        var ok = RequiredBindingString(o, key, "binding", "\"MY_KV\"", out var binding);
        if (!IsOptional(o, "id", "string") || (IsString(o["id"], out var id0) && id0.Length == 0))
        {
            Error($"\"{key}\" bindings should have a string \"id\" field but got {Show(o)}. {SetHint("id", "\"<namespace id>\"")}, or remove it: locally the binding name is used.");
            ok = false;
        }
        if (!IsOptional(o, "preview_id", "string"))
        {
            Error($"\"{key}\" bindings should, optionally, have a string \"preview_id\" field but got {Show(o)}.");
            ok = false;
        }
        ok &= CheckRemote(o, key, active);
        WarnUnexpected(o, key, "binding", "id", "preview_id", "remote");
        if (!ok) return;
        IsString(o["id"], out var id);
        IsString(o["preview_id"], out var previewId);
        env.Kv.Add(new KvNamespaceBinding(binding!, id ?? binding!, previewId));
        env.BindingNames.Add(new BindingName(binding!, "KV Namespace", key, "kv_namespaces"));
    }

    private void ReadD1(JsonObject o, string key, EnvironmentSettings env, bool active)
    {
        var ok = RequiredBindingString(o, key, "binding", "\"DB\"", out var binding);
        foreach (var field in new[] { "database_id", "database_name", "preview_database_id", "migrations_dir", "migrations_table", "migrations_pattern", "database_internal_env" })
        {
            if (IsOptional(o, field, "string")) continue;
            Error($"\"{key}\" bindings should, optionally, have a string \"{field}\" field but got {Show(o)}. {SetHint(field, field == "migrations_dir" ? "\"migrations\"" : "\"...\"")}");
            ok = false;
        }
        ok &= CheckRemote(o, key, active);
        WarnUnexpected(o, key, "binding", "database_id", "database_internal_env", "database_name", "migrations_dir", "migrations_pattern", "migrations_table", "preview_database_id", "remote");
        if (!ok) return;
        IsString(o["database_name"], out var name);
        IsString(o["database_id"], out var id);
        IsString(o["preview_database_id"], out var previewId);
        IsString(o["migrations_dir"], out var migrationsDir);
        IsString(o["migrations_table"], out var migrationsTable);
        env.D1.Add(new D1DatabaseBinding(binding!, name ?? binding!, id ?? binding!,
            Path.GetFullPath(Path.Combine(_dir, migrationsDir ?? "migrations")), migrationsTable ?? "d1_migrations")
        {
            PreviewDatabaseId = previewId,
        });
        env.BindingNames.Add(new BindingName(binding!, "D1 Database", key, "d1_databases"));
    }

    private void ReadR2(JsonObject o, string key, EnvironmentSettings env, bool active)
    {
        const string bucketFormat = "Bucket names must begin and end with an alphanumeric character, only contain lowercase letters, numbers, and hyphens, and be between 3 and 63 characters long.";
        var ok = RequiredBindingString(o, key, "binding", "\"MY_BUCKET\"", out var binding);
        if (!IsOptional(o, "bucket_name", "string") || (IsString(o["bucket_name"], out var b0) && b0.Length == 0))
        {
            Error($"\"{key}\" bindings should have a string \"bucket_name\" field but got {Show(o)}. {SetHint("bucket_name", "\"my-bucket\"")}");
            ok = false;
        }
        else if (IsString(o["bucket_name"], out var bucket) && !BucketRegex().IsMatch(bucket))
        {
            Error($"{key}.bucket_name={Show(o["bucket_name"])} is invalid. {bucketFormat}");
            ok = false;
        }
        if (!IsOptional(o, "preview_bucket_name", "string"))
        {
            Error($"\"{key}\" bindings should, optionally, have a string \"preview_bucket_name\" field but got {Show(o)}.");
            ok = false;
        }
        else if (IsString(o["preview_bucket_name"], out var preview) && !BucketRegex().IsMatch(preview))
        {
            Error($"{key}.preview_bucket_name={Show(o["preview_bucket_name"])} is invalid. {bucketFormat}");
            ok = false;
        }
        if (!IsOptional(o, "jurisdiction", "string"))
        {
            Error($"\"{key}\" bindings should, optionally, have a string \"jurisdiction\" field but got {Show(o)}. {SetHint("jurisdiction", "\"eu\"")}");
            ok = false;
        }
        if (o.ContainsKey("local_dev") && o["local_dev"] is not JsonObject)
        {
            Error($"\"{key}\" bindings should, optionally, have an object \"local_dev\" field but got {Show(o)}.");
            ok = false;
        }
        ok &= CheckRemote(o, key, active);
        WarnUnexpected(o, key, "binding", "bucket_name", "preview_bucket_name", "jurisdiction", "remote", "local_dev");
        if (!ok) return;
        IsString(o["bucket_name"], out var bucketName);
        IsString(o["preview_bucket_name"], out var previewBucket);
        IsString(o["jurisdiction"], out var jurisdiction);
        env.R2.Add(new R2BucketBinding(binding!, bucketName ?? binding!, previewBucket, jurisdiction));
        env.BindingNames.Add(new BindingName(binding!, "R2 Bucket", key, "r2_buckets"));
    }

    private void ReadDurableObjects(JsonNode? value, string key, EnvironmentSettings env)
    {
        if (value is not JsonObject dos)
        {
            Error($"The field \"{key}\" should be an object but got {Show(value)}. {(IsToml ? "Write [[durable_objects.bindings]] tables." : "Write \"durable_objects\": { \"bindings\": [ ... ] }.")}");
            return;
        }
        if (!dos.ContainsKey("bindings"))
        {
            Error($"The field \"{key}\" is missing the required \"bindings\" property. " +
                  (IsToml ? "Write [[durable_objects.bindings]]\nname = \"MY_DO\"\nclass_name = \"MyDurableObject\"" : "Write \"durable_objects\": { \"bindings\": [{ \"name\": \"MY_DO\", \"class_name\": \"MyDurableObject\" }] }."));
            return;
        }
        if (dos["bindings"] is not JsonArray bindings)
        {
            Error($"The field \"{key}.bindings\" should be an array but got {Show(dos["bindings"])}.");
            return;
        }
        WarnUnexpected(dos, key, "bindings");
        for (var i = 0; i < bindings.Count; i++)
        {
            var path = $"{key}.bindings[{i}]";
            if (bindings[i] is not JsonObject o)
            {
                Error($"Expected \"{path}\" to be an object but got {Show(bindings[i])}.");
                continue;
            }
            var ok = RequiredBindingString(o, path, "name", "\"MY_DO\"", out var name);
            ok &= RequiredBindingString(o, path, "class_name", "\"MyDurableObject\"", out var className);
            if (!IsOptional(o, "script_name", "string"))
            {
                Error($"\"{path}.script_name\", when present, should be a string but got {Show(o["script_name"])}. {SetHint("script_name", "\"other-worker\"")}");
                ok = false;
            }
            if (!IsOptional(o, "environment", "string"))
            {
                Error($"\"{path}.environment\", when present, should be a string but got {Show(o["environment"])}.");
                ok = false;
            }
            else if (o.ContainsKey("environment") && !o.ContainsKey("script_name"))
            {
                Error($"\"{path}\" should have a \"script_name\" field if \"environment\" is present. {AddHint("script_name", "\"other-worker\"")}");
                ok = false;
            }
            WarnUnexpected(o, path, "class_name", "environment", "name", "script_name");
            if (!ok) continue;
            IsString(o["script_name"], out var script);
            IsString(o["environment"], out var scriptEnv);
            env.DurableObjects.Add(new DurableObjectBinding(name!, className!, script) { Environment = scriptEnv });
            env.BindingNames.Add(new BindingName(name!, "Durable Object", path, "durable_objects"));
        }
    }

    private void ReadQueues(JsonNode? value, string key, EnvironmentSettings env, bool active)
    {
        if (value is not JsonObject queues)
        {
            Error($"The field \"{key}\" should be an object but got {Show(value)}. {(IsToml ? "Write [[queues.producers]] and [[queues.consumers]] tables." : "Write \"queues\": { \"producers\": [ ... ], \"consumers\": [ ... ] }.")}");
            return;
        }
        WarnUnexpected(queues, key, "producers", "consumers");
        if (queues.ContainsKey("producers"))
            ReadArray(queues["producers"], $"{key}.producers", (o, path) => ReadQueueProducer(o, path, env, active));
        if (queues.ContainsKey("consumers"))
            ReadArray(queues["consumers"], $"{key}.consumers", (o, path) => ReadQueueConsumer(o, path, env));
    }

    private void ReadQueueProducer(JsonObject o, string key, EnvironmentSettings env, bool active)
    {
        var ok = RequiredBindingString(o, key, "binding", "\"MY_QUEUE\"", out var binding);
        if (!IsOptional(o, "queue", "string") || (IsString(o["queue"], out var q0) && q0.Length == 0))
        {
            Error($"\"{key}\" bindings should optionally have a non-empty string \"queue\" field but got {Show(o)}. {SetHint("queue", "\"my-queue\"")}");
            ok = false;
        }
        ok &= OptionalInt(o, key, "delivery_delay", "0", out var delay, min: 0);
        ok &= CheckRemote(o, key, active);
        WarnUnexpected(o, key, "binding", "queue", "delivery_delay", "remote");
        if (!ok) return;
        IsString(o["queue"], out var queue);
        env.QueueProducers.Add(new QueueProducerBinding(binding!, queue ?? binding!, delay));
        env.BindingNames.Add(new BindingName(binding!, "Queue", key, "queues"));
    }

    private void ReadQueueConsumer(JsonObject o, string key, EnvironmentSettings env)
    {
        var ok = true;
        if (!IsString(o["queue"], out var queue) || queue.Length == 0)
        {
            Error($"\"{key}\" should have a string \"queue\" field but got {Show(o)}. {AddOrSetHint(o, "queue", "\"my-queue\"")}");
            ok = false;
        }
        if (o.ContainsKey("type") && (!IsString(o["type"], out var type) || type != "worker"))
        {
            Error($"\"{key}.type\" has an invalid value {Show(o["type"])}. Only \"worker\" consumers can be configured in your Wrangler configuration; remove \"type\".");
            ok = false;
        }
        ok &= OptionalInt(o, key, "max_batch_size", "10", out var batchSize, min: 1);
        ok &= OptionalInt(o, key, "max_batch_timeout", "5", out var batchTimeout, min: 0);
        ok &= OptionalInt(o, key, "max_retries", "3", out var retries, min: 0);
        ok &= OptionalString(o, key, "dead_letter_queue", "\"my-dlq\"", out var dlq);
        ok &= OptionalInt(o, key, "max_concurrency", "1", out var concurrency, min: 1);
        ok &= OptionalInt(o, key, "retry_delay", "0", out var retryDelay, min: 0);
        ok &= OptionalInt(o, key, "visibility_timeout_ms", "30000", out _, min: 0);
        WarnUnexpected(o, key, "queue", "type", "max_batch_size", "max_batch_timeout", "max_retries", "dead_letter_queue", "max_concurrency", "visibility_timeout_ms", "retry_delay");
        if (!ok) return;
        env.QueueConsumers.Add(new QueueConsumerConfig(queue!, batchSize, batchTimeout, retries, dlq, concurrency, retryDelay));
    }

    private void ReadService(JsonObject o, string key, EnvironmentSettings env, bool active)
    {
        var ok = RequiredBindingString(o, key, "binding", "\"MY_SERVICE\"", out var binding);
        ok &= RequiredBindingString(o, key, "service", "\"other-worker\"", out var service);
        foreach (var (field, example) in new[] { ("environment", "\"production\""), ("entrypoint", "\"MyEntrypoint\"") })
        {
            if (IsOptional(o, field, "string")) continue;
            Error($"\"{key}\" bindings should have a string \"{field}\" field but got {Show(o)}. {SetHint(field, example)}");
            ok = false;
        }
        JsonObject? props = null;
        if (o.ContainsKey("props"))
        {
            if (o["props"] is JsonObject p) props = (JsonObject)p.DeepClone();
            else
            {
                Error($"\"{key}.props\" should be an object but got {Show(o["props"])}.");
                ok = false;
            }
        }
        ok &= CheckRemote(o, key, active);
        if (!ok) return;
        IsString(o["entrypoint"], out var entrypoint);
        IsString(o["environment"], out var environment);
        env.Services.Add(new ServiceBinding(binding!, service!, entrypoint, environment) { Props = props });
        env.BindingNames.Add(new BindingName(binding!, "Worker", key, "services"));
    }

    private bool CheckRemote(JsonObject o, string key, bool active)
    {
        if (!o.ContainsKey("remote")) return true;
        if (!IsBool(o["remote"], out var remote))
        {
            Error($"\"{key}\" should, optionally, have a boolean \"remote\" field but got {Show(o)}.");
            return false;
        }
        if (remote && active) Warn($"\"{key}.remote\" is ignored: Flint runs every binding locally.", $"{key}.remote");
        return true;
    }

    // ───────────────────────────── cross checks ─────────────────────────────

    /// <summary>wrangler's "bindings must have unique names" check, naming where each one is declared.</summary>
    public void CheckUniqueNames(EnvironmentSettings env)
    {
        var duplicates = false;
        foreach (var group in env.BindingNames.GroupBy(b => b.Name, StringComparer.Ordinal))
        {
            var list = group.ToList();
            if (list.Count < 2) continue;
            duplicates = true;
            var kinds = list.Select(b => b.Kind).Distinct().ToList();
            if (kinds.Count > 1)
            {
                var parts = kinds.Select(k => $"{k} ({string.Join(", ", list.Where(b => b.Kind == k).Select(b => b.Key))})").ToList();
                Error($"{group.Key} assigned to {JoinEnglish(parts)} bindings.");
            }
            foreach (var kind in list.GroupBy(b => b.Kind).Where(g => g.Count() > 1))
                Error($"{group.Key} assigned to multiple {kind.Key} bindings ({string.Join(", ", kind.Select(b => b.Key))}).");
        }
        if (duplicates)
            Error("Bindings must have unique names, so that they can all be referenced in the worker.\nPlease change your bindings to have unique names.");
    }

    /// <summary>Checks what must exist on disk for the environment that will run (inherited settings included).</summary>
    public void CheckPaths(EnvironmentSettings env)
    {
        if (env.Assets is { } assets && !Directory.Exists(assets.Directory))
        {
            Error($"The directory specified by the \"{env.AssetsKey}.directory\" field does not exist: {assets.Directory}. " +
                  $"Create it or point \"{env.AssetsKey}.directory\" at your static files.");
        }
    }

    private void WarnMissingInheritedBindings(string envName, EnvironmentSettings top, EnvironmentSettings env, JsonObject raw)
    {
        foreach (var section in new[] { "vars", "kv_namespaces", "d1_databases", "r2_buckets", "durable_objects", "queues", "services" })
        {
            if (!raw.ContainsKey(section)) continue;
            var mine = env.BindingNames.Where(b => b.Section == section).Select(b => b.Name).ToHashSet(StringComparer.Ordinal);
            var missing = top.BindingNames.Where(b => b.Section == section && !mine.Contains(b.Name)).Select(b => b.Name).ToList();
            if (missing.Count == 0) continue;
            Warn(section == "vars"
                ? $"The following vars exist at the top level, but not on \"env.{envName}.vars\".\n" +
                  $"This is probably not what you want, since \"vars\" configuration is not inherited by environments.\n" +
                  $"Please add these vars to \"env.{envName}.vars\":\n" + string.Join("\n", missing.Select(m => $"- {m}"))
                : $"The following {section} bindings are at the top level, but not on \"env.{envName}\".\n" +
                  $"This is not what you probably want, since \"{section}\" configuration is not inherited by environments.\n" +
                  $"Please add a binding for each to \"env.{envName}.{section}\":\n" + string.Join("\n", missing.Select(m => $"- {m}")),
                $"env.{envName}.{section}");
        }
    }

    /// <summary>
    /// The user's rules then the defaults; the first rule of a type without <c>fallthrough = true</c>
    /// hides every later rule of that type, with wrangler's warning unless it says <c>fallthrough = false</c>.
    /// </summary>
    public List<ModuleRule> ResolveRules(EnvironmentSettings env)
    {
        var all = env.Rules.Select(r => (r.Rule, r.FallThrough, Default: false))
            .Concat(ModuleRule.Defaults.Select(r => (Rule: r, FallThrough: (bool?)null, Default: true))).ToList();
        var completed = new Dictionary<ModuleType, int>();
        var redundant = new Dictionary<ModuleType, List<int>>();
        var kept = new List<ModuleRule>();
        for (var i = 0; i < all.Count; i++)
        {
            var (rule, fallthrough, _) = all[i];
            if (completed.TryGetValue(rule.Type, out var by))
            {
                // Flint's own JavaScript defaults are not wrangler's: hiding them is nothing to warn about.
                var flintOnlyDefault = all[i].Default && rule.Type is ModuleType.ESModule or ModuleType.CommonJS;
                if (all[by].FallThrough != false && !flintOnlyDefault)
                {
                    if (!redundant.TryGetValue(rule.Type, out var list)) redundant[rule.Type] = list = [];
                    list.Add(i);
                }
                continue;
            }
            if (fallthrough != true) completed[rule.Type] = i;
            kept.Add(rule);
        }
        foreach (var (type, indexes) in redundant)
        {
            // Only the user's own rule can be told to fall through; a default hiding a default is by design.
            var by = completed[type];
            if (all[by].Default) continue;
            var ignored = string.Join("\n", indexes.Select(i => $" {RuleJson(all[i].Rule, all[i].FallThrough)}{(all[i].Default ? " (DEFAULT)" : "")}"));
            Warn($"The module rule {RuleJson(all[by].Rule, all[by].FallThrough)} does not have a fallback, the following rules will be ignored:\n{ignored}\n\n" +
                 "Add `fallthrough = true` to rule to allow next rule to be used or `fallthrough = false` to silence this warning", env.Rules[by].Key);
        }
        return kept;
    }

    private static string RuleJson(ModuleRule rule, bool? fallthrough)
    {
        var o = new JsonObject { ["type"] = rule.Type.ToString(), ["globs"] = new JsonArray(rule.Globs.Select(g => (JsonNode?)JsonValue.Create(g)).ToArray()) };
        if (fallthrough is bool f) o["fallthrough"] = f;
        return o.ToJsonString(DisplayJson);
    }

    // ───────────────────────────── helpers ─────────────────────────────

    private bool RequiredBindingString(JsonObject o, string key, string field, string example, out string? value)
    {
        if (IsString(o[field], out value) && o.ContainsKey(field)) return true;
        Error($"\"{key}\" bindings should have a string \"{field}\" field but got {Show(o)}. {AddOrSetHint(o, field, example)}");
        value = null;
        return false;
    }

    private bool OptionalString(JsonObject o, string key, string field, string example, out string? value)
    {
        value = null;
        if (!o.ContainsKey(field)) return true;
        if (IsString(o[field], out value)) return true;
        Error($"Expected \"{key}.{field}\" to be of type string but got {Show(o[field])}. {SetHint(field, example)}");
        return false;
    }

    private bool OptionalChoice(JsonObject o, string key, string field, string[] choices, out string? value)
    {
        if (!OptionalString(o, key, field, $"\"{choices[0]}\"", out value)) return false;
        if (value is null || choices.Contains(value)) return true;
        Error($"Expected \"{key}.{field}\" field to be one of {JsonSerializer.Serialize(choices, DisplayJson)} but got {Show(o[field])}.");
        value = null;
        return false;
    }

    private bool OptionalInt(JsonObject o, string key, string field, string example, out int? value, int min)
    {
        value = null;
        if (!o.ContainsKey(field)) return true;
        var node = o[field];
        if (JsType(node) != "number")
        {
            Error($"Expected \"{key}.{field}\" to be of type number but got {Show(node)}. {SetHint(field, example)}");
            return false;
        }
        if (AsInt(node) is not int i || i < min)
        {
            Error($"Expected \"{key}.{field}\" to be a whole number{(min > 0 ? $" of at least {min}" : min == 0 ? " (0 or more)" : "")} but got {Show(node)}. {SetHint(field, example)}");
            return false;
        }
        value = i;
        return true;
    }

    private void WarnUnexpected(JsonObject o, string key, params string[] known)
    {
        var unexpected = o.Select(p => p.Key).Where(k => !known.Contains(k)).ToList();
        if (unexpected.Count > 0)
            Warn($"Unexpected fields found in {key} field: {string.Join(",", unexpected.Select(k => $"\"{k}\""))}", $"{key}.{unexpected[0]}");
    }

    /// <summary>An empty array, an empty object, or an object whose only array (<c>bindings</c>) is empty.</summary>
    private static bool IsEmptySection(JsonNode? value) => value switch
    {
        JsonArray a => a.Count == 0,
        JsonObject o => o.All(p => p.Value is JsonArray { Count: 0 } or JsonObject { Count: 0 }),
        _ => false,
    };

    private IEnumerable<string> GetBindingNames(JsonNode? value)
    {
        switch (value)
        {
            case JsonObject o when o["bindings"] is JsonArray bindings:
                return bindings.OfType<JsonObject>().Select(b => IsString(b["name"], out var n) ? n : null).OfType<string>();
            case JsonArray a:
                return a.OfType<JsonObject>().Select(b => IsString(b["binding"], out var n) ? n : IsString(b["name"], out var m) ? m : null).OfType<string>();
            case JsonObject o when IsString(o["binding"], out var single):
                return [single];
            default:
                return [];
        }
    }

    private void Error(string message) => Errors.Add(message);

    private void Warn(string message, string? key) => Warnings.Add(new ConfigWarning($"{file.Path}: {message}", file.Path, key));

    /// <summary>JavaScript's <c>typeof</c> for a config value (TOML dates count as "object", as JS Date objects do).</summary>
    internal string JsType(JsonNode? node) => node switch
    {
        null => "object",
        JsonObject or JsonArray => "object",
        JsonValue v when file.TomlDates.Contains(v) => "object",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.Number => "number",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            _ => "object",
        },
        _ => "object",
    };

    private bool IsOptional(JsonObject o, string field, string type) => !o.ContainsKey(field) || JsType(o[field]) == type;

    private bool IsString(JsonNode? node, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value)
    {
        value = null;
        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.String && !file.TomlDates.Contains(v))
        {
            value = v.GetValue<string>();
            return true;
        }
        return false;
    }

    private static bool IsBool(JsonNode? node, out bool value)
    {
        value = false;
        if (node is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
        {
            value = v.GetValueKind() == JsonValueKind.True;
            return true;
        }
        return false;
    }

    internal static int? AsInt(JsonNode? node)
    {
        if (node is not JsonValue v || v.GetValueKind() != JsonValueKind.Number) return null;
        if (v.TryGetValue<long>(out var l)) return l is >= int.MinValue and <= int.MaxValue ? (int)l : null;
        if (v.TryGetValue<int>(out var i)) return i;
        if (v.TryGetValue<double>(out var d)) return d == Math.Floor(d) && d is >= int.MinValue and <= int.MaxValue ? (int)d : null;
        if (v.TryGetValue<JsonElement>(out var e))
        {
            if (e.TryGetInt32(out var ei)) return ei;
            if (e.TryGetDouble(out var ed) && ed == Math.Floor(ed) && ed is >= int.MinValue and <= int.MaxValue) return (int)ed;
        }
        return null;
    }

    /// <summary>A value as JSON.stringify shows it in wrangler's messages.</summary>
    internal static string Show(JsonNode? node) => node is null ? "null" : node.ToJsonString(DisplayJson);

    private string Example(string key, string value) => IsToml ? $"{key} = {value}" : $"\"{key}\": {value}";

    private string AddHint(string field, string example) => $"Add {Example(field, example)}.";
    private string SetHint(string field, string example) => $"Set {Example(field, example)}.";
    private string AddOrSetHint(JsonObject o, string field, string example) => o.ContainsKey(field) ? SetHint(field, example) : AddHint(field, example);

    private string TableHint(string section, string body) => IsToml
        ? $"Write it as a table:\n[{section}]\n{body}"
        : $"Write it as an object: \"{section}\": {{ {TomlBodyAsJson(body)} }}";

    private string ArrayHint(string section, string body) => IsToml
        ? $"Write each entry as a table:\n[[{section}]]\n{body}"
        : $"Write it as an array: \"{section}\": [{{ {TomlBodyAsJson(body)} }}]";

    private static string TomlBodyAsJson(string body) =>
        string.Join(", ", body.Split('\n').Select(line => line.Split(" = ", 2)).Select(p => $"\"{p[0]}\": {p[1]}"));

    private static string JoinEnglish(IReadOnlyList<string> parts) => parts.Count switch
    {
        1 => parts[0],
        2 => $"{parts[0]} and {parts[1]}",
        _ => $"{string.Join(", ", parts.Take(parts.Count - 1))}, and {parts[^1]}",
    };

    private static string Slug(string name)
    {
        var slug = SlugRegex().Replace(name.ToLowerInvariant(), "-").Trim('-');
        return slug.Length == 0 ? "my-worker" : slug;
    }

    [GeneratedRegex(@"^$|^[a-z0-9_][a-z0-9\-_]*$")]
    private static partial Regex NameRegex();

    [GeneratedRegex(@"[^a-z0-9_\-]+")]
    private static partial Regex SlugRegex();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}$")]
    private static partial Regex DateRegex();

    [GeneratedRegex(@"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")]
    private static partial Regex BucketRegex();
}
