using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Flint.Server.Ingress;

/// <summary>
/// Cloudflare's loop limit: a request may pass through Workers at most 16 times. The CF-EW-Via
/// header counts the invocations left; each invocation takes one (the Worker sees the count after
/// its own), a Worker's fetch() passes the count on (60_fetch.js), and a request that arrives with
/// none left gets error 1019 instead of running the Worker. So a Worker that fetches its own URL
/// ends after 16 hops instead of calling itself until the machine runs out of sockets.
/// </summary>
internal static class LoopGuard
{
    public const string HeaderName = "CF-EW-Via";
    public const int MaxInvocations = 16;
    /// <summary>508 Loop Detected: what the request ran into, in HTTP's words.</summary>
    public const int Status = 508;

    public static bool IsHeader(string name) => string.Equals(name, HeaderName, StringComparison.OrdinalIgnoreCase);

    private static bool TryParse(string? value, out int left) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out left);

    /// <summary>True when the request says no invocation is left.</summary>
    public static bool IsExhausted(IHeaderDictionary headers) =>
        headers.TryGetValue(HeaderName, out var values) && TryParse(values.ToString(), out var left) && left <= 0;

    /// <summary>The count the Worker sees: one fewer than the request brought (a value that is not a count is passed on as is).</summary>
    public static string AfterThisInvocation(string value) =>
        TryParse(value, out var left) ? Math.Min(left - 1, MaxInvocations - 1).ToString(CultureInfo.InvariantCulture) : value;

    public static string Message(string worker) =>
        $"error code: 1019\n\nWorker \"{worker}\" hit the loop limit: this request has passed through Workers {MaxInvocations} times. " +
        "A Worker whose fetch() goes back to its own URL (a proxy whose origin points at itself) loops like this; point it at another origin.\n";
}
