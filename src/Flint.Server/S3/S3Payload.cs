using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Flint.Engine.IO;

namespace Flint.Server.S3;

/// <summary>
/// The body of a signed S3 request as the engine reads it: checked as it streams, never
/// buffered whole. A signed payload hash is compared at the end; an aws-chunked payload is
/// decoded with every chunk's signature (and the trailer's) checked; an x-amz-checksum-* header
/// or trailer is compared at the end. A failed check throws before the engine sees the end of
/// the body, so nothing is stored.
/// </summary>
internal static class S3Payload
{
    public static Stream Open(HttpRequest request, SigV4Context auth)
    {
        var body = request.Body;
        var hash = auth.PayloadHash;
        var headerChecksum = PayloadChecksum.FromHeaders(request.Headers);
        if (hash is SigV4.StreamingSigned or SigV4.StreamingSignedTrailer or SigV4.StreamingUnsignedTrailer)
        {
            long? decoded = long.TryParse(request.Headers["x-amz-decoded-content-length"], out var n) ? n : null;
            var trailer = request.Headers["x-amz-trailer"].ToString().Trim().ToLowerInvariant();
            return new AwsChunkedStream(body, auth, signed: hash != SigV4.StreamingUnsignedTrailer,
                trailer: hash != SigV4.StreamingSigned, decoded, headerChecksum, trailer.Length > 0 ? PayloadChecksum.Create(trailer) : null);
        }
        if (hash == SigV4.UnsignedPayload) return headerChecksum is null ? body : new VerifyingStream(body, null, headerChecksum);
        if (hash.Length != 64 || !hash.All(char.IsAsciiHexDigit))
            throw S3Exception.InvalidArgument($"x-amz-content-sha256 must be the payload's SHA-256 in hex, {SigV4.UnsignedPayload} or a STREAMING-… value, not \"{hash}\".");
        return new VerifyingStream(body, Convert.FromHexString(hash), headerChecksum);
    }
}

/// <summary>A running x-amz-checksum-* (CRC32, CRC32C, CRC64NVME, SHA-1, SHA-256) and the value it must end with.</summary>
internal sealed class PayloadChecksum
{
    private readonly string _name;
    private readonly Action<ReadOnlySpan<byte>> _append;
    private readonly Func<byte[]> _finish;

    private PayloadChecksum(string name, Action<ReadOnlySpan<byte>> append, Func<byte[]> finish)
    {
        _name = name;
        _append = append;
        _finish = finish;
    }

    /// <summary>The base64 value it must have; for a trailer, set once the trailer arrives.</summary>
    public string? Expected { get; set; }

    private static readonly string[] s_names = ["x-amz-checksum-crc32", "x-amz-checksum-crc32c", "x-amz-checksum-crc64nvme", "x-amz-checksum-sha1", "x-amz-checksum-sha256"];

    public static PayloadChecksum? FromHeaders(IHeaderDictionary headers)
    {
        foreach (var name in s_names)
        {
            if (headers.TryGetValue(name, out var value) && value.ToString().Length > 0)
            {
                var c = Create(name);
                c.Expected = value.ToString().Trim();
                return c;
            }
        }
        return null;
    }

    public static PayloadChecksum Create(string name)
    {
        switch (name)
        {
            case "x-amz-checksum-crc32":
            {
                var crc = new System.IO.Hashing.Crc32();
                return new(name, s => crc.Append(s), () => BigEndian32(crc.GetCurrentHashAsUInt32()));
            }
            case "x-amz-checksum-crc32c":
            {
                var crc = new Crc32C();
                return new(name, crc.Append, () => BigEndian32(crc.Value));
            }
            case "x-amz-checksum-crc64nvme":
            {
                var crc = new Crc64Nvme();
                return new(name, crc.Append, () => { var b = new byte[8]; BinaryPrimitives.WriteUInt64BigEndian(b, crc.Value); return b; });
            }
            case "x-amz-checksum-sha1":
            {
                var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
                return new(name, h.AppendData, h.GetHashAndReset);
            }
            case "x-amz-checksum-sha256":
            {
                var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                return new(name, h.AppendData, h.GetHashAndReset);
            }
            default:
                throw S3Exception.InvalidRequest($"Unsupported checksum \"{name}\": use x-amz-checksum-crc32, crc32c, crc64nvme, sha1 or sha256.");
        }
    }

    private static byte[] BigEndian32(uint value)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, value);
        return b;
    }

    public void Append(ReadOnlySpan<byte> data) => _append(data);

    public void Verify()
    {
        var actual = Convert.ToBase64String(_finish());
        if (Expected is null) throw S3Exception.InvalidRequest($"The request names the trailer {_name} but did not send it.");
        if (actual != Expected)
            throw S3Exception.BadDigest($"The {_name["x-amz-checksum-".Length..].ToUpperInvariant()} you specified did not match the calculated checksum.");
    }
}

