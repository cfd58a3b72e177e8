using System.Text;
using Flint.Engine.Kv;

namespace Flint.Engine.Tests.Kv;

/// <summary>A clock the test moves by hand, so expiry is tested without waiting.</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;
    public override DateTimeOffset GetUtcNow() => Now;
}

public sealed class KvNamespaceStoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("flint-kv-").FullName;
    private readonly ManualClock _clock = new(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
    private readonly KvNamespaceStore _kv;

    public KvNamespaceStoreTests() => _kv = KvNamespaceStore.Open(_dir, _clock);

    public void Dispose()
    {
        _kv.Dispose();
        Directory.Delete(_dir, true);
    }

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);
    private async Task<string?> GetText(string key)
    {
        using var v = _kv.Get(key);
        return v is null ? null : Encoding.UTF8.GetString(await v.ReadAllAsync());
    }

    [Fact]
    public async Task PutGetDeleteWithMetadata()
    {
        await _kv.PutAsync("a", B("one"), new KvPutOptions { MetadataJson = """{"x":1}""" });
        using (var v = _kv.Get("a")!)
        {
            Assert.Equal("one", Encoding.UTF8.GetString(await v.ReadAllAsync()));
            Assert.Equal("""{"x":1}""", v.MetadataJson);
            Assert.Null(v.Expiration);
        }
        await _kv.PutAsync("a", B("two"), new KvPutOptions());
        Assert.Equal("two", await GetText("a"));
        using (var v = _kv.Get("a")!) Assert.Null(v.MetadataJson); // a put replaces metadata too
        Assert.True(await _kv.DeleteAsync("a"));
        Assert.Null(_kv.Get("a"));
        Assert.False(await _kv.DeleteAsync("a"));
        Assert.Null(_kv.Get("never"));
    }

    [Fact]
    public async Task LargeValuesStreamThroughBlobFilesAndAreReclaimed()
    {
        var big = new byte[KvNamespaceStore.InlineLimit * 3 + 17];
        Random.Shared.NextBytes(big);
        await _kv.PutAsync("big", new MemoryStream(big), new KvPutOptions());
        var blobs = Path.Combine(_dir, "blobs");
        Assert.Single(Directory.GetFiles(blobs));
        using (var v = _kv.Get("big")!)
        {
            Assert.Null(v.Bytes);
            Assert.Equal(big.Length, v.Length);
            Assert.Equal(big, await v.ReadAllAsync());
        }
        await _kv.PutAsync("big", B("small now"), new KvPutOptions());
        Assert.Empty(Directory.GetFiles(blobs));
        Assert.Equal("small now", await GetText("big"));
        await _kv.PutAsync("big", big, new KvPutOptions());
        Assert.True(await _kv.DeleteAsync("big"));
        Assert.Empty(Directory.GetFiles(blobs));
    }

    [Fact]
    public async Task ValueOverTwentyFiveMebibytesIsRefusedWithItsLength()
    {
        var tooBig = new byte[KvLimits.MaxValueBytes + 1];
        var ex = await Assert.ThrowsAsync<KvException>(() => _kv.PutAsync("k", new MemoryStream(tooBig), new KvPutOptions()));
        Assert.Equal(413, ex.Status);
        Assert.Equal($"Value length of {tooBig.Length} exceeds limit of 26214400.", ex.Message);
        ex = await Assert.ThrowsAsync<KvException>(() => _kv.PutAsync("k", tooBig, new KvPutOptions()));
        Assert.Equal(413, ex.Status);
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir, "blobs")));
        Assert.Null(_kv.Get("k"));
    }

    [Theory]
    [InlineData("", 400, "Key names must not be empty")]
    [InlineData(".", 400, "Illegal key name \".\". Please use a different name.")]
    [InlineData("..", 400, "Illegal key name \"..\". Please use a different name.")]
    public async Task InvalidKeyNames(string key, int status, string message)
    {
        var ex = await Assert.ThrowsAsync<KvException>(() => _kv.PutAsync(key, B("v"), new KvPutOptions()));
        Assert.Equal((status, message), (ex.Status, ex.Message));
        Assert.Equal(message, Assert.Throws<KvException>(() => _kv.Get(key)).Message);
        Assert.Equal(message, (await Assert.ThrowsAsync<KvException>(() => _kv.DeleteAsync(key))).Message);
    }

    [Fact]
    public async Task KeyLengthIsCountedInUtf8Bytes()
    {
        await _kv.PutAsync(new string('a', 512), B("ok"), new KvPutOptions());
        var ex = await Assert.ThrowsAsync<KvException>(() => _kv.PutAsync(new string('é', 257), B("v"), new KvPutOptions()));
        Assert.Equal(414, ex.Status);
        Assert.Equal("UTF-8 encoded length of 514 exceeds key length limit of 512.", ex.Message);
    }

    [Fact]
    public async Task ExpirationRules()
    {
        var now = _clock.Now.ToUnixTimeSeconds();
        var ex = await Assert.ThrowsAsync<KvException>(() => _kv.PutAsync("k", B("v"), new KvPutOptions { ExpirationTtl = 59 }));
        Assert.Equal("Invalid expiration_ttl of 59. Expiration TTL must be at least 60.", ex.Message);
        ex = await Assert.ThrowsAsync<KvException>(() => _kv.PutAsync("k", B("v"), new KvPutOptions { ExpirationTtl = 0 }));
        Assert.Equal("Invalid expiration_ttl of 0. Please specify integer greater than 0.", ex.Message);
        ex = await Assert.ThrowsAsync<KvException>(() => _kv.PutAsync("k", B("v"), new KvPutOptions { Expiration = now }));
        Assert.Equal($"Invalid expiration of {now}. Please specify integer greater than the current number of seconds since the UNIX epoch.", ex.Message);
        ex = await Assert.ThrowsAsync<KvException>(() => _kv.PutAsync("k", B("v"), new KvPutOptions { Expiration = now + 30 }));
        Assert.Equal($"Invalid expiration of {now + 30}. Expiration times must be at least 60 seconds in the future.", ex.Message);

        await _kv.PutAsync("ttl", B("v"), new KvPutOptions { ExpirationTtl = 120 });
        await _kv.PutAsync("at", B("v"), new KvPutOptions { Expiration = now + 60 });
        await _kv.PutAsync("both", B("v"), new KvPutOptions { Expiration = now + 1000, ExpirationTtl = 300 }); // the TTL wins, as in KV
        using (var v = _kv.Get("ttl")!) Assert.Equal(now + 120, v.Expiration);
        using (var v = _kv.Get("both")!) Assert.Equal(now + 300, v.Expiration);
        Assert.Equal(["at", "both", "ttl"], _kv.List().Keys.Select(k => k.Name));

        _clock.Now = _clock.Now.AddSeconds(60);
        Assert.Null(_kv.Get("at")); // expiry is enforced on read the second it arrives
        Assert.Equal(["both", "ttl"], _kv.List().Keys.Select(k => k.Name));
        _clock.Now = _clock.Now.AddSeconds(1000);
        Assert.Empty(_kv.List().Keys);
        await _kv.DeleteExpiredAsync();
        Assert.Equal(0, await _kv.DeleteExpiredAsync());
    }

    [Fact]
    public async Task ExpiredBlobsAreReclaimed()
    {
        await _kv.PutAsync("big", new byte[KvNamespaceStore.InlineLimit + 1], new KvPutOptions { ExpirationTtl = 60 });
        _clock.Now = _clock.Now.AddMinutes(2);
        Assert.Equal(1, await _kv.DeleteExpiredAsync());
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir, "blobs")));
    }

    [Fact]
    public async Task MetadataLimit()
    {
        var meta = "\"" + new string('m', 1022) + "\"";
        await _kv.PutAsync("k", B("v"), new KvPutOptions { MetadataJson = meta });
        var ex = await Assert.ThrowsAsync<KvException>(() => _kv.PutAsync("k", B("v"), new KvPutOptions { MetadataJson = meta + " " }));
        Assert.Equal((413, "Metadata length of 1025 exceeds limit of 1024."), (ex.Status, ex.Message));
    }

    [Fact]
    public async Task ListOrdersByUtf8BytesWithPrefixLimitAndCursor()
    {
        // UTF-16 order puts "\uFF5E" after "😀" (a surrogate pair, 0xD83D…); UTF-8 byte order puts it before (EF… < F0…).
        string[] keys = ["b", "a", "ab", "a\u0000", "😀", "\uFF5E", "Z", "aa"];
        foreach (var k in keys) await _kv.PutAsync(k, B(k), new KvPutOptions { MetadataJson = k == "b" ? """{"n":2}""" : null });
        var expected = keys.OrderBy(k => Encoding.UTF8.GetBytes(k), Comparer<byte[]>.Create((x, y) => x.AsSpan().SequenceCompareTo(y))).ToList();
        Assert.Equal(expected, _kv.List().Keys.Select(k => k.Name));
        Assert.Equal("""{"n":2}""", _kv.List(prefix: "b").Keys.Single().MetadataJson);
        Assert.Equal(["a", "a\u0000", "aa", "ab"], _kv.List(prefix: "a").Keys.Select(k => k.Name));

        var page = _kv.List(prefix: "a", limit: 3);
        Assert.False(page.ListComplete);
        Assert.Equal(["a", "a\u0000", "aa"], page.Keys.Select(k => k.Name));
        await _kv.PutAsync("aaa", B("x"), new KvPutOptions()); // added between pages: still listed
        var next = _kv.List(prefix: "a", limit: 3, cursor: page.Cursor);
        Assert.Equal(["aaa", "ab"], next.Keys.Select(k => k.Name));
        Assert.True(next.ListComplete);
        Assert.Null(next.Cursor);
    }

    [Fact]
    public async Task ListLimitsAndBadCursor()
    {
        Assert.Equal("Invalid key_count_limit of 0. Please specify an integer greater than 0.", Assert.Throws<KvException>(() => _kv.List(limit: 0)).Message);
        Assert.Equal("Invalid key_count_limit of 1001. Please specify an integer less than 1000.", Assert.Throws<KvException>(() => _kv.List(limit: 1001)).Message);
        Assert.Equal(400, Assert.Throws<KvException>(() => _kv.List(cursor: "%%%not base64")).Status);
        for (var i = 0; i < 1005; i++) await _kv.PutAsync($"k{i:D4}", B("v"), new KvPutOptions());
        var first = _kv.List();
        Assert.Equal(1000, first.Keys.Count);
        Assert.Equal(5, _kv.List(cursor: first.Cursor).Keys.Count);
    }

    [Fact]
    public async Task ConcurrentWritersAllSucceed()
    {
        var tasks = Enumerable.Range(0, 200).Select(i => _kv.PutAsync($"c{i}", B(i.ToString()), new KvPutOptions())).ToList();
        tasks.AddRange(Enumerable.Range(0, 50).Select(i => _kv.DeleteAsync($"c{i}")));
        await Task.WhenAll(tasks);
        Assert.InRange(_kv.List(prefix: "c").Keys.Count, 150, 200);
    }

    [Fact]
    public async Task DataSurvivesReopenAndOrphanBlobsAreRemoved()
    {
        await _kv.PutAsync("big", new byte[KvNamespaceStore.InlineLimit + 1], new KvPutOptions());
        await _kv.PutAsync("small", B("s"), new KvPutOptions());
        _kv.Dispose();
        var blobs = Path.Combine(_dir, "blobs");
        File.WriteAllText(Path.Combine(blobs, "deadbeef"), "orphan");
        File.WriteAllText(Path.Combine(blobs, "cafe.tmp"), "half-written");
        using var reopened = KvNamespaceStore.Open(_dir, _clock);
        Assert.Single(Directory.GetFiles(blobs));
        using var v = reopened.Get("big")!;
        Assert.Equal(KvNamespaceStore.InlineLimit + 1, (await v.ReadAllAsync()).Length);
        using var s = reopened.Get("small")!;
        Assert.Equal("s", Encoding.UTF8.GetString(s.Bytes!));
    }

    [Fact]
    public async Task AStoreOpenedWhileAnotherHasItOpenLeavesUncommittedBlobsAlone()
    {
        var blobs = Path.Combine(_dir, "blobs");
        // What another process has on disk between writing a blob and committing the row that names it.
        var renamed = Path.Combine(blobs, "0123456789abcdef");
        var writing = Path.Combine(blobs, "fedcba9876543210.tmp");
        File.WriteAllText(renamed, "committing");
        File.WriteAllText(writing, "being written");
        using (KvNamespaceStore.Open(_dir, _clock)) { }
        Assert.True(File.Exists(renamed) && File.Exists(writing), "a store opened next to an open one deleted another writer's blobs");

        // Alone, a store reclaims them: the writer must have crashed.
        _kv.Dispose();
        using (KvNamespaceStore.Open(_dir, _clock)) { }
        Assert.False(File.Exists(renamed) || File.Exists(writing));
    }

    [Fact]
    public async Task ALargeValueBeingOverwrittenIsNeverReadAsNull()
    {
        static byte[] Value(int seed) => Enumerable.Range(0, KvNamespaceStore.InlineLimit + 1 + seed).Select(i => (byte)(seed + i)).ToArray();
        await _kv.PutAsync("hot", Value(0), new KvPutOptions());
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        var writers = Enumerable.Range(0, 2).Select(w => Task.Run(async () =>
        {
            for (var i = 1; !stop.IsCancellationRequested; i++) await _kv.PutAsync("hot", Value(w * 100_000 + i % 1000), new KvPutOptions());
        }));
        var nulls = 0;
        var reads = 0;
        var readers = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var v = _kv.Get("hot");
                Interlocked.Increment(ref reads);
                if (v is null) Interlocked.Increment(ref nulls);
            }
        }));
        await Task.WhenAll([.. writers, .. readers]);
        Assert.Equal(0, nulls);
        Assert.True(reads > 100, $"only {reads} reads");
    }

    [Fact]
    public async Task AMissingBlobFileIsReportedAsDamageNotAsAnAbsentKey()
    {
        await _kv.PutAsync("big", new byte[KvNamespaceStore.InlineLimit + 1], new KvPutOptions());
        foreach (var file in Directory.GetFiles(Path.Combine(_dir, "blobs"))) File.Delete(file);
        var error = Assert.Throws<InvalidDataException>(() => _kv.Get("big"));
        Assert.Contains("\"big\" is damaged", error.Message);
    }

    [Fact]
    public async Task AKeyWithALoneSurrogateIsKvsDecodingErrorNotAnotherKey()
    {
        var put = await Assert.ThrowsAsync<KvException>(() => _kv.PutAsync("a\ud800b", B("v"), new KvPutOptions()));
        Assert.Equal((400, "Could not URL-decode key name"), (put.Status, put.Message));
        Assert.Equal("Could not URL-decode key name", Assert.Throws<KvException>(() => _kv.Get("\udc00")).Message);
        await _kv.PutAsync("\ud83d\ude00", B("pair"), new KvPutOptions()); // a whole pair is fine
        Assert.Equal("pair", await GetText("\ud83d\ude00"));
    }

    [Fact]
    public void AnOversizedPutIsRefusedInKvsOrderOfChecks()
    {
        string Refuse(KvPutOptions o, long? metadata, long? value) => Assert.Throws<KvException>(() => _kv.RefuseOversizedPut("k", o, metadata, value)).Message;
        Assert.Equal("Metadata length of 10485768 exceeds limit of 1024.", Refuse(new KvPutOptions(), 10485768, 104857600));
        Assert.Equal("Value length of 104857600 exceeds limit of 26214400.", Refuse(new KvPutOptions(), null, 104857600));
        Assert.StartsWith("Invalid expiration_ttl of 10.", Refuse(new KvPutOptions { ExpirationTtl = 10 }, 2000, null));
    }
}
