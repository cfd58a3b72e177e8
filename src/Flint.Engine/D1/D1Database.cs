using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using SQLitePCL;

namespace Flint.Engine.D1;

/// <summary>
/// One D1 database: a SQLite file (WAL, synchronous=FULL, foreign keys on) driven directly
/// through SQLite's C API, so queries behave and fail as they do under wrangler dev: the same
/// authorizer rules, the same error text (<c>message at offset N: SQLITE_CODE (extended: …)</c>),
/// every statement of a query executed with the last one's rows returned, and each call — one
/// query or a whole batch — in one transaction, all or nothing. Like D1 itself, a database runs
/// one call at a time; callers wait their turn without blocking a thread.
/// </summary>
/// <remarks>
/// rows_read and rows_written are estimates: D1 (libSQL) counts the rows each statement touches,
/// which plain SQLite does not report. Flint counts rows returned or scanned and rows changed.
/// </remarks>
public sealed class D1Database : IDisposable
{
    /// <summary>D1's limit on bound parameters per query.</summary>
    public const int MaxBoundParameters = 100;
    /// <summary>D1's limit on the length of one SQL statement, in bytes.</summary>
    public const int MaxSqlBytes = 100_000;
    /// <summary>D1's documented limit on a string, blob or row, in bytes (SQLite's SQLITE_LIMIT_LENGTH).</summary>
    public const int MaxValueBytes = 2_000_000;
    /// <summary>What D1 answers when a query runs past its time limit.</summary>
    public const string TimeLimitMessage = "D1 DB exceeded its CPU time limit and was reset.";

    private const int SqliteOk = 0, SqliteRow = 100, SqliteDone = 101, SqliteAuth = 23;
    private const int LimitLength = 0, LimitSqlLength = 1, LimitVariableNumber = 9;
    private const int StmtStatusFullscanStep = 1;
    private const uint PreparePersistent = 0x01, PrepareNoVtab = 0x04;
    private const int MaxCachedStatements = 128;
    private static readonly TimeSpan InlineWait = TimeSpan.FromMilliseconds(1);
    // A read answered on the isolate's thread gives up after this and goes the async way, so a
    // slow query never holds up the isolate (the wasted work is at most this long).
    private static readonly TimeSpan InlineBudget = TimeSpan.FromMilliseconds(5);
    // SQLite calls the progress handler every this many virtual machine steps (~10-50 µs of work).
    private const int ProgressSteps = 1000;

    private static readonly object s_initLock = new();
    private static bool s_initialized;

    private readonly sqlite3 _db;
    private readonly D1Authorizer _authorizer = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly long _bookmarkBase = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
    // Single-statement SQL texts prepared once (a Worker runs the same few queries over and over).
    private readonly Dictionary<string, CachedStatement> _statements = new(StringComparer.Ordinal);
    private readonly TimeSpan _timeLimit;
    private readonly delegate_progress _progress; // held here: SQLite keeps only a pointer to it
    // The running call's stop conditions, read by the progress handler on the same thread.
    private long _deadline = long.MaxValue; // Stopwatch timestamp
    private StopReason _atDeadline;
    private CancellationToken _cancellation;
    private StopReason _stopped;
    private long _commits;
    private long _size; // the file's size in bytes, kept current after every write
    private bool _disposed;

    private enum StopReason { None, TimeLimit, Cancelled, InlineBudget }

    private D1Database(string path, sqlite3 db, D1Options options)
    {
        Path = path;
        _db = db;
        _timeLimit = options.QueryTimeLimit;
        _progress = _ => ShouldStop() ? 1 : 0;
    }

    public string Path { get; }

