using System.Security.Cryptography;
using System.Text;
using Flint.Engine.R2;

namespace Flint.Engine.Tests.R2;

public sealed class R2BucketStoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("flint-r2-").FullName;
    private R2BucketStore _bucket;

    public R2BucketStoreTests() => _bucket = R2BucketStore.Open("test", _dir);

    public void Dispose()
    {
        _bucket.Dispose();
        Directory.Delete(_dir, true);
    }

    private static MemoryStream Body(string s) => new(Encoding.UTF8.GetBytes(s));
    private static MemoryStream Body(byte[] b) => new(b);
    private static readonly R2PutOptions NoOptions = new();

    private async Task<byte[]> ReadAsync(string key, R2GetOptions? options = null)
    {
        using var got = _bucket.Get(key, options) ?? throw new KeyNotFoundException(key);
        using var body = got.TakeBody();
        var copy = new MemoryStream();
        await body.CopyToAsync(copy);
        return copy.ToArray();
    }

    /// <summary>The blob files once the deletes of freed blobs (made behind the caller) are done.</summary>
    private string[] BlobFiles()
    {
        _bucket.FreedBlobsDeleted().Wait();
        return Directory.GetFiles(Path.Combine(_dir, "blobs")).Select(Path.GetFileName).ToArray()!;
    }

    [Fact]
    public async Task ListsThousandsOfKeysInUtf8ByteOrderPageByPage()
    {
        // UTF-8 byte order differs from UTF-16 order for characters above the surrogates (U+FF5E after U+1F600 in UTF-16).
        var keys = Enumerable.Range(0, 2100).Select(i => $"k/{i:x4}").Concat(["k/😀", "k/\uFF5E", "k/Z", "k/é"]).ToList();
        await Task.WhenAll(keys.Select(k => _bucket.PutAsync(k, Body(k), NoOptions)));
        var expected = keys.OrderBy(k => Encoding.UTF8.GetBytes(k), Comparer<byte[]>.Create((a, b) => a.AsSpan().SequenceCompareTo(b))).ToList();

        var listed = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = _bucket.List(new R2ListOptions { Prefix = "k/", Cursor = cursor, Limit = 1000 });
            Assert.True(page.Objects.Count <= 1000);
            listed.AddRange(page.Objects.Select(o => o.Key));
            cursor = page.Truncated ? page.Cursor : null;
            pages++;
        } while (cursor is not null);
        Assert.Equal(3, pages);
        Assert.Equal(expected, listed);
        Assert.Equal(["k/\uFF5E", "k/😀"], listed[^2..]);

        var after = _bucket.List(new R2ListOptions { Prefix = "k/", StartAfter = "k/07ff", Limit = 2 });
        Assert.Equal(["k/0800", "k/0801"], after.Objects.Select(o => o.Key));
    }

    [Fact]
    public async Task ADelimiterGroupsKeysAndTheCursorSkipsAWholeGroup()
    {
        foreach (var k in new[] { "a", "dir/1", "dir/2", "dir/sub/3", "dir2/x", "e", "f/", "f/g" }) await _bucket.PutAsync(k, Body(k), NoOptions);
        var all = _bucket.List(new R2ListOptions { Delimiter = "/" });
        Assert.Equal(["a", "e"], all.Objects.Select(o => o.Key));
        Assert.Equal(["dir/", "dir2/", "f/"], all.DelimitedPrefixes);
        Assert.False(all.Truncated);

        var first = _bucket.List(new R2ListOptions { Delimiter = "/", Limit = 2 });
        Assert.Equal(["a"], first.Objects.Select(o => o.Key));
        Assert.Equal(["dir/"], first.DelimitedPrefixes);
        Assert.Equal("dir/sub/3", first.LastKey);
        var rest = _bucket.List(new R2ListOptions { Delimiter = "/", Cursor = first.Cursor });
        Assert.Equal(["e"], rest.Objects.Select(o => o.Key));
        Assert.Equal(["dir2/", "f/"], rest.DelimitedPrefixes);

        var sub = _bucket.List(new R2ListOptions { Prefix = "dir/", Delimiter = "/" });
        Assert.Equal(["dir/1", "dir/2"], sub.Objects.Select(o => o.Key));
        Assert.Equal(["dir/sub/"], sub.DelimitedPrefixes);
        Assert.Throws<R2Exception>(() => _bucket.List(new R2ListOptions { Limit = 1001 }));
    }

    [Fact]
    public async Task LargeBodiesGoToSyncedBlobFilesAndSmallOnesStayInTheRow()
    {
        var big = RandomNumberGenerator.GetBytes(R2BucketStore.InlineLimit + 1);
        var obj = await _bucket.PutAsync("big", Body(big), NoOptions);
        await _bucket.PutAsync("small", Body("tiny"), NoOptions);
        Assert.Equal(Convert.ToHexStringLower(MD5.HashData(big)), obj!.Etag);
        Assert.Single(BlobFiles());
        Assert.Equal(big, await ReadAsync("big"));
        Assert.Equal(big[100..150], await ReadAsync("big", new R2GetOptions { Range = new R2RangeRequest { Offset = 100, Length = 50 } }));
        // Replacing the object frees its file.
        await _bucket.PutAsync("big", Body("now small"), NoOptions);
        Assert.Empty(BlobFiles());
    }

    /// <summary>
    /// A replaced object's file is deleted behind the put; a read racing it must get one whole
    /// version, never a file that is being deleted.
    /// </summary>
    [Fact]
    public async Task ReadsRacingOverwritesGetOneWholeVersion()
    {
        byte[][] versions = [RandomNumberGenerator.GetBytes(300_000), RandomNumberGenerator.GetBytes(200_000)];
        await _bucket.PutAsync("k", Body(versions[0]), NoOptions);
        var writes = Task.Run(async () =>
        {
            for (var i = 1; i <= 40; i++) await _bucket.PutAsync("k", Body(versions[i % 2]), NoOptions);
        });
        var reads = 0;
        while (!writes.IsCompleted || reads < 40)
        {
            using var found = _bucket.Get("k")!;
            // The file is opened at the first read: let every delete queued so far happen before it.
            await _bucket.FreedBlobsDeleted();
            using var body = found.TakeBody();
            var got = new MemoryStream();
            await body.CopyToAsync(got);
            Assert.True(got.ToArray().SequenceEqual(versions[0]) || got.ToArray().SequenceEqual(versions[1]), $"read {reads} got {got.Length} bytes of neither version");
            reads++;
        }
        await writes;
        Assert.Single(BlobFiles());
    }

    [Fact]
    public async Task AReaderKeepsTheBodyItOpenedWhileTheObjectIsReplacedAndDeleted()
    {
        var first = RandomNumberGenerator.GetBytes(200_000);
        await _bucket.PutAsync("k", Body(first), NoOptions);
        using var got = _bucket.Get("k")!;
        var body = got.TakeBody();
        var head = new byte[1000];
        await body.ReadExactlyAsync(head);
        await _bucket.PutAsync("k", Body(RandomNumberGenerator.GetBytes(300_000)), NoOptions);
        await _bucket.DeleteAsync("k");
        Assert.Single(BlobFiles()); // the first body's file waits for its reader
        var rest = new MemoryStream();
        await body.CopyToAsync(rest);
        Assert.Equal(first, head.Concat(rest.ToArray()));
        await body.DisposeAsync();
        Assert.Empty(BlobFiles());
        Assert.Null(_bucket.Get("k"));
    }

    [Fact]
    public async Task MultipartObjectsAreTheirPartsInOrderWithR2sEtag()
    {
        var part1 = RandomNumberGenerator.GetBytes((int)R2Limits.MinPartBytes);
        var part2 = RandomNumberGenerator.GetBytes(1234);
        var id = await _bucket.CreateMultipartUploadAsync("mp", new R2MultipartOptions { HttpMetadata = new R2HttpMetadata { ContentType = "x/y" } });
        var p2 = await _bucket.UploadPartAsync("mp", id, 2, Body(part2));
        var p1 = await _bucket.UploadPartAsync("mp", id, 1, Body(part1));
        var stray = await _bucket.UploadPartAsync("mp", id, 3, Body("not listed"));
        Assert.Equal(Convert.ToHexStringLower(MD5.HashData(part1)), p1.Etag);
        Assert.Null(_bucket.Head("mp"));
        var (parts, truncated) = _bucket.ListParts("mp", id, 0, 2);
        Assert.Equal([1, 2], parts.Select(p => p.PartNumber));
        Assert.True(truncated);

        var obj = await _bucket.CompleteMultipartUploadAsync("mp", id, [p1, p2]);
        var expectedEtag = Convert.ToHexStringLower(MD5.HashData(MD5.HashData(part1).Concat(MD5.HashData(part2)).ToArray())) + "-2";
        Assert.Equal(expectedEtag, obj.Etag);
        Assert.Equal(part1.Length + part2.Length, obj.Size);
        Assert.Equal("x/y", _bucket.Head("mp")!.HttpMetadata.ContentType);
        Assert.Equal(part1.Concat(part2).ToArray(), await ReadAsync("mp"));
        // A range across the parts' boundary reads from both files.
        var range = new R2GetOptions { Range = new R2RangeRequest { Offset = part1.Length - 10, Length = 20 } };
        Assert.Equal(part1[^10..].Concat(part2[..10]).ToArray(), await ReadAsync("mp", range));
        Assert.Equal(2, BlobFiles().Length); // the part not listed was dropped
        Assert.Equal(10024, (await Assert.ThrowsAsync<R2Exception>(() => _bucket.UploadPartAsync("mp", id, 4, Body("late")))).Code);
        Assert.Empty(_bucket.ListUploads(null, null, null, 10).Uploads);
        _ = stray;

        await _bucket.DeleteAsync("mp");
        Assert.Empty(BlobFiles());
    }

    [Fact]
    public async Task PartSizeRulesAreR2s()
    {
        var id = await _bucket.CreateMultipartUploadAsync("p", new R2MultipartOptions());
        var small1 = await _bucket.UploadPartAsync("p", id, 1, Body("a"));
        var small2 = await _bucket.UploadPartAsync("p", id, 2, Body("b"));
        Assert.Equal(10011, (await Assert.ThrowsAsync<R2Exception>(() => _bucket.CompleteMultipartUploadAsync("p", id, [small1, small2]))).Code);
        Assert.Equal(10025, (await Assert.ThrowsAsync<R2Exception>(() => _bucket.CompleteMultipartUploadAsync("p", id, [new R2UploadedPart(1, "nope")]))).Code);
        Assert.Equal(10001, (await Assert.ThrowsAsync<R2Exception>(() => _bucket.CompleteMultipartUploadAsync("p", "unknown", []))).Code);
        await _bucket.AbortMultipartUploadAsync("p", id);
        Assert.Empty(BlobFiles());
        Assert.Equal(10024, (await Assert.ThrowsAsync<R2Exception>(() => _bucket.CompleteMultipartUploadAsync("p", id, [small1]))).Code);
    }

    [Fact]
    public async Task ABadDigestOrAFailedConditionStoresNothing()
    {
        var big = RandomNumberGenerator.GetBytes(100_000);
        var wrong = new Dictionary<R2HashAlgorithm, byte[]> { [R2HashAlgorithm.Sha256] = new byte[32] };
        var ex = await Assert.ThrowsAsync<R2Exception>(() => _bucket.PutAsync("k", Body(big), new R2PutOptions { ExpectedHashes = wrong }));
        Assert.Equal(10037, ex.Code);
        Assert.Null(_bucket.Head("k"));
        Assert.Empty(BlobFiles());

        var onlyIfMatch = new R2PutOptions { OnlyIf = new R2Conditional { EtagMatches = [new R2Etag(R2EtagKind.Strong, "x")] } };
        Assert.Null(await _bucket.PutAsync("k", Body(big), onlyIfMatch));
        Assert.Null(_bucket.Head("k"));
        Assert.Empty(BlobFiles());
    }

    [Fact]
    public async Task OpeningRemovesFilesACrashLeftBehindAndKeepsTheRest()
    {
        var big = RandomNumberGenerator.GetBytes(100_000);
        await _bucket.PutAsync("kept", Body(big), NoOptions);
        var blobs = Path.Combine(_dir, "blobs");
        File.WriteAllText(Path.Combine(blobs, "0123456789abcdef0123456789abcdef"), "a blob whose commit never happened");
        File.WriteAllText(Path.Combine(blobs, "fedcba9876543210fedcba9876543210.tmp"), "an upload cut off midway");
        _bucket.Dispose();
        _bucket = R2BucketStore.Open("test", _dir);
        Assert.Single(BlobFiles());
        Assert.Equal(big, await ReadAsync("kept"));
    }

    [Fact]
    public void RangeHeadersAndConditionsFollowR2()
    {
        Assert.Equal(new R2Range(2, 3), R2Validation.ResolveRange(new R2RangeRequest { Header = "bytes=2-4" }, 8));
        Assert.Equal(new R2Range(5, 3), R2Validation.ResolveRange(new R2RangeRequest { Header = "bytes=-3" }, 8));
        Assert.Null(R2Validation.ResolveRange(new R2RangeRequest { Header = "bytes=0-1,3-4" }, 8));
        Assert.Null(R2Validation.ResolveRange(new R2RangeRequest { Header = "bytes=9-10" }, 8));
        Assert.Throws<R2Exception>(() => R2Validation.ResolveRange(new R2RangeRequest { Offset = 8 }, 8));

        var etags = R2Validation.ParseEtagHeader("W/\"a\", \"b\"");
        Assert.Equal([new R2Etag(R2EtagKind.Weak, "a"), new R2Etag(R2EtagKind.Strong, "b")], etags);
        Assert.Equal("Unclosed double quote for Etag", Assert.Throws<FormatException>(() => R2Validation.ParseEtagHeader("\"a")).Message);
        // If-None-Match compares weakly; If-Match strongly.
        Assert.False(R2Validation.ConditionHolds(new R2Conditional { EtagDoesNotMatch = [new R2Etag(R2EtagKind.Weak, "e")] }, "e", 0));
        Assert.False(R2Validation.ConditionHolds(new R2Conditional { EtagMatches = [new R2Etag(R2EtagKind.Weak, "e")] }, "e", 0));
        Assert.Equal("l/ab", R2Validation.DecodeCursor(R2Validation.EncodeCursor("l/ab")));
    }
}
