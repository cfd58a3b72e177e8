using Flint.Engine.DurableObjects;
using Flint.JavaScript.Isolates;
using Flint.JavaScript.Rpc;

namespace Flint.JavaScript.Bindings.DurableObjects;

/// <summary>
/// Where stubs find their objects: the runtime's Durable Object directory, which knows which Worker
/// hosts a class, where each object runs (one instance per id in the process) and starts it when
/// needed. A cluster mode places objects on other machines behind the same interface.
/// </summary>
public interface IDurableObjectDirectory
{
    /// <summary>The namespace of class <paramref name="className"/> hosted by Worker <paramref name="script"/>; null with <paramref name="error"/> saying why.</summary>
    DurableObjectNamespace? Namespace(string script, string className, out string? error);

    /// <summary>A request to the object's fetch handler; completes with its response (head), held until the writes before it are durable.</summary>
    Task<WorkerResponse> FetchAsync(DurableObjectAddress address, IncomingRequest request);

    /// <summary>An RPC call on the object; the answer is returned at once so calls can be pipelined on it.</summary>
    RpcAnswer Call(DurableObjectAddress address, RpcCall call);
}

/// <summary>A class's namespace: who hosts it, where its objects are stored, and how its ids are made.</summary>
public sealed record DurableObjectNamespace(string Script, string ClassName, string StorageName, bool Sqlite)
{
    public DurableObjectIds Ids { get; } = new(StorageName);
}

/// <summary>One object: its namespace and id (64 lowercase hex digits), and the name it was made from when known.</summary>
public sealed record DurableObjectAddress(DurableObjectNamespace Namespace, string Id, string? Name)
{
    public bool Equals(DurableObjectAddress? other) => other is not null && other.Namespace.StorageName == Namespace.StorageName && other.Id == Id;
    public override int GetHashCode() => HashCode.Combine(Namespace.StorageName, Id);
    public override string ToString() => $"{Namespace.ClassName} {Id}";
}

/// <summary>
/// An error from Durable Objects' own machinery (not from the object's code), with the properties
/// Cloudflare puts on such errors: <c>retryable</c>, <c>overloaded</c>, <c>durableObjectReset</c>.
/// </summary>
public sealed class DurableObjectException(string message, string name = "Error") : Exception(message)
{
    public string Name { get; } = name;
    public bool Retryable { get; init; }
    public bool Overloaded { get; init; }
    public bool Reset { get; init; }
    /// <summary>Thrown by the object's own code (its fetch handler), not by the machinery.</summary>
    public bool Remote { get; init; }

    /// <summary>The flags as script reads them: comma-separated property names set to true.</summary>
    public string Flags => string.Join(',', new[] { Retryable ? "retryable" : null, Overloaded ? "overloaded" : null, Reset ? "durableObjectReset" : null, Remote ? "remote" : null }.Where(f => f is not null));

    public static DurableObjectException CodeUpdated() =>
        new("Durable Object reset because its code was updated.") { Retryable = true, Reset = true };
}
