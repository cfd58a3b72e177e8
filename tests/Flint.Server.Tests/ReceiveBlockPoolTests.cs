using Flint.Server.Ingress;

namespace Flint.Server.Tests;

/// <summary>The memory pool Kestrel reads sockets into (<see cref="ReceiveBlockPoolFactory"/>).</summary>
public sealed class ReceiveBlockPoolTests
{
    [Fact]
    public void BlocksAre64KiBAndReturnedOnesAreReused()
    {
        using var pool = ReceiveBlockPoolFactory.Instance.Create();
        Assert.Equal(64 * 1024, pool.MaxBufferSize);
        var first = pool.Rent();
        Assert.Equal(64 * 1024, first.Memory.Length);
        var memory = first.Memory;
        first.Dispose();
        using var again = pool.Rent(4096);
        Assert.True(again.Memory.Span == memory.Span, "a returned block is handed out again");
    }

    [Fact]
    public void KeepsAtMostItsRetainedBytesOfFreeBlocks()
    {
        using var pool = new ReceiveBlockPool(1024, retainedBlocks: 2);
        var blocks = Enumerable.Range(0, 3).Select(_ => pool.Rent()).ToList();
        var arrays = blocks.Select(b => b.Memory).ToList();
        foreach (var b in blocks) b.Dispose();
        // Two were kept, the third went to the GC: three new rents get the two back and one fresh block.
        var reused = Enumerable.Range(0, 3).Select(_ => pool.Rent().Memory).Count(m => arrays.Any(a => a.Span == m.Span));
        Assert.Equal(2, reused);
    }

    [Fact]
    public void RefusesMoreThanABlock()
    {
        using var pool = ReceiveBlockPoolFactory.Instance.Create();
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.Rent(64 * 1024 + 1));
    }
}
