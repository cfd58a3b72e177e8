using Flint.Engine.Config;
using Flint.Engine.Storage;
using Flint.JavaScript.Isolates;
using Flint.Runtime.Workers;
using Microsoft.Extensions.Logging;

namespace Flint.Server.Dev;

/// <summary>
/// Watches one Worker's directory and reloads it when a file it uses changes. The new version
/// takes new events; events in flight finish on the old one. A broken edit keeps the old
/// version running and says why. Each Worker of a session has its own reloader.
/// </summary>
internal sealed class DevReloader(Func<(WorkerConfig Config, IReadOnlyList<ConfigWarning> Warnings)> loadConfig, WorkerService host,
    ILoggerFactory loggers, LocalData data, int isolates, Flint.JavaScript.Web.Network.OutboundPolicy outbound, WorkerRegistry registry) : IDisposable
{
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(150);
    private readonly ILogger _log = loggers.CreateLogger("flint");
    private readonly List<FileSystemWatcher> _watchers = [];
    private readonly object _gate = new();
    private Timer? _timer;
    private readonly SemaphoreSlim _reloading = new(1, 1);
    private bool _disposed;

    public void Start()
    {
        var config = host.Current.Config;
        var dirs = new HashSet<string> { config.BaseDirectory, Path.GetDirectoryName(config.Main)! };
        if (config.ConfigPath is not null) dirs.Add(Path.GetDirectoryName(config.ConfigPath)!);
        foreach (var dir in dirs.Where(Directory.Exists))
        {
            var w = new FileSystemWatcher(dir) { IncludeSubdirectories = true, NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.DirectoryName };
            w.Changed += OnChange;
            w.Created += OnChange;
            w.Deleted += OnChange;
            w.Renamed += OnChange;
            w.EnableRaisingEvents = true;
            _watchers.Add(w);
        }
    }

    private void OnChange(object sender, FileSystemEventArgs e)
    {
        if (!IsRelevant(e.FullPath)) return;
        lock (_gate)
        {
            if (_disposed) return;
            _timer ??= new Timer(_ => _ = ReloadAsync());
            _timer.Change(Debounce, Timeout.InfiniteTimeSpan);
        }
    }

    private bool IsRelevant(string path)
    {
        var current = host.Current;
        var persist = current.Config.PersistDirectory;
        if (path.StartsWith(persist, StringComparison.Ordinal)) return false;
        var name = Path.GetFileName(path);
        if (path.Contains("/node_modules/", StringComparison.Ordinal) || path.Contains("/.git/", StringComparison.Ordinal)) return false;
        if (name.StartsWith(".dev.vars", StringComparison.Ordinal) || name.StartsWith("wrangler.", StringComparison.Ordinal)) return true;
        // Static assets are watched by the asset server itself (AssetSites); only Pages' _worker.js and _routes.json there make a new Worker.
        if (current.Config.Assets is { } assets && path.StartsWith(assets.Directory.TrimEnd('/') + "/", StringComparison.Ordinal)
            && !path.Contains("/_worker.js", StringComparison.Ordinal) && name != "_routes.json") return false;
        return current.Modules.LoadedPaths.Contains(path) || current.BundledSources.Contains(path) || !File.Exists(current.Config.Main) ||
               Path.GetExtension(path) is ".js" or ".mjs" or ".cjs" or ".jsx" or ".ts" or ".tsx" or ".mts" or ".cts" or ".wasm" or ".txt" or ".html" or ".bin" or ".sql" or ".json";
    }

    private async Task ReloadAsync()
    {
        lock (_gate) if (_disposed) return;
        // One reload at a time, so versions are swapped in the order the edits were made.
        await _reloading.WaitAsync();
        try
        {
            var (config, warnings) = loadConfig();
            foreach (var w in warnings) _log.LogWarning("{Warning}", w.Message);
            var next = await WorkerVersion.LoadAsync(config, loggers, data, isolates, outbound, registry);
            lock (_gate)
            {
                if (_disposed) { next.Dispose(); return; }
            }
            if (config.Name != host.Name)
                _log.LogWarning("The config of {Worker} now names it \"{Name}\"; other Workers reach it by its old name until flint dev restarts.", host.Name, config.Name);
            host.Swap(next);
            _log.LogInformation("Reloaded {Worker}", host.Name);
        }
        catch (Exception ex) when (ex is ConfigException or WorkerLoadException)
        {
            _log.LogError("Reload failed; still serving the previous version.\n{Error}", ex.Message);
        }
        catch (Exception ex)
        {
            _log.LogError(ex, "Reload failed; still serving the previous version.");
        }
        finally
        {
            _reloading.Release();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _timer?.Dispose();
        }
        foreach (var w in _watchers) w.Dispose();
    }
}
