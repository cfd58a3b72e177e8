using System.Text.Json;
using System.Text.Json.Nodes;
using Flint.Engine.Config;

namespace Flint.Engine.Tests.Config;

public class ConfigLoaderTests
{
    [Fact]
    public void TomlBasicsAndVarsOfEveryType()
    {
        using var w = TempWorker.Toml("""
            compatibility_flags = ["no_upper_case_all_http_methods"]

            [vars]
            TEXT = "hello"
            INT = 42
            FLOAT = 1.5
            FLAG = true
            LIST = [1, "two", false]
            NESTED = { a = { b = [1, 2] }, c = "d" }

            [limits]
            cpu_ms = 100

            [triggers]
            crons = ["*/5 * * * *", "0 0 * * *"]
            """);
        var (config, warnings) = w.Load();

        Assert.Empty(warnings);
        Assert.Equal(w.Path("wrangler.toml"), config.ConfigPath);
        Assert.Equal(w.Dir, config.BaseDirectory);
        Assert.Equal("w", config.Name);
        Assert.Equal(w.Path("src/index.js"), config.Main);
        Assert.Equal(w.Path("src"), config.ModuleRoot);
        Assert.Equal("2025-01-01", config.CompatibilityDate);
        Assert.Equal(["no_upper_case_all_http_methods"], config.CompatibilityFlags);
        Assert.False(config.Compatibility.IsEnabled("upper_case_all_http_methods"));
        Assert.Equal(100, config.Limits.CpuMs);
        Assert.Equal(["*/5 * * * *", "0 0 * * *"], config.CronTriggers);
        Assert.Equal(Path.Combine(w.Dir, ".flint"), config.PersistDirectory);
        Assert.Equal(ModuleRule.Defaults, config.Rules);

        Assert.Equal("hello", config.Vars["TEXT"]!.GetValue<string>());
        Assert.Equal(JsonValueKind.String, config.Vars["TEXT"]!.GetValueKind());
        Assert.Equal("42", config.Vars["INT"]!.ToJsonString());
        Assert.Equal("1.5", config.Vars["FLOAT"]!.ToJsonString());
        Assert.Equal("true", config.Vars["FLAG"]!.ToJsonString());
        Assert.Equal("""[1,"two",false]""", config.Vars["LIST"]!.ToJsonString());
        Assert.Equal("""{"a":{"b":[1,2]},"c":"d"}""", config.Vars["NESTED"]!.ToJsonString());
        Assert.Empty(config.SecretNames);
    }

    [Fact]
    public void JsoncWithCommentsAndTrailingCommas()
    {
        using var w = TempWorker.Json("""
            // A comment before everything
            {
              /* block comment */
              "name": "api",
              "main": "src/index.js", // trailing comment
              "compatibility_date": "2025-01-01",
              "vars": {
                "GREETING": "Hello",
                "FEATURES": { "streaming": true, "maxItems": 50, },
                "NOTHING": null,
              },
            }
            """);
        var (config, warnings) = w.Load();
        Assert.Empty(warnings);
        Assert.Equal("api", config.Name);
        Assert.Equal("Hello", config.Vars["GREETING"]!.GetValue<string>());
        Assert.Equal("""{"streaming":true,"maxItems":50}""", config.Vars["FEATURES"]!.ToJsonString());
        Assert.Null(config.Vars["NOTHING"]);
    }

    [Fact]
    public void PlainJsonAlsoToleratesComments()
    {
        using var w = TempWorker.Json("""{ "name": "j", "main": "src/index.js", /* ok */ "compatibility_date": "2025-01-01", }""", "wrangler.json");
        Assert.Equal("j", w.Load().Config.Name);
    }

    [Fact]
    public void DirectoryLookupPrefersJsonThenJsoncThenToml()
    {
        using var w = new TempWorker(("index.js", "export default {}"),
            ("wrangler.toml", "name = \"from-toml\"\nmain = \"index.js\"\ncompatibility_date = \"2025-01-01\""),
            ("wrangler.jsonc", """{ "name": "from-jsonc", "main": "index.js", "compatibility_date": "2025-01-01" }"""));
        Assert.Equal("from-jsonc", w.Load().Config.Name);

        w.Write("wrangler.json", """{ "name": "from-json", "main": "index.js", "compatibility_date": "2025-01-01" }""");
        Assert.Equal("from-json", w.Load().Config.Name);
        Assert.Equal(w.Path("wrangler.json"), w.Load().Config.ConfigPath);

        // Naming a file picks that one.
        Assert.Equal("from-toml", w.Load("wrangler.toml").Config.Name);
    }

