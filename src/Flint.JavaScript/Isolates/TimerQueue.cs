using System.Diagnostics;

namespace Flint.JavaScript.Isolates;

/// <summary>
/// An isolate's JavaScript timers. One .NET timer is armed for the earliest deadline; when it
/// expires, every due timer fires in deadline order (ties in creation order), each as its own
/// turn of the event loop, so a 0 ms timeout always runs before a 20 ms one however busy the
/// thread pool is. Start, Cancel and Fire run on the isolate's loop only.
/// </summary>
internal sealed class TimerQueue : IDisposable
{
    private readonly PriorityQueue<int, (long Due, long Seq)> _queue = new();
    private readonly Dictionary<int, long> _dueById = new();
    private readonly Action<Action> _post;
    private readonly Action<int> _fire;
    private readonly Timer _timer;
    private long _seq;
    private long _armedFor = long.MaxValue;
    private bool _disposed;

    /// <param name="post">Posts work to the isolate's event loop.</param>
    /// <param name="fire">Runs one timer's callback (called on the loop).</param>
    public TimerQueue(Action<Action> post, Action<int> fire)
    {
        _post = post;
        _fire = fire;
        _timer = new Timer(static s => ((TimerQueue)s!).OnExpired(), this, Timeout.Infinite, Timeout.Infinite);
    }

    public int Count => _dueById.Count;

    public void Start(int id, double delayMs)
    {
        if (_disposed) return;
        var due = Stopwatch.GetTimestamp() + (long)(Math.Clamp(delayMs, 0, int.MaxValue) * Stopwatch.Frequency / 1000);
        _dueById[id] = due;
        _queue.Enqueue(id, (due, _seq++));
        Arm();
    }

    public void Cancel(int id) => _dueById.Remove(id); // its queue entry is skipped when it comes up

    private void OnExpired() => _post(FireDue);

    private void FireDue()
    {
        _armedFor = long.MaxValue;
        var now = Stopwatch.GetTimestamp();
        // Collect first: a callback may start a new 0 ms timer, which must wait for the next turn.
        List<int>? due = null;
        while (!_disposed && _queue.TryPeek(out var id, out var key) && key.Due <= now)
        {
            _queue.Dequeue();
            if (_dueById.TryGetValue(id, out var d) && d == key.Due)
            {
                _dueById.Remove(id);
                (due ??= []).Add(id);
            }
        }
        if (due is not null)
        {
            foreach (var id in due) _fire(id);
        }
        Arm();
    }

    private void Arm()
    {
        // Drop cancelled entries so they do not keep the timer armed.
        while (_queue.TryPeek(out var id, out var key) && (!_dueById.TryGetValue(id, out var d) || d != key.Due)) _queue.Dequeue();
        if (_disposed || !_queue.TryPeek(out _, out var next)) return;
        if (next.Due >= _armedFor) return;
        _armedFor = next.Due;
        var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), next.Due);
        _timer.Change(wait < TimeSpan.Zero ? TimeSpan.Zero : wait, Timeout.InfiniteTimeSpan);
    }

    public void Dispose()
    {
        _disposed = true;
        _timer.Dispose();
        _queue.Clear();
        _dueById.Clear();
    }
}
