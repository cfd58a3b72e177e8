using System.Text.Json;
using Flint.Engine.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Flint.Engine.Cache;

/// <summary>Limits of the local cache.</summary>
public sealed record CacheOptions
{
    /// <summary>Total bytes of bodies kept; the least recently used entries go first when a put would pass it.</summary>
    public long MaxTotalBytes { get; init; } = DefaultMaxTotalBytes;

    /// <summary>The largest body one entry may have: Cloudflare's cache takes objects up to 512 MB.</summary>
    public long MaxEntryBytes { get; init; } = 512L * 1024 * 1024;

    public const long DefaultMaxTotalBytes = 1024L * 1024 * 1024;
}

/// <summary>One stored response: its key, status, headers as stored, body size and file.</summary>
public sealed record CacheEntry(string Namespace, string Key, int Status, IReadOnlyList<CacheHeader> Headers, long Size, string BlobId, long ExpiresMs)
{
    internal LinkedListNode<CacheEntry>? Node { get; set; }
    internal long LastUsedMs { get; set; }
}

/// <summary>What a put stores: the key's namespace and key, the response's status and headers, the key request's Authorization.</summary>
public sealed record CachePut(string Namespace, string Key, int Status, IReadOnlyList<CacheHeader> Headers, bool RequestHasAuthorization, long? KnownLength)
{
    /// <summary>
    /// Set when the caller has decided already (a subrequest through the cache, see
    /// <see cref="SubrequestCachePolicy"/>): the headers are stored as given, for this long.
    /// </summary>
    public long? TtlMs { get; init; }
}

