using Microsoft.ClearScript;
using Microsoft.ClearScript.JavaScript;

namespace Flint.JavaScript.Modules;

/// <summary>
/// Resolves `import` specifiers for one isolate: relative paths within the Worker, the built-in
/// `cloudflare:workers`, and the `node:` modules the Worker's compatibility flags give (<see cref="Node.NodeModules"/>). Documents come from the version's <see cref="ModuleSource"/>.
/// </summary>
internal sealed class WorkerModuleLoader(ModuleSource source, Node.NodeModules? node = null) : DocumentLoader
{
    public const string CloudflareWorkers = "cloudflare:workers";

    private static readonly string CloudflareWorkersCode = """
        const m = globalThis[Symbol.for("flint.cloudflare:workers")];
        export const WorkerEntrypoint = m.WorkerEntrypoint;
        export const DurableObject = m.DurableObject;
        export const WorkflowEntrypoint = m.WorkflowEntrypoint;
        export const RpcTarget = m.RpcTarget;
        export const env = m.env;
        export const waitUntil = m.waitUntil;
        export default m;
        """;

    public override Task<Document> LoadDocumentAsync(DocumentSettings settings, DocumentInfo? sourceInfo,
        string specifier, DocumentCategory category, DocumentContextCallback contextCallback)
    {
        try
        {
            return Task.FromResult(Load(sourceInfo, specifier));
        }
        catch (Exception ex)
        {
            return Task.FromException<Document>(ex);
        }
    }

    private Document Load(DocumentInfo? sourceInfo, string specifier)
    {
        if (specifier == CloudflareWorkers)
        {
            return new StringDocument(new DocumentInfo(new Uri("cloudflare:workers")) { Category = ModuleCategory.Standard }, CloudflareWorkersCode);
        }
        if (node?.TryLoad(specifier, sourceInfo) is { } nodeModule) return nodeModule;
        if (specifier.StartsWith("node:", StringComparison.Ordinal))
        {
            throw new ModuleNotFoundException($"No such module \"{specifier}\".");
        }
        if (specifier.StartsWith("cloudflare:", StringComparison.Ordinal))
        {
            throw new ModuleNotFoundException(
                $"No such module \"{specifier}\". Flint does not provide it yet (Node.js compatibility and other cloudflare: modules are not supported).");
        }
        var from = sourceInfo?.Uri is { IsFile: true } u ? u.LocalPath : null;
        string path;
        if (specifier.StartsWith("file:", StringComparison.Ordinal)) path = new Uri(specifier).LocalPath;
        else if (specifier.StartsWith('/')) path = Path.GetFullPath(Path.Combine(source.BaseDirectory, specifier.TrimStart('/')));
        else if (specifier.StartsWith("./", StringComparison.Ordinal) || specifier.StartsWith("../", StringComparison.Ordinal))
            path = Path.GetFullPath(Path.Combine(source.ImportDirectory(from ?? source.MainPath), specifier));
        else
        {
            // Bare specifiers name a module by its path from the base directory, as wrangler's
            // no-bundle mode does; packages are not bundled.
            path = Path.GetFullPath(Path.Combine(source.BaseDirectory, specifier));
            if (!File.Exists(path))
            {
                throw new ModuleNotFoundException(
                    $"No such module \"{specifier}\".{(from is null ? "" : $"\n  imported from \"{source.DisplayPath(from)}\"")}\n" +
                    "To use npm packages, install esbuild in the Worker's project (npm install --save-dev esbuild; installing wrangler brings it too): Flint then bundles the Worker as wrangler does.");
            }
        }
        var module = source.Get(path, from);
        return new StringDocument(new DocumentInfo(module.Uri) { Category = ModuleCategory.Standard }, module.Code);
    }
}