/// <summary>CRC-32C (Castagnoli), reflected, as x-amz-checksum-crc32c uses it.</summary>
internal sealed class Crc32C
{
    private static readonly uint[] s_table = MakeTable();
    private uint _crc = 0xFFFFFFFF;

    private static uint[] MakeTable()
    {
        var t = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0x82F63B78 ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
        return t;
    }

    public void Append(ReadOnlySpan<byte> data)
    {
        var crc = _crc;
        foreach (var b in data) crc = s_table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        _crc = crc;
    }

    public uint Value => _crc ^ 0xFFFFFFFF;
}

/// <summary>CRC-64/NVME, reflected, as x-amz-checksum-crc64nvme uses it.</summary>
internal sealed class Crc64Nvme
{
    private static readonly ulong[] s_table = MakeTable();
    private ulong _crc = ulong.MaxValue;

    private static ulong[] MakeTable()
    {
        var t = new ulong[256];
        for (ulong i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0x9A6C9329AC4BC9B5 ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
        return t;
    }

    public void Append(ReadOnlySpan<byte> data)
    {
        var crc = _crc;
        foreach (var b in data) crc = s_table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        _crc = crc;
    }

    public ulong Value => _crc ^ ulong.MaxValue;
}

/// <summary>Base for the read-only streams a request body is checked through.</summary>
internal abstract class CheckedReadStream : ReadOnlyStream
{
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Read a request body asynchronously.");
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
}

/// <summary>A body compared at its end with the signed SHA-256, an x-amz-checksum-* header and/or a Content-MD5.</summary>
internal sealed class VerifyingStream(Stream inner, byte[]? sha256, PayloadChecksum? checksum, byte[]? md5 = null) : CheckedReadStream
{
    private readonly IncrementalHash? _sha = sha256 is null ? null : IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly IncrementalHash? _md5 = md5 is null ? null : IncrementalHash.CreateHash(HashAlgorithmName.MD5);
    private bool _done;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_done) return 0;
        var n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (n > 0)
        {
            _sha?.AppendData(buffer.Span[..n]);
            _md5?.AppendData(buffer.Span[..n]);
            checksum?.Append(buffer.Span[..n]);
            return n;
        }
        _done = true;
        if (_sha is not null && !_sha.GetHashAndReset().AsSpan().SequenceEqual(sha256)) throw S3Exception.ContentSha256Mismatch();
        if (_md5 is not null && !_md5.GetHashAndReset().AsSpan().SequenceEqual(md5)) throw S3Exception.BadDigest("The Content-MD5 you specified did not match what we received.");
        checksum?.Verify();
        return 0;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) { _sha?.Dispose(); _md5?.Dispose(); }
        base.Dispose(disposing);
    }
}

/// <summary>
/// Decodes an aws-chunked payload (<c>hex-size[;chunk-signature=…]\r\n data \r\n … 0…\r\n
/// [trailers]\r\n</c>), handing out data as it arrives. Signed chunks are checked as each ends,
/// each signature chained from the one before, starting at the request's; the trailer's
/// checksum (and its signature) is checked before the end is reported.
/// </summary>
internal sealed class AwsChunkedStream : CheckedReadStream
{
    private const int MaxLine = 8192;
    private readonly Stream _inner;
    private readonly SigV4Context _auth;
    private readonly bool _signed, _trailer;
    private readonly long? _decodedLength;
    private readonly PayloadChecksum? _headerChecksum, _trailerChecksum;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private readonly IncrementalHash _chunkHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private int _start, _end;
    private long _remaining; // of the current chunk
    private string? _chunkSignature;
    private string _previous;
    private long _total;
    private bool _done;

