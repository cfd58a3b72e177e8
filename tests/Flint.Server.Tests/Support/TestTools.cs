using System.Diagnostics;

namespace Flint.Server.Tests.Support;

/// <summary>
/// Tools the tests install for themselves, so `dotnet test` on a fresh machine needs nothing
/// else: npm packages from tests/tools/package.json (esbuild), and Debian packages (a real
/// aws CLI, Chromium, PostgreSQL) through <see cref="RequireDebianAsync"/>.
/// </summary>
public static class TestTools
{
    private static readonly SemaphoreSlim s_install = new(1, 1);
    private static readonly SemaphoreSlim s_apt = new(1, 1);
    private static bool s_aptUpdated;

    /// <summary>
    /// The full path of <paramref name="command"/>, installing Debian package
    /// <paramref name="package"/> first when the command is not on PATH. Fails (never skips)
    /// when it cannot be installed.
    /// </summary>
    public static async Task<string> RequireDebianAsync(string command, string package)
    {
        await s_apt.WaitAsync();
        try
        {
            if (FindOnPath(command) is { } found) return found;
            if (!s_aptUpdated)
            {
                await RunAsync("apt-get", ["update", "-q"], $"apt-get update (to install {package})");
                s_aptUpdated = true;
            }
            await RunAsync("apt-get", ["install", "-y", "-q", "--no-install-recommends", package], $"apt-get install {package}",
                ("DEBIAN_FRONTEND", "noninteractive"));
            return FindOnPath(command) ?? throw new InvalidOperationException($"Installed Debian package {package}, but {command} is still not on PATH.");
        }
        finally
        {
            s_apt.Release();
        }
    }

