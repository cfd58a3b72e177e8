using System.Collections.Concurrent;
using Flint.Engine.Config;

namespace Flint.Runtime.Workers;

/// <summary>
/// Every Worker the runtime hosts, by name. Ingress, service bindings and cron find Workers here
/// at each call, so a reload of either side, or two Workers bound to each other, just work; the
/// cluster mode will place Workers on other machines behind the same lookup.
/// </summary>
public sealed class WorkerRegistry : IDisposable
{
    private readonly ConcurrentDictionary<string, WorkerService> _workers = new(StringComparer.Ordinal);

    /// <summary>Adds a loaded Worker. Throws <see cref="ConfigException"/> when another of that name is already there.</summary>
    public WorkerService Add(WorkerVersion version)
    {
        var service = new WorkerService(version);
        if (!_workers.TryAdd(service.Name, service))
        {
            var other = _workers[service.Name].Current.Config;
            throw new ConfigException(
                $"Two Workers are named \"{service.Name}\": {other.ConfigPath ?? other.Main} and {version.Config.ConfigPath ?? version.Config.Main}. " +
                "Give each config its own name.");
        }
        return service;
    }

    public WorkerService? Find(string name) => _workers.TryGetValue(name, out var service) ? service : null;

    public IReadOnlyCollection<WorkerService> Workers => (IReadOnlyCollection<WorkerService>)_workers.Values;

    /// <summary>
    /// A hint for the log when a Worker binds one the registry does not hold (<c>flint dev</c>
    /// names the <c>-c</c> config to add), or null.
    /// </summary>
    public Func<string, string?>? MissingWorkerHint { get; set; }

    /// <summary>What a caller of a Worker that is not loaded sees, in wrangler dev's words.</summary>
    public static string NotFoundMessage(string name) => $"Worker \"{name}\" not found. Make sure it is running locally.";

    public void Dispose()
    {
        foreach (var service in _workers.Values) service.Dispose();
        _workers.Clear();
    }
}
