using System.Security.Cryptography;
using Flint.Engine.Storage;

namespace Flint.Engine.Tests.Storage;

/// <summary>
/// The observed put: reading, observing (hashing) and writing overlap over a ring of buffers, so
/// these check that what is observed and what is written are the body, in order, however the
/// source hands it over, and that a put that fails leaves no file.
/// </summary>
public sealed class BlobStoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("flint-blobs-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    /// <summary>A source that hands its bytes over in reads of uneven sizes (1 byte to 300 KiB), and can fail after some of them.</summary>
    private sealed class UnevenStream(byte[] data, int seed, long failAfter = long.MaxValue) : Stream
    {
        private readonly Random _random = new(seed);
        private int _position;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position >= failAfter) throw new IOException("the client went away");
            // Some reads complete later, as a socket's do.
            if (_random.Next(4) == 0) await Task.Yield();
            var n = Math.Min(Math.Min(buffer.Length, data.Length - _position), _random.Next(8) == 0 ? 1 : _random.Next(1, 300 * 1024));
            data.AsSpan(_position, n).CopyTo(buffer.Span);
            _position += n;
            return n;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task WhatIsObservedAndWhatIsWrittenAreTheBodyInOrder(int seed)
    {
        // Many times the ring of buffers, so each buffer is reused while others are still in use.
        var data = RandomNumberGenerator.GetBytes(9 * 1024 * 1024 + 12345);
        var blobs = new BlobStore(_dir);
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        var observed = new MemoryStream();
        var (id, length) = await blobs.PutAsync(data.AsMemory(0, 1000), new UnevenStream(data[1000..], seed), long.MaxValue,
            span => { md5.AppendData(span); observed.Write(span); });
        Assert.Equal(data.Length, length);
        Assert.Equal(MD5.HashData(data), md5.GetHashAndReset());
        Assert.Equal(data, observed.ToArray());
        await using var file = blobs.Open(id)!;
        var stored = new MemoryStream();
        await file.CopyToAsync(stored);
        Assert.Equal(data, stored.ToArray());
        Assert.Equal([id], Directory.GetFiles(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public async Task ABodyOverTheLimitIsReadToItsEndAndLeavesNoFile()
    {
        var data = RandomNumberGenerator.GetBytes(3 * 1024 * 1024);
        var blobs = new BlobStore(_dir);
        var error = await Assert.ThrowsAsync<BlobTooLargeException>(() =>
            blobs.PutAsync(ReadOnlyMemory<byte>.Empty, new UnevenStream(data, 3), 2 * 1024 * 1024, _ => { }));
        Assert.Equal(data.Length, error.Length);
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public async Task ASourceThatFailsMidwayLeavesNoFile()
    {
        var data = RandomNumberGenerator.GetBytes(6 * 1024 * 1024);
        var blobs = new BlobStore(_dir);
        var error = await Assert.ThrowsAsync<IOException>(() =>
            blobs.PutAsync(ReadOnlyMemory<byte>.Empty, new UnevenStream(data, 4, failAfter: 5 * 1024 * 1024), long.MaxValue, _ => { }));
        Assert.Equal("the client went away", error.Message);
        Assert.Empty(Directory.GetFiles(_dir));
    }
}
