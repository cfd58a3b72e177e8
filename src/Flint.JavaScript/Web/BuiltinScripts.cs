using System.Reflection;
using System.Text;
using Microsoft.ClearScript;
using Microsoft.ClearScript.V8;

namespace Flint.JavaScript.Web;

/// <summary>
/// The built-in Web APIs: every embedded <c>Web/js/*.js</c> file, in name order, inside one
/// function that receives the host ops. Compiled once per process; later isolates start from
/// V8's code cache so they skip parsing and compiling it again.
/// </summary>
internal static class BuiltinScripts
{
    private static readonly Lazy<string> s_source = new(Concatenate);
    private static readonly object s_cacheLock = new();
    private static byte[]? s_codeCache;

    public static string Source => s_source.Value;

    private static readonly DocumentInfo s_info = new("flint:builtins") ;

    private static string Concatenate()
    {
        var asm = typeof(BuiltinScripts).Assembly;
        var names = asm.GetManifestResourceNames()
            .Where(n => n.StartsWith("flint/", StringComparison.Ordinal) && n.EndsWith(".js", StringComparison.Ordinal))
            .OrderBy(n => n, StringComparer.Ordinal);
        var sb = new StringBuilder("(function (ops, globalThis) {\n\"use strict\";\n");
        foreach (var name in names)
        {
            using var stream = asm.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            sb.Append("// ---- ").Append(name).Append('\n');
            sb.Append(reader.ReadToEnd()).Append('\n');
        }
        sb.Append("})");
        return sb.ToString();
    }

    /// <summary>Compiles the built-ins into <paramref name="engine"/>, using the shared code cache.</summary>
    public static V8Script Compile(V8ScriptEngine engine)
    {
        byte[]? cache;
        lock (s_cacheLock) cache = s_codeCache;
        if (cache is not null)
        {
            var script = engine.Compile(s_info, Source, V8CacheKind.Code, cache, out var accepted);
            if (accepted) return script;
        }
        var compiled = engine.Compile(s_info, Source, V8CacheKind.Code, out byte[] newCache);
        lock (s_cacheLock) s_codeCache ??= newCache;
        return compiled;
    }
}
