using System.Runtime.InteropServices;
using SQLitePCL;

namespace Flint.Engine.DurableObjects;

/// <summary>
/// The limits workerd puts on a Durable Object's SQLite database (its SqliteDatabase::setupSecurity,
/// after sqlite.org/security.html), so the same SQL fails the same way: 4 MiB strings and blobs,
/// 100 KB statements, 100 columns and bound parameters, no ATTACH.
/// </summary>
internal static class SqlLimits
{
    public const int MaxSqlBytes = 100_000;

    // sqlite3.h's SQLITE_LIMIT_* codes.
    private const int Length = 0, SqlLength = 1, Column = 2, ExprDepth = 3, CompoundSelect = 4, VdbeOp = 5, FunctionArg = 6,
        Attached = 7, LikePatternLength = 8, VariableNumber = 9, TriggerDepth = 10, WorkerThreads = 11;
    private const int DbConfigDefensive = 1010;

    public static void Apply(sqlite3 db)
    {
        raw.sqlite3_limit(db, Length, 4 * 1024 * 1024);
        raw.sqlite3_limit(db, SqlLength, MaxSqlBytes);
        raw.sqlite3_limit(db, Column, 100);
        raw.sqlite3_limit(db, ExprDepth, 100);
        raw.sqlite3_limit(db, CompoundSelect, 5);
        raw.sqlite3_limit(db, VdbeOp, 25000);
        raw.sqlite3_limit(db, FunctionArg, 127);
        raw.sqlite3_limit(db, Attached, 0);
        raw.sqlite3_limit(db, LikePatternLength, 50);
        raw.sqlite3_limit(db, VariableNumber, 100);
        raw.sqlite3_limit(db, TriggerDepth, 10);
        raw.sqlite3_limit(db, WorkerThreads, 0);
        raw.sqlite3_db_config(db, DbConfigDefensive, 1, out _);
    }

    // sqlite3_error_offset (SQLite 3.38+) is not wrapped by SQLitePCLRaw; the bundled library has it.
    [DllImport("e_sqlite3", EntryPoint = "sqlite3_error_offset")]
    private static extern int NativeErrorOffset(IntPtr db);

    public static int ErrorOffset(sqlite3 db)
    {
        try { return NativeErrorOffset(db.DangerousGetHandle()); }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException) { return -1; }
    }
}
