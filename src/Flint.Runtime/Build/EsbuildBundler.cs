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

    /// <summary>The esbuild executable for a Worker: $FLINT_ESBUILD, else node_modules/.bin/esbuild in its directory or a parent.</summary>
    public static string? Find(string startDirectory)
    {
        var fromEnv = Environment.GetEnvironmentVariable("FLINT_ESBUILD");
        if (!string.IsNullOrEmpty(fromEnv)) return File.Exists(fromEnv) ? Path.GetFullPath(fromEnv) : null;
        for (var dir = new DirectoryInfo(Path.GetFullPath(startDirectory)); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "node_modules", ".bin", "esbuild");
            if (File.Exists(candidate)) return candidate;
        }
        return null;
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
        if (process.ExitCode != 0)
        {
            var relative = errors.Replace(config.BaseDirectory + Path.DirectorySeparatorChar, "", StringComparison.Ordinal);
            throw new ConfigException($"Could not bundle {Path.GetRelativePath(config.BaseDirectory, config.Main)} with esbuild:\n{relative}");
        }
        return new WorkerBundle(outFile, Path.GetDirectoryName(config.Main)!, ReadInputs(metaFile, config.BaseDirectory));
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
