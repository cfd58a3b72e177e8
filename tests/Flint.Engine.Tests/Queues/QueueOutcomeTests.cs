using Flint.Engine.Config;
using Flint.Engine.Queues;

namespace Flint.Engine.Tests.Queues;

/// <summary>What becomes of each message of a batch, by Cloudflare's documented rules, and the consumer settings' defaults and ranges.</summary>
public sealed class QueueOutcomeTests
{
    private static readonly QueueConsumerSettings Consumer = new("q", 10, TimeSpan.FromSeconds(5), MaxRetries: 2, DeadLetterQueue: null, 1, RetryDelaySeconds: 7);

    private static List<DeliveredMessage> Batch(params int[] attempts) =>
        attempts.Select((a, i) => new DeliveredMessage(i + 1, $"m{i}", 0, "json", [], a)).ToList();

    private static QueueOutcome Outcome(bool ok = true, bool ackAll = false, bool retryAll = false, int? retryAllDelay = null,
        int[]? acks = null, Dictionary<int, int?>? retries = null) =>
        new(ok, ok ? null : "Error: failed", ackAll, retryAll, retryAllDelay, (acks ?? []).ToHashSet(), retries ?? []);

    private static string Show(IReadOnlyList<Settlement> settlements) =>
        string.Join(" ", settlements.Select(s => s.Kind switch
        {
            SettlementKind.Retry => $"retry({s.DelaySeconds})",
            SettlementKind.DeadLetter => $"dlq({s.DeadLetterQueue})",
            _ => s.Kind.ToString().ToLowerInvariant(),
        }));

    [Fact]
    public void ASuccessfulHandlerAcknowledgesTheBatchAndAThrowingOneRetriesAllButExplicitAcks()
    {
        Assert.Equal("ack ack", Show(Outcome().Settle(Batch(1, 1), Consumer)));
        Assert.Equal("retry(7) retry(7)", Show(Outcome(ok: false).Settle(Batch(1, 1), Consumer)));
        Assert.Equal("ack retry(7)", Show(Outcome(ok: false, acks: [0]).Settle(Batch(1, 1), Consumer)));
    }

    [Fact]
    public void AMessagesOwnCallWinsOverTheBatchsAndAckAllWinsOverAFailure()
    {
        Assert.Equal("retry(7) ack", Show(Outcome(retries: new() { [0] = null }).Settle(Batch(1, 1), Consumer)));
        Assert.Equal("ack retry(7)", Show(Outcome(retryAll: true, acks: [0]).Settle(Batch(1, 1), Consumer)));
        Assert.Equal("retry(7) ack", Show(Outcome(ackAll: true, retries: new() { [0] = null }).Settle(Batch(1, 1), Consumer)));
        Assert.Equal("ack ack", Show(Outcome(ok: false, ackAll: true).Settle(Batch(1, 1), Consumer)));
        Assert.Equal("retry(7) retry(7)", Show(Outcome(retryAll: true).Settle(Batch(1, 1), Consumer)));
    }

    [Fact]
    public void RetryDelaysComeFromTheMessageThenRetryAllThenTheConsumer()
    {
        Assert.Equal("retry(3) retry(9) retry(9)",
            Show(Outcome(retryAll: true, retryAllDelay: 9, retries: new() { [0] = 3, [1] = null }).Settle(Batch(1, 1, 1), Consumer)));
        Assert.Equal("retry(43200) retry(0)",
            Show(Outcome(retries: new() { [0] = 99_999, [1] = -5 }).Settle(Batch(1, 1), Consumer)));
    }

    [Fact]
    public void AfterMaxRetriesAMessageGoesToTheDeadLetterQueueOrIsDropped()
    {
        var failed = Outcome(ok: false);
        Assert.Equal("retry(7) retry(7) drop", Show(failed.Settle(Batch(1, 2, 3), Consumer)));
        Assert.Equal("retry(7) dlq(dead)", Show(failed.Settle(Batch(2, 3), Consumer with { DeadLetterQueue = "dead" })));
        Assert.Equal("drop", Show(failed.Settle(Batch(1), Consumer with { MaxRetries = 0 })));
        Assert.Equal("ack", Show(Outcome().Settle(Batch(3), Consumer))); // a last attempt that succeeds is simply done
    }

    [Fact]
    public void ConsumerSettingsTakeCloudflaresDefaultsAndRanges()
    {
        var defaults = QueueConsumerSettings.From(new QueueConsumerConfig("q", null, null, null, null, null, null), "wrangler.toml");
        Assert.Equal((10, TimeSpan.FromSeconds(5), 3, 4, 0, 4), (defaults.MaxBatchSize, defaults.MaxBatchTimeout, defaults.MaxRetries,
            defaults.MaxAttempts, defaults.RetryDelaySeconds, defaults.MaxConcurrency));
        var error = Assert.Throws<ConfigException>(() => QueueConsumerSettings.From(new QueueConsumerConfig("q", 101, null, null, null, null, null), "w/wrangler.toml"));
        Assert.Equal("w/wrangler.toml: queues.consumers \"q\": max_batch_size = 101 is out of range; it must be from 1 to 100.", error.Message);
        Assert.Contains("max_batch_timeout = 61", Assert.Throws<ConfigException>(() => QueueConsumerSettings.From(new QueueConsumerConfig("q", null, 61, null, null, null, null), "x")).Message);
        Assert.Contains("max_retries = 101", Assert.Throws<ConfigException>(() => QueueConsumerSettings.From(new QueueConsumerConfig("q", null, null, 101, null, null, null), "x")).Message);
        Assert.Contains("retry_delay = 43201", Assert.Throws<ConfigException>(() => QueueConsumerSettings.From(new QueueConsumerConfig("q", null, null, null, null, null, 43201), "x")).Message);
        Assert.Contains("max_concurrency = 251", Assert.Throws<ConfigException>(() => QueueConsumerSettings.From(new QueueConsumerConfig("q", null, null, null, null, 251, null), "x")).Message);
        Assert.Contains("names the queue itself", Assert.Throws<ConfigException>(() => QueueConsumerSettings.From(new QueueConsumerConfig("q", null, null, null, "q", null, null), "x")).Message);
    }
}
