using System.Collections.Concurrent;
using System.Diagnostics;

namespace Flint.JavaScript.Isolates;

/// <summary>
/// Stops JavaScript that runs past its CPU limit. One timer serves every isolate; an isolate
/// registers when it enters JavaScript and drops out once idle.
/// </summary>
internal static class CpuWatchdog
{
    private static readonly ConcurrentDictionary<WorkerIsolate, byte> s_watched = new();
    private static readonly Timer s_timer = new(_ => Tick(), null, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(10));

    public static void Watch(WorkerIsolate isolate) => s_watched.TryAdd(isolate, 0);

    private static void Tick()
    {
        var now = Stopwatch.GetTimestamp();
        foreach (var isolate in s_watched.Keys)
        {
            if (!isolate.CheckCpu(now)) s_watched.TryRemove(isolate, out _);
        }
    }
}
