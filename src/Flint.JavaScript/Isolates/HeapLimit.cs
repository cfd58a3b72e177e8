using System.Diagnostics;
using Microsoft.ClearScript.V8;

namespace Flint.JavaScript.Isolates;

/// <summary>
/// Keeps one isolate within its heap limit without ClearScript's heap watch, which costs a
/// native timer on every entry into V8 (a fifth of the CPU of a small request).
/// <list type="bullet">
/// <item>Between turns the loop thread samples the heap, at most every <see cref="SampleInterval"/>
/// and after every long turn: a Worker that keeps memory across requests is caught there.</item>
/// <item>A turn cannot be sampled while it runs (V8 holds its lock), so the CPU watchdog follows the
/// process's native memory during each turn and stops the turn once it has grown by more than the
/// limit. V8's own hard limit sits above that and expands instead of aborting the process
/// (<see cref="Constraints"/>).</item>
/// </list>
/// The watchdog stops a turn with V8's TerminateExecution, which V8 (in ClearScript 7.5.1.1) does not
/// honour inside an optimized loop of small `new Array(n)` allocations; such a loop also escapes the CPU limit.
/// </summary>
internal sealed class HeapLimit(ulong maxHeapBytes)
{
    /// <summary>A turn this long is sampled right after it ends.</summary>
    private static readonly TimeSpan LongTurn = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan SampleInterval = TimeSpan.FromMilliseconds(50);

    private long _lastSample = Stopwatch.GetTimestamp();
    // The turn being followed (its entry timestamp) and the lowest native memory seen during it.
    private long _followedTurn;
    private long _nativeAtStart;

    /// <summary>
    /// V8's hard limits: four times the soft limit, so a sample or the watchdog sees the excess well before
    /// (V8 stops honouring termination while it thrashes near its limit). At the hard limit V8 would abort
    /// the whole process; heap expansion lets it grow instead, until Flint stops it.
    /// </summary>
    public V8RuntimeConstraints Constraints => new()
    {
        MaxOldSpaceSize = (int)(maxHeapBytes * 4 / (1024 * 1024)),
        HeapExpansionMultiplier = 2,
    };

    /// <summary>Loop thread, after a turn: whether the isolate is over its limit (even after a full collection).</summary>
    public bool IsExceededAfterTurn(V8Runtime runtime, long enteredAt)
    {
        var now = Stopwatch.GetTimestamp();
        if (Stopwatch.GetElapsedTime(_lastSample, now) < SampleInterval && Stopwatch.GetElapsedTime(enteredAt, now) < LongTurn)
            return false;
        _lastSample = now;
        if (runtime.GetHeapInfo().UsedHeapSize <= maxHeapBytes) return false;
        runtime.CollectGarbage(true);
        return runtime.GetHeapInfo().UsedHeapSize > maxHeapBytes;
    }

    /// <summary>
    /// The CPU time (Stopwatch ticks) a turn must have used before its share of the process's native
    /// memory growth is blamed on it. Native memory is the whole process's: while a short turn waits
    /// for a core on a busy machine, other isolates, the server and other tests of the same process
    /// can grow it by more than the limit (a false memory kill seen in a full parallel test run). A
    /// turn that allocates and fills a heap's worth of memory burns CPU doing it, so a runaway
    /// still passes this mark within a few tens of milliseconds.
    /// </summary>
    private static readonly long MinTurnCpu = Stopwatch.Frequency / 50;

    /// <summary>
    /// Watchdog thread, on each tick while turn <paramref name="enteredAt"/> runs: whether native memory
    /// (see <see cref="NativeMemory"/>) has grown by more than the limit during the turn, as seen from
    /// the first tick that saw it (at most one tick after it began), once the turn has used
    /// <see cref="MinTurnCpu"/> of CPU time (<paramref name="turnCpu"/>, in Stopwatch ticks).
    /// <paramref name="turnsRunning"/> isolates of the process are inside a turn right now, this one
    /// included: any of them may have grown the process meanwhile, so the growth blamed on this turn
    /// must exceed what all of them could grow within their limits (a runaway still passes that mark,
    /// and V8's own limit, four times higher, stands behind it).
    /// </summary>
    public bool IsExceededDuringTurn(long enteredAt, long nativeMemory, long turnCpu, int turnsRunning = 1)
    {
        if (Volatile.Read(ref _followedTurn) != enteredAt)
        {
            _nativeAtStart = nativeMemory;
            Volatile.Write(ref _followedTurn, enteredAt);
            return false;
        }
        // Memory freed elsewhere meanwhile (an isolate disposed) would hide growth: measure from the lowest point.
        _nativeAtStart = Math.Min(_nativeAtStart, nativeMemory);
        return turnCpu >= MinTurnCpu && nativeMemory - _nativeAtStart > (long)maxHeapBytes * Math.Max(1, turnsRunning);
    }

    /// <summary>
    /// The process's resident set less the .NET heap, so request bodies buffered by the server do not
    /// count (other isolates' heaps do: the limit is generous enough for that). The .NET heap is taken
    /// as the larger of what lives in it and what the GC had committed at its last collection: memory
    /// a collection freed but kept (a large body's segment) is no isolate's. About 50 µs on Linux.
    /// </summary>
    public static long NativeMemory() =>
        Environment.WorkingSet - Math.Max(GC.GetTotalMemory(false), GC.GetGCMemoryInfo().TotalCommittedBytes);
}
