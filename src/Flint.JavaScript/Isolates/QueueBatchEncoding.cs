using System.Buffers;
using System.Text;
using System.Text.Unicode;
using System.Text.Json;
using Flint.Engine.Queues;

namespace Flint.JavaScript.Isolates;

/// <summary>
/// A batch as it crosses into the isolate, in one call: a JSON header (the backlog, and each
/// message's id, time, attempts and type, with json and text bodies inline, so one JSON.parse
/// reads them all) and one buffer holding the bytes and v8 bodies (82_queues.js reads it).
/// </summary>
internal static class QueueBatchEncoding
{
    private static readonly JsonWriterOptions s_json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static (string Header, byte[]? Bytes) Encode(QueueBatch batch)
    {
        var output = new ArrayBufferWriter<byte>();
        var bytes = new MemoryStream();
        using (var json = new Utf8JsonWriter(output, s_json))
        {
            json.WriteStartObject();
            json.WriteStartObject("metrics");
            json.WriteNumber("backlogCount", batch.Metrics.BacklogCount);
            json.WriteNumber("backlogBytes", batch.Metrics.BacklogBytes);
            if (batch.Metrics.OldestMessageTimestampMs is { } oldest) json.WriteNumber("oldestMessageTimestamp", oldest);
            json.WriteEndObject();
            json.WriteStartArray("messages");
            foreach (var m in batch.Messages)
            {
                json.WriteStartObject();
                json.WriteString("i", m.Id);
                json.WriteNumber("t", m.TimestampMs);
                json.WriteNumber("a", m.Attempts);
                json.WriteString("y", m.ContentType);
                if (!WriteInline(json, m))
                {
                    json.WriteNumber("o", bytes.Length);
                    json.WriteNumber("n", m.Body.Length);
                    bytes.Write(m.Body);
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return (Encoding.UTF8.GetString(output.WrittenSpan), bytes.Length > 0 ? bytes.ToArray() : null);
    }

    /// <summary>Writes a json or text body into the header; false (nothing written) when it goes in the buffer.</summary>
    private static bool WriteInline(Utf8JsonWriter json, DeliveredMessage m)
    {
        if (m.ContentType == QueueContentTypes.Json && IsJson(m.Body))
        {
            json.WritePropertyName("b");
            json.WriteRawValue(m.Body, skipInputValidation: true);
            return true;
        }
        if (m.ContentType == QueueContentTypes.Text && Utf8.IsValid(m.Body))
        {
            json.WriteString("b", m.Body);
            return true;
        }
        // Bytes and v8 bodies; a json or text body that is not what it claims is decoded (and fails) in script.
        return false;
    }

    private static bool IsJson(byte[] body)
    {
        var reader = new Utf8JsonReader(body);
        try
        {
            return reader.Read() && reader.TrySkip() && !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
