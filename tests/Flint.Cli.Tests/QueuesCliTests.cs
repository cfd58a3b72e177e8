using System.Text;
using System.Text.Json.Nodes;
using Flint.Engine.Queues;
using Flint.Engine.Storage;
using Flint.Cli.Tests.Support;

namespace Flint.Cli.Tests;

/// <summary>`flint queues …` against a real data directory and real config files, the ones `flint dev` would use.</summary>
public sealed class QueuesCliTests : CliProjectTests
{
    public QueuesCliTests() : base("flint-qcli-")
    {
        File.WriteAllText(Path.Combine(Dir, "wrangler.toml"), """
            name = "jobs"
            main = "index.js"
            compatibility_date = "2025-11-01"

            # the producer
            [[queues.producers]]
            binding = "JOBS"
            queue = "jobs"

            [[queues.consumers]]
            queue = "jobs"
            max_retries = 2
            dead_letter_queue = "jobs-dlq"
            """);
        File.WriteAllText(Path.Combine(Dir, "index.js"), "export default { fetch() { return new Response('x') }, async queue() {} }");
    }

    private async Task SeedAsync(string queue, params string[] bodies)
    {
        using var data = new LocalData(Path.Combine(Dir, ".flint"));
        await data.Queues.Queue(queue).SendAsync(bodies.Select(b => new OutgoingMessage("text", Encoding.UTF8.GetBytes(b))).ToList(), null, asBatch: true);
    }

    [Fact]
    public async Task CreateListInfoUpdateAndDeleteAQueue()
    {
        Assert.Equal(0, (await Flint("queues", "create", "emails", "--delivery-delay-secs", "30")).Code);
        var (code, _, err) = await Flint("queues", "create", "emails");
        Assert.Equal((1, "✘ [ERROR] Queue \"emails\" already exists. Change its settings with flint queues update emails."), (code, err.Trim()));
        Assert.Contains("not a valid queue name", (await Flint("queues", "create", "Bad_Name")).Err);
        Assert.Contains("it must be from 0 to 43200", (await Flint("queues", "create", "late", "--delivery-delay-secs", "50000")).Err);

        await SeedAsync("jobs", "one", "two");
        var list = (await Flint("queues", "list")).Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("queue     messages  producers               consumer", list[0]);
        Assert.Equal("emails    0         -                       -", list[1]);
        Assert.Equal("jobs      2         worker:jobs (env.JOBS)  jobs", list[2]);
        Assert.Equal("jobs-dlq  0         -                       -", list[3]);

        var info = (await Flint("queues", "info", "jobs")).Out;
        Assert.Contains("Queue Name: jobs", info);
        Assert.Contains("Number of Producers: 1\n  worker:jobs (env.JOBS)", info);
        Assert.Contains("worker:jobs (max_batch_size 10, max_batch_timeout 5 s, max_retries 2, dead_letter_queue jobs-dlq, max_concurrency 4, retry_delay 0 s)", info);
        Assert.Contains("Messages: 2 (2 waiting, 6 bytes)", info);
        Assert.Contains("Dead-letter queue: jobs-dlq (0 messages)", info);
        Assert.Contains("Created On: not yet", (await Flint("queues", "info", "jobs-dlq")).Out);

        Assert.Equal(0, (await Flint("queues", "update", "emails", "--message-retention-period-secs", "3600")).Code);
        Assert.Contains("Message Retention: 3600 s", (await Flint("queues", "info", "emails")).Out);
        Assert.Contains("Delivery Delay: 30 s", (await Flint("queues", "info", "emails")).Out);
        Assert.Equal(0, (await Flint("queues", "delete", "emails")).Code);
        Assert.DoesNotContain("emails", (await Flint("queues", "list")).Out);
        Assert.Contains("No queue \"emails\"", (await Flint("queues", "delete", "emails")).Err);
    }

