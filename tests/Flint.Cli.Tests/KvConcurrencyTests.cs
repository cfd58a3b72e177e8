using System.Collections.Concurrent;
using System.Net;
using Flint.Cli.Tests.Support;

namespace Flint.Cli.Tests;

/// <summary>
/// `flint dev` and the `flint kv` CLI on the same data directory at the same time, as real
/// processes: neither may lose or hide a value the other wrote, whatever they do at once.
/// </summary>
public sealed class KvConcurrencyTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("flint-kvrace-").FullName;
    private readonly string _data;

    public KvConcurrencyTests()
    {
        _data = Path.Combine(_dir, "data");
        File.WriteAllText(Path.Combine(_dir, "wrangler.toml"), """
            name = "race"
            main = "index.js"
            compatibility_date = "2025-11-01"
            kv_namespaces = [{ binding = "KV", id = "shared" }]
            """);
        File.WriteAllText(Path.Combine(_dir, "index.js"), """
            export default {
              async fetch(request, env) {
                const key = new URL(request.url).searchParams.get("key");
                if (request.method === "PUT") {
                  await env.KV.put(key, request.body);
                  return new Response("ok " + key);
                }
                const value = await env.KV.get(key, "arrayBuffer");
                return value === null ? new Response("null", { status: 404 }) : new Response(value);
              }
            }
            """);
    }

    public void Dispose() => Directory.Delete(_dir, true);

    /// <summary>A value over the inline limit (so it lives in a blob file) that names its own seed by its length.</summary>
    private static byte[] Value(int seed)
    {
        var bytes = new byte[70_000 + seed];
        for (var i = 0; i < bytes.Length; i++) bytes[i] = (byte)(seed * 31 + i);
        return bytes;
    }

    private static bool IsSomeValue(byte[] bytes) => bytes.Length >= 70_000 && bytes.AsSpan().SequenceEqual(Value(bytes.Length - 70_000));

    private string[] Cli(params string[] args) => [.. args, "--namespace-id", "shared", "--persist-to", _data];

    [Fact]
    public async Task TheCliNextToADevServerThatWritesLosesNoValue()
    {
        using var flint = await FlintProcess.StartDevAsync(_dir, "--persist-to", _data);
        using var http = new HttpClient { BaseAddress = new Uri(flint.Url), Timeout = TimeSpan.FromSeconds(30) };
        var acknowledged = new ConcurrentDictionary<string, int>();
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 6).Select(w => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var key = $"w{w}-{i}";
                var seed = w * 1000 + i;
                using var response = await http.PutAsync($"/?key={key}", new ByteArrayContent(Value(seed)));
                if (response.IsSuccessStatusCode) acknowledged[key] = seed;
            }
        })).ToList();

        // Meanwhile the CLI opens the same namespace again and again: listing, and writing values of its own.
        var cliFile = Path.Combine(_dir, "cli-value.bin");
        File.WriteAllBytes(cliFile, Value(999_999 - 900_000));
        for (var run = 0; run < 6; run++)
        {
            var (code, _, err) = run % 2 == 0
                ? await FlintProcess.RunAsync(TimeSpan.FromSeconds(60), Cli("kv", "key", "list"))
                : await FlintProcess.RunAsync(TimeSpan.FromSeconds(60), Cli("kv", "key", "put", $"cli-{run}", "--path", cliFile));
            Assert.True(code == 0, err);
        }
        stop.Cancel();
        await Task.WhenAll(writers);
        Assert.True(acknowledged.Count > 20, $"only {acknowledged.Count} writes in the test window");

        var lost = new List<string>();
        foreach (var (key, seed) in acknowledged.Concat([new("cli-1", 99_999), new("cli-3", 99_999), new("cli-5", 99_999)]))
        {
            using var response = await http.GetAsync($"/?key={key}");
            if (!(await response.Content.ReadAsByteArrayAsync()).AsSpan().SequenceEqual(Value(seed))) lost.Add(key);
        }
        Assert.True(lost.Count == 0, $"{lost.Count} of {acknowledged.Count + 3} acknowledged values lost: {string.Join(", ", lost.Take(10))}");
    }

    [Fact]
    public async Task ALargeValueBeingOverwrittenReadsAsTheOldOrTheNewValueNeverNull()
    {
        using var flint = await FlintProcess.StartDevAsync(_dir, "--persist-to", _data);
        using var http = new HttpClient { BaseAddress = new Uri(flint.Url), Timeout = TimeSpan.FromSeconds(30) };
        Assert.True((await http.PutAsync("/?key=hot", new ByteArrayContent(Value(0)))).IsSuccessStatusCode);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(6));
        var writers = Enumerable.Range(0, 6).Select(w => Task.Run(async () =>
        {
            for (var i = 1; !stop.IsCancellationRequested; i++)
                (await http.PutAsync("/?key=hot", new ByteArrayContent(Value(w * 1000 + i)))).Dispose();
        })).ToList();
        // Another process overwrites it too.
        var cliFile = Path.Combine(_dir, "cli-value.bin");
        File.WriteAllBytes(cliFile, Value(99_999));
        var cliWriter = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested) await FlintProcess.RunAsync(TimeSpan.FromSeconds(60), Cli("kv", "key", "put", "hot", "--path", cliFile));
        });
        var reads = 0;
        var wrong = new ConcurrentBag<string>();
        var readers = Enumerable.Range(0, 6).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var response = await http.GetAsync("/?key=hot");
                var body = await response.Content.ReadAsByteArrayAsync();
                Interlocked.Increment(ref reads);
                if (response.StatusCode != HttpStatusCode.OK) wrong.Add($"{(int)response.StatusCode} {System.Text.Encoding.UTF8.GetString(body.AsSpan(0, Math.Min(body.Length, 200)))}");
                else if (!IsSomeValue(body)) wrong.Add($"a torn value of {body.Length} bytes");
            }
        })).ToList();
        await Task.WhenAll([.. writers, .. readers, cliWriter]);
        Assert.True(reads > 100, $"only {reads} reads in the test window");
        Assert.True(wrong.IsEmpty, $"{wrong.Count} of {reads} reads saw neither the old nor the new value: {string.Join("; ", wrong.Take(5))}");
    }
}
