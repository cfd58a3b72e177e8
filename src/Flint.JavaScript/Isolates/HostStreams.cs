using System.Collections.Concurrent;
using Flint.JavaScript.Isolates.Events;
using Flint.JavaScript.Isolates.Streams;
using Microsoft.ClearScript;

namespace Flint.JavaScript.Isolates;

/// <summary>
/// The byte streams between the host and one isolate, by the integer ids script knows them by:
/// host streams script reads (request bodies, fetch responses, binding results) and JavaScript
/// streams the host reads (response bodies, fetch request bodies). A host stream belongs to the
/// event that received it and is closed when that event closes, unless script hands it back first.
/// </summary>
internal sealed class HostStreams(JsIsolate isolate)
{
    private readonly ConcurrentDictionary<int, HostStream> _hostStreams = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<ReadOnlyMemory<byte>?>> _jsPulls = new();
    private ScriptObject _pullStream = null!, _cancelJsStream = null!;
    private int _nextHostStreamId;

    /// <summary>Makes the entry points into 50_body.js once the built-ins run.</summary>
    public void Bind()
    {
        var arrows = isolate.MakeEntryPoints("(a) => rt.pullStream(a)", "(a) => rt.cancelJsStream(a)");
        (_pullStream, _cancelJsStream) = (arrows[0], arrows[1]);
    }

    // ---- host streams: bodies JavaScript reads from the host ---------------------------------

    /// <summary>Registers a stream script may read; <paramref name="context"/> (if any) closes it when it closes.</summary>
    public int Register(Stream stream, IDisposable? owner, EventContext? context)
    {
        var id = Interlocked.Increment(ref _nextHostStreamId);
        var entry = new HostStream(this, id, stream, owner);
        _hostStreams[id] = entry;
        if (context is not null)
        {
            entry.Context = context;
            context.Own(entry);
        }
        return id;
    }

    /// <summary>Takes back a stream script handed over unread, to send on as it is; null if it is gone.</summary>
    public (Stream Stream, IDisposable? Owner)? Take(int streamId)
    {
        if (!_hostStreams.TryRemove(streamId, out var hs)) return null;
        hs.Context?.Disown(hs);
        return (hs.Stream, hs.Owner);
    }

    /// <summary>Reads the next chunk (or, with max &lt; 0, everything) and resolves the promise with bytes or null at the end.</summary>
    public void Read(int streamId, int promiseId, int max)
    {
        var context = isolate.Current;
        if (!_hostStreams.TryGetValue(streamId, out var hs))
        {
            isolate.Resolve(context, promiseId, null);
            return;
        }
        _ = ReadAsync(streamId, hs, promiseId, max, context);
    }

    private async Task ReadAsync(int streamId, HostStream hs, int promiseId, int max, EventContext? context)
    {
        byte[]? data;
        var length = 0;
        try
        {
            if (max < 0)
            {
                using var all = new MemoryStream();
                await hs.Stream.CopyToAsync(all).ConfigureAwait(false);
                data = all.ToArray();
                length = data.Length;
                Close(streamId);
            }
            else
            {
                // The stream's one buffer serves every read: the next read starts only after the
                // Worker asks again, by which time this chunk was copied into the isolate.
                var buffer = max <= JsIsolate.TransferSize ? hs.ReadBuffer(max) : new byte[max];
                length = await hs.Stream.ReadAsync(buffer.AsMemory(0, max)).ConfigureAwait(false);
                data = length == 0 ? null : buffer;
                if (length == 0) Close(streamId);
            }
        }
        catch (Exception ex)
        {
            Close(streamId);
            if (ex is Web.Compression.ContentDecodingException) isolate.Reject(context, promiseId, ex.Message, "TypeError");
            else isolate.Reject(context, promiseId, $"Network connection lost. ({ex.Message})", "Error");
            return;
        }
        if (data is null) isolate.Resolve(context, promiseId, null);
        else isolate.ResolveBytes(context, promiseId, data, length);
    }

    public void Close(int streamId)
    {
        if (!_hostStreams.TryRemove(streamId, out var hs)) return;
        hs.Context?.Disown(hs);
        hs.Owner?.Dispose();
    }

    // ---- JavaScript streams the host reads -------------------------------------------------

    /// <summary>The next chunk of JavaScript stream <paramref name="streamId"/>, pulled in a turn for <paramref name="context"/>; null at its end.</summary>
    public ValueTask<ReadOnlyMemory<byte>?> Pull(int streamId, EventContext? context)
    {
        var tcs = new TaskCompletionSource<ReadOnlyMemory<byte>?>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_jsPulls.TryAdd(streamId, tcs)) throw new InvalidOperationException($"Stream {streamId} is already being read.");
        isolate.PostTurn(context, () => _pullStream.InvokeAsFunction(streamId));
        return new ValueTask<ReadOnlyMemory<byte>?>(tcs.Task);
    }

    public void Cancel(int streamId, EventContext? context) => isolate.PostTurn(context, () => _cancelJsStream.InvokeAsFunction(streamId));

    /// <summary>A .NET stream over JavaScript stream <paramref name="streamId"/>, pulled in turns for <paramref name="context"/>.</summary>
    public Stream OpenRead(int streamId, EventContext? context) => new JsReadStream(this, streamId, context);

    /// <summary>Script answered a pull: a chunk, or null at the end.</summary>
    public void Chunk(int streamId, byte[]? chunk)
    {
        if (!_jsPulls.TryRemove(streamId, out var tcs)) return;
        // Spelled out: a null byte[] converts implicitly to an empty, non-null ReadOnlyMemory, which would hide the end.
        if (chunk is null) tcs.TrySetResult((ReadOnlyMemory<byte>?)null);
        else tcs.TrySetResult(new ReadOnlyMemory<byte>(chunk));
    }

    public void Error(int streamId, string error)
    {
        if (_jsPulls.TryRemove(streamId, out var tcs)) tcs.TrySetException(new WorkerException(error));
    }

    /// <summary>The isolate stopped or went away: pending pulls fail with <paramref name="error"/>; with <paramref name="closeAll"/>, every host stream is closed.</summary>
    public void FailAll(WorkerException error, bool closeAll)
    {
        foreach (var id in _jsPulls.Keys)
        {
            if (_jsPulls.TryRemove(id, out var pull)) pull.TrySetException(error);
        }
        if (closeAll) foreach (var id in _hostStreams.Keys) Close(id);
    }

    private sealed class HostStream(HostStreams table, int id, Stream stream, IDisposable? owner) : IDisposable
    {
        private byte[]? _buffer;

        public Stream Stream { get; } = stream;
        public IDisposable? Owner { get; } = owner;
        public EventContext? Context { get; set; }

        /// <summary>The buffer this stream's chunked reads reuse, at least <paramref name="size"/> bytes.</summary>
        public byte[] ReadBuffer(int size) => _buffer is { } b && b.Length >= size ? b : _buffer = new byte[size];

        /// <summary>Its event closed: close the stream unless script handed it back already.</summary>
        public void Dispose()
        {
            if (table._hostStreams.TryRemove(id, out _)) Owner?.Dispose();
        }
    }
}