    [Fact]
    public async Task MessagesAndPurgeActOnAQueueOrItsDeadLetterQueue()
    {
        await SeedAsync("jobs", "first", "second");
        await SeedAsync("jobs-dlq", "dead one");
        var table = (await Flint("queues", "messages", "jobs")).Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("id ", table[0]);
        Assert.Matches("^[0-9a-f]{32}  .+  text  0       ready  first$", table[1]);
        var json = JsonNode.Parse((await Flint("queues", "messages", "jobs", "--dead-letter", "--json")).Out)!.AsArray();
        Assert.Equal("dead one", Assert.Single(json)!["body"]!.GetValue<string>());

        Assert.Equal("Purged 1 message from queue jobs-dlq.", (await Flint("queues", "purge", "jobs", "--dead-letter")).Out.Trim());
        Assert.Equal("Purged 2 messages from queue jobs.", (await Flint("queues", "purge", "jobs")).Out.Trim());
        Assert.Equal("Queue jobs has no messages.", (await Flint("queues", "messages", "jobs")).Out.Trim());
    }

    [Fact]
    public async Task ConsumerAddAndRemoveEditTheConfigKeepingItsComments()
    {
        var path = Path.Combine(Dir, "wrangler.toml");
        var (code, output, err) = await Flint("queues", "consumer", "add", "emails", "jobs", "--batch-size", "25", "--dead-letter-queue", "emails-dlq", "--retry-delay-secs", "60");
        Assert.True(code == 0, err);
        Assert.Contains("Added Worker jobs as the consumer of queue emails", output);
        var toml = File.ReadAllText(path);
        Assert.Contains("# the producer", toml);
        Assert.EndsWith("[[queues.consumers]]\nqueue = \"emails\"\nmax_batch_size = 25\ndead_letter_queue = \"emails-dlq\"\nretry_delay = 60\n", toml);
        Assert.Contains("already has a consumer for queue \"emails\"", (await Flint("queues", "consumer", "add", "emails")).Err);
        Assert.Contains("is Worker \"jobs\", not \"other\"", (await Flint("queues", "consumer", "add", "x", "other")).Err);
        Assert.Contains("max_batch_size = 500 is out of range", (await Flint("queues", "consumer", "add", "x", "--batch-size", "500")).Err);
        Assert.Contains("worker:jobs (max_batch_size 25", (await Flint("queues", "info", "emails")).Out);

        Assert.Equal(0, (await Flint("queues", "consumer", "remove", "jobs")).Code);
        toml = File.ReadAllText(path);
        Assert.DoesNotContain("max_retries = 2", toml);
        Assert.Contains("queue = \"emails\"", toml);
        Assert.Contains("has no consumer for queue \"jobs\"", (await Flint("queues", "consumer", "remove", "jobs")).Err);
    }

    [Fact]
    public async Task ConsumerAddEditsAJsonConfigUnlessItHasComments()
    {
        File.Delete(Path.Combine(Dir, "wrangler.toml"));
        var path = Path.Combine(Dir, "wrangler.json");
        File.WriteAllText(path, """{ "name": "jobs", "main": "index.js", "compatibility_date": "2025-11-01" }""");
        Assert.Equal(0, (await Flint("queues", "consumer", "add", "emails", "--message-retries", "1")).Code);
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        Assert.Equal("""[{"queue":"emails","max_retries":1}]""", json["queues"]!["consumers"]!.ToJsonString());
        Assert.Equal(0, (await Flint("queues", "consumer", "remove", "emails")).Code);
        Assert.Equal("[]", JsonNode.Parse(File.ReadAllText(path))!["queues"]!["consumers"]!.ToJsonString());

        File.WriteAllText(path, "// my worker\n{ \"name\": \"jobs\", \"main\": \"index.js\" }");
        var err = (await Flint("queues", "consumer", "add", "emails")).Err;
        Assert.Contains("has comments, which rewriting it would lose. Add this to queues.consumers yourself:", err);
        Assert.Contains("\"queue\": \"emails\"", err);
    }
}
