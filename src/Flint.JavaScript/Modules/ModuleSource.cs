using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using Flint.Engine.Config;
using Microsoft.Extensions.FileSystemGlobbing;

namespace Flint.JavaScript.Modules;

/// <summary>
/// A module as a Worker sees it: its name inside the Worker (<c>src/index.js</c>), the file it
/// was read from, its type by wrangler's rules and its JavaScript source.
/// </summary>
public sealed record WorkerModule(string Name, string Path, Uri Uri, ModuleType Type, string Code)
{
    /// <summary>The file's bytes, for Data and CompiledWasm modules (their code asks the host for them).</summary>
    public byte[]? Bytes { get; init; }
}

/// <summary>
/// The modules of one Worker version: its main module and the files under its base directory
/// that its module rules cover, nothing else. Modules are named by their path from the base
/// directory, as workerd names them, and specifiers resolve against those names the way workerd
/// resolves them, so a Worker cannot load (or, through a Text or Data rule, read) any other file
/// the host can. Files are read once and shared by every isolate of the version, so a file edited
/// while the version runs does not leak into it.
/// </summary>
public sealed partial class ModuleSource
{
    private readonly ConcurrentDictionary<string, WorkerModule> _modules = new(StringComparer.Ordinal);
    private readonly IReadOnlyList<(ModuleRule Rule, Matcher Matcher)> _rules;
    private readonly string _realRoot;
    private readonly IReadOnlyList<string> _excluded;

    /// <param name="baseDirectory">The Worker's directory: no module comes from outside it.</param>
    /// <param name="mainPath">The entry module's file (for a bundled Worker, the bundle).</param>
    /// <param name="importsFromMainResolveIn">
    /// For a bundled Worker: the directory of the original entry point. The bundle takes that entry
    /// point's name, so its own relative imports (modules left out of the bundle by rule, such as
    /// .wasm and .txt) resolve where they did in the sources.
    /// </param>
    /// <param name="excludedDirectories">Directories under the base directory that hold no modules (Flint's data directory).</param>
    public ModuleSource(string baseDirectory, string mainPath, IReadOnlyList<ModuleRule> rules, string? importsFromMainResolveIn = null,
        IReadOnlyList<string>? excludedDirectories = null)
    {
        BaseDirectory = System.IO.Path.GetFullPath(baseDirectory);
        _realRoot = RealPath(BaseDirectory) ?? BaseDirectory;
        MainPath = System.IO.Path.GetFullPath(mainPath);
        var mainSource = importsFromMainResolveIn is null ? MainPath : System.IO.Path.Combine(System.IO.Path.GetFullPath(importsFromMainResolveIn), System.IO.Path.GetFileName(MainPath));
        MainName = NameOf(mainSource) ?? System.IO.Path.GetFileName(MainPath);
        _excluded = (excludedDirectories ?? []).Select(d => (RealPath(d) ?? System.IO.Path.GetFullPath(d)).TrimEnd('/') + "/").ToList();
        _rules = rules.Select(r =>
        {
            var m = new Matcher(StringComparison.Ordinal);
            foreach (var g in r.Globs) m.AddInclude(g.Replace("?module", ""));
            return (r, m);
        }).ToList();
    }

    public string BaseDirectory { get; }
    public string MainPath { get; }
    /// <summary>The main module's name inside the Worker, e.g. <c>src/index.js</c>.</summary>
    public string MainName { get; }

    /// <summary>The names of the modules loaded so far (node:fs lists them under /bundle).</summary>
    public IEnumerable<string> LoadedNames => _modules.Keys;

    /// <summary>The files read so far; the dev watcher reloads when one of them changes.</summary>
    public IEnumerable<string> LoadedPaths => _modules.Values.Select(m => m.Path);

    /// <summary>
    /// The URI a module is compiled under. Stack traces show the name (each module's source ends
    /// with a sourceURL comment); the URI only has to be unique, and names no host path.
    /// </summary>
    public static Uri UriOf(string name) => new("file:///bundle/" + name);

    /// <summary>The module name a URI made by <see cref="UriOf"/> stands for, or null.</summary>
    public static string? NameFromUri(Uri? uri) =>
        uri is { IsFile: true } && uri.AbsolutePath.StartsWith("/bundle/", StringComparison.Ordinal)
            ? Uri.UnescapeDataString(uri.AbsolutePath["/bundle/".Length..])
            : null;

