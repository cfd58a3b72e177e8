using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Flint.Cli.Tests.Support;
using Flint.Engine.Storage;
using Xunit.Abstractions;

namespace Flint.Cli.Tests;

/// <summary>
/// Queues' guarantees under kill -9, over several trials on the same data: a real flint dev
/// produces and consumes while it is killed at a random moment, then starts again. Every send that
/// was acknowledged is either still in the queue's log or was delivered; whatever the log still
/// holds (batches that were running included) is delivered after the restart; a message whose
/// acknowledgement was committed is never delivered again. FLINT_FAULT_TRIALS sets the number of kills.
/// </summary>
public sealed class QueueCrashTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("flint-qcrash-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private static int Trials => int.TryParse(Environment.GetEnvironmentVariable("FLINT_FAULT_TRIALS"), out var n) && n > 0 ? n : 4;

    [Fact]
    public async Task AcknowledgedSendsSurviveUnacknowledgedMessagesComeBackAcknowledgedOnesNever()
    {
        File.WriteAllText(Path.Combine(_dir, "wrangler.toml"), """
            name = "qcrash"
            main = "index.js"
            compatibility_date = "2025-11-01"
            kv_namespaces = [{ binding = "KV", id = "seen" }]

            [vars]
            RUN = "0"

            [[queues.producers]]
            binding = "Q"
            queue = "crash-q"

            [[queues.consumers]]
            queue = "crash-q"
            max_batch_size = 10
            max_batch_timeout = 0
            max_retries = 100
            """);
        File.WriteAllText(Path.Combine(_dir, "index.js"), """
            export default {
              async fetch(request, env) {
                const url = new URL(request.url), k = url.searchParams.get("k");
                if (url.pathname === "/batch") await env.Q.sendBatch([0, 1, 2, 3, 4].map((i) => ({ body: { k: `${k}.${i}` } })));
                else await env.Q.send({ k });
                return new Response("ok " + k);
              },
              async queue(batch, env) {
                for (const m of batch.messages) {
                  // Some messages are retried once: a retry in flight at the crash must come back too.
                  if (m.body.k.endsWith("7") && m.attempts === 1) { m.retry(); continue; }
                  await env.KV.put(`d${env.RUN}:${m.body.k}`, String(m.attempts));
                }
              },
            };
            """);
        var random = new Random();
        var clock = Stopwatch.StartNew();
        var acknowledged = new HashSet<string>();   // sends the producer got "ok" for, all trials
        var committed = new HashSet<string>();      // messages whose acknowledgement reached the log, all trials
        HashSet<string> waiting = [];               // what the log held at the last kill
        int redelivered = 0, crashedInFlight = 0;
        for (var run = 0; run <= Trials; run++)
        {
            // --no-restart: the server runs in this process, so killing it is kill -9 of the server itself.
            using var flint = await FlintProcess.StartDevAsync(_dir, "--no-restart", "--var", $"RUN:{run}");
            using var http = new HttpClient { BaseAddress = new Uri(flint.Url), Timeout = TimeSpan.FromSeconds(10) };
            // What the log held must be delivered again in this run.
            await WaitUntilAsync(() => waiting.IsSubsetOf(SeenIn(run)), TimeSpan.FromSeconds(30), () => $"run {run}: not redelivered: {string.Join(", ", waiting.Except(SeenIn(run)).Take(10))}");
            redelivered += waiting.Count;
            if (run == Trials)
            {
                await Task.Delay(500); // late deliveries of acknowledged messages would show by now
                flint.Process.Kill();
                await flint.Process.WaitForExitAsync();
                AssertNeverRedelivered(run, committed);
                break;
            }
            var sent = new ConcurrentBag<string>();
            using var stop = new CancellationTokenSource();
            var producers = Enumerable.Range(0, 6).Select(w => Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    var key = $"r{run}-w{w}-{i}";
                    var batch = i % 4 == 0;
                    try
                    {
                        using var response = await http.PostAsync($"/{(batch ? "batch" : "send")}?k={key}", null);
                        if (response.IsSuccessStatusCode && await response.Content.ReadAsStringAsync() == "ok " + key)
                        {
                            if (batch) for (var j = 0; j < 5; j++) sent.Add($"{key}.{j}");
                            else sent.Add(key);
                        }
                    }
                    catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException) { return; } // killed
                }
            })).ToList();
            // A random moment once the trial had sends acknowledged (under load a fixed window may see too few),
            // with sends, batches and acknowledgements in flight.
            await WaitUntilAsync(() => sent.Count >= 30, TimeSpan.FromSeconds(30), () => $"run {run}: only {sent.Count} sends acknowledged in 30 s");
            await Task.Delay(random.Next(0, 1000));
            flint.Process.Kill(); // SIGKILL: no shutdown, no flush
            await flint.Process.WaitForExitAsync();
            stop.Cancel();
            await Task.WhenAll(producers);

            var inLog = LogKeys();
            var seen = SeenIn(run);
            _finished[run] = seen;
            var lost = sent.Where(k => !inLog.Contains(k) && !seen.Contains(k)).ToList();
            Assert.True(lost.Count == 0, $"run {run}: {lost.Count} of {sent.Count} acknowledged sends lost: {string.Join(", ", lost.Take(10))}");
            AssertNeverRedelivered(run, committed);
            // Delivered in this run and gone from the log: their acknowledgement was committed.
            foreach (var k in sent.Concat(waiting)) if (seen.Contains(k) && !inLog.Contains(k)) committed.Add(k);
            crashedInFlight += inLog.Count(seen.Contains);
            acknowledged.UnionWith(sent);
            waiting = inLog;
        }
        output.WriteLine($"queue crash test: {Trials} kills in {clock.Elapsed.TotalSeconds:F0} s, {acknowledged.Count} sends acknowledged, " +
            $"{committed.Count} acknowledgements committed, {redelivered} messages delivered after a restart ({crashedInFlight} delivered before the kill but not acknowledged)");
        Assert.True(acknowledged.Count >= 20 * Trials, $"too few sends to mean anything: {acknowledged.Count}");
        Assert.True(redelivered > 0, "no kill left a message in the log: the test proved nothing about redelivery");
    }

    /// <summary>Messages whose acknowledgement was committed in an earlier run must not reach this one's consumer.</summary>
    private void AssertNeverRedelivered(int run, HashSet<string> committed)
    {
        var seen = SeenIn(run);
        var again = committed.Where(seen.Contains).ToList();
        Assert.True(again.Count == 0, $"run {run}: {again.Count} acknowledged messages delivered again: {string.Join(", ", again.Take(10))}");
    }

    private readonly Dictionary<int, HashSet<string>> _finished = [];

    /// <summary>The messages the consumer of run <paramref name="run"/> processed (it records each in KV).</summary>
    private HashSet<string> SeenIn(int run)
    {
        if (_finished.TryGetValue(run, out var done)) return done;
        using var data = new LocalData(Path.Combine(_dir, ".flint"));
        var store = data.Kv.Namespace("seen");
        var keys = new HashSet<string>();
        string? cursor = null;
        var prefix = $"d{run}:";
        do
        {
            var page = store.List(prefix, 1000, cursor);
            foreach (var k in page.Keys) keys.Add(k.Name[prefix.Length..]);
            cursor = page.ListComplete ? null : page.Cursor;
        } while (cursor is not null);
        return keys;
    }

    private HashSet<string> LogKeys()
    {
        using var data = new LocalData(Path.Combine(_dir, ".flint"));
        return data.Queues.Queue("crash-q").List(int.MaxValue)
            .Select(m => JsonNode.Parse(Encoding.UTF8.GetString(m.Body))!["k"]!.GetValue<string>()).ToHashSet();
    }

    private static async Task WaitUntilAsync(Func<bool> done, TimeSpan timeout, Func<string> why)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!done())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail(why());
            await Task.Delay(100);
        }
    }
}
