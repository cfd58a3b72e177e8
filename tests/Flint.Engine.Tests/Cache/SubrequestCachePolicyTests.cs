using Flint.Engine.Cache;

namespace Flint.Engine.Tests.Cache;

/// <summary>Cloudflare's edge rules for subrequests, as its docs state them (see SubrequestCachePolicy).</summary>
public class SubrequestCachePolicyTests
{
    private const long Now = 1_700_000_000_000;

    private static SubrequestCacheRequest Plan(bool everything = false, long? ttl = null, StatusTtl[]? byStatus = null, bool bypass = false) =>
        new("*", "https://o.example/x", everything, ttl, byStatus ?? [], bypass, false);

    private static SubrequestCacheDecision Decide(int status, SubrequestCacheRequest plan, params CacheHeader[] headers) =>
        SubrequestCachePolicy.Decide(status, "", headers, plan, requestHasAuthorization: false, Now);

    [Theory]
    [InlineData("https://o.example/app.js", true)]
    [InlineData("https://o.example/a/B.WOFF2?v=1", true)]
    [InlineData("https://o.example/robots.txt", true)]
    [InlineData("https://o.example/index.html", false)]
    [InlineData("https://o.example/api/items", false)]
    [InlineData("https://o.example/js/", false)]
    public void OnlyTheDefaultExtensionsAreCachedWithoutBeingAsked(string url, bool cached)
    {
        Assert.Equal(cached, SubrequestCachePolicy.CachedByDefault(new Uri(url)));
        Assert.Equal(cached, SubrequestCachePolicy.Eligible("GET", new Uri(url), Plan()));
        Assert.True(SubrequestCachePolicy.Eligible("HEAD", new Uri(url), Plan(everything: true)));
        Assert.False(SubrequestCachePolicy.Eligible("POST", new Uri(url), Plan(everything: true)));
        Assert.False(SubrequestCachePolicy.Eligible("GET", new Uri(url), Plan(everything: true, bypass: true)));
    }

    [Theory]
    [InlineData(200, 7200)]
    [InlineData(206, 7200)]
    [InlineData(301, 7200)]
    [InlineData(302, 1200)]
    [InlineData(303, 1200)]
    [InlineData(404, 180)]
    [InlineData(410, 180)]
    [InlineData(500, 0)]
    [InlineData(307, 0)]
    public void WithoutCacheControlTheDefaultEdgeTtlByStatusApplies(int status, long seconds)
    {
        Assert.Equal(seconds * 1000, Decide(status, Plan(everything: true)).TtlMs);
    }

    [Fact]
    public void TheOriginsHeadersDecideUnlessTheWorkerSetATtl()
    {
        var plan = Plan(everything: true);
        Assert.Equal(60_000, Decide(200, plan, new CacheHeader("cache-control", "max-age=60")).TtlMs);
        Assert.Equal(30_000, Decide(200, plan, new CacheHeader("cache-control", "max-age=60, s-maxage=30")).TtlMs);
        Assert.Equal(50_000, Decide(200, plan, new CacheHeader("cache-control", "max-age=60"), new CacheHeader("age", "10")).TtlMs);
        Assert.Equal(120_000, Decide(200, plan, new CacheHeader("date", DateTimeOffset.FromUnixTimeMilliseconds(Now).ToString("r")),
            new CacheHeader("expires", DateTimeOffset.FromUnixTimeMilliseconds(Now + 120_000).ToString("r"))).TtlMs);
        foreach (var cc in new[] { "no-store", "no-cache", "private", "max-age=0", "s-maxage=0" })
            Assert.Equal("BYPASS", Decide(200, plan, new CacheHeader("cache-control", cc)).Status);
        Assert.Equal("BYPASS", Decide(200, plan, new CacheHeader("expires", "Thu, 01 Jan 1970 00:00:00 GMT")).Status);
        Assert.Equal("MISS", Decide(200, plan, new CacheHeader("set-cookie", "a=1")).Status); // Cache Everything: passed on, not kept
        Assert.Equal("BYPASS", Decide(200, Plan(), new CacheHeader("set-cookie", "a=1")).Status);
        Assert.False(Decide(200, plan, new CacheHeader("set-cookie", "a=1")).Stored);
        var withAuth = SubrequestCachePolicy.Decide(200, "", [], plan, requestHasAuthorization: true, Now);
        Assert.Equal("BYPASS", withAuth.Status);
        Assert.True(SubrequestCachePolicy.Decide(200, "", [new CacheHeader("cache-control", "public, max-age=5")], plan, true, Now).Stored);

        // cacheTtl overrides them, and the stored copy has no cookie.
        var forced = Decide(200, Plan(ttl: 30), new CacheHeader("cache-control", "no-store"), new CacheHeader("set-cookie", "a=1"), new CacheHeader("x-kept", "1"));
        Assert.Equal(30_000, forced.TtlMs);
        Assert.DoesNotContain(forced.Headers, h => h.Name == "set-cookie");
        Assert.Contains(forced.Headers, h => h.Name == "x-kept");
        Assert.Equal("BYPASS", Decide(200, Plan(ttl: -1)).Status);
        Assert.False(Decide(200, Plan(ttl: 0)).Stored);
        Assert.False(Decide(500, Plan(ttl: 30)).Stored); // cacheTtl is for the statuses cached by default
    }

    [Fact]
    public void CacheTtlByStatusPicksTheFirstMatchingRangeBeforeCacheTtl()
    {
        var plan = Plan(ttl: 10, byStatus: [new(200, 299, 100), new(404, 404, -1), new(500, 599, 5)]);
        Assert.Equal(100_000, Decide(201, plan).TtlMs);
        Assert.Equal("BYPASS", Decide(404, plan).Status);
        Assert.Equal(5_000, Decide(503, plan, new CacheHeader("cache-control", "no-store")).TtlMs);
        Assert.Equal(10_000, Decide(301, plan).TtlMs);
    }

    [Fact]
    public void StoredHeadersLeaveOutTheConnectionsAndKeepWhenTheResponseWasMade()
    {
        var d = Decide(200, Plan(everything: true), new CacheHeader("content-type", "text/plain"), new CacheHeader("transfer-encoding", "chunked"),
            new CacheHeader("content-length", "5"), new CacheHeader("cf-cache-status", "HIT"), new CacheHeader("age", "7"));
        Assert.Equal(["content-type", SubrequestCachePolicy.StoredAtHeader, SubrequestCachePolicy.StatusTextHeader], d.Headers.Select(h => h.Name));
        Assert.Equal((Now - 7000).ToString(), d.Headers.Single(h => h.Name == SubrequestCachePolicy.StoredAtHeader).Value);
    }
}
