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
            var psi = new ProcessStartInfo("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"])
            {
                WorkingDirectory = dir,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var npm = Process.Start(psi) ?? throw new InvalidOperationException("Could not start npm to install tests/tools (esbuild). Install Node.js and npm.");
            var err = npm.StandardError.ReadToEndAsync();
            await npm.StandardOutput.ReadToEndAsync();
            await npm.WaitForExitAsync();
            if (npm.ExitCode != 0 || !File.Exists(esbuild))
                throw new InvalidOperationException($"npm install in tests/tools failed ({npm.ExitCode}): {await err}");
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
            if (!File.Exists(Path.Combine(modules, ".bin", "esbuild")))
            {
                var psi = new ProcessStartInfo("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"])
                {
                    WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true,
                };
                using var npm = Process.Start(psi) ?? throw new InvalidOperationException("Could not start npm to install tests/fixtures/npm. Install Node.js and npm.");
                var err = npm.StandardError.ReadToEndAsync();
                await npm.StandardOutput.ReadToEndAsync();
                await npm.WaitForExitAsync();
                if (npm.ExitCode != 0) throw new InvalidOperationException($"npm install in tests/fixtures/npm failed ({npm.ExitCode}): {await err}");
            }
        }
        finally
        {
            s_install.Release();
        }
        Directory.CreateSymbolicLink(Path.Combine(workerDirectory, "node_modules"), modules);
    }

    /// <summary>tests/browser: playwright-core (installed from its lockfile once and kept), to drive Debian's Chromium.</summary>
    public static async Task<string> BrowserToolsAsync()
    {
        var dir = Path.Combine(RepoRoot.Path, "tests", "browser");
        await s_install.WaitAsync();
        try
        {
            if (!File.Exists(Path.Combine(dir, "node_modules", "playwright-core", "package.json")))
                await RunAsync("npm", ["install", "--prefix", dir, "--no-audit", "--no-fund", "--loglevel=error"], "npm install in tests/browser (playwright-core)");
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
