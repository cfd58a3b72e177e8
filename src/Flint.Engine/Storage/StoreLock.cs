using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Flint.Engine.Storage;

/// <summary>
/// Who has a store open, across processes: every process (flint dev, each flint kv command)
/// holds a shared <c>flock</c> on the store's lock file for as long as it has the store open.
/// Only a process that opens the store while no other holds it can take the lock exclusively, and
/// only then may it reclaim what a crashed writer left behind (blob files written but never
/// committed): with any other process present, an unreferenced file may be one it is writing.
/// The kernel drops the lock of a process that dies, so a crash never leaves the store locked.
/// </summary>
public sealed class StoreLock : IDisposable
{
    private const int LockSh = 1, LockEx = 2, LockNb = 4, LockUn = 8;
    private const int EWouldBlock = 11, EIntr = 4; // Linux
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(30);

    private readonly FileStream _file;

    private StoreLock(FileStream file) => _file = file;

    /// <summary>
    /// Takes the shared lock on <paramref name="path"/> (creating it). If no other process has the
    /// store open, first runs <paramref name="whenAlone"/> under the exclusive lock.
    /// </summary>
    public static StoreLock Acquire(string path, Action whenAlone)
    {
        var file = OpenLockFile(path);
        try
        {
            if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
            {
                if (TryFlock(file, LockEx | LockNb))
                {
                    whenAlone();
                }
                // Shared from here on (after a failed upgrade the kernel has dropped the old lock,
                // which is harmless: nothing was written yet). Waits while another process reclaims.
                WaitForFlock(file, LockSh, path);
            }
            // Elsewhere there is no flock: never reclaim, which is always safe.
            return new StoreLock(file);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private static FileStream OpenLockFile(string path)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                // .NET itself takes a shared flock here on Unix; it fails while another process reclaims.
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            }
            catch (IOException) when (File.Exists(path) && waited.Elapsed < MaxWait)
            {
                Thread.Sleep(10);
            }
        }
    }

    private static void WaitForFlock(FileStream file, int operation, string path)
    {
        var waited = Stopwatch.StartNew();
        while (!TryFlock(file, operation | LockNb))
        {
            if (waited.Elapsed > MaxWait)
                throw new IOException($"Another process has held {path} exclusively for more than {MaxWait.TotalSeconds:F0} s. Is a Flint process stuck? Stop it and try again.");
            Thread.Sleep(10);
        }
    }

    private static bool TryFlock(FileStream file, int operation)
    {
        var handle = file.SafeFileHandle;
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            while (true)
            {
                if (flock((int)handle.DangerousGetHandle(), operation) == 0) return true;
                var errno = Marshal.GetLastPInvokeError();
                if (errno == EIntr) continue;
                if (errno == EWouldBlock || (OperatingSystem.IsMacOS() && errno == 35)) return false;
                throw new IOException($"flock on {file.Name} failed: {new Win32Exception(errno).Message}");
            }
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int flock(int fd, int operation);

    public void Dispose()
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            try { TryFlock(_file, LockUn); } catch (IOException) { } catch (ObjectDisposedException) { }
        }
        _file.Dispose();
    }
}
