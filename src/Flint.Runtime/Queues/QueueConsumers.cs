using Flint.Engine.Config;
using Flint.Engine.Queues;
using Flint.Runtime.Workers;

namespace Flint.Runtime.Queues;

/// <summary>A queue's consumer: the Worker (by name) whose queue() handler gets its batches, and how.</summary>
public sealed record QueueConsumer(string Worker, QueueConsumerSettings Settings);

/// <summary>Which Worker consumes which queue, read from the <c>queues.consumers</c> of every Worker in a registry.</summary>
public static class QueueConsumers
{
    /// <summary>
    /// The consumers by queue. As on Cloudflare a queue has one consumer Worker: a second one is a
    /// <see cref="ConfigException"/> naming both configs, as is a setting out of Cloudflare's range.
    /// </summary>
    public static IReadOnlyDictionary<string, QueueConsumer> Read(WorkerRegistry registry)
    {
        var consumers = new Dictionary<string, QueueConsumer>(StringComparer.Ordinal);
        var where = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var service in registry.Workers.OrderBy(w => w.Name, StringComparer.Ordinal))
        {
            var config = service.Current.Config;
            var path = config.ConfigPath ?? config.Main;
            foreach (var c in config.Bindings.QueueConsumers)
            {
                var settings = QueueConsumerSettings.From(c, path);
                if (where.TryGetValue(c.Queue, out var other))
                    throw new ConfigException($"Queue \"{c.Queue}\" has two consumers: {other} and {path}. A queue has one consumer Worker; remove the queues.consumers entry from one of them.");
                where[c.Queue] = path;
                consumers[c.Queue] = new QueueConsumer(service.Name, settings);
            }
        }
        return consumers;
    }
}
