using System.Security.Cryptography;

namespace Flint.Engine.Storage;

/// <summary>
/// Large values as files in one directory, named by unguessable ids. A blob is written to a
/// temporary file, flushed to disk and renamed into place, so a reader never sees a partial blob
/// and a crash leaves at most a stray temporary file. Blobs are immutable once written.
/// </summary>
public sealed class BlobStore
{
    private const string TempSuffix = ".tmp";

    public BlobStore(string directory)
    {
        Directory = System.IO.Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(Directory);
    }

    public string Directory { get; }

    /// <summary>
    /// Streams <paramref name="source"/> into a new blob, starting with <paramref name="head"/>
    /// (bytes already read from it). Stops with <see cref="BlobTooLargeException"/> once more than
    /// <paramref name="maxBytes"/> arrive, after reading the source to its end so the error can say how long it was.
    /// </summary>
    public async Task<(string Id, long Length)> PutAsync(ReadOnlyMemory<byte> head, Stream source, long maxBytes, CancellationToken cancellationToken = default)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var final = PathOf(id);
        var temp = final + TempSuffix;
        long length = 0;
        try
        {
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                await file.WriteAsync(head, cancellationToken).ConfigureAwait(false);
                length = head.Length;
                var buffer = new byte[1 << 16];
                int n;
                while ((n = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    length += n;
                    if (length <= maxBytes) await file.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                }
                if (length > maxBytes) throw new BlobTooLargeException(length, maxBytes);
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, final);
            return (id, length);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>
    /// Like <see cref="PutAsync(ReadOnlyMemory{byte}, Stream, long, CancellationToken)"/>, but every
    /// byte written is also handed to <paramref name="observe"/> (a hash, say), and the work is
    /// overlapped: while one chunk is being written the next is read and observed, so a large body
    /// costs about the slowest of reading, observing and writing rather than their sum. Written
    /// ranges go to the kernel's writeback as they are written (<see cref="EarlyWriteback"/>), so the
    /// final fsync has only the tail left. (Observing on a thread of its own as well, in parallel with
    /// the reads, measured no faster on this loaded 2-core machine: the extra hand-off per chunk ate it.)
    /// </summary>
    public async Task<(string Id, long Length)> PutAsync(ReadOnlyMemory<byte> head, Stream source, long maxBytes, Action<ReadOnlySpan<byte>> observe, CancellationToken cancellationToken = default)
    {
        const int Chunk = 256 * 1024;
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var final = PathOf(id);
        var temp = final + TempSuffix;
        var current = System.Buffers.ArrayPool<byte>.Shared.Rent(Chunk);
        var other = System.Buffers.ArrayPool<byte>.Shared.Rent(Chunk);
        Task write = Task.CompletedTask;
        try
        {
            long length = head.Length;
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0, FileOptions.Asynchronous))
            {
                observe(head.Span);
                if (length > maxBytes) throw new BlobTooLargeException(length, maxBytes);
                await file.WriteAsync(head, cancellationToken).ConfigureAwait(false);
                var writeback = new EarlyWriteback(file.SafeFileHandle);
                int n;
                while ((n = await source.ReadAsync(current.AsMemory(0, Chunk), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    length += n;
                    if (length > maxBytes) continue; // read to the end, so the error can say how long it was
                    observe(current.AsSpan(0, n));
                    await write.ConfigureAwait(false);
                    write = WriteAsync(file, writeback, current, n, length, cancellationToken);
                    (current, other) = (other, current);
                }
                await write.ConfigureAwait(false);
                if (length > maxBytes) throw new BlobTooLargeException(length, maxBytes);
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, final);
            return (id, length);
        }
        catch
        {
            try { await write.ConfigureAwait(false); } catch { } // the buffer may still be in use
            TryDelete(temp);
            throw;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(current);
            System.Buffers.ArrayPool<byte>.Shared.Return(other);
        }
    }

    private static async Task WriteAsync(FileStream file, EarlyWriteback writeback, byte[] buffer, int count, long end, CancellationToken cancellationToken)
    {
        await file.WriteAsync(buffer.AsMemory(0, count), cancellationToken).ConfigureAwait(false);
        writeback.Written(end);
    }

    /// <summary>Writes bytes already in memory as a blob.</summary>
    public Task<(string Id, long Length)> PutAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default) =>
        PutAsync(bytes, Stream.Null, long.MaxValue, cancellationToken);

    /// <summary>
    /// Opens a blob for reading, or null when it does not exist. <paramref name="bufferSize"/> 0
    /// reads straight into the caller's buffers (for readers that read large chunks anyway).
    /// </summary>
    public Stream? Open(string id, int bufferSize = 1 << 16)
    {
        try
        {
            return new FileStream(PathOf(id), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, bufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    public bool Exists(string id) => File.Exists(PathOf(id));

    public void Delete(string id) => TryDelete(PathOf(id));

    /// <summary>
    /// Deletes blobs not in <paramref name="referenced"/> and leftover temporary files (after a crash).
    /// Only safe while no one else can be writing a blob here: another process's blob is unreferenced
    /// until its row commits. Hold the store's <see cref="StoreLock"/> exclusively.
    /// </summary>
    public int DeleteUnreferenced(IReadOnlySet<string> referenced)
    {
        var deleted = 0;
        foreach (var path in System.IO.Directory.EnumerateFiles(Directory))
        {
            var name = System.IO.Path.GetFileName(path);
            if (name.EndsWith(TempSuffix, StringComparison.Ordinal) || !referenced.Contains(name))
            {
                TryDelete(path);
                deleted++;
            }
        }
        return deleted;
    }

    private string PathOf(string id)
    {
        // Ids are ours (hex), never user input; refuse anything else so a bad row cannot escape the directory.
        if (id.Length == 0 || !id.All(char.IsAsciiHexDigitLower)) throw new ArgumentException($"Invalid blob id \"{id}\".", nameof(id));
        return System.IO.Path.Combine(Directory, id);
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}

/// <summary>A value was longer than its limit; <see cref="Length"/> is how long it really was.</summary>
public sealed class BlobTooLargeException(long length, long limit) : Exception($"Value length of {length} exceeds limit of {limit}.")
{
    public long Length { get; } = length;
    public long Limit { get; } = limit;
}
