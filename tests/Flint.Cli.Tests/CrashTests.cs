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
                    catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException) { return; } // the process is gone
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
