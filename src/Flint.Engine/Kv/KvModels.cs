namespace Flint.Engine.Kv;

/// <summary>Options of a put: absolute expiration or a TTL, in seconds, and metadata as JSON.</summary>
public sealed record KvPutOptions
{
    public long? Expiration { get; init; }
    public long? ExpirationTtl { get; init; }
    public string? MetadataJson { get; init; }
}

/// <summary>A key as list() shows it.</summary>
public sealed record KvKey(string Name, long? Expiration, string? MetadataJson);

public sealed record KvListResult(IReadOnlyList<KvKey> Keys, bool ListComplete, string? Cursor);

/// <summary>A stored value: small ones in memory, large ones as an open stream the caller disposes.</summary>
public sealed class KvValue : IDisposable
{
    internal KvValue(byte[]? bytes, Stream? stream, long length, long? expiration, string? metadataJson)
    {
        Bytes = bytes;
        Stream = stream;
        Length = length;
        Expiration = expiration;
        MetadataJson = metadataJson;
    }

    /// <summary>The value when it is small enough to be kept inline; else null and <see cref="Stream"/> is set.</summary>
    public byte[]? Bytes { get; }
    public Stream? Stream { get; private set; }
    public long Length { get; }
    /// <summary>Seconds since the Unix epoch, or null.</summary>
    public long? Expiration { get; }
    public string? MetadataJson { get; }

    /// <summary>The whole value in memory (reads and closes the stream of a large value).</summary>
    public async Task<byte[]> ReadAllAsync(CancellationToken cancellationToken = default)
    {
        if (Bytes is not null) return Bytes;
        var result = new byte[Length];
        await Stream!.ReadExactlyAsync(result, cancellationToken).ConfigureAwait(false);
        Dispose();
        return result;
    }

    /// <summary>The value as a stream, handing ownership to the caller.</summary>
    public Stream TakeStream()
    {
        if (Bytes is not null) return new MemoryStream(Bytes, writable: false);
        var s = Stream!;
        Stream = null;
        return s;
    }

    public void Dispose()
    {
        Stream?.Dispose();
        Stream = null;
    }
}
