using Microsoft.ClearScript.JavaScript;

namespace Flint.JavaScript.Isolates;

/// <summary>
/// A script object handed to .NET holds a V8 handle that keeps the object alive until the .NET
/// side is disposed or finalized, and ops make few .NET allocations, so finalization comes late.
/// A typed array holds a second handle, to its ArrayBuffer, as soon as its length or bytes are
/// read, and disposing the view does not release that one. A CompressionStream that gzipped a
/// 1 MiB Blob per request kept every Blob alive that way (1.2 GB under load). Every script object
/// an op takes or makes is therefore released here when the op is done. V8FastArgs wraps every
/// object argument before the op runs, so an op must take (and release) each object it is passed.
/// </summary>
internal static class ScriptHandles
{
    /// <summary>Releases the V8 handles behind <paramref name="value"/>, if it is a script object.</summary>
    public static void Release(object? value)
    {
        // Disposing the buffer's own wrapper releases the handle the view's info holds.
        if (value is IArrayBufferView view) view.ArrayBuffer.Dispose();
        (value as IDisposable)?.Dispose();
    }

    /// <summary>Releases <paramref name="value"/> when disposed: <c>using var _ = ScriptHandles.Own(x);</c></summary>
    public static Lease Own(object? value) => new(value);

    /// <summary>A copy of a Uint8Array argument's bytes (null for anything else), its handles released.</summary>
    public static byte[]? CopyBytes(object? value)
    {
        try { return value is ITypedArray<byte> bytes ? bytes.ToArray() : null; }
        finally { Release(value); }
    }

    public readonly struct Lease(object? value) : IDisposable
    {
        public void Dispose() => Release(value);
    }
}
