using System.Buffers;
using System.IO.Compression;
using System.Runtime.InteropServices;
using Flint.JavaScript.Isolates;
using Flint.JavaScript.Web.Compression;
using Microsoft.ClearScript.JavaScript;
using Microsoft.ClearScript.V8.FastProxy;

namespace Flint.JavaScript.Node;

/// <summary>node:zlib's modes, numbered as Node's zlib.constants numbers them.</summary>
internal enum ZlibMode { Deflate = 1, Inflate = 2, Gzip = 3, Gunzip = 4, DeflateRaw = 5, InflateRaw = 6, Unzip = 7, BrotliDecode = 8, BrotliEncode = 9, ZstdCompress = 10, ZstdDecompress = 11 }

/// <summary>A node:zlib failure as Node reports it: the message, its code (Z_DATA_ERROR, …) and errno.</summary>
internal sealed class NodeZlibException(string message, string code, int errno) : Exception(message)
{
    public string Code { get; } = code;
    public int Errno { get; } = errno;
}

/// <summary>
/// One node:zlib stream (Deflate, Gunzip, BrotliCompress, …): input goes in with a flush mode and
/// comes out whole, so a chunk crosses once each way. Deflate and inflate use the zlib the .NET
/// runtime ships (with Node's level, windowBits, memLevel and strategy; gunzip goes on to the next
/// member as Node's does), brotli .NET's encoder and decoder, zstd ZstdSharp (a managed port of zstd).
/// </summary>
internal sealed unsafe class NodeZlibCodec : IDisposable
{
    private const int ZPartialFlush = 1, ZSyncFlush = 2, ZFullFlush = 3, ZFinish = 4, ZDataError = -3, ZBufError = -5;
    private readonly ZlibMode _mode;
    private readonly int _windowBits, _brotliQuality, _brotliWindow;
    private ZlibNative.ZStream* _z;
    private BrotliEncoder _encoder;
    private BrotliDecoder _decoder;
    private ZstdSharp.Compressor? _zstdCompressor;
    private ZstdSharp.Decompressor? _zstdDecompressor;
    private bool _brotli, _ended, _disposed;

    public NodeZlibCodec(ZlibMode mode, int level, int windowBits, int memLevel, int strategy, int brotliQuality, int brotliWindow)
    {
        _mode = mode;
        (_brotliQuality, _brotliWindow) = (brotliQuality, brotliWindow);
        if (mode == ZlibMode.ZstdCompress) { _zstdCompressor = new ZstdSharp.Compressor(level); return; }
        if (mode == ZlibMode.ZstdDecompress) { _zstdDecompressor = new ZstdSharp.Decompressor(); return; }
        if (mode is ZlibMode.BrotliEncode or ZlibMode.BrotliDecode)
        {
            _brotli = true;
            if (mode == ZlibMode.BrotliEncode) _encoder = new BrotliEncoder(brotliQuality, brotliWindow);
            else _decoder = new BrotliDecoder();
            return;
        }
        _windowBits = mode switch
        {
            ZlibMode.Gzip or ZlibMode.Gunzip => windowBits + 16,
            ZlibMode.Unzip => windowBits + 32,
            ZlibMode.DeflateRaw or ZlibMode.InflateRaw => -windowBits,
            _ => windowBits,
        };
        _z = (ZlibNative.ZStream*)NativeMemory.AllocZeroed((nuint)sizeof(ZlibNative.ZStream));
        var compress = mode is ZlibMode.Deflate or ZlibMode.Gzip or ZlibMode.DeflateRaw;
        var rc = compress
            ? ZlibNative.CompressionNative_DeflateInit2_(_z, level, 8, _windowBits, memLevel, strategy)
            : ZlibNative.CompressionNative_InflateInit2_(_z, _windowBits);
        if (rc != ZlibNative.ZOk)
        {
            NativeMemory.Free(_z);
            _z = null;
            throw new NodeZlibException("Init error", "Z_STREAM_ERROR", -2);
        }
    }

    private bool Compressing => _mode is ZlibMode.Deflate or ZlibMode.Gzip or ZlibMode.DeflateRaw or ZlibMode.BrotliEncode or ZlibMode.ZstdCompress;

