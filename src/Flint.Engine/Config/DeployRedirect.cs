using System.Text.Json;
using System.Text.Json.Nodes;

namespace Flint.Engine.Config;

/// <summary>
/// wrangler's redirected configuration: a build tool (Cloudflare's Vite plugin) writes
/// <c>.wrangler/deploy/config.json</c> with <c>{"configPath": "../../dist/app/wrangler.json"}</c>, and
/// wrangler dev, deploy and Flint then use that generated config instead of the project's own.
/// </summary>
public static class DeployRedirect
{
    public const string RelativePath = ".wrangler/deploy/config.json";

    /// <summary>The config the project's <c>.wrangler/deploy/config.json</c> points to, or null when there is none.</summary>
    public static string? Find(string projectDirectory)
    {
        var file = Path.Combine(projectDirectory, RelativePath);
        if (!File.Exists(file)) return null;
        string? configPath;
        try
        {
            var node = JsonNode.Parse(File.ReadAllText(file), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            configPath = node?["configPath"] is JsonValue v && v.TryGetValue<string>(out var p) ? p : null;
        }
        catch (JsonException ex)
        {
            throw new ConfigException($"Failed to parse the deploy configuration file at {file}: {ex.Message}. Rebuild the project, or delete {file}.");
        }
        if (string.IsNullOrEmpty(configPath))
            throw new ConfigException($"A deploy configuration file was found at \"{file}\", but the required \"configPath\" property was not found. Rebuild the project, or delete the file.");
        var target = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, configPath));
        if (!File.Exists(target))
            throw new ConfigException($"There is a deploy configuration at \"{file}\", but the redirected configuration path it points to, \"{target}\", does not exist. Run the build again (e.g. `npm run build`).");
        return target;
    }
}
