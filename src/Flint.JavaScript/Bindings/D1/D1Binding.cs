using System.Buffers;
using System.Text;
using System.Text.Json;
using Flint.Engine.D1;

namespace Flint.JavaScript.Bindings.D1;

/// <summary>
/// A D1 database as a Worker's <c>env.NAME</c> (the JavaScript face is 77_d1.js). One call runs
/// one query or a batch in one transaction and answers in the shape D1's HTTP API (and wrangler
/// dev) gives: per query <c>{success, meta, results}</c>, or <c>{error}</c> when it failed.
/// </summary>
public sealed class D1Binding(string name, D1Database database) : HostBinding(name)
{
    // Only the isolate's JSON.parse reads this JSON: no need to escape HTML or non-ASCII characters.
    private static readonly JsonWriterOptions s_json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>What D1 reports as the instance that served a query.</summary>
    public const string ServedBy = "flint.db";

    public override string Kind => "d1";

    public override async ValueTask<BindingResult> InvokeAsync(BindingCall call, CancellationToken cancellationToken)
    {
        if (call.Method != "query") throw new BindingException($"D1 has no method \"{call.Method}\".", "TypeError");
        List<D1Query> queries;
        string format;
        try
        {
            (queries, format) = ParseRequest(call.Args);
        }
        catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException or JsonException or FormatException)
        {
            // A statement without SQL text (prepare() with no argument, a batch of non-statements).
            return BindingResult.FromText(JsonSerializer.Serialize(new { error = "Failed to parse body as JSON, got: ZodError\n    (each query needs an \"sql\" string)" }));
        }
        IReadOnlyList<D1Result> results;
        try
        {
            results = await database.QueryAsync(queries, cancellationToken).ConfigureAwait(false);
        }
        catch (D1Exception ex)
        {
            return BindingResult.FromText(JsonSerializer.Serialize(new { error = ex.Message }));
        }
        return BindingResult.FromText(Serialize(results, format, database.Bookmark));
    }

    public override string? TryInvokeInline(BindingCall call)
    {
        if (call.Method != "query") return null;
        try
        {
            var (queries, format) = ParseRequest(call.Args);
            if (queries.Count != 1 || !database.TryQueryInline(queries[0], out var result)) return null;
            return Serialize([result!], format, database.Bookmark);
        }
        catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException or JsonException or FormatException or BindingException)
        {
            return null;
        }
    }

    private static (List<D1Query> Queries, string Format) ParseRequest(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var format = root.TryGetProperty("format", out var f) ? f.GetString() ?? "" : "";
        var queries = new List<D1Query>();
        foreach (var q in root.GetProperty("queries").EnumerateArray())
        {
            var values = new List<object?>();
            if (q.TryGetProperty("params", out var ps) && ps.ValueKind == JsonValueKind.Array)
            {
                foreach (var p in ps.EnumerateArray()) values.Add(ToValue(p));
            }
            var sql = q.GetProperty("sql");
            if (sql.ValueKind != JsonValueKind.String) throw new FormatException("sql is not a string");
            queries.Add(new D1Query(sql.GetString()!, values));
        }
        return (queries, format);
    }

    /// <summary>A bound value as the face sends it: a number, a string, null, or an array of bytes (a blob).</summary>
    private static object? ToValue(JsonElement p) => p.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.String => p.GetString(),
        JsonValueKind.Number => p.TryGetInt64(out var l) ? l : p.GetDouble(),
        JsonValueKind.Array => p.EnumerateArray().Select(b => (byte)b.GetInt32()).ToArray(),
        _ => throw new BindingException($"D1_TYPE_ERROR: Type '{p.ValueKind}' not supported.", "Error"),
    };

    private static string Serialize(IReadOnlyList<D1Result> results, string format, string bookmark)
    {
        var output = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(output, s_json))
        {
            json.WriteStartObject();
            json.WriteString("bookmark", bookmark);
            json.WriteStartArray("results");
            foreach (var r in results)
            {
                json.WriteStartObject();
                json.WriteBoolean("success", true);
                WriteMeta(json, r.Meta);
                if (format == "ROWS_AND_COLUMNS")
                {
                    json.WriteStartObject("results");
                    json.WriteStartArray("columns");
                    foreach (var c in r.Columns) json.WriteStringValue(c);
                    json.WriteEndArray();
                    json.WriteStartArray("rows");
                    foreach (var row in r.Rows)
                    {
                        json.WriteStartArray();
                        foreach (var v in row) WriteValue(json, v);
                        json.WriteEndArray();
                    }
                    json.WriteEndArray();
                    json.WriteEndObject();
                }
                else
                {
                    // Rows as objects (what wrangler dev answers for "NONE" too); a repeated column name keeps the last value.
                    json.WriteStartArray("results");
                    foreach (var row in r.Rows)
                    {
                        json.WriteStartObject();
                        for (var i = 0; i < row.Length; i++)
                        {
                            json.WritePropertyName(r.Columns[i]);
                            WriteValue(json, row[i]);
                        }
                        json.WriteEndObject();
                    }
                    json.WriteEndArray();
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    private static void WriteMeta(Utf8JsonWriter json, D1Meta m)
    {
        json.WriteStartObject("meta");
        json.WriteString("served_by", ServedBy);
        json.WriteBoolean("served_by_primary", true);
        json.WriteNumber("total_attempts", 1);
        json.WriteStartObject("timings");
        json.WriteNumber("sql_duration_ms", m.Duration);
        json.WriteEndObject();
        json.WriteNumber("duration", m.Duration);
        json.WriteNumber("changes", m.Changes);
        json.WriteNumber("last_row_id", m.LastRowId);
        json.WriteBoolean("changed_db", m.ChangedDb);
        json.WriteNumber("size_after", m.SizeAfter);
        json.WriteNumber("rows_read", m.RowsRead);
        json.WriteNumber("rows_written", m.RowsWritten);
        json.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter json, object? v)
    {
        switch (v)
        {
            case null: json.WriteNullValue(); break;
            // Integers cross as JSON numbers, so beyond 2^53 they round as in D1 (JavaScript numbers).
            case long l: json.WriteNumberValue(l); break;
            case double d when double.IsFinite(d): json.WriteNumberValue(d); break;
            case double: json.WriteNullValue(); break;
            case string s: json.WriteStringValue(s); break;
            case byte[] b:
                json.WriteStartArray();
                foreach (var x in b) json.WriteNumberValue(x);
                json.WriteEndArray();
                break;
        }
    }
}