    [Fact]
    public void ConfigFileElsewhereResolvesPathsAgainstItsOwnDirectory()
    {
        using var w = new TempWorker(("conf/custom.toml", "name = \"c\"\nmain = \"../app/worker.mjs\"\ncompatibility_date = \"2025-01-01\"\n"),
            ("app/worker.mjs", "export default {}"));
        var (config, _) = w.Load("conf/custom.toml");
        Assert.Equal(w.Path("app/worker.mjs"), config.Main);
        Assert.Equal(w.Path("conf"), config.BaseDirectory);
        Assert.Equal(Path.Combine(w.Path("conf"), ".flint"), config.PersistDirectory);
    }

    [Fact]
    public void BareScriptRunsWithoutConfig()
    {
        using var w = new TempWorker(("my-worker.mjs", "export default {}"), (".dev.vars", "TOKEN=abc"));
        var (config, warnings) = w.Load("my-worker.mjs", compatibilityDate: "2025-01-01");
        Assert.Null(config.ConfigPath);
        Assert.Equal("my-worker", config.Name);
        Assert.Equal(w.Path("my-worker.mjs"), config.Main);
        Assert.Equal(w.Dir, config.BaseDirectory);
        Assert.Equal(Path.Combine(w.Dir, ".flint"), config.PersistDirectory);
        Assert.Equal(ModuleRule.Defaults, config.Rules);
        Assert.Equal("2025-01-01", config.CompatibilityDate);
        Assert.Equal("abc", config.Vars["TOKEN"]!.GetValue<string>());
        Assert.Empty(warnings);

        var (_, noDate) = w.Load("my-worker.mjs");
        Assert.Contains(noDate, x => x.Message.Contains("--compatibility-date="));
    }

    [Fact]
    public void BareTypeScriptScriptIsAccepted()
    {
        using var w = new TempWorker(("index.ts", "export default {}"));
        Assert.Equal(w.Path("index.ts"), w.Load("index.ts").Config.Main);
    }

    [Fact]
    public void CommandLineOverridesPersistDirAndCompatibilityDate()
    {
        using var w = TempWorker.Toml();
        var persist = Path.Combine(w.Dir, "state", "..", "data");
        var (config, _) = w.Load(persistTo: persist, compatibilityDate: "2024-06-01");
        Assert.Equal(Path.GetFullPath(persist), config.PersistDirectory);
        Assert.Equal("2024-06-01", config.CompatibilityDate);

        var ex = w.LoadFails(compatibilityDate: "June 1st");
        Assert.Contains("--compatibility-date", ex.Message);
        Assert.Contains("YYYY-MM-DD", ex.Message);
    }

    [Fact]
    public void MissingCompatibilityDateIsAWarning()
    {
        using var w = TempWorker.Toml(header: "name = \"w\"\nmain = \"src/index.js\"\n");
        var (config, warnings) = w.Load();
        Assert.Null(config.CompatibilityDate);
        var warning = Assert.Single(warnings);
        Assert.Contains(w.Path("wrangler.toml"), warning.Message);
        Assert.Contains("compatibility_date = \"", warning.Message);
    }

    [Fact]
    public void NameDefaultsWhenAbsent()
    {
        using var w = TempWorker.Toml(header: "main = \"src/index.js\"\ncompatibility_date = \"2025-01-01\"\n");
        Assert.Equal("worker", w.Load().Config.Name);
    }

    [Fact]
    public void UnknownTopLevelKeyIsAWarningNamingFileAndKey()
    {
        using var w = TempWorker.Toml("foo = 1\nbar = \"x\"\n");
        var (_, warnings) = w.Load();
        var warning = Assert.Single(warnings);
        Assert.Contains(w.Path("wrangler.toml"), warning.Message);
        Assert.Contains("Unexpected fields found in top-level field: \"foo\",\"bar\"", warning.Message);
        Assert.Equal("foo", warning.Key);
    }

