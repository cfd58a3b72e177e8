using System.Diagnostics;
using System.Text.Json.Nodes;
using Flint.Server.Tests.Support;

namespace Flint.Server.Tests.Assets;

/// <summary>
/// examples/jamstack as a person uses it: Debian's Chromium, driven by Playwright, loads the
/// single-page app (built by Vite with Cloudflare's plugin; flint dev follows its
/// .wrangler/deploy/config.json to dist/jamstack/wrangler.json), is refused with a wrong password,
/// logs in (JWT from the Worker, session in KV), sees the notes from D1, reloads the client-side
/// route (served as index.html by single-page-application, revalidated with 304s), logs out.
/// </summary>
public class JamstackBrowserTests
{
    [Fact]
    public async Task LogsInAndSeesItsNotesInChromium()
    {
        var chromium = await TestTools.RequireDebianAsync("chromium", "chromium");
        var tools = await TestTools.BrowserToolsAsync();
        var work = Path.Combine(Path.GetTempPath(), "flint-jamstack-" + Guid.NewGuid().ToString("n"));
        var example = Path.Combine(RepoRoot.Path, "examples", "jamstack");
        foreach (var part in new[] { "dist", ".wrangler", "worker", "src" })
            AssetsOracleTests.CopyDirectory(Path.Combine(example, part), Path.Combine(work, part));
        foreach (var file in new[] { "wrangler.jsonc", "index.html", "package.json" })
            File.Copy(Path.Combine(example, file), Path.Combine(work, file));
        try
        {
            await using var w = await RunningWorker.StartInAsync(work);
            Assert.Equal("jamstack", w.Server.Host.Current.Config.Name);
            // The generated config's extra fields (computed paths, every binding kind listed empty) are taken without a word.
            Assert.DoesNotContain(w.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal));

            var psi = new ProcessStartInfo("node", [Path.Combine(tools, "jamstack.mjs"), w.Url.ToString(), chromium])
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
            var steps = result["steps"]!.AsArray();
            // A deep link to a client-side route is served index.html; without a token it shows the login form.
            Assert.Equal("/notes", steps[0]!["at"]!.GetValue<string>());
            Assert.Equal("Flint notes", steps[0]!["heading"]!.GetValue<string>());
            Assert.Equal("Wrong email or password.", result["loginError"]!.GetValue<string>());
            Assert.Equal("Notes of Demo", steps[1]!["heading"]!.GetValue<string>());
            Assert.Equal(["Buy milk", "Ship the Jamstack example", "Read the Workers docs"], result["notes"]!.AsArray().Select(n => n!.GetValue<string>()));
            Assert.Equal("576px", result["stylesheet"]!.GetValue<string>()); // the hashed CSS asset was loaded
            Assert.Equal("Notes of Demo", result["afterReload"]!.GetValue<string>());
            Assert.Equal("/login", steps[2]!["at"]!.GetValue<string>());
            Assert.Empty(result["failed"]!.AsArray());
            Assert.Contains(w.Logs.Lines, l => l.Contains("GET /notes 304 Not Modified", StringComparison.Ordinal));
        }
        finally
        {
            try { Directory.Delete(work, true); } catch (IOException) { }
        }
    }
}
