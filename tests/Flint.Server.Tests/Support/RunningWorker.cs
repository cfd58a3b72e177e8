using Flint.Engine.Config;
using Flint.Server.Dev;
using Microsoft.Extensions.Logging;

namespace Flint.Server.Tests.Support;

/// <summary>
/// A Worker directory written to disk and served by a real <see cref="DevServer"/> (Kestrel on
/// 127.0.0.1, a free port), with a real HttpClient talking to it.
/// </summary>
public sealed class RunningWorker : IAsyncDisposable
{
    private readonly bool _ownsDirectory;

    private RunningWorker(string dir, DevServer server, LogSink logs, bool ownsDirectory)
    {
        _ownsDirectory = ownsDirectory;
        Directory = dir;
        Server = server;
        Logs = logs;
        Client = new HttpClient { BaseAddress = server.Url, Timeout = TimeSpan.FromSeconds(30) };
    }

    public const string S3AccessKeyId = "FLINTTESTKEY";
    public const string S3SecretAccessKey = "flint-test-secret/with+odd=chars";

    public string Directory { get; }
    public DevServer Server { get; }
    /// <summary>The S3 API's address, when the Worker binds R2 buckets.</summary>
    public Uri? S3Url => Server.S3?.Url;
    public HttpClient Client { get; }
    public LogSink Logs { get; }
    public Uri Url => Server.Url;

    public static string WriteFiles(IDictionary<string, string> files)
    {
        var dir = Path.Combine(Path.GetTempPath(), "flint-it-" + Guid.NewGuid().ToString("n"));
        System.IO.Directory.CreateDirectory(dir);
        foreach (var (name, content) in files)
        {
            var path = Path.Combine(dir, name);
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, content);
        }
        return dir;
    }

    /// <summary>Serves a Worker made of <paramref name="files"/>; a wrangler.toml is added when none is given.</summary>
    /// <param name="isolates">Isolates per Worker: 2 by default here, so tests see requests spread over a pool; <c>flint dev</c>'s default is 1.</param>
    public static Task<RunningWorker> StartAsync(IDictionary<string, string> files, bool watch = false, string? env = null,
        IReadOnlyDictionary<string, string>? vars = null, int isolates = 2, Flint.JavaScript.Web.Network.OutboundPolicy? outbound = null)
    {
        var all = new Dictionary<string, string>(files);
        if (!all.Keys.Any(k => k.StartsWith("wrangler.", StringComparison.Ordinal)))
        {
            all["wrangler.toml"] = "name = \"test\"\nmain = \"index.js\"\ncompatibility_date = \"2025-11-01\"\n";
        }
        return StartInAsync(WriteFiles(all), watch, env, vars, ownsDirectory: true, isolates: isolates, outbound: outbound);
    }

    /// <summary>Serves an existing Worker; the directory is deleted afterwards only when <paramref name="ownsDirectory"/>.</summary>
    public static async Task<RunningWorker> StartInAsync(string target, bool watch = false, string? env = null,
        IReadOnlyDictionary<string, string>? vars = null, bool ownsDirectory = false, int isolates = 2, IReadOnlyList<string>? auxiliaryTargets = null,
        Flint.JavaScript.Web.Network.OutboundPolicy? outbound = null)
    {
        var logs = new LogSink();
        var configOptions = new ConfigLoadOptions
        {
            Target = target,
            Environment = env,
            VarOverrides = vars ?? new Dictionary<string, string>(),
        };
        var auxiliary = (auxiliaryTargets ?? []).Select(t =>
        {
            var o = new ConfigLoadOptions { Target = t, Environment = env };
            return (Func<(WorkerConfig, IReadOnlyList<ConfigWarning>)>)(() => ConfigLoader.Load(o));
        }).ToList();
        var server = await DevServer.StartAsync(new DevServerOptions
        {
            LoadConfig = () => ConfigLoader.Load(configOptions),
            AuxiliaryConfigs = auxiliary,
            Port = 0,
            Watch = watch,
            Isolates = isolates,
            Outbound = outbound ?? Flint.JavaScript.Web.Network.OutboundPolicy.AllowAll,
            LogLevel = LogLevel.Debug,
            ConfigureLogging = b => b.AddProvider(logs),
            // The S3 API (started when the config binds R2 buckets) takes the tests' fixed pair.
            S3Environment = new Dictionary<string, string?>
            {
                [Flint.Server.S3.S3Credentials.AccessKeyVariable] = S3AccessKeyId,
                [Flint.Server.S3.S3Credentials.SecretKeyVariable] = S3SecretAccessKey,
            },
        });
        var dir = System.IO.Directory.Exists(target) ? target : Path.GetDirectoryName(target)!;
        return new RunningWorker(dir, server, logs, ownsDirectory);
    }

    public async Task<string> GetStringAsync(string path) => await Client.GetStringAsync(path);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
        if (!_ownsDirectory) return;
        try { System.IO.Directory.Delete(Directory, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>Keeps every log line so tests can look for what Flint or the Worker logged.</summary>
public sealed class LogSink : ILoggerProvider
{
    private readonly List<string> _lines = [];

    public IReadOnlyList<string> Lines { get { lock (_lines) return _lines.ToList(); } }
    public string All => string.Join("\n", Lines);

    public async Task<string> WaitForAsync(Func<string, bool> match, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (DateTime.UtcNow < deadline)
        {
            var hit = Lines.FirstOrDefault(match);
            if (hit is not null) return hit;
            await Task.Delay(20);
        }
        throw new TimeoutException("No matching log line. Logs:\n" + All);
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);
    public void Dispose() { }

    private sealed class Logger(LogSink sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (sink._lines) sink._lines.Add($"{logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : "\n" + exception)}");
        }
    }
}
