using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Flint.Engine.Storage;

namespace Flint.Cli.Tests;

/// <summary>Acknowledged means durable: a real flint process killed with SIGKILL mid-load loses no acknowledged write.</summary>
public sealed class CrashTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("flint-crash-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public async Task EveryAcknowledgedKvWriteSurvivesKillDashNine()
    {
        File.WriteAllText(Path.Combine(_dir, "wrangler.toml"), """
            name = "crash"
            main = "index.js"
            compatibility_date = "2025-11-01"
            kv_namespaces = [{ binding = "KV", id = "crash" }]
            """);
        File.WriteAllText(Path.Combine(_dir, "index.js"), """
            export default {
              async fetch(request, env) {
                const key = new URL(request.url).searchParams.get("key");
                // Some values are large enough to go to blob files.
                await env.KV.put(key, request.body);
                return new Response("ok " + key);
              }
            }
            """);
        var acknowledged = new ConcurrentDictionary<string, int>();
        using (var flint = await StartFlintAsync())
        {
            using var http = new HttpClient { BaseAddress = new Uri(flint.Url), Timeout = TimeSpan.FromSeconds(10) };
            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    var key = $"w{w}-{i}";
                    var size = i % 5 == 0 ? 70_000 + i : 10 + i;
                    try
                    {
                        using var response = await http.PutAsync($"/?key={key}", new ByteArrayContent(Value(key, size)));
                        if (response.IsSuccessStatusCode && await response.Content.ReadAsStringAsync() == "ok " + key) acknowledged[key] = size;
                    }
                    catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException or System.Net.Sockets.SocketException) { return; } // the process is gone
                }
            })).ToList();
            while (acknowledged.Count < 300) await Task.Delay(10);
            flint.Process.Kill(); // SIGKILL: no shutdown, no flush
            await flint.Process.WaitForExitAsync();
            stop.Cancel();
            await Task.WhenAll(writers);
        }

        Assert.True(acknowledged.Count >= 300);
        using var data = new LocalData(Path.Combine(_dir, ".flint"));
        var store = data.Kv.Namespace("crash");
        var missing = new List<string>();
        foreach (var (key, size) in acknowledged)
        {
            using var value = store.Get(key);
            if (value is null || !(await value.ReadAllAsync()).AsSpan().SequenceEqual(Value(key, size))) missing.Add(key);
        }
        Assert.True(missing.Count == 0, $"{missing.Count} of {acknowledged.Count} acknowledged writes lost or damaged: {string.Join(", ", missing.Take(10))}");
    }

    [Fact]
    public async Task EveryAcknowledgedD1WriteSurvivesKillDashNineAndNoBatchIsHalfApplied()
    {
        File.WriteAllText(Path.Combine(_dir, "wrangler.toml"), """
            name = "crash"
            main = "index.js"
            compatibility_date = "2025-11-01"
            d1_databases = [{ binding = "DB", database_name = "crash", database_id = "crash-db" }]
            """);
        File.WriteAllText(Path.Combine(_dir, "index.js"), """
            export default {
              async fetch(request, env) {
                const url = new URL(request.url);
                const key = url.searchParams.get("key");
                await env.DB.exec("CREATE TABLE IF NOT EXISTS parts (batch TEXT NOT NULL, part INTEGER NOT NULL, body TEXT NOT NULL)");
                if (url.searchParams.has("single")) {
                  await env.DB.prepare("INSERT INTO parts VALUES (?, 0, ?)").bind(key, "x".repeat(2000)).run();
                } else {
                  const insert = env.DB.prepare("INSERT INTO parts VALUES (?, ?, ?)");
                  await env.DB.batch([1, 2, 3].map((part) => insert.bind(key, part, "y".repeat(3000))));
                }
                return new Response("ok " + key);
              }
            }
            """);
        var acknowledged = new ConcurrentDictionary<string, int>();
        using (var flint = await StartFlintAsync())
        {
            using var http = new HttpClient { BaseAddress = new Uri(flint.Url), Timeout = TimeSpan.FromSeconds(10) };
            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    var key = $"w{w}-{i}";
                    var single = i % 3 == 0;
                    try
                    {
                        using var response = await http.PostAsync($"/?key={key}{(single ? "&single" : "")}", null);
                        if (response.IsSuccessStatusCode && await response.Content.ReadAsStringAsync() == "ok " + key) acknowledged[key] = single ? 1 : 3;
                    }
                    catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException or System.Net.Sockets.SocketException) { return; } // the process is gone
                }
            })).ToList();
            while (acknowledged.Count < 300) await Task.Delay(10);
            flint.Process.Kill(); // SIGKILL: no shutdown, no flush
            await flint.Process.WaitForExitAsync();
            stop.Cancel();
            await Task.WhenAll(writers);
        }

        using var data = new LocalData(Path.Combine(_dir, ".flint"));
        var rows = (await data.D1.Database("crash-db").QueryAsync(
            [new Flint.Engine.D1.D1Query("SELECT batch, count(*) FROM parts GROUP BY batch", [])]))[0].Rows;
        var stored = rows.ToDictionary(r => (string)r[0]!, r => (long)r[1]!);
        var lost = acknowledged.Where(a => !stored.TryGetValue(a.Key, out var n) || n != a.Value).Select(a => a.Key).ToList();
        Assert.True(lost.Count == 0, $"{lost.Count} of {acknowledged.Count} acknowledged writes lost: {string.Join(", ", lost.Take(10))}");
        // A batch killed mid-flight is either wholly there (committed, not yet acknowledged) or absent.
        static long Expected(string key) => int.Parse(key[(key.IndexOf('-') + 1)..]) % 3 == 0 ? 1 : 3;
        var partial = stored.Where(s => s.Value != Expected(s.Key)).Select(s => s.Key).ToList();
        Assert.True(partial.Count == 0, $"half-applied batches: {string.Join(", ", partial)}");
    }

    [Fact]
    public async Task EveryAcknowledgedR2PutAndMultipartCompleteSurvivesKillDashNine()
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
        using (var flint = await StartFlintAsync())
        {
            using var http = new HttpClient { BaseAddress = new Uri(flint.Url), Timeout = TimeSpan.FromSeconds(20) };
            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    var key = $"w{w}-{i}";
                    var multipart = i % 4 == 1;
                    var big = multipart && i % 20 == 1;
                    // Some bodies stay in SQLite rows, others go to blob files.
                    var size = i % 3 == 0 ? 70_000 + i : 10 + i;
                    var path = multipart ? $"/mp?key={key}{(big ? "&big" : "")}" : $"/?key={key}";
                    try
                    {
                        using var response = await http.PostAsync(path, new ByteArrayContent(Value(key, size)));
                        if (response.IsSuccessStatusCode && await response.Content.ReadAsStringAsync() == "ok " + key) acknowledged[key] = (size, multipart, big);
                    }
                    catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException or System.Net.Sockets.SocketException) { return; } // the process is gone
                }
            })).ToList();
            while (acknowledged.Count < 250 || acknowledged.Values.Count(a => a.Multipart) < 40) await Task.Delay(10);
            flint.Process.Kill(); // SIGKILL: no shutdown, no flush
            await flint.Process.WaitForExitAsync();
            stop.Cancel();
            await Task.WhenAll(writers);
        }

        using var data = new LocalData(Path.Combine(_dir, ".flint"));
        var bucket = data.R2.Bucket("crash"); // opening removes what the crash left half-written
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
        Assert.True(lost.Count == 0, $"{lost.Count} of {acknowledged.Count} acknowledged writes lost or damaged: {string.Join(", ", lost.Take(10))}");
        // Nothing half-written is visible, and no file is left that no object names.
        var listed = bucket.List(new Flint.Engine.R2.R2ListOptions { Limit = 1000 });
        var referenced = 0;
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
                if (o.Size > Flint.Engine.R2.R2BucketStore.InlineLimit || o.Etag.Contains('-')) referenced++;
            }
            cursor = page.Truncated ? page.Cursor : null;
        } while (cursor is not null);
        Assert.NotEmpty(listed.Objects);
        var files = Directory.GetFiles(Path.Combine(_dir, ".flint", "r2", "crash", "blobs"));
        Assert.DoesNotContain(files, f => f.EndsWith(".tmp", StringComparison.Ordinal));
        Assert.True(files.Length <= referenced * 2, $"{files.Length} blob files for {referenced} objects stored in files");
    }

    private static byte[] Value(string key, int size)
    {
        var seed = Encoding.UTF8.GetBytes(key);
        var bytes = new byte[size];
        for (var i = 0; i < size; i++) bytes[i] = (byte)(seed[i % seed.Length] + i);
        return bytes;
    }

    private sealed record RunningFlint(Process Process, string Url) : IDisposable
    {
        public void Dispose()
        {
            if (!Process.HasExited) Process.Kill(entireProcessTree: true);
            Process.Dispose();
        }
    }

    private async Task<RunningFlint> StartFlintAsync()
    {
        var flintDll = Path.Combine(AppContext.BaseDirectory, "flint.dll");
        var psi = new ProcessStartInfo("dotnet", ["exec", flintDll, "dev", _dir, "--port", "0", "--no-watch", "--log-level", "warn"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = Process.Start(psi)!;
        var ready = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null && Regex.Match(e.Data, @"Ready on (http://\S+)") is { Success: true } m) ready.TrySetResult(m.Groups[1].Value);
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new RunningFlint(process, await ready.Task.WaitAsync(TimeSpan.FromSeconds(60)));
    }
}
