using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Flint.Engine.Assets;
using Flint.Engine.Config;

namespace Flint.Server.Pages;

/// <summary>What <c>flint pages dev</c> was asked to serve, beyond what the config gives.</summary>
public sealed record PagesDevOptions
{
    /// <summary>The project's root (where <c>functions/</c> and the optional wrangler config are): the current directory.</summary>
    public required string ProjectDirectory { get; init; }
    /// <summary>The directory of static assets; null means the config's <c>pages_build_output_dir</c>.</summary>
    public string? Directory { get; init; }
    public ConfigLoadOptions Config { get; init; } = new() { Target = "." };
    /// <summary><c>--binding KEY=VALUE</c>: plain-text vars.</summary>
    public IReadOnlyDictionary<string, string> Bindings { get; init; } = new Dictionary<string, string>();
    /// <summary><c>--kv NAME</c> or <c>NAME=ID</c>.</summary>
    public IReadOnlyList<string> Kv { get; init; } = [];
    /// <summary><c>--d1 NAME</c> or <c>NAME=ID</c>.</summary>
    public IReadOnlyList<string> D1 { get; init; } = [];
    /// <summary><c>--no-bundle</c>: run <c>_worker.js</c> as it is.</summary>
    public bool NoBundle { get; init; }
}

/// <summary>
/// A Pages project as <c>wrangler pages dev</c> runs it, turned into one Worker config: the static
/// directory served by Pages' asset server as <c>env.ASSETS</c>; the Worker made of the project's
/// <c>functions/</c> (compiled with its esbuild into one module), or the directory's <c>_worker.js</c>
/// (advanced mode, a file or a directory of modules), or none; <c>_routes.json</c> saying which paths
/// reach the Worker; <c>CF_PAGES*</c> vars, the config's bindings and the command line's.
/// </summary>
public static class PagesProject
{
    public const string WorkerScript = "_worker.js";
    public const string RoutesFile = "_routes.json";

    public static (WorkerConfig Config, IReadOnlyList<ConfigWarning> Warnings) Load(PagesDevOptions options)
    {
        var root = Path.GetFullPath(options.ProjectDirectory);
        var (config, warnings) = ConfigLoader.Load(options.Config with { Target = root, Pages = true });
        var list = warnings.ToList();
        var directory = options.Directory is { } d ? Path.GetFullPath(d, root) : config.PagesBuildOutputDirectory
            ?? throw new ConfigException("No directory of static assets to serve: pass one (flint pages dev ./dist), or set pages_build_output_dir in the project's wrangler config.");
        if (!System.IO.Directory.Exists(directory))
            throw new ConfigException($"The directory of static assets {directory} does not exist. Build the site first, or pass the directory it is built into.");

        var workerFile = Path.Combine(directory, WorkerScript);
        var functions = Path.Combine(root, "functions");
        var pagesDir = Path.Combine(config.PersistDirectory, "pages");
        string main;
        var rules = config.Rules;
        bool? noBundle = options.NoBundle ? true : config.NoBundle;
        IReadOnlyList<string> include = ["/*"];
        var hasWorker = true;
        string? baseDir = null;
        if (System.IO.Directory.Exists(workerFile))
        {
            // Advanced mode, a directory of modules: its index.js is the Worker, run as it is.
            main = Path.Combine(workerFile, "index.js");
            if (!File.Exists(main)) throw new ConfigException($"{workerFile} is a directory but has no index.js: a _worker.js directory's entry point is its index.js.");
            rules = [new ModuleRule(ModuleType.ESModule, ["**/*.js", "**/*.mjs"]), .. ModuleRule.Defaults];
            noBundle = true;
            baseDir = workerFile;
        }
        else if (File.Exists(workerFile))
        {
            main = workerFile;
        }
        else if (System.IO.Directory.Exists(functions) && PagesFunctionRoutes.Scan(functions) is { Count: > 0 } routes)
        {
            if (Flint.Runtime.Build.EsbuildBundler.Find(root) is null)
            {
                throw new ConfigException(
                    $"Pages Functions in {functions} are compiled into one Worker with esbuild, as wrangler does, using the project's own copy: " +
                    "run `npm install --save-dev wrangler` (or esbuild) in the project, or set FLINT_ESBUILD to an esbuild executable.");
            }
            main = WriteFunctionsWorker(pagesDir, functions, routes);
            include = PagesFunctionRoutes.IncludeRules(routes);
        }
        else
        {
            if (System.IO.Directory.Exists(functions)) list.Add(new ConfigWarning($"No routes found when building Functions directory: {functions} - skipping"));
            main = AssetsOnlyWorker.PathIn(config.PersistDirectory);
            hasWorker = false;
        }
        var exclude = (IReadOnlyList<string>)[];
        var routesJson = Path.Combine(directory, RoutesFile);
        if (hasWorker && File.Exists(routesJson)) (include, exclude) = ReadRoutes(routesJson);

        var vars = new Dictionary<string, JsonNode?>(StringComparer.Ordinal)
        {
            // What Pages' build gives every deployment (wrangler reads the branch and commit from git).
            ["CF_PAGES"] = "1",
            ["CF_PAGES_BRANCH"] = "local",
            ["CF_PAGES_COMMIT_SHA"] = new string('0', 40),
            ["CF_PAGES_URL"] = $"https://00000000.{config.Name}.pages.dev",
        };
        foreach (var (k, v) in config.Vars) vars[k] = v?.DeepClone();
        foreach (var (k, v) in options.Bindings) vars[k] = v;
        var bindings = config.Bindings with
        {
            KvNamespaces = [.. config.Bindings.KvNamespaces, .. options.Kv.Select(Ref).Select(r => new KvNamespaceBinding(r.Name, r.Id, null))],
            D1Databases = [.. config.Bindings.D1Databases, .. options.D1.Select(Ref).Select(r => new D1DatabaseBinding(r.Name, r.Id, r.Id, null, null))],
        };
        var assets = new AssetsConfig(directory, "ASSETS", null, null, null) { Pages = new PagesRouting(hasWorker, include, exclude), HasUserWorker = hasWorker };
        var result = config with
        {
            Main = main,
            Rules = rules,
            NoBundle = noBundle,
            ModuleRoot = baseDir ?? Path.GetDirectoryName(main)!,
            BaseDirectory = baseDir is null ? config.BaseDirectory : root,
            Vars = vars,
            Bindings = bindings,
            Assets = assets,
        };
        return (result, list);
    }

