using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Flint.Server.Tests.Support;

namespace Flint.Server.Tests;

/// <summary>
/// examples/upload-pipeline as its README runs it: the API stores an upload in R2 and queues a
/// job; the processor Worker consumes it, retries a failing job and dead-letters it after three retries.
/// </summary>
public sealed class UploadPipelineExampleTests
{
    [Fact]
    public async Task UploadsAreProcessedThroughTheQueueAndAFailingOneEndsInTheDeadLetterQueue()
    {
        // A copy of each Worker, so the example's own directory gets no .flint state.
        var root = Path.Combine(RepoRoot.Path, "examples", "upload-pipeline");
        string Copy(string worker) => RunningWorker.WriteFiles(new Dictionary<string, string>
        {
            ["wrangler.toml"] = File.ReadAllText(Path.Combine(root, worker, "wrangler.toml")),
            ["src/index.js"] = File.ReadAllText(Path.Combine(root, worker, "src", "index.js")),
        });
        var api = Copy("api");
        var processor = Copy("processor");
        try
        {
            await RunAsync(api, processor);
        }
        finally
        {
            foreach (var dir in new[] { api, processor }) try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }

    private static async Task RunAsync(string api, string processor)
    {
        await using var w = await RunningWorker.StartInAsync(api, auxiliaryTargets: [processor]);

        async Task<string> Upload(string name, byte[] body, string type)
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(type);
            var response = await w.Client.PostAsync($"/uploads?name={name}", content);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.Equal("queued", answer["status"]!.GetValue<string>());
            return answer["id"]!.GetValue<string>();
        }
        async Task<JsonNode> WaitForStatus(string id, string status)
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (true)
            {
                var now = JsonNode.Parse(await w.GetStringAsync($"/uploads/{id}"))!;
                if (now["status"]!.GetValue<string>() == status) return now;
                Assert.True(DateTime.UtcNow < deadline, $"upload {id} is still {now.ToJsonString()}\n{w.Logs.All}");
                await Task.Delay(50);
            }
        }

        var good = await Upload("notes.txt", "hello queues\nsecond line"u8.ToArray(), "text/plain");
        var binary = await Upload("blob.bin", [1, 2, 3, 4], "application/octet-stream");
        var bad = await Upload("bad.txt", [0xff, 0xfe, 0xfd], "text/plain");

        var done = await WaitForStatus(good, "done");
        Assert.Equal(1, done["attempts"]!.GetValue<int>());
        var report = JsonNode.Parse(await w.GetStringAsync($"/uploads/{good}/result"))!;
        Assert.Equal((24, 2, 4), (report["size"]!.GetValue<int>(), report["lines"]!.GetValue<int>(), report["words"]!.GetValue<int>()));
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("hello queues\nsecond line"u8)), report["sha256"]!.GetValue<string>());
        Assert.Equal(4, JsonNode.Parse(await w.GetStringAsync($"/uploads/{binary}/result"))!["size"]!.GetValue<int>());

        // The invalid text file fails each attempt: three retries, then the dead-letter queue marks it failed.
        var failed = await WaitForStatus(bad, "failed");
        Assert.Equal(4, failed["attempts"]!.GetValue<int>());
        Assert.False(string.IsNullOrEmpty(failed["error"]?.GetValue<string>())); // what the last attempt threw
        Assert.Contains("to dead letter queue \"upload-jobs-dlq\" after 4 failed attempts", w.Logs.All);
        await w.Logs.WaitForAsync(l => l.Contains($"job {bad} (bad.txt) failed for good after 4 attempts"));
        Assert.Equal(HttpStatusCode.NotFound, (await w.Client.GetAsync($"/uploads/{bad}/result")).StatusCode);
    }
}
