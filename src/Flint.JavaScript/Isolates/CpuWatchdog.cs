using System.Collections.Concurrent;
using System.Diagnostics;

namespace Flint.JavaScript.Isolates;

/// <summary>
/// Stops JavaScript whose event runs past its CPU limit, or that grows past its heap limit within
/// one turn. One thread serves every isolate; an isolate registers when it enters JavaScript and
/// drops out once idle. Each tick reads the CPU clock of every busy isolate's thread
/// (<see cref="ThreadCpuClock"/>), so a turn's CPU time is measured, not its wall time: on a busy
/// machine a thread waits for a core, and that wait is no Worker's doing. A thread of its own, not a pool timer: a busy thread pool would delay the ticks,
/// and a runaway allocation cannot wait.
/// </summary>
internal static class CpuWatchdog
{
    // Each tick reads the CPU clock of each busy isolate's thread (~2 µs): 5 ms keeps a runaway within a tick of its limit.
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(5);
    private static readonly ConcurrentDictionary<JsIsolate, byte> s_watched = new();
    private static readonly Thread s_thread = StartThread();

    public static void Watch(JsIsolate isolate) => s_watched.TryAdd(isolate, 0);

    private static Thread StartThread()
    {
        var thread = new Thread(Run) { IsBackground = true, Name = "Flint CPU watchdog", Priority = ThreadPriority.AboveNormal };
        thread.Start();
        return thread;
    }

    private static void Run()
    {
        while (true)
        {
            Thread.Sleep(Period);
            if (!s_watched.IsEmpty) Tick();
        }
    }

    private static void Tick()
    {
        var now = Stopwatch.GetTimestamp();
        // Read once per tick, and only if some isolate is inside a turn.
        var nativeMemory = new Lazy<long>(HeapLimit.NativeMemory, LazyThreadSafetyMode.None);
        // Native memory is the process's: how many turns run at once decides how much growth one can be blamed for.
        var turnsRunning = 0;
        foreach (var isolate in s_watched.Keys) if (isolate.InTurn) turnsRunning++;
        foreach (var isolate in s_watched.Keys)
        {
            bool busy;
            try { busy = isolate.CheckLimits(now, nativeMemory, turnsRunning); }
            catch (ObjectDisposedException) { busy = false; } // disposed between its last turn and this tick
            if (!busy) s_watched.TryRemove(isolate, out _);
        }
    }
}
