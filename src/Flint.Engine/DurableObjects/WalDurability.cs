namespace Flint.Engine.DurableObjects;

/// <summary>
/// When an object's commits are on disk. A commit writes its pages to the write-ahead log without
/// waiting for the disk; this fsyncs the log off the object's thread, one fsync for every commit
/// made before it started (group commit), and completes the waits of those commits. A reply the
/// object gave waits here for the commits before it, so nothing a client saw is lost on a crash.
/// </summary>
public sealed class WalDurability : IDisposable
{
    private readonly string _walPath;
    private readonly object _gate = new();
    private readonly List<(long Seq, TaskCompletionSource Done)> _waiters = [];
    private FileStream? _wal;
    private long _committed, _durable;
    private bool _flushing;
    private Exception? _failed;
    private bool _disposed;

    internal WalDurability(string walPath) => _walPath = walPath;

    /// <summary>The sequence number of the last commit.</summary>
    public long CommittedSeq { get { lock (_gate) return _committed; } }

    /// <summary>The sequence number of the last commit known to be on disk.</summary>
    public long DurableSeq { get { lock (_gate) return _durable; } }

    /// <summary>Set once an fsync failed: nothing committed since can be confirmed, and the object must be reset.</summary>
    public Exception? Failure { get { lock (_gate) return _failed; } }

    /// <summary>Records a commit just made and starts making it durable; returns its sequence number.</summary>
    internal long Committed()
    {
        long seq;
        lock (_gate)
        {
            seq = ++_committed;
            if (_flushing) return seq;
            _flushing = true;
        }
        ThreadPool.UnsafeQueueUserWorkItem(static self => self.FlushLoop(), this, preferLocal: false);
        return seq;
    }

    /// <summary>Completes when commit <paramref name="seq"/> (and every one before it) is durable; faults if the fsync failed.</summary>
    public Task WhenDurable(long seq)
    {
        lock (_gate)
        {
            if (_failed is not null) return Task.FromException(_failed);
            if (seq <= _durable) return Task.CompletedTask;
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((seq, done));
            return done.Task;
        }
    }

    private void FlushLoop()
    {
        while (true)
        {
            long target;
            lock (_gate)
            {
                if (_disposed || _committed <= _durable) { _flushing = false; return; }
                target = _committed;
            }
            Exception? error = null;
            try
            {
                _wal ??= new FileStream(_walPath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.None);
                _wal.Flush(flushToDisk: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ObjectDisposedException)
            {
                // The log is gone only when SQLite checkpointed it into the database and removed it,
                // which it does after its own fsyncs; anything else means the write may not be on disk.
                if (ex is FileNotFoundException) { _wal = null; }
                else error = ex;
            }
            List<TaskCompletionSource> ready = [];
            List<TaskCompletionSource> failed = [];
            lock (_gate)
            {
                if (error is not null)
                {
                    _failed ??= new IOException($"Durable Object storage could not be made durable: {error.Message}", error);
                    foreach (var (_, done) in _waiters) failed.Add(done);
                    _waiters.Clear();
                    _flushing = false;
                }
                else
                {
                    _durable = Math.Max(_durable, target);
                    for (var i = _waiters.Count - 1; i >= 0; i--)
                    {
                        if (_waiters[i].Seq > _durable) continue;
                        ready.Add(_waiters[i].Done);
                        _waiters.RemoveAt(i);
                    }
                }
            }
            foreach (var done in ready) done.TrySetResult();
            foreach (var done in failed) done.TrySetException(_failed!);
            if (error is not null) return;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            // Still-waiting replies are answered by the final checkpoint SQLite does on close (it syncs).
            foreach (var (_, done) in _waiters) done.TrySetResult();
            _waiters.Clear();
        }
        // A flush in progress finishes on its own handle; the next one sees _disposed.
        try { _wal?.Dispose(); } catch (IOException) { }
    }
}
