namespace Flint.JavaScript.Bindings;

/// <summary>
/// A binding in a Worker's <c>env</c> that the host serves: a KV namespace, a D1 database, …
/// The isolate shows it to script as the JavaScript class registered for its <see cref="Kind"/>;
/// every method call crosses once, as <see cref="InvokeAsync"/>, off the isolate's thread.
/// Nothing of this object is reachable from script: only its name, kind and descriptor.
/// </summary>
public abstract class HostBinding(string name)
{
    /// <summary>The name in <c>env</c>.</summary>
    public string Name { get; } = name;

    /// <summary>Which JavaScript face represents it (e.g. <c>"kv"</c>, <c>"d1"</c>).</summary>
    public abstract string Kind { get; }

    /// <summary>A JSON object the JavaScript face is created with, or null.</summary>
    public virtual string? DescriptorJson => null;

    /// <summary>Serves one call. Throw <see cref="BindingException"/> for an error the Worker should see.</summary>
    public abstract ValueTask<BindingResult> InvokeAsync(BindingCall call, CancellationToken cancellationToken);

    /// <summary>
    /// True when the binding keeps a call's <see cref="BindingCall.Body"/> beyond <see cref="InvokeAsync"/>
    /// (a service binding hands it to the other Worker, which may still be reading it): it is then
    /// released with the calling event rather than when the call returns.
    /// </summary>
    public virtual bool KeepsBody => false;

    /// <summary>
    /// Serves a call at once on the isolate's thread when that costs less than the two thread hops
    /// of <see cref="InvokeAsync"/> (a cached read answered from memory); null to take the async
    /// path, which also reports every error. May wait a moment at most (never on network or fsync), and must not throw.
    /// </summary>
    public virtual string? TryInvokeInline(BindingCall call) => null;
}

/// <summary>
/// One call from script: the method, its arguments as the JavaScript face encoded them (a plain
/// string or JSON), optional bytes, and an optional streamed body read from a JavaScript stream.
/// </summary>
public sealed record BindingCall(string Method, string Args, byte[]? Bytes = null, Stream? Body = null)
{
    /// <summary>The event of the calling Worker that made the call (null for a call made outside any event).</summary>
    public Isolates.Events.EventContext? Context { get; init; }
}

/// <summary>
/// What a call returns to script, in one crossing: text (often JSON), bytes, a stream the
/// Worker reads chunk by chunk, or any of them together (e.g. metadata as text plus a value).
/// </summary>
public sealed class BindingResult
{
    public static readonly BindingResult Empty = new();

    public string? Text { get; init; }
    public byte[]? Bytes { get; init; }
    /// <summary>A body the Worker reads as a ReadableStream; disposed when read to the end or cancelled.</summary>
    public Stream? Stream { get; init; }
    /// <summary>Another isolate's WebSocket (a service's 101 answer) that the Worker may return or accept().</summary>
    public Web.WebSockets.WorkerWebSocket? WebSocket { get; init; }

    public static BindingResult FromText(string? text) => text is null ? Empty : new() { Text = text };
    public static BindingResult FromBytes(byte[] bytes) => new() { Bytes = bytes };
}

/// <summary>An error a binding reports to script as <c>new {Name}(message)</c> (Error, TypeError, RangeError, or a DOMException name).</summary>
public sealed class BindingException(string message, string name = "Error") : Exception(message)
{
    public string Name { get; } = name;
}
