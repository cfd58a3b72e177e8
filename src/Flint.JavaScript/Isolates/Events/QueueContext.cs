using Flint.Engine.Queues;

namespace Flint.JavaScript.Isolates.Events;

/// <summary>
/// A queue event: one batch delivered to the Worker's queue() handler (or `queue` listeners).
/// Its outcome is known when the handler settled and, unless the Worker opted out with
/// queue_consumer_no_wait_for_wait_until, its waitUntil work too.
/// </summary>
public sealed class QueueContext(QueueBatch batch, TimeSpan cpuLimit) : EventContext(cpuLimit)
{
    public override string Kind => "queue";

    public QueueBatch Batch { get; } = batch;

    internal TaskCompletionSource<QueueOutcome> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal override void Fail(WorkerException error) => Outcome.TrySetResult(QueueOutcome.Failed(error.Message));

    internal override void Done() => Outcome.TrySetResult(QueueOutcome.Failed("The queue event ended without an outcome."));
}
