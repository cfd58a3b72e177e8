using Flint.JavaScript.Isolates.Events;

namespace Flint.JavaScript.Rpc;

/// <summary>
/// A call in flight (or answered) between isolates. Calls on its future result may be made before
/// it arrives (promise pipelining): they go to the isolate answering it, which runs them on the
/// result it keeps, so a chain such as <c>env.SVC.getCounter().increment()</c> needs no round trip
/// back to the caller in between.
/// </summary>
public sealed class RpcAnswer
{
    // Continuations run inline: each only posts to an isolate's loop (delivering a result, sending a
    // pipelined call), so the answer reaches the caller without a thread-pool hop.
    private readonly TaskCompletionSource<RpcResult> _result = new();
    private readonly TaskCompletionSource<(RpcEndpoint Endpoint, int CallId)> _target = new();
    private int _forgotten;

    public Task<RpcResult> Result => _result.Task;

    /// <summary>A call that could not be made at all (no such Worker, a stub already disposed).</summary>
    public static RpcAnswer Failed(Exception error)
    {
        var answer = new RpcAnswer();
        answer.Fail(error);
        return answer;
    }

    /// <summary>The answering isolate took the call under <paramref name="callId"/>.</summary>
    internal void Accepted(RpcEndpoint endpoint, int callId) => _target.TrySetResult((endpoint, callId));

    internal void Complete(RpcResult result)
    {
        if (!_result.TrySetResult(result)) result.Value.Dispose();
    }

    internal void Fail(Exception error)
    {
        _target.TrySetException(error);
        _result.TrySetException(error);
        _ = _target.Task.Exception; // observed: a failed call need not be pipelined on
    }

    /// <summary>Makes this answer the one <paramref name="inner"/> gives, once it exists (a call that waited for an isolate).</summary>
    public async Task FollowAsync(Task<RpcAnswer> inner)
    {
        try
        {
            var answer = await inner.ConfigureAwait(false);
            _ = answer._target.Task.ContinueWith(t =>
            {
                if (t.IsCompletedSuccessfully) _target.TrySetResult(t.Result);
            }, TaskContinuationOptions.ExecuteSynchronously);
            Complete(await answer.Result.ConfigureAwait(false));
            if (Volatile.Read(ref _forgotten) != 0) answer.Forget();
        }
        catch (Exception ex)
        {
            Fail(ex);
        }
    }

    /// <summary>A call at <paramref name="pathJson"/> on this call's result, sent to where the result is kept.</summary>
    public RpcAnswer Pipeline(RpcCallKind kind, string pathJson, RpcValue args)
    {
        var answer = new RpcAnswer();
        _ = PipelineAsync(answer, kind, pathJson, args);
        return answer;
    }

    private async Task PipelineAsync(RpcAnswer answer, RpcCallKind kind, string pathJson, RpcValue args)
    {
        (RpcEndpoint Endpoint, int CallId) target;
        try
        {
            target = await _target.Task.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            args.Dispose();
            answer.Fail(ex); // as on Cloudflare: a pipelined call fails with the call it was made on
            return;
        }
        target.Endpoint.InvokePipelined(target.CallId, kind, pathJson, args, answer);
    }

    /// <summary>The caller will make no more calls on the result: the answering isolate may let it go.</summary>
    public void Forget()
    {
        if (Interlocked.Exchange(ref _forgotten, 1) != 0) return;
        _ = ForgetAsync();
    }

    private async Task ForgetAsync()
    {
        try
        {
            var (endpoint, callId) = await _target.Task.ConfigureAwait(false);
            endpoint.Forget(callId);
        }
        catch (Exception) { } // never delivered: nothing is kept for it
    }
}

/// <summary>
/// One counted reference to an object an isolate exported (a function or RpcTarget sent over RPC):
/// holding it is the right to call that object. Disposing it drops the reference; when the last
/// one goes, the exporting isolate lets the object go (and runs an RpcTarget's disposer).
/// </summary>
public sealed class StubRef : RpcHandle
{
    private int _disposed;

    internal StubRef(RpcEndpoint home, int exportId)
    {
        Home = home;
        ExportId = exportId;
        if (exportId > 0) home.AddRef(exportId);
        else _disposed = 1;
    }

    /// <summary>A stub that was disposed before it could be passed on: every call on it fails.</summary>
    internal static StubRef Disposed(RpcEndpoint home) => new(home, 0);

    internal RpcEndpoint Home { get; }
    internal int ExportId { get; }
    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Another reference to the same object (<c>stub.dup()</c>).</summary>
    public StubRef Dup() => new(Home, ExportId);

    /// <summary>Calls the object (or reads a property) at <paramref name="pathJson"/>, in its home isolate.</summary>
    public RpcAnswer Call(RpcCallKind kind, string pathJson, RpcValue args)
    {
        if (IsDisposed)
        {
            args.Dispose();
            return RpcAnswer.Failed(new RpcException("RPC stub used after being disposed."));
        }
        var answer = new RpcAnswer();
        Home.InvokeExport(ExportId, kind, pathJson, args, answer);
        return answer;
    }

    public override void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) Home.ReleaseRef(ExportId);
    }
}

/// <summary>
/// The host's one interface to a Worker for its events (workerd's WorkerInterface): a method per
/// kind. Implemented by an isolate, a pool of them, and a Worker by name in the runtime.
/// </summary>
public interface IWorkerEvents
{
    Task<Isolates.WorkerResponse> FetchAsync(Isolates.IncomingRequest request);

    /// <summary>An RPC call on an entrypoint; the answer is returned at once so calls can be pipelined on it.</summary>
    RpcAnswer Call(RpcCall call);

    /// <summary>A scheduled event (cron trigger); completes when the event is over.</summary>
    Task<Isolates.Events.ScheduledOutcome> ScheduledAsync(Isolates.Events.ScheduledEvent scheduled);

    /// <summary>A queue batch for the Worker's queue() handler; completes with what the handler did with each message.</summary>
    Task<Engine.Queues.QueueOutcome> QueueAsync(Engine.Queues.QueueBatch batch);
}
