using System.Collections.Concurrent;

namespace Flint.Engine.DurableObjects;

/// <summary>
/// The Durable Objects under one data directory (<c>&lt;data&gt;/do/</c>): the classes each Worker's
/// migrations made (<c>classes.sqlite</c>) and a folder per namespace with one SQLite file per object.
/// </summary>
public sealed class DurableObjectsData : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<DurableObjectNamespaceStore>> _namespaces = new(StringComparer.Ordinal);
    private readonly Lazy<DurableObjectClasses> _classes;
    private volatile bool _disposed;

    public DurableObjectsData(string dataDirectory)
    {
        Root = Path.Combine(Path.GetFullPath(dataDirectory), "do");
        _classes = new Lazy<DurableObjectClasses>(() => new DurableObjectClasses(Root));
    }

    public string Root { get; }

    public DurableObjectClasses Classes => _classes.Value;

    /// <summary>The namespace stored under <paramref name="name"/> (a <see cref="DurableObjectClass.Namespace"/>), opened on first use.</summary>
    public DurableObjectNamespaceStore Namespace(string name)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _namespaces.GetOrAdd(name, n => new Lazy<DurableObjectNamespaceStore>(() => DurableObjectNamespaceStore.Open(Path.Combine(Root, n)))).Value;
    }

    /// <summary>Removes a namespace and every object in it (its class was deleted by a migration).</summary>
    public void DeleteNamespace(string name)
    {
        if (_namespaces.TryRemove(name, out var lazy) && lazy.IsValueCreated) lazy.Value.Dispose();
        var dir = Path.Combine(Root, name);
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
    }

    public void Dispose()
    {
        _disposed = true;
        foreach (var lazy in _namespaces.Values) if (lazy.IsValueCreated) lazy.Value.Dispose();
        _namespaces.Clear();
        if (_classes.IsValueCreated) _classes.Value.Dispose();
    }
}
