using System.IO.MemoryMappedFiles;
using System.Text;

namespace Flint.Server.Ingress;

/// <summary>
/// The requests in flight, kept in a memory-mapped file so they can still be read after the
/// process died without warning (V8 aborts the process on some errors; nothing runs after that).
/// The supervisor of <c>flint dev</c> reads it to say which Worker and request the process was
/// serving when it died. A slot per request: one byte of state, then "worker\tMETHOD URL" in UTF-8.
/// </summary>
public sealed class InFlightNote : IDisposable
{
    public const int Slots = 256;
    private const int SlotSize = 512;

    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly int[] _taken = new int[Slots];
    private int _hint;

    private InFlightNote(MemoryMappedFile file, MemoryMappedViewAccessor view)
    {
        _file = file;
        _view = view;
    }

    /// <summary>Creates (emptying) the note at <paramref name="path"/>.</summary>
    public static InFlightNote Create(string path)
    {
        using (var stream = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.ReadWrite))
            stream.SetLength((long)Slots * SlotSize);
        var file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.ReadWrite);
        return new InFlightNote(file, file.CreateViewAccessor(0, (long)Slots * SlotSize));
    }

    /// <summary>Notes a request; returns its slot for <see cref="Done"/>, or -1 when every slot is in use.</summary>
    public int Begin(string worker, string method, string url)
    {
        for (var tries = 0; tries < Slots; tries++)
        {
            var slot = (int)((uint)Interlocked.Increment(ref _hint) % Slots);
            if (Interlocked.CompareExchange(ref _taken[slot], 1, 0) != 0) continue;
            var text = Encoding.UTF8.GetBytes($"{worker}\t{method} {Truncate(url)}");
            var length = Math.Min(text.Length, SlotSize - 2);
            var offset = (long)slot * SlotSize;
            _view.WriteArray(offset + 1, text, 0, length);
            _view.Write(offset + 1 + length, (byte)0);
            _view.Write(offset, (byte)1);
            return slot;
        }
        return -1;
    }

    public void Done(int slot)
    {
        if (slot < 0) return;
        _view.Write((long)slot * SlotSize, (byte)0);
        Volatile.Write(ref _taken[slot], 0);
    }

    private static string Truncate(string url) => url.Length <= 300 ? url : url[..300] + "…";

    /// <summary>What a note file says was in flight: "worker\tMETHOD URL" per request.</summary>
    public static IReadOnlyList<(string Worker, string Request)> Read(string path)
    {
        var found = new List<(string, string)>();
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (IOException) { return found; }
        for (var offset = 0; offset + SlotSize <= bytes.Length; offset += SlotSize)
        {
            if (bytes[offset] != 1) continue;
            var text = bytes.AsSpan(offset + 1, SlotSize - 1);
            var end = text.IndexOf((byte)0);
            var entry = Encoding.UTF8.GetString(end < 0 ? text : text[..end]);
            var tab = entry.IndexOf('\t');
            found.Add(tab < 0 ? ("?", entry) : (entry[..tab], entry[(tab + 1)..]));
        }
        return found;
    }

    public void Dispose()
    {
        _view.Dispose();
        _file.Dispose();
    }
}
