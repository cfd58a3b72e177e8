using System.Text;
using System.Text.Json;
using Flint.Engine.Cache;

namespace Flint.JavaScript.Bindings.Cache;

/// <summary>
/// The host side of the Cache API (<c>caches.default</c>, <c>caches.open()</c>; the JavaScript face
/// is 82_cache.js). Not an env entry: the face finds it by its kind. The face checks arguments
/// with workerd's errors and sends one call per match, put or delete:
/// <list type="bullet">
/// <item><c>match</c> {ns, key, range?, ifNoneMatch?, ifModifiedSince?} → the head (status, then
/// header names and values, one a line) and the body as a stream; nothing on a miss.</item>
/// <item><c>put</c> {ns, key, auth, status, headers: [name, value, …], length?} with the body as
/// bytes or a stream → nothing (a response the cache does not keep is read and dropped).</item>
/// <item><c>delete</c> {ns, key} → "1" when an entry was removed, else "0".</item>
/// </list>
/// </summary>
public sealed class CacheBinding(CacheStore store) : HostBinding("caches")
{
    public override string Kind => "cache";

    /// <summary>The face is kept out of env (see 75_bindings.js).</summary>
    public override string? DescriptorJson => """{"internal":true}""";

    public override async ValueTask<BindingResult> InvokeAsync(BindingCall call, CancellationToken cancellationToken)
    {
        using var args = JsonDocument.Parse(call.Args);
        var root = args.RootElement;
        var ns = root.GetProperty("ns").GetString()!;
        var key = root.GetProperty("key").GetString()!;
        switch (call.Method)
        {
            case "match":
                return Match(ns, key, root);
            case "put":
                await PutAsync(ns, key, root, call, cancellationToken).ConfigureAwait(false);
                return BindingResult.Empty;
            case "delete":
                return BindingResult.FromText(await store.DeleteAsync(ns, key, cancellationToken).ConfigureAwait(false) ? "1" : "0");
            default:
                throw new BindingException($"The cache has no method \"{call.Method}\".", "TypeError");
        }
    }

    private BindingResult Match(string ns, string key, JsonElement root)
    {
        string? Str(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var result = store.Match(ns, key, new CacheMatchRequest(Str("range"), Str("ifNoneMatch"), Str("ifModifiedSince")));
        if (result is null) return BindingResult.Empty;
        var head = new StringBuilder();
        head.Append(result.Status);
        foreach (var h in result.Headers) head.Append('\n').Append(h.Name).Append('\n').Append(h.Value);
        return new BindingResult { Text = head.ToString(), Stream = result.Body ?? Stream.Null };
    }

    private async Task PutAsync(string ns, string key, JsonElement root, BindingCall call, CancellationToken cancellationToken)
    {
        var flat = root.GetProperty("headers");
        var headers = new List<CacheHeader>(flat.GetArrayLength() / 2);
        for (var i = 0; i + 1 < flat.GetArrayLength(); i += 2) headers.Add(new CacheHeader(flat[i].GetString()!, flat[i + 1].GetString()!));
        long? length = root.TryGetProperty("length", out var l) && l.ValueKind == JsonValueKind.Number ? l.GetInt64() : null;
        var put = new CachePut(ns, key, root.GetProperty("status").GetInt32(), headers, root.GetProperty("auth").GetBoolean(), length);
        var body = call.Body ?? new MemoryStream(call.Bytes ?? [], writable: false);
        await store.PutAsync(put, body, cancellationToken).ConfigureAwait(false);
    }
}
