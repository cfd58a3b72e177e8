using System.Collections.Concurrent;
using Flint.Engine.DurableObjects;
using Flint.Engine.Storage;
using Flint.JavaScript.Bindings.DurableObjects;
using Flint.JavaScript.Isolates;
using Flint.JavaScript.Rpc;
using Flint.Runtime.Workers;
using Microsoft.Extensions.Logging;

namespace Flint.Runtime.DurableObjects;

/// <summary>Timings of the directory, Cloudflare's by default; tests make them short.</summary>
public sealed record DurableObjectOptions
{
    /// <summary>An object with no event running and no open WebSocket is evicted after this long (its constructor runs again on the next event).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(70);
    /// <summary>An idle object whose WebSockets are all hibernatable is evicted (hibernates) after this long; its clients stay connected.</summary>
    public TimeSpan HibernationTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>How long blockConcurrencyWhile() may hold an object's input gate before the object is reset.</summary>
    public TimeSpan BlockConcurrencyTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>The first alarm retry's delay; each next one doubles it (Cloudflare: 2 s, up to 6 retries).</summary>
    public TimeSpan AlarmRetryStart { get; init; } = TimeSpan.FromSeconds(2);
    public int AlarmMaxRetries { get; init; } = 6;
}

/// <summary>
/// The Durable Object directory: finds an object by namespace and id, and keeps at most one live
/// instance of it in the process (an <see cref="Actor"/> on one isolate of its Worker's current
/// version). It starts objects on their first event, evicts idle ones, stops an object before its
/// Worker's new version starts it again, and runs alarms. The lookup by address is the seam where
/// a cluster mode will place objects on other machines.
/// </summary>
public sealed class DurableObjectDirectory : IDurableObjectDirectory, IAsyncDisposable
{
    private readonly WorkerRegistry _registry;
    private readonly DurableObjectsData _data;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<DurableObjectAddress, ObjectEntry> _objects = new();
    private readonly ConcurrentDictionary<string, DurableObjectNamespace> _namespaces = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<WorkerService, bool> _watched = new();
    private volatile bool _disposed;

    public DurableObjectDirectory(WorkerRegistry registry, LocalData data, ILoggerFactory loggers, DurableObjectOptions? options = null, TimeProvider? time = null)
    {
        _registry = registry;
        _data = data.DurableObjects;
        _log = loggers.CreateLogger("flint");
        _time = time ?? TimeProvider.System;
        Options = options ?? new DurableObjectOptions();
        Alarms = new AlarmScheduler(this, _data, _time, _log);
    }

    public DurableObjectOptions Options { get; }
    internal AlarmScheduler Alarms { get; }
    internal TimeProvider Time => _time;
    internal ILogger Log => _log;
    internal DurableObjectsData Data => _data;

    /// <summary>Starts the alarm scheduler (after the Workers are loaded): alarms that came due while Flint was down fire now.</summary>
    public void Start() => Alarms.Start();

    /// <summary>Applies <paramref name="script"/>'s migrations and returns its classes (see <see cref="DurableObjectClasses.ApplyAsync"/>).</summary>
    internal async Task<IReadOnlyList<DurableObjectClass>> ApplyMigrationsAsync(Engine.Config.WorkerConfig config)
    {
        var bound = config.Bindings.DurableObjects.Where(b => b.ScriptName is null || b.ScriptName == config.Name).Select(b => b.ClassName).ToHashSet(StringComparer.Ordinal);
        var classes = await _data.Classes.ApplyAsync(config.Name, config.Bindings.Migrations, bound, Path.GetFileName(config.ConfigPath ?? "wrangler.toml"), ns =>
        {
            foreach (var entry in _objects.Values.Where(e => e.Address.Namespace.StorageName == ns)) _ = entry.StopAsync(null);
            _data.DeleteNamespace(ns);
        }).ConfigureAwait(false);
        foreach (var key in _namespaces.Keys.Where(k => k.StartsWith(config.Name + "\n", StringComparison.Ordinal))) _namespaces.TryRemove(key, out _);
        return classes;
    }

