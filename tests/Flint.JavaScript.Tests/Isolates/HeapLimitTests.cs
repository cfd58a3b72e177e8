using System.Diagnostics;
using Flint.JavaScript.Isolates;

namespace Flint.JavaScript.Tests.Isolates;

/// <summary>The during-turn memory check: growth blamed on one turn, out of the process's whole native memory.</summary>
public class HeapLimitTests
{
    private const ulong Limit = 128L * 1024 * 1024;
    private static readonly long EnoughCpu = Stopwatch.Frequency; // a second of CPU: past the minimum a turn must have used

    [Fact]
    public void GrowthPastTheLimitStopsTheOnlyTurnRunning()
    {
        var limit = new HeapLimit(Limit);
        Assert.False(limit.IsExceededDuringTurn(enteredAt: 1, nativeMemory: 1_000, EnoughCpu)); // first sight: the baseline
        Assert.False(limit.IsExceededDuringTurn(1, 1_000 + (long)Limit, EnoughCpu));
        Assert.True(limit.IsExceededDuringTurn(1, 1_000 + (long)Limit + 1, EnoughCpu));
    }

    [Fact]
    public void TurnsRunningAtOnceShareTheBlame()
    {
        // Three isolates in a turn: the process may grow by three limits before one of them is blamed.
        var limit = new HeapLimit(Limit);
        Assert.False(limit.IsExceededDuringTurn(1, 0, EnoughCpu, turnsRunning: 3));
        Assert.False(limit.IsExceededDuringTurn(1, 2 * (long)Limit + 1, EnoughCpu, turnsRunning: 3));
        Assert.True(limit.IsExceededDuringTurn(1, 3 * (long)Limit + 1, EnoughCpu, turnsRunning: 3));
    }

    [Fact]
    public void AShortTurnIsNotBlamed()
    {
        var limit = new HeapLimit(Limit);
        Assert.False(limit.IsExceededDuringTurn(1, 0, turnCpu: 0));
        Assert.False(limit.IsExceededDuringTurn(1, 4 * (long)Limit, turnCpu: Stopwatch.Frequency / 1000));
    }
}
