using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Flint.Server.Tests.Support;

/// <summary>
/// A real PostgreSQL (Debian's, installed by the test when missing) running as a throwaway cluster
/// owned by the test: initdb into a temporary directory, started on a free loopback port with a
/// password login (SCRAM), stopped by its PID at the end. PostgreSQL refuses to run as root, so as
/// root it runs as the postgres user. Start it once per test class (an xunit class fixture).
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    public const string User = "flint";
    public const string Password = "s3cret pass";
    public const string Database = "app";

    private string _dir = "";
    private int _pid;

    public int Port { get; private set; }

    /// <summary>postgres://flint:…@127.0.0.1:PORT/app</summary>
    public string ConnectionString => $"postgres://{User}:{Uri.EscapeDataString(Password)}@127.0.0.1:{Port}/{Database}";

    public async Task InitializeAsync()
    {
        await TestTools.RequireDebianAsync("pg_ctlcluster", "postgresql");
        var bin = Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin"))
            .Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderByDescending(d => d, StringComparer.Ordinal).FirstOrDefault()
            ?? throw new InvalidOperationException("PostgreSQL is installed but no /usr/lib/postgresql/*/bin/initdb was found.");
        _dir = Path.Combine(Path.GetTempPath(), "flint-pg-" + Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(_dir);
        var asRoot = Environment.UserName == "root";
        if (asRoot) await RunAsync("chown", ["postgres:postgres", _dir], asPostgres: false);
        var data = Path.Combine(_dir, "data");
        var pwFile = Path.Combine(_dir, "pw");
        await File.WriteAllTextAsync(pwFile, Password);
        if (asRoot) await RunAsync("chown", ["postgres:postgres", pwFile], asPostgres: false);
        await RunAsync(Path.Combine(bin, "initdb"), ["-D", data, "-U", User, "--auth=scram-sha-256", $"--pwfile={pwFile}", "-E", "UTF8", "--no-sync"], asRoot);

        Port = FreePort();
        var options = $"-p {Port} -c listen_addresses=127.0.0.1 -k {_dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
        await RunAsync(Path.Combine(bin, "pg_ctl"), ["-D", data, "-l", Path.Combine(_dir, "log"), "-o", options, "-w", "-t", "60", "start"], asRoot);
        _pid = int.Parse((await File.ReadAllLinesAsync(Path.Combine(data, "postmaster.pid")))[0]);
        await PsqlAsync($"CREATE DATABASE {Database}", "postgres");
    }

    /// <summary>Runs SQL with psql as the cluster's user; returns its unaligned output.</summary>
    public async Task<string> PsqlAsync(string sql, string database = Database)
    {
        var psql = await TestTools.RequireDebianAsync("psql", "postgresql-client");
        return await RunAsync(psql, ["-h", "127.0.0.1", "-p", Port.ToString(), "-U", User, "-d", database, "-At", "-v", "ON_ERROR_STOP=1", "-c", sql],
            asPostgres: false, ("PGPASSWORD", Password));
    }

    public async Task DisposeAsync()
    {
        if (_pid > 0)
        {
            // SIGINT is PostgreSQL's fast shutdown; wait (bounded) for the postmaster to go.
            SendInterrupt(_pid);
            for (var i = 0; i < 100 && Directory.Exists($"/proc/{_pid}"); i++) await Task.Delay(100);
            if (Directory.Exists($"/proc/{_pid}")) try { Process.GetProcessById(_pid).Kill(true); } catch (ArgumentException) { }
        }
        try { Directory.Delete(_dir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static void SendInterrupt(int pid)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-INT", pid.ToString()]) { RedirectStandardError = true });
        kill?.WaitForExit(5000);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<string> RunAsync(string file, string[] args, bool asPostgres, params (string Name, string Value)[] env)
    {
        var psi = asPostgres ? new ProcessStartInfo("runuser", ["-u", "postgres", "--", file, .. args]) : new ProcessStartInfo(file, args);
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.WorkingDirectory = Path.GetTempPath();
        foreach (var (name, value) in env) psi.Environment[name] = value;
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {file}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0) throw new InvalidOperationException($"{Path.GetFileName(file)} {string.Join(' ', args)} failed ({process.ExitCode}): {await error}");
        return (await output).Trim();
    }
}