    /// <summary>A path relative to the base directory for messages, or the path as it is when outside.</summary>
    public string DisplayPath(string path)
    {
        var rel = System.IO.Path.GetRelativePath(BaseDirectory, path);
        return rel.StartsWith("..", StringComparison.Ordinal) ? path : rel;
    }

    /// <summary>
    /// Resolves <paramref name="specifier"/> imported by module <paramref name="referrer"/> (null:
    /// the main module) to a module name, as workerd does: relative to the referrer's directory, or
    /// to the root when it starts with "/"; bare specifiers are relative too. A specifier that climbs
    /// out of the Worker throws workerd's error naming it as written.
    /// </summary>
    public static string ResolveName(string specifier, string? referrer)
    {
        var segments = new List<string>();
        if (!specifier.StartsWith('/') && referrer is not null)
        {
            var slash = referrer.LastIndexOf('/');
            if (slash > 0) segments.AddRange(referrer[..slash].Split('/'));
        }
        foreach (var part in specifier.Split('/'))
        {
            if (part.Length == 0 || part == ".") continue;
            if (part == "..")
            {
                if (segments.Count == 0) throw new ModuleNotFoundException($"No such module \"{specifier}\"", referrer);
                segments.RemoveAt(segments.Count - 1);
                continue;
            }
            segments.Add(part);
        }
        return string.Join('/', segments);
    }

    /// <summary>The main module. Throws <see cref="ModuleNotFoundException"/> when its file is missing.</summary>
    public WorkerModule Main() => _modules.GetOrAdd(MainName, _ => Load(MainName, MainPath, null));

    /// <summary>
    /// The module named <paramref name="name"/>. Throws <see cref="ModuleNotFoundException"/> with
    /// workerd's message when no module of the Worker has that name.
    /// </summary>
    public WorkerModule Get(string name, string? importedFrom)
    {
        if (name == MainName) return Main();
        if (_modules.TryGetValue(name, out var loaded)) return loaded;
        var path = FileOf(name) ?? throw new ModuleNotFoundException($"No such module \"{name}\".", importedFrom);
        return _modules.GetOrAdd(name, n => Load(n, path, importedFrom));
    }

    /// <summary>The file behind a module name: under the base directory (symbolic links included), not excluded, covered by a rule.</summary>
    private string? FileOf(string name)
    {
        if (name.Length == 0 || name.Contains('\0') || name.Contains('\\')) return null;
        var path = System.IO.Path.GetFullPath(System.IO.Path.Combine(BaseDirectory, name));
        if (!IsUnder(path, BaseDirectory) || !File.Exists(path)) return null;
        var real = RealPath(path);
        if (real is null || !IsUnder(real, _realRoot) || _excluded.Any(d => real.StartsWith(d, StringComparison.Ordinal))) return null;
        return TypeOf(name) is null ? null : path;
    }

    private static bool IsUnder(string path, string directory) =>
        path.StartsWith(directory.TrimEnd('/') + "/", StringComparison.Ordinal);

    /// <summary>The name of a file under the base directory, or null when it is outside.</summary>
    private string? NameOf(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        return IsUnder(full, BaseDirectory) ? System.IO.Path.GetRelativePath(BaseDirectory, full).Replace('\\', '/') : null;
    }

    /// <summary>The module type wrangler's rules give the name, or null when no rule covers it.</summary>
    public ModuleType? TypeOf(string name)
    {
        foreach (var (rule, matcher) in _rules)
        {
            if (matcher.Match(name).HasMatches) return rule.Type;
        }
        return null;
    }

