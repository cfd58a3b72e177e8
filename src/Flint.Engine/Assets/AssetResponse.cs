namespace Flint.Engine.Assets;

/// <summary>Response headers in order, with the Fetch API's set/append/delete (names compared without case).</summary>
public sealed class ResponseHeaders : List<KeyValuePair<string, string>>
{
    public string? Get(string name)
    {
        string? value = null;
        foreach (var (k, v) in this)
        {
            if (!k.Equals(name, StringComparison.OrdinalIgnoreCase)) continue;
            value = value is null ? v : $"{value}, {v}";
        }
        return value;
    }

    public bool Has(string name) => Exists(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase));

    public void Set(string name, string value)
    {
        var at = FindIndex(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase));
        Remove(name);
        Insert(at < 0 ? Count : Math.Min(at, Count), new(name, value));
    }

    public void Append(string name, string value) => Add(new(name, value));

    public void Remove(string name) => RemoveAll(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase));
}

/// <summary>
/// What the asset server answers: a status, its headers, and the file to send (null for no body). A
/// HEAD request gets the head and the file (for its length) with <see cref="OmitBody"/>.
/// </summary>
public sealed class AssetResponse
{
    public AssetResponse(int status, string? statusText = null)
    {
        Status = status;
        StatusText = statusText;
    }

    public int Status { get; }
    /// <summary>The reason phrase the asset worker gives, when it names one.</summary>
    public string? StatusText { get; }
    public ResponseHeaders Headers { get; } = [];
    public AssetFile? File { get; init; }
    /// <summary>True for HEAD: the head as for GET, no body.</summary>
    public bool OmitBody { get; init; }
    /// <summary>A small plain-text body (Pages' and wrangler's error messages), when there is no file.</summary>
    public string? Text { get; init; }

    public static AssetResponse Redirect(int status, string location)
    {
        var r = new AssetResponse(status, status switch
        {
            301 => "Moved Permanently", 302 => "Found", 303 => "See Other", 307 => "Temporary Redirect", 308 => "Permanent Redirect", _ => null,
        });
        r.Headers.Add(new("Location", location));
        return r;
    }
}
