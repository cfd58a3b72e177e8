using System.Collections.Concurrent;
using Flint.Engine.Storage;

namespace Flint.Engine.Kv;

/// <summary>
/// The KV namespaces under one data directory (<c>&lt;data&gt;/kv/&lt;namespace id&gt;/</c>), each opened
/// once per process and shared by every Worker version and isolate that binds it, and by the CLI.
/// A timer reclaims expired keys in the background.
/// </summary>
public sealed class KvStorage : IDisposable
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, Lazy<KvNamespaceStore>> _namespaces = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly ITimer _sweeper;
    private volatile bool _disposed;

    public KvStorage(string dataDirectory, TimeProvider? time = null)
    {
        Root = Path.Combine(Path.GetFullPath(dataDirectory), "kv");
        _time = time ?? TimeProvider.System;
        _sweeper = _time.CreateTimer(_ => _ = SweepAsync(), null, SweepInterval, SweepInterval);
    }

    /// <summary>The directory holding one folder per namespace.</summary>
    public string Root { get; }

    /// <summary>The namespace with this id, opened (and created) on first use.</summary>
    public KvNamespaceStore Namespace(string id)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var lazy = _namespaces.GetOrAdd(id, i => new Lazy<KvNamespaceStore>(() => KvNamespaceStore.Open(Path.Combine(Root, StorageNames.ForId(i)), _time)));
        return lazy.Value;
    }

    /// <summary>The ids of the namespaces that have data here.</summary>
    public IReadOnlyList<string> NamespaceIds()
    {
        if (!Directory.Exists(Root)) return [];
        return Directory.EnumerateDirectories(Root).Select(d => StorageNames.IdFrom(Path.GetFileName(d)))
            .Where(id => id is not null).Select(id => id!).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Removes a namespace and all its data.</summary>
    public void DeleteNamespace(string id)
    {
        if (_namespaces.TryRemove(id, out var lazy) && lazy.IsValueCreated) lazy.Value.Dispose();
        var dir = Path.Combine(Root, StorageNames.ForId(id));
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
    }

    private async Task SweepAsync()
    {
        foreach (var lazy in _namespaces.Values)
        {
            if (_disposed) return;
            if (lazy.IsValueCreated) await lazy.Value.DeleteExpiredAsync().ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _sweeper.Dispose();
        foreach (var lazy in _namespaces.Values) if (lazy.IsValueCreated) lazy.Value.Dispose();
        _namespaces.Clear();
    }
}
