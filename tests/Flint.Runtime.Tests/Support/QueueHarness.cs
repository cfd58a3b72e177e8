using Flint.Engine.Config;
using Flint.Runtime.Queues;
using Flint.Runtime.Workers;

namespace Flint.Runtime.Tests.Support;

/// <summary>
/// Workers in a <see cref="TestRuntime"/> with the queue dispatcher running over their shared data
/// directory, as <c>flint dev</c> runs them; every delivered batch is recorded.
/// </summary>
public sealed class QueueHarness : IAsyncDisposable
{
    private readonly List<QueueDelivery> _deliveries = [];

    private QueueHarness(TestRuntime runtime, QueueDispatcher dispatcher)
    {
        Runtime = runtime;
        Dispatcher = dispatcher;
        dispatcher.Delivered += d => { lock (_deliveries) _deliveries.Add(d); };
    }

    public TestRuntime Runtime { get; }
    public QueueDispatcher Dispatcher { get; }

    public IReadOnlyList<QueueDelivery> Deliveries { get { lock (_deliveries) return _deliveries.ToList(); } }

    /// <summary>Starts the Workers (name → files; a file named wrangler.toml replaces the default config) and the dispatcher.</summary>
    public static async Task<QueueHarness> StartAsync(IReadOnlyDictionary<string, IDictionary<string, string>> workers, TimeProvider? time = null) =>
        await StartAsync(await TestRuntime.StartAsync(workers, time: time), time);

    /// <summary>Loads existing Worker directories (bench/oracle/queues) and starts the dispatcher.</summary>
    public static async Task<QueueHarness> LoadAsync(params string[] dirs) =>
        await StartAsync(await TestRuntime.LoadAsync(Path.GetTempPath(), dirs), null);

    private static async Task<QueueHarness> StartAsync(TestRuntime runtime, TimeProvider? time)
    {
        try
        {
            var dispatcher = new QueueDispatcher(runtime.Registry, runtime.Data.Queues, time ?? TimeProvider.System, runtime.Loggers.CreateLogger("flint"));
            var harness = new QueueHarness(runtime, dispatcher);
            dispatcher.Start();
            return harness;
        }
        catch
        {
            await runtime.DisposeAsync();
            throw;
        }
    }

    /// <summary>A wrangler.toml for Worker <paramref name="name"/> with extra TOML (queues sections) after the basics.</summary>
    public static string Config(string name, string extra, string date = "2025-11-01") =>
        $"name = \"{name}\"\nmain = \"index.js\"\ncompatibility_date = \"{date}\"\n{extra}\n";

    public static string Producer(string binding, string queue, string extra = "") =>
        $"[[queues.producers]]\nbinding = \"{binding}\"\nqueue = \"{queue}\"\n{extra}\n";

    public static string Consumer(string queue, string settings = "max_batch_timeout = 0") =>
        $"[[queues.consumers]]\nqueue = \"{queue}\"\n{settings}\n";

    public async Task<string> FetchAsync(string worker, string path = "/")
    {
        var (status, body, _) = await Runtime.FetchAsync(worker, path);
        Assert.True(status == 200, $"{worker}{path}: {status} {body}\n{Runtime.Logs.All}");
        return body;
    }

    /// <summary>Waits (at most <paramref name="timeout"/>, default 30 s: the machine may be loaded) until <paramref name="done"/> holds for the deliveries so far.</summary>
    public async Task<IReadOnlyList<QueueDelivery>> WaitForAsync(Func<IReadOnlyList<QueueDelivery>, bool> done, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var list = Deliveries;
            if (done(list)) return list;
            if (DateTime.UtcNow > deadline) Assert.Fail($"Deliveries did not get there in time; {list.Count} so far:\n" + string.Join("\n", list.Select(Describe)) + "\nLogs:\n" + Runtime.Logs.All);
            await Task.Delay(10);
        }
    }

    /// <summary>Waits until <paramref name="count"/> messages of <paramref name="queue"/> have been delivered (attempts included).</summary>
    public Task<IReadOnlyList<QueueDelivery>> WaitForMessagesAsync(string queue, int count, TimeSpan? timeout = null) =>
        WaitForAsync(list => list.Where(d => d.Queue == queue).Sum(d => d.Batch.Messages.Count) >= count, timeout);

    /// <summary>Lets a moment of real time pass, then asserts nothing more was delivered.</summary>
    public async Task AssertQuietAsync(int deliveries, int milliseconds = 300)
    {
        await Task.Delay(milliseconds);
        Assert.True(Deliveries.Count == deliveries, $"Expected {deliveries} deliveries, got {Deliveries.Count}:\n" + string.Join("\n", Deliveries.Select(Describe)));
    }

    public static string Describe(QueueDelivery d) =>
        $"{d.Queue}: [{string.Join(", ", d.Batch.Messages.Select(m => $"{System.Text.Encoding.UTF8.GetString(m.Body)}#{m.Attempts}"))}] -> {string.Join(",", d.Settlements.Select(s => s.Kind))} {(d.Outcome.Ok ? "" : d.Outcome.Error)}";

    /// <summary>Rewrites a Worker's wrangler.toml and swaps in the version loaded from it, as a dev reload does.</summary>
    public async Task ReloadAsync(string worker, string config)
    {
        var dir = Runtime.WorkerDirectory(worker);
        File.WriteAllText(Path.Combine(dir, "wrangler.toml"), config);
        var loaded = ConfigLoader.Load(new ConfigLoadOptions { Target = dir, PersistTo = Runtime.Data.Directory }).Config;
        var version = await WorkerVersion.LoadAsync(loaded, Runtime.Loggers, Runtime.Data, registry: Runtime.Registry);
        Runtime.Worker(worker).Swap(version);
    }

    public async ValueTask DisposeAsync()
    {
        Dispatcher.Dispose();
        await Runtime.DisposeAsync();
    }
}
