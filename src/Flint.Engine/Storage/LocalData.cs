using Flint.Engine.Kv;

namespace Flint.Engine.Storage;

/// <summary>
/// Everything the engines keep under one data directory (<c>.flint/</c> beside the config in dev,
/// or <c>--persist-to</c>): one instance per directory per process, shared by every Worker version,
/// so a reload keeps the same open stores. The CLI opens the same directory to seed or inspect it.
/// </summary>
public sealed class LocalData : IDisposable
{
    private readonly Lazy<KvStorage> _kv;

    public LocalData(string directory, TimeProvider? time = null)
    {
        Directory = Path.GetFullPath(directory);
        _kv = new Lazy<KvStorage>(() => new KvStorage(Directory, time));
    }

    public string Directory { get; }

    /// <summary>Workers KV namespaces, under <c>kv/</c>.</summary>
    public KvStorage Kv => _kv.Value;

    public void Dispose()
    {
        if (_kv.IsValueCreated) _kv.Value.Dispose();
    }
}
