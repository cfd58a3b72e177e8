using Flint.Engine.Config;

namespace Flint.Engine.Tests.Config;

/// <summary>A temporary Worker directory with real files, deleted afterwards.</summary>
internal sealed class TempWorker : IDisposable
{
    public TempWorker(params (string Path, string Content)[] files)
    {
        Dir = Directory.CreateTempSubdirectory("flint-config-").FullName;
        foreach (var (path, content) in files) Write(path, content);
    }

    public string Dir { get; }

    public string Path(string relative) => System.IO.Path.GetFullPath(System.IO.Path.Combine(Dir, relative));

    public TempWorker Write(string relative, string content)
    {
        var full = Path(relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        return this;
    }

    public (WorkerConfig Config, IReadOnlyList<ConfigWarning> Warnings) Load(string? target = null, string? env = null,
        Dictionary<string, string>? vars = null, string? persistTo = null, string? compatibilityDate = null) =>
        ConfigLoader.Load(new ConfigLoadOptions
        {
            Target = target is null ? Dir : Path(target),
            Environment = env,
            VarOverrides = vars ?? new Dictionary<string, string>(),
            PersistTo = persistTo,
            CompatibilityDate = compatibilityDate,
        });

    public ConfigException LoadFails(string? target = null, string? env = null, string? compatibilityDate = null) =>
        Assert.Throws<ConfigException>(() => Load(target, env, compatibilityDate: compatibilityDate));

    public void Dispose()
    {
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }

    /// <summary>A wrangler.toml with a main script, plus <paramref name="rest"/>.</summary>
    public static TempWorker Toml(string rest = "", string header = "name = \"w\"\nmain = \"src/index.js\"\ncompatibility_date = \"2025-01-01\"\n") =>
        new(("wrangler.toml", header + rest), ("src/index.js", "export default {}"));

    public static TempWorker Json(string body, string fileName = "wrangler.jsonc") =>
        new((fileName, body), ("src/index.js", "export default {}"));
}
