using Flint.Engine.IO;

namespace Flint.Server.Ingress;

/// <summary>
/// A request body as Kestrel reads it, remembering whether the client sent it malformed (a bad
/// chunk, a body shorter than its Content-Length): then the client, not the Worker, is at fault,
/// and gets a plain 400 whatever the Worker did with the error.
/// </summary>
internal sealed class ClientBodyStream(Stream inner) : ReadOnlyStream
{
    /// <summary>Kestrel's reason when the body was malformed, else null.</summary>
    public string? Malformed { get; private set; }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            return await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException ex)
        {
            Malformed = ex.Message;
            throw new IOException(ex.Message, ex);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Request bodies are read asynchronously.");
}
