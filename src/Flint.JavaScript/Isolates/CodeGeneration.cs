using System.Runtime.InteropServices;

namespace Flint.JavaScript.Isolates;

/// <summary>
/// Code generation at run time, refused as on Cloudflare: <c>eval</c>, <c>new Function</c> and
/// their async and generator kin throw <c>EvalError: Code generation from strings disallowed for
/// this context</c>, and compiling WebAssembly from bytes throws <c>CompileError: … Wasm code
/// generation disallowed by embedder</c> — V8's own messages, which workerd shows too. Libraries
/// probe for this and take their fallback path, so being looser than Cloudflare would change
/// what a Worker does.
/// </summary>
/// <remarks>
/// ClearScript does not expose these V8 settings, but its native library exports V8's C++ API,
/// so they are called directly: the process-wide flag that makes every new context refuse code
/// from strings, and the isolate's WebAssembly callback, which answers "no" unless Flint's
/// built-ins opened the gate for a module the Worker was deployed with (a CompiledWasm module) on
/// this thread, for the duration of one synchronous compile.
/// </remarks>
internal static unsafe partial class CodeGeneration
{
    private const string V8Library = "ClearScriptV8.linux-x64.so";

    [ThreadStatic] private static bool t_wasmOpen;

    /// <summary>Sets the process-wide V8 flag; must run before the first isolate exists.</summary>
    public static void RefuseStringsProcessWide() => SetFlagsFromString("--disallow-code-generation-from-strings");

    /// <summary>Installs the WebAssembly gate on the isolate this thread is running (call from inside V8, e.g. an op).</summary>
    public static void InstallWasmGateOnCurrentIsolate()
    {
        var isolate = GetCurrentIsolate();
        if (isolate == IntPtr.Zero) throw new InvalidOperationException("No V8 isolate is entered on this thread.");
        SetAllowWasmCodeGenerationCallback(isolate, &AllowWasm);
    }

    /// <summary>Opens (or closes) the gate for a compile of a trusted module on this thread.</summary>
    public static void SetWasmGate(bool open) => t_wasmOpen = open;

    [UnmanagedCallersOnly]
    private static byte AllowWasm(IntPtr context, IntPtr source) => t_wasmOpen ? (byte)1 : (byte)0;

    [LibraryImport(V8Library, EntryPoint = "_ZN2v82V818SetFlagsFromStringEPKc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial void SetFlagsFromString(string flags);

    [LibraryImport(V8Library, EntryPoint = "_ZN2v87Isolate10GetCurrentEv")]
    private static partial IntPtr GetCurrentIsolate();

    [LibraryImport(V8Library, EntryPoint = "_ZN2v87Isolate34SetAllowWasmCodeGenerationCallbackEPFbNS_5LocalINS_7ContextEEENS1_INS_6StringEEEE")]
    private static partial void SetAllowWasmCodeGenerationCallback(IntPtr isolate, delegate* unmanaged<IntPtr, IntPtr, byte> callback);
}
