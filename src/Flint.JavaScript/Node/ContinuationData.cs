using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.ClearScript.V8;
using Microsoft.ClearScript.V8.FastProxy;

namespace Flint.JavaScript.Node;

/// <summary>
/// V8's continuation-preserved embedder data (CPED): one value per isolate that V8 captures when a
/// promise reaction is created (<c>then</c>, <c>await</c>) and restores while the reaction runs. It is
/// how workerd's AsyncLocalStorage follows <c>await</c>, and how Flint's does. ClearScript does not
/// expose it, but its native library exports V8's C++ API, so these ops call
/// <c>v8::Isolate::{Get,Set}ContinuationPreservedEmbedderData</c> directly.
/// <para>
/// Values cross through a one-element array (the "cell") that the built-ins own: at start-up script
/// puts the cell on the global object for the duration of one op, which looks it up through V8's API
/// and keeps a V8 global handle to it. <c>set</c> then stores <c>cell[0]</c> as the CPED, and
/// <c>get</c> writes the CPED into <c>cell[0]</c>. Every call runs on the isolate's thread inside a
/// V8 callback (isolate and context entered, a handle scope open), and passes V8 only handles V8
/// made. Nothing of this is reachable from Worker code: the ops and the cell live in the built-ins.
/// </para>
/// </summary>
internal static unsafe class ContinuationData
{
    /// <summary>The global property the cell sits on during <c>asyncContextInit</c>, and only then.</summary>
    private const string CellProperty = "__flint_async_context_cell";

    private sealed class Api
    {
        public delegate* unmanaged<IntPtr> GetCurrentIsolate;
        public delegate* unmanaged<IntPtr, IntPtr> GetCurrentContext;           // Isolate::GetCurrentContext() -> Local<Context>
        public delegate* unmanaged<IntPtr, IntPtr> ContextGlobal;               // Context::Global() -> Local<Object>
        public delegate* unmanaged<IntPtr, byte*, int, int, IntPtr> NewString;  // String::NewFromUtf8(isolate, data, type, length) -> MaybeLocal<String>
        public delegate* unmanaged<IntPtr, IntPtr, IntPtr, IntPtr> GetByKey;    // Object::Get(context, key) -> MaybeLocal<Value>
        public delegate* unmanaged<IntPtr, IntPtr, uint, IntPtr> GetByIndex;    // Object::Get(context, index) -> MaybeLocal<Value>
        public delegate* unmanaged<IntPtr, IntPtr, uint, IntPtr, ushort> SetByIndex; // Object::Set(context, index, value) -> Maybe<bool>
        public delegate* unmanaged<IntPtr, IntPtr, IntPtr> Globalize;           // api_internal::GlobalizeReference(isolate, value) -> slot
        public delegate* unmanaged<IntPtr, IntPtr, void> SetData;               // Isolate::SetContinuationPreservedEmbedderData(Local<Value>)
        public delegate* unmanaged<IntPtr, IntPtr> GetData;                     // Isolate::GetContinuationPreservedEmbedderData() -> Local<Value>
    }

    private static readonly Lazy<(Api? Api, string? Problem)> s_api = new(Resolve);

    /// <summary>Why CPED cannot be used in this process, or null when it can.</summary>
    public static string? Problem => s_api.Value.Problem;