    [Fact]
    public void DeployOnlyKeysAreIgnoredSilently()
    {
        using var w = TempWorker.Toml("""
            account_id = "abc"
            workers_dev = true
            route = "example.com/*"
            routes = [{ pattern = "example.com/*", zone_name = "example.com" }]
            upload_source_maps = true
            keep_vars = true
            minify = true
            node_compat = true
            logpush = true
            tsconfig = "tsconfig.json"
            usage_model = "bundled"
            tail_consumers = [{ service = "tail" }]
            [build]
            command = "npm run build"
            [observability]
            enabled = true
            [placement]
            mode = "smart"
            [site]
            bucket = "./public"
            [dev]
            port = 8788
            ip = "0.0.0.0"
            """);
        var (config, warnings) = w.Load();
        Assert.Empty(warnings);
        Assert.Equal(8788, config.Dev.Port);
        Assert.Equal("0.0.0.0", config.Dev.Ip);
    }

    [Fact]
    public void NoBundleFindAdditionalModulesAndBaseDirAreReadLeniently()
    {
        using var w = TempWorker.Toml("no_bundle = true\nfind_additional_modules = true\nbase_dir = \"src\"\n");
        var (config, warnings) = w.Load();
        Assert.Empty(warnings);
        Assert.True(config.NoBundle);
        Assert.True(config.FindAdditionalModules);
        Assert.Equal(w.Path("src"), config.ModuleRoot);

        using var bad = TempWorker.Toml("no_bundle = \"yes\"\n");
        var (badConfig, badWarnings) = bad.Load();
        Assert.Null(badConfig.NoBundle);
        Assert.Contains(badWarnings, x => x.Message.Contains("\"no_bundle\""));
    }

    [Fact]
    public void UnsupportedBindingKindsWarn()
    {
        using var w = TempWorker.Toml("[ai]\nbinding = \"AI\"\n[[vectorize]]\nbinding = \"V\"\nindex_name = \"x\"\n");
        var (_, warnings) = w.Load();
        Assert.Contains(warnings, x => x.Message.Contains("\"ai\"") && x.Message.Contains("not supported by Flint"));
        Assert.Contains(warnings, x => x.Message.Contains("\"vectorize\"") && x.Message.Contains("not supported by Flint"));
    }

    [Fact]
    public void HyperdriveTakesItsConnectionStringAsWranglerDevDoes()
    {
        // localConnectionString, parsed with Miniflare's checks.
        using var w = TempWorker.Toml("[[hyperdrive]]\nbinding = \"HD\"\nid = \"x\"\nlocalConnectionString = \"postgresql://user:p%40ss@db.local/app\"\n");
        var (config, _) = w.Load();
        var origin = Assert.Single(config.Bindings.Hyperdrive).Origin;
        Assert.Equal(("postgresql", "db.local", 5432, "user", "p@ss", "app"), (origin.Scheme, origin.Host, origin.Port, origin.User, origin.Password, origin.Database));

        // Without one, wrangler's error naming the variable to set.
        using var missing = TempWorker.Toml("[[hyperdrive]]\nbinding = \"HD\"\nid = \"x\"\n");
        var error = Assert.Throws<ConfigException>(() => missing.Load());
        Assert.Contains("'CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_HD' variable or \"HD\"'s \"localConnectionString\"", error.Message);

        using var badScheme = TempWorker.Toml("[[hyperdrive]]\nbinding = \"HD\"\nid = \"x\"\nlocalConnectionString = \"redis://u:p@h/db\"\n");
        Assert.Contains("Only PostgreSQL-compatible or MySQL-compatible databases are currently supported.", Assert.Throws<ConfigException>(() => badScheme.Load()).Message);
        using var noPassword = TempWorker.Toml("[[hyperdrive]]\nbinding = \"HD\"\nid = \"x\"\nlocalConnectionString = \"mysql://u@h/db\"\n");
        Assert.Contains("You must provide a password", Assert.Throws<ConfigException>(() => noPassword.Load()).Message);
        // The environment variable wins over the config, as in wrangler dev (a name no other test uses).
        Environment.SetEnvironmentVariable("CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_HD_FROM_ENV", "postgres://env:pw@10.1.2.3:6543/fromenv");
        using var fromEnv = TempWorker.Toml("[[hyperdrive]]\nbinding = \"HD_FROM_ENV\"\nid = \"x\"\nlocalConnectionString = \"postgres://cfg:pw@h/cfg\"\n");
        var envOrigin = Assert.Single(fromEnv.Load().Config.Bindings.Hyperdrive).Origin;
        Assert.Equal(("10.1.2.3", 6543, "env", "fromenv"), (envOrigin.Host, envOrigin.Port, envOrigin.User, envOrigin.Database));
        using var noId = TempWorker.Toml("[[hyperdrive]]\nbinding = \"HD\"\nlocalConnectionString = \"mysql://u:p@h/db\"\n");
        Assert.Contains("bindings must have a \"id\" field", Assert.Throws<ConfigException>(() => noId.Load()).Message);
    }

