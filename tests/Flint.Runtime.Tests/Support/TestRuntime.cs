using System.Text;
using Flint.Engine.Config;
using Flint.Engine.Storage;
using Flint.JavaScript.Isolates;
using Flint.Runtime.Workers;
using Microsoft.Extensions.Logging;

namespace Flint.Runtime.Tests.Support;

/// <summary>
/// Several Workers, each a directory with its wrangler.toml, loaded into one registry with real V8
/// isolates and real local storage, as <c>flint dev -c a -c b</c> runs them; requests enter the
/// first one (or any, by name) as fetch events, without HTTP.
/// </summary>
public sealed class TestRuntime : IAsyncDisposable
{
    private readonly string? _root;
    private readonly string _state;
    private readonly LocalData _data;

    private TestRuntime(string? root, string state, WorkerRegistry registry, LocalData data, LogCollector logs, ILoggerFactory loggers)
    {
        _root = root;
        _state = state;
        Registry = registry;
        _data = data;
        Logs = logs;
        Loggers = loggers;
    }

    public WorkerRegistry Registry { get; }
    public LogCollector Logs { get; }
    public ILoggerFactory Loggers { get; }
    /// <summary>The data directory every Worker of the runtime shares.</summary>
    public LocalData Data => _data;
    /// <summary>Where the Workers' data lives (a temporary directory).</summary>
    public string StateDirectory => _state;
    /// <summary>The directory of Worker <paramref name="name"/> when the runtime wrote the files (StartAsync).</summary>
    public string WorkerDirectory(string name) => Path.Combine(_root ?? throw new InvalidOperationException("Loaded from existing directories."), name);

    /// <summary>Writes each Worker's files under a temporary directory (one subdirectory per name) and loads them all.</summary>
    public static async Task<TestRuntime> StartAsync(IReadOnlyDictionary<string, IDictionary<string, string>> workers, int isolates = 1,
        Flint.Runtime.DurableObjects.DurableObjectOptions? objects = null, TimeProvider? time = null)
    {
        var root = Path.Combine(Path.GetTempPath(), "flint-rt-" + Guid.NewGuid().ToString("n"));
        foreach (var (name, files) in workers)
        {
            var dir = Path.Combine(root, name);
            Directory.CreateDirectory(dir);
            if (!files.Keys.Any(k => k.StartsWith("wrangler.", StringComparison.Ordinal)))
                File.WriteAllText(Path.Combine(dir, "wrangler.toml"), $"name = \"{name}\"\nmain = \"index.js\"\ncompatibility_date = \"2025-11-01\"\n");
            foreach (var (file, content) in files)
            {
                var path = Path.Combine(dir, file);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, content);
            }
        }
        return await LoadAsync(root, workers.Keys.Select(n => Path.Combine(root, n)).ToList(), isolates, ownsRoot: true, objects: objects, time: time);
    }

    /// <summary>Loads existing Worker directories (the first one's data directory serves all).</summary>
    public static async Task<TestRuntime> LoadAsync(string root, IReadOnlyList<string> dirs, int isolates = 1, bool ownsRoot = false,
        Flint.Runtime.DurableObjects.DurableObjectOptions? objects = null, string? state = null, TimeProvider? time = null)
    {
        var logs = new LogCollector();
        var loggers = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        state ??= Path.Combine(Path.GetTempPath(), "flint-rt-state-" + Guid.NewGuid().ToString("n"));
        var configs = dirs.Select(d => ConfigLoader.Load(new ConfigLoadOptions { Target = d, PersistTo = state }).Config).ToList();
        var data = new LocalData(configs[0].PersistDirectory, time);
        var registry = new WorkerRegistry();
        if (objects is not null) registry.DurableObjects = new Flint.Runtime.DurableObjects.DurableObjectDirectory(registry, data, loggers, objects);
        foreach (var config in configs) registry.Add(await WorkerVersion.LoadAsync(config, loggers, data, isolates, registry: registry));
        registry.DurableObjects?.Start();
        return new TestRuntime(ownsRoot ? root : null, state, registry, data, logs, loggers);
    }

    public WorkerService Worker(string name) => Registry.Find(name) ?? throw new InvalidOperationException($"No Worker {name}.");

    /// <summary>A GET (or other) request into Worker <paramref name="worker"/>; the body read to the end.</summary>
    public async Task<(int Status, string Body, WorkerResponse Response)> FetchAsync(string worker, string path = "/", string method = "GET", string? body = null)
    {
        var response = await Worker(worker).FetchAsync(new IncomingRequest
        {
            Method = method,
            Url = "http://localhost" + path,
            Headers = [],
            Body = body is null ? null : new MemoryStream(Encoding.UTF8.GetBytes(body)),
        }).WaitAsync(TimeSpan.FromSeconds(30));
        return (response.Status, await ReadAsync(response), response);
    }

    public static async Task<string> ReadAsync(WorkerResponse response)
    {
        if (response.TextBody is not null) return response.TextBody;
        if (response.BytesBody is not null) return Encoding.UTF8.GetString(response.BytesBody);
        if (response.StreamBody is null) return "";
        using var ms = new MemoryStream();
        while (await response.StreamBody.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)) is { } chunk) ms.Write(chunk.Span);
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    /// <summary>Stops the Workers and their objects but keeps the data directory (to start again over the same state).</summary>
    public async ValueTask StopAsync()
    {
        if (Registry.DurableObjects is { } objects) await objects.DisposeAsync();
        Registry.Dispose();
        _data.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        if (Registry.DurableObjects is { } objects) await objects.DisposeAsync();
        Registry.Dispose();
        _data.Dispose();
        await Task.Yield();
        foreach (var dir in new[] { _root, _state })
        {
            try { if (dir is not null && Directory.Exists(dir)) Directory.Delete(dir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}

/// <summary>Keeps every log line, for tests that look for what Flint or a Worker logged.</summary>
public sealed class LogCollector : ILoggerProvider
{
    private readonly List<string> _lines = [];

    public IReadOnlyList<string> Lines { get { lock (_lines) return _lines.ToList(); } }
    public string All => string.Join("\n", Lines);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);
    public void Dispose() { }

    private sealed class Logger(LogCollector sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (sink._lines) sink._lines.Add($"{logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : "\n" + exception)}");
        }
    }
}
