using Flint.Engine.Config;

namespace Flint.Engine.Tests.Config;

/// <summary>Every error names the file and the key, says what is wrong, and how to fix it.</summary>
public class ConfigErrorTests
{
    private static ConfigException Fails(string toml)
    {
        using var w = TempWorker.Toml(toml);
        var ex = w.LoadFails();
        Assert.Contains(w.Path("wrangler.toml"), ex.Message);
        Assert.Equal(w.Path("wrangler.toml"), ex.FilePath);
        return ex;
    }

    [Fact]
    public void NoConfigInDirectory()
    {
        using var w = new TempWorker(("readme.txt", "hi"));
        var ex = w.LoadFails();
        Assert.Contains(w.Dir, ex.Message);
        Assert.Contains("wrangler.toml", ex.Message);
        Assert.Contains("main = \"src/index.js\"", ex.Message);
        Assert.Contains("flint dev path/to/worker.js", ex.Message);
    }

    [Fact]
    public void TargetThatDoesNotExist()
    {
        using var w = new TempWorker();
        var ex = w.LoadFails("nope.js");
        Assert.Contains(w.Path("nope.js"), ex.Message);
        Assert.Contains("does not exist", ex.Message);
    }

    [Fact]
    public void TomlSyntaxErrorHasLineAndColumn()
    {
        using var w = new TempWorker(("wrangler.toml", "name = \"x\"\nmain = \n"));
        var ex = w.LoadFails();
        Assert.Contains($"{w.Path("wrangler.toml")}:2:", ex.Message);
        Assert.Contains("main = ", ex.Message);
    }

    [Fact]
    public void TomlKeyDefinedTwiceIsAnError()
    {
        using var w = new TempWorker(("wrangler.toml", "name = \"x\"\nmain = \"a.js\"\nname = \"y\"\n"));
        var ex = w.LoadFails();
        Assert.Contains($"{w.Path("wrangler.toml")}:3:1:", ex.Message);
        Assert.Contains("`name` is already defined", ex.Message);
    }

    [Fact]
    public void JsonKeyDefinedTwiceIsAnError()
    {
        using var w = new TempWorker(("wrangler.json", "{ \"name\": \"x\", \"name\": \"y\" }"));
        var ex = w.LoadFails();
        Assert.Contains(w.Path("wrangler.json"), ex.Message);
        Assert.Contains("Duplicate property 'name'", ex.Message);
    }

    [Fact]
    public void JsonSyntaxErrorHasLineAndColumn()
    {
        using var w = new TempWorker(("wrangler.jsonc", "{\n  // fine\n  \"name\": \"x\",\n  \"main\": oops\n}\n"));
        var ex = w.LoadFails();
        Assert.StartsWith($"{w.Path("wrangler.jsonc")}:4:11:", ex.Message);
        Assert.DoesNotContain("BytePositionInLine", ex.Message);
        Assert.EndsWith("\n      \"main\": oops\n              ^", ex.Message);
    }

    [Fact]
    public void JsonThatIsNotAnObject()
    {
        using var w = new TempWorker(("wrangler.json", "[1, 2]"));
        var ex = w.LoadFails();
        Assert.Contains(w.Path("wrangler.json"), ex.Message);
        Assert.Contains("object", ex.Message);
    }

    [Fact]
    public void KvBindingWithoutBindingName()
    {
        var ex = Fails("[[kv_namespaces]]\nid = \"x\"\n");
        Assert.Contains("""- "kv_namespaces[0]" bindings should have a string "binding" field but got {"id":"x"}. Add binding = "MY_KV".""", ex.Message);
    }

    [Fact]
    public void KvBindingWithoutBindingNameInJsonShowsJsonFix()
    {
        using var w = TempWorker.Json("""{ "main": "src/index.js", "kv_namespaces": [{ "id": "x" }] }""");
        var ex = w.LoadFails();
        Assert.Contains(w.Path("wrangler.jsonc"), ex.Message);
        Assert.Contains("""Add "binding": "MY_KV".""", ex.Message);
    }

    [Fact]
    public void BindingSectionOfTheWrongShape()
    {
        var ex = Fails("kv_namespaces = { binding = \"KV\" }\n");
        Assert.Contains("The field \"kv_namespaces\" should be an array but got {\"binding\":\"KV\"}", ex.Message);
        Assert.Contains("[[kv_namespaces]]", ex.Message);
    }

