using System.Text;
using Flint.Engine.D1;
using SQLitePCL;

namespace Flint.Engine.DurableObjects;

/// <summary>
/// One Durable Object's storage: a SQLite file of its own (WAL), driven through SQLite's C API on
/// the object's thread, as workerd's SQLite-backed objects are. The key-value API lives in the same
/// database as the object's SQL tables (<c>_cf_KV</c>, as Cloudflare keeps it), the alarm in
/// <c>_cf_METADATA</c>. Writes go into one implicit transaction that the caller commits when the
/// object's turn ends (<see cref="Commit"/>), so writes made without an await between them are one
/// atomic commit; <see cref="Durability"/> then fsyncs the log, and what the object sends out waits
/// for it.
/// </summary>
/// <remarks>
/// Not thread-safe: one object runs on one thread at a time. Commits use <c>synchronous=NORMAL</c>
/// (no fsync inside COMMIT, which would stall the object's thread); durability comes from the fsync
/// of the write-ahead log that <see cref="Durability"/> runs off the thread, which is what
/// <c>synchronous=FULL</c> would do inside COMMIT. Checkpoints keep SQLite's own syncs.
/// </remarks>
public sealed class DurableObjectStorage : IDisposable
{
    /// <summary>Cloudflare's limits for the key-value API of objects on the key-value backend (workerd's ActorStorageLimits).</summary>
    public const int MaxKeyBytes = 2048, AdvertisedMaxValueBytes = 128 * 1024, EnforcedMaxValueBytes = AdvertisedMaxValueBytes + 34, MaxPairs = 128;

    private const int SqliteOk = 0, SqliteRow = 100, SqliteDone = 101, SqliteAuth = 23;
    private const uint PreparePersistent = 0x01;
    private const int MaxCachedStatements = 128;
    private const int StmtStatusFullscanStep = 1;

    private static readonly object s_initLock = new();
    private static bool s_initialized;

    private readonly sqlite3 _db;
    private readonly D1Authorizer _authorizer = new();
    private readonly Dictionary<string, sqlite3_stmt> _internal = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CachedStatement> _statements = new(StringComparer.Ordinal);
    private readonly HashSet<string> _multiStatement = new(StringComparer.Ordinal);
    private bool _kvTable, _metadataTable;
    private bool _implicitOpen;
    private int _savepoints;
    private bool _disposed;

    private DurableObjectStorage(string path, sqlite3 db, bool sqlEnabled)
    {
        Path = path;
        _db = db;
        SqlEnabled = sqlEnabled;
        Durability = new WalDurability(path + "-wal");
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>True for a SQLite-backed class (<c>new_sqlite_classes</c>): the SQL API is there and the key-value limits are SQLite's.</summary>
    public bool SqlEnabled { get; }

    /// <summary>When commits become durable (fsync'd).</summary>
    public WalDurability Durability { get; }

    /// <summary>True while writes are waiting for <see cref="Commit"/>.</summary>
    public bool HasUncommittedWrites => _implicitOpen;

    /// <summary>Nesting depth of explicit transactions (<c>transactionSync</c>, <c>transaction</c>).</summary>
    public int TransactionDepth => _savepoints;

    /// <summary>Opens (creating) the object's database file.</summary>
    public static DurableObjectStorage Open(string path, bool sqlEnabled)
    {
        lock (s_initLock)
        {
            if (!s_initialized) { Batteries_V2.Init(); s_initialized = true; }
        }
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        var rc = raw.sqlite3_open_v2(path, out var db, raw.SQLITE_OPEN_READWRITE | raw.SQLITE_OPEN_CREATE | raw.SQLITE_OPEN_NOMUTEX, null);
        if (rc != SqliteOk)
        {
            var message = db is null ? raw.sqlite3_errstr(rc).utf8_to_string() : raw.sqlite3_errmsg(db).utf8_to_string();
            db?.Dispose();
            throw new IOException($"Cannot open the Durable Object database {path}: {message}");
        }
        var storage = new DurableObjectStorage(path, db, sqlEnabled);
        try
        {
            raw.sqlite3_extended_result_codes(db, 1);
            storage.ExecInternal("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;");
            SqlLimits.Apply(db);
            storage._authorizer.Install(db);
            storage._kvTable = storage.TableExists("_cf_KV");
            storage._metadataTable = storage.TableExists("_cf_METADATA");
            return storage;
        }
        catch
        {
            storage.Dispose();
            throw;
        }
    }

    // ---- key-value API ------------------------------------------------------------------------

    /// <summary>The stored value of <paramref name="key"/> (structured clone bytes), or null.</summary>
    public byte[]? Get(string key)
    {
        CheckKey(key);
        if (!_kvTable) return null;
        var stmt = Internal("SELECT value FROM _cf_KV WHERE key = ?");
        try
        {
            Bind(stmt, 1, key);
            return raw.sqlite3_step(stmt) == SqliteRow ? raw.sqlite3_column_blob(stmt, 0).ToArray() : null;
        }
        finally { Reset(stmt); }
    }

    /// <summary>The values of <paramref name="keys"/> that exist, in key order (as Cloudflare returns them), each key once.</summary>
    public List<KeyValuePair<string, byte[]>> Get(IReadOnlyList<string> keys)
    {
        CheckKeyCount(keys.Count);
        foreach (var key in keys) CheckKey(key);
        var result = new List<KeyValuePair<string, byte[]>>(keys.Count);
        if (!_kvTable) return result;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            if (!seen.Add(key)) continue;
            if (Get(key) is { } value) result.Add(new(key, value));
        }
        result.Sort((a, b) => CompareKeys(a.Key, b.Key));
        return result;
    }

