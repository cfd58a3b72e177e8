using System.Buffers.Binary;

namespace Flint.Engine.Queues;

/// <summary>
/// The messages of one send() or sendBatch() call as one row of the log: each message's id (16
/// bytes), content type (1), send time (8), first delivery time (8), body length (4), then its
/// body. One row per call rather than per message: SQLite's cost is per row and per bound
/// parameter, and a batch of 100 is then one insert of four values.
/// </summary>
internal static class QueueSegment
{
    /// <summary>Messages per segment at most (sendBatch()'s limit), so (seq, index) packs into one number.</summary>
    public const int MaxMessages = 128;

    private const int HeaderBytes = 16 + 1 + 8 + 8 + 4;

    public readonly record struct Item(byte[] Id, string ContentType, long SentAt, long VisibleAt, byte[] Body);

    public static long Key(long seq, int index) => seq * MaxMessages + index;
    public static (long Seq, int Index) Split(long key) => (key / MaxMessages, (int)(key % MaxMessages));

    public static byte[] Encode(IReadOnlyList<Item> items)
    {
        var size = 0;
        foreach (var item in items) size += HeaderBytes + item.Body.Length;
        var blob = new byte[size];
        var span = blob.AsSpan();
        foreach (var item in items)
        {
            item.Id.CopyTo(span);
            span[16] = TypeCode(item.ContentType);
            BinaryPrimitives.WriteInt64LittleEndian(span[17..], item.SentAt);
            BinaryPrimitives.WriteInt64LittleEndian(span[25..], item.VisibleAt);
            BinaryPrimitives.WriteInt32LittleEndian(span[33..], item.Body.Length);
            item.Body.CopyTo(span[HeaderBytes..]);
            span = span[(HeaderBytes + item.Body.Length)..];
        }
        return blob;
    }

    public static List<Item> Decode(byte[] blob)
    {
        var items = new List<Item>();
        var span = blob.AsSpan();
        while (span.Length >= HeaderBytes)
        {
            var length = BinaryPrimitives.ReadInt32LittleEndian(span[33..]);
            if (length < 0 || length > span.Length - HeaderBytes) throw new InvalidDataException("A queue log segment is damaged.");
            items.Add(new Item(span[..16].ToArray(), TypeName(span[16]), BinaryPrimitives.ReadInt64LittleEndian(span[17..]),
                BinaryPrimitives.ReadInt64LittleEndian(span[25..]), span.Slice(HeaderBytes, length).ToArray()));
            span = span[(HeaderBytes + length)..];
        }
        return items;
    }

    private static byte TypeCode(string type) => type switch
    {
        QueueContentTypes.Text => 0,
        QueueContentTypes.Bytes => 1,
        QueueContentTypes.Json => 2,
        _ => 3,
    };

    private static string TypeName(byte code) => code switch
    {
        0 => QueueContentTypes.Text,
        1 => QueueContentTypes.Bytes,
        2 => QueueContentTypes.Json,
        _ => QueueContentTypes.V8,
    };
}
