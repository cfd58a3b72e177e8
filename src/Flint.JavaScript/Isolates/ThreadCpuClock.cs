using System.Runtime.InteropServices;

namespace Flint.JavaScript.Isolates;

/// <summary>
/// The CPU time a thread has used, readable from another thread (Linux: the thread's POSIX CPU
/// clock). Each read is a system call, about 2 µs on the development machine, so the isolate's own
/// thread never reads it: the CPU watchdog samples each busy isolate's clock once a tick.
/// </summary>
internal sealed partial class ThreadCpuClock
{
    private readonly int _clockId;

    private ThreadCpuClock(int clockId) => _clockId = clockId;

    /// <summary>The clock of the calling thread, or null where the platform has none (CPU limits then fall back to wall time).</summary>
    public static ThreadCpuClock? ForCurrentThread()
    {
        if (!OperatingSystem.IsLinux()) return null;
        try
        {
            return pthread_getcpuclockid(pthread_self(), out var id) == 0 ? new ThreadCpuClock(id) : null;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    /// <summary>CPU time used by the thread, in <see cref="System.Diagnostics.Stopwatch"/> ticks; -1 if it cannot be read (the thread ended).</summary>
    public long Read()
    {
        if (clock_gettime(_clockId, out var ts) != 0) return -1;
        return (ts.Seconds * 1_000_000_000L + ts.Nanoseconds) * System.Diagnostics.Stopwatch.Frequency / 1_000_000_000L;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc")]
    private static partial nuint pthread_self();

    [LibraryImport("libc")]
    private static partial int pthread_getcpuclockid(nuint thread, out int clockId);

    [LibraryImport("libc")]
    private static partial int clock_gettime(int clockId, out Timespec ts);
}
