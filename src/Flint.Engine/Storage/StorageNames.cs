using System.Security.Cryptography;
using System.Text;

namespace Flint.Engine.Storage;

/// <summary>
/// File and folder names for ids that come from config files (namespace ids, database ids): a
/// safe id is its own name; anything else is hex-encoded, reversibly, so listings can show it.
/// An id too long to be a file name that way (file names stop at 255 bytes) is named by a hash
/// of it, which listings cannot turn back into the id.
/// </summary>
public static class StorageNames
{
    private const string EncodedPrefix = "x-";
    private const string HashedPrefix = "h~"; // "~" is never in a safe id, so no id names itself like this
    private const int MaxName = 100; // leaves room for suffixes such as "-wal" and ".sqlite"

    public static string ForId(string id)
    {
        if (id.Length is > 0 and <= MaxName && !id.StartsWith(EncodedPrefix, StringComparison.Ordinal) &&
            id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            return id;
        var bytes = Encoding.UTF8.GetBytes(id);
        return EncodedPrefix.Length + bytes.Length * 2 <= MaxName
            ? EncodedPrefix + Convert.ToHexStringLower(bytes)
            : HashedPrefix + Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    /// <summary>The id a name was made from, or null when the name is not one of ours or is a hash.</summary>
    public static string? IdFrom(string name)
    {
        if (name.StartsWith(HashedPrefix, StringComparison.Ordinal)) return null;
        if (!name.StartsWith(EncodedPrefix, StringComparison.Ordinal)) return name;
        try { return Encoding.UTF8.GetString(Convert.FromHexString(name.AsSpan(EncodedPrefix.Length))); }
        catch (FormatException) { return null; }
    }
}