    [Fact]
    public void WrongTypesInsideBindings()
    {
        var ex = Fails("""
            [[kv_namespaces]]
            binding = 1
            [[d1_databases]]
            binding = "DB"
            database_id = 5
            [[r2_buckets]]
            binding = "B"
            bucket_name = "Not_Valid"
            [[services]]
            binding = "S"
            [[queues.consumers]]
            max_retries = 1
            [[queues.producers]]
            binding = "Q"
            delivery_delay = "soon"
            """);
        Assert.Contains("\"kv_namespaces[0]\" bindings should have a string \"binding\" field but got {\"binding\":1}. Set binding = \"MY_KV\".", ex.Message);
        Assert.Contains("\"d1_databases[0]\" bindings should, optionally, have a string \"database_id\" field", ex.Message);
        Assert.Contains("r2_buckets[0].bucket_name=\"Not_Valid\" is invalid. Bucket names must", ex.Message);
        Assert.Contains("\"services[0]\" bindings should have a string \"service\" field but got {\"binding\":\"S\"}. Add service = \"other-worker\".", ex.Message);
        Assert.Contains("\"queues.consumers[0]\" should have a string \"queue\" field", ex.Message);
        Assert.Contains("Expected \"queues.producers[0].delivery_delay\" to be of type number but got \"soon\"", ex.Message);
        Assert.Equal(6, ex.Errors.Count);
    }

    [Fact]
    public void DurableObjectBindingErrors()
    {
        var ex = Fails("""
            [[durable_objects.bindings]]
            name = "DO"
            [[durable_objects.bindings]]
            class_name = "X"
            environment = "prod"
            """);
        Assert.Contains("\"durable_objects.bindings[0]\" bindings should have a string \"class_name\" field but got {\"name\":\"DO\"}. Add class_name = \"MyDurableObject\".", ex.Message);
        Assert.Contains("\"durable_objects.bindings[1]\" bindings should have a string \"name\" field", ex.Message);
        Assert.Contains("\"durable_objects.bindings[1]\" should have a \"script_name\" field if \"environment\" is present", ex.Message);

        var missing = Fails("[durable_objects]\nclasses = []\n");
        Assert.Contains("The field \"durable_objects\" is missing the required \"bindings\" property", missing.Message);
    }

    [Fact]
    public void MigrationErrors()
    {
        var ex = Fails("""
            [[migrations]]
            new_classes = ["A"]
            [[migrations]]
            tag = "v2"
            renamed_classes = ["A"]
            deleted_classes = "B"
            """);
        Assert.Contains("\"migrations[0].tag\" is a required field. Add tag = \"v1\".", ex.Message);
        Assert.Contains("Expected \"migrations[1].renamed_classes\" to be an array of \"{from: string, to: string}\" objects but got [\"A\"]", ex.Message);
        Assert.Contains("Expected \"migrations[1].deleted_classes\" to be an array of class names", ex.Message);
    }

    [Fact]
    public void QueueConsumerTypeMustBeWorker()
    {
        var ex = Fails("[[queues.consumers]]\nqueue = \"q\"\ntype = \"http_pull\"\n");
        Assert.Contains("\"queues.consumers[0].type\" has an invalid value \"http_pull\"", ex.Message);
    }

    [Fact]
    public void AssetsErrors()
    {
        var ex = Fails("[assets]\nbinding = \"ASSETS\"\nhtml_handling = \"sometimes\"\n");
        Assert.Contains("Expected \"assets.html_handling\" field to be one of [\"auto-trailing-slash\",\"force-trailing-slash\",\"drop-trailing-slash\",\"none\"] but got \"sometimes\"", ex.Message);

        var noDir = Fails("[assets]\nbinding = \"ASSETS\"\n");
        Assert.Contains("\"assets.directory\" is required", noDir.Message);
        Assert.Contains("Add directory = \"./public\"", noDir.Message);

        using var w = TempWorker.Toml("[assets]\ndirectory = \"missing-dir\"\n");
        var missing = w.LoadFails();
        Assert.Contains("\"assets.directory\"", missing.Message);
        Assert.Contains(w.Path("missing-dir"), missing.Message);

        // Also when an environment inherits the top level's assets.
        using var inherited = TempWorker.Toml("[assets]\ndirectory = \"missing-dir\"\n[env.staging]\n");
        Assert.Contains(inherited.Path("missing-dir"), inherited.LoadFails(env: "staging").Message);
    }

