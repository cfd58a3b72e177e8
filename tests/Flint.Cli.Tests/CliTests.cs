using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Flint.Cli.Tests;

public class CliTests
{
    private static async Task<(int Code, string Out, string Err)> RunInProcessAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await FlintCli.RunAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task VersionAndHelp()
    {
        var (code, output, _) = await RunInProcessAsync("--version");
        Assert.Equal(0, code);
        Assert.Matches(@"^\d+\.\d+\.\d+", output.Trim());

        (code, output, _) = await RunInProcessAsync("--help");
        Assert.Equal(0, code);
        Assert.Contains("dev", output);

        (code, output, _) = await RunInProcessAsync("dev", "--help");
        Assert.Equal(0, code);
        foreach (var option in new[] { "--port", "--ip", "--env", "--var", "--persist-to", "--compatibility-date" })
            Assert.Contains(option, output);
    }

    [Fact]
    public async Task BadInputIsAClearErrorNotAStackTrace()
    {
        var dir = Directory.CreateTempSubdirectory("flint-cli-").FullName;
        var (code, _, err) = await RunInProcessAsync("dev", dir, "--port", "0");
        Assert.Equal(1, code);
        Assert.Contains("[ERROR]", err);
        Assert.DoesNotContain("   at ", err);

        File.WriteAllText(Path.Combine(dir, "wrangler.toml"), "name = \"x\"\nmain = \"missing.js\"\n");
        (code, _, err) = await RunInProcessAsync("dev", dir, "--port", "0");
        Assert.Equal(1, code);
        Assert.Contains("missing.js", err);

        (code, _, err) = await RunInProcessAsync("dev", dir, "--var", "NOCOLON");
        Assert.Equal(1, code);
        Assert.Contains("KEY:VALUE", err);
    }

    /// <summary>The README's first command, as a user runs it: a real process, a real port, curl-like requests.</summary>
    [Fact]
    public async Task DevServesAScriptWithoutConfigAndLogsEachRequest()
    {
        var dir = Directory.CreateTempSubdirectory("flint-cli-").FullName;
        var script = Path.Combine(dir, "worker.js");
        File.WriteAllText(script, "export default { fetch(r) { return new Response('bare ' + new URL(r.url).pathname) } }");
        var flintDll = Path.Combine(AppContext.BaseDirectory, "flint.dll");
        var psi = new ProcessStartInfo("dotnet", ["exec", flintDll, "dev", script, "--port", "0", "--no-watch"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(psi)!;
        try
        {
            var lines = new List<string>();
            var ready = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is null) return;
                lock (lines) lines.Add(e.Data);
                var m = Regex.Match(e.Data, @"Ready on (http://\S+)");
                if (m.Success) ready.TrySetResult(m.Groups[1].Value);
            };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (lines) lines.Add(e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var url = await ready.Task.WaitAsync(TimeSpan.FromSeconds(30));
            using var http = new HttpClient();
            Assert.Equal("bare /x", await http.GetStringAsync(url + "/x"));
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (DateTime.UtcNow < deadline)
            {
                lock (lines) if (lines.Any(l => Regex.IsMatch(l, @"GET /x 200 OK \(\d+ms\)"))) return;
                await Task.Delay(50);
            }
            Assert.Fail("no request log line; output:\n" + string.Join("\n", lines));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }
}
