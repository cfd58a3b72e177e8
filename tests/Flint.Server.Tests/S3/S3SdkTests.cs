using System.Net;
using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Flint.Server.Tests.Support;

namespace Flint.Server.Tests.S3;

/// <summary>
/// The S3 API with a real client, the AWS SDK for .NET, against a running flint dev: what the SDK
/// writes the Worker reads through its R2 binding, and the other way round.
/// </summary>
public sealed class S3SdkTests : IAsyncLifetime
{
    internal const string SharedWorker = """
        export default {
          async fetch(request, env) {
            const key = decodeURIComponent(new URL(request.url).pathname.slice(1));
            if (request.method === "PUT") {
              const o = await env.BUCKET.put(key, request.body, { httpMetadata: request.headers, customMetadata: { from: "worker" } });
              return new Response(o.etag);
            }
            const o = await env.BUCKET.get(key);
            if (o === null) return new Response("missing", { status: 404 });
            const headers = new Headers();
            o.writeHttpMetadata(headers);
            headers.set("etag", o.httpEtag);
            headers.set("x-custom", JSON.stringify(o.customMetadata));
            return new Response(o.body, { headers });
          }
        }
        """;

    internal static Dictionary<string, string> Files => new()
    {
        ["wrangler.toml"] = """
            name = "s3"
            main = "index.js"
            compatibility_date = "2025-11-01"
            r2_buckets = [{ binding = "BUCKET", bucket_name = "shared" }]
            """,
        ["index.js"] = SharedWorker,
    };

    private RunningWorker _worker = null!;
    private AmazonS3Client _s3 = null!;

    public async Task InitializeAsync()
    {
        _worker = await RunningWorker.StartAsync(Files);
        _s3 = Client(RunningWorker.S3SecretAccessKey);
    }

    public async Task DisposeAsync()
    {
        _s3.Dispose();
        await _worker.DisposeAsync();
    }

    private AmazonS3Client Client(string secret, string accessKey = RunningWorker.S3AccessKeyId) =>
        new(new BasicAWSCredentials(accessKey, secret), new AmazonS3Config
        {
            ServiceURL = _worker.S3Url!.ToString(),
            ForcePathStyle = true,
            AuthenticationRegion = "auto",
            MaxErrorRetry = 0,
        });

    private static async Task<byte[]> ReadAllAsync(Stream s)
    {
        var m = new MemoryStream();
        await s.CopyToAsync(m);
        return m.ToArray();
    }

