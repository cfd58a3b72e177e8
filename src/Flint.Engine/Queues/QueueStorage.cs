using System.Collections.Concurrent;
using Flint.Engine.Storage;

namespace Flint.Engine.Queues;

/// <summary>
/// The queues under one data directory, one log file each (<c>&lt;data&gt;/queues/&lt;name&gt;.sqlite</c>),
/// opened once per process and shared by every producer, the consumer dispatcher and the CLI.
/// A queue exists locally once it is created or first used.
/// </summary>
public sealed class QueueStorage : IDisposable
{
    private const string Extension = ".sqlite";
    private readonly ConcurrentDictionary<string, Lazy<QueueLog>> _queues = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private volatile bool _disposed;

    public QueueStorage(string dataDirectory, TimeProvider? time = null)
    {
        Root = Path.Combine(Path.GetFullPath(dataDirectory), "queues");
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The directory holding one log per queue.</summary>
    public string Root { get; }

    /// <summary>Raised when any open queue may have messages to deliver (see <see cref="QueueLog.Changed"/>).</summary>
    public event Action<QueueLog>? Changed;

    /// <summary>The queue with this name, opened (and created) on first use.</summary>
    public QueueLog Queue(string name)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var lazy = _queues.GetOrAdd(name, n => new Lazy<QueueLog>(() =>
        {
            var log = QueueLog.Open(n, PathOf(n), _time);
            log.Changed += l => Changed?.Invoke(l);
            return log;
        }));
        return lazy.Value;
    }

    public bool Exists(string name) => _queues.ContainsKey(name) || File.Exists(PathOf(name));

    private string PathOf(string name) => Path.Combine(Root, StorageNames.ForId(name) + Extension);

    /// <summary>The names of the queues that have a log here.</summary>
    public IReadOnlyList<string> Names()
    {
        if (!Directory.Exists(Root)) return [];
        return Directory.EnumerateFiles(Root, "*" + Extension)
            .Select(f => StorageNames.IdFrom(Path.GetFileNameWithoutExtension(f)))
            .Where(n => n is not null).Select(n => n!).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Removes a queue and its messages.</summary>
    public void Delete(string name)
    {
        if (_queues.TryRemove(name, out var lazy) && lazy.IsValueCreated) lazy.Value.Dispose();
        var path = PathOf(name);
        foreach (var file in new[] { path, path + "-wal", path + "-shm" }) if (File.Exists(file)) File.Delete(file);
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var lazy in _queues.Values) if (lazy.IsValueCreated) lazy.Value.Dispose();
        _queues.Clear();
    }
}
