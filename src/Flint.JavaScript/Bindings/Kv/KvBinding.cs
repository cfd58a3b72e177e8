using System.Buffers;
using System.Text;
using System.Text.Json;
using Flint.Engine.Kv;

namespace Flint.JavaScript.Bindings.Kv;

/// <summary>
/// A KV namespace as a Worker's <c>env.NAME</c> (the JavaScript face is KVNamespace in 76_kv.js).
/// Errors read as workerd shows KV's answers: <c>KV GET failed: 400 …</c>.
/// </summary>
public sealed class KvBinding(string name, KvNamespaceStore store) : HostBinding(name)
{
    private static readonly UTF8Encoding s_utf8 = new(false, false);
    // Only the isolate's JSON.parse reads this JSON: no need to escape HTML or non-ASCII characters.
    private static readonly JsonWriterOptions s_json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public override string Kind => "kv";

    public override async ValueTask<BindingResult> InvokeAsync(BindingCall call, CancellationToken cancellationToken)
    {
        var (operation, type) = SplitMethod(call.Method);
        try
        {
            return operation switch
            {
                "get" => await GetAsync(call.Args, type, withMetadata: false, cancellationToken).ConfigureAwait(false),
                "getm" => await GetAsync(call.Args, type, withMetadata: true, cancellationToken).ConfigureAwait(false),
                "bulk" => await GetBulkAsync(call.Args, cancellationToken).ConfigureAwait(false),
                "put" => await PutAsync(call, cancellationToken).ConfigureAwait(false),
                "delete" => await DeleteAsync(call.Args, cancellationToken).ConfigureAwait(false),
                "list" => List(call.Args),
                _ => throw new BindingException($"KV has no method \"{call.Method}\".", "TypeError"),
            };
        }
        catch (KvException ex)
        {
            throw new BindingException($"KV {KvMethodName(operation)} failed: {ex.Status} {ex.Message}");
        }
    }

    /// <summary>A key from the face's JSON; one with a lone surrogate (which System.Text.Json cannot give as a string) is KV's decoding error.</summary>
    private static string Key(JsonElement element)
    {
        try
        {
            return element.GetString() ?? "";
        }
        catch (InvalidOperationException)
        {
            throw new KvException(400, "Could not URL-decode key name");
        }
    }

    private static (string Operation, string Type) SplitMethod(string method)
    {
        var dot = method.IndexOf('.');
        return dot < 0 ? (method, "") : (method[..dot], method[(dot + 1)..]);
    }

    // The operation names workerd puts in its error messages.
    private static string KvMethodName(string operation) => operation switch
    {
        "put" => "PUT",
        "delete" => "DELETE",
        "bulk" => "GET_BULK",
        _ => "GET",
    };

    /// <summary>
    /// One key. Without metadata, a text value crosses as a string (the cheapest crossing);
    /// otherwise the value crosses as bytes or a stream and the text carries the metadata as JSON.
    /// </summary>
    private async Task<BindingResult> GetAsync(string key, string type, bool withMetadata, CancellationToken cancellationToken)
    {
        using var value = store.Get(key);
        if (value is null) return BindingResult.Empty;
        var metadata = withMetadata ? value.MetadataJson ?? "null" : null;
        if (type == "stream") return new BindingResult { Text = metadata, Stream = value.TakeStream() };
        // text, json and arrayBuffer need the whole value, as in workerd.
        var bytes = value.Bytes ?? await value.ReadAllAsync(cancellationToken).ConfigureAwait(false);
        if (type == "text" && !withMetadata) return new BindingResult { Text = s_utf8.GetString(bytes) };
        return new BindingResult { Text = metadata, Bytes = bytes };
    }