    // Node's zstd operations: 0 continue, 1 flush, 2 end.
    private void Zstd(ReadOnlySpan<byte> input, int flush, ArrayBufferWriter<byte> output)
    {
        try
        {
            if (_zstdCompressor is { } compressor)
            {
                var end = flush is 2 or ZFinish;
                while (true)
                {
                    var span = output.GetSpan(64 * 1024);
                    var status = compressor.WrapStream(input, span, out var consumed, out var written, end);
                    output.Advance(written);
                    input = input[consumed..];
                    if (status == OperationStatus.DestinationTooSmall || !input.IsEmpty) continue;
                    break;
                }
                if (flush == 1 && !end)
                {
                    OperationStatus status;
                    do
                    {
                        var span = output.GetSpan(64 * 1024);
                        status = compressor.FlushStream(span, out var written);
                        output.Advance(written);
                    } while (status == OperationStatus.DestinationTooSmall);
                }
                return;
            }
            while (true)
            {
                var span = output.GetSpan(64 * 1024);
                var status = _zstdDecompressor!.UnwrapStream(input, span, out var consumed, out var written);
                output.Advance(written);
                input = input[consumed..];
                if (status == OperationStatus.InvalidData) throw new NodeZlibException("Decompression failed", "ZSTD_error_corruption_detected", -20);
                if (status == OperationStatus.DestinationTooSmall || !input.IsEmpty) continue;
                break;
            }
        }
        catch (ZstdSharp.ZstdException ex)
        {
            throw new NodeZlibException(ex.Message, "ZSTD_error_GENERIC", -1);
        }
    }