    private static (string Name, string Id) Ref(string spec)
    {
        var eq = spec.IndexOf('=');
        return eq < 0 ? (spec, spec) : (spec[..eq], spec[(eq + 1)..]);
    }

    /// <summary>_routes.json, checked as wrangler checks it: version 1, include and exclude arrays of paths, at most 100 rules of 100 characters.</summary>
    internal static (IReadOnlyList<string> Include, IReadOnlyList<string> Exclude) ReadRoutes(string path)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(File.ReadAllText(path));
        }
        catch (JsonException ex)
        {
            throw new ConfigException($"Could not validate _routes.json at {path}: {ex.Message}");
        }
        static List<string>? Strings(JsonNode? n) => n is JsonArray a && a.All(i => i is JsonValue v && v.TryGetValue<string>(out _)) ? a.Select(i => i!.GetValue<string>()).ToList() : null;
        var include = Strings(node?["include"]);
        var exclude = Strings(node?["exclude"]);
        var version = node?["version"] is JsonValue ver && ver.TryGetValue<int>(out var vv) ? vv : 0;
        const string spec = "\nPlease make sure the JSON object has the following format:\n{\n  \"version\": 1,\n  \"include\": string[],\n  \"exclude\": string[]\n}\nand that at least one include rule is provided.";
        if (version != 1 || include is null || exclude is null) throw new ConfigException($"Invalid _routes.json file found at: {path}{spec}");
        if (include.Count == 0) throw new ConfigException($"Invalid _routes.json file found at: {path}\nRoutes must have at least 1 include rule, but no include rules were detected.");
        if (include.Count + exclude.Count > 100)
            throw new ConfigException($"Invalid _routes.json file found at: {path}\nDetected {include.Count + exclude.Count} rules. The maximum is 100 rules; combine routes with wildcards (e.g. /api/*).");
        if (include.Concat(exclude).FirstOrDefault(r => r.Length > 100) is { } longRule)
            throw new ConfigException($"Invalid _routes.json file found at: {path}\nRule \"{longRule}\" is longer than 100 characters.");
        if (include.Concat(exclude).FirstOrDefault(r => !r.StartsWith('/')) is { } bad)
            throw new ConfigException($"Invalid _routes.json file found at: {path}\nRule \"{bad}\" does not start with \"/\": every rule must be a path.");
        return (include, exclude);
    }

    /// <summary>Writes the Functions Worker's entry module (the routes, importing each handler) beside Flint's router; esbuild bundles them.</summary>
    private static string WriteFunctionsWorker(string dir, string functions, IReadOnlyList<PagesRoute> routes)
    {
        System.IO.Directory.CreateDirectory(dir);
        foreach (var name in new[] { "pages-functions.mjs", "path-to-regexp.mjs" })
        {
            using var resource = typeof(PagesProject).Assembly.GetManifestResourceStream("flint-pages/" + name)
                ?? throw new InvalidOperationException($"Flint is missing its resource {name}.");
            using var reader = new StreamReader(resource);
            WriteIfChanged(Path.Combine(dir, name), reader.ReadToEnd());
        }
        var imports = new Dictionary<string, string>(StringComparer.Ordinal);
        var sb = new StringBuilder();
        sb.Append("// Generated by flint pages dev from ").Append(functions).Append(": the Functions routes.\n");
        string Identifier(string handler)
        {
            if (imports.TryGetValue(handler, out var id)) return id;
            id = $"__handler{imports.Count}";
            imports[handler] = id;
            var colon = handler.LastIndexOf(':');
            sb.Append("import { ").Append(handler[(colon + 1)..]).Append(" as ").Append(id).Append(" } from ")
              .Append(JsonSerializer.Serialize(Path.Combine(functions, handler[..colon]))).Append(";\n");
            return id;
        }
        var table = new StringBuilder();
        foreach (var route in routes)
        {
            table.Append("  { routePath: ").Append(JsonSerializer.Serialize(route.RoutePath))
                 .Append(", mountPath: ").Append(JsonSerializer.Serialize(route.MountPath))
                 .Append(", method: ").Append(JsonSerializer.Serialize(route.Method))
                 .Append(", middlewares: [").Append(string.Join(", ", route.Middlewares.Select(Identifier)))
                 .Append("], modules: [").Append(string.Join(", ", route.Modules.Select(Identifier))).Append("] },\n");
        }
        sb.Append("import { pagesWorker } from \"./pages-functions.mjs\";\n");
        sb.Append("export default pagesWorker([\n").Append(table).Append("]);\n");
        var entry = Path.Combine(dir, "functionsWorker.mjs");
        WriteIfChanged(entry, sb.ToString());
        return entry;
    }

    private static void WriteIfChanged(string path, string text)
    {
        if (File.Exists(path) && File.ReadAllText(path) == text) return;
        File.WriteAllText(path, text);
    }
}
