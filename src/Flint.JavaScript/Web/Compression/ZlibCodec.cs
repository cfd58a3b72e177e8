using System.Runtime.InteropServices;

namespace Flint.JavaScript.Web.Compression;

/// <summary>The formats of CompressionStream / DecompressionStream (and Content-Encoding).</summary>
public enum CompressionFormat
{
    Gzip = 0,
    Deflate = 1,
    DeflateRaw = 2,
}

/// <summary>A codec failure, with the message workerd gives (the script throws it as a TypeError).</summary>
public sealed class CompressionException(string message) : Exception(message);

/// <summary>
/// A streaming zlib compressor or decompressor: input is pushed chunk by chunk and output taken
/// into caller-supplied buffers, so neither side ever holds a whole body. It uses the zlib the
/// .NET runtime itself ships (libSystem.IO.Compression.Native, the one behind
/// <see cref="System.IO.Compression.ZLibStream"/>): unlike the managed streams it reports where
/// a compressed stream ends, which is needed to reject trailing bytes and truncated input
/// the way workerd does.
/// </summary>
public sealed unsafe class ZlibCodec : IDisposable
{
    private const int ZOk = ZlibNative.ZOk, ZStreamEnd = ZlibNative.ZStreamEnd, ZBufError = ZlibNative.ZBufError;
    private const int ZNoFlush = ZlibNative.ZNoFlush, ZFinish = ZlibNative.ZFinish;

    private readonly bool _compress;
    private ZlibNative.ZStream* _z;
    private byte* _input;      // a copy of the pending input, owned here
    private bool _ended;       // the compressed stream ended (decompression) or was finished (compression)
    private bool _failed;

    public ZlibCodec(CompressionFormat format, bool compress)
    {
        var windowBits = format switch
        {
            CompressionFormat.Gzip => 15 + 16,
            CompressionFormat.Deflate => 15,
            CompressionFormat.DeflateRaw => -15,
            _ => throw new ArgumentOutOfRangeException(nameof(format)),
        };
        _compress = compress;
        _z = (ZlibNative.ZStream*)NativeMemory.AllocZeroed((nuint)sizeof(ZlibNative.ZStream));
        var rc = compress
            ? ZlibNative.CompressionNative_DeflateInit2_(_z, -1, 8, windowBits, 8, 0)
            : ZlibNative.CompressionNative_InflateInit2_(_z, windowBits);
        if (rc != ZOk)
        {
            NativeMemory.Free(_z);
            _z = null;
            throw new InvalidOperationException($"zlib could not be initialized ({rc}).");
        }
    }

    /// <summary>True while input given to <see cref="Push"/> has not all been consumed.</summary>
    public bool HasPendingInput => _z is not null && _z->AvailIn > 0;

    /// <summary>Queues input (copied). Call <see cref="Read"/> until it returns 0 before pushing more.</summary>
    public void Push(ReadOnlySpan<byte> input)
    {
        ObjectDisposedException.ThrowIf(_z is null, this);
        if (_failed) throw new CompressionException(_compress ? "Compression failed." : "Decompression failed.");
        if (_z->AvailIn > 0) throw new InvalidOperationException("The previous input was not consumed yet.");
        if (input.IsEmpty) return;
        if (_ended)
        {
            if (_compress) throw new CompressionException("The compression stream was already finished.");
            _failed = true;
            throw new CompressionException("Trailing bytes after end of compressed data");
        }
        NativeMemory.Free(_input);
        _input = (byte*)NativeMemory.Alloc((nuint)input.Length);
        input.CopyTo(new Span<byte>(_input, input.Length));
        _z->NextIn = _input;
        _z->AvailIn = (uint)input.Length;
    }

    /// <summary>
    /// Produces output into <paramref name="output"/> from the pending input (and, when
    /// <paramref name="finish"/>, ends the stream). Returns the bytes written: fewer than the
    /// buffer holds means all output available so far was produced.
    /// </summary>
    public int Read(Span<byte> output, bool finish)
    {
        ObjectDisposedException.ThrowIf(_z is null, this);
        if (_failed) throw new CompressionException(_compress ? "Compression failed." : "Decompression failed.");
        if (output.IsEmpty) return 0;
        fixed (byte* outp = output)
        {
            _z->NextOut = outp;
            _z->AvailOut = (uint)output.Length;
            try
            {
                if (_compress) Deflate(finish);
                else Inflate(finish);
                return output.Length - (int)_z->AvailOut;
            }
            finally
            {
                _z->NextOut = null;
                _z->AvailOut = 0;
            }
        }
    }

