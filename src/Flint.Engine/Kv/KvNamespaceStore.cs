using System.Buffers;
using System.Text;
using Flint.Engine.Storage;
using Microsoft.Data.Sqlite;

namespace Flint.Engine.Kv;

/// <summary>
/// One KV namespace on disk: keys, metadata and small values in SQLite (ordered by the key's
/// UTF-8 bytes, as KV lists them), values over <see cref="InlineLimit"/> in a blob store,
/// streamed in and out. Expired keys are invisible at once and reclaimed on read, on list and by
/// <see cref="DeleteExpiredAsync"/>. A put or delete that returned is on disk.
/// </summary>
public sealed class KvNamespaceStore : IDisposable
{
    /// <summary>Values up to this size live in the database row; larger ones in a blob file.</summary>
    public const int InlineLimit = 64 * 1024;

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS kv (
          key TEXT PRIMARY KEY,
          value BLOB,
          blob_id TEXT,
          length INTEGER NOT NULL,
          expiration_ms INTEGER,
          metadata TEXT
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS kv_expiration ON kv(expiration_ms) WHERE expiration_ms IS NOT NULL;
        """;

    private readonly SqliteDatabase _db;
    private readonly BlobStore _blobs;
    private readonly StoreLock _storeLock;
    private readonly TimeProvider _time;

    private KvNamespaceStore(string directory, SqliteDatabase db, BlobStore blobs, StoreLock storeLock, TimeProvider time)
    {
        Directory = directory;
        _db = db;
        _blobs = blobs;
        _storeLock = storeLock;
        _time = time;
    }

    public string Directory { get; }

    /// <summary>
    /// Opens (creating) the namespace stored in <paramref name="directory"/>. Other processes may have
    /// it open at the same time (flint dev and the flint kv CLI on one data directory): blobs a
    /// crash left unreferenced are removed only by a process that opens it alone (<see cref="StoreLock"/>).
    /// </summary>
    public static KvNamespaceStore Open(string directory, TimeProvider? time = null)
    {
        var db = SqliteDatabase.Open(Path.Combine(directory, "kv.sqlite"), Schema);
        try
        {
            var blobs = new BlobStore(Path.Combine(directory, "blobs"));
            var storeLock = StoreLock.Acquire(Path.Combine(directory, "store.lock"), () => blobs.DeleteUnreferenced(ReferencedBlobs(db)));
            return new KvNamespaceStore(directory, db, blobs, storeLock, time ?? TimeProvider.System);
        }
        catch
        {
            db.Dispose();
            throw;
        }
    }

    private static HashSet<string> ReferencedBlobs(SqliteDatabase db) => db.Read(s =>
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        using var reader = s.Command("SELECT blob_id FROM kv WHERE blob_id IS NOT NULL").ExecuteReader();
        while (reader.Read()) ids.Add(reader.GetString(0));
        return ids;
    });

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    // ---- validation, with KV's messages -----------------------------------------------------

    public static void ValidateKey(string key)
    {
        if (key.Length == 0) throw new KvException(400, "Key names must not be empty");
        if (key is "." or "..") throw new KvException(400, $"Illegal key name \"{key}\". Please use a different name.");
        // A lone surrogate has no UTF-8 form: KV cannot decode such a key (and SQLite would store U+FFFD).
        if (!IsWellFormed(key)) throw new KvException(400, "Could not URL-decode key name");
        ValidateKeyLength(key);
    }

    /// <summary>True when <paramref name="s"/> has no lone surrogate.</summary>
    public static bool IsWellFormed(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) i++;
            else if (char.IsSurrogate(s[i])) return false;
        }
        return true;
    }

    private static void ValidateKeyLength(string key)
    {
        var length = Encoding.UTF8.GetByteCount(key);
        if (length > KvLimits.MaxKeyBytes)
            throw new KvException(414, $"UTF-8 encoded length of {length} exceeds key length limit of {KvLimits.MaxKeyBytes}.");
    }

    /// <summary>
    /// Throws KV's error for a put whose metadata or value was too long to be sent (the JavaScript
    /// face sends only their lengths), after KV's earlier checks of key and expiration.
    /// </summary>
    public void RefuseOversizedPut(string key, KvPutOptions options, long? metadataBytes, long? valueBytes)
    {
        ValidatePut(key, options);
        if (metadataBytes > KvLimits.MaxMetadataBytes)
            throw new KvException(413, $"Metadata length of {metadataBytes} exceeds limit of {KvLimits.MaxMetadataBytes}.");
        if (valueBytes > KvLimits.MaxValueBytes)
            throw new KvException(413, $"Value length of {valueBytes} exceeds limit of {KvLimits.MaxValueBytes}.");
        throw new ArgumentException("RefuseOversizedPut needs a metadata or value length over KV's limit.");
    }

    /// <summary>The absolute expiration in seconds a put's options ask for, after KV's checks.</summary>
    private long? ValidatePut(string key, KvPutOptions options)
    {
        ValidateKey(key);
        var now = NowMs / 1000;
        long? expiration = null;
        if (options.ExpirationTtl is { } ttl)
        {
            if (ttl <= 0) throw new KvException(400, $"Invalid expiration_ttl of {ttl}. Please specify integer greater than 0.");
            if (ttl < KvLimits.MinExpirationTtlSeconds)
                throw new KvException(400, $"Invalid expiration_ttl of {ttl}. Expiration TTL must be at least {KvLimits.MinExpirationTtlSeconds}.");
            expiration = now + ttl;
        }
        else if (options.Expiration is { } at)
        {
            if (at <= now)
                throw new KvException(400, $"Invalid expiration of {at}. Please specify integer greater than the current number of seconds since the UNIX epoch.");
            if (at < now + KvLimits.MinExpirationTtlSeconds)
                throw new KvException(400, $"Invalid expiration of {at}. Expiration times must be at least {KvLimits.MinExpirationTtlSeconds} seconds in the future.");
            expiration = at;
        }
        if (options.MetadataJson is { } metadata)
        {
            var length = Encoding.UTF8.GetByteCount(metadata);
            if (length > KvLimits.MaxMetadataBytes)
                throw new KvException(413, $"Metadata length of {length} exceeds limit of {KvLimits.MaxMetadataBytes}.");
        }
        return expiration;
    }

    // ---- reads --------------------------------------------------------------------------------

    /// <summary>The value of <paramref name="key"/>, or null when it is absent or expired. Dispose the result.</summary>
    public KvValue? Get(string key)
    {
        ValidateKey(key);
        string? missingBlob = null;
        while (true)
        {
            var now = NowMs;
            var row = ReadRow(key);
            if (row is null) return null;
            if (row.ExpirationMs is { } exp && exp <= now)
            {
                _ = DeleteExpiredKeyAsync(key, now);
                return null;
            }
            var expiration = row.ExpirationMs / 1000;
            if (row.BlobId is null) return new KvValue(row.Value ?? [], null, row.Length, expiration, row.Metadata);
            // Once open, the file stays readable even if a writer deletes it next.
            if (_blobs.Open(row.BlobId) is { } stream) return new KvValue(null, stream, row.Length, expiration, row.Metadata);
            // A writer (here or in another process) replaced or deleted the row between our reading it and
            // opening its file; a blob file is deleted only after no committed row names it, so the row
            // read again is newer. The same blob missing twice is damage, not a race.
            if (row.BlobId == missingBlob)
                throw new InvalidDataException($"The value of KV key \"{key}\" is damaged: its blob file {row.BlobId} is missing from {_blobs.Directory}.");
            missingBlob = row.BlobId;
        }
    }

    private Row? ReadRow(string key) => _db.Read(s =>
    {
        var cmd = s.Command("SELECT value, blob_id, length, expiration_ms, metadata FROM kv WHERE key = $key");
        cmd.Parameters.AddWithValue("$key", key);
        using var r = cmd.ExecuteReader();
        if (!r.Read()) return null;
        return new Row(
            r.IsDBNull(0) ? null : (byte[])r.GetValue(0),
            r.IsDBNull(1) ? null : r.GetString(1),
            r.GetInt64(2),
            r.IsDBNull(3) ? null : r.GetInt64(3),
            r.IsDBNull(4) ? null : r.GetString(4));
    });

    private sealed record Row(byte[]? Value, string? BlobId, long Length, long? ExpirationMs, string? Metadata);

    /// <summary>
    /// Keys in the order of their UTF-8 bytes, from after <paramref name="cursor"/>, those starting
    /// with <paramref name="prefix"/>, at most <paramref name="limit"/> (default and maximum 1000).
    /// </summary>
    public KvListResult List(string? prefix = null, int? limit = null, string? cursor = null)
    {
        if (limit is { } l)
        {
            if (l < 1) throw new KvException(400, $"Invalid key_count_limit of {l}. Please specify an integer greater than 0.");
            if (l > KvLimits.MaxListKeys) throw new KvException(400, $"Invalid key_count_limit of {l}. Please specify an integer less than {KvLimits.MaxListKeys}.");
        }
        if (prefix is not null) ValidateKeyLength(prefix);
        var max = limit ?? KvLimits.MaxListKeys;
        var after = cursor is null ? "" : DecodeCursor(cursor);
        prefix ??= "";
        var now = NowMs;
        var (keys, more, sawExpired) = _db.Read(s =>
        {
            // The keys with a prefix are one contiguous run in key order: start at it, stop when it ends.
            var cmd = s.Command("SELECT key, expiration_ms, metadata FROM kv WHERE key > $after AND key >= $prefix ORDER BY key");
            cmd.Parameters.AddWithValue("$after", after);
            cmd.Parameters.AddWithValue("$prefix", prefix);
            using var r = cmd.ExecuteReader();
            var found = new List<KvKey>(Math.Min(max, 128));
            var expired = false;
            while (r.Read())
            {
                var name = r.GetString(0);
                if (!name.StartsWith(prefix, StringComparison.Ordinal)) break;
                long? exp = r.IsDBNull(1) ? null : r.GetInt64(1);
                if (exp <= now) { expired = true; continue; }
                if (found.Count == max) return (found, true, expired);
                found.Add(new KvKey(name, exp / 1000, r.IsDBNull(2) ? null : r.GetString(2)));
            }
            return (found, false, expired);
        });
        if (sawExpired) _ = DeleteExpiredAsync();
        return new KvListResult(keys, !more, more ? EncodeCursor(keys[^1].Name) : null);
    }

    // Cursors name the last key returned, so keys added between pages are still listed.
    private static string EncodeCursor(string lastKey) => Convert.ToBase64String(Encoding.UTF8.GetBytes(lastKey));

    private static string DecodeCursor(string cursor)
    {
        try
        {
            return new UTF8Encoding(false, true).GetString(Convert.FromBase64String(cursor));
        }
        catch (Exception ex) when (ex is FormatException or DecoderFallbackException)
        {
            throw new KvException(400, $"Invalid cursor \"{cursor}\". Pass the cursor a previous list() returned, or none to start from the beginning.");
        }
    }

    // ---- writes -------------------------------------------------------------------------------

    /// <summary>Stores a value read from <paramref name="value"/> (streamed to disk when large).</summary>
    public async Task PutAsync(string key, Stream value, KvPutOptions options, CancellationToken cancellationToken = default)
    {
        var expiration = ValidatePut(key, options);
        // Read up to the inline limit; only a longer value goes to a blob file.
        var head = ArrayPool<byte>.Shared.Rent(InlineLimit + 1);
        try
        {
            var filled = 0;
            int n;
            while (filled < head.Length && (n = await value.ReadAsync(head.AsMemory(filled), cancellationToken).ConfigureAwait(false)) > 0) filled += n;
            if (filled <= InlineLimit)
            {
                await WriteEntryAsync(key, head.AsSpan(0, filled).ToArray(), null, filled, expiration, options.MetadataJson, cancellationToken).ConfigureAwait(false);
                return;
            }
            (string Id, long Length) blob;
            try
            {
                blob = await _blobs.PutAsync(head.AsMemory(0, filled), value, KvLimits.MaxValueBytes, cancellationToken).ConfigureAwait(false);
            }
            catch (BlobTooLargeException ex)
            {
                throw new KvException(413, $"Value length of {ex.Length} exceeds limit of {KvLimits.MaxValueBytes}.");
            }
            try
            {
                await WriteEntryAsync(key, null, blob.Id, blob.Length, expiration, options.MetadataJson, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                _blobs.Delete(blob.Id);
                throw;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(head);
        }
    }

    /// <summary>Stores a value already in memory.</summary>
    public async Task PutAsync(string key, ReadOnlyMemory<byte> value, KvPutOptions options, CancellationToken cancellationToken = default)
    {
        var expiration = ValidatePut(key, options);
        if (value.Length > KvLimits.MaxValueBytes)
            throw new KvException(413, $"Value length of {value.Length} exceeds limit of {KvLimits.MaxValueBytes}.");
        if (value.Length <= InlineLimit)
        {
            await WriteEntryAsync(key, value.ToArray(), null, value.Length, expiration, options.MetadataJson, cancellationToken).ConfigureAwait(false);
            return;
        }
        var blob = await _blobs.PutAsync(value, cancellationToken).ConfigureAwait(false);
        try
        {
            await WriteEntryAsync(key, null, blob.Id, blob.Length, expiration, options.MetadataJson, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _blobs.Delete(blob.Id);
            throw;
        }
    }

    private async Task WriteEntryAsync(string key, byte[]? inline, string? blobId, long length, long? expirationSeconds, string? metadata, CancellationToken cancellationToken)
    {
        var replaced = await _db.WriteAsync(s =>
        {
            var old = OldBlobId(s, key);
            var cmd = s.Command("""
                INSERT INTO kv (key, value, blob_id, length, expiration_ms, metadata) VALUES ($key, $value, $blob, $length, $exp, $meta)
                ON CONFLICT (key) DO UPDATE SET value = excluded.value, blob_id = excluded.blob_id, length = excluded.length,
                  expiration_ms = excluded.expiration_ms, metadata = excluded.metadata
                """);
            cmd.Parameters.AddWithValue("$key", key);
            cmd.Parameters.Add("$value", SqliteType.Blob).Value = (object?)inline ?? DBNull.Value;
            cmd.Parameters.AddWithValue("$blob", (object?)blobId ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$length", length);
            cmd.Parameters.AddWithValue("$exp", expirationSeconds is { } e ? e * 1000 : DBNull.Value);
            cmd.Parameters.AddWithValue("$meta", (object?)metadata ?? DBNull.Value);
            cmd.ExecuteNonQuery();
            return old;
        }, cancellationToken).ConfigureAwait(false);
        // Only after the row no longer points at it: a crash in between leaves an orphan, reclaimed by
        // the next process to open the store alone. A reader that read the old row reads it again.
        if (replaced is not null) _blobs.Delete(replaced);
    }

    private static string? OldBlobId(SqliteSession s, string key)
    {
        var cmd = s.Command("SELECT blob_id FROM kv WHERE key = $key");
        cmd.Parameters.AddWithValue("$key", key);
        return cmd.ExecuteScalar() as string;
    }

    /// <summary>Deletes a key; true when a live (unexpired) value was there.</summary>
    public async Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        ValidateKey(key);
        var now = NowMs;
        var deleted = await _db.WriteAsync(s =>
        {
            var cmd = s.Command("DELETE FROM kv WHERE key = $key RETURNING blob_id, expiration_ms");
            cmd.Parameters.AddWithValue("$key", key);
            using var r = cmd.ExecuteReader();
            if (!r.Read()) return ((string?)null, false);
            var blob = r.IsDBNull(0) ? null : r.GetString(0);
            var live = r.IsDBNull(1) || r.GetInt64(1) > now;
            return (blob, live);
        }, cancellationToken).ConfigureAwait(false);
        if (deleted.Item1 is { } blobId) _blobs.Delete(blobId);
        return deleted.Item2;
    }

    private async Task DeleteExpiredKeyAsync(string key, long now)
    {
        try
        {
            var blob = await _db.WriteAsync(s =>
            {
                var cmd = s.Command("DELETE FROM kv WHERE key = $key AND expiration_ms <= $now RETURNING blob_id");
                cmd.Parameters.AddWithValue("$key", key);
                cmd.Parameters.AddWithValue("$now", now);
                return cmd.ExecuteScalar() as string;
            }).ConfigureAwait(false);
            if (blob is not null) _blobs.Delete(blob);
        }
        catch (ObjectDisposedException) { }
    }

    /// <summary>Reclaims every expired key and its blob; returns how many were removed.</summary>
    public async Task<int> DeleteExpiredAsync(CancellationToken cancellationToken = default)
    {
        var now = NowMs;
        List<string?> blobs;
        try
        {
            blobs = await _db.WriteAsync(s =>
            {
                var cmd = s.Command("DELETE FROM kv WHERE expiration_ms <= $now RETURNING blob_id");
                cmd.Parameters.AddWithValue("$now", now);
                using var r = cmd.ExecuteReader();
                var ids = new List<string?>();
                while (r.Read()) ids.Add(r.IsDBNull(0) ? null : r.GetString(0));
                return ids;
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            return 0;
        }
        foreach (var id in blobs) if (id is not null) _blobs.Delete(id);
        return blobs.Count;
    }

    public void Dispose()
    {
        _db.Dispose();
        _storeLock.Dispose();
    }
}