    // ───────────── rules ─────────────

    [Fact]
    public void UserRulesComeFirstThenDefaults()
    {
        using var w = TempWorker.Toml("""
            [[rules]]
            type = "Text"
            globs = ["**/*.md"]
            fallthrough = true

            [[rules]]
            type = "Data"
            globs = ["**/*.png"]
            fallthrough = true
            """);
        var (config, warnings) = w.Load();
        Assert.Empty(warnings);
        Assert.Equal(new ModuleRule(ModuleType.Text, ["**/*.md"], true), config.Rules[0]);
        Assert.Equal(new ModuleRule(ModuleType.Data, ["**/*.png"], true), config.Rules[1]);
        Assert.Equal(ModuleRule.Defaults, config.Rules.Skip(2));
    }

    [Fact]
    public void RuleWithoutFallthroughHidesLaterRulesOfItsType()
    {
        using var w = TempWorker.Toml("""
            [[rules]]
            type = "Text"
            globs = ["**/*.md"]

            [[rules]]
            type = "CompiledWasm"
            globs = ["**/*.wasm"]
            fallthrough = false
            """);
        var (config, warnings) = w.Load();
        Assert.Equal([ModuleType.Text, ModuleType.CompiledWasm, ModuleType.ESModule, ModuleType.CommonJS, ModuleType.Data],
            config.Rules.Select(r => r.Type));
        Assert.Equal(["**/*.md"], config.Rules[0].Globs);
        // Text (fallthrough unset) warns, as wrangler does; CompiledWasm said fallthrough = false, so it does not.
        var warning = Assert.Single(warnings);
        Assert.Contains("""{"type":"Text","globs":["**/*.md"]} does not have a fallback""", warning.Message);
        Assert.Contains("""{"type":"Text","globs":["**/*.txt","**/*.html","**/*.sql"]} (DEFAULT)""", warning.Message);
        Assert.Equal("rules[0]", warning.Key);
    }

    [Fact]
    public void PythonRuleTypesAreAccepted()
    {
        using var w = TempWorker.Toml("rules = [{ type = \"PythonModule\", globs = [\"**/*.py\"] }, { type = \"PythonRequirement\", globs = [\"requirements.txt\"] }]\n");
        var (config, _) = w.Load();
        Assert.Equal(ModuleType.PythonModule, config.Rules[0].Type);
        Assert.Equal(ModuleType.PythonRequirement, config.Rules[1].Type);
    }

    // ───────────── environments ─────────────

    private const string EnvToml = """
        name = "app"
        main = "src/index.js"
        compatibility_date = "2025-01-01"
        compatibility_flags = ["nodejs_compat"]

        [vars]
        TOP = "top"

        [[kv_namespaces]]
        binding = "TOP_KV"

        [limits]
        cpu_ms = 50

        [env.staging]
        [env.staging.vars]
        STAGE = "staging"
        [[env.staging.kv_namespaces]]
        binding = "STAGE_KV"
        id = "s1"

        [env.production]
        name = "app-prod"
        main = "src/prod.js"
        compatibility_date = "2025-02-01"
        """;