    /// <summary>Processes <paramref name="input"/> with Node's flush mode and returns all output it gives.</summary>
    public byte[] Write(ReadOnlySpan<byte> input, int flush)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var output = new ArrayBufferWriter<byte>();
        if (_zstdCompressor is not null || _zstdDecompressor is not null) Zstd(input, flush, output);
        else if (_brotli) Brotli(input, flush, output);
        else Zlib(input, flush, output);
        return output.WrittenSpan.ToArray();
    }

    private void Zlib(ReadOnlySpan<byte> input, int flush, ArrayBufferWriter<byte> output)
    {
        var compress = Compressing;
        fixed (byte* inp = input)
        {
            _z->NextIn = inp;
            _z->AvailIn = (uint)input.Length;
            try
            {
                while (true)
                {
                    if (_ended && (!compress && _z->AvailIn > 0 && _mode is ZlibMode.Gunzip or ZlibMode.Unzip))
                    {
                        // Node reads the next gzip member after one ends.
                        ZlibNative.CompressionNative_InflateReset2_(_z, _windowBits);
                        _ended = false;
                    }
                    if (_ended) return;
                    var span = output.GetSpan(64 * 1024);
                    int rc;
                    fixed (byte* outp = span)
                    {
                        _z->NextOut = outp;
                        _z->AvailOut = (uint)span.Length;
                        rc = compress ? ZlibNative.CompressionNative_Deflate(_z, flush) : ZlibNative.CompressionNative_Inflate(_z, flush == ZFinish ? ZSyncFlush : flush);
                        output.Advance(span.Length - (int)_z->AvailOut);
                    }
                    var outputFull = _z->AvailOut == 0;
                    _z->NextOut = null;
                    _z->AvailOut = 0;
                    if (rc == ZlibNative.ZStreamEnd) { _ended = true; continue; }
                    if (rc == ZlibNative.ZNeedDict) throw new NodeZlibException("Missing dictionary", "Z_NEED_DICT", 2);
                    if (rc == ZBufError || (rc == ZlibNative.ZOk && !outputFull))
                    {
                        // No more output for now: all input was taken (or no progress is possible).
                        if (!compress && flush == ZFinish && _z->AvailIn == 0)
                            throw new NodeZlibException("unexpected end of file", "Z_BUF_ERROR", ZBufError);
                        if (rc == ZBufError || _z->AvailIn == 0) return;
                        continue;
                    }
                    if (rc != ZlibNative.ZOk) throw Failure(rc);
                }
            }
            finally
            {
                _z->NextIn = null;
                _z->AvailIn = 0;
            }
        }
    }

    private NodeZlibException Failure(int rc)
    {
        var message = _z->Msg is null ? "zlib error" : Marshal.PtrToStringUTF8((nint)_z->Msg) ?? "zlib error";
        return rc switch
        {
            ZDataError => new NodeZlibException(message, "Z_DATA_ERROR", ZDataError),
            -2 => new NodeZlibException(message, "Z_STREAM_ERROR", -2),
            -4 => new NodeZlibException("Out of memory", "Z_MEM_ERROR", -4),
            _ => new NodeZlibException(message, "Z_ERRNO", rc),
        };
    }

    private void Brotli(ReadOnlySpan<byte> input, int flush, ArrayBufferWriter<byte> output)
    {
        // Node's brotli operations: 0 process, 1 flush, 2 finish (zlib's Z_FINISH maps to finish).
        var finish = flush is 2 or ZFinish;
        var doFlush = flush is 1 or ZSyncFlush or ZFullFlush or ZPartialFlush;
        while (true)
        {
            var span = output.GetSpan(64 * 1024);
            OperationStatus status;
            int consumed, written;
            if (_mode == ZlibMode.BrotliEncode)
            {
                status = _encoder.Compress(input, span, out consumed, out written, finish);
                if (status == OperationStatus.Done && doFlush && input.Length == consumed)
                {
                    output.Advance(written);
                    span = output.GetSpan(64 * 1024);
                    status = _encoder.Flush(span, out written);
                    consumed = 0;
                    input = [];
                }
            }
            else
            {
                if (_ended) return;
                status = _decoder.Decompress(input, span, out consumed, out written);
                if (status == OperationStatus.Done) _ended = true;
            }
            output.Advance(written);
            input = input[consumed..];
            if (status == OperationStatus.InvalidData)
                throw new NodeZlibException("Compression failed", _mode == ZlibMode.BrotliEncode ? "ERR_BROTLI_COMPRESSION_FAILED" : "ERR__ERROR_FORMAT_PADDING_2", -15); // workerd's words, either way
            if (status == OperationStatus.DestinationTooSmall) continue;
            if (status == OperationStatus.NeedMoreData && _mode == ZlibMode.BrotliDecode && finish && input.IsEmpty)
                throw new NodeZlibException("unexpected end of file", "Z_BUF_ERROR", ZBufError);
            return;
        }
    }

    public void Reset()
    {
        _zstdCompressor?.ResetStream();
        _zstdDecompressor?.ResetStream();
        if (_brotli)
        {
            if (_mode == ZlibMode.BrotliEncode) { _encoder.Dispose(); _encoder = new BrotliEncoder(_brotliQuality, _brotliWindow); }
            else { _decoder.Dispose(); _decoder = new BrotliDecoder(); }
        }
        else if (!Compressing) ZlibNative.CompressionNative_InflateReset2_(_z, _windowBits);
        _ended = false;
    }

    ~NodeZlibCodec() => Release();

    public void Dispose()
    {
        Release();
        GC.SuppressFinalize(this);
    }

    private void Release()
    {
        if (_disposed) return;
        _disposed = true;
        _zstdCompressor?.Dispose();
        _zstdDecompressor?.Dispose();
        if (_brotli)
        {
            _encoder.Dispose();
            _decoder.Dispose();
            return;
        }
        if (_z is null) return;
        if (Compressing) ZlibNative.CompressionNative_DeflateEnd(_z);
        else ZlibNative.CompressionNative_InflateEnd(_z);
        NativeMemory.Free(_z);
        _z = null;
    }

    public static uint Crc32(uint crc, ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data) return ZlibNative.CompressionNative_Crc32(crc, p, data.Length);
    }
}

/// <summary>
/// The host side of node:zlib (Node/js/zlib.js): codecs by integer handle, input pushed with a
/// flush mode, output taken into a Uint8Array script sizes from what the write returned. No op
/// throws into script: a failure returns -1 and <c>zlibError()</c> gives "code\nerrno\nmessage".
/// </summary>
internal static class NodeZlibOps
{
    private const int MaxCodecs = 10_000;