    /// <summary>Opens (creating) the database file.</summary>
    public static D1Database Open(string path, D1Options? options = null)
    {
        lock (s_initLock)
        {
            if (!s_initialized) { Batteries_V2.Init(); s_initialized = true; }
        }
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        var rc = raw.sqlite3_open_v2(path, out var db, raw.SQLITE_OPEN_READWRITE | raw.SQLITE_OPEN_CREATE | raw.SQLITE_OPEN_FULLMUTEX, null);
        if (rc != SqliteOk)
        {
            var message = db is null ? raw.sqlite3_errstr(rc).utf8_to_string() : raw.sqlite3_errmsg(db).utf8_to_string();
            db?.Dispose();
            throw new IOException($"Cannot open the D1 database {path}: {message}");
        }
        var database = new D1Database(path, db, options ?? new D1Options());
        try
        {
            raw.sqlite3_extended_result_codes(db, 1);
            database.ExecInternal("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;");
            raw.sqlite3_limit(db, LimitVariableNumber, MaxBoundParameters);
            raw.sqlite3_limit(db, LimitSqlLength, MaxSqlBytes);
            raw.sqlite3_limit(db, LimitLength, MaxValueBytes);
            raw.sqlite3_progress_handler(db, ProgressSteps, database._progress, null);
            database._authorizer.Install(db);
            database._size = database.SizeInBytes();
            return database;
        }
        catch
        {
            database.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A token that only grows as writes commit (what a D1 session's bookmark is): hex of when the
    /// database was opened, then of how many writing calls have committed since.
    /// </summary>
    public string Bookmark => $"{_bookmarkBase:x12}-{Interlocked.Read(ref _commits):x16}";

    /// <summary>
    /// Runs <paramref name="queries"/> in one transaction and returns one result per query, or
    /// throws <see cref="D1Exception"/> (with nothing applied). Queries that hold only whitespace
    /// and comments are dropped first, as D1 does; if none is left it is an error.
    /// </summary>
    public async Task<IReadOnlyList<D1Result>> QueryAsync(IReadOnlyList<D1Query> queries, CancellationToken cancellationToken = default)
    {
        var real = queries.Where(q => !IsOnlyComments(q.Sql)).ToList();
        if (real.Count == 0) throw new D1Exception("No SQL statements detected.");
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            BeginCall(_timeLimit, StopReason.TimeLimit, cancellationToken);
            // A lone read needs no write transaction: it runs on its own consistent snapshot.
            if (real.Count == 1 && CachedReadOnly(real[0].Sql) is { } read) return [Stoppable(() => RunCached(read, real[0]))];
            ExecInternal("BEGIN IMMEDIATE");
            var results = new List<D1Result>(real.Count);
            try
            {
                foreach (var q in real) results.Add(Stoppable(() => Run(q)));
            }
            catch
            {
                // Let the rollback itself run; SQLite has already rolled back a write it interrupted.
                Disarm();
                if (raw.sqlite3_get_autocommit(_db) == 0) ExecInternal("ROLLBACK");
                throw;
            }
            ExecInternal("COMMIT");
            if (results.Any(r => r.Meta.ChangedDb)) Interlocked.Increment(ref _commits);
            return results;
        }
        finally
        {
            EndCall();
            _gate.Release();
        }
    }

    // ---- stopping a query: its time limit, its caller going away ------------------------------

    private void BeginCall(TimeSpan limit, StopReason atDeadline, CancellationToken cancellationToken)
    {
        _deadline = Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency);
        _atDeadline = atDeadline;
        _cancellation = cancellationToken;
        _stopped = StopReason.None;
    }

    private void EndCall()
    {
        Disarm();
        _stopped = StopReason.None;
    }

    private void Disarm()
    {
        _deadline = long.MaxValue;
        _cancellation = default;
    }

    /// <summary>SQLite's progress handler: nonzero interrupts the running statement (SQLITE_INTERRUPT).</summary>
    private bool ShouldStop()
    {
        if (_cancellation.IsCancellationRequested) _stopped = StopReason.Cancelled;
        else if (Stopwatch.GetTimestamp() > _deadline) _stopped = _atDeadline;
        return _stopped != StopReason.None;
    }

    /// <summary>Runs one query; if the progress handler stopped it, throws what the stop means instead of SQLite's "interrupted".</summary>
    private T Stoppable<T>(Func<T> run)
    {
        try
        {
            var result = run();
            // Stopped between statements of one query: the interrupt was not seen by a statement.
            ThrowIfStopped();
            return result;
        }
        catch (D1Exception) when (_stopped != StopReason.None)
        {
            ThrowIfStopped();
            throw;
        }
    }

    private void ThrowIfStopped()
    {
        switch (_stopped)
        {
            case StopReason.Cancelled: throw new OperationCanceledException("The D1 query was cancelled: its caller went away.", _cancellation);
            case StopReason.TimeLimit: throw new D1Exception(TimeLimitMessage);
            case StopReason.InlineBudget: throw new InlineBudgetExceededException();
        }
    }

    /// <summary>An inline read ran past its budget; the caller takes the async path.</summary>
    private sealed class InlineBudgetExceededException : Exception;

    /// <summary>
    /// Answers <paramref name="query"/> on the calling thread if it is one read-only statement and
    /// the database comes free within a moment (another read holds it for microseconds; a write
    /// waiting on fsync longer); false (nothing run) otherwise, or if it fails — the caller then
    /// goes through <see cref="QueryAsync"/>, which reports the error.
    /// </summary>
    public bool TryQueryInline(D1Query query, out D1Result? result)
    {
        result = null;
        if (!_gate.Wait(InlineWait)) return false;
        try
        {
            if (_disposed || CachedReadOnly(query.Sql) is not { } read) return false;
            BeginCall(InlineBudget, StopReason.InlineBudget, default);
            result = Stoppable(() => RunCached(read, query));
            return true;
        }
        catch (Exception ex) when (ex is D1Exception or ArgumentException or InlineBudgetExceededException)
        {
            result = null;
            return false;
        }
        finally
        {
            EndCall();
            _gate.Release();
        }
    }

    private static bool IsOnlyComments(string sql)
    {
        // D1 drops lines that start with "--" before deciding a query is empty.
        foreach (var line in sql.Split('\n'))
        {
            var trimmed = line.TrimStart();
            if (trimmed.Length > 0 && !trimmed.StartsWith("--", StringComparison.Ordinal)) return false;
        }
        return true;
    }

    /// <summary>Runs every statement of one query; the last statement's rows are the result.</summary>
    private D1Result Run(D1Query query)
    {
        var started = Stopwatch.GetTimestamp();
        var sizeBefore = _size;
        var readOnly = true;
        var changesBefore = raw.sqlite3_total_changes(_db);
        var lastRowBefore = raw.sqlite3_last_insert_rowid(_db);

        var sql = Encoding.UTF8.GetBytes(query.Sql);
        ReadOnlySpan<byte> rest = sql;
        var paramIndex = 0;
        IReadOnlyList<string> columns = [];
        var rows = new List<object?[]>();
        long rowsRead = 0;
        var sawStatement = false;
        while (true)
        {
            rest = TrimLeadingSpace(rest);
            if (rest.IsEmpty) break;
            // SQLite reads SQL text up to a NUL and prepares nothing from one, so the tail would
            // never advance. D1 refuses such SQL with this message.
            if (rest[0] == 0) throw new D1Exception("SQL code did not contain a statement.");
            // SQLite refuses this before parsing and leaves the tail unset, which SQLitePCLRaw
            // would then turn into a bogus span: answer for it with SQLite's own words.
            if (rest.Length > MaxSqlBytes) throw new D1Exception("statement too long: SQLITE_TOOBIG");
            _authorizer.ResetDenial();
            var rc = raw.sqlite3_prepare_v3(_db, rest, PrepareNoVtab, out var stmt, out var tail);
            if (rc != SqliteOk)
            {
                stmt?.Dispose();
                if (rc == SqliteAuth && _authorizer.DenialMessage is { } denial) throw new D1Exception(denial);
                throw Failure();
            }
            rest = tail;
            if (stmt is null || stmt.IsInvalid) { stmt?.Dispose(); continue; } // only a comment or ";"
            using (stmt)
            {
                sawStatement = true;
                readOnly &= raw.sqlite3_stmt_readonly(stmt) != 0;
                var count = raw.sqlite3_bind_parameter_count(stmt);
                if (paramIndex + count > query.Params.Count) throw new D1Exception("Wrong number of parameter bindings for SQL query.");
                for (var i = 0; i < count; i++) Bind(stmt, i + 1, query.Params[paramIndex + i]);
                paramIndex += count;

                columns = ColumnNames(stmt);
                rows.Clear();
                StepAll(stmt, rows);
                var scanned = raw.sqlite3_stmt_status(stmt, StmtStatusFullscanStep, 0);
                rowsRead += Math.Max(rows.Count, scanned > 0 ? scanned + 1 : 0);
            }
        }
        if (!sawStatement) throw new D1Exception("SQL code did not contain a statement.");
        if (paramIndex != query.Params.Count) throw new D1Exception("Wrong number of parameter bindings for SQL query.");

        var changes = raw.sqlite3_total_changes(_db) - changesBefore;
        var lastRow = raw.sqlite3_last_insert_rowid(_db);
        var sizeAfter = readOnly ? sizeBefore : _size = SizeInBytes();
        return new D1Result(columns, rows.ToArray(), new D1Meta
        {
            Duration = Stopwatch.GetElapsedTime(started).TotalMilliseconds,
            Changes = changes,
            LastRowId = lastRow,
            ChangedDb = changes != 0 || lastRow != lastRowBefore || sizeAfter != sizeBefore,
            SizeAfter = sizeAfter,
            RowsRead = rowsRead,
            RowsWritten = changes,
        });
    }

    private sealed record CachedStatement(sqlite3_stmt Statement, bool ReadOnly);

    /// <summary>
    /// The prepared statement for <paramref name="sql"/> when it is one read-only statement, from
    /// the cache or newly prepared; null when it is anything else (the general path then runs it
    /// and reports its errors).
    /// </summary>
    private CachedStatement? CachedReadOnly(string sql)
    {
        if (!_statements.TryGetValue(sql, out var cached))
        {
            var bytes = Encoding.UTF8.GetBytes(sql);
            if (bytes.Length > MaxSqlBytes) return null;
            _authorizer.ResetDenial();
            var rc = raw.sqlite3_prepare_v3(_db, bytes, PreparePersistent | PrepareNoVtab, out var stmt, out var tail);
            if (rc != SqliteOk || stmt is null || stmt.IsInvalid || !IsBlank(tail))
            {
                stmt?.Dispose();
                return null;
            }
            if (_statements.Count >= MaxCachedStatements)
            {
                foreach (var c in _statements.Values) c.Statement.Dispose();
                _statements.Clear();
            }
            cached = new CachedStatement(stmt, raw.sqlite3_stmt_readonly(stmt) != 0);
            _statements[sql] = cached;
        }
        return cached.ReadOnly ? cached : null;
    }

    private static bool IsBlank(ReadOnlySpan<byte> tail) => TrimLeadingSpace(tail).IsEmpty;

    /// <summary>Runs a cached read-only statement outside any transaction and leaves it reset for the next call.</summary>
    private D1Result RunCached(CachedStatement cached, D1Query query)
    {
        var started = Stopwatch.GetTimestamp();
        var stmt = cached.Statement;
        try
        {
            var count = raw.sqlite3_bind_parameter_count(stmt);
            if (count != query.Params.Count) throw new D1Exception("Wrong number of parameter bindings for SQL query.");
            for (var i = 0; i < count; i++) Bind(stmt, i + 1, query.Params[i]);
            var names = ColumnNames(stmt);
            var rows = new List<object?[]>();
            StepAll(stmt, rows);
            var scanned = raw.sqlite3_stmt_status(stmt, StmtStatusFullscanStep, 1);
            return new D1Result(names, rows.ToArray(), new D1Meta
            {
                Duration = Stopwatch.GetElapsedTime(started).TotalMilliseconds,
                LastRowId = raw.sqlite3_last_insert_rowid(_db),
                SizeAfter = _size,
                RowsRead = Math.Max(rows.Count, scanned > 0 ? scanned + 1 : 0),
            });
        }
        finally
        {
            raw.sqlite3_reset(stmt);
            raw.sqlite3_clear_bindings(stmt);
        }
    }

    private static string[] ColumnNames(sqlite3_stmt stmt)
    {
        var names = new string[raw.sqlite3_column_count(stmt)];
        for (var i = 0; i < names.Length; i++) names[i] = raw.sqlite3_column_name(stmt, i).utf8_to_string();
        return names;
    }

    /// <summary>Steps a statement to the end, adding each row to <paramref name="rows"/>.</summary>
    private void StepAll(sqlite3_stmt stmt, List<object?[]> rows)
    {
        var columnCount = raw.sqlite3_column_count(stmt);
        while (true)
        {
            var rc = raw.sqlite3_step(stmt);
            if (rc == SqliteRow) rows.Add(ReadRow(stmt, columnCount));
            else if (rc == SqliteDone) return;
            else throw Failure();
        }
    }

    private static ReadOnlySpan<byte> TrimLeadingSpace(ReadOnlySpan<byte> s)
    {
        var i = 0;
        while (i < s.Length && s[i] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or (byte)'\v' or (byte)'\f') i++;
        return s[i..];
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
            _ => throw new ArgumentException($"D1 cannot bind a {value.GetType().Name}; use null, a number, a string or bytes."),
        };
        if (rc != SqliteOk) throw Failure();
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

    private long SizeInBytes()
    {
        _authorizer.Internal = true;
        try
        {
            return ScalarInternal("PRAGMA page_count") * ScalarInternal("PRAGMA page_size");
        }
        finally
        {
            _authorizer.Internal = false;
        }
    }

    private long ScalarInternal(string sql)
    {
        var rc = raw.sqlite3_prepare_v2(_db, sql, out var stmt);
        if (rc != SqliteOk) throw Failure();
        using (stmt)
        {
            return raw.sqlite3_step(stmt) == SqliteRow ? raw.sqlite3_column_int64(stmt, 0) : 0;
        }
    }

    /// <summary>Runs Flint's own SQL, past the authorizer.</summary>
    private void ExecInternal(string sql)
    {
        _authorizer.Internal = true;
        try
        {
            var rc = raw.sqlite3_exec(_db, sql, null, null, out var error);
            if (rc != SqliteOk) throw new D1Exception($"{error}: {SqliteCodes.Name(rc)}");
        }
        finally
        {
            _authorizer.Internal = false;
        }
    }

    /// <summary>The last SQLite error as workerd words it: "message[ at offset N]: CODE[ (extended: CODE_X)]".</summary>
    private D1Exception Failure()
    {
        var message = raw.sqlite3_errmsg(_db).utf8_to_string();
        var extended = raw.sqlite3_extended_errcode(_db);
        var primary = extended & 0xff;
        var offset = ErrorOffset(_db);
        var text = new StringBuilder(message);
        if (offset >= 0) text.Append(" at offset ").Append(offset);
        text.Append(": ").Append(SqliteCodes.Name(primary));
        if (extended != primary) text.Append(" (extended: ").Append(SqliteCodes.Name(extended)).Append(')');
        return new D1Exception(text.ToString());
    }

    // sqlite3_error_offset (SQLite 3.38+) is not wrapped by SQLitePCLRaw; the bundled library has it.
    [DllImport("e_sqlite3", EntryPoint = "sqlite3_error_offset")]
    private static extern int NativeErrorOffset(IntPtr db);

    private static int ErrorOffset(sqlite3 db)
    {
        try { return NativeErrorOffset(db.DangerousGetHandle()); }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException) { return -1; }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var c in _statements.Values) c.Statement.Dispose();
        _statements.Clear();
        _db.Dispose();
    }
}

