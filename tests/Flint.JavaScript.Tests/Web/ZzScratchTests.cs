using Flint.JavaScript.Tests.Support;
namespace Flint.JavaScript.Tests.Web;
public class ZzScratchTests
{
    [Fact]
    public async Task Scratch()
    {
        var code = File.ReadAllText("/tmp/scratch.js");
        using var w = new TestWorker(code);
        var r = await w.FetchAsync();
        Assert.Fail($"status {r.Status}\n{r.Text}\nLOGS:\n{w.Logs.All}");
    }
}
