using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Flint.Engine.Storage;

namespace Flint.Engine.R2;

/// <summary>
/// The R2 buckets under one data directory, one folder each (<c>&lt;data&gt;/r2/&lt;bucket&gt;/</c>), opened once
/// per process and shared by every Worker, the S3 API and the CLI. A bucket a binding names is
/// created on first use, as in wrangler dev.
/// </summary>
public sealed partial class R2Storage : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<R2BucketStore>> _buckets = new(StringComparer.Ordinal);
    private readonly Lock _lifecycle = new();
    private readonly TimeProvider? _time;
    private volatile bool _disposed;

    public R2Storage(string dataDirectory, TimeProvider? time = null)
    {
        Root = Path.Combine(Path.GetFullPath(dataDirectory), "r2");
        _time = time;
    }

    /// <summary>The directory holding one folder per bucket.</summary>
    public string Root { get; }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")]
    private static partial Regex BucketNameRegex();

    /// <summary>R2's rule for bucket names: 3 to 63 lowercase letters, digits and hyphens, starting and ending with a letter or digit.</summary>
    public static bool IsValidBucketName(string name) => BucketNameRegex().IsMatch(name);

    private string DirectoryOf(string name) => Path.Combine(Root, StorageNames.ForId(name));

    /// <summary>The bucket, opened and created on first use.</summary>
    public R2BucketStore Bucket(string name)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        lock (_lifecycle)
        {
            return _buckets.GetOrAdd(name, n => new Lazy<R2BucketStore>(() => R2BucketStore.Open(n, DirectoryOf(n), _time))).Value;
        }
    }

    public bool Exists(string name) => _buckets.ContainsKey(name) || Directory.Exists(DirectoryOf(name));

    /// <summary>Creates a bucket; false when it already exists.</summary>
    public bool Create(string name)
    {
        lock (_lifecycle)
        {
            if (Exists(name)) return false;
            Bucket(name);
            return true;
        }
    }

    /// <summary>The buckets that exist here, by name.</summary>
    public IReadOnlyList<R2BucketInfo> List()
    {
        if (!Directory.Exists(Root)) return [];
        var names = Directory.EnumerateDirectories(Root).Select(d => StorageNames.IdFrom(Path.GetFileName(d)))
            .Where(n => n is not null).Select(n => n!).Order(StringComparer.Ordinal);
        return names.Select(n => new R2BucketInfo(n, Bucket(n).Created)).ToList();
    }

    /// <summary>Deletes an empty bucket. Returns false when there is no such bucket; throws <see cref="InvalidOperationException"/> when it is not empty.</summary>
    public bool Delete(string name)
    {
        lock (_lifecycle)
        {
            if (!Exists(name)) return false;
            var store = Bucket(name);
            if (!store.IsEmpty) throw new InvalidOperationException($"Bucket \"{name}\" is not empty: delete its objects first.");
            _buckets.TryRemove(name, out _);
            store.Dispose();
            Directory.Delete(DirectoryOf(name), recursive: true);
            return true;
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var lazy in _buckets.Values) if (lazy.IsValueCreated) lazy.Value.Dispose();
        _buckets.Clear();
    }
}
