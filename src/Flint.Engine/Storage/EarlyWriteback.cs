using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Flint.Engine.Storage;

/// <summary>
/// Starts the kernel's writeback of a file being written, every 8 MiB, without waiting for it
/// (Linux <c>sync_file_range(SYNC_FILE_RANGE_WRITE)</c>): the disk works while the rest arrives, and
/// the fsync that makes the file durable finds most pages already clean — for a 100 MiB put it was
/// most of the time after the last byte. It promises nothing itself: durability still comes from
/// that fsync. Elsewhere, or if the call fails, it does nothing.
/// </summary>
internal sealed class EarlyWriteback(SafeFileHandle file)
{
    private const long Step = 8 << 20;
    private const uint SyncFileRangeWrite = 2;
    private static bool s_unavailable = !OperatingSystem.IsLinux();
    private long _started;

    /// <summary>Bytes up to <paramref name="end"/> are written (not yet synced); called in order.</summary>
    public void Written(long end)
    {
        if (s_unavailable || end - _started < Step) return;
        try
        {
            if (sync_file_range(file, _started, end - _started, SyncFileRangeWrite) == 0) _started = end;
            else s_unavailable = true;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            s_unavailable = true;
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int sync_file_range(SafeFileHandle fd, long offset, long nbytes, uint flags);
}
