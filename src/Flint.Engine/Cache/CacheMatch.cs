using System.Text;
using Flint.Engine.IO;

namespace Flint.Engine.Cache;

/// <summary>The request headers <c>cache.match()</c> answers to.</summary>
public sealed record CacheMatchRequest(string? Range = null, string? IfNoneMatch = null, string? IfModifiedSince = null);

/// <summary>What <c>cache.match()</c> hands the Worker: status, headers, and the body to stream (dispose it).</summary>
public sealed class CacheMatchResult(int status, IReadOnlyList<CacheHeader> headers, Stream? body) : IDisposable
{
    public int Status { get; } = status;
    public IReadOnlyList<CacheHeader> Headers { get; } = headers;
    public Stream? Body { get; } = body;
    /// <summary>The origin's status text, for an entry a subrequest stored.</summary>
    public string? StatusText { get; init; }

    public void Dispose() => Body?.Dispose();
}

/// <summary>
/// Turns a stored entry into the response a match gives, as wrangler dev's cache does: the Range
/// header is checked first (416 with <c>Content-Range: bytes */size</c> when unsatisfiable), then
/// If-None-Match against the ETag (weak comparison, <c>*</c> matches) and If-Modified-Since against
/// Last-Modified (304 with the stored headers), then the ranges (206, several as multipart/byteranges).
/// Every hit carries <c>CF-Cache-Status: HIT</c>.
/// </summary>
internal static class CacheResponder
{
    public static CacheMatchResult Respond(CacheEntry entry, CacheMatchRequest request, long nowMs, Func<Stream> openBody)
    {
        IReadOnlyList<ByteRange> ranges = [];
        if (request.Range is { } rangeHeader)
        {
            var parsed = ByteRanges.Parse(rangeHeader, entry.Size);
            if (parsed is null)
                return new CacheMatchResult(416, [new("content-range", $"bytes */{entry.Size}"), new("cf-cache-status", "HIT")], null);
            ranges = parsed;
        }
        var headers = new List<CacheHeader>(entry.Headers.Count + 2);
        string? storedAt = null, statusText = null;
        foreach (var h in entry.Headers)
        {
            // Names that begin with ':' are the cache's own notes, never a response header.
            if (h.Name == SubrequestCachePolicy.StoredAtHeader) storedAt = h.Value;
            else if (h.Name == SubrequestCachePolicy.StatusTextHeader) statusText = h.Value;
            if (h.Name != "cf-cache-status" && !h.Name.StartsWith(':')) headers.Add(h);
        }
        if (storedAt is not null && long.TryParse(storedAt, System.Globalization.CultureInfo.InvariantCulture, out var storedMs))
        {
            // A subrequest's entry: Age counts from when the origin made it; the length is the stored body's.
            Set(headers, "age", Math.Max(0, (nowMs - storedMs) / 1000).ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (Get(headers, "content-encoding") is null) Set(headers, "content-length", entry.Size.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        headers.Add(new CacheHeader("cf-cache-status", "HIT"));

        if (NotModified(entry, request)) return new CacheMatchResult(304, headers, null);

        if (ranges.Count == 0) return new CacheMatchResult(entry.Status, headers, openBody()) { StatusText = statusText };
        if (ranges.Count == 1)
        {
            var r = ranges[0];
            Set(headers, "content-range", $"bytes {r.Start}-{r.End}/{entry.Size}");
            Set(headers, "content-length", r.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return new CacheMatchResult(206, headers, new RangeStream(openBody(), r.Start, r.Length));
        }
        var boundary = "flint-boundary-" + Guid.NewGuid().ToString("n");
        var contentType = Get(headers, "content-type");
        Set(headers, "content-type", $"multipart/byteranges; boundary={boundary}");
        headers.RemoveAll(h => h.Name == "content-length");
        return new CacheMatchResult(206, headers, new MultipartRangeStream(openBody, ranges, boundary, contentType, entry.Size));
    }

    private static bool NotModified(CacheEntry entry, CacheMatchRequest request)
    {
        if (request.IfNoneMatch is { } ifNoneMatch && Get(entry.Headers, "etag") is { } etagHeader && ParseETag(etagHeader) is { } etag)
        {
            if (ifNoneMatch.Trim() == "*") return true;
            foreach (var candidate in ifNoneMatch.Split(','))
                if (ParseETag(candidate) == etag) return true;
        }
        if (request.IfModifiedSince is { } ifModifiedSince && Get(entry.Headers, "last-modified") is { } lastModifiedHeader)
        {
            var since = ParseImfDate(ifModifiedSince);
            var lastModified = ParseImfDate(lastModifiedHeader);
            if (since is not null && lastModified is not null && lastModified <= since) return true;
        }
        return false;
    }

    /// <summary>The opaque part of an entity tag, W/ ignored (If-None-Match compares weakly).</summary>
    private static string? ParseETag(string value)
    {
        var v = value.Trim();
        if (v.StartsWith("W/", StringComparison.Ordinal)) v = v[2..];
        return v.Length >= 3 && v[0] == '"' && v[^1] == '"' ? v[1..^1] : null;
    }

    /// <summary>Only the IMF-fixdate form (<c>Sun, 06 Nov 1994 08:49:37 GMT</c>) counts, as in wrangler dev.</summary>
    private static long? ParseImfDate(string value) =>
        DateTimeOffset.TryParseExact(value, "ddd, dd MMM yyyy HH:mm:ss 'GMT'", System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal, out var d) ? d.ToUnixTimeMilliseconds() : null;

    private static string? Get(IReadOnlyList<CacheHeader> headers, string name)
    {
        foreach (var h in headers) if (h.Name == name) return h.Value;
        return null;
    }

    private static void Set(List<CacheHeader> headers, string name, string value)
    {
        var i = headers.FindIndex(h => h.Name == name);
        if (i >= 0) headers[i] = new CacheHeader(name, value);
        else headers.Add(new CacheHeader(name, value));
    }
}

/// <summary>Reads <c>length</c> bytes of a stream from <c>start</c>.</summary>
internal sealed class RangeStream : ReadOnlyStream
{
    private readonly Stream _inner;
    private long _left;

    public RangeStream(Stream inner, long start, long length)
    {
        _inner = inner;
        _left = length;
        if (start > 0) inner.Seek(start, SeekOrigin.Begin);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_left <= 0) return 0;
        var n = await _inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _left)], cancellationToken).ConfigureAwait(false);
        _left -= n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (_left <= 0) return 0;
        var n = _inner.Read(buffer, offset, (int)Math.Min(count, _left));
        _left -= n;
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _inner.Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>
/// A multipart/byteranges body laid out as wrangler dev lays it: for each range a boundary line,
/// its Content-Type (when the entry has one) and Content-Range, a blank line and the bytes, CRLF
/// between parts, then the closing boundary. Each range opens the body afresh, one at a time.
/// </summary>
internal sealed class MultipartRangeStream(Func<Stream> open, IReadOnlyList<ByteRange> ranges, string boundary, string? contentType, long size) : ReadOnlyStream
{
    private int _next;            // the next range to start
    private Stream? _current;     // the part being read: a header, a range, or the trailer
    private bool _done;

    private Stream? NextPart()
    {
        if (_next < ranges.Count)
        {
            var r = ranges[_next];
            var head = new StringBuilder();
            if (_next > 0) head.Append("\r\n");
            head.Append("--").Append(boundary).Append("\r\n");
            if (contentType is not null) head.Append("Content-Type: ").Append(contentType).Append("\r\n");
            head.Append("Content-Range: bytes ").Append(r.Start).Append('-').Append(r.End).Append('/').Append(size).Append("\r\n\r\n");
            _next++;
            return new ConcatStream(new MemoryStream(Encoding.ASCII.GetBytes(head.ToString())), new RangeStream(open(), r.Start, r.Length));
        }
        if (_done) return null;
        _done = true;
        return new MemoryStream(Encoding.ASCII.GetBytes((ranges.Count > 0 ? "\r\n" : "") + "--" + boundary + "--"));
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            _current ??= NextPart();
            if (_current is null) return 0;
            var n = await _current.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (n > 0) return n;
            await _current.DisposeAsync().ConfigureAwait(false);
            _current = null;
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
    {
        while (true)
        {
            _current ??= NextPart();
            if (_current is null) return 0;
            var n = _current.Read(buffer, offset, count);
            if (n > 0) return n;
            _current.Dispose();
            _current = null;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _current?.Dispose();
        base.Dispose(disposing);
    }

    private sealed class ConcatStream(Stream first, Stream second) : ReadOnlyStream
    {
        private bool _firstDone;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (!_firstDone)
            {
                var n = await first.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (n > 0) return n;
                _firstDone = true;
            }
            return await second.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (!_firstDone)
            {
                var n = first.Read(buffer, offset, count);
                if (n > 0) return n;
                _firstDone = true;
            }
            return second.Read(buffer, offset, count);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) { first.Dispose(); second.Dispose(); }
            base.Dispose(disposing);
        }
    }
}
