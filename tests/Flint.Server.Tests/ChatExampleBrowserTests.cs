using System.Diagnostics;
using System.Text.Json.Nodes;
using Flint.Server.Tests.Support;

namespace Flint.Server.Tests;

/// <summary>
/// examples/chat as people use it: Debian's Chromium, driven by Playwright, opens two pages that
/// join one room (a Durable Object with hibernating WebSockets), talk to each other, reload and see
/// the history the room kept in its SQLite storage, and hit the rate limiter (another object).
/// </summary>
public sealed class ChatExampleBrowserTests
{
    [Fact]
    public async Task TwoPagesJoinARoomTalkReloadAndSeeTheHistoryInChromium()
    {
        var chromium = await TestTools.RequireDebianAsync("chromium", "chromium");
        var tools = await TestTools.BrowserToolsAsync();
        var work = Path.Combine(Path.GetTempPath(), "flint-chat-" + Guid.NewGuid().ToString("n"));
        var example = Path.Combine(RepoRoot.Path, "examples", "chat");
        Directory.CreateDirectory(Path.Combine(work, "src"));
        File.Copy(Path.Combine(example, "wrangler.toml"), Path.Combine(work, "wrangler.toml"));
        foreach (var file in Directory.GetFiles(Path.Combine(example, "src"))) File.Copy(file, Path.Combine(work, "src", Path.GetFileName(file)));
        try
        {
            await using var w = await RunningWorker.StartInAsync(work, isolates: 1);
            var psi = new ProcessStartInfo("node", [Path.Combine(tools, "chat.mjs"), w.Url.ToString(), chromium])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = tools,
            };
            using var node = Process.Start(psi)!;
            var stdout = node.StandardOutput.ReadToEndAsync();
            var stderr = node.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            try
            {
                await node.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                node.Kill(entireProcessTree: true);
                throw new TimeoutException($"The browser script did not finish in 90 s.\n{await stderr}\n{w.Logs.All}");
            }
            Assert.True(node.ExitCode == 0, $"The browser script failed ({node.ExitCode}):\n{await stderr}\n{await stdout}\n{w.Logs.All}");
            var result = JsonNode.Parse(await stdout)!;
            Assert.Equal("Flint chat", (string)result["heading"]!);
            Assert.Equal(["bob joined", "alice: hello bob", "bob: hi alice"], result["aliceSaw"]!.AsArray().Select(l => (string)l!));
            Assert.Equal(["alice: hello bob", "bob: hi alice"], result["bobSaw"]!.AsArray().Select(l => (string)l!));
            // After the reload the room sent its history from storage.
            Assert.Equal(["alice: hello bob", "bob: hi alice"], result["afterReload"]!.AsArray().Select(l => (string)l!));
            Assert.Equal("You are sending messages too fast; wait a moment.", (string)result["rateLimited"]!);
            Assert.InRange((int)result["burstDelivered"]!, 1, 7);
            Assert.Empty(result["failed"]!.AsArray());
        }
        finally
        {
            try { Directory.Delete(work, true); } catch (IOException) { }
        }
    }
}
