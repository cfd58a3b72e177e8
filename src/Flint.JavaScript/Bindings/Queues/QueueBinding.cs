using System.Text.Json;
using Flint.Engine.Queues;

namespace Flint.JavaScript.Bindings.Queues;

/// <summary>
/// A queue producer as a Worker's <c>env.NAME</c> (the JavaScript face is WorkerQueue in
/// 82_queues.js). The bodies arrive serialized, in one buffer; the queue's log checks Queues'
/// limits and answers once the messages are on disk. Refusals read as workerd shows them:
/// <c>Queue send failed: …</c> / <c>Queue sendBatch failed: …</c>.
/// </summary>
/// <param name="exposeErrorCodes">queue_expose_error_codes (from 2026-03-12): refusals end with Queues' error code instead.</param>
public sealed class QueueBinding(string name, QueueLog queue, int? deliveryDelaySeconds, bool exposeErrorCodes = false) : HostBinding(name)
{
    public override string Kind => "queue";

    public string Queue => queue.Name;

    // A send checks, copies and hands the messages to the log's writer; metrics() reads counters.
    public override bool StartsOnCaller => true;

    public override async ValueTask<BindingResult> InvokeAsync(BindingCall call, CancellationToken cancellationToken)
    {
        switch (call.Method)
        {
            case "metrics":
                return BindingResult.FromText(MetricsJson(queue.Metrics()));
            case "send":
                return await SendAsync(call, cancellationToken).ConfigureAwait(false);
            default:
                throw new BindingException($"Queues have no method \"{call.Method}\".", "TypeError");
        }
    }

    private async Task<BindingResult> SendAsync(BindingCall call, CancellationToken cancellationToken)
    {
        using var args = JsonDocument.Parse(call.Args);
        var root = args.RootElement;
        var batch = root.GetProperty("batch").GetBoolean();
        var body = call.Bytes ?? [];
        var types = root.GetProperty("types").EnumerateArray().Select(t => t.GetString()!).ToList();
        var delays = root.GetProperty("delays").EnumerateArray().Select(d => d.ValueKind == JsonValueKind.Number ? d.GetInt32() : (int?)null).ToList();
        var lengths = batch ? root.GetProperty("lengths").EnumerateArray().Select(l => l.GetInt32()).ToList() : [body.Length];
        if (types.Count != lengths.Count || delays.Count != lengths.Count || lengths.Sum() != body.Length || types.Any(t => !QueueContentTypes.IsKnown(t)))
            throw new BindingException("Malformed queue send.", "TypeError");
        var messages = new List<OutgoingMessage>(types.Count);
        var offset = 0;
        for (var i = 0; i < types.Count; i++)
        {
            messages.Add(new OutgoingMessage(types[i], body.AsMemory(offset, lengths[i]), delays[i]));
            offset += lengths[i];
        }
        var delay = root.GetProperty("delay") is { ValueKind: JsonValueKind.Number } d0 ? d0.GetInt32() : deliveryDelaySeconds;
        try
        {
            var metrics = await queue.SendAsync(messages, delay, batch, cancellationToken).ConfigureAwait(false);
            return BindingResult.FromText(MetricsJson(metrics));
        }
        catch (QueueException ex)
        {
            throw new BindingException(exposeErrorCodes ? $"{ex.Message} ({ex.Code})" : $"Queue {(batch ? "sendBatch" : "send")} failed: {ex.Message}");
        }
    }

    private static string MetricsJson(QueueMetrics m) => m.OldestMessageTimestampMs is { } oldest
        ? $"{{\"backlogCount\":{m.BacklogCount},\"backlogBytes\":{m.BacklogBytes},\"oldestMessageTimestamp\":{oldest}}}"
        : $"{{\"backlogCount\":{m.BacklogCount},\"backlogBytes\":{m.BacklogBytes}}}";
}
