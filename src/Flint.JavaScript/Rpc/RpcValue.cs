namespace Flint.JavaScript.Rpc;

/// <summary>
/// A value crossing between isolates: structured clone serialized to bytes (V8's wire format, see
/// 86_serialize.js), with the handles its host objects refer to by position — stubs and streams.
/// The value owns its handles until a receiving isolate takes them; disposing it releases the rest.
/// </summary>
public sealed class RpcValue(byte[] bytes, RpcHandle[] handles) : IDisposable
{
    public static RpcValue Undefined => new([0xFF, 0x0F, (byte)'_'], []);

    public byte[] Bytes { get; } = bytes;
    public RpcHandle[] Handles { get; } = handles;
    private int _taken;

    /// <summary>The receiver takes the handles: from now on it releases them.</summary>
    internal RpcHandle[] TakeHandles() => Interlocked.Exchange(ref _taken, 1) == 0 ? Handles : [];

    public void Dispose()
    {
        foreach (var handle in TakeHandles()) handle.Dispose();
    }
}

/// <summary>A capability a value carries: a stub to an object in some isolate, or a byte stream.</summary>
public abstract class RpcHandle : IDisposable
{
    public abstract void Dispose();
}

/// <summary>A ReadableStream of bytes crossing with a value; the receiver reads it as a host stream.</summary>
public sealed class StreamHandle(Stream stream) : RpcHandle
{
    private Stream? _stream = stream;

    /// <summary>Takes the stream (once); the taker disposes it.</summary>
    public Stream? Take() => Interlocked.Exchange(ref _stream, null);

    public override void Dispose() => Take()?.Dispose();
}

/// <summary>What kind of access a call makes at its path: call the function there, or read the property.</summary>
public enum RpcCallKind { Call = 1, Get = 2 }

/// <summary>An RPC call into a Worker's entrypoint through a service binding.</summary>
public sealed record RpcCall(string? Entrypoint, string? PropsJson, RpcCallKind Kind, string PathJson, RpcValue Args)
{
    /// <summary>The calling Worker's event, whose end disconnects the call (null for a call from the host).</summary>
    public Isolates.Events.EventContext? Caller { get; init; }
}

/// <summary>
/// The outcome of a call: the returned value, or (with <see cref="IsError"/>) the thrown one.
/// <see cref="Retained"/>: the answering isolate keeps the result for calls pipelined on it until the caller forgets it.
/// </summary>
public sealed record RpcResult(RpcValue Value, bool IsError, bool Retained = false);

/// <summary>An RPC failure raised by the host (no isolate threw it): reaches the caller as <c>new {Name}(message)</c>.</summary>
public sealed class RpcException(string message, string name = "Error") : Exception(message)
{
    public string Name { get; } = name;
}
