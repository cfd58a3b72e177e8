using Flint.Engine.Config;

namespace Flint.Engine.Assets;

/// <summary>
/// An assets-only project (<c>assets</c> and no <c>main</c>): wrangler runs it with a no-op Worker that
/// the router never calls, and so does Flint, so the rest of the server sees an ordinary Worker.
/// </summary>
public static class AssetsOnlyWorker
{
    private const string Source = "// Flint: the Worker of an assets-only project; the asset server answers every request.\n" +
                                  "export default { fetch() { return new Response(null, { status: 404 }); } };\n";

    public static string PathIn(string persistDirectory) => Path.Combine(persistDirectory, "assets-only", "worker.js");

    /// <summary>Writes the no-op Worker where <see cref="PathIn"/> says (before the Worker is loaded).</summary>
    public static void Write(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (!File.Exists(path) || File.ReadAllText(path) != Source) File.WriteAllText(path, Source);
    }

    /// <summary>wrangler's checks: no binding and no run_worker_first without a Worker script.</summary>
    public static void Check(AssetsConfig assets, string key, string configPath)
    {
        if (assets.Binding is not null)
            throw new ConfigException(
                "Cannot use assets with a binding in an assets-only Worker.\nPlease remove the asset binding from your configuration file, " +
                $"or provide a Worker script in your configuration file (`main`). (\"{key}.binding\" in {configPath})", configPath, [$"{key}.binding"]);
        if (assets.RunWorkerFirst == true || assets.RunWorkerFirstPatterns is not null)
            throw new ConfigException(
                "Cannot set run_worker_first without a Worker script.\nPlease remove run_worker_first from your configuration file, " +
                $"or provide a Worker script in your configuration file (`main`). (\"{key}.run_worker_first\" in {configPath})", configPath, [$"{key}.run_worker_first"]);
    }
}
