using System.Reflection;
using System.Text;
using Microsoft.ClearScript;
using Microsoft.ClearScript.V8;

namespace Flint.JavaScript.Web;

/// <summary>
/// The built-in Web APIs: every embedded <c>Web/js/*.js</c> file, in name order, inside one
/// function that receives the host ops and the Worker's enabled compatibility flags. Compiled once per process; later isolates start from
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
        var sb = new StringBuilder("(function (ops, globalThis, compatFlags) {\n\"use strict\";\n");
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
        lock (s_cacheLock) cache = s_codeCache ??= ReadDiskCache();
        if (cache is not null)
        {
            var script = engine.Compile(s_info, Source, V8CacheKind.Code, cache, out var accepted);
            if (accepted) return script;
        }
        var compiled = engine.Compile(s_info, Source, V8CacheKind.Code, out byte[] newCache);
        bool first;
        lock (s_cacheLock)
        {
            first = s_codeCache is null || !ReferenceEquals(s_codeCache, cache);
            s_codeCache = newCache;
        }
        if (first) WriteDiskCache(newCache);
        return compiled;
    }

    // ---- the cache on disk: a new process's first isolate skips compiling the built-ins too ----

    /// <summary>
    /// Where compiled built-ins are kept between runs: $FLINT_CACHE_DIR, else $XDG_CACHE_HOME/flint,
    /// else ~/.cache/flint. The file name carries a hash of the source and the V8 build, so a
    /// change to either simply misses; V8 itself rejects a cache it cannot use.
    /// </summary>
    private static string? CachePath()
    {
        var dir = Environment.GetEnvironmentVariable("FLINT_CACHE_DIR");
        if (string.IsNullOrEmpty(dir))
        {
            var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            dir = !string.IsNullOrEmpty(xdg) ? Path.Combine(xdg, "flint") : string.IsNullOrEmpty(home) ? null : Path.Combine(home, ".cache", "flint");
        }
        if (dir is null) return null;
        var v8 = typeof(V8ScriptEngine).Assembly.GetName().Version?.ToString() ?? "";
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(v8 + "\n" + Source)))[..24];
        return Path.Combine(dir, $"builtins-{hash}.v8cache");
    }

    private static byte[]? ReadDiskCache()
    {
        try
        {
            var path = CachePath();
            return path is not null && File.Exists(path) ? File.ReadAllBytes(path) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null; // only a cache: compile instead
        }
    }

    private static void WriteDiskCache(byte[] cache)
    {
        _ = Task.Run(() =>
        {
            try
            {
                var path = CachePath();
                if (path is null) return;
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                var temp = path + "." + Environment.ProcessId + ".tmp";
                File.WriteAllBytes(temp, cache);
                File.Move(temp, path, overwrite: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { }
        });
    }
}
