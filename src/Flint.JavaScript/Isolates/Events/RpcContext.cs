using Flint.JavaScript.Rpc;

namespace Flint.JavaScript.Isolates.Events;

/// <summary>
/// An RPC call on a Worker's entrypoint through a service binding. As on Cloudflare, the event
/// lasts until the method returned, the stubs it gave out are disposed (and the result the caller
/// may pipeline on is forgotten), and its waitUntil work settled.
/// </summary>
public sealed class RpcContext(RpcCall call, RpcAnswer answer, TimeSpan cpuLimit) : EventContext(cpuLimit)
{
    public override string Kind => "rpc";

    public RpcCall Call { get; } = call;

    internal RpcAnswer Answer { get; } = answer;

    /// <summary>Held by the caller's event while this one runs; detached when this one closes first.</summary>
    internal RpcEndpoint.Disconnect? Disconnect { get; set; }

    internal override void Fail(WorkerException error) => Answer.Fail(new RpcException(StripName(error.Message), "Error"));

    /// <summary>"Error: Worker exceeded CPU time limit." → the message alone (the caller makes the Error).</summary>
    private static string StripName(string message) => message.StartsWith("Error: ", StringComparison.Ordinal) ? message[7..] : message;
}
