using Flint.Engine.IO;

namespace Flint.Engine.R2;

/// <summary>One stretch of an object's bytes: inline bytes, or a range of a blob file.</summary>
internal readonly record struct R2Segment(byte[]? Inline, string? BlobId, long Offset, long Length);

/// <summary>
/// An object's body (or a range of it) as one stream over its segments: the inline bytes of a
/// small object, its blob file, or the part files of a multipart object, opened one at a time.
/// Each blob is leased from the store while it may still be read, so a concurrent delete or
/// overwrite frees the file only once this stream is done with it.
/// </summary>
internal sealed class R2BodyStream : ReadOnlyStream
{
    private readonly R2BucketStore _store;
    private readonly R2Segment[] _segments;
    private readonly long _length;
    private int _index;
    private Stream? _current;
    private long _remainingInSegment;
    private long _position;
    private bool _disposed;

    public R2BodyStream(R2BucketStore store, R2Segment[] segments)
    {
        _store = store;
        _segments = segments;
        foreach (var s in segments) _length += s.Length;
    }

    public override long Length => _length;
    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        while (true)
        {
            if (_current is null && !OpenNext()) return 0;
            if (_remainingInSegment == 0) { CloseCurrent(); continue; }
            var want = (int)Math.Min(buffer.Length, _remainingInSegment);
            var n = await _current!.ReadAsync(buffer[..want], cancellationToken).ConfigureAwait(false);
            if (n == 0) throw new IOException($"An object's stored body ended early ({_remainingInSegment} bytes missing); the bucket's files were changed outside Flint.");
            _remainingInSegment -= n;
            _position += n;
            return n;
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private bool OpenNext()
    {
        while (_index < _segments.Length)
        {
            var s = _segments[_index++];
            if (s.Length == 0) { Release(s); continue; }
            if (s.Inline is { } bytes)
            {
                _current = new MemoryStream(bytes, (int)s.Offset, (int)s.Length, writable: false);
            }
            else
            {
                var file = _store.OpenBlob(s.BlobId!);
                if (file is null)
                {
                    Release(s);
                    throw new IOException($"Blob {s.BlobId} of an object is missing; the bucket's files were changed outside Flint.");
                }
                if (s.Offset > 0) file.Seek(s.Offset, SeekOrigin.Begin);
                _current = file;
            }
            _remainingInSegment = s.Length;
            return true;
        }
        return false;
    }

    private void CloseCurrent()
    {
        _current?.Dispose();
        _current = null;
        Release(_segments[_index - 1]);
    }

    private void Release(R2Segment s)
    {
        if (s.BlobId is { } id) _store.ReleaseBlob(id);
    }

    protected override void Dispose(bool disposing)
    {
        if (!_disposed && disposing)
        {
            _disposed = true;
            if (_current is not null) CloseCurrent();
            // Segments never opened are released too.
            for (; _index < _segments.Length; _index++) Release(_segments[_index]);
        }
        base.Dispose(disposing);
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Read an object's body asynchronously.");
}
