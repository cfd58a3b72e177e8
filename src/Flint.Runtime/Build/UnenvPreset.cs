using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Flint.Engine.Config;

namespace Flint.Runtime.Build;

/// <summary>
/// What wrangler's nodejs_compat bundling plugin takes from <c>@cloudflare/unenv-preset</c> for a
/// Worker's compatibility date and flags (unenv's <c>defineEnv</c>): the Node modules workerd has
/// natively (left external, for Flint to serve; those Flint does not have keep unenv's polyfill),
/// the aliases that give the others unenv's polyfills, and the globals and polyfills injected.
/// </summary>
public sealed record UnenvEnvironment(
    IReadOnlyDictionary<string, string> Alias,
    IReadOnlyList<string> External,
    IReadOnlyDictionary<string, UnenvInject> Inject,
    IReadOnlyList<string> Polyfill);

/// <summary>An injected global: <c>globalThis[name] = import { export } from module</c>.</summary>
public sealed record UnenvInject(string Module, string Export);

/// <summary>
/// Evaluates the project's own <c>@cloudflare/unenv-preset</c> (the one its wrangler depends on) with
/// Node, exactly as wrangler does, and caches the answer per preset, date and flags. Without the
/// preset or Node, there is no preset to apply (<see cref="ResolveAsync"/> returns null).
/// </summary>
public static class UnenvPreset
{
    private static readonly ConcurrentDictionary<string, Task<UnenvEnvironment?>> s_cache = new(StringComparer.Ordinal);

    // Run by Node in the preset's directory, so `unenv` and the preset resolve as wrangler resolves them;
    // alias targets are resolved with require.resolve, as wrangler's plugin does.
    private const string Script = """
        import { createRequire } from "node:module";
        const { defineEnv } = await import("unenv");
        const { getCloudflarePreset } = await import("@cloudflare/unenv-preset");
        const require = createRequire(process.cwd() + "/");
        const { alias, inject, external, polyfill } = defineEnv({
          presets: [
            getCloudflarePreset({ compatibilityDate: process.env.FLINT_COMPATIBILITY_DATE, compatibilityFlags: JSON.parse(process.env.FLINT_COMPATIBILITY_FLAGS) }),
            { alias: { debug: "debug" } },
          ],
          npmShims: true,
        }).env;
        const resolve = (m) => { if (m.startsWith("node:")) return m; try { return require.resolve(m); } catch { return null; } };
        const resolvedAlias = {};
        for (const [from, to] of Object.entries(alias)) { const r = external.includes(to) ? to : resolve(to); if (r !== null) resolvedAlias[from] = r; }
        const resolvedInject = {};
        for (const [name, spec] of Object.entries(inject)) {
          const [module, exportName] = Array.isArray(spec) ? spec : [spec, "default"];
          const r = external.includes(module) ? module : resolve(module);
          if (r !== null) resolvedInject[name] = { module: r, export: exportName };
        }
        // A module workerd has natively but Flint does not serve keeps unenv's polyfill instead (its stub
        // rather than workerd's), so the Worker still loads.
        const flint = new Set(process.env.FLINT_NODE_MODULES.split(","));
        const served = [];
        for (const name of external) {
          const bare = name.replace(/^node:/, "");
          if (flint.has(bare)) { served.push(name); continue; }
          const fallback = resolve(`unenv/node/${bare}`);
          if (fallback === null) served.push(name); else resolvedAlias[name] = fallback;
        }
        process.stdout.write(JSON.stringify({ alias: resolvedAlias, external: served, inject: resolvedInject, polyfill: polyfill.map(resolve).filter((p) => p !== null) }));
        """;

    /// <summary>The preset's environment for <paramref name="config"/>, or null when the project has no preset (or no Node to run it).</summary>
    public static Task<UnenvEnvironment?> ResolveAsync(WorkerConfig config, CancellationToken cancellationToken = default)
    {
        var preset = Find(config.BaseDirectory);
        var node = preset is null ? null : FindNode(config.BaseDirectory);
        if (preset is null || node is null) return Task.FromResult<UnenvEnvironment?>(null);
        var date = config.Compatibility.Date;
        var flags = JsonSerializer.Serialize(config.Compatibility.Flags);
        var version = File.GetLastWriteTimeUtc(Path.Combine(preset, "package.json")).Ticks;
        var key = $"{preset}\n{version}\n{date}\n{flags}";
        return s_cache.GetOrAdd(key, _ => EvaluateAsync(node, preset, date, flags, cancellationToken));
    }

    /// <summary>The preset wrangler would use: wrangler's own nested copy, else the hoisted one, in the nearest node_modules with either.</summary>
    public static string? Find(string startDirectory)
    {
        for (var dir = new DirectoryInfo(Path.GetFullPath(startDirectory)); dir is not null; dir = dir.Parent)
        {
            var modules = Path.Combine(dir.FullName, "node_modules");
            foreach (var candidate in new[] { Path.Combine(modules, "wrangler", "node_modules", "@cloudflare", "unenv-preset"), Path.Combine(modules, "@cloudflare", "unenv-preset") })
            {
                if (File.Exists(Path.Combine(candidate, "package.json"))) return candidate;
            }
        }
        return null;
    }

    /// <summary>$FLINT_NODE, else node on PATH, else the project's node_modules/.bin/node.</summary>
    private static string? FindNode(string startDirectory)
    {
        var fromEnv = Environment.GetEnvironmentVariable("FLINT_NODE");
        if (!string.IsNullOrEmpty(fromEnv)) return File.Exists(fromEnv) ? fromEnv : null;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var path = Path.Combine(dir, "node");
            if (File.Exists(path)) return path;
        }
        for (var dir = new DirectoryInfo(Path.GetFullPath(startDirectory)); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "node_modules", ".bin", "node");
            if (File.Exists(path)) return path;
        }
        return null;
    }

    private static async Task<UnenvEnvironment?> EvaluateAsync(string node, string preset, string date, string flags, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo(node)
        {
            WorkingDirectory = preset,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("--input-type=module");
        psi.ArgumentList.Add("-e");
        psi.ArgumentList.Add(Script);
        psi.Environment["FLINT_COMPATIBILITY_DATE"] = date;
        psi.Environment["FLINT_COMPATIBILITY_FLAGS"] = flags;
        psi.Environment["FLINT_NODE_MODULES"] = string.Join(',', Flint.JavaScript.Node.NodeModuleNames.All);
        using var process = Process.Start(psi) ?? throw new ConfigException($"Could not start {node} to read @cloudflare/unenv-preset.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        if (process.ExitCode != 0)
            throw new ConfigException($"Could not read the Node.js polyfills of @cloudflare/unenv-preset ({preset}) with {node}:\n{(await stderr.ConfigureAwait(false)).Trim()}");
        using var doc = JsonDocument.Parse(await stdout.ConfigureAwait(false));
        var root = doc.RootElement;
        return new UnenvEnvironment(
            root.GetProperty("alias").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal),
            root.GetProperty("external").EnumerateArray().Select(e => e.GetString()!).ToList(),
            root.GetProperty("inject").EnumerateObject().ToDictionary(p => p.Name,
                p => new UnenvInject(p.Value.GetProperty("module").GetString()!, p.Value.GetProperty("export").GetString()!), StringComparer.Ordinal),
            root.GetProperty("polyfill").EnumerateArray().Select(e => e.GetString()!).ToList());
    }
}
