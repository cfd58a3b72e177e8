using System.Text;

namespace Flint.Engine.Storage;

/// <summary>
/// File and folder names for ids that come from config files (namespace ids, database ids): a
/// safe id is its own name; anything else is hex-encoded, reversibly, so listings can show it.
/// </summary>
public static class StorageNames
{
    private const string EncodedPrefix = "x-";

    public static string ForId(string id) =>
        id.Length is > 0 and <= 100 && !id.StartsWith(EncodedPrefix, StringComparison.Ordinal) &&
        id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            ? id
            : EncodedPrefix + Convert.ToHexStringLower(Encoding.UTF8.GetBytes(id));

    /// <summary>The id a name was made from, or null when the name is not one of ours.</summary>
    public static string? IdFrom(string name)
    {
        if (!name.StartsWith(EncodedPrefix, StringComparison.Ordinal)) return name;
        try { return Encoding.UTF8.GetString(Convert.FromHexString(name.AsSpan(EncodedPrefix.Length))); }
        catch (FormatException) { return null; }
    }
}
