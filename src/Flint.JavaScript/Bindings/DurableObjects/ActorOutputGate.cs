using Flint.Engine.DurableObjects;

namespace Flint.JavaScript.Bindings.DurableObjects;

/// <summary>
/// An actor's output gate, as Cloudflare describes it: what the object sends out — a response, an
/// RPC result, a WebSocket message — waits until the writes confirmed before it are durable, so no
/// one sees a state a crash could still take back. Messages leave in the order they were sent. If
/// the writes cannot be made durable the gate breaks: the held messages are never sent, and the
/// object is reset. Writes made with <c>allowUnconfirmed</c> do not hold messages.
/// </summary>
internal sealed class ActorOutputGate(WalDurability durability)
{
    private readonly object _gate = new();
    private readonly Queue<(long Seq, Action Send, Action<Exception>? Fail)> _held = new();
    private long _lastConfirmed;     // the last commit that held confirmed writes
    private bool _pendingConfirmed;  // the open transaction holds confirmed writes (isolate thread)
    private Exception? _broken;

    /// <summary>A write joined the open transaction; <paramref name="confirmed"/> unless made with allowUnconfirmed.</summary>
    public void Wrote(bool confirmed)
    {
        if (confirmed) _pendingConfirmed = true;
    }

    /// <summary>The open transaction committed as <paramref name="seq"/>: messages sent meanwhile wait for it.</summary>
    public void Committed(long seq)
    {
        var confirmed = _pendingConfirmed;
        _pendingConfirmed = false;
        if (!confirmed) return;
        lock (_gate) _lastConfirmed = Math.Max(_lastConfirmed, seq);
        var durable = durability.WhenDurable(seq);
        if (durable.IsCompletedSuccessfully) Release(seq);
        else durable.ContinueWith(t =>
        {
            if (t.IsFaulted) Break(t.Exception!.InnerException ?? t.Exception);
            else Release(seq);
        }, TaskContinuationOptions.ExecuteSynchronously);
    }

    /// <summary>Writes not committed were undone: messages need not wait for them.</summary>
    public void RolledBack() => _pendingConfirmed = false;

    /// <summary>
    /// Sends now if nothing confirmed is waiting to be durable, else when it is. With <paramref name="fail"/>,
    /// a broken gate reports why instead of dropping the message silently.
    /// </summary>
    public void Send(Action send, Action<Exception>? fail = null)
    {
        lock (_gate)
        {
            if (_broken is { } broken)
            {
                fail?.Invoke(broken);
                return;
            }
            // Uncommitted confirmed writes commit at the end of this turn, as the next sequence number.
            var need = _pendingConfirmed ? durability.CommittedSeq + 1 : _lastConfirmed;
            if (_held.Count > 0 || need > durability.DurableSeq)
            {
                _held.Enqueue((need, send, fail));
                return;
            }
        }
        send();
    }

    /// <summary>Whether a message sent now would be held (writes before it are not durable yet, or others are held).</summary>
    public bool WouldHold
    {
        get
        {
            lock (_gate)
            {
                var need = _pendingConfirmed ? durability.CommittedSeq + 1 : _lastConfirmed;
                return _broken is not null || _held.Count > 0 || need > durability.DurableSeq;
            }
        }
    }

    /// <summary>True while messages are held.</summary>
    public bool Holding { get { lock (_gate) return _held.Count > 0; } }

    private void Release(long durable)
    {
        while (true)
        {
            Action send;
            lock (_gate)
            {
                if (_held.Count == 0 || _held.Peek().Seq > durable) return;
                send = _held.Dequeue().Send;
            }
            send();
        }
    }

    /// <summary>The writes could not be made durable: held messages are never sent; the object must be reset.</summary>
    public void Break(Exception error)
    {
        List<Action<Exception>> failed = [];
        lock (_gate)
        {
            _broken ??= error;
            while (_held.Count > 0) if (_held.Dequeue().Fail is { } f) failed.Add(f);
        }
        foreach (var f in failed) f(error);
        Broken?.Invoke(error);
    }

    /// <summary>Raised once the gate broke.</summary>
    public event Action<Exception>? Broken;
}
