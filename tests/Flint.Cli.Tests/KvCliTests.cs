using System.Text.Json.Nodes;
using Flint.Engine.Storage;
using Flint.Cli.Tests.Support;

namespace Flint.Cli.Tests;

/// <summary>`flint kv …` against a real data directory, the one `flint dev` would serve.</summary>
public sealed class KvCliTests : CliProjectTests
{
    public KvCliTests() : base("flint-kvcli-")
    {
        File.WriteAllText(Path.Combine(Dir, "wrangler.toml"), """
            name = "w"
            main = "index.js"
            compatibility_date = "2025-11-01"
            kv_namespaces = [{ binding = "KV", id = "main-ns" }]
            """);
        File.WriteAllText(Path.Combine(Dir, "index.js"), "export default { fetch() { return new Response('x') } }");
    }

    [Fact]
    public async Task PutGetListDeleteActOnTheDevDataDirectory()
    {
        Assert.Equal(0, (await Flint("kv", "key", "put", "greeting", "hello", "--binding", "KV", "--metadata", """{"lang":"en"}""")).Code);
        var valueFile = Path.Combine(Dir, "value.bin");
        File.WriteAllBytes(valueFile, [0, 1, 2, 255]);
        Assert.Equal(0, (await Flint("kv", "key", "put", "blob", "--path", valueFile, "--binding", "KV")).Code);

        var (code, output, _) = await Flint("kv", "key", "get", "greeting", "--binding", "KV", "--text");
        Assert.Equal((0, "hello"), (code, output.Trim()));

        var keys = JsonNode.Parse((await Flint("kv", "key", "list", "--binding", "KV")).Out)!.AsArray();
        Assert.Equal(["blob", "greeting"], keys.Select(k => k!["name"]!.GetValue<string>()));
        Assert.Equal("en", keys[1]!["metadata"]!["lang"]!.GetValue<string>());

        // The same store flint dev opens: .flint/ beside the config, namespace by id.
        using (var data = new LocalData(Path.Combine(Dir, ".flint")))
        using (var v = data.Kv.Namespace("main-ns").Get("blob")!)
            Assert.Equal(new byte[] { 0, 1, 2, 255 }, await v.ReadAllAsync());

        Assert.Equal(0, (await Flint("kv", "key", "delete", "greeting", "--binding", "KV")).Code);
        Assert.Equal("Value not found", (await Flint("kv", "key", "get", "greeting", "--binding", "KV")).Out.Trim());
    }

    [Fact]
    public async Task BulkPutAndDeleteFromJsonFiles()
    {
        var puts = Path.Combine(Dir, "puts.json");
        File.WriteAllText(puts, """[{"key":"a","value":"1"},{"key":"b","value":"aGk=","base64":true,"metadata":{"m":true}},{"key":"c","value":"3","expiration_ttl":3600}]""");
        var (code, output, _) = await Flint("kv", "bulk", "put", puts, "--namespace-id", "main-ns");
        Assert.Equal(0, code);
        Assert.Contains("Wrote 3 keys", output);
        Assert.Equal("hi", (await Flint("kv", "key", "get", "b", "--binding", "KV")).Out.Trim());

        var deletes = Path.Combine(Dir, "deletes.json");
        File.WriteAllText(deletes, """["a", {"key":"b"}]""");
        Assert.Equal(0, (await Flint("kv", "bulk", "delete", deletes, "--binding", "KV")).Code);
        var keys = JsonNode.Parse((await Flint("kv", "key", "list", "--binding", "KV")).Out)!.AsArray();
        Assert.Equal(["c"], keys.Select(k => k!["name"]!.GetValue<string>()));
        Assert.NotNull(keys[0]!["expiration"]);
    }

    [Fact]
    public async Task MistakesAreOneClearErrorLine()
    {
        var (code, _, err) = await Flint("kv", "key", "get", "x");
        Assert.Equal(1, code);
        Assert.Contains("--binding NAME", err);

        (code, _, err) = await Flint("kv", "key", "get", "x", "--binding", "NOPE");
        Assert.Equal(1, code);
        Assert.Contains("No KV namespace with binding \"NOPE\"", err);
        Assert.Contains("KV", err);

        (code, _, err) = await Flint("kv", "key", "put", "k", "v", "--binding", "KV", "--ttl", "10");
        Assert.Equal(1, code);
        Assert.Contains("Invalid expiration_ttl of 10. Expiration TTL must be at least 60.", err);

        var bad = Path.Combine(Dir, "bad.json");
        File.WriteAllText(bad, """[{"key":"ok","value":"1"},{"key":5}]""");
        (code, _, err) = await Flint("kv", "bulk", "put", bad, "--binding", "KV");
        Assert.Equal(1, code);
        Assert.Contains("entry 1", err);
        Assert.Equal("Value not found", (await Flint("kv", "key", "get", "ok", "--binding", "KV")).Out.Trim()); // nothing written
        Assert.DoesNotContain("   at ", err);
    }

    [Fact]
    public async Task NamespaceListShowsBoundAndStoredNamespaces()
    {
        await Flint("kv", "key", "put", "k", "v", "--namespace-id", "loose");
        var list = JsonNode.Parse((await Flint("kv", "namespace", "list")).Out)!.AsArray();
        Assert.Equal(["main-ns", "loose"], list.Select(n => n!["id"]!.GetValue<string>()));
        Assert.Equal("KV", list[0]!["binding"]!.GetValue<string>());
    }
}
