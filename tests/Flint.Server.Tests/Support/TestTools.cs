using System.Diagnostics;

namespace Flint.Server.Tests.Support;

/// <summary>
/// Tools the tests install for themselves from tests/tools/package.json (npm), so `dotnet test`
/// on a fresh machine needs nothing else: today, esbuild.
/// </summary>
public static class TestTools
{
    private static readonly SemaphoreSlim s_install = new(1, 1);

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

    /// <summary>Puts esbuild where a project that installed wrangler has it: DIR/node_modules/.bin/esbuild.</summary>
    public static async Task InstallEsbuildIntoAsync(string workerDirectory)
    {
        var bin = Path.Combine(workerDirectory, "node_modules", ".bin");
        Directory.CreateDirectory(bin);
        File.CreateSymbolicLink(Path.Combine(bin, "esbuild"), await EsbuildAsync());
    }
}
