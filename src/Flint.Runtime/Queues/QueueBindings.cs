using Flint.Engine.Config;
using Flint.Engine.Storage;
using Flint.JavaScript.Bindings;
using Flint.JavaScript.Bindings.Queues;

namespace Flint.Runtime.Queues;

/// <summary>The <c>queues.producers</c> section of a config as env bindings writing to the queues' logs.</summary>
internal static class QueueBindings
{
    public static IReadOnlyList<HostBinding> Create(WorkerConfig config, LocalData data) =>
        config.Bindings.QueueProducers
            .Select(p => (HostBinding)new QueueBinding(p.Binding, data.Queues.Queue(p.Queue), p.DeliveryDelay,
                config.Compatibility.IsEnabled("queue_expose_error_codes")))
            .ToList();
}