/// <summary>
/// The Cache API's storage under one data directory (<c>.flint/cache/</c>): bodies as files in a
/// blob store, the index in SQLite (<c>cache.sqlite</c>), and a copy of the index in memory so a
/// match costs no query. Namespaces (<c>caches.default</c>, <c>caches.open(name)</c>) share one
/// total size; when a put would pass it, the least recently used entries are evicted. Entries
/// outlive restarts, as in wrangler dev; an expired one is a miss and is removed.
/// </summary>
/// <remarks>
/// Each hit updates the entry's last use in memory only; those times reach the database with the
/// next write and when the store closes, so a hit never waits for the disk.
/// </remarks>
public sealed class CacheStore : IDisposable
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS entries (
          namespace TEXT NOT NULL,
          key TEXT NOT NULL,
          status INTEGER NOT NULL,
          headers TEXT NOT NULL,
          size INTEGER NOT NULL,
          blob_id TEXT NOT NULL,
          expires_ms INTEGER NOT NULL,
          last_used_ms INTEGER NOT NULL,
          PRIMARY KEY (namespace, key)
        ) WITHOUT ROWID;
        """;

    private readonly SqliteDatabase _db;
    private readonly BlobStore _blobs;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly object _lock = new();
    private readonly Dictionary<(string Namespace, string Key), CacheEntry> _entries = new();
    private readonly LinkedList<CacheEntry> _lru = new(); // most recently used first
    private readonly HashSet<CacheEntry> _touched = [];
    private long _totalBytes;
    private ITimer? _flusher;
    private volatile bool _disposed;

    /// <summary>How often the last uses of entries are written down, so LRU order survives a restart.</summary>
    private static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(30);

    private CacheStore(string directory, SqliteDatabase db, BlobStore blobs, CacheOptions options, TimeProvider time, ILogger log)
    {
        Directory = directory;
        Options = options;
        _db = db;
        _blobs = blobs;
        _time = time;
        _log = log;
    }

    public string Directory { get; }
    public CacheOptions Options { get; }

    /// <summary>Bytes of bodies stored now.</summary>
    public long TotalBytes { get { lock (_lock) return _totalBytes; } }

    /// <summary>Entries stored now, expired ones not yet removed included.</summary>
    public int Count { get { lock (_lock) return _entries.Count; } }

    /// <summary>Opens (creating) the cache in <paramref name="directory"/>; drops expired entries and files no entry refers to.</summary>
    public static CacheStore Open(string directory, CacheOptions? options = null, TimeProvider? time = null, ILogger? log = null)
    {
        var db = SqliteDatabase.Open(Path.Combine(directory, "cache.sqlite"), Schema);
        var store = new CacheStore(directory, db, new BlobStore(Path.Combine(directory, "bodies")), options ?? new CacheOptions(),
            time ?? TimeProvider.System, log ?? NullLogger.Instance);
        try
        {
            store.Load();
            return store;
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private void Load()
    {
        var rows = _db.Read(s =>
        {
            var list = new List<CacheEntry>();
            using var r = s.Command("SELECT namespace, key, status, headers, size, blob_id, expires_ms, last_used_ms FROM entries ORDER BY last_used_ms DESC").ExecuteReader();
            while (r.Read())
            {
                list.Add(new CacheEntry(r.GetString(0), r.GetString(1), r.GetInt32(2), DecodeHeaders(r.GetString(3)), r.GetInt64(4), r.GetString(5), r.GetInt64(6))
                {
                    LastUsedMs = r.GetInt64(7),
                });
            }
            return list;
        });
        var now = NowMs;
        var expired = new List<CacheEntry>();
        foreach (var e in rows)
        {
            if (e.ExpiresMs <= now) { expired.Add(e); continue; }
            e.Node = _lru.AddLast(e);
            _entries[(e.Namespace, e.Key)] = e;
            _totalBytes += e.Size;
        }
        // Expired entries' files go now; their rows in the background (the index in memory no longer has them).
        _blobs.DeleteUnreferenced(_entries.Values.Select(e => e.BlobId).ToHashSet(StringComparer.Ordinal));
        if (expired.Count > 0) _ = ForgetAsync(expired);
        _flusher = _time.CreateTimer(_ => _ = FlushTouchedAsync(), null, FlushInterval, FlushInterval);
    }

    // ---- match --------------------------------------------------------------------------------

    /// <summary>The response a match gives for this key, or null on a miss. Dispose the result.</summary>
    public CacheMatchResult? Match(string ns, string key, CacheMatchRequest request) => Match(ns, key, request, out _);

    /// <summary>As <see cref="Match(string, string, CacheMatchRequest)"/>; <paramref name="expired"/> says a miss found an entry past its time (and removed it).</summary>
    public CacheMatchResult? Match(string ns, string key, CacheMatchRequest request, out bool expired)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CacheEntry? entry;
        var now = NowMs;
        expired = false;
        lock (_lock)
        {
            if (!_entries.TryGetValue((ns, key), out entry)) return null;
            if (entry.ExpiresMs <= now)
            {
                expired = true;
                RemoveLocked(entry);
                _ = ForgetAsync([entry]);
                return null;
            }
            _lru.Remove(entry.Node!);
            _lru.AddFirst(entry.Node!);
            entry.LastUsedMs = now;
            _touched.Add(entry);
        }
        // Opened before answering: an entry replaced or evicted meanwhile keeps its file readable
        // once open, and one already gone is a miss.
        var body = _blobs.Open(entry.BlobId, bufferSize: 0);
        if (body is null) return null;
        bool opened = false, released = false;
        try
        {
            // The first open gets the file opened above; later ones (multipart ranges, read lazily) open it again.
            var result = CacheResponder.Respond(entry, request, now, () =>
            {
                if (!opened && !released) { opened = true; return body; }
                return _blobs.Open(entry.BlobId, bufferSize: 0) ?? throw new IOException("The cached body went away.");
            });
            if (!opened) { released = true; body.Dispose(); }
            return result;
        }
        catch
        {
            body.Dispose();
            throw;
        }
    }

    // ---- put ----------------------------------------------------------------------------------

    /// <summary>
    /// Stores a response when its headers allow (see <see cref="CachePolicy"/>), reading the body to
    /// its end either way, as the cache consumes it. Returns whether it was stored; a body over
    /// <see cref="CacheOptions.MaxEntryBytes"/> or the total size is not stored.
    /// </summary>
    public async Task<bool> PutAsync(CachePut put, Stream body, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var now = NowMs;
        var decision = put.TtlMs is { } ttl
            ? new CacheDecision(ttl > 0, ttl, put.Headers)
            : CachePolicy.Decide(put.Status, put.Headers, put.RequestHasAuthorization, now);
        var limit = Math.Min(Options.MaxEntryBytes, Options.MaxTotalBytes);
        if (!decision.Storable || put.KnownLength > limit)
        {
            await body.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
            return false;
        }
        var headers = decision.Headers;
        if (put.KnownLength is { } known)
        {
            // The length the Worker's body was known to have, as workerd sends it to the cache.
            var list = headers.Where(h => h.Name != "content-length").ToList();
            list.Insert(0, new CacheHeader("content-length", known.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            headers = list;
        }
        else headers = headers.Where(h => h.Name != "content-length").ToList();

        string blobId;
        long size;
        try
        {
            (blobId, size) = await _blobs.PutAsync(ReadOnlyMemory<byte>.Empty, body, limit, cancellationToken).ConfigureAwait(false);
        }
        catch (BlobTooLargeException ex)
        {
            _log.LogWarning("cache.put() of {Key} not stored: its body of {Length} bytes is over the cache's limit of {Limit} bytes.", put.Key, ex.Length, ex.Limit);
            return false;
        }

        var entry = new CacheEntry(put.Namespace, put.Key, put.Status, headers, size, blobId, now + decision.TtlMs) { LastUsedMs = now };
        var removed = new List<CacheEntry>();
        List<CacheEntry> touched;
        lock (_lock)
        {
            if (_entries.TryGetValue((put.Namespace, put.Key), out var old)) { RemoveLocked(old); removed.Add(old); }
            entry.Node = _lru.AddFirst(entry);
            _entries[(put.Namespace, put.Key)] = entry;
            _totalBytes += size;
            while (_totalBytes > Options.MaxTotalBytes && _lru.Last is { } lru && lru.Value != entry)
            {
                RemoveLocked(lru.Value);
                removed.Add(lru.Value);
            }
            touched = TakeTouchedLocked();
        }
        try
        {
            await _db.WriteAsync(s =>
            {
                foreach (var e in removed) DeleteRow(s, e);
                UpsertRow(s, entry);
                foreach (var t in touched) TouchRow(s, t);
                return 0;
            }, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            lock (_lock) if (_entries.TryGetValue((entry.Namespace, entry.Key), out var current) && current == entry) RemoveLocked(entry);
            _blobs.Delete(blobId);
            throw;
        }
        foreach (var e in removed) _blobs.Delete(e.BlobId);
        return true;
    }

    // ---- delete -------------------------------------------------------------------------------

    /// <summary>Removes the entry for this key; false when there was none (or it had expired).</summary>
    public async Task<bool> DeleteAsync(string ns, string key, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CacheEntry? entry;
        lock (_lock)
        {
            if (!_entries.TryGetValue((ns, key), out entry)) return false;
            RemoveLocked(entry);
        }
        await ForgetAsync([entry], cancellationToken).ConfigureAwait(false);
        return entry.ExpiresMs > NowMs;
    }

    private async Task ForgetAsync(IReadOnlyList<CacheEntry> entries, CancellationToken cancellationToken = default)
    {
        try
        {
            await _db.WriteAsync(s => { foreach (var e in entries) DeleteRow(s, e); return 0; }, cancellationToken).ConfigureAwait(false);
            foreach (var e in entries) _blobs.Delete(e.BlobId);
        }
        catch (ObjectDisposedException) { }
    }

    // ---- index ----------------------------------------------------------------------------------

    private void RemoveLocked(CacheEntry entry)
    {
        if (!_entries.TryGetValue((entry.Namespace, entry.Key), out var current) || current != entry) return;
        _entries.Remove((entry.Namespace, entry.Key));
        _lru.Remove(entry.Node!);
        _touched.Remove(entry);
        _totalBytes -= entry.Size;
    }

    private List<CacheEntry> TakeTouchedLocked()
    {
        var list = _touched.ToList();
        _touched.Clear();
        return list;
    }

    private static void UpsertRow(SqliteSession s, CacheEntry e)
    {
        var cmd = s.Command("""
            INSERT INTO entries (namespace, key, status, headers, size, blob_id, expires_ms, last_used_ms)
            VALUES ($ns, $key, $status, $headers, $size, $blob, $expires, $used)
            ON CONFLICT (namespace, key) DO UPDATE SET status = excluded.status, headers = excluded.headers, size = excluded.size,
              blob_id = excluded.blob_id, expires_ms = excluded.expires_ms, last_used_ms = excluded.last_used_ms
            """);
        cmd.Parameters.AddWithValue("$ns", e.Namespace);
        cmd.Parameters.AddWithValue("$key", e.Key);
        cmd.Parameters.AddWithValue("$status", e.Status);
        cmd.Parameters.AddWithValue("$headers", EncodeHeaders(e.Headers));
        cmd.Parameters.AddWithValue("$size", e.Size);
        cmd.Parameters.AddWithValue("$blob", e.BlobId);
        cmd.Parameters.AddWithValue("$expires", e.ExpiresMs);
        cmd.Parameters.AddWithValue("$used", e.LastUsedMs);
        cmd.ExecuteNonQuery();
    }

    private static void TouchRow(SqliteSession s, CacheEntry e)
    {
        var cmd = s.Command("UPDATE entries SET last_used_ms = $used WHERE namespace = $ns AND key = $key AND blob_id = $blob");
        cmd.Parameters.AddWithValue("$used", e.LastUsedMs);
        cmd.Parameters.AddWithValue("$ns", e.Namespace);
        cmd.Parameters.AddWithValue("$key", e.Key);
        cmd.Parameters.AddWithValue("$blob", e.BlobId);
        cmd.ExecuteNonQuery();
    }

    private static void DeleteRow(SqliteSession s, CacheEntry e)
    {
        var cmd = s.Command("DELETE FROM entries WHERE namespace = $ns AND key = $key AND blob_id = $blob");
        cmd.Parameters.AddWithValue("$ns", e.Namespace);
        cmd.Parameters.AddWithValue("$key", e.Key);
        cmd.Parameters.AddWithValue("$blob", e.BlobId);
        cmd.ExecuteNonQuery();
    }

    private static string EncodeHeaders(IReadOnlyList<CacheHeader> headers) =>
        JsonSerializer.Serialize(headers.Select(h => new[] { h.Name, h.Value }));

    private static List<CacheHeader> DecodeHeaders(string json) =>
        JsonSerializer.Deserialize<string[][]>(json)!.Select(p => new CacheHeader(p[0], p[1])).ToList();

    private async Task FlushTouchedAsync()
    {
        List<CacheEntry> touched;
        lock (_lock) touched = TakeTouchedLocked();
        if (touched.Count == 0 || _disposed) return;
        try
        {
            await _db.WriteAsync(s => { foreach (var t in touched) TouchRow(s, t); return 0; }).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ObjectDisposedException or Microsoft.Data.Sqlite.SqliteException)
        {
            _log.LogDebug(ex, "Could not record the cache's last uses");
        }
    }

    /// <summary>Closes the index; last uses since the last flush (at most half a minute's) are not kept.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _flusher?.Dispose();
        _db.Dispose();
    }
}