    public AwsChunkedStream(Stream inner, SigV4Context auth, bool signed, bool trailer, long? decodedLength, PayloadChecksum? headerChecksum, PayloadChecksum? trailerChecksum)
    {
        _inner = inner;
        _auth = auth;
        _signed = signed;
        _trailer = trailer;
        _decodedLength = decodedLength;
        _headerChecksum = headerChecksum;
        _trailerChecksum = trailerChecksum;
        _previous = auth.Signature;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_done || buffer.Length == 0) return 0;
        while (_remaining == 0)
        {
            var size = await ReadChunkHeaderAsync(cancellationToken).ConfigureAwait(false);
            if (size == 0)
            {
                await FinishAsync(cancellationToken).ConfigureAwait(false);
                return 0;
            }
            _remaining = size;
        }
        if (_start == _end && !await FillAsync(cancellationToken).ConfigureAwait(false)) throw S3Exception.IncompleteBody();
        var n = (int)Math.Min(Math.Min(buffer.Length, _end - _start), _remaining);
        var data = _buffer.AsSpan(_start, n);
        data.CopyTo(buffer.Span);
        if (_signed) _chunkHash.AppendData(data);
        _headerChecksum?.Append(data);
        _trailerChecksum?.Append(data);
        _start += n;
        _remaining -= n;
        _total += n;
        if (_remaining == 0) await EndChunkAsync(cancellationToken).ConfigureAwait(false);
        return n;
    }

    private async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0 && _start == _end) _start = _end = 0;
        if (_end == _buffer.Length)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        var n = await _inner.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
        _end += n;
        return n > 0;
    }

    /// <summary>The next CRLF-terminated line, or null at the end of the body.</summary>
    private async ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var at = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8);
            if (at >= 0)
            {
                var line = Encoding.ASCII.GetString(_buffer, _start, at);
                _start += at + 2;
                return line;
            }
            if (_end - _start >= MaxLine) throw S3Exception.InvalidArgument("An aws-chunked line is too long: the payload is not aws-chunked encoded.");
            if (!await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                if (_start == _end) return null;
                var rest = Encoding.ASCII.GetString(_buffer, _start, _end - _start);
                _start = _end;
                return rest;
            }
        }
    }

    private async ValueTask<long> ReadChunkHeaderAsync(CancellationToken cancellationToken)
    {
        var line = await ReadLineAsync(cancellationToken).ConfigureAwait(false) ?? throw S3Exception.IncompleteBody();
        var semi = line.IndexOf(';');
        var hex = semi < 0 ? line : line[..semi];
        if (!long.TryParse(hex, System.Globalization.NumberStyles.AllowHexSpecifier, null, out var size) || size < 0)
            throw S3Exception.InvalidArgument($"Invalid aws-chunked chunk header \"{Truncate(line)}\".");
        _chunkSignature = null;
        if (_signed)
        {
            const string prefix = "chunk-signature=";
            var ext = semi < 0 ? "" : line[(semi + 1)..];
            if (!ext.StartsWith(prefix, StringComparison.Ordinal)) throw S3Exception.SignatureDoesNotMatch();
            _chunkSignature = ext[prefix.Length..];
        }
        if (size == 0 && _signed) VerifyChunk();
        return size;
    }

    private static string Truncate(string s) => s.Length > 64 ? s[..64] + "…" : s;

    private async ValueTask EndChunkAsync(CancellationToken cancellationToken)
    {
        var line = await ReadLineAsync(cancellationToken).ConfigureAwait(false);
        if (line is null || line.Length != 0) throw S3Exception.InvalidArgument("An aws-chunked chunk does not end with CRLF where its size says.");
        if (_signed) VerifyChunk();
    }

    private void VerifyChunk()
    {
        var expected = SigV4.ChunkSignature(_auth, _previous, _chunkHash.GetHashAndReset());
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(_chunkSignature ?? "")))
            throw S3Exception.SignatureDoesNotMatch();
        _previous = expected;
    }

    private async ValueTask FinishAsync(CancellationToken cancellationToken)
    {
        _done = true;
        if (_trailer)
        {
            var canonical = new StringBuilder();
            string? trailerSignature = null;
            while (await ReadLineAsync(cancellationToken).ConfigureAwait(false) is { Length: > 0 } line)
            {
                var colon = line.IndexOf(':');
                if (colon <= 0) throw S3Exception.InvalidArgument($"Invalid aws-chunked trailer \"{Truncate(line)}\".");
                var name = line[..colon].Trim().ToLowerInvariant();
                var value = line[(colon + 1)..].Trim();
                if (name == "x-amz-trailer-signature") { trailerSignature = value; continue; }
                canonical.Append(name).Append(':').Append(value).Append('\n');
                if (_trailerChecksum is not null) _trailerChecksum.Expected = value;
            }
            if (_signed)
            {
                var expected = SigV4.TrailerSignature(_auth, _previous, canonical.ToString());
                if (trailerSignature is null || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(trailerSignature)))
                    throw S3Exception.SignatureDoesNotMatch();
            }
            _trailerChecksum?.Verify();
        }
        else
        {
            var line = await ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (line is { Length: > 0 }) throw S3Exception.InvalidArgument("Unexpected data after the last aws-chunked chunk.");
        }
        if (_decodedLength is { } expectedLength && expectedLength != _total) throw S3Exception.IncompleteBody();
        _headerChecksum?.Verify();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _chunkHash.Dispose();
        base.Dispose(disposing);
    }
}