    private WorkerModule Load(string name, string path, string? importedFrom)
    {
        string raw;
        byte[]? bytes = null;
        ModuleType type;
        try
        {
            type = name == MainName ? TypeOf(name) ?? ModuleType.ESModule : TypeOf(name)!.Value;
            if (type is ModuleType.Data or ModuleType.CompiledWasm) { bytes = File.ReadAllBytes(path); raw = ""; }
            else raw = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ModuleNotFoundException($"No such module \"{name}\".", importedFrom);
        }
        var code = type switch
        {
            ModuleType.ESModule => raw,
            ModuleType.CommonJS => WrapCommonJs(raw, name),
            ModuleType.Text => $"export default {JsonString(raw)};",
            ModuleType.Data => $"export default import.meta.{ModuleMeta.Bytes}(import.meta.{ModuleMeta.Id}, false);",
            ModuleType.CompiledWasm => $"export default import.meta.{ModuleMeta.Wasm}(import.meta.{ModuleMeta.Id}, true);",
            _ => throw new ModuleNotFoundException(
                $"Module \"{name}\" has type {type}, which Flint does not run. Change its rule in the config's `rules`.", importedFrom),
        };
        // Stack traces name the module as workerd does ("at src/index.js:3:9"), not by the file it came from.
        code += "\n//# sourceURL=" + name;
        return new WorkerModule(name, path, UriOf(name), type, code) { Bytes = bytes };
    }

    private static string JsonString(string s) => System.Text.Json.JsonSerializer.Serialize(s);

    [GeneratedRegex("""require\(\s*(['"])([^'"\n]+)\1\s*\)""")]
    private static partial Regex RequireCall();

    /// <summary>
    /// CommonJS runs as an ES module whose default export is module.exports, as in workerd.
    /// `require` of a literal specifier is satisfied by a static import hoisted above it.
    /// </summary>
    private static string WrapCommonJs(string source, string name)
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
        var slash = name.LastIndexOf('/');
        sb.Append("\n}).call(module.exports, module.exports, require, module, ")
          .Append(JsonString("/bundle/" + name)).Append(", ").Append(JsonString("/bundle" + (slash > 0 ? "/" + name[..slash] : ""))).Append(");\n");
        sb.Append("export default module.exports;\n");
        return sb.ToString();
    }

    /// <summary>True when the source looks like an ES module (has import/export statements).</summary>
    public static bool LooksLikeEsModule(string code) => EsmSyntax().IsMatch(code);

    [GeneratedRegex(@"^\s*(export\s+(default|const|let|var|function|async|class|\{|\*)|import\s+[\w*{'""])", RegexOptions.Multiline)]
    private static partial Regex EsmSyntax();

    /// <summary>The path with every symbolic link resolved, or null when it does not exist.</summary>
    private static string? RealPath(string path)
    {
        var resolved = realpath(path, IntPtr.Zero);
        if (resolved == IntPtr.Zero) return null;
        try { return Marshal.PtrToStringUTF8(resolved); }
        finally { free(resolved); }
    }

    [LibraryImport("libc", EntryPoint = "realpath", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr realpath(string path, IntPtr resolved);

    [LibraryImport("libc", EntryPoint = "free")]
    private static partial void free(IntPtr pointer);
}

/// <summary>The <c>import.meta</c> members Flint gives the modules it generates (never a Worker's own modules).</summary>
internal static class ModuleMeta
{
    /// <summary>Data modules: (id, false) => the module's bytes as an ArrayBuffer.</summary>
    public const string Bytes = "flintBytes";
    /// <summary>CompiledWasm modules: (id, true) => the compiled WebAssembly.Module.</summary>
    public const string Wasm = "flintWasm";
    /// <summary>The id the host knows a Data or CompiledWasm module's bytes by.</summary>
    public const string Id = "flintId";
    /// <summary>Built-in modules (cloudflare:workers, …): (specifier) => the object their exports come from.</summary>
    public const string Builtin = "flintBuiltin";
    /// <summary>The entry module: hands the main module's namespace to the runtime.</summary>
    public const string Register = "flintRegister";
}

/// <summary>No module of that name: <see cref="Exception.Message"/> is what the Worker sees, as workerd words it.</summary>
public sealed class ModuleNotFoundException(string message, string? importedFrom = null, string? hint = null) : Exception(message)
{
    /// <summary>The module whose import failed, if known (shown in Flint's log, not to the Worker).</summary>
    public string? ImportedFrom { get; } = importedFrom;
    /// <summary>How to fix it, for Flint's log.</summary>
    public string? Hint { get; } = hint;

    /// <summary>The message with where it came from and the hint, for a person reading Flint's log.</summary>
    public string Describe() =>
        Message + (ImportedFrom is null ? "" : $"\n  imported from \"{ImportedFrom}\"") + (Hint is null ? "" : "\n" + Hint);
}
