using System.Security.Cryptography;
using System.Text;

namespace Flint.Engine.DurableObjects;

/// <summary>
/// Ids of one namespace, made as workerd makes them locally: 32 bytes shown as 64 hex digits, the
/// first 16 random (<c>newUniqueId</c>) or derived from the name (<c>idFromName</c>), the last 16 a
/// MAC of the first under the namespace's key, so <c>idFromString</c> can tell an id of this
/// namespace from one of another (or a typo). Ids stay valid across renames of the class.
/// </summary>
public sealed class DurableObjectIds
{
    /// <summary>The jurisdictions Cloudflare offers (durable-objects/reference/data-location).</summary>
    public static readonly IReadOnlySet<string> Jurisdictions = new HashSet<string>(StringComparer.Ordinal) { "eu", "fedramp", "fedramp-high" };

    private readonly byte[] _key;

    public DurableObjectIds(string namespaceKey)
    {
        _key = SHA256.HashData(Encoding.UTF8.GetBytes("flint durable object namespace\0" + namespaceKey));
    }

    /// <summary>The id for <paramref name="name"/> (in <paramref name="jurisdiction"/>, where objects of the same name are others).</summary>
    public string FromName(string name, string? jurisdiction = null)
    {
        var input = Encoding.UTF8.GetBytes((jurisdiction ?? "") + "\0" + name);
        var seed = HMACSHA256.HashData(_key, input);
        return Finish(seed.AsSpan(0, 16));
    }

    /// <summary>A new random id.</summary>
    public string NewUnique() => Finish(RandomNumberGenerator.GetBytes(16));

    /// <summary>Whether <paramref name="hex"/> (64 hex digits, any case) is an id of this namespace.</summary>
    public bool IsValid(string hex)
    {
        if (!IsWellFormed(hex)) return false;
        var bytes = Convert.FromHexString(hex);
        return CryptographicOperations.FixedTimeEquals(Mac(bytes.AsSpan(0, 16)), bytes.AsSpan(16, 16));
    }

    /// <summary>64 hex digits, the shape of every Durable Object id.</summary>
    public static bool IsWellFormed(string hex) => hex.Length == 64 && hex.All(char.IsAsciiHexDigit);

    private string Finish(ReadOnlySpan<byte> first)
    {
        var id = new byte[32];
        first.CopyTo(id);
        Mac(first).CopyTo(id.AsSpan(16));
        return Convert.ToHexStringLower(id);
    }

    private byte[] Mac(ReadOnlySpan<byte> first) => HMACSHA256.HashData(_key, first)[..16];
}
