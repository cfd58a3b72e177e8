using Flint.JavaScript.Isolates;
using Flint.JavaScript.Tests.Support;

namespace Flint.JavaScript.Tests;

public class FetchEventTests
{
    [Fact]
    public async Task ModuleWorkerAnswersWithText()
    {
        using var w = new TestWorker("export default { fetch(req) { return new Response('Hello ' + new URL(req.url).pathname) } }");
        var r = await w.FetchAsync("http://localhost/abc");
        Assert.True(r.Status == 200, w.Logs.All + r.Text);
        Assert.Equal(200, r.Status);
        Assert.Equal("Hello /abc", r.Text);
        Assert.Equal("text/plain;charset=UTF-8", r.Header("content-type"));
    }
}
