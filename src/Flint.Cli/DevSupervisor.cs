using System.Diagnostics;
using System.Runtime.InteropServices;
using Flint.Server.Ingress;

namespace Flint.Cli;

/// <summary>
/// Keeps <c>flint dev</c> running: the command runs its server as a child process and, when that
/// process dies without exiting (V8 aborts the whole process on a few errors, e.g. an array too
/// large for it; the kernel's OOM killer; a kill -9), says which Worker and request it was serving
/// and starts it again on the same port and data. A normal exit (Ctrl-C, a config error at start)
/// ends the supervisor with the child's exit code. The child dies with the supervisor: it watches
/// its stdin, a pipe only the supervisor holds open.
/// </summary>
internal static class DevSupervisor
{
    /// <summary>Set in a supervised child's environment: the directory of its ready and in-flight files.</summary>
    public const string ChildVariable = "FLINT_SUPERVISOR_DIR";
    public const string NoRestartOption = "--no-restart";

    private const int SigTerm = 15;
    // A server that dies before it is ready will die again (a Worker that aborts V8 as it loads):
    // after this many such deaths in a row, stop. One that dies serving a request is restarted.
    private const int MaxDeathsBeforeReady = 3;

    public static string? ChildDirectory => Environment.GetEnvironmentVariable(ChildVariable);

    /// <summary>True for <c>flint dev</c> run by a person (not help, not a supervised child, not opted out).</summary>
    public static bool ShouldSupervise(string[] args) =>
        (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) && ChildDirectory is null &&
        args.Length > 0 && args[0] == "dev" && !args.Any(a => a is "--help" or "-h" or "-?" or NoRestartOption);

    public static async Task<int> RunAsync(string[] args, TextWriter stderr)
    {
        var dir = Directory.CreateTempSubdirectory("flint-dev-").FullName;
        var childArgs = args.ToList();
        Process? child = null;
        var stopping = false;
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true; // stay until the child has shut down
            stopping = true;
            if (child is { HasExited: false } c) _ = kill(c.Id, SigTerm);
        }
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var onQuit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, Stop);
        var deathsBeforeReady = 0;
        try
        {
            while (true)
            {
                File.Delete(Path.Combine(dir, "ready"));
                child = StartChild(childArgs, dir);
                await child.WaitForExitAsync().ConfigureAwait(false);
                var code = child.ExitCode;
                child.Dispose();
                // An exit the child chose (0, or 1 for a config error) ends it; a death by signal does not.
                if (stopping || code < 128) return code;
                stderr.WriteLine($"✘ [ERROR] The flint dev server process died ({Describe(code)}){InFlight(dir)}.");
                var port = ReadyPort(dir);
                deathsBeforeReady = port is null ? deathsBeforeReady + 1 : 0;
                if (deathsBeforeReady >= MaxDeathsBeforeReady)
                {
                    stderr.WriteLine($"✘ [ERROR] It died {MaxDeathsBeforeReady} times in a row before it was ready; not starting it again.");
                    return 1;
                }
                if (port is not null) childArgs = WithPort(childArgs, port.Value);
                stderr.WriteLine("[flint:info] Starting it again on the same port and data. (flint dev --no-restart does not.)");
                stderr.Flush();
            }
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static Process StartChild(List<string> args, string dir)
    {
        // The same executable: the apphost itself, or `dotnet exec flint.dll`.
        var host = Environment.ProcessPath!;
        var psi = new ProcessStartInfo(host) { RedirectStandardInput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            psi.ArgumentList.Add("exec");
            psi.ArgumentList.Add(typeof(DevSupervisor).Assembly.Location);
        }
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment[ChildVariable] = dir;
        return Process.Start(psi)!;
    }

    private static string Describe(int code) => (code - 128) switch
    {
        6 => "SIGABRT: V8 or .NET aborted it, e.g. V8's fatal \"invalid size\" error; its message is above",
        9 => "SIGKILL: killed, e.g. by the kernel when the machine ran out of memory",
        11 => "SIGSEGV: a crash in native code",
        var signal => $"signal {signal}",
    };

    private static string InFlight(string dir)
    {
        var requests = InFlightNote.Read(Path.Combine(dir, "inflight"));
        if (requests.Count == 0) return " while it served no request";
        var list = string.Join("; ", requests.Take(5).Select(r => $"Worker \"{r.Worker}\": {r.Request}"));
        return $" while it was serving {list}{(requests.Count > 5 ? $" and {requests.Count - 5} more" : "")}";
    }

    private static int? ReadyPort(string dir)
    {
        try
        {
            var url = File.ReadAllText(Path.Combine(dir, "ready")).Trim();
            return Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.Port : null;
        }
        catch (IOException) { return null; }
    }

    /// <summary>The arguments with --port set to the port the first start listened on (it may have been 0).</summary>
    private static List<string> WithPort(List<string> args, int port)
    {
        var result = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == "--port") { i++; continue; }
            if (args[i].StartsWith("--port=", StringComparison.Ordinal)) continue;
            result.Add(args[i]);
        }
        result.Add("--port");
        result.Add(port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return result;
    }

    // ---- in the child -----------------------------------------------------------------------------

    /// <summary>In a supervised child: ends this process when the supervisor is gone (its end of stdin closes).</summary>
    public static void DieWithSupervisor()
    {
        var watch = new Thread(() =>
        {
            using var stdin = Console.OpenStandardInput();
            var buffer = new byte[256];
            try { while (stdin.Read(buffer, 0, buffer.Length) > 0) { } }
            catch (IOException) { }
            Process.GetCurrentProcess().Kill();
        }) { IsBackground = true, Name = "flint-supervisor-watch" };
        watch.Start();
    }

    /// <summary>In a supervised child: tells the supervisor the URL it listens on, so a restart keeps it.</summary>
    public static void WriteReady(string dir, Uri url)
    {
        var temp = Path.Combine(dir, "ready.tmp");
        File.WriteAllText(temp, url.ToString());
        File.Move(temp, Path.Combine(dir, "ready"), overwrite: true);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