    public static void Register(HostOpTable ops)
    {
        var codecs = new Dictionary<int, NodeZlibCodec>();
        var pending = new Dictionary<int, byte[]>();
        var nextId = 0;
        var lastError = "";
        void Add(string name, V8FastHostFunctionInvoker invoke) => ops.SetProperty(name, new V8FastHostFunction(name, invoke));
        int Fail(NodeZlibException ex) { lastError = $"{ex.Code}\n{ex.Errno}\n{ex.Message}"; return -1; }

        // mode, level, windowBits, memLevel, strategy, brotli quality, brotli window -> handle or -1
        Add("zlibCreate", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            if (codecs.Count >= MaxCodecs) { r.Set(Fail(new NodeZlibException("Too many zlib streams are open.", "ERR_ZLIB_INITIALIZATION_FAILED", -4))); return; }
            try
            {
                var codec = new NodeZlibCodec((ZlibMode)a.GetInt32(0, "mode"), a.GetInt32(1, "level"), a.GetInt32(2, "windowBits"), a.GetInt32(3, "memLevel"),
                    a.GetInt32(4, "strategy"), a.GetInt32(5, "quality"), a.GetInt32(6, "window"));
                codecs[++nextId] = codec;
                r.Set(nextId);
            }
            catch (NodeZlibException ex) { r.Set(Fail(ex)); }
            catch (ArgumentOutOfRangeException ex) { r.Set(Fail(new NodeZlibException(ex.Message, "ERR_ZLIB_INITIALIZATION_FAILED", -2))); }
        });

        // handle, input, flush -> the output's length (taken with zlibTake), or -1
        Add("zlibWrite", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var handle = a.GetInt32(0, "handle");
            var input = a.Get<ITypedArray<byte>>(1, "input");
            using var lease = ScriptHandles.Own(input);
            var flush = a.GetInt32(2, "flush");
            if (!codecs.TryGetValue(handle, out var codec)) { r.Set(Fail(new NodeZlibException("zlib binding closed", "ERR_ZLIB_BINDING_CLOSED", -2))); return; }
            try
            {
                var output = input.InvokeWithDirectAccess(p =>
                {
                    unsafe { return codec.Write(new ReadOnlySpan<byte>((void*)p, checked((int)input.Length)), flush); }
                });
                pending[handle] = output;
                r.Set(output.Length);
            }
            catch (NodeZlibException ex) { r.Set(Fail(ex)); }
        });

        // handle, target: copies the last write's output into target
        Add("zlibTake", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var handle = a.GetInt32(0, "handle");
            var target = a.Get<ITypedArray<byte>>(1, "target");
            using var lease = ScriptHandles.Own(target);
            if (!pending.Remove(handle, out var bytes)) { r.Set(0); return; }
            var n = Math.Min(bytes.Length, (int)target.Length);
            if (n > 0) target.WriteBytes(bytes, 0, (ulong)n, 0);
            r.Set(n);
        });

        Add("zlibReset", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            if (codecs.TryGetValue(a.GetInt32(0, "handle"), out var codec)) codec.Reset();
        });

        Add("zlibClose", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var handle = a.GetInt32(0, "handle");
            pending.Remove(handle);
            if (codecs.Remove(handle, out var codec)) codec.Dispose();
        });

        Add("zlibError", (bool _, in V8FastArgs a, in V8FastResult r) => { r.Set(lastError); lastError = ""; });

        // data, initial value -> crc32 (as a double, to stay unsigned)
        Add("zlibCrc32", (bool _, in V8FastArgs a, in V8FastResult r) =>
        {
            var data = a.Get<ITypedArray<byte>>(0, "data");
            using var lease = ScriptHandles.Own(data);
            var initial = (uint)a.GetDouble(1, "value");
            var crc = data.InvokeWithDirectAccess(p =>
            {
                unsafe { return NodeZlibCodec.Crc32(initial, new ReadOnlySpan<byte>((void*)p, checked((int)data.Length))); }
            });
            r.Set((double)crc);
        });
    }
}
