using System.Text.Json.Nodes;
using Flint.JavaScript.Isolates.Events;
using Flint.JavaScript.Rpc;

namespace Flint.JavaScript.Bindings.DurableObjects;

/// <summary>
/// <c>env.NAME</c> for a <c>durable_objects</c> binding: a namespace of objects of class
/// <see cref="ClassName"/> hosted by Worker <see cref="Script"/> (this Worker unless the binding
/// names <c>script_name</c>). Ids are made in the isolate (88_durable_objects.js, with the
/// namespace's key from here); stub calls go to the directory, which finds or starts the object.
/// The namespace is looked up at first use, so the hosting Worker may load after this one.
/// </summary>
public sealed class DurableObjectNamespaceBinding(string name, string script, string className, IDurableObjectDirectory directory)
    : HostBinding(name)
{
    private DurableObjectNamespace? _namespace;

    public string Script { get; } = script;
    public string ClassName { get; } = className;
    public IDurableObjectDirectory Directory { get; } = directory;

    public override string Kind => "durable_object_namespace";

    public override string? DescriptorJson => new JsonObject { ["className"] = ClassName, ["script"] = Script }.ToJsonString();

    /// <summary>The namespace, or a <see cref="DurableObjectException"/> saying why there is none (the Worker is not running, the class has no migration).</summary>
    public DurableObjectNamespace Namespace()
    {
        // Looked up again while not found: the hosting Worker may start later (flint dev -c a -c b).
        if (Volatile.Read(ref _namespace) is { } ns && ns.Script == Script) return ns;
        var found = Directory.Namespace(Script, ClassName, out var error) ?? throw new DurableObjectException(error ?? $"No Durable Object class {ClassName} in Worker \"{Script}\".");
        Volatile.Write(ref _namespace, found);
        return found;
    }

    /// <summary>An RPC call on object <paramref name="id"/> (made from <paramref name="objectName"/> when known).</summary>
    public RpcAnswer Call(string id, string? objectName, RpcCallKind kind, string pathJson, RpcValue args, EventContext? caller)
    {
        DurableObjectNamespace ns;
        try { ns = Namespace(); }
        catch (DurableObjectException ex)
        {
            args.Dispose();
            return RpcAnswer.Failed(ex);
        }
        return Directory.Call(new DurableObjectAddress(ns, id, objectName), new RpcCall(null, null, kind, pathJson, args) { Caller = caller });
    }

    /// <summary>Stub fetch() goes through <see cref="DurableObjectOps"/>, which carries WebSockets too.</summary>
    public override ValueTask<BindingResult> InvokeAsync(BindingCall call, CancellationToken cancellationToken) =>
        throw new BindingException($"Durable Object namespaces have no method {call.Method}.");
}
