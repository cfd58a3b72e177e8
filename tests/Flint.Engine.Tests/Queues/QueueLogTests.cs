using System.Text;
using Flint.Engine.Kv;
using Flint.Engine.Queues;
using Flint.Engine.Tests.Kv;
using Microsoft.Data.Sqlite;

namespace Flint.Engine.Tests.Queues;

/// <summary>
/// One queue's log on a real SQLite file, against a clock the test moves. Reopening the file
/// stands for a restart (and for kill -9: what is in flight lives in memory only).
/// </summary>
public sealed class QueueLogTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("flint-queue-").FullName;
    private readonly ManualClock _clock = new(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
    private QueueLog _log;

    public QueueLogTests() => _log = Open();

    private string FilePath => Path.Combine(_dir, "q.sqlite");
    private QueueLog Open() => QueueLog.Open("q", FilePath, _clock);

    private void Restart()
    {
        _log.Dispose();
        _log = Open();
    }

    public void Dispose()
    {
        _log.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, true);
    }

    private static OutgoingMessage Text(string s, int? delay = null) => new(QueueContentTypes.Text, Encoding.UTF8.GetBytes(s), delay);
    private static string Body(DeliveredMessage m) => Encoding.UTF8.GetString(m.Body);

    private Task<QueueMetrics> SendAsync(params string[] bodies) => _log.SendAsync(bodies.Select(b => Text(b)).ToList(), null, asBatch: bodies.Length > 1);

    [Fact]
    public async Task SentMessagesAreOnDiskAndComeBackInOrderWithIdsTimesAndAttempts()
    {
        await SendAsync("a", "b");
        await SendAsync("c");
        Restart();
        var batch = _log.Lease(10);
        Assert.Equal(["a", "b", "c"], batch.Select(Body));
        Assert.All(batch, m => Assert.Matches("^[0-9a-f]{32}$", m.Id));
        Assert.Equal(3, batch.Select(m => m.Id).Distinct().Count());
        Assert.All(batch, m => Assert.Equal(_clock.Now.ToUnixTimeMilliseconds(), m.TimestampMs));
        Assert.All(batch, m => Assert.Equal(1, m.Attempts));
        Assert.All(batch, m => Assert.Equal(QueueContentTypes.Text, m.ContentType));
    }

    [Fact]
    public async Task LimitsAreCheckedWithQueuesMessagesInWranglersOrder()
    {
        async Task<string> Refused(Func<Task> send) => (await Assert.ThrowsAsync<QueueException>(send)).Message;
        var big = new string('x', QueueLimits.MaxMessageBytes + 1);
        Assert.Equal("message length of 128001 bytes exceeds limit of 128000", await Refused(() => _log.SendAsync([Text(big)], null, false)));
        await _log.SendAsync([Text(new string('x', QueueLimits.MaxMessageBytes))], null, false);

        var tooMany = Enumerable.Range(0, 101).Select(_ => Text(big)).ToList();
        Assert.Equal("batch message count of 101 exceeds limit of 100", await Refused(() => _log.SendAsync(tooMany, null, true)));
        Assert.Equal("message in batch has length 128001 bytes which exceeds single message size limit of 128000",
            await Refused(() => _log.SendAsync([Text("a"), Text(big)], null, true)));
        var total = Enumerable.Range(0, 4).Select(_ => Text(new string('x', 72_500))).ToList();
        Assert.Equal("batch size of 290000 bytes exceeds limit of 288000", await Refused(() => _log.SendAsync(total, null, true)));

        Assert.Equal("message delay of -1 seconds is invalid: it must be from 0 to 43200 (12 hours)", await Refused(() => _log.SendAsync([Text("a", -1)], null, false)));
        Assert.Contains("43201", await Refused(() => _log.SendAsync([Text("a")], 43201, false)));
        var code = (await Assert.ThrowsAsync<QueueException>(() => _log.SendAsync(tooMany, null, true))).Code;
        Assert.Equal(QueueException.BatchCountOutOfBounds, code);
        Assert.Equal(1, _log.Count()); // nothing of the refused sends was stored
    }

    [Fact]
    public async Task DelaysWaitAndTheMessagesOwnDelayWinsOverTheCallsWhichWinsOverTheQueues()
    {
        await _log.UpdateSettingsAsync(deliveryDelaySeconds: 100, retentionSeconds: null);
        await _log.SendAsync([Text("queue default")], null, false);
        await _log.SendAsync([Text("call 10")], 10, false);
        await _log.SendAsync([Text("own 0", 0), Text("own 20", 20), Text("batch 5")], 5, true);
        var now = _log.Lease(10);
        Assert.Equal(["own 0"], now.Select(Body));
        await _log.SettleAsync([new Settlement(now[0].Seq, SettlementKind.Ack)]);

        Restart(); // delays are absolute times: they survive a restart
        _clock.Now += TimeSpan.FromSeconds(5);
        Assert.Equal(["batch 5"], _log.Lease(10).Select(Body));
        _clock.Now += TimeSpan.FromSeconds(5);
        Assert.Equal(["call 10"], _log.Lease(10).Select(Body));
        var (ready, _, nextDue) = _log.Schedule();
        Assert.Equal(0, ready);
        Assert.Equal(_clock.Now.AddSeconds(10).ToUnixTimeMilliseconds(), nextDue);
        _clock.Now += TimeSpan.FromSeconds(90);
        Assert.Equal(["own 20", "queue default"], _log.Lease(10).Select(Body));
    }

    [Fact]
    public async Task InFlightMessagesAreNotLeasedTwiceAndAreWaitingAgainAfterACrash()
    {
        await SendAsync("a", "b", "c");
        var first = _log.Lease(2);
        Assert.Equal(["a", "b"], first.Select(Body));
        Assert.Equal(["c"], _log.Lease(10).Select(Body));
        Assert.Empty(_log.Lease(10));

        Restart(); // the process died with both batches running: nothing was acknowledged
        var again = _log.Lease(10);
        Assert.Equal(["a", "b", "c"], again.Select(Body));
        Assert.All(again, m => Assert.Equal(1, m.Attempts)); // a crash is not a failed attempt
        Assert.Equal(first.Select(m => m.Id), again.Take(2).Select(m => m.Id));
    }

    [Fact]
    public async Task AcknowledgedMessagesAreGoneForGoodRetriedOnesCountAnAttemptAndWaitTheirDelay()
    {
        await SendAsync("ack", "retry", "retry later");
        var batch = _log.Lease(10);
        await _log.SettleAsync([
            new Settlement(batch[0].Seq, SettlementKind.Ack),
            new Settlement(batch[1].Seq, SettlementKind.Retry),
            new Settlement(batch[2].Seq, SettlementKind.Retry, DelaySeconds: 30),
        ]);
        Restart();
        var retried = _log.Lease(10);
        Assert.Equal(["retry"], retried.Select(Body));
        Assert.Equal(2, retried[0].Attempts);
        Assert.Equal(batch[1].Id, retried[0].Id);
        Assert.Equal(batch[1].TimestampMs, retried[0].TimestampMs);
        _clock.Now += TimeSpan.FromSeconds(30);
        Assert.Equal(["retry later"], _log.Lease(10).Select(Body));
        await _log.SettleAsync([new Settlement(retried[0].Seq, SettlementKind.Drop)]);
        Assert.Equal(1, _log.Count());
        Assert.DoesNotContain(_log.List(10), m => m.Id == batch[0].Id);
    }

    [Fact]
    public async Task MessagesOfOneSendBatchAreSettledOneByOneAcrossRestarts()
    {
        await SendAsync("a", "b", "c", "d", "e");
        var first = _log.Lease(2);
        await _log.SettleAsync([new Settlement(first[0].Seq, SettlementKind.Ack), new Settlement(first[1].Seq, SettlementKind.Retry, DelaySeconds: 5)]);
        Restart();
        Assert.Equal(4, _log.Count());
        var rest = _log.Lease(10);
        Assert.Equal(["c", "d", "e"], rest.Select(Body));
        await _log.SettleAsync(rest.Select(m => new Settlement(m.Seq, SettlementKind.Ack)).ToList());
        Restart();
        _clock.Now += TimeSpan.FromSeconds(5);
        var retried = Assert.Single(_log.Lease(10));
        Assert.Equal(("b", 2, first[1].Id), (Body(retried), retried.Attempts, retried.Id));
        await _log.SettleAsync([new Settlement(retried.Seq, SettlementKind.Ack)]);
        Assert.Equal(0, _log.Count());
        Restart();
        Assert.Empty(_log.Lease(10));
        Assert.Empty(_log.List(10));
    }

    [Fact]
    public async Task ReleasedMessagesAreReadyFirstWithoutAnAttemptCounted()
    {
        await SendAsync("a", "b", "c");
        var batch = _log.Lease(2);
        _log.Release(batch.Select(m => m.Seq));
        var again = _log.Lease(10);
        Assert.Equal(["a", "b", "c"], again.Select(Body));
        Assert.All(again, m => Assert.Equal(1, m.Attempts));
    }

    [Fact]
    public async Task DeadLettersAreRecordedUntilTheirQueueHoldsThemAndKeepTheirIdAndTime()
    {
        await SendAsync("dead");
        var message = Assert.Single(_log.Lease(10));
        await _log.SettleAsync([new Settlement(message.Seq, SettlementKind.DeadLetter, DeadLetterQueue: "dlq")]);
        Assert.Empty(_log.Lease(10));
        Restart(); // the process died before the dead-letter queue had it
        var pending = Assert.Single(_log.PendingDeadLetters());
        Assert.Equal(("dlq", message.Id), (pending.Queue, pending.Id));
        Assert.Empty(_log.Lease(10)); // a message being dead-lettered is never delivered from here again

        _clock.Now += TimeSpan.FromMinutes(1);
        using var dlq = QueueLog.Open("dlq", Path.Combine(_dir, "dlq.sqlite"), _clock);
        await dlq.AcceptDeadLettersAsync([pending]);
        await dlq.AcceptDeadLettersAsync([pending]); // finishing an interrupted move twice adds it once
        await _log.ForgetDeadLettersAsync([pending.Seq]);
        Assert.Equal(0, _log.Count());
        var delivered = Assert.Single(dlq.Lease(10));
        Assert.Equal((message.Id, message.TimestampMs, 1, "dead"), (delivered.Id, delivered.TimestampMs, delivered.Attempts, Body(delivered)));
    }

    [Fact]
    public async Task MetricsCountWaitingMessagesDelayedIncludedInFlightNotAndSendReportsTheBacklogBeforeIt()
    {
        var first = await SendAsync("aa");
        Assert.Equal(new QueueMetrics(0, 0, null), first);
        var sentAt = _clock.Now.ToUnixTimeMilliseconds();
        _clock.Now += TimeSpan.FromSeconds(1);
        var second = await _log.SendAsync([Text("bbb", delay: 60)], null, false);
        Assert.Equal(new QueueMetrics(1, 2, sentAt), second);
        Assert.Equal(new QueueMetrics(2, 5, sentAt), _log.Metrics());
        _log.Lease(10);
        Assert.Equal(new QueueMetrics(1, 3, sentAt + 1000), _log.Metrics());
    }

    [Fact]
    public async Task ScheduleSaysSinceWhenTheOldestReadyMessageWaited()
    {
        var start = _clock.Now.ToUnixTimeMilliseconds();
        await _log.SendAsync([Text("later", 2)], null, false);
        _clock.Now += TimeSpan.FromSeconds(1);
        await SendAsync("now");
        Assert.Equal((1, start + 1000, (long?)start + 2000), _log.Schedule());
        _clock.Now += TimeSpan.FromSeconds(5);
        Assert.Equal((2, start + 1000, (long?)null), _log.Schedule());
    }

    [Fact]
    public async Task PurgeDeletesEverythingAndAnotherProcessesChangesAreSeenOnRefresh()
    {
        await SendAsync("a", "b");
        await _log.RefreshAsync();
        Assert.Equal(2, _log.Metrics().BacklogCount);
        using (var other = Open()) // another process: the CLI
        {
            Assert.Equal(2, await other.PurgeAsync());
            await other.SendAsync([Text("from elsewhere")], null, false);
        }
        await _log.RefreshAsync();
        Assert.Equal(["from elsewhere"], _log.Lease(10).Select(Body));
        await _log.RefreshAsync(); // nothing changed elsewhere since: nothing to re-read
        Assert.Equal(1, await _log.PurgeAsync());
    }

    [Fact]
    public async Task MessagesOlderThanTheRetentionPeriodExpire()
    {
        await _log.UpdateSettingsAsync(null, retentionSeconds: 3600);
        await SendAsync("old");
        _clock.Now += TimeSpan.FromMinutes(30);
        await SendAsync("new");
        _clock.Now += TimeSpan.FromMinutes(31);
        Assert.Equal(1, await _log.ExpireAsync());
        Assert.Equal(["new"], _log.Lease(10).Select(Body));
        await Assert.ThrowsAsync<QueueException>(() => _log.UpdateSettingsAsync(null, retentionSeconds: 10));
        Restart();
        Assert.Equal(3600, _log.Settings.RetentionSeconds);
    }

    [Fact]
    public async Task ConcurrentSendsAndSettlementsShareCommitsAndLoseNothing()
    {
        var sends = Enumerable.Range(0, 200).Select(i => _log.SendAsync([Text($"m{i}")], null, false)).ToList();
        await Task.WhenAll(sends);
        var leased = _log.Lease(100).Concat(_log.Lease(100)).ToList();
        Assert.Equal(200, leased.Select(m => Body(m)).Distinct().Count());
        await Task.WhenAll(leased.Select(m => _log.SettleAsync([new Settlement(m.Seq, SettlementKind.Ack)])));
        Restart();
        Assert.Equal(0, _log.Count());
    }
}
