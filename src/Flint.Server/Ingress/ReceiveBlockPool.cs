using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections;

namespace Flint.Server.Ingress;

/// <summary>
/// Kestrel's memory pool with larger blocks. Its socket transport reads into one pool block per
/// receive, and before each receive it waits for data with a one-byte peek: with the default
/// 4 KiB blocks a 100 MiB upload (an R2 put, an S3 PutObject) took 25,600 reads and as many
/// peeks, a quarter of the put's CPU on the core that the hashing does not use. Blocks are
/// allocated only when data is there (Kestrel waits for it first), uninitialized, so a small
/// request touches only the pages it fills; at most <see cref="RetainedBytes"/> of free blocks
/// are kept, the rest go back to the GC.
/// </summary>
internal sealed class ReceiveBlockPoolFactory : IMemoryPoolFactory<byte>
{
    public const int BlockSize = 64 * 1024;
    public const long RetainedBytes = 4L * 1024 * 1024;

    public static readonly ReceiveBlockPoolFactory Instance = new();

    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new ReceiveBlockPool(BlockSize, (int)(RetainedBytes / BlockSize));
}

internal sealed class ReceiveBlockPool(int blockSize, int retainedBlocks) : MemoryPool<byte>
{
    private readonly ConcurrentQueue<Block> _free = new();
    private int _freeCount;
    private volatile bool _disposed;

    public override int MaxBufferSize => blockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        // Kestrel never asks for more than MaxBufferSize from the pool (larger writes go around it).
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, blockSize);
        if (_free.TryDequeue(out var block))
        {
            Interlocked.Decrement(ref _freeCount);
            return block;
        }
        return new Block(this, GC.AllocateUninitializedArray<byte>(blockSize, pinned: true));
    }

    private void Return(Block block)
    {
        if (_disposed || Interlocked.Increment(ref _freeCount) > retainedBlocks)
        {
            Interlocked.Decrement(ref _freeCount);
            return; // the GC takes it
        }
        _free.Enqueue(block);
    }

    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        _free.Clear();
    }

    private sealed class Block(ReceiveBlockPool pool, byte[] array) : IMemoryOwner<byte>
    {
        // Marked as pinned already, so Kestrel's Pin() per receive costs no GC handle.
        public Memory<byte> Memory { get; } = MemoryMarshal.CreateFromPinnedArray(array, 0, array.Length);

        public void Dispose() => pool.Return(this);
    }
}
