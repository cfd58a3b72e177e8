namespace Flint.Engine.Assets;

/// <summary>
/// The Content-Type an asset is served with, as wrangler gives it: the <c>mime</c> package's type for
/// the file's extension (MimeTypes.g.cs: mime 4 for Workers assets, mime 3 for Pages), with
/// <c>; charset=utf-8</c> added to <c>text/*</c> types. Workers assets give none for an extension
/// mime does not know (the response then has no Content-Type); Pages gives application/octet-stream.
/// </summary>
public static partial class MimeTypes
{
    public static string? ForFile(string fileName, bool pages = false)
    {
        var name = Path.GetFileName(fileName);
        var dot = name.LastIndexOf('.');
        string? type = null;
        // mime: a name without a dot (or ending in one) has no extension.
        if (dot >= 0 && dot < name.Length - 1)
            (pages ? s_pagesByExtension : s_byExtension).TryGetValue(name[(dot + 1)..].ToLowerInvariant(), out type);
        if (type is null) return pages ? "application/octet-stream" : null;
        return type.StartsWith("text/", StringComparison.Ordinal) && !type.Contains("charset", StringComparison.Ordinal)
            ? type + "; charset=utf-8"
            : type;
    }
}
