namespace Flint.Engine.Config;

/// <summary>Finds a Worker's config by the name it declares, near configs already known.</summary>
public static class ConfigFinder
{
    /// <summary>
    /// A config file declaring <c>name = <paramref name="name"/></c> in one of <paramref name="directories"/>,
    /// their subdirectories or their siblings (one level, as Worker projects usually sit side by side), or null.
    /// </summary>
    public static string? FindByName(string name, IEnumerable<string> directories)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var dir in directories)
        {
            var candidates = new List<string> { dir };
            candidates.AddRange(Subdirectories(dir));
            if (Path.GetDirectoryName(dir) is { } parent) candidates.AddRange(Subdirectories(parent));
            foreach (var candidate in candidates)
            {
                if (!seen.Add(candidate)) continue;
                foreach (var file in ConfigLoader.ConfigFileNames)
                {
                    var path = Path.Combine(candidate, file);
                    if (File.Exists(path) && DeclaredName(path) == name) return path;
                }
            }
        }
        return null;
    }

    private static IEnumerable<string> Subdirectories(string dir)
    {
        try
        {
            return Directory.EnumerateDirectories(dir).Where(d => Path.GetFileName(d) is not ("node_modules" or ".git" or ".flint" or ".wrangler")).Take(200).ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static string? DeclaredName(string path)
    {
        try
        {
            return ParsedConfigFile.Read(path).Root["name"]?.GetValue<string>();
        }
        catch (Exception ex) when (ex is ConfigException or InvalidOperationException or FormatException)
        {
            return null; // a broken config elsewhere is not this session's business
        }
    }
}