    private static (Api?, string?) Resolve()
    {
        try
        {
            var lib = NativeLibrary.Load("ClearScriptV8.linux-x64.so", typeof(V8ScriptEngine).Assembly, DllImportSearchPath.AssemblyDirectory | DllImportSearchPath.SafeDirectories);
            IntPtr Sym(string name) => NativeLibrary.TryGetExport(lib, name, out var p)
                ? p : throw new EntryPointNotFoundException($"{name} is not exported by ClearScript's V8 library.");
            var api = new Api
            {
                GetCurrentIsolate = (delegate* unmanaged<IntPtr>)Sym("_ZN2v87Isolate10GetCurrentEv"),
                GetCurrentContext = (delegate* unmanaged<IntPtr, IntPtr>)Sym("_ZN2v87Isolate17GetCurrentContextEv"),
                ContextGlobal = (delegate* unmanaged<IntPtr, IntPtr>)Sym("_ZN2v87Context6GlobalEv"),
                NewString = (delegate* unmanaged<IntPtr, byte*, int, int, IntPtr>)Sym("_ZN2v86String11NewFromUtf8EPNS_7IsolateEPKcNS_13NewStringTypeEi"),
                GetByKey = (delegate* unmanaged<IntPtr, IntPtr, IntPtr, IntPtr>)Sym("_ZN2v86Object3GetENS_5LocalINS_7ContextEEENS1_INS_5ValueEEE"),
                GetByIndex = (delegate* unmanaged<IntPtr, IntPtr, uint, IntPtr>)Sym("_ZN2v86Object3GetENS_5LocalINS_7ContextEEEj"),
                SetByIndex = (delegate* unmanaged<IntPtr, IntPtr, uint, IntPtr, ushort>)Sym("_ZN2v86Object3SetENS_5LocalINS_7ContextEEEjNS1_INS_5ValueEEE"),
                Globalize = (delegate* unmanaged<IntPtr, IntPtr, IntPtr>)Sym("_ZN2v812api_internal18GlobalizeReferenceEPNS_8internal7IsolateEm"),
                SetData = (delegate* unmanaged<IntPtr, IntPtr, void>)Sym("_ZN2v87Isolate36SetContinuationPreservedEmbedderDataENS_5LocalINS_5ValueEEE"),
                GetData = (delegate* unmanaged<IntPtr, IntPtr>)Sym("_ZN2v87Isolate36GetContinuationPreservedEmbedderDataEv"),
            };
            return (api, null);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            return (null, ex.Message);
        }
    }

    /// <summary>
    /// Registers asyncContextInit/Set/Get. Init returns null on success or the reason CPED is not
    /// usable; script checks with a round trip before it relies on it.
    /// </summary>
    public static void Register(Isolates.HostOpTable ops)
    {
        IntPtr cell = IntPtr.Zero; // this isolate's V8 global handle to the cell; freed with the isolate

        ops.SetProperty("asyncContextInit", new V8FastHostFunction("asyncContextInit", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var (api, problem) = s_api.Value;
            if (api is null) { r.Set(problem!); return; }
            if (cell != IntPtr.Zero) { r.Set("The async context cell is already set."); return; }
            var isolate = api.GetCurrentIsolate();
            var context = isolate == IntPtr.Zero ? IntPtr.Zero : api.GetCurrentContext(isolate);
            // A V8 handle is a pointer to a slot holding a tagged (odd) heap pointer. Builds that pass
            // tagged pointers directly (V8_ENABLE_DIRECT_HANDLE) would need other code: refuse them.
            if (context == IntPtr.Zero || (context & 1) != 0 || (*(nint*)context & 1) != 1)
            {
                r.Set("V8 handles in this build are not indirect handles.");
                return;
            }
            var global = api.ContextGlobal(context);
            var name = System.Text.Encoding.UTF8.GetBytes(CellProperty);
            IntPtr key;
            fixed (byte* p = name) key = api.NewString(isolate, p, 0, name.Length);
            var value = key == IntPtr.Zero ? IntPtr.Zero : api.GetByKey(global, context, key);
            if (value == IntPtr.Zero || (*(nint*)value & 1) != 1)
            {
                r.Set($"globalThis.{CellProperty} is not an object.");
                return;
            }
            cell = api.Globalize(isolate, *(IntPtr*)value);
            r.SetNull();
        }));

        ops.SetProperty("asyncContextSet", new V8FastHostFunction("asyncContextSet", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var api = s_api.Value.Api;
            if (api is null || cell == IntPtr.Zero) return;
            var isolate = api.GetCurrentIsolate();
            var value = api.GetByIndex(cell, api.GetCurrentContext(isolate), 0);
            if (value != IntPtr.Zero) api.SetData(isolate, value);
        }));

        ops.SetProperty("asyncContextGet", new V8FastHostFunction("asyncContextGet", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var api = s_api.Value.Api;
            if (api is null || cell == IntPtr.Zero) return;
            var isolate = api.GetCurrentIsolate();
            var value = api.GetData(isolate);
            if (value != IntPtr.Zero) api.SetByIndex(cell, api.GetCurrentContext(isolate), 0, value);
        }));
    }
}
