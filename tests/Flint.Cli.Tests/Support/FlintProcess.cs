using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Flint.Cli.Tests.Support;

/// <summary>A real <c>flint</c> process (the built flint.dll run by <c>dotnet exec</c>), as a user runs it.</summary>
public sealed class FlintProcess : IDisposable
{
    private readonly ConcurrentQueue<string> _output = new();

    private FlintProcess(Process process) => Process = process;

    public Process Process { get; }
    public string Url { get; private set; } = "";

    /// <summary>Everything the process wrote to stdout and stderr so far, a line each.</summary>
    public string Output => string.Join('\n', _output);

    private static ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        var flintDll = Path.Combine(AppContext.BaseDirectory, "flint.dll");
        return new ProcessStartInfo("dotnet", ["exec", flintDll, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
    }

    /// <summary>Starts <c>flint dev DIR --port 0 --no-watch</c> with <paramref name="extra"/> and waits until it is ready.</summary>
    public static async Task<FlintProcess> StartDevAsync(string dir, params string[] extra)
    {
        var flint = new FlintProcess(Process.Start(StartInfo(["dev", dir, "--port", "0", "--no-watch", "--log-level", "warn", .. extra]))!);
        var ready = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        flint.Process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            flint._output.Enqueue(e.Data);
            if (Regex.Match(e.Data, @"Ready on (http://\S+)") is { Success: true } m) ready.TrySetResult(m.Groups[1].Value);
        };
        flint.Process.ErrorDataReceived += (_, e) => { if (e.Data is not null) flint._output.Enqueue(e.Data); };
        flint.Process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"flint dev exited before it was ready:\n{flint.Output}"));
        flint.Process.EnableRaisingEvents = true;
        flint.Process.BeginOutputReadLine();
        flint.Process.BeginErrorReadLine();
        try
        {
            flint.Url = await ready.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch
        {
            flint.Dispose();
            throw;
        }
        return flint;
    }

    /// <summary>Runs one flint command to its end (at most <paramref name="timeout"/>) and returns its exit code and output.</summary>
    public static async Task<(int Code, string Out, string Err)> RunAsync(TimeSpan timeout, params string[] args)
    {
        using var process = Process.Start(StartInfo(args))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"flint {string.Join(' ', args)} did not finish within {timeout}.");
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>The ids of the processes this one started (flint dev's server runs in a child of its supervisor).</summary>
    public IReadOnlyList<int> ChildIds()
    {
        var children = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                // /proc/PID/stat: "pid (comm) state ppid …"; comm may hold spaces, so count from its ")".
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1]) == Process.Id) children.Add(pid);
            }
            catch (IOException) { }
        }
        return children;
    }

    /// <summary>Waits until the output has a line matching <paramref name="pattern"/> (after <paramref name="skip"/> matches).</summary>
    public async Task<Match> WaitForOutputAsync(string pattern, int skip = 0, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (DateTime.UtcNow < deadline)
        {
            var matches = _output.Select(l => Regex.Match(l, pattern)).Where(m => m.Success).ToList();
            if (matches.Count > skip) return matches[skip];
            await Task.Delay(50);
        }
        throw new TimeoutException($"No output line matches {pattern}. Output:\n{Output}");
    }

    /// <summary>SIGKILL: no shutdown, no flush.</summary>
    public async Task KillAsync()
    {
        if (!Process.HasExited) Process.Kill(entireProcessTree: true);
        await Process.WaitForExitAsync();
    }

    /// <summary>
    /// Kills the process and its server, and waits until they are gone: what they held (store
    /// locks, the port) is free when this returns, so a test may use the data right after.
    /// </summary>
    public void Dispose()
    {
        var children = new List<Process>();
        try
        {
            if (!Process.HasExited)
            {
                foreach (var id in ChildIds())
                {
                    try { children.Add(System.Diagnostics.Process.GetProcessById(id)); } catch (ArgumentException) { }
                }
                Process.Kill(entireProcessTree: true);
                Process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException) { }
        foreach (var child in children)
        {
            try { child.WaitForExit(10_000); } catch (InvalidOperationException) { }
            child.Dispose();
        }
        Process.Dispose();
    }
}
