using System.Collections.Concurrent;
using Flint.Engine.Storage;

namespace Flint.Engine.D1;

/// <summary>
/// The D1 databases under one data directory (<c>&lt;data&gt;/d1/&lt;database id&gt;.sqlite</c>), each opened
/// once per process and shared by every Worker version, isolate and CLI command that uses it.
/// </summary>
public sealed class D1Storage(string dataDirectory, D1Options? options = null) : IDisposable
{
    private readonly D1Options _options = options ?? new D1Options();
    private readonly ConcurrentDictionary<string, Lazy<D1Database>> _databases = new(StringComparer.Ordinal);
    private volatile bool _disposed;

    public string Root { get; } = Path.Combine(Path.GetFullPath(dataDirectory), "d1");

    /// <summary>The database file for an id.</summary>
    public string PathOf(string id) => Path.Combine(Root, StorageNames.ForId(id) + ".sqlite");

    /// <summary>The database with this id, opened (and created) on first use.</summary>
    public D1Database Database(string id)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _databases.GetOrAdd(id, i => new Lazy<D1Database>(() => D1Database.Open(PathOf(i), _options))).Value;
    }

    public void Dispose()
    {
        _disposed = true;
        foreach (var lazy in _databases.Values) if (lazy.IsValueCreated) lazy.Value.Dispose();
        _databases.Clear();
    }
}
