using System.Security.Cryptography;
using System.Threading.Channels;
using Flint.Engine.Storage;
using Microsoft.Data.Sqlite;

namespace Flint.Engine.Queues;

/// <summary>
/// One queue's durable log: a SQLite file holding every message not yet acknowledged, with its
/// send time, its failed attempts and when it may next be delivered. A send returns once its
/// messages are committed (fsync'd); an acknowledgement deletes them, so an acknowledged message
/// is never delivered again; delays are absolute times, so they survive restarts.
/// <para>
/// Writes from every producer and consumer go through one writer that commits whatever is waiting
/// in a single transaction (group commit), so concurrent sends and acknowledgements share one fsync.
/// Which messages are in flight is kept in memory only: after a crash, the messages of the batches
/// that were running are simply waiting again, and are delivered again (at least once).
/// </para>
/// </summary>
public sealed class QueueLog : IDisposable
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS messages (
          seq INTEGER PRIMARY KEY AUTOINCREMENT,
          id TEXT NOT NULL UNIQUE,
          sent_at INTEGER NOT NULL,
          content_type TEXT NOT NULL,
          body BLOB NOT NULL,
          failed_attempts INTEGER NOT NULL DEFAULT 0,
          visible_at INTEGER NOT NULL,
          dead_letter_to TEXT
        );
        CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
        INSERT OR IGNORE INTO settings VALUES ('created', CAST(unixepoch('subsec') * 1000 AS INTEGER));
        """;

    private const string SelectColumns = "seq, id, sent_at, content_type, body, failed_attempts";

    private readonly SqliteDatabase _db;
    private readonly TimeProvider _time;
    private readonly object _gate = new();
    // Messages waiting for delivery (delayed or ready), by seq; what is in flight is apart.
    private readonly Dictionary<long, Entry> _waiting = new();
    private readonly SortedSet<(long Due, long Seq)> _delayed = new();
    private readonly LinkedList<Entry> _ready = new();
    private readonly SortedSet<(long SentAt, long Seq)> _bySentAt = new();
    private readonly Dictionary<long, Entry> _inFlight = new();
    private long _backlogBytes;
    private readonly Channel<WriteOp> _writes = Channel.CreateUnbounded<WriteOp>(new UnboundedChannelOptions { SingleReader = true });
    private long _dataVersion;
    private volatile bool _disposed;

    private QueueLog(string name, string path, SqliteDatabase db, TimeProvider time)
    {
        Name = name;
        Path = path;
        _db = db;
        _time = time;
        Settings = ReadSettings();
        Load();
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
        var rows = new NewRow[messages.Count];
        for (var i = 0; i < messages.Count; i++)
        {
            var m = messages[i];
            var delay = m.DelaySeconds ?? delaySeconds ?? Settings.DeliveryDelaySeconds;
            rows[i] = new NewRow(NewId(), now, m.ContentType, m.Body, 0, now + delay * 1000L);
        }
        var metrics = Metrics();
        await Enqueue(new InsertOp(this, rows), cancellationToken).ConfigureAwait(false);
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

    private static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

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
    /// in flight until <see cref="SettleAsync"/> or <see cref="Release"/>. Reads from disk: call
    /// off any event loop.
    /// </summary>
    public IReadOnlyList<DeliveredMessage> Lease(int max)
    {
        var taken = new List<long>(max);
        lock (_gate)
        {
            Promote(Now);
            while (taken.Count < max && _ready.First is { } node)
            {
                var entry = node.Value;
                _ready.RemoveFirst();
                entry.Node = null;
                RemoveWaiting(entry);
                _inFlight[entry.Seq] = entry;
                taken.Add(entry.Seq);
            }
        }
        if (taken.Count == 0) return [];
        var rows = ReadRows(taken);
        if (rows.Count < taken.Count)
        {
            // Removed behind this process's back (flint queues purge): forget them.
            var found = rows.Select(r => r.Seq).ToHashSet();
            lock (_gate) foreach (var seq in taken) if (!found.Contains(seq)) _inFlight.Remove(seq);
        }
        return rows;
    }

    private List<DeliveredMessage> ReadRows(List<long> seqs)
    {
        var json = "[" + string.Join(',', seqs) + "]";
        var bySeq = _db.Read(s =>
        {
            var cmd = s.Command($"SELECT {SelectColumns} FROM messages WHERE seq IN (SELECT value FROM json_each($seqs)) AND dead_letter_to IS NULL");
            cmd.Parameters.AddWithValue("$seqs", json);
            using var reader = cmd.ExecuteReader();
            var found = new Dictionary<long, DeliveredMessage>();
            while (reader.Read())
            {
                var seq = reader.GetInt64(0);
                found[seq] = new DeliveredMessage(seq, reader.GetString(1), reader.GetInt64(2), reader.GetString(3),
                    (byte[])reader.GetValue(4), reader.GetInt32(5) + 1);
            }
            return found;
        });
        var list = new List<DeliveredMessage>(bySeq.Count);
        foreach (var seq in seqs) if (bySeq.TryGetValue(seq, out var m)) list.Add(m);
        return list;
    }

    /// <summary>Puts leased messages back, ready at once and ahead of the others, with no attempt counted (the consumer could not be reached).</summary>
    public void Release(IEnumerable<long> seqs)
    {
        lock (_gate)
        {
            foreach (var seq in seqs.Reverse())
            {
                if (_inFlight.Remove(seq, out var entry)) AddWaiting(entry, readyFirst: true);
            }
        }
        Changed?.Invoke(this);
    }

    /// <summary>
    /// Records how a batch went, durably: acknowledged and dropped messages are deleted, retried
    /// ones count a failed attempt and wait out their delay, dead-lettered ones stay in this log,
    /// marked, until <see cref="ForgetDeadLettersAsync"/> (after the dead-letter queue has them).
    /// </summary>
    public Task SettleAsync(IReadOnlyList<Settlement> settlements, CancellationToken cancellationToken = default) =>
        settlements.Count == 0 ? Task.CompletedTask : Enqueue(new SettleOp(this, settlements, Now), cancellationToken);

    /// <summary>Messages marked for a dead-letter queue that it may not have yet (the process stopped between the two steps).</summary>
    public IReadOnlyList<DeadLetter> PendingDeadLetters() => _db.Read(s =>
    {
        using var reader = s.Command("SELECT seq, id, sent_at, content_type, body, dead_letter_to FROM messages WHERE dead_letter_to IS NOT NULL ORDER BY seq").ExecuteReader();
        var list = new List<DeadLetter>();
        while (reader.Read())
            list.Add(new DeadLetter(reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3), (byte[])reader.GetValue(4), reader.GetString(5)));
        return list;
    });

    /// <summary>Deletes dead-lettered messages once their dead-letter queue holds them.</summary>
    public Task ForgetDeadLettersAsync(IEnumerable<long> seqs, CancellationToken cancellationToken = default) =>
        Enqueue(new SettleOp(this, seqs.Select(s => new Settlement(s, SettlementKind.Ack)).ToList(), Now), cancellationToken);

    /// <summary>
    /// Takes in messages another queue dead-lettered, keeping their ids and send times (as
    /// Queues does) with their attempts starting over. A message already here (the move was
    /// interrupted and is being finished) is not added twice.
    /// </summary>
    public Task AcceptDeadLettersAsync(IReadOnlyList<DeadLetter> letters, CancellationToken cancellationToken = default)
    {
        if (letters.Count == 0) return Task.CompletedTask;
        var now = Now;
        var rows = letters.Select(l => new NewRow(l.Id, l.TimestampMs, l.ContentType, l.Body, 0, now)).ToArray();
        return Enqueue(new InsertOp(this, rows, ignoreExisting: true), cancellationToken);
    }

    // ---- inspecting and managing -------------------------------------------------------------

    /// <summary>The messages in the log, oldest first (in flight and dead-lettering ones too): for the CLI.</summary>
    public IReadOnlyList<StoredMessage> List(int limit) => _db.Read(s =>
    {
        var cmd = s.Command("SELECT id, sent_at, content_type, body, failed_attempts, visible_at, dead_letter_to FROM messages ORDER BY seq LIMIT $limit");
        cmd.Parameters.AddWithValue("$limit", limit);
        using var reader = cmd.ExecuteReader();
        var list = new List<StoredMessage>();
        while (reader.Read())
        {
            list.Add(new StoredMessage(reader.GetString(0), reader.GetInt64(1), reader.GetString(2), (byte[])reader.GetValue(3),
                reader.GetInt32(4), reader.GetInt64(5), reader.IsDBNull(6) ? null : reader.GetString(6)));
        }
        return list;
    });

    /// <summary>How many messages the log holds on disk, in flight ones included.</summary>
    public long Count() => _db.Read(s => (long)s.Command("SELECT count(*) FROM messages").ExecuteScalar()!);

    /// <summary>Deletes every message. Returns how many there were.</summary>
    public async Task<int> PurgeAsync(CancellationToken cancellationToken = default)
    {
        var op = new PurgeOp(this);
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
        var op = new ExpireOp(this, Now - Settings.RetentionSeconds * 1000L);
        await Enqueue(op, cancellationToken).ConfigureAwait(false);
        return op.Deleted;
    }

    /// <summary>
    /// Re-reads which messages wait when another process changed the file (the CLI purged it, a
    /// producer in another process sent): SQLite's data_version says so, cheaply.
    /// </summary>
    public Task RefreshAsync(CancellationToken cancellationToken = default) => Enqueue(new RefreshOp(this), cancellationToken);

    // ---- the in-memory index -------------------------------------------------------------------

    private sealed class Entry(long seq, long sentAt, int size, long due)
    {
        public long Seq { get; } = seq;
        public long SentAt { get; } = sentAt;
        public int Size { get; } = size;
        public long Due { get; set; } = due;
        public long ReadySince { get; set; }
        public LinkedListNode<Entry>? Node { get; set; }
    }

    private void Load()
    {
        var entries = LoadEntries();
        lock (_gate) foreach (var e in entries) AddWaiting(e);
    }

    private List<Entry> LoadEntries() => _db.Read(s =>
    {
        using var reader = s.Command("SELECT seq, sent_at, length(body), visible_at FROM messages WHERE dead_letter_to IS NULL ORDER BY seq").ExecuteReader();
        var list = new List<Entry>();
        while (reader.Read()) list.Add(new Entry(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt32(2), reader.GetInt64(3)));
        return list;
    });

    /// <summary>Adds a waiting message: delayed until its due time, or ready at once ahead of the others. Caller holds the gate.</summary>
    private void AddWaiting(Entry e, bool readyFirst = false)
    {
        if (!_waiting.TryAdd(e.Seq, e)) return;
        _backlogBytes += e.Size;
        _bySentAt.Add((e.SentAt, e.Seq));
        if (readyFirst) e.Node = _ready.AddFirst(e);
        else _delayed.Add((e.Due, e.Seq));
    }

    private void RemoveWaiting(Entry e)
    {
        if (!_waiting.Remove(e.Seq)) return;
        _backlogBytes -= e.Size;
        _bySentAt.Remove((e.SentAt, e.Seq));
        if (e.Node is not null) { _ready.Remove(e.Node); e.Node = null; }
        else _delayed.Remove((e.Due, e.Seq));
    }

    /// <summary>Moves messages whose delay is over to the ready list. Caller holds the gate.</summary>
    private void Promote(long now)
    {
        while (_delayed.Count > 0 && _delayed.Min.Due <= now)
        {
            var (due, seq) = _delayed.Min;
            _delayed.Remove(_delayed.Min);
            var entry = _waiting[seq];
            entry.ReadySince = due;
            entry.Node = _ready.AddLast(entry);
        }
    }

    // ---- the writer ----------------------------------------------------------------------------

    private async Task Enqueue(WriteOp op, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_writes.Writer.TryWrite(op)) throw new ObjectDisposedException(nameof(QueueLog));
        await op.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
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
                await _db.WriteAsync(s => { foreach (var op in batch) op.Apply(s); return 0; }).ConfigureAwait(false);
                Committed(batch);
            }
            catch (Exception) when (batch.Count > 1 && !_disposed)
            {
                // One operation failed and rolled back the others: commit each on its own.
                foreach (var op in batch)
                {
                    try
                    {
                        await _db.WriteAsync(s => { op.Apply(s); return 0; }).ConfigureAwait(false);
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

    private abstract class WriteOp(QueueLog log)
    {
        protected QueueLog Log { get; } = log;
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        /// <summary>Runs inside the writer's transaction; may run again if the transaction is retried.</summary>
        public abstract void Apply(SqliteSession s);
        /// <summary>After the commit, under the gate: updates the index; true when delivery may be affected.</summary>
        public abstract bool Commit();
    }

    private sealed record NewRow(string Id, long SentAt, string ContentType, ReadOnlyMemory<byte> Body, int FailedAttempts, long VisibleAt);

    private sealed class InsertOp(QueueLog log, NewRow[] rows, bool ignoreExisting = false) : WriteOp(log)
    {
        private readonly long[] _seqs = new long[rows.Length];

        public override void Apply(SqliteSession s)
        {
            var cmd = s.Command(ignoreExisting
                ? "INSERT OR IGNORE INTO messages (id, sent_at, content_type, body, failed_attempts, visible_at) VALUES ($id, $sent, $type, $body, $failed, $visible) RETURNING seq"
                : "INSERT INTO messages (id, sent_at, content_type, body, failed_attempts, visible_at) VALUES ($id, $sent, $type, $body, $failed, $visible) RETURNING seq");
            var id = cmd.Parameters.Add("$id", SqliteType.Text);
            var sent = cmd.Parameters.Add("$sent", SqliteType.Integer);
            var type = cmd.Parameters.Add("$type", SqliteType.Text);
            var body = cmd.Parameters.Add("$body", SqliteType.Blob);
            var failed = cmd.Parameters.Add("$failed", SqliteType.Integer);
            var visible = cmd.Parameters.Add("$visible", SqliteType.Integer);
            for (var i = 0; i < rows.Length; i++)
            {
                var r = rows[i];
                id.Value = r.Id;
                sent.Value = r.SentAt;
                type.Value = r.ContentType;
                body.Value = r.Body.ToArray();
                failed.Value = r.FailedAttempts;
                visible.Value = r.VisibleAt;
                _seqs[i] = cmd.ExecuteScalar() is long seq ? seq : 0; // 0: already there
            }
        }

        public override bool Commit()
        {
            for (var i = 0; i < rows.Length; i++)
            {
                if (_seqs[i] == 0) continue;
                Log.AddWaiting(new Entry(_seqs[i], rows[i].SentAt, rows[i].Body.Length, rows[i].VisibleAt));
            }
            return true;
        }
    }

    private sealed class SettleOp(QueueLog log, IReadOnlyList<Settlement> settlements, long now) : WriteOp(log)
    {
        public override void Apply(SqliteSession s)
        {
            foreach (var st in settlements)
            {
                SqliteCommand cmd;
                switch (st.Kind)
                {
                    case SettlementKind.Retry:
                        cmd = s.Command("UPDATE messages SET failed_attempts = failed_attempts + 1, visible_at = $visible WHERE seq = $seq");
                        cmd.Parameters.AddWithValue("$visible", now + st.DelaySeconds * 1000L);
                        break;
                    case SettlementKind.DeadLetter:
                        cmd = s.Command("UPDATE messages SET failed_attempts = failed_attempts + 1, dead_letter_to = $queue WHERE seq = $seq");
                        cmd.Parameters.AddWithValue("$queue", st.DeadLetterQueue);
                        break;
                    default:
                        cmd = s.Command("DELETE FROM messages WHERE seq = $seq");
                        break;
                }
                cmd.Parameters.AddWithValue("$seq", st.Seq);
                cmd.ExecuteNonQuery();
            }
        }

        public override bool Commit()
        {
            var changed = false;
            foreach (var st in settlements)
            {
                if (!Log._inFlight.Remove(st.Seq, out var entry) || st.Kind != SettlementKind.Retry) continue;
                entry.Due = now + st.DelaySeconds * 1000L;
                Log.AddWaiting(entry);
                changed = true;
            }
            return changed;
        }
    }

    private sealed class PurgeOp(QueueLog log) : WriteOp(log)
    {
        public int Deleted { get; private set; }

        public override void Apply(SqliteSession s) => Deleted = s.Command("DELETE FROM messages").ExecuteNonQuery();

        public override bool Commit()
        {
            foreach (var e in Log._waiting.Values.ToList()) Log.RemoveWaiting(e);
            return true;
        }
    }

    private sealed class ExpireOp(QueueLog log, long before) : WriteOp(log)
    {
        private readonly List<long> _deleted = [];
        public int Deleted => _deleted.Count;

        public override void Apply(SqliteSession s)
        {
            _deleted.Clear();
            var cmd = s.Command("DELETE FROM messages WHERE sent_at < $before AND dead_letter_to IS NULL RETURNING seq");
            cmd.Parameters.AddWithValue("$before", before);
            using var reader = cmd.ExecuteReader();
            while (reader.Read()) _deleted.Add(reader.GetInt64(0));
        }

        public override bool Commit()
        {
            foreach (var seq in _deleted) if (Log._waiting.TryGetValue(seq, out var e)) Log.RemoveWaiting(e);
            return false;
        }
    }

    private sealed class RefreshOp(QueueLog log) : WriteOp(log)
    {
        private List<Entry>? _entries;

        public override void Apply(SqliteSession s)
        {
            // data_version changes only when another connection (another process) committed.
            var version = (long)s.Command("PRAGMA data_version").ExecuteScalar()!;
            if (version == Log._dataVersion) { _entries = null; return; }
            Log._dataVersion = version;
            _entries = [];
            using var reader = s.Command("SELECT seq, sent_at, length(body), visible_at FROM messages WHERE dead_letter_to IS NULL").ExecuteReader();
            while (reader.Read()) _entries.Add(new Entry(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt32(2), reader.GetInt64(3)));
        }

        public override bool Commit()
        {
            if (_entries is null) return false;
            var present = _entries.Select(e => e.Seq).ToHashSet();
            foreach (var e in Log._waiting.Values.ToList()) if (!present.Contains(e.Seq)) Log.RemoveWaiting(e);
            foreach (var e in _entries) if (!Log._inFlight.ContainsKey(e.Seq) && !Log._waiting.ContainsKey(e.Seq)) Log.AddWaiting(e);
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