    [Fact]
    public async Task WhatTheSdkPutsTheWorkerReadsAndTheOtherWayRound()
    {
        var put = await _s3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = "shared", Key = "docs/hello world.txt", ContentBody = "hello from the sdk", ContentType = "text/plain; charset=utf-8",
            Metadata = { ["owner"] = "sdk" }, Headers = { CacheControl = "max-age=60" },
        });
        Assert.Equal($"\"{Convert.ToHexStringLower(MD5.HashData("hello from the sdk"u8))}\"", put.ETag);
        using (var viaWorker = await _worker.Client.GetAsync("/docs/hello%20world.txt"))
        {
            Assert.Equal("hello from the sdk", await viaWorker.Content.ReadAsStringAsync());
            Assert.Equal("text/plain; charset=utf-8", viaWorker.Content.Headers.ContentType!.ToString());
            Assert.Equal("max-age=60", viaWorker.Headers.CacheControl!.ToString());
            Assert.Equal("""{"owner":"sdk"}""", viaWorker.Headers.GetValues("x-custom").Single());
            Assert.Equal(put.ETag, viaWorker.Headers.ETag!.Tag);
        }

        var big = RandomNumberGenerator.GetBytes(300_000);
        var stored = await _worker.Client.PutAsync("/from-worker.bin", new ByteArrayContent(big) { Headers = { ContentType = new("application/x-test") } });
        stored.EnsureSuccessStatusCode();
        using (var got = await _s3.GetObjectAsync("shared", "from-worker.bin"))
        {
            Assert.Equal(big, await ReadAllAsync(got.ResponseStream));
            Assert.Equal("application/x-test", got.Headers.ContentType);
            Assert.Equal("worker", got.Metadata["from"]);
            Assert.Equal($"\"{await stored.Content.ReadAsStringAsync()}\"", got.ETag);
        }
        using (var part = await _s3.GetObjectAsync(new GetObjectRequest { BucketName = "shared", Key = "from-worker.bin", ByteRange = new ByteRange(1000, 1999) }))
        {
            Assert.Equal(HttpStatusCode.PartialContent, part.HttpStatusCode);
            Assert.Equal(big[1000..2000], await ReadAllAsync(part.ResponseStream));
            Assert.Equal("bytes 1000-1999/300000", part.ContentRange);
        }
        var head = await _s3.GetObjectMetadataAsync("shared", "from-worker.bin");
        Assert.Equal(300_000, head.ContentLength);

        var copy = await _s3.CopyObjectAsync(new CopyObjectRequest
        {
            SourceBucket = "shared", SourceKey = "from-worker.bin", DestinationBucket = "shared", DestinationKey = "copy.bin",
            MetadataDirective = S3MetadataDirective.REPLACE, ContentType = "application/x-copied",
        });
        Assert.Equal($"\"{Convert.ToHexStringLower(MD5.HashData(big))}\"", copy.ETag);
        Assert.Equal("application/x-copied", (await _s3.GetObjectMetadataAsync("shared", "copy.bin")).Headers.ContentType);
    }

    [Fact]
    public async Task ListsPageByPageWithDelimitersAndDeletesInBulk()
    {
        foreach (var key in new[] { "l/a", "l/b", "l/c", "l/dir/x", "l/dir/y", "l/e" })
            await _s3.PutObjectAsync(new PutObjectRequest { BucketName = "shared", Key = key, ContentBody = key });
        var keys = new List<string>();
        var prefixes = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "shared", Prefix = "l/", Delimiter = "/", MaxKeys = 2, ContinuationToken = token });
            keys.AddRange(page.S3Objects?.Select(o => o.Key) ?? []);
            prefixes.AddRange(page.CommonPrefixes ?? []);
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
            pages++;
        } while (token is not null);
        Assert.Equal(["l/a", "l/b", "l/c", "l/e"], keys);
        Assert.Equal(["l/dir/"], prefixes);
        Assert.Equal(3, pages);

        var v1 = await _s3.ListObjectsAsync(new ListObjectsRequest { BucketName = "shared", Prefix = "l/", MaxKeys = 3 });
        Assert.Equal(["l/a", "l/b", "l/c"], v1.S3Objects.Select(o => o.Key));
        Assert.True(v1.IsTruncated);

        var deleted = await _s3.DeleteObjectsAsync(new DeleteObjectsRequest
        {
            BucketName = "shared",
            Objects = [new KeyVersion { Key = "l/a" }, new KeyVersion { Key = "l/dir/x" }, new KeyVersion { Key = "never" }],
        });
        Assert.Equal(3, deleted.DeletedObjects.Count);
        var rest = await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "shared", Prefix = "l/" });
        Assert.Equal(["l/b", "l/c", "l/dir/y", "l/e"], rest.S3Objects.Select(o => o.Key));
    }

    [Fact]
    public async Task MultipartUploadsCompleteIntoOneObjectTheWorkerStreams()
    {
        var parts = new[] { RandomNumberGenerator.GetBytes(5 * 1024 * 1024), RandomNumberGenerator.GetBytes(5 * 1024 * 1024), RandomNumberGenerator.GetBytes(777) };
        var init = await _s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = "shared", Key = "mp.bin", ContentType = "application/x-mp" });
        var etags = new List<PartETag>();
        for (var i = 0; i < parts.Length; i++)
        {
            var up = await _s3.UploadPartAsync(new UploadPartRequest
            {
                BucketName = "shared", Key = "mp.bin", UploadId = init.UploadId, PartNumber = i + 1, InputStream = new MemoryStream(parts[i]),
            });
            Assert.Equal($"\"{Convert.ToHexStringLower(MD5.HashData(parts[i]))}\"", up.ETag);
            etags.Add(new PartETag(i + 1, up.ETag));
        }
        var uploads = await _s3.ListMultipartUploadsAsync("shared");
        Assert.Contains(uploads.MultipartUploads, u => u.UploadId == init.UploadId && u.Key == "mp.bin");
        var listed = await _s3.ListPartsAsync(new ListPartsRequest { BucketName = "shared", Key = "mp.bin", UploadId = init.UploadId });
        Assert.Equal([1, 2, 3], listed.Parts.Select(p => p.PartNumber ?? 0));

        var done = await _s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest { BucketName = "shared", Key = "mp.bin", UploadId = init.UploadId, PartETags = etags });
        Assert.EndsWith("-3\"", done.ETag);
        var whole = parts.SelectMany(p => p).ToArray();
        using var viaWorker = await _worker.Client.GetAsync("/mp.bin", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("application/x-mp", viaWorker.Content.Headers.ContentType!.ToString());
        Assert.Equal(whole.Length, viaWorker.Content.Headers.ContentLength);
        Assert.Equal(SHA256.HashData(whole), SHA256.HashData(await viaWorker.Content.ReadAsStreamAsync()));

        var copied = await _s3.CopyPartAsync(new CopyPartRequest
        {
            SourceBucket = "shared", SourceKey = "mp.bin", DestinationBucket = "shared", DestinationKey = "part-copy",
            UploadId = (await _s3.InitiateMultipartUploadAsync("shared", "part-copy")).UploadId, PartNumber = 1, FirstByte = 10, LastByte = 19,
        });
        Assert.Equal($"\"{Convert.ToHexStringLower(MD5.HashData(whole[10..20]))}\"", copied.ETag);

        var aborted = await _s3.InitiateMultipartUploadAsync("shared", "aborted");
        await _s3.AbortMultipartUploadAsync("shared", "aborted", aborted.UploadId);
        var ex = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => _s3.ListPartsAsync(new ListPartsRequest { BucketName = "shared", Key = "aborted", UploadId = aborted.UploadId }));
        Assert.Equal("NoSuchUpload", ex.ErrorCode);
    }

    [Fact]
    public async Task ErrorsConditionsAndPresignedUrlsAreS3s()
    {
        var missing = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => _s3.GetObjectAsync("shared", "nope"));
        Assert.Equal(("NoSuchKey", HttpStatusCode.NotFound), (missing.ErrorCode, missing.StatusCode));
        var noBucket = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => _s3.GetObjectAsync("no-such-bucket", "k"));
        Assert.Equal("NoSuchBucket", noBucket.ErrorCode);
        using (var wrongSecret = Client("not the secret"))
        {
            var bad = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => wrongSecret.ListBucketsAsync());
            Assert.Equal(("SignatureDoesNotMatch", HttpStatusCode.Forbidden), (bad.ErrorCode, bad.StatusCode));
        }
        using (var unknownKey = Client(RunningWorker.S3SecretAccessKey, "SOMEONEELSE"))
            Assert.Equal("InvalidAccessKeyId", (await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => unknownKey.ListBucketsAsync())).ErrorCode);

        // No request is served unsigned.
        using var http = new HttpClient { BaseAddress = _worker.S3Url };
        using (var unsigned = await http.GetAsync("/shared/anything"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, unsigned.StatusCode);
            Assert.Contains("<Code>AccessDenied</Code>", await unsigned.Content.ReadAsStringAsync());
        }

        var put = await _s3.PutObjectAsync(new PutObjectRequest { BucketName = "shared", Key = "cond", ContentBody = "conditional" });
        var notModified = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => _s3.GetObjectAsync(new GetObjectRequest { BucketName = "shared", Key = "cond", EtagToNotMatch = put.ETag }));
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        var failed = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => _s3.GetObjectAsync(new GetObjectRequest { BucketName = "shared", Key = "cond", EtagToMatch = "\"other\"" }));
        Assert.Equal(HttpStatusCode.PreconditionFailed, failed.StatusCode);
        var exists = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => _s3.PutObjectAsync(new PutObjectRequest { BucketName = "shared", Key = "cond", ContentBody = "again", IfNoneMatch = "*" }));
        Assert.Equal(HttpStatusCode.PreconditionFailed, exists.StatusCode);

        var url = await _s3.GetPreSignedURLAsync(new GetPreSignedUrlRequest
        {
            BucketName = "shared", Key = "cond", Expires = DateTime.UtcNow.AddMinutes(5), Protocol = Protocol.HTTP, Verb = HttpVerb.GET,
            ResponseHeaderOverrides = { ContentType = "text/x-overridden" },
        });
        using (var presigned = await http.GetAsync(url))
        {
            Assert.Equal("conditional", await presigned.Content.ReadAsStringAsync());
            Assert.Equal("text/x-overridden", presigned.Content.Headers.ContentType!.ToString());
        }
        using (var tampered = await http.GetAsync(url.Replace("/cond?", "/other?", StringComparison.Ordinal)))
            Assert.Equal(HttpStatusCode.Forbidden, tampered.StatusCode);
        var putUrl = await _s3.GetPreSignedURLAsync(new GetPreSignedUrlRequest { BucketName = "shared", Key = "presigned-put", Expires = DateTime.UtcNow.AddMinutes(5), Protocol = Protocol.HTTP, Verb = HttpVerb.PUT });
        (await http.PutAsync(putUrl, new StringContent("put through a presigned url"))).EnsureSuccessStatusCode();
        Assert.Equal("put through a presigned url", await _worker.GetStringAsync("/presigned-put"));
    }

    [Fact]
    public async Task BucketsAreCreatedListedAndDeletedOnlyWhenEmpty()
    {
        await _s3.PutBucketAsync("made-by-sdk");
        Assert.Contains((await _s3.ListBucketsAsync()).Buckets, b => b.BucketName == "made-by-sdk");
        Assert.Contains((await _s3.ListBucketsAsync()).Buckets, b => b.BucketName == "shared");
        Assert.Equal("BucketAlreadyOwnedByYou", (await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => _s3.PutBucketAsync("made-by-sdk"))).ErrorCode);
        Assert.Equal("InvalidBucketName", (await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => _s3.PutBucketAsync("Bad_Name"))).ErrorCode);
        await _s3.PutObjectAsync(new PutObjectRequest { BucketName = "made-by-sdk", Key = "k", ContentBody = "v" });
        Assert.Equal("BucketNotEmpty", (await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => _s3.DeleteBucketAsync("made-by-sdk"))).ErrorCode);
        await _s3.DeleteObjectAsync("made-by-sdk", "k");
        await _s3.DeleteBucketAsync("made-by-sdk");
        Assert.DoesNotContain((await _s3.ListBucketsAsync()).Buckets, b => b.BucketName == "made-by-sdk");
        Assert.Equal("NoSuchBucket", (await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => _s3.DeleteBucketAsync("made-by-sdk"))).ErrorCode);
    }
}
