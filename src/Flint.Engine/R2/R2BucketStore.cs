using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Flint.Engine.Storage;
using Microsoft.Data.Sqlite;

namespace Flint.Engine.R2;

/// <summary>
/// One R2 bucket on disk. Metadata and listings live in SQLite, keyed by the key's UTF-8 bytes
/// (a BLOB, so SQLite's ordering is R2's: by bytes, and a prefix is one index range however many
/// keys there are). Bodies up to <see cref="InlineLimit"/> are kept in their row; larger ones,
/// and every part of a multipart upload, are blob files written to a temporary file, fsynced and
/// renamed before the row that names them commits. So a put that returned survives kill -9, and
/// a crash mid-upload leaves no object, only a file that the next open removes.
/// </summary>
public sealed class R2BucketStore : IDisposable
{
    /// <summary>
    /// Bodies up to this size live in the row: one durable commit instead of a file, its fsync
    /// and a commit, and a bucket of a million small objects is not a million files.
    /// </summary>
    public const int InlineLimit = 64 * 1024;

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS bucket (id INTEGER PRIMARY KEY CHECK (id = 1), created INTEGER NOT NULL);
        INSERT OR IGNORE INTO bucket (id, created) VALUES (1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
        CREATE TABLE IF NOT EXISTS objects (
          key BLOB PRIMARY KEY,
          version TEXT NOT NULL,
          size INTEGER NOT NULL,
          etag TEXT NOT NULL,
          uploaded INTEGER NOT NULL,
          checksums TEXT,
          http_metadata TEXT,
          custom_metadata TEXT,
          storage_class TEXT,
          body BLOB,
          blob_id TEXT,
          upload_id TEXT
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS objects_blob ON objects(blob_id) WHERE blob_id IS NOT NULL;
        CREATE TABLE IF NOT EXISTS uploads (
          upload_id TEXT PRIMARY KEY,
          key BLOB NOT NULL,
          http_metadata TEXT,
          custom_metadata TEXT,
          storage_class TEXT,
          state INTEGER NOT NULL DEFAULT 0,
          initiated INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS uploads_open ON uploads(key, upload_id) WHERE state = 0;
        CREATE TABLE IF NOT EXISTS parts (
          upload_id TEXT NOT NULL,
          part_number INTEGER NOT NULL,
          blob_id TEXT NOT NULL,
          size INTEGER NOT NULL,
          etag TEXT NOT NULL,
          uploaded INTEGER NOT NULL,
          PRIMARY KEY (upload_id, part_number)
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS parts_blob ON parts(blob_id);
        """;

    private const int UploadInProgress = 0, UploadCompleted = 1, UploadAborted = 2;
    private const string ObjectColumns = "key, version, size, etag, uploaded, checksums, http_metadata, custom_metadata, storage_class";

    private readonly SqliteDatabase _db;
    private readonly BlobStore _blobs;
    private StoreLock? _storeLock;
    private readonly TimeProvider _time;
    // Blobs a body stream may still read, blobs freed while leased (deleted on release), and freed
    // blobs whose files are being deleted off the caller's path (gone for readers already).
    private readonly Lock _leaseLock = new();
    private readonly Dictionary<string, int> _leases = new(StringComparer.Ordinal);
    private readonly HashSet<string> _doomed = new(StringComparer.Ordinal);
    private readonly HashSet<string> _deleting = new(StringComparer.Ordinal);
    private Task _deletes = Task.CompletedTask;

    private R2BucketStore(string name, string directory, SqliteDatabase db, BlobStore blobs, TimeProvider time)
    {
        Name = name;
        Directory = directory;
        _db = db;
        _blobs = blobs;
        _time = time;
    }

    public string Name { get; }
    public string Directory { get; }

    /// <summary>
    /// Opens (creating) the bucket stored in <paramref name="directory"/>. Other processes may have it
    /// open too (flint dev and the flint r2 CLI on one data directory): files a crash left behind are
    /// removed only by a process that opens it alone (<see cref="StoreLock"/>), since another
    /// process's new blob has no row until its commit.
    /// </summary>
    public static R2BucketStore Open(string name, string directory, TimeProvider? time = null)
    {
        var db = SqliteDatabase.Open(Path.Combine(directory, "r2.sqlite"), Schema);
        try
        {
            var blobs = new BlobStore(Path.Combine(directory, "blobs"));
            var store = new R2BucketStore(name, directory, db, blobs, time ?? TimeProvider.System);
            store._storeLock = StoreLock.Acquire(Path.Combine(directory, "store.lock"), store.DeleteOrphans);
            return store;
        }
        catch
        {
            db.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Blob files no row names: written by a put or part upload that crashed before its commit,
    /// or freed by a commit that crashed before deleting them. Large objects are few, so this
    /// looks each file up by index rather than loading every key.
    /// </summary>
    private void DeleteOrphans()
    {
        var files = System.IO.Directory.EnumerateFiles(_blobs.Directory).Select(Path.GetFileName).ToList();
        if (files.Count == 0) return;
        var referenced = _db.Read(s =>
        {
            var found = new HashSet<string>(StringComparer.Ordinal);
            var cmd = s.Command("SELECT EXISTS (SELECT 1 FROM objects WHERE blob_id = $id) OR EXISTS (SELECT 1 FROM parts WHERE blob_id = $id)");
            foreach (var name in files)
            {
                cmd.Parameters.Clear();
                cmd.Parameters.AddWithValue("$id", name!);
                if ((long)cmd.ExecuteScalar()! == 1) found.Add(name!);
            }
            return found;
        });
        _blobs.DeleteUnreferenced(referenced);
    }

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>When the bucket was created, in milliseconds since the Unix epoch.</summary>
    public long Created => _db.Read(s => (long)s.Command("SELECT created FROM bucket WHERE id = 1").ExecuteScalar()!);

    /// <summary>Whether the bucket holds no objects (and so may be deleted, as S3 requires).</summary>
    public bool IsEmpty => _db.Read(s => s.Command("SELECT EXISTS (SELECT 1 FROM objects)").ExecuteScalar() is 0L);

    private static byte[] KeyBytes(string key) => Encoding.UTF8.GetBytes(key);

    private static string NewVersion() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    // ---- reads --------------------------------------------------------------------------------

    /// <summary>The object's metadata, or null when there is none.</summary>
    public R2Object? Head(string key)
    {
        R2Validation.Key(key);
        return _db.Read(s =>
        {
            var cmd = s.Command($"SELECT {ObjectColumns} FROM objects WHERE key = $key");
            cmd.Parameters.AddWithValue("$key", KeyBytes(key));
            using var r = cmd.ExecuteReader();
            return r.Read() ? ReadObject(r, http: true, custom: true) : null;
        });
    }

    private static R2Object ReadObject(SqliteDataReader r, bool http, bool custom) => new()
    {
        Key = Encoding.UTF8.GetString((byte[])r.GetValue(0)),
        Version = r.GetString(1),
        Size = r.GetInt64(2),
        Etag = r.GetString(3),
        Uploaded = r.GetInt64(4),
        Checksums = R2MetadataJson.ReadChecksums(r.IsDBNull(5) ? null : r.GetString(5)),
        HttpMetadata = http ? R2MetadataJson.ReadHttp(r.IsDBNull(6) ? null : r.GetString(6)) : R2HttpMetadata.Empty,
        CustomMetadata = custom ? R2MetadataJson.ReadCustom(r.IsDBNull(7) ? null : r.GetString(7)) : [],
        StorageClass = r.IsDBNull(8) ? null : r.GetString(8),
    };

    /// <summary>Where an object's bytes are: inline, one blob, or the parts of an upload (in order).</summary>
    private sealed record Stored(R2Object Object, byte[]? Inline, string? BlobId, IReadOnlyList<(string BlobId, long Size)>? Parts);

    private Stored? ReadStored(string key) => _db.Read(s =>
    {
        var cmd = s.Command($"SELECT {ObjectColumns}, body, blob_id, upload_id FROM objects WHERE key = $key");
        cmd.Parameters.AddWithValue("$key", KeyBytes(key));
        R2Object obj;
        byte[]? inline;
        string? blobId, uploadId;
        using (var r = cmd.ExecuteReader())
        {
            if (!r.Read()) return null;
            obj = ReadObject(r, http: true, custom: true);
            inline = r.IsDBNull(9) ? null : (byte[])r.GetValue(9);
            blobId = r.IsDBNull(10) ? null : r.GetString(10);
            uploadId = r.IsDBNull(11) ? null : r.GetString(11);
        }
        if (uploadId is null) return new Stored(obj, inline ?? (blobId is null ? [] : null), blobId, null);
        var parts = new List<(string, long)>();
        var pcmd = s.Command("SELECT blob_id, size FROM parts WHERE upload_id = $id ORDER BY part_number");
        pcmd.Parameters.AddWithValue("$id", uploadId);
        using (var pr = pcmd.ExecuteReader()) while (pr.Read()) parts.Add((pr.GetString(0), pr.GetInt64(1)));
        return new Stored(obj, null, null, parts);
    });

    /// <summary>
    /// The object with its body (or the requested range of it), or null when there is none. When a
    /// condition does not hold the result has no body, as R2 answers. Dispose the result.
    /// </summary>
    public R2GetResult? Get(string key, R2GetOptions? options = null)
    {
        R2Validation.Key(key);
        // A row read here may be replaced before its blobs are leased; the lease then finds a
        // blob gone, and the read is simply made again (blob ids are never reused).
        for (var attempt = 0; ; attempt++)
        {
            var stored = ReadStored(key);
            if (stored is null) return null;
            var obj = stored.Object;
            var whole = new R2Range(0, obj.Size);
            if (options?.OnlyIf is { } onlyIf && !R2Validation.ConditionHolds(onlyIf, obj.Etag, obj.Uploaded))
                return new R2GetResult(obj, whole, null);
            var range = R2Validation.ResolveRange(options?.Range, obj.Size) ?? whole;
            var segments = Segments(stored, range);
            if (TryLease(segments)) return new R2GetResult(obj, range, new R2BodyStream(this, segments));
            if (attempt == 10) throw new IOException($"Object \"{key}\" kept changing while being read.");
        }
    }

    private static R2Segment[] Segments(Stored stored, R2Range range)
    {
        if (stored.Inline is { } bytes) return [new R2Segment(bytes, null, range.Offset, range.Length)];
        if (stored.BlobId is { } id) return [new R2Segment(null, id, range.Offset, range.Length)];
        var segments = new List<R2Segment>();
        long start = 0, from = range.Offset, to = range.Offset + range.Length;
        foreach (var (blob, size) in stored.Parts!)
        {
            var end = start + size;
            if (end > from && start < to)
            {
                var offset = Math.Max(from, start) - start;
                segments.Add(new R2Segment(null, blob, offset, Math.Min(to, end) - start - offset));
            }
            start = end;
        }
        return segments.ToArray();
    }

    // ---- blob leases ------------------------------------------------------------------------

    private bool TryLease(R2Segment[] segments)
    {
        var ids = segments.Where(s => s.BlobId is not null).Select(s => s.BlobId!).ToList();
        if (ids.Count == 0) return true;
        bool freed;
        lock (_leaseLock)
        {
            foreach (var id in ids) _leases[id] = _leases.GetValueOrDefault(id) + 1;
            freed = ids.Any(_deleting.Contains);
        }
        // Frees are decided under the lock, so a blob that exists once leased stays until released.
        if (!freed && ids.All(_blobs.Exists)) return true;
        foreach (var id in ids) ReleaseBlob(id);
        return false;
    }

    internal void ReleaseBlob(string id)
    {
        lock (_leaseLock)
        {
            var n = _leases.GetValueOrDefault(id) - 1;
            if (n > 0) { _leases[id] = n; return; }
            _leases.Remove(id);
            if (_doomed.Remove(id)) DeleteSoon(id);
        }
    }

    internal Stream? OpenBlob(string id) => _blobs.Open(id);

    /// <summary>Deletes blobs no row names any more (after the commit that let go of them), or marks them for deletion once no reader holds them.</summary>
    private void FreeBlobs(IEnumerable<string> ids)
    {
        lock (_leaseLock)
        {
            foreach (var id in ids)
            {
                if (_leases.ContainsKey(id)) _doomed.Add(id);
                else DeleteSoon(id);
            }
        }
    }

    /// <summary>
    /// Deletes a freed blob's file behind the caller, one at a time: unlinking a 100 MiB file
    /// already on disk takes ~25 ms (ext4 frees its extents and its cached pages), an eighth of a
    /// 100 MiB put that would otherwise wait for the old object's file. No reader can lease the
    /// blob meanwhile; a crash before the delete leaves a file the next start removes. Caller holds the lease lock.
    /// </summary>
    private void DeleteSoon(string id)
    {
        _deleting.Add(id);
        _deletes = _deletes.ContinueWith(_ =>
        {
            _blobs.Delete(id);
            lock (_leaseLock) _deleting.Remove(id);
        }, CancellationToken.None, TaskContinuationOptions.DenyChildAttach, TaskScheduler.Default);
    }

    /// <summary>Completes once the files of blobs freed so far are deleted.</summary>
    internal Task FreedBlobsDeleted()
    {
        lock (_leaseLock) return _deletes;
    }

    // ---- writes -------------------------------------------------------------------------------

    /// <summary>
    /// Stores <paramref name="body"/> (streamed to disk when large) under <paramref name="key"/>.
    /// Returns the new object, or null when <see cref="R2PutOptions.OnlyIf"/> did not hold (the
    /// old object stays).
    /// </summary>
    public async Task<R2Object?> PutAsync(string key, Stream body, R2PutOptions options, CancellationToken cancellationToken = default)
    {
        R2Validation.Key(key);
        R2Validation.Metadata(options.CustomMetadata);
        var content = await StoreBodyAsync(body, options.ExpectedHashes.Keys, R2Limits.MaxObjectBytes, cancellationToken).ConfigureAwait(false);
        try
        {
            var checksums = new Dictionary<R2HashAlgorithm, string>();
            foreach (var (algorithm, digest) in content.Digests)
            {
                if (options.ExpectedHashes.TryGetValue(algorithm, out var expected) && !expected.AsSpan().SequenceEqual(digest))
                    throw R2Errors.BadDigest(HashName(algorithm), expected, digest);
                if (algorithm == R2HashAlgorithm.Md5 || options.ExpectedHashes.ContainsKey(algorithm))
                    checksums[algorithm] = Convert.ToHexStringLower(digest);
            }
            var obj = new R2Object
            {
                Key = key,
                Version = NewVersion(),
                Size = content.Length,
                Etag = checksums[R2HashAlgorithm.Md5],
                Uploaded = NowMs,
                HttpMetadata = options.HttpMetadata,
                CustomMetadata = options.CustomMetadata,
                Checksums = checksums,
                StorageClass = options.StorageClass,
            };
            var freed = await _db.WriteAsync(s =>
            {
                if (options.OnlyIf is { } onlyIf && !ConditionHoldsFor(s, key, onlyIf)) return null;
                var old = RemoveObjectRow(s, key);
                InsertObjectRow(s, obj, content.Inline, content.BlobId, null);
                return old;
            }, cancellationToken).ConfigureAwait(false);
            if (freed is null)
            {
                if (content.BlobId is { } id) _blobs.Delete(id);
                return null;
            }
            FreeBlobs(freed);
            return obj;
        }
        catch
        {
            if (content.BlobId is { } id) _blobs.Delete(id);
            throw;
        }
    }

    private static string HashName(R2HashAlgorithm a) => a switch
    {
        R2HashAlgorithm.Md5 => "MD5",
        R2HashAlgorithm.Sha1 => "SHA-1",
        R2HashAlgorithm.Sha256 => "SHA-256",
        R2HashAlgorithm.Sha384 => "SHA-384",
        _ => "SHA-512",
    };

    private static HashAlgorithmName HashAlgorithmOf(R2HashAlgorithm a) => a switch
    {
        R2HashAlgorithm.Md5 => HashAlgorithmName.MD5,
        R2HashAlgorithm.Sha1 => HashAlgorithmName.SHA1,
        R2HashAlgorithm.Sha256 => HashAlgorithmName.SHA256,
        R2HashAlgorithm.Sha384 => HashAlgorithmName.SHA384,
        _ => HashAlgorithmName.SHA512,
    };

    private sealed record StoredBody(byte[]? Inline, string? BlobId, long Length, IReadOnlyList<(R2HashAlgorithm Algorithm, byte[] Digest)> Digests);

    /// <summary>Reads a body to its end, hashing it: small bodies into memory, larger ones into a new blob file (synced).</summary>
    private async Task<StoredBody> StoreBodyAsync(Stream body, IEnumerable<R2HashAlgorithm> extraHashes, long maxBytes, CancellationToken cancellationToken)
    {
        var algorithms = new List<R2HashAlgorithm> { R2HashAlgorithm.Md5 };
        algorithms.AddRange(extraHashes.Where(a => a != R2HashAlgorithm.Md5));
        var hashes = algorithms.Select(a => IncrementalHash.CreateHash(HashAlgorithmOf(a))).ToList();
        void Observe(ReadOnlySpan<byte> data)
        {
            foreach (var h in hashes) h.AppendData(data);
        }
        try
        {
            var head = ArrayPool<byte>.Shared.Rent(InlineLimit + 1);
            try
            {
                var filled = 0;
                int n;
                while (filled < InlineLimit + 1 && (n = await body.ReadAsync(head.AsMemory(filled, InlineLimit + 1 - filled), cancellationToken).ConfigureAwait(false)) > 0)
                    filled += n;
                byte[]? inline = null;
                string? blobId = null;
                long length;
                if (filled <= InlineLimit)
                {
                    inline = head.AsSpan(0, filled).ToArray();
                    Observe(inline);
                    length = filled;
                }
                else
                {
                    try
                    {
                        // Hashing overlaps the file writes: a large body costs about one of them, not both.
                        (blobId, length) = await _blobs.PutAsync(head.AsMemory(0, filled), body, maxBytes, Observe, cancellationToken).ConfigureAwait(false);
                    }
                    catch (BlobTooLargeException)
                    {
                        throw R2Errors.EntityTooLarge();
                    }
                }
                var digests = algorithms.Select((a, i) => (a, hashes[i].GetHashAndReset())).ToList();
                return new StoredBody(inline, blobId, length, digests);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(head);
            }
        }
        finally
        {
            foreach (var h in hashes) h.Dispose();
        }
    }

    private static bool ConditionHoldsFor(SqliteSession s, string key, R2Conditional onlyIf)
    {
        var cmd = s.Command("SELECT etag, uploaded FROM objects WHERE key = $key");
        cmd.Parameters.AddWithValue("$key", KeyBytes(key));
        using var r = cmd.ExecuteReader();
        return r.Read() ? R2Validation.ConditionHolds(onlyIf, r.GetString(0), r.GetInt64(1)) : R2Validation.ConditionHolds(onlyIf, null, 0);
    }

    /// <summary>Deletes an object's row (and the parts of a multipart object); returns the blobs to free once committed.</summary>
    private static List<string> RemoveObjectRow(SqliteSession s, string key)
    {
        var freed = new List<string>();
        var cmd = s.Command("DELETE FROM objects WHERE key = $key RETURNING blob_id, upload_id");
        cmd.Parameters.AddWithValue("$key", KeyBytes(key));
        string? uploadId = null;
        using (var r = cmd.ExecuteReader())
        {
            if (!r.Read()) return freed;
            if (!r.IsDBNull(0)) freed.Add(r.GetString(0));
            if (!r.IsDBNull(1)) uploadId = r.GetString(1);
        }
        if (uploadId is not null) freed.AddRange(DeleteParts(s, uploadId));
        return freed;
    }

    private static List<string> DeleteParts(SqliteSession s, string uploadId)
    {
        var cmd = s.Command("DELETE FROM parts WHERE upload_id = $id RETURNING blob_id");
        cmd.Parameters.AddWithValue("$id", uploadId);
        var freed = new List<string>();
        using var r = cmd.ExecuteReader();
        while (r.Read()) freed.Add(r.GetString(0));
        return freed;
    }

    private static void InsertObjectRow(SqliteSession s, R2Object obj, byte[]? inline, string? blobId, string? uploadId)
    {
        var cmd = s.Command($"""
            INSERT INTO objects ({ObjectColumns}, body, blob_id, upload_id)
            VALUES ($key, $version, $size, $etag, $uploaded, $checksums, $http, $custom, $class, $body, $blob, $upload)
            """);
        cmd.Parameters.AddWithValue("$key", KeyBytes(obj.Key));
        cmd.Parameters.AddWithValue("$version", obj.Version);
        cmd.Parameters.AddWithValue("$size", obj.Size);
        cmd.Parameters.AddWithValue("$etag", obj.Etag);
        cmd.Parameters.AddWithValue("$uploaded", obj.Uploaded);
        cmd.Parameters.AddWithValue("$checksums", (object?)R2MetadataJson.WriteChecksums(obj.Checksums) ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$http", (object?)R2MetadataJson.WriteHttp(obj.HttpMetadata) ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$custom", (object?)R2MetadataJson.WriteCustom(obj.CustomMetadata) ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$class", (object?)obj.StorageClass ?? DBNull.Value);
        cmd.Parameters.Add("$body", SqliteType.Blob).Value = (object?)inline ?? DBNull.Value;
        cmd.Parameters.AddWithValue("$blob", (object?)blobId ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$upload", (object?)uploadId ?? DBNull.Value);
        cmd.ExecuteNonQuery();
    }

    /// <summary>Deletes objects (missing ones are fine), all in one commit.</summary>
    public async Task DeleteAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default)
    {
        foreach (var key in keys) R2Validation.Key(key);
        if (keys.Count == 0) return;
        var freed = await _db.WriteAsync(s =>
        {
            var all = new List<string>();
            foreach (var key in keys) all.AddRange(RemoveObjectRow(s, key));
            return all;
        }, cancellationToken).ConfigureAwait(false);
        FreeBlobs(freed);
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default) => DeleteAsync([key], cancellationToken);

    // ---- listing -----------------------------------------------------------------------------

    /// <summary>
    /// Objects in the order of their keys' UTF-8 bytes, from after the cursor / startAfter, under
    /// the prefix; with a delimiter, keys that share the text up to it after the prefix are one
    /// delimited prefix. Each page holds at most limit entries (objects and prefixes together).
    /// </summary>
    public R2ListResult List(R2ListOptions options)
    {
        var limit = options.Limit ?? R2Limits.MaxListKeys;
        R2Validation.ListLimit(limit);
        if (options.IncludeHttpMetadata || options.IncludeCustomMetadata) limit = Math.Min(limit, R2Limits.MaxListKeysWithMetadata);
        var prefix = KeyBytes(options.Prefix ?? "");
        var upper = Successor(prefix);
        byte[]? after = options.StartAfter is { } sa ? KeyBytes(sa) : null;
        if (options.Cursor is { } cursor)
        {
            var fromCursor = KeyBytes(R2Validation.DecodeCursor(cursor));
            if (after is null || fromCursor.AsSpan().SequenceCompareTo(after) > 0) after = fromCursor;
        }
        // The first key after X is X followed by a zero byte: every bound is an inclusive "from".
        var from = after is not null && after.AsSpan().SequenceCompareTo(prefix) >= 0 ? [.. after, 0] : prefix;
        var delimiter = string.IsNullOrEmpty(options.Delimiter) ? null : KeyBytes(options.Delimiter);

        return _db.Read(s =>
        {
            var objects = new List<R2Object>();
            var prefixes = new List<string>();
            byte[]? lastKey = null;
            var entries = 0;
            var truncated = false;
            while (!truncated)
            {
                var batch = limit + 1 - entries;
                var cmd = s.Command(upper is null
                    ? $"SELECT {ObjectColumns} FROM objects WHERE key >= $from ORDER BY key LIMIT $n"
                    : $"SELECT {ObjectColumns} FROM objects WHERE key >= $from AND key < $to ORDER BY key LIMIT $n");
                cmd.Parameters.AddWithValue("$from", from);
                if (upper is not null) cmd.Parameters.AddWithValue("$to", upper);
                cmd.Parameters.AddWithValue("$n", batch);
                var rows = 0;
                byte[]? group = null;
                using (var r = cmd.ExecuteReader())
                {
                    while (r.Read())
                    {
                        rows++;
                        var key = (byte[])r.GetValue(0);
                        if (delimiter is not null)
                        {
                            var at = key.AsSpan(prefix.Length).IndexOf(delimiter);
                            if (at >= 0)
                            {
                                group = key[..(prefix.Length + at + delimiter.Length)];
                                if (entries == limit) { truncated = true; break; }
                                prefixes.Add(Encoding.UTF8.GetString(group));
                                entries++;
                                break; // skip the rest of the group with a new seek
                            }
                        }
                        if (entries == limit) { truncated = true; break; }
                        objects.Add(ReadObject(r, options.IncludeHttpMetadata, options.IncludeCustomMetadata));
                        entries++;
                        lastKey = key;
                        from = [.. key, 0];
                    }
                }
                if (truncated) break;
                if (group is not null)
                {
                    lastKey = LastKeyUnder(s, group);
                    var next = Successor(group);
                    if (next is null) break;
                    from = next;
                    continue;
                }
                if (rows < batch) break; // the range is exhausted
            }
            var last = lastKey is null ? null : Encoding.UTF8.GetString(lastKey);
            return new R2ListResult(objects, prefixes, truncated, truncated && last is not null ? R2Validation.EncodeCursor(last) : null, last);
        });
    }

    /// <summary>The last key starting with <paramref name="group"/>: a listing's cursor after a delimited prefix skips all of it.</summary>
    private static byte[] LastKeyUnder(SqliteSession s, byte[] group)
    {
        var to = Successor(group);
        var cmd = s.Command(to is null
            ? "SELECT key FROM objects WHERE key >= $from ORDER BY key DESC LIMIT 1"
            : "SELECT key FROM objects WHERE key >= $from AND key < $to ORDER BY key DESC LIMIT 1");
        cmd.Parameters.AddWithValue("$from", group);
        if (to is not null) cmd.Parameters.AddWithValue("$to", to);
        return (byte[])cmd.ExecuteScalar()!;
    }

    /// <summary>The smallest byte string greater than every string starting with <paramref name="prefix"/>; null when there is none (empty or all 0xFF).</summary>
    internal static byte[]? Successor(byte[] prefix)
    {
        for (var i = prefix.Length - 1; i >= 0; i--)
        {
            if (prefix[i] == 0xFF) continue;
            var next = prefix[..(i + 1)];
            next[i]++;
            return next;
        }
        return null;
    }

    // ---- multipart uploads -------------------------------------------------------------------

    public async Task<string> CreateMultipartUploadAsync(string key, R2MultipartOptions options, CancellationToken cancellationToken = default)
    {
        R2Validation.Key(key);
        R2Validation.Metadata(options.CustomMetadata);
        var uploadId = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');
        var now = NowMs;
        await _db.WriteAsync(s =>
        {
            var cmd = s.Command("""
                INSERT INTO uploads (upload_id, key, http_metadata, custom_metadata, storage_class, state, initiated)
                VALUES ($id, $key, $http, $custom, $class, 0, $now)
                """);
            cmd.Parameters.AddWithValue("$id", uploadId);
            cmd.Parameters.AddWithValue("$key", KeyBytes(key));
            cmd.Parameters.AddWithValue("$http", (object?)R2MetadataJson.WriteHttp(options.HttpMetadata) ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$custom", (object?)R2MetadataJson.WriteCustom(options.CustomMetadata) ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$class", (object?)options.StorageClass ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$now", now);
            return cmd.ExecuteNonQuery();
        }, cancellationToken).ConfigureAwait(false);
        return uploadId;
    }

    /// <summary>The upload's state, or null when there is no such upload for this key.</summary>
    private static int? UploadState(SqliteSession s, string key, string uploadId)
    {
        var cmd = s.Command("SELECT state FROM uploads WHERE upload_id = $id AND key = $key");
        cmd.Parameters.AddWithValue("$id", uploadId);
        cmd.Parameters.AddWithValue("$key", KeyBytes(key));
        return cmd.ExecuteScalar() is long state ? (int)state : null;
    }

    /// <summary>Stores a part (always as a blob file); a part uploaded again under the same number replaces the old one. Its etag is its MD5.</summary>
    public async Task<R2UploadedPart> UploadPartAsync(string key, string uploadId, int partNumber, Stream body, CancellationToken cancellationToken = default)
    {
        R2Validation.Key(key);
        if (_db.Read(s => UploadState(s, key, uploadId)) != UploadInProgress) throw R2Errors.NoSuchUpload();
        string blobId, etag;
        long length;
        using (var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5))
        {
            try
            {
                (blobId, length) = await _blobs.PutAsync(ReadOnlyMemory<byte>.Empty, body, R2Limits.MaxObjectBytes, md5.AppendData, cancellationToken).ConfigureAwait(false);
            }
            catch (BlobTooLargeException)
            {
                throw R2Errors.EntityTooLarge();
            }
            etag = Convert.ToHexStringLower(md5.GetHashAndReset());
        }
        var now = NowMs;
        try
        {
            var replaced = await _db.WriteAsync(s =>
            {
                if (UploadState(s, key, uploadId) != UploadInProgress) throw R2Errors.NoSuchUpload();
                var old = s.Command("SELECT blob_id FROM parts WHERE upload_id = $id AND part_number = $n");
                old.Parameters.AddWithValue("$id", uploadId);
                old.Parameters.AddWithValue("$n", partNumber);
                var oldBlob = old.ExecuteScalar() as string;
                var cmd = s.Command("""
                    INSERT OR REPLACE INTO parts (upload_id, part_number, blob_id, size, etag, uploaded)
                    VALUES ($id, $n, $blob, $size, $etag, $now)
                    """);
                cmd.Parameters.AddWithValue("$id", uploadId);
                cmd.Parameters.AddWithValue("$n", partNumber);
                cmd.Parameters.AddWithValue("$blob", blobId);
                cmd.Parameters.AddWithValue("$size", length);
                cmd.Parameters.AddWithValue("$etag", etag);
                cmd.Parameters.AddWithValue("$now", now);
                cmd.ExecuteNonQuery();
                return oldBlob;
            }, cancellationToken).ConfigureAwait(false);
            if (replaced is not null) FreeBlobs([replaced]);
        }
        catch
        {
            _blobs.Delete(blobId);
            throw;
        }
        return new R2UploadedPart(partNumber, etag);
    }

    /// <summary>
    /// Makes the object from the listed parts, with R2's rules: every part found with its etag,
    /// all but the last at least 5 MiB and of one size, the last no larger. Parts not listed are
    /// dropped. The object's etag is the MD5 of the parts' MD5s, then "-" and their count.
    /// </summary>
    public async Task<R2Object> CompleteMultipartUploadAsync(string key, string uploadId, IReadOnlyList<R2UploadedPart> parts, CancellationToken cancellationToken = default)
    {
        R2Validation.Key(key);
        var version = NewVersion();
        var now = NowMs;
        var (obj, freed) = await _db.WriteAsync(s =>
        {
            var ucmd = s.Command("SELECT http_metadata, custom_metadata, storage_class, state FROM uploads WHERE upload_id = $id AND key = $key");
            ucmd.Parameters.AddWithValue("$id", uploadId);
            ucmd.Parameters.AddWithValue("$key", KeyBytes(key));
            string? http, custom, storageClass;
            using (var r = ucmd.ExecuteReader())
            {
                if (!r.Read()) throw R2Errors.InternalError();
                if (r.GetInt32(3) != UploadInProgress) throw R2Errors.NoSuchUpload();
                http = r.IsDBNull(0) ? null : r.GetString(0);
                custom = r.IsDBNull(1) ? null : r.GetString(1);
                storageClass = r.IsDBNull(2) ? null : r.GetString(2);
            }
            if (parts.Select(p => p.PartNumber).Distinct().Count() != parts.Count) throw R2Errors.InternalError();
            var uploaded = new Dictionary<int, (long Size, string Etag)>();
            var pcmd = s.Command("SELECT part_number, size, etag FROM parts WHERE upload_id = $id");
            pcmd.Parameters.AddWithValue("$id", uploadId);
            using (var r = pcmd.ExecuteReader()) while (r.Read()) uploaded[r.GetInt32(0)] = (r.GetInt64(1), r.GetString(2));
            var chosen = parts.Select(p => uploaded.TryGetValue(p.PartNumber, out var u) && u.Etag == p.Etag
                ? (p.PartNumber, u.Size, u.Etag) : throw R2Errors.InvalidPart()).ToList();
            for (var i = 0; i < chosen.Count - 1; i++) if (chosen[i].Size < R2Limits.MinPartBytes) throw R2Errors.EntityTooSmall();
            chosen.Sort((a, b) => a.PartNumber.CompareTo(b.PartNumber));
            if (chosen.Count > 1)
            {
                var partSize = chosen[0].Size;
                for (var i = 0; i < chosen.Count - 1; i++) if (chosen[i].Size != partSize) throw R2Errors.BadUpload();
                if (chosen[^1].Size > partSize) throw R2Errors.BadUpload();
            }
            var freed = RemoveObjectRow(s, key);
            var keep = chosen.Select(c => c.PartNumber).ToHashSet();
            // Parts not chosen go now; chosen ones stay as the object's body.
            var dcmd = s.Command("SELECT part_number, blob_id FROM parts WHERE upload_id = $id");
            dcmd.Parameters.AddWithValue("$id", uploadId);
            var drop = new List<(int, string)>();
            using (var r = dcmd.ExecuteReader()) while (r.Read()) if (!keep.Contains(r.GetInt32(0))) drop.Add((r.GetInt32(0), r.GetString(1)));
            foreach (var (number, blob) in drop)
            {
                var del = s.Command("DELETE FROM parts WHERE upload_id = $id AND part_number = $n");
                del.Parameters.AddWithValue("$id", uploadId);
                del.Parameters.AddWithValue("$n", number);
                del.ExecuteNonQuery();
                freed.Add(blob);
            }
            var md5s = chosen.SelectMany(c => Convert.FromHexString(c.Etag)).ToArray();
            var obj = new R2Object
            {
                Key = key,
                Version = version,
                Size = chosen.Sum(c => c.Size),
                Etag = $"{Convert.ToHexStringLower(MD5.HashData(md5s))}-{chosen.Count}",
                Uploaded = now,
                HttpMetadata = R2MetadataJson.ReadHttp(http),
                CustomMetadata = R2MetadataJson.ReadCustom(custom),
                StorageClass = storageClass,
            };
            InsertObjectRow(s, obj, null, null, uploadId);
            SetUploadState(s, uploadId, UploadCompleted);
            return (obj, freed);
        }, cancellationToken).ConfigureAwait(false);
        FreeBlobs(freed);
        return obj;
    }

    private static void SetUploadState(SqliteSession s, string uploadId, int state)
    {
        var cmd = s.Command("UPDATE uploads SET state = $state WHERE upload_id = $id");
        cmd.Parameters.AddWithValue("$state", state);
        cmd.Parameters.AddWithValue("$id", uploadId);
        cmd.ExecuteNonQuery();
    }

    /// <summary>Drops an upload and its parts; aborting a finished upload does nothing.</summary>
    public async Task AbortMultipartUploadAsync(string key, string uploadId, CancellationToken cancellationToken = default)
    {
        R2Validation.Key(key);
        var freed = await _db.WriteAsync(s =>
        {
            var state = UploadState(s, key, uploadId) ?? throw R2Errors.InternalError();
            if (state != UploadInProgress) return [];
            var blobs = DeleteParts(s, uploadId);
            SetUploadState(s, uploadId, UploadAborted);
            return blobs;
        }, cancellationToken).ConfigureAwait(false);
        FreeBlobs(freed);
    }

    /// <summary>The parts of an upload in progress after <paramref name="afterPart"/>, at most <paramref name="max"/>, and whether more follow.</summary>
    public (IReadOnlyList<R2PartInfo> Parts, bool Truncated) ListParts(string key, string uploadId, int afterPart, int max)
    {
        R2Validation.Key(key);
        return _db.Read(s =>
        {
            if (UploadState(s, key, uploadId) != UploadInProgress) throw R2Errors.NoSuchUpload();
            var cmd = s.Command("SELECT part_number, etag, size, uploaded FROM parts WHERE upload_id = $id AND part_number > $after ORDER BY part_number LIMIT $n");
            cmd.Parameters.AddWithValue("$id", uploadId);
            cmd.Parameters.AddWithValue("$after", afterPart);
            cmd.Parameters.AddWithValue("$n", max + 1);
            var parts = new List<R2PartInfo>();
            using var r = cmd.ExecuteReader();
            while (r.Read()) parts.Add(new R2PartInfo(r.GetInt32(0), r.GetString(1), r.GetInt64(2), r.GetInt64(3)));
            var truncated = parts.Count > max;
            if (truncated) parts.RemoveAt(max);
            return ((IReadOnlyList<R2PartInfo>)parts, truncated);
        });
    }

    /// <summary>Uploads in progress, by key then upload id, after the given markers.</summary>
    public (IReadOnlyList<R2UploadInfo> Uploads, bool Truncated) ListUploads(string? prefix, string? keyMarker, string? uploadIdMarker, int max)
    {
        var p = KeyBytes(prefix ?? "");
        var upper = Successor(p);
        var marker = KeyBytes(keyMarker ?? "");
        return _db.Read(s =>
        {
            var cmd = s.Command("""
                SELECT key, upload_id, initiated, storage_class FROM uploads
                WHERE state = 0 AND key >= $prefix AND ($to IS NULL OR key < $to)
                  AND (key > $marker OR (key = $marker AND upload_id > $uploadMarker))
                ORDER BY key, upload_id LIMIT $n
                """);
            cmd.Parameters.AddWithValue("$prefix", p);
            cmd.Parameters.AddWithValue("$to", (object?)upper ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$marker", marker);
            cmd.Parameters.AddWithValue("$uploadMarker", keyMarker is null ? "" : uploadIdMarker ?? "\uFFFF");
            cmd.Parameters.AddWithValue("$n", max + 1);
            var uploads = new List<R2UploadInfo>();
            using var r = cmd.ExecuteReader();
            while (r.Read())
                uploads.Add(new R2UploadInfo(Encoding.UTF8.GetString((byte[])r.GetValue(0)), r.GetString(1), r.GetInt64(2), r.IsDBNull(3) ? null : r.GetString(3)));
            var truncated = uploads.Count > max;
            if (truncated) uploads.RemoveAt(max);
            return ((IReadOnlyList<R2UploadInfo>)uploads, truncated);
        });
    }

    public void Dispose()
    {
        // Deletes still queued finish first, so a store opened next finds no file it would call an orphan.
        FreedBlobsDeleted().Wait();
        _db.Dispose();
        _storeLock?.Dispose();
    }
}
