using System.Text;
using Flint.Server.S3;
using Microsoft.AspNetCore.Http;

namespace Flint.Server.Tests.S3;

/// <summary>SigV4 and aws-chunked decoding against the worked examples in AWS's S3 signing documentation.</summary>
public sealed class SigV4Tests
{
    private const string AccessKey = "AKIAIOSFODNN7EXAMPLE";
    private const string Secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private static SigV4 Signer() =>
        new(new S3Credentials([new S3AccessKey(AccessKey, Secret)], "test"), new FixedClock(new DateTimeOffset(2013, 5, 24, 0, 5, 0, TimeSpan.Zero)));

    private static HttpRequest Request(string method, string path, params (string Name, string Value)[] headers)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Path = path;
        foreach (var (name, value) in headers) context.Request.Headers[name] = value;
        return context.Request;
    }

    [Fact]
    public void VerifiesAwsDocumentedGetObjectSignature()
    {
        var request = Request("GET", "/test.txt",
            ("Host", "examplebucket.s3.amazonaws.com"), ("Range", "bytes=0-9"),
            ("x-amz-content-sha256", SigV4.EmptySha256), ("x-amz-date", "20130524T000000Z"),
            ("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"));
        Assert.Equal(AccessKey, Signer().Verify(request).AccessKeyId);

        request.Headers.Range = "bytes=0-10";
        Assert.Equal("SignatureDoesNotMatch", Assert.Throws<S3Exception>(() => Signer().Verify(request)).Code);
    }

    [Fact]
    public void RejectsRequestsOutsideTheTimeWindowAndUnknownKeys()
    {
        var old = Request("GET", "/test.txt", ("Host", "h"), ("x-amz-content-sha256", SigV4.EmptySha256), ("x-amz-date", "20130523T000000Z"),
            ("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130523/us-east-1/s3/aws4_request,SignedHeaders=host,Signature=00"));
        Assert.Equal("RequestTimeTooSkewed", Assert.Throws<S3Exception>(() => Signer().Verify(old)).Code);
        var stranger = Request("GET", "/test.txt", ("Host", "h"), ("x-amz-content-sha256", SigV4.EmptySha256), ("x-amz-date", "20130524T000000Z"),
            ("Authorization", "AWS4-HMAC-SHA256 Credential=SOMEONE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host,Signature=00"));
        Assert.Equal("InvalidAccessKeyId", Assert.Throws<S3Exception>(() => Signer().Verify(stranger)).Code);
        Assert.Equal("AccessDenied", Assert.Throws<S3Exception>(() => Signer().Verify(Request("GET", "/x", ("Host", "h")))).Code);
    }

    /// <summary>AWS's chunked upload example: 66,560 bytes of 'a' in chunks of 64 KiB, 1 KiB and 0.</summary>
    private static (HttpRequest Request, byte[] Body) ChunkedExample()
    {
        var request = Request("PUT", "/examplebucket/chunkObject.txt",
            ("Host", "s3.amazonaws.com"), ("x-amz-date", "20130524T000000Z"), ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
            ("Content-Encoding", "aws-chunked"), ("x-amz-decoded-content-length", "66560"), ("Content-Length", "66824"),
            ("x-amz-content-sha256", SigV4.StreamingSigned),
            ("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"));
        var body = new MemoryStream();
        void Chunk(int size, string signature)
        {
            body.Write(Encoding.ASCII.GetBytes($"{size:x};chunk-signature={signature}\r\n"));
            body.Write(Enumerable.Repeat((byte)'a', size).ToArray());
            body.Write("\r\n"u8);
        }
        Chunk(65536, "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648");
        Chunk(1024, "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497");
        Chunk(0, "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9");
        return (request, body.ToArray());
    }

    private static async Task<byte[]> DecodeAsync(HttpRequest request, byte[] body)
    {
        var auth = Signer().Verify(request);
        request.Body = new MemoryStream(body);
        await using var decoded = S3Payload.Open(request, auth);
        var output = new MemoryStream();
        await decoded.CopyToAsync(output, 1000); // small reads: chunk boundaries fall mid-read
        return output.ToArray();
    }

    [Fact]
    public async Task DecodesAwsDocumentedChunkedUploadCheckingEveryChunkSignature()
    {
        var (request, body) = ChunkedExample();
        Assert.Equal(66824, body.Length);
        var decoded = await DecodeAsync(request, body);
        Assert.Equal(66560, decoded.Length);
        Assert.All(decoded, b => Assert.Equal((byte)'a', b));
    }

    [Fact]
    public async Task ATamperedChunkOrATruncatedPayloadFails()
    {
        var (request, body) = ChunkedExample();
        var tampered = body.ToArray();
        tampered[66_000] = (byte)'b'; // inside the second chunk
        Assert.Equal("SignatureDoesNotMatch", (await Assert.ThrowsAsync<S3Exception>(() => DecodeAsync(request, tampered))).Code);

        var (again, whole) = ChunkedExample();
        var cut = whole[..^60]; // the final chunk is missing
        Assert.IsType<S3Exception>(await Record.ExceptionAsync(() => DecodeAsync(again, cut)));
    }

    [Fact]
    public void PayloadChecksumsAreTheOnesS3Uses()
    {
        static string Of(string name, string text)
        {
            var c = PayloadChecksum.Create(name);
            c.Append(Encoding.ASCII.GetBytes(text));
            c.Expected = "x";
            var ex = Assert.Throws<S3Exception>(c.Verify);
            return ex.Code;
        }
        Assert.Equal("BadDigest", Of("x-amz-checksum-crc32", "hello"));
        // Known answers for "123456789": CRC-32C 0xE3069283, CRC-64/NVME 0xAE8B14860A799888.
        var crc32c = new Crc32C();
        crc32c.Append("123456789"u8);
        Assert.Equal(0xE3069283u, crc32c.Value);
        var crc64 = new Crc64Nvme();
        crc64.Append("123456789"u8);
        Assert.Equal(0xAE8B14860A799888ul, crc64.Value);
    }
}
