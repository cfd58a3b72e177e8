using Flint.Engine.Config;
using Flint.JavaScript.Bindings;
using Flint.Runtime.Workers;
using Microsoft.Extensions.Logging;

namespace Flint.Runtime.Services;

/// <summary>The <c>services</c> section of a config as env bindings that find their Worker in the registry at each call.</summary>
internal static class ServiceBindings
{
    public static IReadOnlyList<HostBinding> Create(WorkerConfig config, WorkerRegistry? registry, ILogger log)
    {
        if (config.Bindings.Services.Count == 0) return [];
        var bindings = new List<HostBinding>();
        foreach (var service in config.Bindings.Services)
        {
            var props = service.Props?.ToJsonString();
            bindings.Add(new Flint.JavaScript.Bindings.Service.ServiceBinding(service.Binding, service.Service, service.Entrypoint, props,
                name => registry?.Find(name),
                name =>
                {
                    // The caller gets wrangler dev's words; the log says how to run the missing Worker too.
                    if (registry?.MissingWorkerHint?.Invoke(name) is { } hint)
                        log.LogWarning("{Worker} called env.{Binding}, but Worker \"{Service}\" is not running. {Hint}", config.Name, service.Binding, name, hint);
                    return WorkerRegistry.NotFoundMessage(name);
                }));
        }
        return bindings;
    }
}