    private async Task<BindingResult> GetBulkAsync(string argsJson, CancellationToken cancellationToken)
    {
        using var args = JsonDocument.Parse(argsJson);
        var root = args.RootElement;
        var type = root.TryGetProperty("type", out var t) ? t.GetString() : null;
        var withMetadata = root.TryGetProperty("withMetadata", out var wm) && wm.GetBoolean();
        if (type is not null && type != "text" && type != "json")
            throw new KvException(400, $"\"{type}\" is not a valid type. Use \"json\" or \"text\"");
        var keys = root.GetProperty("keys").EnumerateArray().Select(Key).ToList();
        if (keys.Count > KvLimits.MaxBulkGetKeys) throw new KvException(400, $"You can request a maximum of {KvLimits.MaxBulkGetKeys} keys");
        if (keys.Count < 1) throw new KvException(400, "You must request a minimum of 1 key");
        if (root.TryGetProperty("cacheTtl", out var ttl)) ValidateCacheTtl(ttl.GetString());

        var output = new ArrayBufferWriter<byte>();
        long total = 0;
        using (var json = new Utf8JsonWriter(output, s_json))
        {
            json.WriteStartObject();
            foreach (var key in keys)
            {
                KvNamespaceStore.ValidateKey(key);
                using var value = store.Get(key);
                json.WritePropertyName(key);
                if (value is null)
                {
                    json.WriteNullValue();
                    continue;
                }
                var bytes = value.Bytes ?? await value.ReadAllAsync(cancellationToken).ConfigureAwait(false);
                var text = s_utf8.GetString(bytes);
                total += text.Length;
                if (withMetadata) { json.WriteStartObject(); json.WritePropertyName("value"); }
                if (type == "json")
                {
                    try { using var parsed = JsonDocument.Parse(text); parsed.WriteTo(json); }
                    catch (JsonException) { throw new KvException(400, "At least one of the requested keys corresponds to a non-json value"); }
                }
                else json.WriteStringValue(text);
                if (withMetadata)
                {
                    json.WritePropertyName("metadata");
                    if (value.MetadataJson is { } m) json.WriteRawValue(m, skipInputValidation: true);
                    else json.WriteNullValue();
                    json.WriteEndObject();
                }
            }
            json.WriteEndObject();
        }
        if (total > KvLimits.MaxBulkGetBytes)
            throw new KvException(413, $"Total size of request exceeds the limit of {KvLimits.MaxBulkGetBytes / 1024 / 1024}MB");
        return BindingResult.FromText(Encoding.UTF8.GetString(output.WrittenSpan));
    }

    /// <summary>KV's check of cacheTtl (the value itself does nothing locally: there is one "edge", this machine).</summary>
    internal static void ValidateCacheTtl(string? cacheTtl)
    {
        if (cacheTtl is null) return;
        if (!long.TryParse(cacheTtl, out var ttl) || ttl < KvLimits.MinCacheTtlSeconds)
            throw new KvException(400, $"Invalid cache_ttl of {cacheTtl}. Cache TTL must be at least {KvLimits.MinCacheTtlSeconds}.");
    }

    private async Task<BindingResult> PutAsync(BindingCall call, CancellationToken cancellationToken)
    {
        using var args = JsonDocument.Parse(call.Args);
        var root = args.RootElement;
        var key = Key(root.GetProperty("key"));
        var options = new KvPutOptions
        {
            Expiration = root.TryGetProperty("expiration", out var e) ? e.GetInt64() : null,
            ExpirationTtl = root.TryGetProperty("expirationTtl", out var ttl) ? ttl.GetInt64() : null,
            MetadataJson = root.TryGetProperty("metadata", out var m) ? m.GetString() : null,
        };
        long? metadataBytes = root.TryGetProperty("metadataBytes", out var mb) ? mb.GetInt64() : null;
        long? valueBytes = root.TryGetProperty("valueBytes", out var vb) ? vb.GetInt64() : null;
        if (metadataBytes is not null || valueBytes is not null) store.RefuseOversizedPut(key, options, metadataBytes, valueBytes);
        if (call.Body is { } body) await store.PutAsync(key, body, options, cancellationToken).ConfigureAwait(false);
        else await store.PutAsync(key, call.Bytes ?? [], options, cancellationToken).ConfigureAwait(false);
        return BindingResult.Empty;
    }

    private async Task<BindingResult> DeleteAsync(string key, CancellationToken cancellationToken)
    {
        await store.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
        return BindingResult.Empty;
    }

    private BindingResult List(string argsJson)
    {
        using var args = JsonDocument.Parse(argsJson);
        var root = args.RootElement;
        string? Str(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        int? limit = root.TryGetProperty("limit", out var l) ? l.GetInt32() : null;
        string? prefix = null;
        var unmatchable = false;
        try
        {
            prefix = Str("prefix");
        }
        catch (InvalidOperationException)
        {
            unmatchable = true; // a lone surrogate: no key starts with it (keys are well-formed), as wrangler dev answers
        }
        var result = unmatchable ? new KvListResult([], true, null) : store.List(prefix, limit, Str("cursor"));

        // The shape workerd hands the Worker: keys with only the fields they have, then list_complete, cursor, cacheStatus.
        var output = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(output, s_json))
        {
            json.WriteStartObject();
            json.WriteStartArray("keys");
            foreach (var key in result.Keys)
            {
                json.WriteStartObject();
                json.WriteString("name", key.Name);
                if (key.Expiration is { } exp) json.WriteNumber("expiration", exp);
                if (key.MetadataJson is { } meta) { json.WritePropertyName("metadata"); json.WriteRawValue(meta, skipInputValidation: true); }
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteBoolean("list_complete", result.ListComplete);
            if (result.Cursor is { } cursor) json.WriteString("cursor", cursor);
            json.WriteNull("cacheStatus");
            json.WriteEndObject();
        }
        return BindingResult.FromText(Encoding.UTF8.GetString(output.WrittenSpan));
    }
}
