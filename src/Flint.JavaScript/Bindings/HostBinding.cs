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

    /// <summary>
    /// True when <see cref="InvokeAsync"/> does only brief in-memory work before its first await
    /// (no SQLite, no file, no lock held long), so it may start on the isolate's thread rather than
    /// after a hop to the thread pool: a queue send, whose write happens on its log's writer.
    /// </summary>
    public virtual bool StartsOnCaller => false;
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
    /// <summary>
    /// A long text in slices (instead of <see cref="Text"/>), joined in the isolate: one .NET string
    /// over 85 KB lands in the large object heap, and allocating those a few times a second makes
    /// the GC run blocking gen2 collections (an R2 listing's JSON is ~143,000 characters).
    /// </summary>
    public IReadOnlyList<string>? TextParts { get; init; }
    public byte[]? Bytes { get; init; }
    /// <summary>A body the Worker reads as a ReadableStream; disposed when read to the end or cancelled.</summary>
    public Stream? Stream { get; init; }
    /// <summary>Another isolate's WebSocket (a service's 101 answer) that the Worker may return or accept().</summary>
    public Web.WebSockets.WorkerWebSocket? WebSocket { get; init; }

    public static BindingResult FromText(string? text) => text is null ? Empty : new() { Text = text };
    public static BindingResult FromBytes(byte[] bytes) => new() { Bytes = bytes };

    /// <summary>The UTF-8 text <paramref name="utf8"/> as <see cref="Text"/>, or as <see cref="TextParts"/> of under 85 KB each when it is long.</summary>
    public static BindingResult FromUtf8(ReadOnlySpan<byte> utf8)
    {
        const int Slice = 32 * 1024; // bytes, so at most 32 Ki characters: 64 KB as a string
        if (utf8.Length <= Slice) return new() { Text = System.Text.Encoding.UTF8.GetString(utf8) };
        var parts = new List<string>(utf8.Length / Slice + 1);
        while (utf8.Length > 0)
        {
            var end = Math.Min(Slice, utf8.Length);
            // Never split a character: back off to the start of a UTF-8 sequence.
            while (end < utf8.Length && (utf8[end] & 0xC0) == 0x80) end--;
            parts.Add(System.Text.Encoding.UTF8.GetString(utf8[..end]));
            utf8 = utf8[end..];
        }
        return new() { TextParts = parts };
    }
}

/// <summary>An error a binding reports to script as <c>new {Name}(message)</c> (Error, TypeError, RangeError, or a DOMException name).</summary>
public sealed class BindingException(string message, string name = "Error") : Exception(message)
{
    public string Name { get; } = name;
}