    [Fact]
    public void RuleErrors()
    {
        var ex = Fails("""
            [[rules]]
            type = "Markdown"
            globs = ["**/*.md"]
            [[rules]]
            type = "Text"
            [[rules]]
            type = "Data"
            globs = "**/*.bin"
            fallthrough = "yes"
            """);
        Assert.Contains("\"rules[0]\" should have a string \"type\" field, which contains one of \"ESModule\"", ex.Message);
        Assert.Contains("\"rules[1].globs\" is a required field.", ex.Message);
        Assert.Contains("Expected \"rules[2].globs\" to be an array of strings but got \"**/*.bin\"", ex.Message);
        Assert.Contains("\"rules[2].fallthrough\", when present, should be a boolean", ex.Message);
    }

    [Fact]
    public void EnvironmentsThatAreNotTables()
    {
        var ex = Fails("env = \"staging\"\n");
        Assert.Contains("The field \"env\" should be an object of environments (e.g. [env.staging]) but got \"staging\".", ex.Message);

        using var w = TempWorker.Toml("[env]\nstaging = 1\n");
        var one = w.LoadFails(env: "staging");
        Assert.Equal(["The field \"env.staging\" should be an object but got 1."], one.Errors);
    }

    [Fact]
    public void ErrorsInsideAnEnvironmentUseTheFullKeyPath()
    {
        using var w = TempWorker.Toml("[[env.staging.kv_namespaces]]\nid = \"x\"\n");
        var ex = w.LoadFails(env: "staging");
        Assert.Contains("\"env.staging.kv_namespaces[0]\" bindings should have a string \"binding\" field", ex.Message);
    }

    [Fact]
    public void DuplicateBindingNamesAcrossKindsAndVars()
    {
        var ex = Fails("""
            [vars]
            DATA = "x"
            [[kv_namespaces]]
            binding = "DATA"
            [[kv_namespaces]]
            binding = "CACHE"
            [[r2_buckets]]
            binding = "CACHE"
            [[d1_databases]]
            binding = "DB"
            [[d1_databases]]
            binding = "DB"
            """);
        Assert.Contains("DATA assigned to Environment Variable (vars.DATA) and KV Namespace (kv_namespaces[0]) bindings.", ex.Message);
        Assert.Contains("CACHE assigned to KV Namespace (kv_namespaces[1]) and R2 Bucket (r2_buckets[0]) bindings.", ex.Message);
        Assert.Contains("DB assigned to multiple D1 Database bindings (d1_databases[0], d1_databases[1]).", ex.Message);
        Assert.Contains("Bindings must have unique names", ex.Message);
    }

