using System.Threading.Channels;
using Flint.Engine.Cache;
using Flint.Engine.IO;

namespace Flint.JavaScript.Web.Network;

/// <summary>
/// A Worker's subrequest through the cache, as on Cloudflare: a fresh entry answers without asking
/// the origin (<c>cf-cache-status: HIT</c>, its <c>Age</c>); otherwise the origin's answer is given
/// with <c>MISS</c>, <c>EXPIRED</c> or <c>BYPASS</c> and, when <see cref="SubrequestCachePolicy"/>
/// keeps it, its body is written to the cache while the Worker reads it (never held whole in memory).
/// The entries live in the Worker's cache store under <c>caches.default</c>'s namespace: on Cloudflare
/// both are the one cache of the data center, so <c>caches.default.match()</c> sees what fetch()
/// stored and fetch() is answered by what <c>caches.default.put()</c> stored under the same key.
/// </summary>
internal static class SubrequestCache
{
    public static async Task<OutboundResponse> SendAsync(CacheStore store, OutboundPolicy policy, OutboundRequest request,
        SubrequestCacheRequest plan, Action<string> logDebug, CancellationToken cancellationToken)
    {
        var method = request.Method;
        if (method is not ("GET" or "HEAD"))
        {
            var other = await OutboundFetch.SendAsync(policy, request, cancellationToken).ConfigureAwait(false);
            // Asked to cache something the cache never takes: the origin's answer, not eligible.
            return plan.Forced || plan.Bypass || plan.Revalidate ? WithStatus(other, "DYNAMIC") : other;
        }
        if (plan.Bypass) return WithStatus(await OutboundFetch.SendAsync(policy, request, cancellationToken).ConfigureAwait(false), "BYPASS");
        if (!SubrequestCachePolicy.Eligible(method, new Uri(request.Url), plan))
            return await OutboundFetch.SendAsync(policy, request, cancellationToken).ConfigureAwait(false);

        var expired = false;
        if (!plan.Revalidate)
        {
            var hit = store.Match(plan.Namespace, plan.Key, new CacheMatchRequest(), out expired);
            if (hit is not null) return FromHit(hit, request);
        }
        // Cloudflare asks the origin for a cacheable HEAD with a GET, caches the whole response and gives the Worker its head.
        var head = method == "HEAD";
        var response = await OutboundFetch.SendAsync(policy, head ? request with { Method = "GET" } : request, cancellationToken).ConfigureAwait(false);
        var headers = new List<CacheHeader>(response.Headers.Count / 2);
        for (var i = 0; i + 1 < response.Headers.Count; i += 2) headers.Add(new CacheHeader(response.Headers[i], response.Headers[i + 1]));
        var decision = SubrequestCachePolicy.Decide(response.Status, response.StatusText, headers, plan, HasAuthorization(request.Headers),
            DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var status = decision.Status == "MISS" && expired ? "EXPIRED" : decision.Status;
        // A redirect followed is not stored under the first URL's key (its hops are the origin's answers, not this one).
        if (!decision.Stored || response.Body is null || response.Redirected)
        {
            if (head) { response.Body?.Dispose(); response = response with { Body = null }; }
            return WithStatus(response, status);
        }

        var fill = new CacheFillStream(response.Body);
        var put = new CachePut(plan.Namespace, plan.Key, response.Status, decision.Headers, false, null) { TtlMs = decision.TtlMs };
        fill.Filled = FillAsync(store, put, fill, logDebug);
        if (!head) return WithStatus(response, status) with { Body = fill };
        // The body is read into the cache by the host before the Worker gets the head alone, so a GET after it is a hit.
        await DrainAsync(fill, response.Owner, logDebug, cancellationToken).ConfigureAwait(false);
        return WithStatus(response, status) with { Body = null, Owner = NothingToDispose.Instance };
    }

    private static async Task DrainAsync(CacheFillStream fill, IDisposable owner, Action<string> logDebug, CancellationToken cancellationToken)
    {
        try
        {
            await fill.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            logDebug($"A HEAD's body could not be read into the cache: {ex.Message}");
        }
        finally
        {
            await fill.DisposeAsync().ConfigureAwait(false);
            owner.Dispose();
        }
    }

    private sealed class NothingToDispose : IDisposable
    {
        public static readonly NothingToDispose Instance = new();
        public void Dispose() { }
    }

    private static async Task FillAsync(CacheStore store, CachePut put, CacheFillStream fill, Action<string> logDebug)
    {
        try
        {
            await using var source = fill.OpenCacheSide();
            await store.PutAsync(put, source).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            logDebug($"fetch() of {put.Key} not cached: {ex.Message}");
        }
        finally
        {
            fill.StopFilling();
        }
    }

    private static OutboundResponse FromHit(CacheMatchResult hit, OutboundRequest request)
    {
        var flat = new List<string>(hit.Headers.Count * 2);
        foreach (var h in hit.Headers) { flat.Add(h.Name); flat.Add(h.Value); }
        var body = hit.Body;
        if (request.Method == "HEAD") { body?.Dispose(); body = null; }
        return new OutboundResponse(hit.Status, hit.StatusText ?? "", request.Url, false, flat, body, hit);
    }

    private static OutboundResponse WithStatus(OutboundResponse response, string status)
    {
        var headers = new List<string>(response.Headers.Count + 2);
        for (var i = 0; i + 1 < response.Headers.Count; i += 2)
        {
            if (response.Headers[i] == "cf-cache-status") continue;
            headers.Add(response.Headers[i]);
            headers.Add(response.Headers[i + 1]);
        }
        headers.Add("cf-cache-status");
        headers.Add(status);
        return response with { Headers = headers };
    }

    private static bool HasAuthorization(IReadOnlyList<string> flat)
    {
        for (var i = 0; i + 1 < flat.Count; i += 2)
        {
            if (string.Equals(flat[i], "authorization", StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }
}

/// <summary>
/// The origin's body as the Worker reads it, each chunk also handed to the cache through a small
/// bounded channel (the Worker waits when the disk lags by more than it holds). The end of the body
/// reaches the Worker once the entry is stored, so a fetch after it is a hit. A body not read to its
/// end is not stored: the cache side sees an error and drops what it wrote.
/// </summary>
internal sealed class CacheFillStream(Stream origin) : ReadOnlyStream
{
    private readonly Channel<byte[]> _chunks = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(16)
    {
        SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait,
    });
    private volatile bool _done;

    /// <summary>The cache side's work; the Worker's last read waits for it, so an entry is there once its body was read.</summary>
    public Task? Filled { get; set; }

    /// <summary>The stream the cache reads the same bytes from.</summary>
    public Stream OpenCacheSide() => new ChannelReadStream(_chunks.Reader);

    /// <summary>The cache side is finished (stored, refused or failed): the Worker's reads no longer feed it.</summary>
    public void StopFilling()
    {
        _done = true;
        _chunks.Writer.TryComplete();
        while (_chunks.Reader.TryRead(out _)) { }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await origin.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (_done) return n;
        if (n == 0)
        {
            _done = true;
            _chunks.Writer.TryComplete();
            if (Filled is { } filled) await filled.ConfigureAwait(false); // never throws: failures are logged
            return 0;
        }
        try
        {
            await _chunks.Writer.WriteAsync(buffer[..n].ToArray(), cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            _done = true;
        }
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("A body on its way into the cache is read asynchronously.");

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            if (!_done)
            {
                _done = true;
                _chunks.Writer.TryComplete(new IOException("The body was not read to its end."));
            }
            origin.Dispose();
        }
        base.Dispose(disposing);
    }

    /// <summary>Reads the chunks a <see cref="CacheFillStream"/> hands over; an abandoned body ends it with an error.</summary>
    private sealed class ChannelReadStream(ChannelReader<byte[]> reader) : ReadOnlyStream
    {
        private byte[] _chunk = [];
        private int _offset;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (_offset >= _chunk.Length)
            {
                if (!await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false)) return 0;
                if (reader.TryRead(out var next)) { _chunk = next; _offset = 0; }
            }
            var n = Math.Min(buffer.Length, _chunk.Length - _offset);
            _chunk.AsMemory(_offset, n).CopyTo(buffer);
            _offset += n;
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
