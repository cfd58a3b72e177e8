namespace Flint.Engine.Queues;

/// <summary>A message to enqueue: its body serialized in <see cref="ContentType"/>, and its own delay if it has one.</summary>
public sealed record OutgoingMessage(string ContentType, ReadOnlyMemory<byte> Body, int? DelaySeconds = null);

/// <summary>
/// A message handed to a consumer: <see cref="Attempts"/> counts this delivery (1 the first time).
/// <see cref="Seq"/> is its place in the log, which settles it.
/// </summary>
public sealed record DeliveredMessage(long Seq, string Id, long TimestampMs, string ContentType, byte[] Body, int Attempts);

/// <summary>A queue's backlog as Queues reports it: messages waiting (delayed ones too, not those being delivered), their bytes, the oldest's send time.</summary>
public readonly record struct QueueMetrics(long BacklogCount, long BacklogBytes, long? OldestMessageTimestampMs);

/// <summary>What becomes of a delivered message once its batch is over.</summary>
public enum SettlementKind
{
    /// <summary>Done: removed from the log, never delivered again.</summary>
    Ack,
    /// <summary>Delivered again after <see cref="Settlement.DelaySeconds"/>; counts as a failed attempt.</summary>
    Retry,
    /// <summary>Out of attempts: moved to <see cref="Settlement.DeadLetterQueue"/>.</summary>
    DeadLetter,
    /// <summary>Out of attempts and no dead-letter queue: removed.</summary>
    Drop,
}

public readonly record struct Settlement(long Seq, SettlementKind Kind, int DelaySeconds = 0, string? DeadLetterQueue = null);

/// <summary>A message on its way to a dead-letter queue: recorded in its source log until the dead-letter queue holds it.</summary>
public sealed record DeadLetter(long Seq, string Id, long TimestampMs, string ContentType, byte[] Body, string Queue);

/// <summary>A queue's own settings (<c>flint queues create --delivery-delay-secs … --message-retention-period-secs …</c>).</summary>
public sealed record QueueSettings(int DeliveryDelaySeconds, int RetentionSeconds, long CreatedMs);

/// <summary>A message as <c>flint queues messages</c> shows it.</summary>
public sealed record StoredMessage(string Id, long TimestampMs, string ContentType, byte[] Body, int FailedAttempts, long VisibleAtMs, string? DeadLetterTo);
