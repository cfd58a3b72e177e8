using System.Globalization;
using System.Text;

namespace Flint.Engine.D1;

/// <summary>
/// A database as SQL text that recreates it (what <c>wrangler d1 export</c> writes): tables with
/// their rows, then indexes, triggers and views. SQLite's and D1's internal tables are left out.
/// </summary>
public static class D1Export
{
    public static async Task<string> DumpAsync(D1Database db, bool schema, bool data, IReadOnlyCollection<string> onlyTables,
        CancellationToken cancellationToken = default)
    {
        var objects = (await db.QueryAsync([new D1Query(
            "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' " +
            "AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 WHEN 'trigger' THEN 2 ELSE 3 END, rowid", [])],
            cancellationToken).ConfigureAwait(false))[0].Rows;
        var wanted = onlyTables.Count == 0 ? null : new HashSet<string>(onlyTables, StringComparer.OrdinalIgnoreCase);
        var missing = wanted?.Where(t => !objects.Any(o => (string)o[0]! == "table" && string.Equals((string)o[1]!, t, StringComparison.OrdinalIgnoreCase))).ToList();
        if (missing is { Count: > 0 }) throw new D1Exception($"No such table: {string.Join(", ", missing)}");

        var sql = new StringBuilder("PRAGMA defer_foreign_keys=TRUE;\n");
        foreach (var o in objects)
        {
            var (type, name, table, create) = ((string)o[0]!, (string)o[1]!, (string)o[2]!, (string)o[3]!);
            if (wanted is not null && !wanted.Contains(table)) continue;
            if (schema) sql.Append(create).Append(";\n");
            if (type != "table" || !data) continue;
            var rows = (await db.QueryAsync([new D1Query($"SELECT * FROM {Quote(name)}", [])], cancellationToken).ConfigureAwait(false))[0];
            var columns = string.Join(",", rows.Columns.Select(Quote));
            foreach (var row in rows.Rows)
            {
                sql.Append("INSERT INTO ").Append(Quote(name)).Append(" (").Append(columns).Append(") VALUES(");
                for (var i = 0; i < row.Length; i++)
                {
                    if (i > 0) sql.Append(',');
                    AppendLiteral(sql, row[i]);
                }
                sql.Append(");\n");
            }
        }
        return sql.ToString();
    }

    /// <summary>An SQL identifier in double quotes, inner quotes doubled.</summary>
    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"") + "\"";

    private static void AppendLiteral(StringBuilder sql, object? value)
    {
        switch (value)
        {
            case null: sql.Append("NULL"); break;
            case long l: sql.Append(l.ToString(CultureInfo.InvariantCulture)); break;
            case double d:
                // Keep a real a real (1.0 not 1) and every bit of its precision.
                var text = d.ToString("R", CultureInfo.InvariantCulture);
                if (double.IsPositiveInfinity(d)) text = "9e999";
                else if (double.IsNegativeInfinity(d)) text = "-9e999";
                else if (!text.Contains('.') && !text.Contains('E')) text += ".0";
                sql.Append(text);
                break;
            case string s: sql.Append('\'').Append(s.Replace("'", "''")).Append('\''); break;
            case byte[] b: sql.Append("X'").Append(Convert.ToHexString(b)).Append('\''); break;
            default: throw new ArgumentException($"Unexpected SQLite value {value.GetType().Name}.");
        }
    }
}
