using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using Flint.Engine.Storage;
using Microsoft.Data.Sqlite;

namespace Flint.Engine.Queues;

/// <summary>
/// One queue's durable log: a SQLite file holding every message not yet acknowledged, with its
/// send time, its failed attempts and when it may next be delivered. A send returns once its
/// messages are committed (fsync'd); an acknowledgement is committed before the next step, so an
/// acknowledged message is never delivered again; delays are absolute times, so they survive restarts.
/// <para>
/// Each send() or sendBatch() call is one row (a segment, see <see cref="QueueSegment"/>); what
/// happened since to single messages (acknowledged, retried, being dead-lettered) is a row of
/// <c>changes</c>, and a segment whose messages are all done is deleted with its changes.
/// Writes from every producer and consumer go through one writer that commits whatever is waiting
/// in one transaction (group commit), so concurrent sends and acknowledgements share one fsync.
/// Which messages are in flight is kept in memory only: after a crash, the messages of the batches
/// that were running are simply waiting again, and are delivered again (at least once).
/// </para>
/// </summary>
public sealed class QueueLog : IDisposable
{
    // seq: a segment's place in the log, assigned by the writer above any seq in the file or seen by
    // this process, so one is never reused while this process may still settle its messages.
    // dead_letter_ids: the ids a dead-letter queue took in, so finishing an interrupted move twice adds it once.
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS segments (
          seq INTEGER PRIMARY KEY,
          sent_at INTEGER NOT NULL,
          count INTEGER NOT NULL,
          messages BLOB NOT NULL,
          done BLOB
        );
        CREATE TABLE IF NOT EXISTS changes (
          seq INTEGER NOT NULL,
          idx INTEGER NOT NULL,
          state INTEGER NOT NULL,
          failed_attempts INTEGER NOT NULL,
          visible_at INTEGER,
          dead_letter_to TEXT,
          PRIMARY KEY (seq, idx)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS dead_letter_ids (id BLOB PRIMARY KEY) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
        INSERT OR IGNORE INTO settings VALUES ('created', CAST(unixepoch('subsec') * 1000 AS INTEGER));
        """;

    // changes.state (a message done is a bit of segments.done instead: one update per segment, not a row per message)
    private const int StateRetried = 2, StateDead = 3;

    /// <summary>Bodies of waiting messages are kept in memory up to this many bytes per queue (beyond, a batch reads them back from disk).</summary>
    private const long CachedBodyBytes = 32L * 1024 * 1024;

    private readonly SqliteDatabase _db;
    private readonly TimeProvider _time;
    private readonly object _gate = new();
    // Messages waiting for delivery (delayed or ready), by key; those in flight and those being dead-lettered are apart.
    private readonly Dictionary<long, Entry> _waiting = new();
    private readonly SortedSet<(long Due, long Key)> _delayed = new();
    private readonly LinkedList<Entry> _ready = new();
    private readonly SortedSet<(long SentAt, long Key)> _bySentAt = new();
    private readonly Dictionary<long, Entry> _inFlight = new();
    private readonly Dictionary<long, Entry> _dead = new();
    private readonly Dictionary<long, Segment> _segments = new();
    private long _backlogBytes;
    private long _cachedBytes;
    private long _highestSeq;
    private long _dataVersion;
    private readonly Channel<WriteOp> _writes = Channel.CreateUnbounded<WriteOp>(new UnboundedChannelOptions { SingleReader = true });
    private volatile bool _disposed;

    private QueueLog(string name, string path, SqliteDatabase db, TimeProvider time)
    {
        Name = name;
        Path = path;
        _db = db;
        _time = time;
        Settings = ReadSettings();
        var loaded = _db.Read(ReadAll);
        lock (_gate) Apply(loaded);
        _ = WriteLoopAsync();
    }

    public string Name { get; }
    public string Path { get; }
    public QueueSettings Settings { get; private set; }

    /// <summary>Raised (off any lock) when messages may have become deliverable or a wait should be recomputed.</summary>
    public event Action<QueueLog>? Changed;

    public static QueueLog Open(string name, string path, TimeProvider? time = null) =>
        new(name, path, SqliteDatabase.Open(path, Schema), time ?? TimeProvider.System);

    private long Now => _time.GetUtcNow().ToUnixTimeMilliseconds();

    // ---- producing ---------------------------------------------------------------------------

    /// <summary>
    /// Validates and durably appends messages; completes once they are on disk. A message's own
    /// delay wins over <paramref name="delaySeconds"/> (the call's, or the producer's
    /// delivery_delay), which wins over the queue's delivery delay. Returns the backlog as it was
    /// before these messages, as Queues answers a send. Throws <see cref="QueueException"/>.
    /// </summary>
    public async Task<QueueMetrics> SendAsync(IReadOnlyList<OutgoingMessage> messages, int? delaySeconds, bool asBatch, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Validate(messages, asBatch);
        if (delaySeconds is { } d) ValidateDelay(d);
        foreach (var m in messages) if (m.DelaySeconds is { } md) ValidateDelay(md);
        var now = Now;
        var ids = RandomNumberGenerator.GetBytes(16 * messages.Count);
        var items = new QueueSegment.Item[messages.Count];
        for (var i = 0; i < messages.Count; i++)
        {
            var m = messages[i];
            var delay = m.DelaySeconds ?? delaySeconds ?? Settings.DeliveryDelaySeconds;
            items[i] = new QueueSegment.Item(ids.AsSpan(i * 16, 16).ToArray(), m.ContentType, now, now + delay * 1000L, m.Body.ToArray());
        }
        var metrics = Metrics();
        await Enqueue(new InsertOp(this, items, deadLetters: false), cancellationToken).ConfigureAwait(false);
        return metrics;
    }

    /// <summary>Checks the sizes Queues limits, with the messages wrangler dev gives.</summary>
    public static void Validate(IReadOnlyList<OutgoingMessage> messages, bool asBatch)
    {
        if (!asBatch)
        {
            var size = messages[0].Body.Length;
            if (size > QueueLimits.MaxMessageBytes)
                throw new QueueException($"message length of {size} bytes exceeds limit of {QueueLimits.MaxMessageBytes}", QueueException.MessageSizeOutOfBounds);
            return;
        }
        if (messages.Count > QueueLimits.MaxBatchMessages)
            throw new QueueException($"batch message count of {messages.Count} exceeds limit of {QueueLimits.MaxBatchMessages}", QueueException.BatchCountOutOfBounds);
        long total = 0;
        var largest = 0;
        foreach (var m in messages)
        {
            total += m.Body.Length;
            largest = Math.Max(largest, m.Body.Length);
        }
        if (largest > QueueLimits.MaxMessageBytes)
            throw new QueueException($"message in batch has length {largest} bytes which exceeds single message size limit of {QueueLimits.MaxMessageBytes}", QueueException.MessageSizeOutOfBounds);
        if (total > QueueLimits.MaxBatchBytes)
            throw new QueueException($"batch size of {total} bytes exceeds limit of {QueueLimits.MaxBatchBytes}", QueueException.BatchSizeOutOfBounds);
    }

    public static void ValidateDelay(int seconds)
    {
        if (seconds is < 0 or > QueueLimits.MaxDelaySeconds)
            throw new QueueException($"message delay of {seconds} seconds is invalid: it must be from 0 to {QueueLimits.MaxDelaySeconds} (12 hours)", QueueException.MetadataInvalid);
    }

    /// <summary>The backlog now: waiting messages (delayed ones included, those in flight not), their bytes, the oldest one's send time.</summary>
    public QueueMetrics Metrics()
    {
        lock (_gate)
        {
            return new QueueMetrics(_waiting.Count, _backlogBytes, _bySentAt.Count > 0 ? _bySentAt.Min.SentAt : null);
        }
    }

    // ---- consuming ---------------------------------------------------------------------------

    /// <summary>
    /// When delivery can happen: how many messages are ready now, since when the oldest of them
    /// has been ready (a batch that is not full is flushed max_batch_timeout after that), and when
    /// the next delayed message becomes ready.
    /// </summary>
    public (int Ready, long? ReadySinceMs, long? NextDueMs) Schedule()
    {
        lock (_gate)
        {
            Promote(Now);
            return (_ready.Count, _ready.First?.Value.ReadySince, _delayed.Count > 0 ? _delayed.Min.Due : null);
        }
    }

    /// <summary>
    /// Takes up to <paramref name="max"/> ready messages for a batch, oldest ready first. They are
    /// in flight until <see cref="SettleAsync"/> or <see cref="Release"/>. Bodies come from memory,
    /// or from disk when the cache was full: call off any event loop.
    /// </summary>
    public IReadOnlyList<DeliveredMessage> Lease(int max)
    {
        var taken = new List<Entry>(Math.Min(max, 128));
        lock (_gate)
        {
            Promote(Now);
            while (taken.Count < max && _ready.First is { } node)
            {
                var entry = node.Value;
                RemoveWaiting(entry);
                _inFlight[entry.Key] = entry;
                taken.Add(entry);
            }
        }
        if (taken.Count == 0) return [];
        Dictionary<long, byte[]>? read = null;
        if (taken.Any(e => e.Body is null))
        {
            read = ReadBodies(taken.Where(e => e.Body is null).Select(e => e.Key).ToList());
            var missing = taken.Where(e => e.Body is null && !read.ContainsKey(e.Key)).ToList();
            if (missing.Count > 0)
            {
                // Removed behind this process's back (flint queues purge): forget them.
                lock (_gate) foreach (var e in missing) _inFlight.Remove(e.Key);
                taken.RemoveAll(missing.Contains);
            }
        }
        return taken.Select(e => new DeliveredMessage(e.Key, e.Id, e.SentAt, e.ContentType, e.Body ?? read![e.Key], e.FailedAttempts + 1)).ToList();
    }

    private Dictionary<long, byte[]> ReadBodies(List<long> keys) => _db.Read(s =>
    {
        var found = new Dictionary<long, byte[]>();
        foreach (var group in keys.GroupBy(k => QueueSegment.Split(k).Seq))
        {
            var cmd = s.Command("SELECT messages FROM segments WHERE seq = $seq");
            cmd.Parameters.AddWithValue("$seq", group.Key);
            if (cmd.ExecuteScalar() is not byte[] blob) continue;
            var items = QueueSegment.Decode(blob);
            foreach (var key in group)
            {
                var index = QueueSegment.Split(key).Index;
                if (index < items.Count) found[key] = items[index].Body;
            }
        }
        return found;
    });

    /// <summary>Puts leased messages back, ready at once and ahead of the others, with no attempt counted (the consumer could not be reached).</summary>
    public void Release(IEnumerable<long> keys)
    {
        lock (_gate)
        {
            foreach (var key in keys.Reverse())
            {
                if (_inFlight.Remove(key, out var entry)) AddWaiting(entry, readyFirst: true);
            }
        }
        Changed?.Invoke(this);
    }

    /// <summary>
    /// Records how a batch went, durably: acknowledged and dropped messages are done, retried ones
    /// count a failed attempt and wait out their delay, dead-lettered ones stay in this log, marked,
    /// until <see cref="ForgetDeadLettersAsync"/> (after the dead-letter queue has them).
    /// </summary>
    public Task SettleAsync(IReadOnlyList<Settlement> settlements, CancellationToken cancellationToken = default)
    {
        if (settlements.Count == 0) return Task.CompletedTask;
        var now = Now;
        var op = new SettleOp(this);
        lock (_gate)
        {
            foreach (var st in settlements)
            {
                if (!_inFlight.TryGetValue(st.Seq, out var entry)) continue;
                switch (st.Kind)
                {
                    case SettlementKind.Retry:
                        op.Change(entry, StateRetried, entry.FailedAttempts + 1, now + st.DelaySeconds * 1000L, null);
                        op.Retries.Add((entry, now + st.DelaySeconds * 1000L));
                        break;
                    case SettlementKind.DeadLetter:
                        op.Change(entry, StateDead, entry.FailedAttempts + 1, null, st.DeadLetterQueue);
                        op.DeadLetters.Add((entry, st.DeadLetterQueue!));
                        break;
                    default:
                        op.Finish(entry);
                        break;
                }
                op.Settled.Add(entry);
            }
            // Planned under the gate and queued in the same order, so segment counts match the writes.
            return Enqueue(op, cancellationToken);
        }
    }

    /// <summary>Messages marked for a dead-letter queue that it may not have yet (the process stopped between the two steps).</summary>
    public IReadOnlyList<DeadLetter> PendingDeadLetters() =>
        _db.Read(ReadAll).Entries.Where(e => e.DeadLetterTo is not null)
            .Select(e => new DeadLetter(e.Key, e.Id, e.SentAt, e.ContentType, e.Body!, e.DeadLetterTo!)).ToList();

    /// <summary>Forgets dead-lettered messages once their dead-letter queue holds them.</summary>
    public Task ForgetDeadLettersAsync(IEnumerable<long> keys, CancellationToken cancellationToken = default)
    {
        var op = new SettleOp(this);
        lock (_gate)
        {
            foreach (var key in keys)
            {
                if (_dead.Remove(key, out var entry)) op.Finish(entry);
            }
            return Enqueue(op, cancellationToken);
        }
    }

    /// <summary>
    /// Takes in messages another queue dead-lettered, keeping their ids and send times (as
    /// Queues does) with their attempts starting over. A message already here (the move was
    /// interrupted and is being finished) is not added twice.
    /// </summary>
    public Task AcceptDeadLettersAsync(IReadOnlyList<DeadLetter> letters, CancellationToken cancellationToken = default)
    {
        if (letters.Count == 0) return Task.CompletedTask;
        var now = Now;
        var items = new List<QueueSegment.Item>();
        foreach (var l in letters)
            items.Add(new QueueSegment.Item(Convert.FromHexString(l.Id), l.ContentType, l.TimestampMs, now, l.Body));
        var tasks = items.Chunk(QueueLimits.MaxBatchMessages).Select(chunk => Enqueue(new InsertOp(this, chunk, deadLetters: true), cancellationToken));
        return Task.WhenAll(tasks);
    }

    // ---- inspecting and managing -------------------------------------------------------------

    /// <summary>The messages in the log, oldest first (in flight and dead-lettering ones too): for the CLI.</summary>
    public IReadOnlyList<StoredMessage> List(int limit)
    {
        var loaded = _db.Read(ReadAll);
        var list = new List<StoredMessage>();
        foreach (var e in loaded.Entries.OrderBy(e => e.Key))
        {
            if (list.Count >= limit) break;
            list.Add(new StoredMessage(e.Id, e.SentAt, e.ContentType, e.Body ?? [], e.FailedAttempts, e.Due, e.DeadLetterTo));
        }
        return list;
    }

    /// <summary>How many messages the log holds on disk, in flight ones included.</summary>
    public long Count() => _db.Read(s => (long)ReadAll(s).Entries.Count);

    /// <summary>Deletes every message. Returns how many there were.</summary>
    public async Task<int> PurgeAsync(CancellationToken cancellationToken = default)
    {
        var op = new PurgeOp(this, before: null);
        await Enqueue(op, cancellationToken).ConfigureAwait(false);
        return op.Deleted;
    }

    /// <summary>Changes the queue's own delivery delay and retention (null leaves one as it is).</summary>
    public async Task UpdateSettingsAsync(int? deliveryDelaySeconds, int? retentionSeconds, CancellationToken cancellationToken = default)
    {
        if (deliveryDelaySeconds is { } d) ValidateDelay(d);
        if (retentionSeconds is { } r && r is < QueueLimits.MinRetentionSeconds or > QueueLimits.MaxRetentionSeconds)
            throw new QueueException($"a message retention period of {r} seconds is invalid: it must be from {QueueLimits.MinRetentionSeconds} to {QueueLimits.MaxRetentionSeconds} (14 days)", QueueException.MetadataInvalid);
        await _db.WriteAsync(s =>
        {
            void Set(string name, int? value)
            {
                if (value is null) return;
                var cmd = s.Command("INSERT INTO settings VALUES ($name, $value) ON CONFLICT(name) DO UPDATE SET value = excluded.value");
                cmd.Parameters.AddWithValue("$name", name);
                cmd.Parameters.AddWithValue("$value", value.Value);
                cmd.ExecuteNonQuery();
            }
            Set("delivery_delay", deliveryDelaySeconds);
            Set("retention", retentionSeconds);
            return 0;
        }, cancellationToken).ConfigureAwait(false);
        Settings = ReadSettings();
    }

    private QueueSettings ReadSettings() => _db.Read(s =>
    {
        var values = new Dictionary<string, long>(StringComparer.Ordinal);
        using var reader = s.Command("SELECT name, value FROM settings").ExecuteReader();
        while (reader.Read()) values[reader.GetString(0)] = reader.GetInt64(1);
        return new QueueSettings((int)values.GetValueOrDefault("delivery_delay"),
            (int)values.GetValueOrDefault("retention", QueueLimits.DefaultRetentionSeconds), values.GetValueOrDefault("created"));
    });

    /// <summary>Deletes messages older than the queue's retention period, as Queues does. Returns how many.</summary>
    public async Task<int> ExpireAsync(CancellationToken cancellationToken = default)
    {
        var op = new PurgeOp(this, before: Now - Settings.RetentionSeconds * 1000L);
        await Enqueue(op, cancellationToken).ConfigureAwait(false);
        return op.Deleted;
    }

    /// <summary>
    /// Re-reads which messages wait when another process changed the file (the CLI purged it, a
    /// producer in another process sent): SQLite's data_version says so, cheaply.
    /// </summary>
    public Task RefreshAsync(CancellationToken cancellationToken = default) => Enqueue(new RefreshOp(this), cancellationToken);

    // ---- the in-memory index -------------------------------------------------------------------

    /// <summary>A segment as this process knows it: how many of its messages are not done yet.</summary>
    private sealed class Segment(long seq, int remaining)
    {
        public long Seq { get; } = seq;
        public int Remaining { get; set; } = remaining;
        /// <summary>Which of its messages are done, a bit each (segments.done).</summary>
        public byte[] Done { get; set; } = new byte[QueueSegment.MaxMessages / 8];
        /// <summary>Deleted (purged, expired): its messages in flight settle to nothing.</summary>
        public bool Gone { get; set; }
    }

    /// <summary>A message not done yet, as this process knows it (its body while the cache has room).</summary>
    private sealed class Entry(long key, Segment segment, string id, long sentAt, string contentType, int size, int failedAttempts, long due)
    {
        public long Key { get; } = key;
        public Segment Segment { get; set; } = segment;
        public int Index => (int)(Key % QueueSegment.MaxMessages);
        public string Id { get; } = id;
        public long SentAt { get; } = sentAt;
        public string ContentType { get; } = contentType;
        public int Size { get; } = size;
        public byte[]? Body { get; set; }
        public int FailedAttempts { get; set; } = failedAttempts;
        public long Due { get; set; } = due;
        public long ReadySince { get; set; }
        public string? DeadLetterTo { get; set; }
        public LinkedListNode<Entry>? Node { get; set; }
    }

    /// <summary>What the file holds: segments with their remaining counts, and the messages not done (dead-lettering ones marked).</summary>
    private sealed record Loaded(List<Segment> Segments, List<Entry> Entries, long HighestSeq);

    private static Loaded ReadAll(SqliteSession s)
    {
        var changes = new Dictionary<long, (int State, int Failed, long? Visible, string? DeadLetterTo)>();
        using (var reader = s.Command("SELECT seq, idx, state, failed_attempts, visible_at, dead_letter_to FROM changes").ExecuteReader())
        {
            while (reader.Read())
                changes[QueueSegment.Key(reader.GetInt64(0), reader.GetInt32(1))] =
                    (reader.GetInt32(2), reader.GetInt32(3), reader.IsDBNull(4) ? null : reader.GetInt64(4), reader.IsDBNull(5) ? null : reader.GetString(5));
        }
        var segments = new List<Segment>();
        var entries = new List<Entry>();
        long highest = 0, cached = 0;
        using (var reader = s.Command("SELECT seq, messages, done FROM segments ORDER BY seq").ExecuteReader())
        {
            while (reader.Read())
            {
                var seq = reader.GetInt64(0);
                highest = seq;
                var items = QueueSegment.Decode((byte[])reader.GetValue(1));
                var segment = new Segment(seq, 0);
                if (!reader.IsDBNull(2)) ((byte[])reader.GetValue(2)).AsSpan(0, Math.Min(16, ((byte[])reader.GetValue(2)).Length)).CopyTo(segment.Done);
                for (var i = 0; i < items.Count; i++)
                {
                    var key = QueueSegment.Key(seq, i);
                    var item = items[i];
                    if ((segment.Done[i / 8] & (1 << (i % 8))) != 0) continue;
                    var change = changes.GetValueOrDefault(key);
                    var entry = new Entry(key, segment, Convert.ToHexStringLower(item.Id), item.SentAt, item.ContentType, item.Body.Length,
                        change.Failed, change.State == StateRetried ? change.Visible!.Value : item.VisibleAt)
                    { DeadLetterTo = change.State == StateDead ? change.DeadLetterTo : null };
                    if (entry.DeadLetterTo is not null || cached + item.Body.Length <= CachedBodyBytes)
                    {
                        entry.Body = item.Body;
                        if (entry.DeadLetterTo is null) cached += item.Body.Length;
                    }
                    segment.Remaining++;
                    entries.Add(entry);
                }
                segments.Add(segment);
            }
        }
        var changed = s.Command("SELECT max(seq) FROM changes").ExecuteScalar() is long c ? c : 0;
        return new Loaded(segments, entries, Math.Max(highest, changed));
    }

    /// <summary>Takes in what the file holds (at open, or after another process changed it), keeping what is in flight here. Caller holds the gate.</summary>
    private void Apply(Loaded loaded)
    {
        _highestSeq = Math.Max(_highestSeq, loaded.HighestSeq);
        var present = new HashSet<long>(loaded.Segments.Select(s => s.Seq));
        foreach (var (seq, segment) in _segments.ToList())
        {
            if (present.Contains(seq)) continue;
            segment.Gone = true;
            _segments.Remove(seq);
        }
        // A segment this process already knows keeps its own count: only this process settles messages.
        foreach (var segment in loaded.Segments) _segments.TryAdd(segment.Seq, segment);
        var keys = new HashSet<long>(loaded.Entries.Select(e => e.Key));
        foreach (var e in _waiting.Values.ToList()) if (!keys.Contains(e.Key)) RemoveWaiting(e);
        foreach (var key in _dead.Keys.ToList()) if (!keys.Contains(key)) _dead.Remove(key);
        var now = Now;
        foreach (var e in loaded.Entries)
        {
            if (_inFlight.ContainsKey(e.Key) || _waiting.ContainsKey(e.Key) || _dead.ContainsKey(e.Key)) continue;
            e.Segment = _segments[e.Segment.Seq];
            if (e.DeadLetterTo is not null) { _dead[e.Key] = e; continue; }
            if (e.Body is not null && _cachedBytes + e.Size > CachedBodyBytes) e.Body = null;
            AddWaiting(e, now: now);
        }
    }

    /// <summary>
    /// Adds a waiting message: ready at once if its delay is over (ahead of the others when
    /// <paramref name="readyFirst"/>), else delayed until its due time. Caller holds the gate.
    /// </summary>
    private void AddWaiting(Entry e, bool readyFirst = false, long now = long.MinValue)
    {
        if (!_waiting.TryAdd(e.Key, e)) return;
        _backlogBytes += e.Size;
        _bySentAt.Add((e.SentAt, e.Key));
        if (e.Body is not null) _cachedBytes += e.Size;
        if (readyFirst) e.Node = _ready.AddFirst(e);
        else if (e.Due <= now)
        {
            e.ReadySince = e.Due;
            e.Node = _ready.AddLast(e);
        }
        else _delayed.Add((e.Due, e.Key));
    }

    private void RemoveWaiting(Entry e)
    {
        if (!_waiting.Remove(e.Key)) return;
        _backlogBytes -= e.Size;
        _bySentAt.Remove((e.SentAt, e.Key));
        if (e.Body is not null) _cachedBytes -= e.Size;
        if (e.Node is not null) { _ready.Remove(e.Node); e.Node = null; }
        else _delayed.Remove((e.Due, e.Key));
    }

    /// <summary>Keeps a body in memory if the cache has room. Caller holds the gate.</summary>
    private byte[]? CacheBody(byte[] body) => _cachedBytes + body.Length <= CachedBodyBytes ? body : null;

    /// <summary>Moves messages whose delay is over to the ready list. Caller holds the gate.</summary>
    private void Promote(long now)
    {
        while (_delayed.Count > 0 && _delayed.Min.Due <= now)
        {
            var (due, key) = _delayed.Min;
            _delayed.Remove(_delayed.Min);
            var entry = _waiting[key];
            entry.ReadySince = due;
            entry.Node = _ready.AddLast(entry);
        }
    }

    // ---- the writer ----------------------------------------------------------------------------

    private Task Enqueue(WriteOp op, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_writes.Writer.TryWrite(op)) throw new ObjectDisposedException(nameof(QueueLog));
        return op.Done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Commits whatever operations are waiting in one transaction, then applies them to the index.</summary>
    private async Task WriteLoopAsync()
    {
        var reader = _writes.Reader;
        var batch = new List<WriteOp>();
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < 512 && reader.TryRead(out var op)) batch.Add(op);
            try
            {
                await _db.WriteAsync(s => { var tx = new Transaction(this, s); foreach (var op in batch) op.Apply(tx); return 0; }).ConfigureAwait(false);
                Committed(batch);
            }
            catch (Exception) when (batch.Count > 1 && !_disposed)
            {
                // One operation failed and rolled back the others: commit each on its own.
                foreach (var op in batch)
                {
                    try
                    {
                        await _db.WriteAsync(s => { op.Apply(new Transaction(this, s)); return 0; }).ConfigureAwait(false);
                        Committed([op]);
                    }
                    catch (Exception ex) { op.Done.TrySetException(ex); }
                }
            }
            catch (Exception ex)
            {
                foreach (var op in batch) op.Done.TrySetException(ex);
            }
        }
    }

    private void Committed(List<WriteOp> ops)
    {
        var changed = false;
        lock (_gate) foreach (var op in ops) changed |= op.Commit();
        foreach (var op in ops) op.Done.TrySetResult();
        if (changed) Changed?.Invoke(this);
    }

    /// <summary>One transaction of the writer: its session, and the seqs it hands out (the file's highest read once).</summary>
    private sealed class Transaction(QueueLog log, SqliteSession session)
    {
        private long _next;
        public SqliteSession Session { get; } = session;

        public long NextSeq()
        {
            if (_next == 0)
            {
                var highest = Session.Command("SELECT max(coalesce((SELECT max(seq) FROM segments), 0), coalesce((SELECT max(seq) FROM changes), 0))").ExecuteScalar() is long max ? max : 0;
                _next = Math.Max(highest, Volatile.Read(ref log._highestSeq)) + 1;
            }
            return _next++;
        }
    }

    /// <param name="inlineContinuations">
    /// Whoever awaits the op continues on the writer's thread: for a producer's send, whose
    /// continuation only hands the answer back to its isolate, one thread hand-off fewer per send.
    /// </param>
    private abstract class WriteOp(QueueLog log, bool inlineContinuations = false)
    {
        protected QueueLog Log { get; } = log;
        public TaskCompletionSource Done { get; } = new(inlineContinuations ? TaskCreationOptions.None : TaskCreationOptions.RunContinuationsAsynchronously);
        /// <summary>Runs inside the writer's transaction; may run again if the transaction is retried, so it changes nothing in memory.</summary>
        public abstract void Apply(Transaction tx);
        /// <summary>After the commit, under the gate: updates the index; true when delivery may be affected.</summary>
        public abstract bool Commit();
    }

    private sealed class InsertOp(QueueLog log, IReadOnlyList<QueueSegment.Item> items, bool deadLetters) : WriteOp(log, inlineContinuations: !deadLetters)
    {
        private long _seq;
        private List<int> _accepted = [];

        public override void Apply(Transaction tx)
        {
            var s = tx.Session;
            _accepted = [];
            var kept = new List<QueueSegment.Item>(items.Count);
            for (var i = 0; i < items.Count; i++)
            {
                if (deadLetters)
                {
                    var id = s.Command("INSERT OR IGNORE INTO dead_letter_ids VALUES ($id)");
                    id.Parameters.AddWithValue("$id", items[i].Id);
                    if (id.ExecuteNonQuery() == 0) continue; // already taken in
                }
                _accepted.Add(i);
                kept.Add(items[i]);
            }
            if (kept.Count == 0) return;
            _seq = tx.NextSeq();
            var cmd = s.Command("INSERT INTO segments (seq, sent_at, count, messages) VALUES ($seq, $sent, $count, $messages)");
            cmd.Parameters.AddWithValue("$seq", _seq);
            cmd.Parameters.AddWithValue("$sent", kept.Min(k => k.SentAt));
            cmd.Parameters.AddWithValue("$count", kept.Count);
            cmd.Parameters.AddWithValue("$messages", QueueSegment.Encode(kept));
            cmd.ExecuteNonQuery();
        }

        public override bool Commit()
        {
            if (_accepted.Count == 0) return false;
            Log._highestSeq = Math.Max(Log._highestSeq, _seq);
            var segment = new Segment(_seq, _accepted.Count);
            Log._segments[_seq] = segment;
            var now = Log.Now;
            for (var i = 0; i < _accepted.Count; i++)
            {
                var item = items[_accepted[i]];
                var entry = new Entry(QueueSegment.Key(_seq, i), segment, Convert.ToHexStringLower(item.Id), item.SentAt, item.ContentType, item.Body.Length, 0, item.VisibleAt)
                { Body = Log.CacheBody(item.Body) };
                Log.AddWaiting(entry, now: now);
            }
            return true;
        }
    }

    /// <summary>Settlements planned under the gate: change rows to write, segments to delete, and the index updates after the commit.</summary>
    private sealed class SettleOp(QueueLog log) : WriteOp(log)
    {
        private readonly StringBuilder _changes = new("[");
        private readonly List<long> _deleted = [];
        // Segments with messages newly done but others left: their done bits as of this settlement.
        private readonly Dictionary<long, byte[]> _done = [];
        public List<Entry> Settled { get; } = [];
        public List<(Entry Entry, long Due)> Retries { get; } = [];
        public List<(Entry Entry, string Queue)> DeadLetters { get; } = [];

        public void Change(Entry e, int state, int failed, long? visible, string? deadLetterTo)
        {
            if (e.Segment.Gone) return;
            if (_changes.Length > 1) _changes.Append(',');
            _changes.Append('[').Append(e.Segment.Seq).Append(',').Append(e.Index).Append(',').Append(state).Append(',').Append(failed).Append(',')
                .Append(visible is { } v ? v.ToString() : "null").Append(',')
                .Append(deadLetterTo is null ? "null" : System.Text.Json.JsonSerializer.Serialize(deadLetterTo)).Append(']');
        }

        /// <summary>A message is done: its segment goes once none of its messages is left.</summary>
        public void Finish(Entry e)
        {
            var segment = e.Segment;
            if (segment.Gone) return;
            segment.Done[e.Index / 8] |= (byte)(1 << (e.Index % 8));
            if (--segment.Remaining == 0)
            {
                _deleted.Add(segment.Seq);
                _done.Remove(segment.Seq);
                segment.Gone = true;
                Log._segments.Remove(segment.Seq);
            }
            else _done[segment.Seq] = (byte[])segment.Done.Clone();
        }

        public override void Apply(Transaction tx)
        {
            var s = tx.Session;
            if (_changes.Length > 1)
            {
                var cmd = s.Command("INSERT OR REPLACE INTO changes SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5 FROM json_each($rows)");
                cmd.Parameters.AddWithValue("$rows", _changes.ToString() + "]");
                cmd.ExecuteNonQuery();
            }
            foreach (var (seq, done) in _done)
            {
                var cmd = s.Command("UPDATE segments SET done = $done WHERE seq = $seq");
                cmd.Parameters.AddWithValue("$done", done);
                cmd.Parameters.AddWithValue("$seq", seq);
                cmd.ExecuteNonQuery();
            }
            if (_deleted.Count > 0)
            {
                var seqs = "[" + string.Join(',', _deleted) + "]";
                var segments = s.Command("DELETE FROM segments WHERE seq IN (SELECT value FROM json_each($seqs))");
                segments.Parameters.AddWithValue("$seqs", seqs);
                segments.ExecuteNonQuery();
                var changes = s.Command("DELETE FROM changes WHERE seq IN (SELECT value FROM json_each($seqs))");
                changes.Parameters.AddWithValue("$seqs", seqs);
                changes.ExecuteNonQuery();
            }
        }

        public override bool Commit()
        {
            foreach (var e in Settled) Log._inFlight.Remove(e.Key);
            foreach (var (e, queue) in DeadLetters)
            {
                if (e.Segment.Gone) continue;
                e.DeadLetterTo = queue;
                Log._dead[e.Key] = e;
            }
            var now = Log.Now;
            foreach (var (e, due) in Retries)
            {
                if (e.Segment.Gone) continue;
                e.Due = due;
                e.FailedAttempts++;
                if (e.Body is not null && Log.CacheBody(e.Body) is null) e.Body = null;
                Log.AddWaiting(e, now: now);
            }
            return Retries.Count > 0;
        }
    }

    /// <summary>Deletes every segment (purge), or those sent before a time (retention).</summary>
    private sealed class PurgeOp(QueueLog log, long? before) : WriteOp(log)
    {
        private List<long> _seqs = [];
        public int Deleted { get; private set; }

        public override void Apply(Transaction tx)
        {
            var s = tx.Session;
            var where = before is null ? "" : "WHERE sent_at < $before";
            _seqs = [];
            Deleted = 0;
            var cmd = s.Command($"DELETE FROM segments {where} RETURNING seq, count, done");
            if (before is { } b) cmd.Parameters.AddWithValue("$before", b);
            using (var reader = cmd.ExecuteReader())
            {
                while (reader.Read())
                {
                    _seqs.Add(reader.GetInt64(0));
                    var done = reader.IsDBNull(2) ? [] : (byte[])reader.GetValue(2);
                    Deleted += reader.GetInt32(1) - done.Sum(b => System.Numerics.BitOperations.PopCount(b));
                }
            }
            var changes = s.Command("DELETE FROM changes WHERE seq IN (SELECT value FROM json_each($seqs))");
            changes.Parameters.AddWithValue("$seqs", "[" + string.Join(',', _seqs) + "]");
            changes.ExecuteNonQuery();
        }

        public override bool Commit()
        {
            var gone = new HashSet<long>(_seqs);
            foreach (var seq in _seqs)
            {
                if (Log._segments.Remove(seq, out var segment)) segment.Gone = true;
            }
            foreach (var e in Log._waiting.Values.ToList()) if (gone.Contains(e.Segment.Seq)) Log.RemoveWaiting(e);
            foreach (var e in Log._dead.Values.ToList()) if (gone.Contains(e.Segment.Seq)) Log._dead.Remove(e.Key);
            return true;
        }
    }

    private sealed class RefreshOp(QueueLog log) : WriteOp(log)
    {
        private Loaded? _loaded;
        private long _version;

        public override void Apply(Transaction tx)
        {
            // data_version changes only when another connection (another process) committed.
            _version = (long)tx.Session.Command("PRAGMA data_version").ExecuteScalar()!;
            _loaded = _version == Volatile.Read(ref Log._dataVersion) ? null : ReadAll(tx.Session);
        }

        public override bool Commit()
        {
            Log._dataVersion = _version;
            if (_loaded is null) return false;
            Log.Apply(_loaded);
            return true;
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _writes.Writer.TryComplete();
        // Waits for a commit in progress; operations still queued then fail as disposed.
        _db.Dispose();
    }
}