    // zlib returns with room left in the output only once it consumed all input, so each loop
    // ends when the output is full, the input is used up, or the stream ended. Both are called
    // even without new input: output zlib still holds (a long match, deflate's pending bytes)
    // comes out then.
    private void Deflate(bool finish)
    {
        if (_ended) return;
        while (_z->AvailOut > 0)
        {
            var rc = ZlibNative.CompressionNative_Deflate(_z, finish ? ZFinish : ZNoFlush);
            if (rc == ZStreamEnd) { _ended = true; return; }
            if (rc == ZBufError) return; // no progress possible without more input
            if (rc != ZOk) { _failed = true; throw new CompressionException("Compression failed."); }
            if (!finish && _z->AvailOut > 0) return;
        }
    }

    private void Inflate(bool finish)
    {
        while (_z->AvailOut > 0 && !_ended)
        {
            var rc = ZlibNative.CompressionNative_Inflate(_z, ZNoFlush);
            if (rc == ZStreamEnd) { _ended = true; break; }
            if (rc == ZBufError) break; // no progress possible without more input
            if (rc != ZOk) { _failed = true; throw new CompressionException("Decompression failed."); }
            if (_z->AvailOut > 0) break;
        }
        if (_ended && _z->AvailIn > 0)
        {
            _failed = true;
            throw new CompressionException("Trailing bytes after end of compressed data");
        }
        if (finish && !_ended && _z->AvailOut > 0)
        {
            _failed = true;
            throw new CompressionException("Called close() on a decompression stream with incomplete data");
        }
    }

    ~ZlibCodec() => Release();

    public void Dispose()
    {
        Release();
        GC.SuppressFinalize(this);
    }

    private void Release()
    {
        if (_z is null) return;
        if (_compress) ZlibNative.CompressionNative_DeflateEnd(_z);
        else ZlibNative.CompressionNative_InflateEnd(_z);
        NativeMemory.Free(_z);
        NativeMemory.Free(_input);
        _z = null;
        _input = null;
    }
}

/// <summary>
/// The zlib and brotli the .NET runtime ships (libSystem.IO.Compression.Native), called directly:
/// CompressionStream's codec and node:zlib's (Node/NodeZlib.cs) share these declarations.
/// </summary>
internal static unsafe class ZlibNative
{
    private const string Library = "libSystem.IO.Compression.Native";
    public const int ZOk = 0, ZStreamEnd = 1, ZNeedDict = 2, ZBufError = -5;
    public const int ZNoFlush = 0, ZFinish = 4;

    [StructLayout(LayoutKind.Sequential)]
    public struct ZStream
    {
        public byte* NextIn;
        public byte* NextOut;
        public byte* Msg;
        public void* InternalState;
        public uint AvailIn;
        public uint AvailOut;
    }

    [DllImport(Library)] public static extern int CompressionNative_DeflateInit2_(ZStream* stream, int level, int method, int windowBits, int memLevel, int strategy);
    [DllImport(Library)] public static extern int CompressionNative_Deflate(ZStream* stream, int flush);
    [DllImport(Library)] public static extern int CompressionNative_DeflateEnd(ZStream* stream);
    [DllImport(Library)] public static extern int CompressionNative_InflateInit2_(ZStream* stream, int windowBits);
    [DllImport(Library)] public static extern int CompressionNative_InflateReset2_(ZStream* stream, int windowBits);
    [DllImport(Library)] public static extern int CompressionNative_Inflate(ZStream* stream, int flush);
    [DllImport(Library)] public static extern int CompressionNative_InflateEnd(ZStream* stream);
    [DllImport(Library)] public static extern uint CompressionNative_Crc32(uint crc, byte* buffer, int len);
}