    public DurableObjectNamespace? Namespace(string script, string className, out string? error)
    {
        error = null;
        var key = script + "\n" + className;
        if (_namespaces.TryGetValue(key, out var ns)) return ns;
        var cls = _data.Classes.Find(script, className);
        if (cls is null)
        {
            error = _registry.Find(script) is null
                ? WorkerRegistry.NotFoundMessage(script)
                : $"Cannot create binding for class '{className}' because it is not currently configured to implement Durable Objects. Ensure a --new-class migration has been applied to it.";
            return null;
        }
        ns = new DurableObjectNamespace(cls.Script, cls.ClassName, cls.Namespace, cls.Sqlite);
        return _namespaces.GetOrAdd(key, ns);
    }

    public Task<WorkerResponse> FetchAsync(DurableObjectAddress address, IncomingRequest request)
    {
        try { return Entry(address).FetchAsync(request); }
        catch (DurableObjectException ex) { return Task.FromException<WorkerResponse>(ex); }
    }

    public RpcAnswer Call(DurableObjectAddress address, RpcCall call)
    {
        ObjectEntry entry;
        try { entry = Entry(address); }
        catch (DurableObjectException ex)
        {
            call.Args.Dispose();
            return RpcAnswer.Failed(ex);
        }
        return entry.Call(call);
    }

    internal ObjectEntry Entry(DurableObjectAddress address)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        // Ids name files: only the 64 lowercase hex digits ids are made of ever reach the disk.
        if (!DurableObjectIds.IsWellFormed(address.Id) || address.Id.Any(char.IsAsciiLetterUpper))
            throw new DurableObjectException("Invalid Durable Object ID: must be 64 hex digits", "TypeError");
        var entry = _objects.GetOrAdd(address, a => new ObjectEntry(this, a));
        entry.Refresh(address);
        return entry;
    }

    /// <summary>The objects running now (for tests and the CLI).</summary>
    public IReadOnlyList<Actor> LiveActors() => _objects.Values.Select(e => e.LiveActor()).Where(a => a is not null).Select(a => a!).ToList();

    /// <summary>The Worker hosting <paramref name="ns"/>, watched so a reload stops its objects before the new version runs them.</summary>
    internal WorkerService HostOf(DurableObjectNamespace ns)
    {
        var service = _registry.Find(ns.Script) ?? throw new DurableObjectException(WorkerRegistry.NotFoundMessage(ns.Script));
        if (_watched.TryAdd(service, true)) service.Swapped += OnSwapped;
        return service;
    }

    private void OnSwapped(WorkerService service)
    {
        foreach (var entry in _objects.Values)
        {
            if (entry.Address.Namespace.Script == service.Name) _ = entry.CodeUpdatedAsync(service.Current);
        }
    }

    /// <summary>Stops object <paramref name="address"/> and deletes its storage (<c>flint do delete</c>, against a running server).</summary>
    public async Task DeleteAsync(DurableObjectAddress address)
    {
        if (_objects.TryRemove(address, out var entry)) await entry.StopAsync(null).ConfigureAwait(false);
        await _data.Namespace(address.Namespace.StorageName).DeleteAsync(address.Id).ConfigureAwait(false);
    }

    /// <summary>Stops every object (each commits and closes its storage) before the isolates go away.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        Alarms.Dispose();
        foreach (var service in _watched.Keys) service.Swapped -= OnSwapped;
        var stops = Task.WhenAll(_objects.Values.Select(e => e.StopAsync(null)));
        if (await Task.WhenAny(stops, Task.Delay(TimeSpan.FromSeconds(10))).ConfigureAwait(false) != stops)
            _log.LogWarning("Some Durable Objects did not stop within 10 s.");
    }
}
