using System.Text.Json;
using Flint.JavaScript.Tests.Support;

namespace Flint.JavaScript.Tests.Web;

/// <summary>
/// Nearly two thousand crypto.subtle calls (every key exported in every format and imported as
/// every algorithm, every operation on every key, parameter sweeps), each outcome compared with
/// what workerd gave for the same script: the result, or the error's name and message. Keys and
/// data are fixed, so the outcomes are too (generated keys are described only by their shape).
/// </summary>
public class CryptoWorkerdMatrixTests
{
    [Fact]
    public async Task EveryOutcomeMatchesWorkerd()
    {
        using var worker = new TestWorker(CryptoWorkerdMatrix.Script + "\n" + """
            export default { async fetch() { await matrix(); return Response.json(out); } };
            """);
        var response = await worker.FetchAsync();
        Assert.True(response.Status == 200, response.Text);
        var actual = JsonSerializer.Deserialize<string[]>(response.Text)!;
        var expected = CryptoWorkerdMatrix.Expected.Split('\n');
        var differences = expected.Zip(actual)
            .Where(pair => pair.First != pair.Second)
            .Select(pair => $"workerd: {pair.First}\nflint:   {pair.Second}")
            .ToList();
        Assert.True(differences.Count == 0, $"{differences.Count} of {expected.Length} outcomes differ:\n" + string.Join("\n", differences.Take(20)));
        Assert.Equal(expected.Length, actual.Length);
    }
}
