using Flint.JavaScript.Isolates;
using Microsoft.ClearScript.JavaScript;
using Microsoft.ClearScript.V8.FastProxy;

namespace Flint.JavaScript.Web.Compression;

/// <summary>
/// The host side of CompressionStream / DecompressionStream (49_compression.js). A codec lives
/// here under an integer handle; script pushes whole chunks and takes output into its own
/// Uint8Arrays, so a chunk crosses once each way. No op throws into script: a failing op
/// returns -1 and <c>compressionError()</c> gives the message to throw as a TypeError.
/// </summary>
internal static class CompressionOps
{
    /// <summary>Codecs one isolate may hold open at once (each holds ~300 KiB of zlib state).</summary>
    private const int MaxCodecs = 10_000;

    public static void Register(HostOpTable ops)
    {
        var codecs = new Dictionary<int, ZlibCodec>();
        var nextId = 0;
        var lastError = "";
        void Add(string name, V8FastHostFunctionInvoker invoke) => ops.SetProperty(name, new V8FastHostFunction(name, invoke));

        int Fail(string message) { lastError = message; return -1; }

        // format: 0 gzip, 1 deflate, 2 deflate-raw; returns a handle or -1
        Add("compressionCreate", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var format = a.GetInt32(0, "format");
            var compress = a.IsTruthy(1);
            if (format is < 0 or > 2) { r.Set(Fail("The compression format must be either 'deflate', 'deflate-raw' or 'gzip'.")); return; }
            if (codecs.Count >= MaxCodecs) { r.Set(Fail("Too many compression streams are open.")); return; }
            var id = ++nextId;
            codecs[id] = new ZlibCodec((CompressionFormat)format, compress);
            r.Set(id);
        });

        Add("compressionPush", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            if (!codecs.TryGetValue(a.GetInt32(0, "handle"), out var codec)) { r.Set(Fail("The compression stream is closed.")); return; }
            var input = a.Get<ITypedArray<byte>>(1, "input");
            using var inputLease = ScriptHandles.Own(input);
            try
            {
                input.InvokeWithDirectAccess(p =>
                {
                    unsafe { codec.Push(new ReadOnlySpan<byte>((void*)p, checked((int)input.Length))); }
                });
                r.Set(0);
            }
            catch (CompressionException ex) { r.Set(Fail(ex.Message)); }
            catch (InvalidOperationException ex) { r.Set(Fail(ex.Message)); }
        });

        // handle, target, finish: the bytes written into target, or -1
        Add("compressionRead", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            if (!codecs.TryGetValue(a.GetInt32(0, "handle"), out var codec)) { r.Set(Fail("The compression stream is closed.")); return; }
            var target = a.Get<ITypedArray<byte>>(1, "target");
            using var targetLease = ScriptHandles.Own(target);
            var finish = a.IsTruthy(2);
            try
            {
                var written = target.InvokeWithDirectAccess(p =>
                {
                    unsafe { return codec.Read(new Span<byte>((void*)p, checked((int)target.Length)), finish); }
                });
                r.Set(written);
            }
            catch (CompressionException ex) { r.Set(Fail(ex.Message)); }
        });

        Add("compressionError", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            r.Set(lastError);
            lastError = "";
        });

        Add("compressionRelease", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            if (codecs.Remove(a.GetInt32(0, "handle"), out var codec)) codec.Dispose();
        });
    }
}
