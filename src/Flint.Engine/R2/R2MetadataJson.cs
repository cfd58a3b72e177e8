using System.Text.Json;

namespace Flint.Engine.R2;

/// <summary>How an object's metadata is kept in its row: small JSON documents, read back in the order written.</summary>
internal static class R2MetadataJson
{
    public static string? WriteHttp(R2HttpMetadata m)
    {
        if (m == R2HttpMetadata.Empty) return null;
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            if (m.ContentType is { } ct) w.WriteString("contentType", ct);
            if (m.ContentLanguage is { } cl) w.WriteString("contentLanguage", cl);
            if (m.ContentDisposition is { } cd) w.WriteString("contentDisposition", cd);
            if (m.ContentEncoding is { } ce) w.WriteString("contentEncoding", ce);
            if (m.CacheControl is { } cc) w.WriteString("cacheControl", cc);
            if (m.CacheExpiry is { } ex) w.WriteNumber("cacheExpiry", ex);
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static R2HttpMetadata ReadHttp(string? json)
    {
        if (json is null) return R2HttpMetadata.Empty;
        using var doc = JsonDocument.Parse(json);
        var r = doc.RootElement;
        string? S(string name) => r.TryGetProperty(name, out var v) ? v.GetString() : null;
        return new R2HttpMetadata
        {
            ContentType = S("contentType"),
            ContentLanguage = S("contentLanguage"),
            ContentDisposition = S("contentDisposition"),
            ContentEncoding = S("contentEncoding"),
            CacheControl = S("cacheControl"),
            CacheExpiry = r.TryGetProperty("cacheExpiry", out var e) ? e.GetInt64() : null,
        };
    }

    /// <summary>Custom metadata as a JSON array of [name, value] pairs, which keeps their order.</summary>
    public static string? WriteCustom(IReadOnlyList<KeyValuePair<string, string>> custom)
    {
        if (custom.Count == 0) return null;
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartArray();
            foreach (var (k, v) in custom)
            {
                w.WriteStartArray();
                w.WriteStringValue(k);
                w.WriteStringValue(v);
                w.WriteEndArray();
            }
            w.WriteEndArray();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static IReadOnlyList<KeyValuePair<string, string>> ReadCustom(string? json)
    {
        if (json is null) return [];
        using var doc = JsonDocument.Parse(json);
        var list = new List<KeyValuePair<string, string>>();
        foreach (var pair in doc.RootElement.EnumerateArray()) list.Add(new(pair[0].GetString()!, pair[1].GetString()!));
        return list;
    }

    private static readonly string[] s_algorithmNames = ["md5", "sha1", "sha256", "sha384", "sha512"];

    public static string AlgorithmName(R2HashAlgorithm a) => s_algorithmNames[(int)a];

    public static string? WriteChecksums(IReadOnlyDictionary<R2HashAlgorithm, string> checksums)
    {
        if (checksums.Count == 0) return null;
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            foreach (var a in Enum.GetValues<R2HashAlgorithm>())
                if (checksums.TryGetValue(a, out var hex)) w.WriteString(AlgorithmName(a), hex);
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static IReadOnlyDictionary<R2HashAlgorithm, string> ReadChecksums(string? json)
    {
        var result = new Dictionary<R2HashAlgorithm, string>();
        if (json is null) return result;
        // The common case, an MD5 alone, without a JSON parse per listed object.
        if (json.Length == 42 && json.StartsWith("{\"md5\":\"", StringComparison.Ordinal) && json.EndsWith("\"}", StringComparison.Ordinal))
        {
            result[R2HashAlgorithm.Md5] = json[8..40];
            return result;
        }
        using var doc = JsonDocument.Parse(json);
        foreach (var a in Enum.GetValues<R2HashAlgorithm>())
            if (doc.RootElement.TryGetProperty(AlgorithmName(a), out var v)) result[a] = v.GetString()!;
        return result;
    }
}