    [Theory]
    [InlineData("\"2024/01/01\"", "\"compatibility_date\" field should be a valid ISO-8601 date (YYYY-MM-DD), but got \"2024/01/01\"")]
    [InlineData("\"2024-02-30\"", "\"compatibility_date\" field should be a valid ISO-8601 date (YYYY-MM-DD)")]
    [InlineData("\"2024\u201301\u201301\"", "rather than en-dashes")]
    [InlineData("\"2999-01-01\"", "\"compatibility_date\" is \"2999-01-01\", which is in the future")]
    [InlineData("20240101", "Expected \"compatibility_date\" to be of type string but got 20240101")]
    [InlineData("2024-01-01", "\"compatibility_date\" is a TOML date, which is not supported; write it as a string: compatibility_date = \"2024-01-01\"")]
    public void CompatibilityDateErrors(string value, string expected)
    {
        using var w = TempWorker.Toml("", header: $"name = \"w\"\nmain = \"src/index.js\"\ncompatibility_date = {value}\n");
        var ex = w.LoadFails();
        Assert.Contains(w.Path("wrangler.toml"), ex.Message);
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void MissingMain()
    {
        using var w = new TempWorker(("wrangler.toml", "name = \"w\"\ncompatibility_date = \"2025-01-01\"\n"));
        var ex = w.LoadFails();
        Assert.StartsWith("Missing entry-point: The entry-point should be specified via the command line (e.g. `flint dev path/to/script`) or the `main` config field.", ex.Message);
        Assert.Contains($"Add main = \"src/index.js\" to {w.Path("wrangler.toml")}", ex.Message);
    }

    [Fact]
    public void MainThatDoesNotExist()
    {
        using var w = new TempWorker(("wrangler.toml", "name = \"w\"\nmain = \"src/missing.js\"\n"));
        var ex = w.LoadFails();
        Assert.Contains($"\"{w.Path("src/missing.js")}\" was not found", ex.Message);
        Assert.Contains($"main = \"src/missing.js\" in {w.Path("wrangler.toml")}", ex.Message);
    }

    [Fact]
    public void MainFromAnEnvironmentThatDoesNotExistNamesTheEnvKey()
    {
        using var w = TempWorker.Toml("[env.prod]\nmain = \"dist/worker.js\"\n");
        var ex = w.LoadFails(env: "prod");
        Assert.Contains("env.prod.main = \"dist/worker.js\"", ex.Message);
    }

    [Fact]
    public void TypeScriptMainIsAValidEntryPoint()
    {
        // Compiling it is the bundler's job (Flint.Runtime's EsbuildBundler), as with wrangler.
        using var w = new TempWorker(("wrangler.toml", "name = \"w\"\nmain = \"src/index.ts\"\n"), ("src/index.ts", ""));
        Assert.Equal(w.Path("src/index.ts"), w.Load().Config.Main);
    }

    [Fact]
    public void InvalidNameSuggestsOne()
    {
        using var w = TempWorker.Toml("", header: "name = \"My Worker\"\nmain = \"src/index.js\"\n");
        var ex = w.LoadFails();
        Assert.Contains("Expected \"name\" to be of type string, alphanumeric and lowercase with dashes only but got \"My Worker\". Set name = \"my-worker\".", ex.Message);
    }

    [Fact]
    public void VarsThatAreNotATableOrHoldATomlDate()
    {
        var ex = Fails("vars = \"A=1\"\n");
        Assert.Contains("The field \"vars\" should be an object but got \"A=1\"", ex.Message);
        Assert.Contains("[vars]", ex.Message);

        var date = Fails("[vars]\nRELEASED = 2024-05-01\n");
        Assert.Contains("The field \"vars.RELEASED\" is a TOML date, which is not supported. Please use a string instead, e.g. RELEASED = \"2024-05-01\".", date.Message);
    }

    [Fact]
    public void WrongTypesForSimpleFields()
    {
        var ex = Fails("compatibility_flags = \"nodejs_compat\"\n[limits]\ncpu_ms = \"fast\"\n[triggers]\ncrons = \"* * * * *\"\n");
        Assert.Contains("Expected \"compatibility_flags\" to be of type string array but got \"nodejs_compat\". Set compatibility_flags = [\"nodejs_compat\"].", ex.Message);
        Assert.Contains("Expected \"limits.cpu_ms\" to be of type number but got \"fast\". Set cpu_ms = 50.", ex.Message);
        Assert.Contains("Expected \"triggers.crons\" to be an array of cron expressions", ex.Message);
        Assert.Equal(3, ex.Errors.Count);
    }

    [Fact]
    public void InvalidCronExpressionIsAnErrorNamingTheTrigger()
    {
        var ex = Fails("[triggers]\ncrons = [\"*/5 * * * *\", \"61 * * * *\", \"0 12 * * 0\"]\n");
        Assert.Equal(2, ex.Errors.Count);
        Assert.Contains(ex.Errors, e => e.StartsWith("\"triggers.crons[1]\" is not a valid cron expression: \"61 * * * *\"", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.StartsWith("\"triggers.crons[2]\" is not a valid cron expression: \"0 12 * * 0\"", StringComparison.Ordinal) && e.Contains("Sunday is 1"));
        Assert.Contains(ex.FilePath!, ex.Message);
    }

    [Fact]
    public void AllProblemsAreReportedAtOnceUnderTheFileName()
    {
        var ex = Fails("[[kv_namespaces]]\nid = \"x\"\n[[services]]\nservice = \"s\"\n");
        Assert.StartsWith($"Processing {ex.FilePath} configuration:\n  - ", ex.Message);
        Assert.Equal(2, ex.Errors.Count);
    }

    [Fact]
    public void ALoneSurrogateInAJsoncStringNamesTheFileTheKeyAndTheFix()
    {
        using var w = TempWorker.Json("""
            {
              "name": "w",
              "main": "src/index.js",
              "vars": { "GREETING": "hi \ud800", "OK": "fine" },
              "kv_namespaces": [{ "binding": "KV", "id": "\udc00" }]
            }
            """);
        var ex = w.LoadFails();
        Assert.Contains(w.Path("wrangler.jsonc"), ex.Message);
        Assert.Contains("\"vars.GREETING\"", ex.Message);
        Assert.Contains("\"kv_namespaces[0].id\"", ex.Message);
        Assert.Contains("lone surrogate", ex.Message);
        Assert.Contains("\\ud83d\\ude00", ex.Message); // the fix shows a whole pair
        Assert.Equal(2, ex.Errors.Count);
    }

    [Fact]
    public void ALoneSurrogateInATomlStringIsASyntaxErrorWithItsLine()
    {
        var ex = Fails("[vars]\nGREETING = \"hi \\ud800\"\n");
        Assert.Contains(":5:", ex.Message);
    }
}
