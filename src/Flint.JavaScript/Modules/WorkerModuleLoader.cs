using Flint.Engine.Config;
using Microsoft.ClearScript;
using Microsoft.ClearScript.JavaScript;

namespace Flint.JavaScript.Modules;

/// <summary>
/// What the module loader needs from the isolate: the built-in modules the built-in JavaScript
/// registered, and the functions Flint-generated modules reach through their <c>import.meta</c>.
/// </summary>
internal interface IModuleHost
{
    /// <summary>The export names of built-in module <paramref name="specifier"/>, or null when there is no such module.</summary>
    IReadOnlyList<string>? BuiltinExports(string specifier);

    /// <summary>The <c>import.meta</c> members of a Flint-generated module (built-in, Data, CompiledWasm).</summary>
    IDictionary<string, object> MetaFor(string? builtin, WorkerModule? module);

    /// <summary>Told of each failed import, so Flint's log can say where it came from and how to fix it (the Worker sees only the message).</summary>
    void ModuleNotFound(ModuleNotFoundException error);
}

/// <summary>
/// Resolves `import` specifiers for one isolate: the built-in modules (`cloudflare:workers`, …),
/// the `node:` modules the Worker's flags give, and the Worker's own modules by name (<see cref="ModuleSource"/>), nothing else. Only modules
/// Flint generates get an <c>import.meta</c> with host functions; a Worker's modules get none.
/// </summary>
internal sealed class WorkerModuleLoader(ModuleSource source, IModuleHost host, Node.NodeModules? node = null) : DocumentLoader
{
    // One Document per URI: ClearScript instantiates a module per Document, so a module imported
    // from two places (or imported again dynamically) must come back as the same Document to be
    // one module instance, as ES modules are.
    private readonly Dictionary<string, Document> _loaded = new(StringComparer.Ordinal);

    private const string NpmHint =
        "To use npm packages, install esbuild in the Worker's project (npm install --save-dev esbuild; installing wrangler brings it too): Flint then bundles the Worker as wrangler does.";

    public override Task<Document> LoadDocumentAsync(DocumentSettings settings, DocumentInfo? sourceInfo,
        string specifier, DocumentCategory category, DocumentContextCallback contextCallback)
    {
        try
        {
            var document = Load(sourceInfo, specifier);
            var key = document.Info.Uri?.AbsoluteUri;
            if (key is null) return Task.FromResult(document);
            lock (_loaded)
            {
                if (_loaded.TryGetValue(key, out var loaded)) return Task.FromResult(loaded);
                _loaded[key] = document;
            }
            return Task.FromResult(document);
        }
        catch (ModuleNotFoundException ex)
        {
            host.ModuleNotFound(ex);
            return Task.FromException<Document>(ex);
        }
        catch (Exception ex)
        {
            return Task.FromException<Document>(ex);
        }
    }

    private Document Load(DocumentInfo? sourceInfo, string specifier)
    {
        var referrer = ModuleSource.NameFromUri(sourceInfo?.Uri);
        if (host.BuiltinExports(specifier) is { } exports) return Builtin(specifier, exports);
        // The node: modules the Worker's compatibility flags give (Node/NodeModules.cs).
        if (node?.TryLoad(specifier, sourceInfo, referrer) is { } nodeModule) return nodeModule;
        // Like workerd, any other specifier is a path among the Worker's modules ("node:fs" and
        // "https://…" included); only the hint differs.
        if (IsSchemeModule(specifier)) throw new ModuleNotFoundException($"No such module \"{specifier}\".", referrer);
        var name = ModuleSource.ResolveName(specifier, referrer);
        WorkerModule module;
        try
        {
            module = source.Get(name, referrer);
        }
        catch (ModuleNotFoundException ex) when (IsPackageLike(specifier))
        {
            throw new ModuleNotFoundException(ex.Message, ex.ImportedFrom, specifier.Contains(':') ? null : NpmHint);
        }
        var info = new DocumentInfo(module.Uri) { Category = ModuleCategory.Standard };
        if (module.Type is ModuleType.Data or ModuleType.CompiledWasm)
        {
            var meta = host.MetaFor(null, module);
            info.ContextCallback = _ => meta;
        }
        return new StringDocument(info, module.Code);
    }

    /// <summary>Specifiers workerd keeps as they are rather than resolving them as paths.</summary>
    private static bool IsSchemeModule(string specifier) =>
        specifier.StartsWith("node:", StringComparison.Ordinal) || specifier.StartsWith("cloudflare:", StringComparison.Ordinal) ||
        specifier.StartsWith("workerd:", StringComparison.Ordinal);

    private static bool IsPackageLike(string specifier) =>
        !specifier.StartsWith('.') && !specifier.StartsWith('/');

    private Document Builtin(string specifier, IReadOnlyList<string> exports)
    {
        var named = exports.Where(e => e != "default").ToList();
        var code = "const m = import.meta." + ModuleMeta.Builtin + "(" + System.Text.Json.JsonSerializer.Serialize(specifier) + ");\n" +
                   (named.Count == 0 ? "" : $"export const {{ {string.Join(", ", named)} }} = m;\n") +
                   (exports.Contains("default") ? "export default m.default;\n" : "export default m;\n");
        var meta = host.MetaFor(specifier, null);
        var info = new DocumentInfo(new Uri(specifier)) { Category = ModuleCategory.Standard, ContextCallback = _ => meta };
        return new StringDocument(info, code);
    }
}
