namespace Flint.Engine.Queues;

/// <summary>
/// Cloudflare Queues' limits (developers.cloudflare.com/queues/platform/limits), with sizes in
/// the units wrangler dev checks them in (1 KB = 1000 bytes), and the consumer settings' ranges.
/// </summary>
public static class QueueLimits
{
    /// <summary>A message body, as serialized.</summary>
    public const int MaxMessageBytes = 128_000;
    /// <summary>Messages in one sendBatch() call.</summary>
    public const int MaxBatchMessages = 100;
    /// <summary>The bodies of one sendBatch() call together: 256 KB plus room for per-message metadata, as wrangler dev counts them.</summary>
    public const int MaxBatchBytes = 288_000;
    /// <summary>delaySeconds when sending or retrying, delivery_delay and retry_delay: 12 hours.</summary>
    public const int MaxDelaySeconds = 43_200;

    public const int MaxConsumerBatchSize = 100;
    public const int MaxBatchTimeoutSeconds = 60;
    public const int MaxRetries = 100;
    public const int MaxConcurrency = 250;
    /// <summary>How long a consumer's invocation may run (wall clock) before its batch counts as failed.</summary>
    public static readonly TimeSpan ConsumerWallTime = TimeSpan.FromMinutes(15);

    /// <summary>How long a message stays in a queue unless configured otherwise: 4 days (60 s to 14 days).</summary>
    public const int DefaultRetentionSeconds = 4 * 24 * 3600;
    public const int MinRetentionSeconds = 60;
    public const int MaxRetentionSeconds = 14 * 24 * 3600;
}

/// <summary>
/// A send refused for the reason Queues gives, with Queues' error code (developers.cloudflare.com/queues/reference/error-codes):
/// the producer shows it as "Queue send failed: …", or, from queue_expose_error_codes (2026-03-12), as "… (code)".
/// </summary>
public sealed class QueueException(string message, int code) : Exception(message)
{
    public const int MetadataInvalid = 10203;
    public const int MessageSizeOutOfBounds = 10204;
    public const int BatchSizeOutOfBounds = 10205;
    public const int BatchCountOutOfBounds = 10206;

    public int Code { get; } = code;
}

/// <summary>The serialization formats a message body can have.</summary>
public static class QueueContentTypes
{
    public const string Text = "text";
    public const string Bytes = "bytes";
    public const string Json = "json";
    public const string V8 = "v8";

    public static bool IsKnown(string type) => type is Text or Bytes or Json or V8;
}
