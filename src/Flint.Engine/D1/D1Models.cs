namespace Flint.Engine.D1;

/// <summary>One SQL text with its bound values: null, long, double, string or byte[] (a blob).</summary>
public sealed record D1Query(string Sql, IReadOnlyList<object?> Params);

/// <summary>What D1 reports about one query (wrangler dev's meta fields).</summary>
public sealed record D1Meta
{
    public double Duration { get; init; }
    public long Changes { get; init; }
    public long LastRowId { get; init; }
    public bool ChangedDb { get; init; }
    public long SizeAfter { get; init; }
    /// <summary>Approximate: SQLite (unlike D1's libSQL) does not count rows read; see <see cref="D1Database"/>.</summary>
    public long RowsRead { get; init; }
    public long RowsWritten { get; init; }
}

/// <summary>The result of one query: its last statement's columns and rows (values as for <see cref="D1Query"/>).</summary>
public sealed record D1Result(IReadOnlyList<string> Columns, IReadOnlyList<object?[]> Rows, D1Meta Meta);

/// <summary>
/// A query D1 refused or SQLite failed, with the message wrangler dev gives (without the
/// <c>D1_ERROR: </c> prefix the binding adds), e.g. <c>no such table: t: SQLITE_ERROR</c>.
/// </summary>
public sealed class D1Exception(string message) : Exception(message);

/// <summary>How the D1 databases of one data directory are run.</summary>
public sealed record D1Options
{
    /// <summary>
    /// Longest one call (a query or a batch) may run before it is stopped and rolled back, with
    /// D1's error. D1's documented maximum SQL query duration is 30 seconds.
    /// </summary>
    public TimeSpan QueryTimeLimit { get; init; } = TimeSpan.FromSeconds(30);
}
