namespace Flint.Engine.Queues;

/// <summary>A batch delivered to a consumer: its queue, its messages, and the backlog left behind it.</summary>
public sealed record QueueBatch(string Queue, IReadOnlyList<DeliveredMessage> Messages, QueueMetrics Metrics);

/// <summary>
/// What a consumer's queue event reported: whether the handler (and its waitUntil work) succeeded,
/// and the calls it made, as workerd records them — each message's first ack()/retry() (by index,
/// with the retry's delay), and ackAll()/retryAll() for the batch.
/// </summary>
public sealed record QueueOutcome(
    bool Ok,
    string? Error,
    bool AckAll,
    bool RetryAll,
    int? RetryAllDelaySeconds,
    IReadOnlySet<int> Acks,
    IReadOnlyDictionary<int, int?> Retries)
{
    /// <summary>The event could not run or did not finish (no Worker, isolate stopped, CPU limit): every message is retried.</summary>
    public static QueueOutcome Failed(string error) =>
        new(false, error, false, false, null, new HashSet<int>(), new Dictionary<int, int?>());

    /// <summary>
    /// What becomes of each message, by the rules Cloudflare documents: a message's own ack() or
    /// retry() wins over the batch's ackAll()/retryAll(); ackAll() acknowledges whatever the
    /// handler did; a handler that threw (or whose waitUntil work failed) retries every message
    /// not explicitly acknowledged; otherwise the batch is acknowledged. A retried message waits
    /// its own delay, else retryAll()'s, else the consumer's retry_delay; once it has had
    /// max_retries + 1 deliveries it goes to the dead-letter queue, or is dropped.
    /// </summary>
    public IReadOnlyList<Settlement> Settle(IReadOnlyList<DeliveredMessage> messages, QueueConsumerSettings consumer)
    {
        var list = new List<Settlement>(messages.Count);
        for (var i = 0; i < messages.Count; i++)
        {
            var m = messages[i];
            int? delay;
            if (Acks.Contains(i)) delay = null;
            else if (Retries.TryGetValue(i, out var own)) delay = own ?? RetryAllDelaySeconds ?? consumer.RetryDelaySeconds;
            else if (AckAll) delay = null;
            else if (RetryAll || !Ok) delay = RetryAllDelaySeconds ?? consumer.RetryDelaySeconds;
            else delay = null;

            if (delay is null) list.Add(new Settlement(m.Seq, SettlementKind.Ack));
            else if (m.Attempts < consumer.MaxAttempts) list.Add(new Settlement(m.Seq, SettlementKind.Retry, Math.Clamp(delay.Value, 0, QueueLimits.MaxDelaySeconds)));
            else if (consumer.DeadLetterQueue is { } dlq) list.Add(new Settlement(m.Seq, SettlementKind.DeadLetter, DeadLetterQueue: dlq));
            else list.Add(new Settlement(m.Seq, SettlementKind.Drop));
        }
        return list;
    }
}
