using Flint.Server.Tests.Support;

namespace Flint.Server.Tests;

/// <summary>node: fs, os, zlib, dns and net as wrangler dev (workerd) answers the same probe (bench/oracle/node-builtins).</summary>
public class NodeBuiltinsTests
{
    [Fact]
    public async Task AnswersAsWranglerDevDoesOnTheNodeBuiltinsOracle()
    {
        await OracleGolden.AssertSameAsWranglerDevAsync("node-builtins");
    }
}
