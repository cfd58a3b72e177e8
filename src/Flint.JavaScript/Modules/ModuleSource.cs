using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;
using Flint.Engine.Config;
using Microsoft.Extensions.FileSystemGlobbing;

namespace Flint.JavaScript.Modules;

/// <summary>A module as a Worker sees it: its type by wrangler's rules and its JavaScript source.</summary>
public sealed record WorkerModule(string Path, Uri Uri, ModuleType Type, string Code);

/// <summary>
/// The files of one Worker version, read once and shared by every isolate of that version, so a
/// file edited while the version runs does not leak into it. Types come from wrangler's rules.
/// </summary>
public sealed partial class ModuleSource
{
    private readonly ConcurrentDictionary<string, WorkerModule> _modules = new();
    private readonly IReadOnlyList<(ModuleRule Rule, Matcher Matcher)> _rules;

    /// <param name="importsFromMainResolveIn">
    /// For a bundled Worker: the directory the bundle's own relative imports (modules left out of the
    /// bundle by rule, such as .wasm and .txt) are resolved in — the original entry point's directory.
    /// </param>
    public ModuleSource(string baseDirectory, string mainPath, IReadOnlyList<ModuleRule> rules, string? importsFromMainResolveIn = null)
    {
        BaseDirectory = Path.GetFullPath(baseDirectory);
        MainPath = Path.GetFullPath(mainPath);
        _mainImportDirectory = importsFromMainResolveIn is null ? null : Path.GetFullPath(importsFromMainResolveIn);
        _rules = rules.Select(r =>
        {
            var m = new Matcher(StringComparison.Ordinal);
            foreach (var g in r.Globs) m.AddInclude(g.Replace("?module", ""));
            return (r, m);
        }).ToList();
    }

    private readonly string? _mainImportDirectory;

    public string BaseDirectory { get; }
    public string MainPath { get; }

    /// <summary>The directory relative imports in <paramref name="importer"/> are resolved against.</summary>
    public string ImportDirectory(string importer) =>
        _mainImportDirectory is not null && importer == MainPath ? _mainImportDirectory : System.IO.Path.GetDirectoryName(importer)!;
    public Uri MainUri => ToUri(MainPath);

    /// <summary>The files read so far; the dev watcher reloads when one of them changes.</summary>
    public IEnumerable<string> LoadedPaths => _modules.Keys;

    public static Uri ToUri(string path) => new UriBuilder("file", "") { Path = path }.Uri;

    public string DisplayPath(string path)
    {
        var rel = System.IO.Path.GetRelativePath(BaseDirectory, path);
        return rel.StartsWith("..", StringComparison.Ordinal) ? path : rel;
    }

    public ModuleType TypeOf(string path)
    {
        var rel = System.IO.Path.GetRelativePath(BaseDirectory, path).Replace('\\', '/');
        foreach (var (rule, matcher) in _rules)
        {
            if (matcher.Match(rel).HasMatches) return rule.Type;
        }
        // Outside the rules' reach (e.g. a sibling directory): go by extension.
        return System.IO.Path.GetExtension(path) switch
        {
            ".cjs" => ModuleType.CommonJS,
            ".txt" or ".html" or ".sql" => ModuleType.Text,
            ".bin" => ModuleType.Data,
            ".wasm" => ModuleType.CompiledWasm,
            _ => ModuleType.ESModule,
        };
    }

    /// <summary>Reads and translates a module; throws <see cref="ModuleNotFoundException"/> when missing.</summary>
    public WorkerModule Get(string path, string? importedFrom)
    {
        return _modules.GetOrAdd(path, p => Load(p, importedFrom));
    }

    private WorkerModule Load(string path, string? importedFrom)
    {
        if (!File.Exists(path))
        {
            var from = importedFrom is null ? "" : $"\n  imported from \"{DisplayPath(importedFrom)}\"";
            throw new ModuleNotFoundException($"No such module \"{DisplayPath(path)}\".{from}");
        }
        var type = TypeOf(path);
        var uri = ToUri(path);
        string code = type switch
        {
            ModuleType.ESModule => File.ReadAllText(path),
            ModuleType.CommonJS => WrapCommonJs(File.ReadAllText(path), path),
            ModuleType.Text => $"export default {JsonString(File.ReadAllText(path))};",
            ModuleType.Data => $"export default {BytesExpression(File.ReadAllBytes(path))}.buffer;",
            ModuleType.CompiledWasm => $"export default new WebAssembly.Module({BytesExpression(File.ReadAllBytes(path))});",
            _ => throw new ModuleNotFoundException(
                $"Module \"{DisplayPath(path)}\" has type {type}, which Flint does not run. Change its rule in the config's `rules`."),
        };
        return new WorkerModule(path, uri, type, code);
    }

    private static string BytesExpression(byte[] bytes) =>
        $"Uint8Array.from(atob(\"{Convert.ToBase64String(bytes)}\"), (c) => c.charCodeAt(0))";

    private static string JsonString(string s) => System.Text.Json.JsonSerializer.Serialize(s);

    [GeneratedRegex("""require\(\s*(['"])([^'"\n]+)\1\s*\)""")]
    private static partial Regex RequireCall();

    /// <summary>
    /// CommonJS runs as an ES module whose default export is module.exports, as in workerd.
    /// `require` of a literal specifier is satisfied by a static import hoisted above it.
    /// </summary>
    private static string WrapCommonJs(string source, string path)
    {
        var sb = new StringBuilder();
        var specifiers = RequireCall().Matches(source).Select(m => m.Groups[2].Value).Distinct().ToList();
        for (var i = 0; i < specifiers.Count; i++)
        {
            sb.Append("import * as __flint_req").Append(i).Append(" from ").Append(JsonString(specifiers[i])).Append(";\n");
        }
        sb.Append("const __flint_required = {");
        for (var i = 0; i < specifiers.Count; i++)
        {
            sb.Append(JsonString(specifiers[i])).Append(": __flint_req").Append(i).Append(", ");
        }
        sb.Append("};\n");
        sb.Append("const module = { exports: {} };\n");
        sb.Append("function require(specifier) {\n");
        sb.Append("  const ns = __flint_required[specifier];\n");
        sb.Append("  if (ns === undefined) throw new Error(`No such module \"${specifier}\".`);\n");
        sb.Append("  return ns.default !== undefined && Object.keys(ns).length === 1 ? ns.default : ns;\n");
        sb.Append("}\n");
        sb.Append("(function (exports, require, module, __filename, __dirname) {\n");
        sb.Append(source);
        sb.Append("\n}).call(module.exports, module.exports, require, module, ")
          .Append(JsonString(path)).Append(", ").Append(JsonString(System.IO.Path.GetDirectoryName(path) ?? "/")).Append(");\n");
        sb.Append("export default module.exports;\n");
        return sb.ToString();
    }

    /// <summary>True when the source looks like an ES module (has import/export statements).</summary>
    public static bool LooksLikeEsModule(string code) => EsmSyntax().IsMatch(code);

    [GeneratedRegex(@"^\s*(export\s+(default|const|let|var|function|async|class|\{|\*)|import\s+[\w*{'""])", RegexOptions.Multiline)]
    private static partial Regex EsmSyntax();
}

public sealed class ModuleNotFoundException(string message) : Exception(message);
