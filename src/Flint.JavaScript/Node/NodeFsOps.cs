using Flint.JavaScript.Isolates;
using Flint.JavaScript.Modules;
using Microsoft.ClearScript.JavaScript;
using Microsoft.ClearScript.V8.FastProxy;

namespace Flint.JavaScript.Node;

/// <summary>
/// The host side of node:fs's /bundle (Node/js/fs.js): the Worker's modules as files, read-only.
/// Only names that are modules of the Worker (the files its rules cover, under its directory)
/// can be read; nothing else of the host's file system is reachable. No op throws into script.
/// </summary>
internal static class NodeFsOps
{
    public static void Register(HostOpTable ops, ModuleSource modules)
    {
        void Add(string name, V8FastHostFunctionInvoker invoke) => ops.SetProperty(name, new V8FastHostFunction(name, invoke));

        // The modules loaded so far (every static import; the main module first), one name a line.
        Add("fsBundleList", (bool _, in V8FastArgs a, in V8FastResult r) =>
            r.Set(string.Join('\n', modules.LoadedNames.Order(StringComparer.Ordinal))));

        // The size of module file NAME, or -1 when the Worker has no such module.
        Add("fsBundleSize", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var path = PathOf(modules, a.GetString(0, "name"));
            r.Set(path is null ? -1 : checked((int)new FileInfo(path).Length));
        });

        // Copies module file NAME into the Uint8Array given (sized by fsBundleSize); returns the bytes copied or -1.
        Add("fsBundleRead", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var name = a.GetString(0, "name");
            var target = a.Get<ITypedArray<byte>>(1, "target");
            using var lease = ScriptHandles.Own(target);
            var path = PathOf(modules, name);
            if (path is null) { r.Set(-1); return; }
            byte[] bytes;
            try { bytes = File.ReadAllBytes(path); }
            catch (IOException) { r.Set(-1); return; }
            var n = Math.Min(bytes.Length, (int)target.Length);
            if (n > 0) target.WriteBytes(bytes, 0, (ulong)n, 0);
            r.Set(n);
        });
    }

    private static string? PathOf(ModuleSource modules, string name)
    {
        try { return modules.Get(name, null).Path; }
        catch (ModuleNotFoundException) { return null; }
    }
}
