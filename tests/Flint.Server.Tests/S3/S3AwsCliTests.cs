using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Flint.Server.Tests.Support;

namespace Flint.Server.Tests.S3;

/// <summary>
/// The S3 API with the real aws CLI (installed by the test when missing: Debian's awscli; a CLI
/// already on PATH, v1 or v2, is used as found) and with curl's own SigV4 signing, against a
/// running flint dev whose Worker reads and writes the same bucket through its R2 binding.
/// </summary>
public sealed class S3AwsCliTests : IAsyncLifetime
{
    private RunningWorker _worker = null!;
    private string _aws = null!;
    private readonly string _dir = Directory.CreateTempSubdirectory("flint-awscli-").FullName;

    public async Task InitializeAsync()
    {
        _aws = await TestTools.RequireDebianAsync("aws", "awscli");
        _worker = await RunningWorker.StartAsync(S3SdkTests.Files);
    }

    public async Task DisposeAsync()
    {
        await _worker.DisposeAsync();
        Directory.Delete(_dir, true);
    }

    private sealed record Run(int ExitCode, string Stdout, string Stderr);

    private async Task<Run> AwsAsync(params string[] args)
    {
        var psi = new ProcessStartInfo(_aws) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _dir };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add("--endpoint-url");
        psi.ArgumentList.Add(_worker.S3Url!.ToString().TrimEnd('/'));
        // Only these credentials and settings: nothing from the machine's ~/.aws.
        psi.Environment["AWS_ACCESS_KEY_ID"] = RunningWorker.S3AccessKeyId;
        psi.Environment["AWS_SECRET_ACCESS_KEY"] = RunningWorker.S3SecretAccessKey;
        psi.Environment["AWS_DEFAULT_REGION"] = "auto";
        psi.Environment["AWS_CONFIG_FILE"] = Path.Combine(_dir, "no-config");
        psi.Environment["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(_dir, "no-credentials");
        psi.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        psi.Environment["AWS_PAGER"] = "";
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        return new Run(process.ExitCode, await stdout, await stderr);
    }

    private async Task<string> AwsOkAsync(params string[] args)
    {
        var run = await AwsAsync(args);
        Assert.True(run.ExitCode == 0, $"aws {string.Join(' ', args)} failed ({run.ExitCode}): {run.Stderr}\n{run.Stdout}");
        return run.Stdout;
    }

