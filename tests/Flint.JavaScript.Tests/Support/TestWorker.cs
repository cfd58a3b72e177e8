using System.Text;
using Flint.Engine.Compatibility;
using Flint.Engine.Config;
using Flint.JavaScript.Isolates;
using Flint.JavaScript.Modules;
using Microsoft.Extensions.Logging;

namespace Flint.JavaScript.Tests.Support;

/// <summary>
/// A Worker written to a temporary directory and loaded into real V8 isolates, for tests
/// that talk to it through fetch events without HTTP.
/// </summary>
public sealed class TestWorker : IDisposable
{
    private readonly string _dir;
    public IsolatePool Pool { get; }
    public ListLogger Logs { get; } = new();

    public TestWorker(string mainCode, IDictionary<string, string>? files = null, string mainName = "index.js",
        string envJson = "{}", int isolates = 1, TimeSpan? cpuLimit = null, (string Date, string[] Flags)? compatibility = null)
    {
        _dir = Path.Combine(Path.GetTempPath(), "flint-test-" + Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Path.Combine(_dir, mainName), mainCode);
        foreach (var (name, content) in files ?? new Dictionary<string, string>())
        {
            var path = Path.Combine(_dir, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, content);
        }
        var modules = new ModuleSource(_dir, Path.Combine(_dir, mainName), ModuleRule.Defaults);
        Pool = new IsolatePool(new IsolateOptions
        {
            WorkerName = "test",
            Modules = modules,
            EnvJson = envJson,
            DefaultCfJson = """{"colo":"DFW"}""",
            CpuLimit = cpuLimit ?? TimeSpan.FromSeconds(30),
            Compatibility = compatibility is { } c ? Resolve(c.Date, c.Flags) : CompatibilitySettings.Default,
        }, Logs, isolates);
    }

    public string Directory_ => _dir;

    private static CompatibilitySettings Resolve(string date, string[] flags)
    {
        var resolution = CompatibilityResolver.Resolve(date, flags, allowExperimental: true);
        Assert.Empty(resolution.Errors);
        return resolution.Settings;
    }

    public async Task<TestResponse> FetchAsync(string url = "http://localhost/", string method = "GET",
        IEnumerable<(string, string)>? headers = null, byte[]? body = null)
    {
        var flat = new List<string>();
        foreach (var (n, v) in headers ?? []) { flat.Add(n); flat.Add(v); }
        var response = await Pool.FetchAsync(new IncomingRequest
        {
            Method = method,
            Url = url,
            Headers = flat,
            Body = body is null ? null : new MemoryStream(body),
        }).WaitAsync(TimeSpan.FromSeconds(20));
        byte[] bytes;
        if (response.TextBody is not null) bytes = Encoding.UTF8.GetBytes(response.TextBody);
        else if (response.BytesBody is not null) bytes = response.BytesBody;
        else if (response.StreamBody is not null)
        {
            using var ms = new MemoryStream();
            while (await response.StreamBody.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20)) is { } chunk) ms.Write(chunk.Span);
            bytes = ms.ToArray();
        }
        else bytes = [];
        return new TestResponse(response, bytes);
    }

    public async Task<string> TextAsync(string url = "http://localhost/") => (await FetchAsync(url)).Text;

    public void Dispose()
    {
        Pool.Dispose();
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }
}

public sealed record TestResponse(WorkerResponse Response, byte[] Body)
{
    public int Status => Response.Status;
    public string Text => Encoding.UTF8.GetString(Body);
    public string? Header(string name)
    {
        var values = new List<string>();
        for (var i = 0; i + 1 < Response.Headers.Count; i += 2)
            if (string.Equals(Response.Headers[i], name, StringComparison.OrdinalIgnoreCase)) values.Add(Response.Headers[i + 1]);
        return values.Count == 0 ? null : string.Join(", ", values);
    }
}

/// <summary>Collects log lines so tests can assert on what a Worker logged.</summary>
public sealed class ListLogger : ILogger
{
    private readonly List<(LogLevel Level, string Message)> _entries = [];
    public IReadOnlyList<(LogLevel Level, string Message)> Entries { get { lock (_entries) return _entries.ToList(); } }
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => true;
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_entries) _entries.Add((logLevel, formatter(state, exception)));
    }
    public string All => string.Join("\n", Entries.Select(e => e.Message));
}