    public void Put(string key, byte[] value)
    {
        CheckKey(key);
        CheckValue(value);
        PutUnchecked(key, value);
    }

    public void Put(IReadOnlyList<KeyValuePair<string, byte[]>> entries)
    {
        CheckKeyCount(entries.Count);
        foreach (var (key, value) in entries) { CheckKey(key); CheckValue(value); }
        foreach (var (key, value) in entries) PutUnchecked(key, value);
    }

    private void PutUnchecked(string key, byte[] value)
    {
        EnsureKvTable();
        BeginWrite();
        var stmt = Internal("INSERT INTO _cf_KV (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
        try
        {
            Bind(stmt, 1, key);
            Bind(stmt, 2, value);
            StepDone(stmt);
        }
        finally { Reset(stmt); }
    }

    /// <summary>Deletes <paramref name="key"/>; true when it existed.</summary>
    public bool Delete(string key)
    {
        CheckKey(key);
        if (!_kvTable) return false;
        BeginWrite();
        var stmt = Internal("DELETE FROM _cf_KV WHERE key = ?");
        try
        {
            Bind(stmt, 1, key);
            StepDone(stmt);
            return raw.sqlite3_changes(_db) > 0;
        }
        finally { Reset(stmt); }
    }

    /// <summary>Deletes <paramref name="keys"/>; how many existed.</summary>
    public int Delete(IReadOnlyList<string> keys)
    {
        CheckKeyCount(keys.Count);
        foreach (var key in keys) CheckKey(key);
        var count = 0;
        foreach (var key in keys.Distinct(StringComparer.Ordinal)) if (Delete(key)) count++;
        return count;
    }

    /// <summary>Keys in UTF-8 byte order (or reversed) with Cloudflare's list options; <paramref name="limit"/> 0 means all.</summary>
    public List<KeyValuePair<string, byte[]>> List(DurableObjectListOptions options)
    {
        var result = new List<KeyValuePair<string, byte[]>>();
        if (!_kvTable) return result;
        // The range [start, end) narrowed by the prefix; startAfter excludes its key.
        var where = new List<string>();
        var args = new List<object>();
        if (options.Start is { } start) { where.Add("key >= ?"); args.Add(start); }
        if (options.StartAfter is { } after) { where.Add("key > ?"); args.Add(after); }
        if (options.End is { } end) { where.Add("key < ?"); args.Add(end); }
        if (options.Prefix is { Length: > 0 } prefix)
        {
            where.Add("key >= ?");
            args.Add(prefix);
            where.Add("key < ?");
            args.Add(new Utf8Bound(PrefixEnd(prefix)));
        }
        var sql = new StringBuilder("SELECT key, value FROM _cf_KV");
        if (where.Count > 0) sql.Append(" WHERE ").AppendJoin(" AND ", where);
        sql.Append(options.Reverse ? " ORDER BY key DESC" : " ORDER BY key");
        if (options.Limit > 0) sql.Append(" LIMIT ").Append(options.Limit);
        var stmt = Internal(sql.ToString());
        try
        {
            for (var i = 0; i < args.Count; i++) Bind(stmt, i + 1, args[i]);
            while (raw.sqlite3_step(stmt) is var rc && rc == SqliteRow)
                result.Add(new(raw.sqlite3_column_text(stmt, 0).utf8_to_string(), raw.sqlite3_column_blob(stmt, 1).ToArray()));
        }
        finally { Reset(stmt); }
        return result;
    }

    /// <summary>
    /// Deletes everything: every key, and on SQLite-backed objects every table, index, view and
    /// trigger too (workerd resets the whole database). The alarm goes too when <paramref name="alarmToo"/>
    /// (compatibility flag <c>delete_all_deletes_alarm</c>). Not inside an explicit transaction.
    /// </summary>
    public void DeleteAll(bool alarmToo)
    {
        if (_savepoints > 0) throw new DurableObjectStorageException("Cannot call deleteAll() within a transaction");
        var alarm = alarmToo ? null : GetAlarm();
        BeginWrite();
        var objects = new List<(string Type, string Name)>();
        var stmt = Internal("SELECT type, name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' AND type IN ('table', 'view', 'trigger')");
        try
        {
            while (raw.sqlite3_step(stmt) == SqliteRow)
                objects.Add((raw.sqlite3_column_text(stmt, 0).utf8_to_string(), raw.sqlite3_column_text(stmt, 1).utf8_to_string()));
        }
        finally { Reset(stmt); }
        ForgetStatements();
        // Triggers and views first: a table's drop takes its indexes and triggers with it.
        foreach (var (type, name) in objects.OrderBy(o => o.Type == "table" ? 1 : 0))
            ExecInternal($"DROP {type.ToUpperInvariant()} IF EXISTS \"{name.Replace("\"", "\"\"")}\"");
        _kvTable = false;
        _metadataTable = false;
        if (alarm is { } keep) SetAlarm(keep);
    }

    // ---- alarm ---------------------------------------------------------------------------------

    /// <summary>The alarm's time in Unix milliseconds, or null.</summary>
    public long? GetAlarm()
    {
        if (!_metadataTable) return null;
        var stmt = Internal("SELECT value FROM _cf_METADATA WHERE key = 1");
        try
        {
            return raw.sqlite3_step(stmt) == SqliteRow && raw.sqlite3_column_type(stmt, 0) != raw.SQLITE_NULL ? raw.sqlite3_column_int64(stmt, 0) : null;
        }
        finally { Reset(stmt); }
    }

    /// <summary>Sets (or with null, deletes) the alarm, as part of the pending write.</summary>
    public void SetAlarm(long? unixMs)
    {
        if (unixMs is null && !_metadataTable) return;
        EnsureMetadataTable();
        BeginWrite();
        var stmt = Internal(unixMs is null ? "DELETE FROM _cf_METADATA WHERE key = 1"
            : "INSERT INTO _cf_METADATA (key, value) VALUES (1, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value");
        try
        {
            if (unixMs is { } ms) Bind(stmt, 1, ms);
            StepDone(stmt);
        }
        finally { Reset(stmt); }
    }

    // ---- SQL API -------------------------------------------------------------------------------

    /// <summary>
    /// Runs <paramref name="sql"/> (one or more statements) with <paramref name="bindings"/> for its
    /// last statement, as <c>ctx.storage.sql.exec()</c> does: the last statement's rows are the result.
    /// Values bind as null, long, double, string or byte[]. Throws <see cref="DurableObjectStorageException"/>.
    /// </summary>
    public SqlResult Exec(string sql, IReadOnlyList<object?> bindings)
    {
        if (!SqlEnabled) throw new DurableObjectStorageException("SQL is not enabled for this Durable Object class.");
        return !_multiStatement.Contains(sql) && TryCached(sql) is { } cached ? Run(cached, bindings) : RunAll(sql, bindings);
    }

    /// <summary>The size of the database file in bytes (<c>sql.databaseSize</c>).</summary>
    public long DatabaseSize
    {
        get
        {
            _authorizer.Internal = true;
            try { return Scalar("PRAGMA page_count") * Scalar("PRAGMA page_size"); }
            finally { _authorizer.Internal = false; }
        }
    }

    private sealed record CachedStatement(sqlite3_stmt Statement, bool ReadOnly);

    /// <summary>The prepared statement of a one-statement <paramref name="sql"/>, cached; null when it has more statements (or fails to prepare).</summary>
    private CachedStatement? TryCached(string sql)
    {
        if (_statements.TryGetValue(sql, out var cached)) return cached;
        var bytes = Encoding.UTF8.GetBytes(sql);
        _authorizer.ResetDenial();
        var rc = raw.sqlite3_prepare_v3(_db, bytes, PreparePersistent, out var stmt, out var tail);
        if (rc != SqliteOk || stmt is null || stmt.IsInvalid || !IsBlank(tail))
        {
            // Not one statement (or an error RunAll reports): do not try to cache it again.
            if (rc == SqliteOk && stmt is { IsInvalid: false } && _multiStatement.Count < MaxCachedStatements) _multiStatement.Add(sql);
            stmt?.Dispose();
            return null;
        }
        if (_statements.Count >= MaxCachedStatements) ForgetStatements();
        cached = new CachedStatement(stmt, raw.sqlite3_stmt_readonly(stmt) != 0);
        _statements[sql] = cached;
        return cached;
    }

    private SqlResult Run(CachedStatement cached, IReadOnlyList<object?> bindings)
    {
        var stmt = cached.Statement;
        try
        {
            var count = raw.sqlite3_bind_parameter_count(stmt);
            if (count != bindings.Count) throw new DurableObjectStorageException("Wrong number of parameter bindings for SQL query.");
            for (var i = 0; i < count; i++) Bind(stmt, i + 1, bindings[i]);
            if (!cached.ReadOnly) BeginWrite();
            return Step(stmt);
        }
        finally { Reset(stmt); }
    }

    private SqlResult RunAll(string sql, IReadOnlyList<object?> bindings)
    {
        var bytes = Encoding.UTF8.GetBytes(sql);
        ReadOnlySpan<byte> rest = bytes;
        SqlResult? last = null;
        long rowsRead = 0, rowsWritten = 0;
        while (true)
        {
            rest = TrimLeadingSpace(rest);
            if (rest.IsEmpty || (rest.Length == 1 && rest[0] == 0)) break;
            if (rest.Length > SqlLimits.MaxSqlBytes) throw new DurableObjectStorageException("statement too long: SQLITE_TOOBIG");
            _authorizer.ResetDenial();
            var rc = raw.sqlite3_prepare_v3(_db, rest, 0, out var stmt, out var tail);
            if (rc != SqliteOk)
            {
                stmt?.Dispose();
                if (rc == SqliteAuth && _authorizer.DenialMessage is { } denial) throw new DurableObjectStorageException(denial);
                throw Failure();
            }
            rest = tail;
            if (stmt is null || stmt.IsInvalid) { stmt?.Dispose(); continue; }
            using (stmt)
            {
                var isLast = IsBlank(rest);
                var count = raw.sqlite3_bind_parameter_count(stmt);
                if (!isLast && count > 0)
                    throw new DurableObjectStorageException("When executing multiple SQL statements in a single call, only the last statement can have parameters.");
                if (isLast)
                {
                    if (count != bindings.Count) throw new DurableObjectStorageException("Wrong number of parameter bindings for SQL query.");
                    for (var i = 0; i < count; i++) Bind(stmt, i + 1, bindings[i]);
                }
                var readOnly = raw.sqlite3_stmt_readonly(stmt) != 0;
                if (!readOnly) BeginWrite();
                last = Step(stmt);
                rowsRead += last.RowsRead;
                rowsWritten += last.RowsWritten;
            }
        }
        if (last is null) throw new DurableObjectStorageException("SQL code did not contain a statement.");
        return last with { RowsRead = rowsRead, RowsWritten = rowsWritten };
    }

    private SqlResult Step(sqlite3_stmt stmt)
    {
        var columns = new string[raw.sqlite3_column_count(stmt)];
        for (var i = 0; i < columns.Length; i++) columns[i] = raw.sqlite3_column_name(stmt, i).utf8_to_string();
        var rows = new List<object?[]>();
        var changesBefore = raw.sqlite3_total_changes(_db);
        while (true)
        {
            var rc = raw.sqlite3_step(stmt);
            if (rc == SqliteRow) rows.Add(ReadRow(stmt, columns.Length));
            else if (rc == SqliteDone) break;
            else throw Failure();
        }
        var written = raw.sqlite3_total_changes(_db) - changesBefore;
        var scanned = raw.sqlite3_stmt_status(stmt, StmtStatusFullscanStep, 1);
        return new SqlResult(columns, rows, Math.Max(rows.Count, scanned > 0 ? scanned + 1 : 0), written);
    }

    private static object?[] ReadRow(sqlite3_stmt stmt, int columnCount)
    {
        var row = new object?[columnCount];
        for (var i = 0; i < columnCount; i++)
        {
            row[i] = raw.sqlite3_column_type(stmt, i) switch
            {
                raw.SQLITE_INTEGER => raw.sqlite3_column_int64(stmt, i),
                raw.SQLITE_FLOAT => raw.sqlite3_column_double(stmt, i),
                raw.SQLITE_TEXT => raw.sqlite3_column_text(stmt, i).utf8_to_string(),
                raw.SQLITE_BLOB => raw.sqlite3_column_blob(stmt, i).ToArray(),
                _ => null,
            };
        }
        return row;
    }

    // ---- transactions ----------------------------------------------------------------------------

    /// <summary>Starts an explicit transaction (a savepoint inside the implicit one): <c>transactionSync()</c> or <c>transaction()</c>.</summary>
    public void BeginTransaction()
    {
        BeginWrite();
        ExecInternal($"SAVEPOINT _cf_savepoint_{_savepoints}");
        _savepoints++;
    }

    /// <summary>Ends the innermost explicit transaction, keeping (<paramref name="commit"/>) or undoing its writes.</summary>
    public void EndTransaction(bool commit)
    {
        if (_savepoints == 0) throw new InvalidOperationException("No transaction is open.");
        _savepoints--;
        if (!commit) ExecInternal($"ROLLBACK TO _cf_savepoint_{_savepoints}");
        ExecInternal($"RELEASE _cf_savepoint_{_savepoints}");
        if (!commit) RefreshTables();
    }

    /// <summary>
    /// Commits the implicit transaction (when no explicit one is open): the writes since the last
    /// commit become one atomic commit, durable once <see cref="Durability"/> says so. Returns the
    /// commit's sequence number, or 0 when there was nothing to commit.
    /// </summary>
    public long Commit()
    {
        if (!_implicitOpen || _savepoints > 0) return 0;
        ExecInternal("COMMIT");
        _implicitOpen = false;
        return Durability.Committed();
    }

    /// <summary>Undoes writes not yet committed (the object was reset, or its output gate broke).</summary>
    public void RollbackUncommitted()
    {
        if (!_implicitOpen) return;
        try { ExecInternal("ROLLBACK"); } catch (DurableObjectStorageException) { }
        _implicitOpen = false;
        _savepoints = 0;
        RefreshTables();
    }

    private void BeginWrite()
    {
        if (_implicitOpen) return;
        ExecInternal("BEGIN");
        _implicitOpen = true;
    }

    private void RefreshTables()
    {
        _kvTable = TableExists("_cf_KV");
        _metadataTable = TableExists("_cf_METADATA");
    }

    // ---- checks ----------------------------------------------------------------------------------

    private void CheckKey(string key)
    {
        if (SqlEnabled) return; // SQLite-backed objects: SQLite's own limits apply (workerd checks none)
        var size = Encoding.UTF8.GetByteCount(key);
        if (size > MaxKeyBytes)
            throw new DurableObjectStorageException($"Keys cannot be larger than {MaxKeyBytes} bytes. A key of size {size} was provided.", "RangeError");
    }

    private void CheckValue(byte[] value)
    {
        if (SqlEnabled) return; // SQLite's length limit applies (SqlLimits)
        if (value.Length > EnforcedMaxValueBytes)
            throw new DurableObjectStorageException($"Values cannot be larger than {AdvertisedMaxValueBytes} bytes. A value of size {value.Length} was provided.", "RangeError");
    }

    private void CheckKeyCount(int count)
    {
        if (SqlEnabled) return;
        if (count > MaxPairs) throw new DurableObjectStorageException($"Maximum number of key value pairs is {MaxPairs}. {count} pairs were provided.", "RangeError");
    }

    /// <summary>Cloudflare's key order: by UTF-8 bytes (ordinal UTF-16 order differs for characters beyond the BMP).</summary>
    public static int CompareKeys(string a, string b)
    {
        var n = Math.Min(a.Length, b.Length);
        for (var i = 0; i < n; i++)
        {
            if (a[i] == b[i]) continue;
            // Surrogates (0xD800–0xDFFF) encode code points above every other UTF-16 unit's.
            var x = char.IsSurrogate(a[i]) ? a[i] + 0x10000 : a[i];
            var y = char.IsSurrogate(b[i]) ? b[i] + 0x10000 : b[i];
            return x.CompareTo(y);
        }
        return a.Length.CompareTo(b.Length);
    }

    /// <summary>
    /// The UTF-8 bytes just past every key starting with <paramref name="prefix"/>: its last byte
    /// plus one (UTF-8 has no 0xFF byte). Text compares as memcmp of UTF-8, valid or not.
    /// </summary>
    private static byte[] PrefixEnd(string prefix)
    {
        var bytes = Encoding.UTF8.GetBytes(prefix);
        bytes[^1]++;
        return bytes;
    }

    /// <summary>A bound that binds as TEXT of raw bytes, which need not be valid UTF-8.</summary>
    private sealed record Utf8Bound(byte[] Bytes);

    // ---- plumbing --------------------------------------------------------------------------------

    private void EnsureKvTable()
    {
        if (_kvTable) return;
        BeginWrite();
        ExecInternal("CREATE TABLE IF NOT EXISTS _cf_KV (key TEXT PRIMARY KEY, value BLOB) WITHOUT ROWID");
        _kvTable = true;
    }

    private void EnsureMetadataTable()
    {
        if (_metadataTable) return;
        BeginWrite();
        ExecInternal("CREATE TABLE IF NOT EXISTS _cf_METADATA (key INTEGER PRIMARY KEY, value BLOB)");
        _metadataTable = true;
    }

    private bool TableExists(string name)
    {
        _authorizer.Internal = true;
        try
        {
            var stmt = Internal("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?");
            try
            {
                Bind(stmt, 1, name);
                return raw.sqlite3_step(stmt) == SqliteRow;
            }
            finally { Reset(stmt); }
        }
        finally { _authorizer.Internal = false; }
    }

    /// <summary>One of Flint's own statements, prepared once and run past the authorizer.</summary>
    private sqlite3_stmt Internal(string sql)
    {
        if (_internal.TryGetValue(sql, out var stmt)) { _authorizer.Internal = true; return stmt; }
        _authorizer.Internal = true;
        var rc = raw.sqlite3_prepare_v3(_db, sql, PreparePersistent, out stmt, out _);
        if (rc != SqliteOk) { _authorizer.Internal = false; stmt?.Dispose(); throw Failure(); }
        _internal[sql] = stmt;
        return stmt;
    }

    private void Reset(sqlite3_stmt stmt)
    {
        raw.sqlite3_reset(stmt);
        raw.sqlite3_clear_bindings(stmt);
        _authorizer.Internal = false;
    }

    private void StepDone(sqlite3_stmt stmt)
    {
        var rc = raw.sqlite3_step(stmt);
        if (rc != SqliteDone && rc != SqliteRow) throw Failure();
    }

    private long Scalar(string sql)
    {
        var rc = raw.sqlite3_prepare_v2(_db, sql, out var stmt);
        if (rc != SqliteOk) throw Failure();
        using (stmt) return raw.sqlite3_step(stmt) == SqliteRow ? raw.sqlite3_column_int64(stmt, 0) : 0;
    }

    private void Bind(sqlite3_stmt stmt, int index, object? value)
    {
        var rc = value switch
        {
            null => raw.sqlite3_bind_null(stmt, index),
            long l => raw.sqlite3_bind_int64(stmt, index, l),
            int i => raw.sqlite3_bind_int64(stmt, index, i),
            double d => raw.sqlite3_bind_double(stmt, index, d),
            string s => raw.sqlite3_bind_text(stmt, index, s),
            byte[] b => raw.sqlite3_bind_blob(stmt, index, b),
            Utf8Bound u => raw.sqlite3_bind_text(stmt, index, u.Bytes.AsSpan()),
            _ => throw new ArgumentException($"Cannot bind a {value.GetType().Name}; use null, a number, a string or bytes."),
        };
        if (rc != SqliteOk) throw Failure();
    }

    private void ExecInternal(string sql)
    {
        _authorizer.Internal = true;
        try
        {
            var rc = raw.sqlite3_exec(_db, sql, null, null, out var error);
            if (rc != SqliteOk) throw new DurableObjectStorageException($"{error}: {SqliteCodes.Name(rc)}");
        }
        finally { _authorizer.Internal = false; }
    }

    private void ForgetStatements()
    {
        foreach (var c in _statements.Values) c.Statement.Dispose();
        _statements.Clear();
    }

    private static bool IsBlank(ReadOnlySpan<byte> tail)
    {
        tail = TrimLeadingSpace(tail);
        return tail.IsEmpty || (tail.Length == 1 && tail[0] == 0);
    }

    private static ReadOnlySpan<byte> TrimLeadingSpace(ReadOnlySpan<byte> s)
    {
        while (true)
        {
            var i = 0;
            while (i < s.Length && s[i] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or (byte)'\v' or (byte)'\f') i++;
            s = s[i..];
            // A "-- comment" line before the next statement (or at the end) is no statement.
            if (s.Length >= 2 && s[0] == '-' && s[1] == '-')
            {
                var nl = s.IndexOf((byte)'\n');
                s = nl < 0 ? [] : s[(nl + 1)..];
                continue;
            }
            return s;
        }
    }

    /// <summary>The last SQLite error as workerd words it: "message[ at offset N]: CODE[ (extended: CODE_X)]".</summary>
    private DurableObjectStorageException Failure()
    {
        var message = raw.sqlite3_errmsg(_db).utf8_to_string();
        var extended = raw.sqlite3_extended_errcode(_db);
        var primary = extended & 0xff;
        var offset = SqlLimits.ErrorOffset(_db);
        var text = new StringBuilder(message);
        if (offset >= 0) text.Append(" at offset ").Append(offset);
        text.Append(": ").Append(SqliteCodes.Name(primary));
        if (extended != primary) text.Append(" (extended: ").Append(SqliteCodes.Name(extended)).Append(')');
        return new DurableObjectStorageException(text.ToString());
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        ForgetStatements();
        foreach (var stmt in _internal.Values) stmt.Dispose();
        _internal.Clear();
        // Closing checkpoints the log into the database with SQLite's own fsyncs; then every commit is on disk.
        _db.Dispose();
        Durability.Dispose();
    }
}

/// <summary>The options of <c>storage.list()</c>, validated by the caller; <see cref="Limit"/> 0 means no limit.</summary>
public sealed record DurableObjectListOptions(string? Start = null, string? StartAfter = null, string? End = null, string? Prefix = null, bool Reverse = false, int Limit = 0);

/// <summary>What one <c>sql.exec()</c> returned: the last statement's columns and rows, and the rows it read and wrote.</summary>
public sealed record SqlResult(string[] Columns, List<object?[]> Rows, long RowsRead, long RowsWritten);

/// <summary>A storage call the Worker made wrongly, or SQL that failed: reaches script as <c>new {Name}(message)</c>.</summary>
public sealed class DurableObjectStorageException(string message, string name = "Error") : Exception(message)
{
    public string Name { get; } = name;
}
