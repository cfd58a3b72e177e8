using Flint.Engine.Config;

namespace Flint.Engine.Queues;

/// <summary>
/// A consumer's settings with Cloudflare's defaults filled in (developers.cloudflare.com/queues/configuration/batching-retries):
/// batches of up to 10 messages flushed after at most 5 seconds, 3 retries. wrangler dev's defaults
/// differ (5 messages, 1 second, 2 retries); Flint follows the platform.
/// </summary>
public sealed record QueueConsumerSettings(
    string Queue,
    int MaxBatchSize,
    TimeSpan MaxBatchTimeout,
    int MaxRetries,
    string? DeadLetterQueue,
    int MaxConcurrency,
    int RetryDelaySeconds)
{
    public const int DefaultBatchSize = 10;
    public const int DefaultBatchTimeoutSeconds = 5;
    public const int DefaultRetries = 3;

    /// <summary>
    /// Batches in flight at once when max_concurrency is not set. Cloudflare scales a consumer up
    /// to 250 invocations with the backlog; locally a few keep one isolate busy without piling
    /// up work it only interleaves.
    /// </summary>
    public const int DefaultConcurrency = 4;

    /// <summary>Deliveries a message gets before it is dead-lettered or dropped.</summary>
    public int MaxAttempts => MaxRetries + 1;

    /// <summary>Fills in the defaults and checks the ranges Cloudflare accepts; throws <see cref="ConfigException"/> naming the config and key.</summary>
    public static QueueConsumerSettings From(QueueConsumerConfig c, string configPath)
    {
        int Check(int? value, string key, int min, int max, int fallback)
        {
            if (value is null) return fallback;
            if (value < min || value > max)
                throw new ConfigException($"{configPath}: queues.consumers \"{c.Queue}\": {key} = {value} is out of range; it must be from {min} to {max}.");
            return value.Value;
        }
        var size = Check(c.MaxBatchSize, "max_batch_size", 1, QueueLimits.MaxConsumerBatchSize, DefaultBatchSize);
        var timeout = Check(c.MaxBatchTimeout, "max_batch_timeout", 0, QueueLimits.MaxBatchTimeoutSeconds, DefaultBatchTimeoutSeconds);
        var retries = Check(c.MaxRetries, "max_retries", 0, QueueLimits.MaxRetries, DefaultRetries);
        var concurrency = Check(c.MaxConcurrency, "max_concurrency", 1, QueueLimits.MaxConcurrency, DefaultConcurrency);
        var retryDelay = Check(c.RetryDelay, "retry_delay", 0, QueueLimits.MaxDelaySeconds, 0);
        if (c.DeadLetterQueue == c.Queue)
            throw new ConfigException($"{configPath}: queues.consumers \"{c.Queue}\": dead_letter_queue names the queue itself; name another queue.");
        return new QueueConsumerSettings(c.Queue, size, TimeSpan.FromSeconds(timeout), retries, c.DeadLetterQueue, concurrency, retryDelay);
    }
}
