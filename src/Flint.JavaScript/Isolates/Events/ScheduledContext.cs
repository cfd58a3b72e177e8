namespace Flint.JavaScript.Isolates.Events;

/// <summary>A scheduled event (a cron trigger firing, or a test endpoint asking): the Worker's scheduled() handler.</summary>
public sealed class ScheduledContext(ScheduledEvent scheduled, TimeSpan cpuLimit) : EventContext(cpuLimit)
{
    public override string Kind => "scheduled";

    public ScheduledEvent Scheduled { get; } = scheduled;

    /// <summary>Completed once the event is over (its handler settled and its waitUntil work too), or failed.</summary>
    internal TaskCompletionSource<ScheduledOutcome> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>What the handler did, known before its waitUntil work settled.</summary>
    internal ScheduledOutcome? Result { get; set; }

    internal override void Fail(WorkerException error) => Outcome.TrySetResult(Result ?? new ScheduledOutcome(false, false, error.Message));

    internal override void Done() => Outcome.TrySetResult(Result ?? new ScheduledOutcome(false, false, "The scheduled event ended without an outcome."));
}

/// <summary>A scheduled event to deliver: the cron expression that fired and the time it was due.</summary>
public sealed record ScheduledEvent(string Cron, DateTimeOffset ScheduledTime);

/// <summary>How a scheduled event went: <see cref="Ok"/> unless its handler threw; <see cref="NoRetry"/> when it called controller.noRetry().</summary>
public sealed record ScheduledOutcome(bool Ok, bool NoRetry, string? Error = null)
{
    /// <summary>workerd's word for it: "ok" or "exception".</summary>
    public string Word => Ok ? "ok" : "exception";
}
