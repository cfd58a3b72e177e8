using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Flint.Cli.Tests.Support;
using Flint.Engine.D1;
using Flint.Engine.Storage;
using Xunit.Abstractions;

namespace Flint.Cli.Tests;

/// <summary>
/// Acknowledged means durable. Fault injection: a real flint dev whose server process is killed
/// with SIGKILL at a random moment while KV writes (small values in SQLite, large ones in blob
/// files) and D1 writes (single statements and batches) are in flight, over several trials; its
/// supervisor starts it again on the same data each time. Afterwards every acknowledged write must
/// be there, byte for byte, and no D1 batch half applied. FLINT_FAULT_TRIALS sets the number of
/// trials (bench/fault-injection.sh runs many more).
/// </summary>
public sealed class CrashTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("flint-crash-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private static int Trials => int.TryParse(Environment.GetEnvironmentVariable("FLINT_FAULT_TRIALS"), out var n) && n > 0 ? n : 5;

    [Fact]
    public async Task NoAcknowledgedWriteIsLostWhenTheServerIsKilledAtRandomPoints()
    {
        File.WriteAllText(Path.Combine(_dir, "wrangler.toml"), """
            name = "crash"
            main = "index.js"
            compatibility_date = "2025-11-01"
            kv_namespaces = [{ binding = "KV", id = "crash" }]
            d1_databases = [{ binding = "DB", database_name = "crash", database_id = "crash-db" }]
            """);
        File.WriteAllText(Path.Combine(_dir, "index.js"), """
            let ready = false;
            export default {
              async fetch(request, env) {
                const url = new URL(request.url);
                const key = url.searchParams.get("key");
                if (url.pathname === "/kv") {
                  await env.KV.put(key, request.body);
                } else {
                  if (!ready) { await env.DB.exec("CREATE TABLE IF NOT EXISTS parts (batch TEXT NOT NULL, part INTEGER NOT NULL, body TEXT NOT NULL)"); ready = true; }
                  if (url.pathname === "/d1") {
                    await env.DB.prepare("INSERT INTO parts VALUES (?, 0, ?)").bind(key, "x".repeat(2000)).run();
                  } else {
                    const insert = env.DB.prepare("INSERT INTO parts VALUES (?, ?, ?)");
                    await env.DB.batch([1, 2, 3].map((part) => insert.bind(key, part, "y".repeat(3000))));
                  }
                }
                return new Response("ok " + key);
              }
            }
            """);
        var kvAcknowledged = new ConcurrentDictionary<string, int>();
        var d1Acknowledged = new ConcurrentDictionary<string, int>();
        var random = new Random();
        var clock = Stopwatch.StartNew();
        using (var flint = await FlintProcess.StartDevAsync(_dir))
        {
            using var http = new HttpClient { BaseAddress = new Uri(flint.Url), Timeout = TimeSpan.FromSeconds(10) };
            for (var trial = 0; trial < Trials; trial++)
            {
                using var stop = new CancellationTokenSource();
                var writers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
                {
                    for (var i = 0; !stop.IsCancellationRequested; i++)
                    {
                        var key = $"t{trial}-w{w}-{i}";
                        try
                        {
                            if (w < 4)
                            {
                                // Every third value is large enough for a blob file.
                                var size = i % 3 == 0 ? 70_000 + i : 10 + i;
                                using var response = await http.PutAsync($"/kv?key={key}", new ByteArrayContent(Value(key, size)));
                                if (await Acknowledged(response, key)) kvAcknowledged[key] = size;
                            }
                            else
                            {
                                var single = w % 2 == 0;
                                using var response = await http.PostAsync($"/{(single ? "d1" : "batch")}?key={key}", null);
                                if (await Acknowledged(response, key)) d1Acknowledged[key] = single ? 1 : 3;
                            }
                        }
                        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
                        {
                            await Task.Delay(20); // the server is gone or restarting
                        }
                    }
                })).ToList();
                // A random moment once this trial has had writes of every kind acknowledged (on a busy
                // machine the server may take seconds to answer its first ones): writes of every kind
                // are in flight by then.
                var trialPrefix = $"t{trial}-";
                var waited = Stopwatch.StartNew();
                while (waited.Elapsed < TimeSpan.FromSeconds(20) &&
                       (kvAcknowledged.Count(k => k.Key.StartsWith(trialPrefix) && k.Value >= 70_000) < 1 ||
                        kvAcknowledged.Count(k => k.Key.StartsWith(trialPrefix)) < 10 ||
                        d1Acknowledged.Count(d => d.Key.StartsWith(trialPrefix)) < 10))
                {
                    await Task.Delay(20);
                }
                await Task.Delay(random.Next(300, 1500));
                var server = flint.ChildIds().Single();
                Process.GetProcessById(server).Kill(); // SIGKILL: no shutdown, no flush
                stop.Cancel();
                await Task.WhenAll(writers);
                await flint.WaitForOutputAsync(@"Ready on http://", skip: trial + 1);
            }
        }

        var lost = new List<string>();
        using (var data = new LocalData(Path.Combine(_dir, ".flint")))
        {
            var store = data.Kv.Namespace("crash");
            foreach (var (key, size) in kvAcknowledged)
            {
                using var value = store.Get(key);
                if (value is null || !(await value.ReadAllAsync()).AsSpan().SequenceEqual(Value(key, size))) lost.Add(key);
            }
            var rows = (await data.D1.Database("crash-db").QueryAsync([new D1Query("SELECT batch, count(*) FROM parts GROUP BY batch", [])]))[0].Rows;
            var stored = rows.ToDictionary(r => (string)r[0]!, r => (long)r[1]!);
            lost.AddRange(d1Acknowledged.Where(a => !stored.TryGetValue(a.Key, out var n) || n != a.Value).Select(a => a.Key));
            // A batch killed mid-flight is either wholly there (committed, not yet acknowledged) or absent.
            var partial = stored.Where(s => s.Value is not (1 or 3)).Select(s => s.Key).ToList();
            Assert.True(partial.Count == 0, $"half-applied batches: {string.Join(", ", partial)}");
        }
        var blobs = kvAcknowledged.Count(k => k.Value >= 70_000);
        output.WriteLine($"fault injection: {Trials} trials in {clock.Elapsed.TotalSeconds:F0} s, {kvAcknowledged.Count} KV writes acknowledged ({blobs} in blob files), " +
            $"{d1Acknowledged.Count} D1 writes ({d1Acknowledged.Count(d => d.Value == 3)} batches), lost: {lost.Count}");
        Assert.True(kvAcknowledged.Count >= 10 * Trials && blobs > Trials && d1Acknowledged.Count >= 10 * Trials,
            $"too few writes to mean anything: {kvAcknowledged.Count} KV ({blobs} blobs), {d1Acknowledged.Count} D1");
        Assert.True(lost.Count == 0, $"{lost.Count} of {kvAcknowledged.Count + d1Acknowledged.Count} acknowledged writes lost or damaged: {string.Join(", ", lost.Take(10))}");
    }

    [Fact]
    public async Task NoAcknowledgedR2PutOrMultipartCompleteIsLostWhenTheServerIsKilledAtRandomPoints()
    {
        File.WriteAllText(Path.Combine(_dir, "wrangler.toml"), """
            name = "crash"
            main = "index.js"
            compatibility_date = "2025-11-01"
            r2_buckets = [{ binding = "B", bucket_name = "crash" }]
            """);
        File.WriteAllText(Path.Combine(_dir, "index.js"), """
            export default {
              async fetch(request, env) {
                const url = new URL(request.url);
                const key = url.searchParams.get("key");
                if (url.pathname === "/mp") {
                  const upload = await env.B.createMultipartUpload(key);
                  const parts = [];
                  if (url.searchParams.has("big")) parts.push(await upload.uploadPart(1, new Uint8Array(5 * 1024 * 1024).fill(7)));
                  parts.push(await upload.uploadPart(parts.length + 1, request.body));
                  await upload.complete(parts);
                } else {
                  await env.B.put(key, request.body);
                }
                return new Response("ok " + key);
              }
            }
            """);
        var acknowledged = new ConcurrentDictionary<string, (int Size, bool Multipart, bool Big)>();
        var random = new Random();
        using (var flint = await FlintProcess.StartDevAsync(_dir))
        {
            using var http = new HttpClient { BaseAddress = new Uri(flint.Url), Timeout = TimeSpan.FromSeconds(20) };
            for (var trial = 0; trial < Trials; trial++)
            {
                using var stop = new CancellationTokenSource();
                var writers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
                {
                    for (var i = 0; !stop.IsCancellationRequested; i++)
                    {
                        var key = $"t{trial}-w{w}-{i}";
                        var multipart = w % 2 == 1;
                        var big = multipart && i % 10 == 1;
                        // Some bodies stay in SQLite rows, others go to blob files.
                        var size = i % 3 == 0 ? 70_000 + i : 10 + i;
                        var path = multipart ? $"/mp?key={key}{(big ? "&big" : "")}" : $"/?key={key}";
                        try
                        {
                            using var response = await http.PostAsync(path, new ByteArrayContent(Value(key, size)));
                            if (await Acknowledged(response, key)) acknowledged[key] = (size, multipart, big);
                        }
                        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
                        {
                            await Task.Delay(20); // the server is gone or restarting
                        }
                    }
                })).ToList();
                // As above: a random moment once this trial has had puts of both kinds acknowledged.
                var trialPrefix = $"t{trial}-";
                var waited = Stopwatch.StartNew();
                while (waited.Elapsed < TimeSpan.FromSeconds(20) &&
                       (acknowledged.Count(a => a.Key.StartsWith(trialPrefix)) < 10 ||
                        acknowledged.Count(a => a.Key.StartsWith(trialPrefix) && a.Value.Multipart) < 1))
                {
                    await Task.Delay(20);
                }
                await Task.Delay(random.Next(300, 1500));
                Process.GetProcessById(flint.ChildIds().Single()).Kill(); // SIGKILL: no shutdown, no flush
                stop.Cancel();
                await Task.WhenAll(writers);
                // The restarted server opens the bucket again, removing what the crash left half-written.
                await flint.WaitForOutputAsync(@"Ready on http://", skip: trial + 1);
            }
        }

        using var data = new LocalData(Path.Combine(_dir, ".flint"));
        var bucket = data.R2.Bucket("crash");
        var lost = new List<string>();
        foreach (var (key, (size, multipart, big)) in acknowledged)
        {
            var expected = big ? [.. Enumerable.Repeat((byte)7, 5 * 1024 * 1024), .. Value(key, size)] : Value(key, size);
            using var got = bucket.Get(key);
            if (got is null) { lost.Add(key); continue; }
            var body = new MemoryStream();
            await got.TakeBody().CopyToAsync(body);
            if (!body.ToArray().AsSpan().SequenceEqual(expected) || got.Object.Etag.Contains('-') != multipart) lost.Add(key);
        }
        output.WriteLine($"R2 fault injection: {Trials} trials, {acknowledged.Count} writes acknowledged ({acknowledged.Values.Count(a => a.Multipart)} multipart completes), lost: {lost.Count}");
        Assert.True(acknowledged.Count >= 10 * Trials && acknowledged.Values.Count(a => a.Multipart) >= Trials, $"too few writes to mean anything: {acknowledged.Count}");
        Assert.True(lost.Count == 0, $"{lost.Count} of {acknowledged.Count} acknowledged writes lost or damaged: {string.Join(", ", lost.Take(10))}");
        // Nothing half-written is visible: every object listed reads back whole.
        string? cursor = null;
        do
        {
            var page = bucket.List(new Flint.Engine.R2.R2ListOptions { Cursor = cursor });
            foreach (var o in page.Objects)
            {
                using var got = bucket.Get(o.Key)!;
                var body = new MemoryStream();
                await got.TakeBody().CopyToAsync(body);
                Assert.Equal(o.Size, body.Length);
            }
            cursor = page.Truncated ? page.Cursor : null;
        } while (cursor is not null);
        Assert.DoesNotContain(Directory.GetFiles(Path.Combine(_dir, ".flint", "r2", "crash", "blobs")), f => f.EndsWith(".tmp", StringComparison.Ordinal));
    }

    private static async Task<bool> Acknowledged(HttpResponseMessage response, string key) =>
        response.IsSuccessStatusCode && await response.Content.ReadAsStringAsync() == "ok " + key;

    private static byte[] Value(string key, int size)
    {
        var seed = Encoding.UTF8.GetBytes(key);
        var bytes = new byte[size];
        for (var i = 0; i < size; i++) bytes[i] = (byte)(seed[i % seed.Length] + i);
        return bytes;
    }
}