/// <summary>SQLite's result code names, as its C API spells them.</summary>
internal static class SqliteCodes
{
    private static readonly Dictionary<int, string> s_names = new()
    {
        [0] = "SQLITE_OK", [1] = "SQLITE_ERROR", [2] = "SQLITE_INTERNAL", [3] = "SQLITE_PERM", [4] = "SQLITE_ABORT",
        [5] = "SQLITE_BUSY", [6] = "SQLITE_LOCKED", [7] = "SQLITE_NOMEM", [8] = "SQLITE_READONLY", [9] = "SQLITE_INTERRUPT",
        [10] = "SQLITE_IOERR", [11] = "SQLITE_CORRUPT", [12] = "SQLITE_NOTFOUND", [13] = "SQLITE_FULL", [14] = "SQLITE_CANTOPEN",
        [15] = "SQLITE_PROTOCOL", [16] = "SQLITE_EMPTY", [17] = "SQLITE_SCHEMA", [18] = "SQLITE_TOOBIG", [19] = "SQLITE_CONSTRAINT",
        [20] = "SQLITE_MISMATCH", [21] = "SQLITE_MISUSE", [22] = "SQLITE_NOLFS", [23] = "SQLITE_AUTH", [24] = "SQLITE_FORMAT",
        [25] = "SQLITE_RANGE", [26] = "SQLITE_NOTADB", [27] = "SQLITE_NOTICE", [28] = "SQLITE_WARNING",
        [257] = "SQLITE_ERROR_MISSING_COLLSEQ", [513] = "SQLITE_ERROR_RETRY", [769] = "SQLITE_ERROR_SNAPSHOT",
        [275] = "SQLITE_CONSTRAINT_CHECK", [531] = "SQLITE_CONSTRAINT_COMMITHOOK", [787] = "SQLITE_CONSTRAINT_FOREIGNKEY",
        [1043] = "SQLITE_CONSTRAINT_FUNCTION", [1299] = "SQLITE_CONSTRAINT_NOTNULL", [1555] = "SQLITE_CONSTRAINT_PRIMARYKEY",
        [1811] = "SQLITE_CONSTRAINT_TRIGGER", [2067] = "SQLITE_CONSTRAINT_UNIQUE", [2323] = "SQLITE_CONSTRAINT_VTAB",
        [2579] = "SQLITE_CONSTRAINT_ROWID", [2835] = "SQLITE_CONSTRAINT_PINNED", [3091] = "SQLITE_CONSTRAINT_DATATYPE",
        [261] = "SQLITE_BUSY_RECOVERY", [517] = "SQLITE_BUSY_SNAPSHOT", [262] = "SQLITE_LOCKED_SHAREDCACHE",
        [1032] = "SQLITE_READONLY_DBMOVED", [266] = "SQLITE_IOERR_READ", [778] = "SQLITE_IOERR_WRITE",
    };

    public static string Name(int code) => s_names.TryGetValue(code, out var name) ? name : $"SQLITE_UNKNOWN_{code}";
}
