using System.Collections.Concurrent;

namespace Flint.JavaScript.Isolates;

/// <summary>
/// Serializes every entry into one isolate, like a JavaScript event loop, without owning a
/// thread: whoever posts to an idle loop runs it inline; a long queue is continued on the
/// thread pool so no caller is held hostage. Never blocks.
/// </summary>
internal sealed class EventLoop
{
    private const int MaxInlineItems = 32;
    private readonly ConcurrentQueue<Action> _queue = new();
    private readonly Action<Exception> _onError;
    private int _running;

    public EventLoop(Action<Exception> onError) => _onError = onError;

    /// <summary>True while the calling thread is the one running this loop.</summary>
    [ThreadStatic] private static EventLoop? t_current;
    public bool IsCurrent => t_current == this;

    public void Post(Action work)
    {
        _queue.Enqueue(work);
        if (Interlocked.CompareExchange(ref _running, 1, 0) == 0)
        {
            if (t_current is null) Drain();
            else ThreadPool.UnsafeQueueUserWorkItem(static s => ((EventLoop)s!).Drain(), this);
        }
    }

    private void Drain()
    {
        t_current = this;
        try
        {
            while (true)
            {
                var count = 0;
                while (_queue.TryDequeue(out var work))
                {
                    try { work(); }
                    catch (Exception ex) { _onError(ex); }
                    if (++count >= MaxInlineItems && !_queue.IsEmpty)
                    {
                        ThreadPool.UnsafeQueueUserWorkItem(static s => ((EventLoop)s!).Drain(), this);
                        return;
                    }
                }
                Volatile.Write(ref _running, 0);
                if (_queue.IsEmpty || Interlocked.CompareExchange(ref _running, 1, 0) != 0) return;
            }
        }
        finally { t_current = null; }
    }
}
