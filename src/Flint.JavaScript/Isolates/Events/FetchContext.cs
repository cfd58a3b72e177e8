namespace Flint.JavaScript.Isolates.Events;

/// <summary>A fetch event: one HTTP request into the Worker's fetch handler.</summary>
public sealed class FetchContext(IncomingRequest request, TimeSpan cpuLimit) : EventContext(cpuLimit)
{
    public override string Kind => "fetch";

    public IncomingRequest Request { get; } = request;

    /// <summary>The host stream of the request's body, 0 if it has none.</summary>
    internal int RequestBodyId { get; set; }

    /// <summary>Completed only outside JavaScript, so continuations may run inline.</summary>
    internal TaskCompletionSource<WorkerResponse> Response { get; } = new();

    internal override void Fail(WorkerException error) => Response.TrySetException(error);

    private CancellationTokenSource? _clientGone;
    private CancellationTokenRegistration _watch;

    /// <summary>Cancelled when the client goes away before the response is ready (not after: waitUntil work goes on).</summary>
    internal CancellationToken ClientGone => _clientGone?.Token ?? CancellationToken.None;

    internal void WatchClient()
    {
        if (!Request.Aborted.CanBeCanceled) return;
        _clientGone = new CancellationTokenSource();
        _watch = Request.Aborted.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _clientGone);
    }

    internal void StopWatchingClient() => _watch.Dispose();

    /// <summary>The usual end: the response went out long ago, so no error is made for it.</summary>
    internal override void Done()
    {
        if (!Response.Task.IsCompleted) base.Done();
    }
}
