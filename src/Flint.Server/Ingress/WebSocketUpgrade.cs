using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Flint.Server.Ingress;

/// <summary>
/// The server's half of the RFC 6455 opening handshake over HTTP/1.1, done here rather than by
/// ASP.NET Core's WebSocket middleware so that the Worker's socket gets the raw upgraded stream
/// (see <c>CloseFrameStream</c>: a close frame without a status code needs it).
/// </summary>
internal static class WebSocketUpgrade
{
    private const string KeyGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /// <summary>
    /// Answers 101 and returns the upgraded stream, or null when this request cannot be upgraded
    /// that way (e.g. a WebSocket over HTTP/2, which the middleware's accept handles).
    /// The caller has checked <c>IsWebSocketRequest</c>, which validated the key and version.
    /// </summary>
    public static async Task<Stream?> AcceptAsync(HttpContext context, string? subProtocol)
    {
        var upgrade = context.Features.Get<IHttpUpgradeFeature>();
        if (upgrade is not { IsUpgradableRequest: true }) return null;
        var key = context.Request.Headers.SecWebSocketKey.ToString().Trim();
        if (!IsValidKey(key)) return null;
        var headers = context.Response.Headers;
        headers.Connection = "Upgrade";
        headers.Upgrade = "websocket";
        headers.SecWebSocketAccept = AcceptValue(key);
        if (subProtocol is not null) headers.SecWebSocketProtocol = subProtocol;
        // A socket may stay open for hours: no request timeout applies once upgraded.
        context.Features.Get<Microsoft.AspNetCore.Http.Timeouts.IHttpRequestTimeoutFeature>()?.DisableTimeout();
        return await upgrade.UpgradeAsync().ConfigureAwait(false);
    }

    /// <summary>Sec-WebSocket-Accept: base64(SHA-1(key + the RFC's GUID)).</summary>
    internal static string AcceptValue(string key) =>
        Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + KeyGuid)));

    private static bool IsValidKey(string key)
    {
        Span<byte> decoded = stackalloc byte[24];
        return Convert.TryFromBase64String(key, decoded, out var length) && length == 16;
    }
}
