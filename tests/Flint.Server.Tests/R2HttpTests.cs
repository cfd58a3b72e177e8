using Flint.Server.Tests.Support;

namespace Flint.Server.Tests;

/// <summary>R2 through a real Worker over HTTP, with the engine's files on disk.</summary>
public class R2HttpTests
{
    /// <summary>
    /// bench/oracle/r2 probes ~220 R2 behaviours (values, object shapes, conditions, ranges, lists,
    /// multipart rules, errors); its expected answers were recorded from wrangler dev. Flint must give the same JSON.
    /// </summary>
    [Fact]
    public async Task AnswersAsWranglerDevDoesOnTheR2Oracle()
    {
        await OracleGolden.AssertSameAsWranglerDevAsync("r2");
    }
}
