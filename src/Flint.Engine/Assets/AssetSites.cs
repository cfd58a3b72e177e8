using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Flint.Engine.Assets;

/// <summary>
/// The asset directories a process serves, one <see cref="AssetDirectory"/> per set of options, shared
/// by every Worker version (so a reload that keeps the assets config keeps the same watched site).
/// </summary>
public sealed class AssetSites : IDisposable
{
    private readonly ConcurrentDictionary<AssetSiteOptions, Lazy<AssetDirectory>> _sites = new();
    private bool _disposed;

    /// <summary>Re-read a directory when its files change (<c>flint dev</c> without <c>--no-watch</c>).</summary>
    public bool Watch { get; set; } = true;

    public ILogger Log { get; set; } = NullLogger.Instance;

    /// <summary>The directory for these options, read on first use. Throws <see cref="Config.ConfigException"/> past Cloudflare's limits.</summary>
    public AssetDirectory Get(AssetSiteOptions options)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var lazy = _sites.GetOrAdd(options, o => new Lazy<AssetDirectory>(() => new AssetDirectory(o, Watch, Log)));
        try
        {
            return lazy.Value;
        }
        catch
        {
            _sites.TryRemove(new KeyValuePair<AssetSiteOptions, Lazy<AssetDirectory>>(options, lazy));
            throw;
        }
    }

    public void Dispose()
    {
        _disposed = true;
        foreach (var lazy in _sites.Values)
        {
            if (lazy.IsValueCreated) lazy.Value.Dispose();
        }
    }
}

/// <summary>
/// An assets directory and its current <see cref="AssetSite"/>. When watched, a change to any file
/// under it (debounced) reads it again on a pool thread and swaps the new site in; a read that fails
/// (a file over the size limit) is logged and the previous site keeps serving.
/// </summary>
public sealed class AssetDirectory : IDisposable
{
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(100);
    private readonly ILogger _log;
    private readonly FileSystemWatcher? _watcher;
    private readonly Timer? _timer;
    private readonly object _gate = new();
    private AssetSite _current;
    private bool _disposed;

    internal AssetDirectory(AssetSiteOptions options, bool watch, ILogger log)
    {
        Options = options;
        _log = log;
        _current = AssetSite.Load(options);
        Report(_current);
        if (!watch || !Directory.Exists(options.Directory)) return;
        _timer = new Timer(_ => Reload());
        _watcher = new FileSystemWatcher(options.Directory)
        {
            IncludeSubdirectories = true,
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.Size,
        };
        _watcher.Changed += OnChange;
        _watcher.Created += OnChange;
        _watcher.Deleted += OnChange;
        _watcher.Renamed += OnChange;
        _watcher.EnableRaisingEvents = true;
    }

    public AssetSiteOptions Options { get; }

    public AssetSite Current => Volatile.Read(ref _current);

    /// <summary>Raised after a new site was swapped in.</summary>
    public event Action<AssetSite>? Changed;

    private void OnChange(object sender, FileSystemEventArgs e)
    {
        if (Options.ExcludedDirectory is { } excluded && e.FullPath.StartsWith(excluded, StringComparison.Ordinal)) return;
        lock (_gate)
        {
            if (!_disposed) _timer!.Change(Debounce, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Reads the directory again now (the watcher does it after changes).</summary>
    public void Reload()
    {
        lock (_gate) if (_disposed) return;
        try
        {
            var next = AssetSite.Load(Options);
            Volatile.Write(ref _current, next);
            Report(next);
            Changed?.Invoke(next);
        }
        catch (Exception ex) when (ex is Config.ConfigException or IOException or UnauthorizedAccessException)
        {
            _log.LogError("Could not read the assets in {Directory}; still serving them as before.\n{Error}", Options.Directory, ex.Message);
        }
    }

    /// <summary>What wrangler says about an assets directory: skipped rules of _headers and _redirects, links left out.</summary>
    private void Report(AssetSite site)
    {
        foreach (var link in site.Manifest.Skipped)
            _log.LogWarning("{Link} is a symbolic link to a file outside the assets directory; it is not served.", link);
        Report(AssetSite.RedirectsFile, "redirect", site.Redirects.Rules.Count, site.Redirects.Invalid);
        foreach (var note in site.Redirects.Notes) _log.LogInformation("{Note}", note);
        Report(AssetSite.HeadersFile, "header", site.Headers.Rules.Count, site.Headers.Invalid);
    }

    private void Report(string file, string kind, int valid, IReadOnlyList<InvalidRule> invalid)
    {
        var path = Path.Combine(Options.Directory, file);
        if (!File.Exists(path)) return;
        _log.LogInformation("✨ Parsed {Count} valid {Kind} rule{S}.", valid, kind, valid == 1 ? "" : "s");
        if (invalid.Count == 0) return;
        var list = string.Concat(invalid.Select(i =>
            $"▶︎ {i.Message}\n" + (i.Line is null ? "" : $"    at {path}{(i.LineNumber is { } n ? $":{n}" : "")} | {i.Line}\n\n")));
        _log.LogWarning("Found {Count} invalid {Kind} rule{S}:\n{List}", invalid.Count, kind, invalid.Count == 1 ? "" : "s", list);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _timer?.Dispose();
        }
        _watcher?.Dispose();
    }
}
