using System.Diagnostics;
using System.Text.Json;
using Flint.Engine.Config;

namespace Flint.Runtime.Build;

/// <summary>A bundled Worker: the bundle to run, and the source files it was built from (to watch).</summary>
public sealed record WorkerBundle(string MainPath, string ImportDirectory, IReadOnlyList<string> Inputs);

/// <summary>
/// Bundles a Worker with esbuild the way wrangler does (ES module output, the workerd/worker/browser
/// export conditions, TypeScript and JSX, npm packages from node_modules), so projects written for
/// <c>wrangler dev</c> run unchanged. esbuild is the project's own (wrangler installs it): Flint
/// finds it in the nearest node_modules or at $FLINT_ESBUILD. Without it, a JavaScript Worker runs
/// its modules as they are (like <c>no_bundle = true</c>); TypeScript needs it.
/// </summary>
public static class EsbuildBundler
{
    private static readonly string[] TypeScriptExtensions = [".ts", ".tsx", ".mts", ".cts"];

    // Module types that wrangler keeps out of the bundle by default (its default rules): the runtime loads them.
    private static readonly string[] ExternalByRule = ["*.wasm", "*.wasm?module", "*.txt", "*.html", "*.sql", "*.bin"];

    public static bool IsTypeScript(string path) => TypeScriptExtensions.Contains(Path.GetExtension(path).ToLowerInvariant());

