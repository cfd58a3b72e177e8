using System.Text;
using Flint.Engine.Cache;
using Flint.Engine.Tests.Kv;

namespace Flint.Engine.Tests.Cache;

public sealed class CacheStoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("flint-cache-").FullName;
    private readonly ManualClock _clock = new(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));

    public void Dispose() => Directory.Delete(_dir, true);

    private CacheStore Open(long maxTotal = CacheOptions.DefaultMaxTotalBytes, long maxEntry = 512L * 1024 * 1024) =>
        CacheStore.Open(_dir, new CacheOptions { MaxTotalBytes = maxTotal, MaxEntryBytes = maxEntry }, _clock);

    private static readonly CacheHeader[] OneHour = [new("cache-control", "max-age=3600")];

    private static Task<bool> Put(CacheStore store, string key, string body, params CacheHeader[] headers) =>
        store.PutAsync(new CachePut("*", key, 200, headers.Length == 0 ? OneHour : headers, false, body.Length), new MemoryStream(Encoding.UTF8.GetBytes(body)));

    private static async Task<string?> Body(CacheStore store, string key, CacheMatchRequest? request = null)
    {
        using var hit = store.Match("*", key, request ?? new CacheMatchRequest());
        if (hit is null) return null;
        if (hit.Body is null) return $"<{hit.Status}>";
        using var reader = new StreamReader(hit.Body);
        return await reader.ReadToEndAsync();
    }

    [Fact]
    public async Task LeastRecentlyUsedEntriesAreEvictedToStayUnderTheTotalSize()
    {
        using var store = Open(maxTotal: 30);
        Assert.True(await Put(store, "a", "0123456789"));
        Assert.True(await Put(store, "b", "0123456789"));
        Assert.True(await Put(store, "c", "0123456789"));
        Assert.Equal("0123456789", await Body(store, "a")); // a is now the most recently used
        Assert.True(await Put(store, "d", "0123456789"));   // evicts b, the least recently used
        Assert.Null(await Body(store, "b"));
        Assert.NotNull(await Body(store, "a"));
        Assert.NotNull(await Body(store, "c"));
        Assert.NotNull(await Body(store, "d"));
        Assert.Equal(30, store.TotalBytes);
        Assert.Equal(3, Directory.GetFiles(Path.Combine(_dir, "bodies")).Length);
    }

    [Fact]
    public async Task ABodyOverTheLimitsIsNotStoredAndLeavesNoFile()
    {
        using var store = Open(maxTotal: 100, maxEntry: 8);
        Assert.False(await Put(store, "big", "0123456789"));
        // A streamed body of unknown length is stopped at the limit too.
        Assert.False(await store.PutAsync(new CachePut("*", "stream", 200, OneHour, false, null), new MemoryStream(new byte[50])));
        Assert.Null(await Body(store, "big"));
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir, "bodies")));
        Assert.Equal(0, store.TotalBytes);
    }

    [Fact]
    public async Task EntriesExpireAndOutliveARestartUntilThen()
    {
        using (var store = Open())
        {
            Assert.True(await Put(store, "short", "s", new CacheHeader("cache-control", "max-age=60")));
            Assert.True(await Put(store, "long", "l"));
            Assert.False(await Put(store, "nostore", "n", new CacheHeader("cache-control", "no-store")));
            _clock.Now += TimeSpan.FromSeconds(61);
            Assert.Null(await Body(store, "short"));
            Assert.Null(await Body(store, "nostore"));
        }
        using (var store = Open())
        {
            Assert.Equal("l", await Body(store, "long"));
            _clock.Now += TimeSpan.FromHours(1);
            Assert.Null(await Body(store, "long"));
        }
        using (var store = Open())
        {
            Assert.Equal(0, store.Count);
        }
    }

    [Fact]
    public async Task ReplacingAndDeletingFreeTheirBytes()
    {
        using var store = Open();
        await Put(store, "k", "first");
        await Put(store, "k", "second!");
        Assert.Equal("second!", await Body(store, "k"));
        Assert.Equal(7, store.TotalBytes);
        Assert.True(await store.DeleteAsync("*", "k"));
        Assert.False(await store.DeleteAsync("*", "k"));
        Assert.Equal(0, store.TotalBytes);
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir, "bodies")));
    }

    [Fact]
    public async Task RangesAndConditionalsAreAnsweredFromTheStoredBody()
    {
        using var store = Open();
        await Put(store, "r", "0123456789", new("cache-control", "max-age=60"), new("etag", "\"x\""), new("content-type", "text/plain"));
        Assert.Equal("234", await Body(store, "r", new CacheMatchRequest(Range: "bytes=2-4")));
        Assert.Equal("789", await Body(store, "r", new CacheMatchRequest(Range: "bytes=-3")));
        Assert.Equal("<304>", await Body(store, "r", new CacheMatchRequest(IfNoneMatch: "W/\"x\"")));
        using (var unsatisfiable = store.Match("*", "r", new CacheMatchRequest(Range: "bytes=20-")))
        {
            Assert.Equal(416, unsatisfiable!.Status);
            Assert.Contains(new CacheHeader("content-range", "bytes */10"), unsatisfiable.Headers);
        }
        var multipart = await Body(store, "r", new CacheMatchRequest(Range: "bytes=0-0, 9-9"));
        Assert.Matches(@"^--(flint-boundary-\w+)\r\nContent-Type: text/plain\r\nContent-Range: bytes 0-0/10\r\n\r\n0\r\n--\1\r\nContent-Type: text/plain\r\nContent-Range: bytes 9-9/10\r\n\r\n9\r\n--\1--$", multipart);
    }
}