    [Fact]
    public void EnvironmentInheritsInheritableKeysOnly()
    {
        using var w = new TempWorker(("wrangler.toml", EnvToml), ("src/index.js", ""), ("src/prod.js", ""));
        var (staging, warnings) = w.Load(env: "staging");
        Assert.Equal("app-staging", staging.Name);
        Assert.Equal("staging", staging.Environment);
        Assert.Equal(w.Path("src/index.js"), staging.Main);
        Assert.Equal("2025-01-01", staging.CompatibilityDate);
        Assert.Equal(["nodejs_compat"], staging.CompatibilityFlags);
        Assert.Equal(50, staging.Limits.CpuMs);
        Assert.Equal(["STAGE"], staging.Vars.Keys);
        var kv = Assert.Single(staging.Bindings.KvNamespaces);
        Assert.Equal(("STAGE_KV", "s1"), (kv.Binding, kv.Id));
        // wrangler warns that vars and kv_namespaces at the top level are not inherited.
        Assert.Contains(warnings, x => x.Message.Contains("TOP") && x.Message.Contains("env.staging.vars"));
        Assert.Contains(warnings, x => x.Message.Contains("TOP_KV") && x.Message.Contains("env.staging"));

        var (production, prodWarnings) = w.Load(env: "production");
        Assert.Equal("app-prod", production.Name);
        Assert.Equal(w.Path("src/prod.js"), production.Main);
        Assert.Equal("2025-02-01", production.CompatibilityDate);
        Assert.Empty(production.Vars);
        Assert.Empty(production.Bindings.KvNamespaces);
        Assert.Contains(prodWarnings, x => x.Message.Contains("\"vars\" exists at the top level, but not on \"env.production\""));
        Assert.Contains(prodWarnings, x => x.Message.Contains("\"kv_namespaces\" exists at the top level, but not on \"env.production\""));

        var (top, _) = w.Load();
        Assert.Equal("app", top.Name);
        Assert.Null(top.Environment);
        Assert.Equal(["TOP"], top.Vars.Keys);
        Assert.Equal("TOP_KV", Assert.Single(top.Bindings.KvNamespaces).Binding);
    }

    [Fact]
    public void UnknownEnvironmentListsTheDefinedOnes()
    {
        using var w = new TempWorker(("wrangler.toml", EnvToml), ("src/index.js", ""), ("src/prod.js", ""));
        var ex = w.LoadFails(env: "qa");
        Assert.Contains(w.Path("wrangler.toml"), ex.Message);
        Assert.Contains("No environment found in configuration with name \"qa\"", ex.Message);
        Assert.Contains("""["staging","production"]""", ex.Message);
        Assert.Contains("[env.qa]", ex.Message);
    }

    [Fact]
    public void EnvironmentWithNoEnvironmentsDefinedOnlyWarns()
    {
        using var w = TempWorker.Toml("[vars]\nA = \"1\"\n");
        var (config, warnings) = w.Load(env: "dev");
        Assert.Equal("w-dev", config.Name);
        Assert.Equal("1", config.Vars["A"]!.GetValue<string>());
        Assert.Contains(warnings, x => x.Message.Contains("No environment found in configuration with name \"dev\""));
    }

    [Fact]
    public void EnvironmentsInJson()
    {
        using var w = TempWorker.Json("""
            {
              "name": "j",
              "main": "src/index.js",
              "compatibility_date": "2025-01-01",
              "env": {
                "staging": { "vars": { "X": 1 }, "d1_databases": [{ "binding": "DB", "database_name": "stage-db" }] },
              },
            }
            """);
        var (config, warnings) = w.Load(env: "staging");
        Assert.Empty(warnings);
        Assert.Equal("j-staging", config.Name);
        Assert.Equal("1", config.Vars["X"]!.ToJsonString());
        Assert.Equal("stage-db", Assert.Single(config.Bindings.D1Databases).DatabaseName);
    }

    [Fact]
    public void UnknownKeyInsideAnEnvironmentWarns()
    {
        using var w = TempWorker.Toml("[env.staging]\ncolour = \"blue\"\n");
        var (_, warnings) = w.Load(env: "staging");
        Assert.Contains(warnings, x => x.Message.Contains("Unexpected fields found in env.staging field: \"colour\""));
    }

    // ───────────── vars, .dev.vars, --var ─────────────