    [Fact]
    public async Task TheAwsCliCopiesSyncsListsAndRemovesWhatTheWorkerSees()
    {
        var big = RandomNumberGenerator.GetBytes(12 * 1024 * 1024 + 17); // over the CLI's 8 MiB threshold: a multipart upload
        File.WriteAllBytes(Path.Combine(_dir, "big.bin"), big);
        Directory.CreateDirectory(Path.Combine(_dir, "site", "sub"));
        File.WriteAllText(Path.Combine(_dir, "site", "index.html"), "<h1>hi</h1>");
        File.WriteAllText(Path.Combine(_dir, "site", "sub", "page two.txt"), "second page");

        await AwsOkAsync("s3", "cp", "big.bin", "s3://shared/big.bin", "--only-show-errors");
        using (var viaWorker = await _worker.Client.GetAsync("/big.bin"))
            Assert.Equal(SHA256.HashData(big), SHA256.HashData(await viaWorker.Content.ReadAsByteArrayAsync()));

        await AwsOkAsync("s3", "sync", "site", "s3://shared/site/", "--only-show-errors");
        Assert.Equal("second page", await _worker.GetStringAsync("/site/sub/page%20two.txt"));
        using (var html = await _worker.Client.GetAsync("/site/index.html"))
            Assert.Equal("text/html", html.Content.Headers.ContentType!.MediaType);
        var listing = await AwsOkAsync("s3", "ls", "s3://shared/site/", "--recursive");
        Assert.Contains("site/index.html", listing);
        Assert.Contains("site/sub/page two.txt", listing);
        // A second sync finds nothing to do: sizes and times match.
        Assert.Equal("", (await AwsOkAsync("s3", "sync", "site", "s3://shared/site/")).Trim());

        (await _worker.Client.PutAsync("/from-worker.txt", new StringContent("written by the worker"))).EnsureSuccessStatusCode();
        Assert.Equal("written by the worker", await AwsOkAsync("s3", "cp", "s3://shared/from-worker.txt", "-"));
        using (var head = JsonDocument.Parse(await AwsOkAsync("s3api", "head-object", "--bucket", "shared", "--key", "from-worker.txt")))
        {
            Assert.Equal(21, head.RootElement.GetProperty("ContentLength").GetInt64());
            Assert.Equal("worker", head.RootElement.GetProperty("Metadata").GetProperty("from").GetString());
        }

        File.WriteAllText(Path.Combine(_dir, "api.txt"), "via s3api");
        await AwsOkAsync("s3api", "put-object", "--bucket", "shared", "--key", "api.txt", "--body", "api.txt", "--content-type", "text/x-api", "--metadata", "k=v");
        using (var api = await _worker.Client.GetAsync("/api.txt"))
        {
            Assert.Equal("via s3api", await api.Content.ReadAsStringAsync());
            Assert.Equal("text/x-api", api.Content.Headers.ContentType!.MediaType);
            Assert.Equal("""{"k":"v"}""", api.Headers.GetValues("x-custom").Single());
        }
        using (var v2 = JsonDocument.Parse(await AwsOkAsync("s3api", "list-objects-v2", "--bucket", "shared", "--prefix", "site/", "--delimiter", "/")))
        {
            Assert.Equal("site/index.html", v2.RootElement.GetProperty("Contents")[0].GetProperty("Key").GetString());
            Assert.Equal("site/sub/", v2.RootElement.GetProperty("CommonPrefixes")[0].GetProperty("Prefix").GetString());
        }
        await AwsOkAsync("s3api", "get-object", "--bucket", "shared", "--key", "big.bin", "--range", "bytes=100-199", "part.bin");
        Assert.Equal(big[100..200], File.ReadAllBytes(Path.Combine(_dir, "part.bin")));
        await AwsOkAsync("s3api", "copy-object", "--bucket", "shared", "--key", "api-copy.txt", "--copy-source", "shared/api.txt");
        Assert.Equal("via s3api", await _worker.GetStringAsync("/api-copy.txt"));
        await AwsOkAsync("s3api", "delete-objects", "--bucket", "shared", "--delete", """{"Objects":[{"Key":"api.txt"},{"Key":"api-copy.txt"}]}""");
        Assert.Equal(HttpStatusCode.NotFound, (await _worker.Client.GetAsync("/api.txt")).StatusCode);
        var missing = await AwsAsync("s3api", "head-object", "--bucket", "shared", "--key", "api.txt");
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("404", missing.Stderr);

        var url = (await AwsOkAsync("s3", "presign", "s3://shared/from-worker.txt", "--expires-in", "300")).Trim();
        using (var http = new HttpClient())
        {
            Assert.Equal("written by the worker", await http.GetStringAsync(url));
            Assert.Equal(HttpStatusCode.Forbidden, (await http.GetAsync(url.Replace("from-worker", "from-someone", StringComparison.Ordinal))).StatusCode);
        }

        await AwsOkAsync("s3", "rm", "s3://shared/site/", "--recursive", "--only-show-errors");
        Assert.Equal(HttpStatusCode.NotFound, (await _worker.Client.GetAsync("/site/index.html")).StatusCode);
        await AwsOkAsync("s3", "sync", "s3://shared/", "downloaded", "--only-show-errors");
        Assert.Equal(big, File.ReadAllBytes(Path.Combine(_dir, "downloaded", "big.bin")));

        await AwsOkAsync("s3", "mb", "s3://made-by-cli");
        Assert.Contains("made-by-cli", await AwsOkAsync("s3", "ls"));
        await AwsOkAsync("s3", "rb", "s3://made-by-cli");
        Assert.DoesNotContain("made-by-cli", await AwsOkAsync("s3", "ls"));
    }

    [Fact]
    public async Task CurlSignsWithSigV4InVirtualHostStyle()
    {
        var curl = await TestTools.RequireDebianAsync("curl", "curl");
        var port = _worker.S3Url!.Port;
        File.WriteAllText(Path.Combine(_dir, "v.txt"), "virtual host");
        async Task<Run> CurlAsync(params string[] args)
        {
            var psi = new ProcessStartInfo(curl) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _dir };
            foreach (var a in new[] { "-s", "-S", "--resolve", $"shared.localhost:{port}:127.0.0.1", "--aws-sigv4", "aws:amz:auto:s3",
                "--user", $"{RunningWorker.S3AccessKeyId}:{RunningWorker.S3SecretAccessKey}", "-w", "\n%{http_code}",
                // S3 wants the payload hash as a header; curl signs with the value given here.
                "-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD" }.Concat(args)) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            await p.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
            return new Run(p.ExitCode, await stdout, await stderr);
        }
        var put = await CurlAsync("-T", "v.txt", $"http://shared.localhost:{port}/virtual/v.txt");
        Assert.True(put.Stdout.EndsWith("200"), put.Stdout + put.Stderr);
        Assert.Equal("virtual host", await _worker.GetStringAsync("/virtual/v.txt"));
        var get = await CurlAsync($"http://shared.localhost:{port}/virtual/v.txt");
        Assert.Equal("virtual host\n200", get.Stdout);
        // curl 7.88 signs a query as written (no sorting or encoding), so this one needs neither.
        var list = await CurlAsync($"http://shared.localhost:{port}/?list-type=2&prefix=virtual");
        Assert.True(list.Stdout.Contains("<Key>virtual/v.txt</Key>"), list.Stdout);
    }
}
