namespace Flint.Engine.Kv;

/// <summary>Workers KV's documented limits, the same numbers wrangler dev enforces.</summary>
public static class KvLimits
{
    public const int MaxKeyBytes = 512;
    public const long MaxValueBytes = 25L * 1024 * 1024;
    public const int MaxMetadataBytes = 1024;
    public const int MinExpirationTtlSeconds = 60;
    public const int MinCacheTtlSeconds = 30;
    public const int MaxListKeys = 1000;
    public const int MaxBulkGetKeys = 100;
    public const long MaxBulkGetBytes = 25L * 1024 * 1024;
}

/// <summary>
/// A KV operation refused, with the HTTP status and message KV's API gives for it. The Workers
/// binding shows it as <c>KV {METHOD} failed: {Status} {Message}</c>, as workerd does.
/// </summary>
public sealed class KvException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}
