using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace Flint.Engine.Storage;

/// <summary>
/// One SQLite file, opened the way Flint's engines need it: WAL (readers never wait for the
/// writer), <c>synchronous=FULL</c> (a committed write is on disk before it is acknowledged, so it
/// survives kill -9 and power loss), foreign keys on. Writes go one at a time through an async
/// gate, so concurrent writers queue instead of failing with "database is locked"; reads use a
/// small pool of their own connections. SQLite itself is synchronous: call this off the isolate's
/// event loop (bindings already run on the thread pool).
/// </summary>
public sealed class SqliteDatabase : IDisposable
{
    private readonly string _connectionString;
    private readonly ConcurrentBag<SqliteSession> _readers = new();
    private readonly SqliteSession _writer;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private volatile bool _disposed;

    private SqliteDatabase(string path)
    {
        Path = path;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false, // this class pools; Microsoft.Data.Sqlite's pool would keep files open after Dispose
        }.ToString();
        _writer = OpenSession();
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>Opens (creating if needed) the file and runs <paramref name="schema"/> in one transaction.</summary>
    public static SqliteDatabase Open(string path, string? schema = null)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        var db = new SqliteDatabase(path);
        try
        {
            if (schema is not null)
            {
                using var tx = db._writer.Connection.BeginTransaction();
                using var cmd = db._writer.Connection.CreateCommand();
                cmd.Transaction = tx;
                cmd.CommandText = schema;
                cmd.ExecuteNonQuery();
                tx.Commit();
            }
            return db;
        }
        catch
        {
            db.Dispose();
            throw;
        }
    }

    private SqliteSession OpenSession()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;";
        cmd.ExecuteNonQuery();
        return new SqliteSession(connection);
    }

    /// <summary>Runs a read on a pooled connection. Blocks on disk I/O: do not call on an event loop.</summary>
    public T Read<T>(Func<SqliteSession, T> read)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var session = _readers.TryTake(out var s) ? s : OpenSession();
        try
        {
            return read(session);
        }
        finally
        {
            if (_disposed || _readers.Count >= Environment.ProcessorCount * 2) session.Dispose();
            else _readers.Add(session);
        }
    }

    /// <summary>
    /// Runs <paramref name="write"/> as the only writer, inside a transaction committed (and synced)
    /// before this returns; an exception rolls it back. Waiting for the gate blocks no thread.
    /// </summary>
    public async Task<T> WriteAsync<T>(Func<SqliteSession, T> write, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return WriteLocked(write);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private T WriteLocked<T>(Func<SqliteSession, T> write)
    {
        using var tx = _writer.Connection.BeginTransaction();
        _writer.Transaction = tx;
        try
        {
            var result = write(_writer);
            tx.Commit();
            return result;
        }
        finally
        {
            _writer.Transaction = null;
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        // Take the gate so no write is cut off midway; Dispose is rare and may wait.
        _writeGate.Wait();
        _writer.Dispose();
        while (_readers.TryTake(out var s)) s.Dispose();
        _writeGate.Dispose();
    }
}

/// <summary>An open connection with its prepared commands, reused by SQL text so hot queries compile once.</summary>
public sealed class SqliteSession : IDisposable
{
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

    internal SqliteSession(SqliteConnection connection) => Connection = connection;

    public SqliteConnection Connection { get; }

    /// <summary>The open transaction when this session is the writer, else null.</summary>
    public SqliteTransaction? Transaction { get; internal set; }

    /// <summary>A cached, prepared command for <paramref name="sql"/> with its parameters cleared.</summary>
    public SqliteCommand Command(string sql)
    {
        if (!_commands.TryGetValue(sql, out var cmd))
        {
            cmd = Connection.CreateCommand();
            cmd.CommandText = sql;
            _commands[sql] = cmd;
        }
        cmd.Parameters.Clear();
        cmd.Transaction = Transaction;
        return cmd;
    }

    public void Dispose()
    {
        foreach (var cmd in _commands.Values) cmd.Dispose();
        _commands.Clear();
        Connection.Dispose();
    }
}
