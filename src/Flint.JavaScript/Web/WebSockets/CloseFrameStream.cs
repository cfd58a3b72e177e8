namespace Flint.JavaScript.Web.WebSockets;

/// <summary>
/// The upgraded connection under a server-side WebSocket, there to carry close frames without a
/// status code both ways, which .NET's WebSocket cannot:
/// <list type="bullet">
/// <item>Asked to close with <c>Empty</c>, it writes the reserved code 1005, which peers must
/// reject. A Worker's <c>close()</c> without arguments sends an empty close frame (workerd does,
/// and the peer sees 1005). So, once armed, this stream turns the next close frame carrying 1005
/// into an empty one.</item>
/// <item>It reports an empty close frame from the peer (a browser's <c>close()</c>) as 1000, the
/// same as a real 1000. So this stream follows the frames it reads and notes an empty close,
/// which the Worker then sees as 1005.</item>
/// </list>
/// Everything else passes through unchanged.
/// </summary>
/// <remarks>
/// The WebSocket writes each frame with one call, under its own send lock, so a frame is seen
/// whole and nothing else is written meanwhile. A server's frames are not masked, so the close
/// frame with 1005 is exactly four bytes: FIN+close, length 2, then 1005 big-endian.
/// </remarks>
internal sealed class CloseFrameStream(Stream inner) : Stream
{
    private const int OpClose = 0x8;
    private static readonly byte[] s_closeWith1005 = [0x88, 0x02, 0x03, 0xED];
    private static readonly byte[] s_emptyClose = [0x88, 0x00];
    private volatile bool _armed;

    // Where the reader is in the peer's frames: a header being collected, or payload to skip.
    private readonly byte[] _header = new byte[14];
    private int _headerLength;
    private long _payloadLeft;

    /// <summary>The next close frame goes out without a status code.</summary>
    public void SendNextCloseWithoutCode() => _armed = true;

    /// <summary>The peer's close frame had no status code (its <c>close()</c> had none).</summary>
    public bool PeerClosedWithoutCode { get; private set; }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_armed && buffer.Span.SequenceEqual(s_closeWith1005))
        {
            _armed = false;
            buffer = s_emptyClose;
        }
        return inner.WriteAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Follow(buffer.Span[..n]);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    /// <summary>Walks frame headers (RFC 6455 §5.2) and skips payloads, noting an empty close.</summary>
    private void Follow(ReadOnlySpan<byte> data)
    {
        while (data.Length > 0)
        {
            if (_payloadLeft > 0)
            {
                var skip = (int)Math.Min(_payloadLeft, data.Length);
                _payloadLeft -= skip;
                data = data[skip..];
                continue;
            }
            _header[_headerLength++] = data[0];
            data = data[1..];
            if (_headerLength < 2) continue;
            var length7 = _header[1] & 0x7F;
            var masked = (_header[1] & 0x80) != 0;
            var needed = 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0) + (masked ? 4 : 0);
            if (_headerLength < needed) continue;
            long length = length7 switch
            {
                126 => (_header[2] << 8) | _header[3],
                127 => (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(_header.AsSpan(2, 8)),
                _ => length7,
            };
            if ((_header[0] & 0x0F) == OpClose && length == 0) PeerClosedWithoutCode = true;
            _headerLength = 0;
            _payloadLeft = length;
        }
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override void Flush() => inner.Flush();

    public override bool CanRead => inner.CanRead;
    public override bool CanWrite => inner.CanWrite;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync() => inner.DisposeAsync();
}
