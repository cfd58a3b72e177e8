using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Flint.Cli.Tests.Support;
using Xunit.Abstractions;

namespace Flint.Cli.Tests;

/// <summary>
/// Acknowledged means durable, for Durable Objects: a real flint dev whose server is killed with
/// SIGKILL at random moments while clients increment counters in several objects (each increment
/// a key-value write and a SQL row in one turn, so one commit), over several trials. A client that
/// saw a response never loses the write behind it, and no object has one half of a turn's writes.
/// FLINT_FAULT_TRIALS sets the number of trials.
/// </summary>
public sealed class DurableObjectCrashTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("flint-do-crash-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private static int Trials => int.TryParse(Environment.GetEnvironmentVariable("FLINT_FAULT_TRIALS"), out var n) && n > 0 ? n : 6;

    [Fact]
    public async Task NoAcknowledgedDurableObjectWriteIsLostWhenTheServerIsKilledAtRandomPoints()
    {
        File.WriteAllText(Path.Combine(_dir, "wrangler.toml"), """
            name = "do-crash"
            main = "index.js"
            compatibility_date = "2025-11-01"
            [[durable_objects.bindings]]
            name = "COUNTER"
            class_name = "Counter"
            [[migrations]]
            tag = "v1"
            new_sqlite_classes = ["Counter"]
            """);
        File.WriteAllText(Path.Combine(_dir, "index.js"), """
            import { DurableObject } from "cloudflare:workers";
            export class Counter extends DurableObject {
              constructor(ctx, env) {
                super(ctx, env);
                ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS log (n INTEGER PRIMARY KEY)");
              }
              async increment() {
                // A read, then two writes without an await between them: one atomic commit.
                const n = ((await this.ctx.storage.get("n")) ?? 0) + 1;
                this.ctx.storage.put("n", n);
                this.ctx.storage.sql.exec("INSERT INTO log VALUES (?)", n);
                return n;
              }
              dump() {
                const log = this.ctx.storage.sql.exec("SELECT count(*) AS c, max(n) AS m FROM log").one();
                return this.ctx.storage.get("n").then((n) => ({ n: n ?? 0, rows: log.c, max: log.m ?? 0 }));
              }
            }
            export default {
              async fetch(request, env) {
                const url = new URL(request.url);
                const stub = env.COUNTER.getByName(url.searchParams.get("name"));
                if (url.pathname === "/dump") return Response.json(await stub.dump());
                return new Response(String(await stub.increment()));
              }
            }
            """);
        var acknowledged = new ConcurrentDictionary<string, int>(); // object name -> highest value a client saw
        var random = new Random();
        var clock = Stopwatch.StartNew();
        var names = Enumerable.Range(0, 4).Select(i => "counter-" + i).ToArray();
        using var flint = await FlintProcess.StartDevAsync(_dir);
        using var http = new HttpClient { BaseAddress = new Uri(flint.Url), Timeout = TimeSpan.FromSeconds(10) };
        var total = 0;
        for (var trial = 0; trial < Trials; trial++)
        {
            using var stop = new CancellationTokenSource();
            var clients = Enumerable.Range(0, 12).Select(c => Task.Run(async () =>
            {
                var name = names[c % names.Length];
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        using var response = await http.PostAsync($"/inc?name={name}", null);
                        if (!response.IsSuccessStatusCode || !int.TryParse(await response.Content.ReadAsStringAsync(), out var value)) continue;
                        acknowledged.AddOrUpdate(name, value, (_, old) => Math.Max(old, value));
                        Interlocked.Increment(ref total);
                    }
                    catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
                    {
                        await Task.Delay(20); // the server is gone or restarting
                    }
                }
            })).ToList();
            var before = Volatile.Read(ref total);
            await Task.Delay(random.Next(400, 1500));
            // On a loaded machine the first requests after a restart are slow: kill only once this
            // trial has had some increments acknowledged (bounded), so every trial tests something.
            var waited = Stopwatch.StartNew();
            while (Volatile.Read(ref total) - before < 20 && waited.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(50);
            Process.GetProcessById(flint.ChildIds().Single()).Kill(); // SIGKILL: no shutdown, no flush
            stop.Cancel();
            await Task.WhenAll(clients);
            await flint.WaitForOutputAsync(@"Ready on http://", skip: trial + 1);
        }

        var problems = new List<string>();
        foreach (var name in names)
        {
            var dump = JsonNode.Parse(await http.GetStringAsync($"/dump?name={name}"))!;
            int n = (int)dump["n"]!, rows = (int)dump["rows"]!, max = (int)dump["max"]!;
            var seen = acknowledged.GetValueOrDefault(name);
            if (n < seen) problems.Add($"{name}: a client saw {seen}, storage has {n}");
            // The counter and its log row were one commit: they never disagree, and no increment is missing.
            if (n != max || rows != n) problems.Add($"{name}: counter {n}, log has {rows} rows up to {max}");
        }
        output.WriteLine($"Durable Object fault injection: {Trials} trials in {clock.Elapsed.TotalSeconds:F0} s, {total} increments acknowledged, problems: {problems.Count}");
        Assert.True(total >= 20 * Trials, $"too few increments to mean anything: {total}");
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }
}