    /// <summary>
    /// The esbuild executable for a Worker: $FLINT_ESBUILD, else, in the nearest node_modules of its
    /// directory or a parent, the esbuild wrangler depends on (wrangler's own nested copy, or the hoisted
    /// one when it is the version wrangler asks for), else node_modules/.bin/esbuild. Another tool's
    /// esbuild may be older than the options wrangler's take (a Remix project's refuses --target=es2024).
    /// </summary>
    public static string? Find(string startDirectory)
    {
        var fromEnv = Environment.GetEnvironmentVariable("FLINT_ESBUILD");
        if (!string.IsNullOrEmpty(fromEnv)) return File.Exists(fromEnv) ? Path.GetFullPath(fromEnv) : null;
        for (var dir = new DirectoryInfo(Path.GetFullPath(startDirectory)); dir is not null; dir = dir.Parent)
        {
            var modules = Path.Combine(dir.FullName, "node_modules");
            if (WranglersEsbuild(modules) is { } wranglers) return wranglers;
            var candidate = Path.Combine(modules, ".bin", "esbuild");
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    private static string? WranglersEsbuild(string nodeModules)
    {
        var wrangler = Path.Combine(nodeModules, "wrangler");
        if (!Directory.Exists(wrangler)) return null;
        var nested = Path.Combine(wrangler, "node_modules", "esbuild", "bin", "esbuild");
        if (File.Exists(nested)) return nested;
        var hoisted = Path.Combine(nodeModules, "esbuild");
        var wanted = PackageField(Path.Combine(wrangler, "package.json"), "dependencies", "esbuild");
        var version = PackageField(Path.Combine(hoisted, "package.json"), null, "version");
        var binary = Path.Combine(hoisted, "bin", "esbuild");
        return wanted is not null && version is not null && wanted.TrimStart('^', '~', '=') == version && File.Exists(binary) ? binary : null;
    }

    private static string? PackageField(string packageJson, string? section, string name)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(packageJson));
            var element = doc.RootElement;
            if (section is not null && !element.TryGetProperty(section, out element)) return null;
            return element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Whether a Worker is bundled: unless <c>no_bundle</c> is set, whenever esbuild is available (as wrangler always bundles).</summary>
    public static string? EsbuildFor(WorkerConfig config)
    {
        if (config.NoBundle == true)
        {
            if (IsTypeScript(config.Main))
                throw new ConfigException($"{config.Main} is TypeScript, but no_bundle = true in {config.ConfigPath}: TypeScript has to be compiled. Remove no_bundle, or point main at JavaScript.");
            return null;
        }
        var esbuild = Find(config.BaseDirectory);
        if (esbuild is null && IsTypeScript(config.Main))
        {
            throw new ConfigException(
                $"{config.Main} is TypeScript. Flint compiles it with esbuild, as wrangler does, using the project's own copy: " +
                "run `npm install --save-dev esbuild` (installing wrangler brings it too) in the Worker's directory, " +
                "or set FLINT_ESBUILD to an esbuild executable.");
        }
        return esbuild;
    }

    /// <summary>Bundles the Worker into <c>&lt;data directory&gt;/bundle/</c>. Throws <see cref="ConfigException"/> with esbuild's errors.</summary>
    public static async Task<WorkerBundle> BundleAsync(WorkerConfig config, string esbuild, CancellationToken cancellationToken = default)
    {
        var outDir = Path.Combine(config.PersistDirectory, "bundle");
        Directory.CreateDirectory(outDir);
        var outFile = Path.Combine(outDir, Path.GetFileNameWithoutExtension(config.Main) + ".js");
        var metaFile = outFile + ".meta.json";
        var nodeEnv = "\"development\"";
        var args = new List<string>
        {
            config.Main, "--bundle", "--format=esm", "--target=es2024", "--platform=browser",
            "--conditions=workerd,worker,browser", "--supported:using=true",
            "--loader:.js=jsx", "--loader:.mjs=jsx", "--loader:.cjs=jsx",
            "--external:cloudflare:*", "--external:node:*", "--external:__STATIC_CONTENT_MANIFEST",
            $"--define:process.env.NODE_ENV={nodeEnv}", $"--define:global.process.env.NODE_ENV={nodeEnv}",
            $"--define:globalThis.process.env.NODE_ENV={nodeEnv}", "--define:navigator.userAgent=\"Cloudflare-Workers\"",
            $"--outfile={outFile}", $"--metafile={metaFile}", "--log-level=error", "--color=false",
        };
        args.AddRange(ExternalByRule.Select(e => "--external:" + e));
        // With nodejs_compat, as wrangler: the project's @cloudflare/unenv-preset says which Node modules
        // are native for the compatibility date (left external, served by Flint) and polyfills the rest.
        var unenv = config.Compatibility.IsEnabled("nodejs_compat") ? await UnenvPreset.ResolveAsync(config, cancellationToken).ConfigureAwait(false) : null;
        var nodeBuiltins = unenv is null ? NodeBuiltinExternals(config) : unenv.External;
        if (unenv is null) args.AddRange(nodeBuiltins.Select(n => "--external:" + n));
        else args.AddRange(PresetArguments(unenv, outDir));

        var errors = await RunAsync(esbuild, config, args, cancellationToken).ConfigureAwait(false);
        // CommonJS in the bundle that require()s a Node built-in gets a `require` made of static imports
        // of those modules (wrangler's nodejs_compat plugin turns such requires into imports too).
        if (errors is null && nodeBuiltins.Count > 0 && RequiredBuiltins(metaFile, nodeBuiltins) is { Count: > 0 } required)
        {
            args.Add("--banner:js=" + RequireBanner(required));
            errors = await RunAsync(esbuild, config, args, cancellationToken).ConfigureAwait(false);
        }
        if (errors is not null)
        {
            var relative = errors.Replace(config.BaseDirectory + Path.DirectorySeparatorChar, "", StringComparison.Ordinal);
            throw new ConfigException($"Could not bundle {Path.GetRelativePath(config.BaseDirectory, config.Main)} with esbuild:\n{relative}");
        }
        return new WorkerBundle(outFile, Path.GetDirectoryName(config.Main)!, ReadInputs(metaFile, config.BaseDirectory));
    }

    /// <summary>
    /// esbuild options that apply an unenv environment as wrangler's hybrid-nodejs_compat plugin does:
    /// native modules external, the others aliased to their polyfills, globals injected through small
    /// modules (as wrangler's virtual ones), and the preset's polyfills injected.
    /// </summary>
    private static IEnumerable<string> PresetArguments(UnenvEnvironment unenv, string outDir)
    {
        foreach (var name in unenv.External) yield return "--external:" + name;
        foreach (var (from, to) in unenv.Alias)
        {
            if (from == to) continue;
            yield return $"--alias:{from}={to}";
        }
        foreach (var group in unenv.Inject.GroupBy(i => i.Value.Module, StringComparer.Ordinal))
        {
            var file = Path.Combine(outDir, "_virtual_unenv_global_polyfill-" + string.Concat(Path.GetFileName(group.Key).Select(c => char.IsLetterOrDigit(c) ? c : '-')) + ".js");
            var imports = string.Join(", ", group.Select(g => g.Value.Export == "default" ? "default as defaultExport" : g.Value.Export).Distinct());
            var assignments = string.Join("\n", group.Select(g => $"globalThis.{g.Key} = {(g.Value.Export == "default" ? "defaultExport" : g.Value.Export)};"));
            File.WriteAllText(file, $"import {{ {imports} }} from {JsonSerializer.Serialize(group.Key)};\n{assignments}\n");
            yield return "--inject:" + file;
        }
        foreach (var polyfill in unenv.Polyfill) yield return "--inject:" + polyfill;
    }

    /// <summary>With nodejs_compat, the Node built-ins the Worker may import, which stay external for Flint to serve.</summary>
    private static IReadOnlyList<string> NodeBuiltinExternals(WorkerConfig config)
    {
        if (!config.Compatibility.IsEnabled("nodejs_compat")) return [];
        var names = Flint.JavaScript.Node.NodeModuleNames.All;
        return [.. names, .. names.Select(n => "node:" + n)];
    }

    /// <summary>The built-ins the bundle require()s, from esbuild's metafile (imports of kind require-call).</summary>
    private static IReadOnlyList<string> RequiredBuiltins(string metaFile, IReadOnlyList<string> builtins)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(metaFile));
            var set = new HashSet<string>(builtins, StringComparer.Ordinal);
            return doc.RootElement.GetProperty("outputs").EnumerateObject()
                .SelectMany(o => o.Value.TryGetProperty("imports", out var imports) ? imports.EnumerateArray() : Enumerable.Empty<JsonElement>())
                .Where(i => i.GetProperty("kind").GetString() == "require-call" && set.Contains(i.GetProperty("path").GetString()!))
                .Select(i => i.GetProperty("path").GetString()!)
                .Distinct().Order(StringComparer.Ordinal).ToList();
        }
        catch (Exception ex) when (ex is IOException or JsonException or KeyNotFoundException)
        {
            return [];
        }
    }

    private static string RequireBanner(IReadOnlyList<string> required)
    {
        var sb = new System.Text.StringBuilder();
        for (var i = 0; i < required.Count; i++)
        {
            var module = required[i].StartsWith("node:", StringComparison.Ordinal) ? required[i] : "node:" + required[i];
            sb.Append("import * as __flint_node").Append(i).Append(" from ").Append(JsonSerializer.Serialize(module)).Append(';');
        }
        sb.Append("const __flint_node_required = {");
        for (var i = 0; i < required.Count; i++) sb.Append(JsonSerializer.Serialize(required[i])).Append(": __flint_node").Append(i).Append(',');
        sb.Append("};const require = (id) => { const m = __flint_node_required[id]; if (m === undefined) throw new Error(`No such module \"${id}\".`); return m.default ?? m; };");
        return sb.ToString();
    }

    private static async Task<string?> RunAsync(string esbuild, WorkerConfig config, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo(esbuild)
        {
            WorkingDirectory = config.BaseDirectory,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi) ?? throw new ConfigException($"Could not start esbuild at {esbuild}.");
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        var errors = (await stderr.ConfigureAwait(false)).Trim();
        await stdout.ConfigureAwait(false);
        return process.ExitCode == 0 ? null : errors;
    }

    /// <summary>The source files esbuild read, from its metafile (paths relative to the working directory).</summary>
    private static IReadOnlyList<string> ReadInputs(string metaFile, string baseDirectory)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(metaFile));
            return doc.RootElement.GetProperty("inputs").EnumerateObject()
                .Select(p => Path.GetFullPath(Path.Combine(baseDirectory, p.Name)))
                .ToList();
        }
        catch (Exception ex) when (ex is IOException or JsonException or KeyNotFoundException)
        {
            return [];
        }
    }
}