    [Fact]
    public void DevVarsOverrideFileVarsAndVarOverridesWin()
    {
        using var w = TempWorker.Toml("[vars]\nA = \"file\"\nB = \"file\"\nC = { json = true }\n");
        w.Write(".dev.vars", "# secrets\nB=dev\nSECRET=\"s3cr3t\"\n");
        var (config, _) = w.Load(vars: new() { ["C"] = "cli", ["D"] = "cli" });
        Assert.Equal("file", config.Vars["A"]!.GetValue<string>());
        Assert.Equal("dev", config.Vars["B"]!.GetValue<string>());
        Assert.Equal("s3cr3t", config.Vars["SECRET"]!.GetValue<string>());
        Assert.Equal("cli", config.Vars["C"]!.GetValue<string>());
        Assert.Equal("cli", config.Vars["D"]!.GetValue<string>());
        Assert.Equal(["B", "SECRET"], config.SecretNames.Order());
        Assert.Equal([w.Path(".dev.vars")], config.SecretsFiles);
    }

    [Fact]
    public void DevVarsForTheEnvironmentArePreferredWhenPresent()
    {
        using var w = TempWorker.Toml("[env.staging]\nvars = { A = \"file\" }\n[env.qa]\nvars = { A = \"file\" }\n");
        w.Write(".dev.vars", "A=default\nONLY_DEFAULT=1\n");
        w.Write(".dev.vars.staging", "A=staging\n");

        var (staging, _) = w.Load(env: "staging");
        Assert.Equal("staging", staging.Vars["A"]!.GetValue<string>());
        Assert.False(staging.Vars.ContainsKey("ONLY_DEFAULT"));

        var (qa, _) = w.Load(env: "qa");
        Assert.Equal("default", qa.Vars["A"]!.GetValue<string>());
        Assert.Equal("1", qa.Vars["ONLY_DEFAULT"]!.GetValue<string>());
    }

    [Fact]
    public void DotEnvFilesAreUsedWhenThereIsNoDevVars()
    {
        using var w = TempWorker.Toml();
        w.Write(".env", "HOST=example.com\nURL=https://${HOST}/api\nLEVEL=1\n");
        w.Write(".env.local", "LEVEL=2\n");
        var (config, _) = w.Load();
        Assert.Equal("https://example.com/api", config.Vars["URL"]!.GetValue<string>());
        Assert.Equal("2", config.Vars["LEVEL"]!.GetValue<string>());

        w.Write(".dev.vars", "ONLY=devvars\n");
        var (withDevVars, _) = w.Load();
        Assert.Equal(["ONLY"], withDevVars.Vars.Keys);
    }

    [Fact]
    public void RequiredSecretsLimitWhatDevVarsMayAdd()
    {
        using var w = TempWorker.Toml("[vars]\nA = \"file\"\n[secrets]\nrequired = [\"API_KEY\", \"OTHER_KEY\"]\n");
        w.Write(".dev.vars", "A=dev\nAPI_KEY=k\nSTRAY=x\n");
        var (config, warnings) = w.Load();
        Assert.Equal("dev", config.Vars["A"]!.GetValue<string>());
        Assert.Equal("k", config.Vars["API_KEY"]!.GetValue<string>());
        Assert.False(config.Vars.ContainsKey("STRAY"));
        Assert.Equal(["API_KEY", "OTHER_KEY"], config.RequiredSecrets);
        Assert.Contains(warnings, x => x.Message.Contains("Missing required secrets: OTHER_KEY"));
    }

    [Fact]
    public void SecretNamedLikeABindingWarns()
    {
        using var w = TempWorker.Toml("[[kv_namespaces]]\nbinding = \"CACHE\"\n");
        w.Write(".dev.vars", "CACHE=oops\n");
        var (_, warnings) = w.Load();
        Assert.Contains(warnings, x => x.Message.Contains("CACHE") && x.Message.Contains("KV Namespace binding at \"kv_namespaces[0]\""));
    }

    [Fact]
    public void BadDevVarsLineIsAWarningWithItsLineNumber()
    {
        using var w = TempWorker.Toml();
        w.Write(".dev.vars", "GOOD=1\nthis is not a pair\n");
        var (config, warnings) = w.Load();
        Assert.Equal("1", config.Vars["GOOD"]!.GetValue<string>());
        Assert.Contains(warnings, x => x.Message.Contains(w.Path(".dev.vars") + ":2:"));
    }
}