    public static string? FindOnPath(string command)
    {
        if (command.Contains('/')) return File.Exists(command) ? command : null;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var path = Path.Combine(dir, command);
            if (File.Exists(path)) return path;
        }
        return null;
    }

    /// <summary>
    /// Runs a package install up to three times, 10 and 30 s apart: the registry's TLS proxy here has
    /// failed every request for a moment (SELF_SIGNED_CERT_IN_CHAIN on npm's own three quick retries).
    /// </summary>
    private static async Task WithRetriesAsync(Func<Task> install)
    {
        TimeSpan[] waits = [TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30)];
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await install();
                return;
            }
            catch (InvalidOperationException) when (attempt < waits.Length)
            {
                await Task.Delay(waits[attempt]);
            }
        }
    }

    private static async Task RunAsync(string file, string[] args, string what, params (string Name, string Value)[] env)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in env) psi.Environment[name] = value;
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {file} for {what}.");
        var err = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{what} failed ({process.ExitCode}): {await err}");
    }

    public static async Task<string> EsbuildAsync()
    {
        var dir = Path.Combine(RepoRoot.Path, "tests", "tools");
        var esbuild = Path.Combine(dir, "node_modules", ".bin", "esbuild");
        await s_install.WaitAsync();
        try
        {
            if (File.Exists(esbuild)) return esbuild;
            // npm ci would refuse a lockfile listing platform packages the registry mirror lacks; install honours the lock.
            await WithRetriesAsync(() => RunNodeToolAsync(dir, "npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"]));
            if (!File.Exists(esbuild)) throw new InvalidOperationException("npm install in tests/tools succeeded but left no node_modules/.bin/esbuild.");
            return esbuild;
        }
        finally
        {
            s_install.Release();
        }
    }

    /// <summary>
    /// The real npm packages the Node.js compatibility tests run (tests/fixtures/npm, installed from its
    /// lockfile once and kept): links DIR/node_modules to them, esbuild included.
    /// </summary>
    public static async Task LinkNpmFixtureIntoAsync(string workerDirectory)
    {
        var dir = Path.Combine(RepoRoot.Path, "tests", "fixtures", "npm");
        var modules = Path.Combine(dir, "node_modules");
        await s_install.WaitAsync();
        try
        {
            await InstallFromLockfileAsync(dir, Path.Combine(".bin", "esbuild"));
        }
        finally
        {
            s_install.Release();
        }
        Directory.CreateSymbolicLink(Path.Combine(workerDirectory, "node_modules"), modules);
    }

    /// <summary>
    /// npm install in <paramref name="dir"/> when its packages are missing or its lockfile changed since
    /// (the lockfile's hash is kept beside the packages). Caller holds s_install.
    /// </summary>
    private static async Task InstallFromLockfileAsync(string dir, string mustExist)
    {
        var modules = Path.Combine(dir, "node_modules");
        var lockHash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(dir, "package-lock.json"))));
        var stamp = Path.Combine(modules, ".flint-lock-sha256");
        if (File.Exists(Path.Combine(modules, mustExist)) && File.Exists(stamp) && File.ReadAllText(stamp) == lockHash) return;
        await WithRetriesAsync(() => RunNodeToolAsync(dir, "npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"]));
        File.WriteAllText(stamp, lockHash);
    }

    private static async Task RunNodeToolAsync(string dir, string file, string[] args)
    {
        var psi = new ProcessStartInfo(file, args) { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {file} in {dir}. Install Node.js and npm.");
        var err = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} in {dir} failed ({process.ExitCode}): {await err}{await output}");
    }

    /// <summary>
    /// tests/fixtures/react-router: a small React Router app, installed from its lockfile and built with
    /// `react-router build` (again only when its sources or lockfile change). Returns its directory, whose
    /// worker.js serves the server build.
    /// </summary>
    public static async Task<string> ReactRouterAppAsync()
    {
        var dir = Path.Combine(RepoRoot.Path, "tests", "fixtures", "react-router");
        await s_install.WaitAsync();
        try
        {
            await InstallFromLockfileAsync(dir, Path.Combine(".bin", "react-router"));
            var sources = Directory.GetFiles(Path.Combine(dir, "app"), "*", SearchOption.AllDirectories)
                .Concat(new[] { "package-lock.json", "react-router.config.js", "vite.config.js" }.Select(f => Path.Combine(dir, f)))
                .Order(StringComparer.Ordinal)
                .SelectMany(f => System.Text.Encoding.UTF8.GetBytes(Path.GetRelativePath(dir, f)).Concat(File.ReadAllBytes(f)))
                .ToArray();
            var hash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(sources));
            var stamp = Path.Combine(dir, "build", ".flint-sources-sha256");
            if (!File.Exists(stamp) || File.ReadAllText(stamp) != hash)
            {
                await RunNodeToolAsync(dir, Path.Combine(dir, "node_modules", ".bin", "react-router"), ["build"]);
                File.WriteAllText(stamp, hash);
            }
        }
        finally
        {
            s_install.Release();
        }
        return dir;
    }

    /// <summary>tests/browser: playwright-core (installed from its lockfile once and kept), to drive Debian's Chromium.</summary>
    public static async Task<string> BrowserToolsAsync()
    {
        var dir = Path.Combine(RepoRoot.Path, "tests", "browser");
        await s_install.WaitAsync();
        try
        {
            if (!File.Exists(Path.Combine(dir, "node_modules", "playwright-core", "package.json")))
                await WithRetriesAsync(() => RunAsync("npm", ["install", "--prefix", dir, "--no-audit", "--no-fund", "--loglevel=error"], "npm install in tests/browser (playwright-core)"));
            return dir;
        }
        finally
        {
            s_install.Release();
        }
    }

    /// <summary>Puts esbuild where a project that installed wrangler has it: DIR/node_modules/.bin/esbuild.</summary>
    public static async Task InstallEsbuildIntoAsync(string workerDirectory)
    {
        var bin = Path.Combine(workerDirectory, "node_modules", ".bin");
        Directory.CreateDirectory(bin);
        File.CreateSymbolicLink(Path.Combine(bin, "esbuild"), await EsbuildAsync());
    }
}
