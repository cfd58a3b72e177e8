using Flint.Engine.Assets;
using Flint.Engine.Cache;
using Flint.Engine.D1;
using Flint.Engine.DurableObjects;
using Flint.Engine.Kv;
using Flint.Engine.Queues;
using Flint.Engine.R2;

namespace Flint.Engine.Storage;

/// <summary>
/// Everything the engines keep under one data directory (<c>.flint/</c> beside the config in dev,
/// or <c>--persist-to</c>): one instance per directory per process, shared by every Worker version,
/// so a reload keeps the same open stores. The CLI opens the same directory to seed or inspect it.
/// </summary>
public sealed class LocalData : IDisposable
{
    private readonly Lazy<KvStorage> _kv;
    private readonly Lazy<D1Storage> _d1;
    private readonly Lazy<DurableObjectsData> _durableObjects;
    private readonly Lazy<R2Storage> _r2;
    private readonly Lazy<CacheStore> _cache;
    private readonly Lazy<QueueStorage> _queues;

    public LocalData(string directory, TimeProvider? time = null, CacheOptions? cache = null)
    {
        Directory = Path.GetFullPath(directory);
        _kv = new Lazy<KvStorage>(() => new KvStorage(Directory, time));
        _d1 = new Lazy<D1Storage>(() => new D1Storage(Directory));
        _durableObjects = new Lazy<DurableObjectsData>(() => new DurableObjectsData(Directory));
        _r2 = new Lazy<R2Storage>(() => new R2Storage(Directory, time));
        _cache = new Lazy<CacheStore>(() => CacheStore.Open(Path.Combine(Directory, "cache"), cache, time));
        _queues = new Lazy<QueueStorage>(() => new QueueStorage(Directory, time));
    }

    public string Directory { get; }

    /// <summary>Workers KV namespaces, under <c>kv/</c>.</summary>
    public KvStorage Kv => _kv.Value;

    /// <summary>D1 databases, under <c>d1/</c>.</summary>
    public D1Storage D1 => _d1.Value;

    /// <summary>Durable Object classes and their objects, under <c>do/</c>.</summary>
    public DurableObjectsData DurableObjects => _durableObjects.Value;

    /// <summary>R2 buckets, under <c>r2/</c>.</summary>
    public R2Storage R2 => _r2.Value;
    /// <summary>The Cache API's entries (every namespace), under <c>cache/</c>.</summary>
    public CacheStore Cache => _cache.Value;

    /// <summary>Queues, one log each under <c>queues/</c>.</summary>
    public QueueStorage Queues => _queues.Value;

    /// <summary>The static-asset directories served (read where they are, not copied here), with their watchers.</summary>
    public AssetSites Assets { get; } = new();

    public void Dispose()
    {
        if (_durableObjects.IsValueCreated) _durableObjects.Value.Dispose();
        Assets.Dispose();
        if (_cache.IsValueCreated) _cache.Value.Dispose();
        if (_kv.IsValueCreated) _kv.Value.Dispose();
        if (_d1.IsValueCreated) _d1.Value.Dispose();
        if (_r2.IsValueCreated) _r2.Value.Dispose();
        if (_queues.IsValueCreated) _queues.Value.Dispose();
    }
}
