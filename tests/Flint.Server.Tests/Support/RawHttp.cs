using System.IO.Compression;
using System.Net.Sockets;
using System.Text;

namespace Flint.Server.Tests.Support;

/// <summary>A response as read off the wire: status, reason, headers in order (names lower-cased), body as sent.</summary>
public sealed record RawResponse(int Status, string Reason, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body)
{
    public string? Header(string name)
    {
        var values = Headers.Where(h => h.Key == name).Select(h => h.Value).ToList();
        return values.Count == 0 ? null : string.Join(", ", values);
    }

    /// <summary>The body with its Content-Encoding (gzip, br) undone.</summary>
    public byte[] DecodedBody()
    {
        if (Body.Length == 0) return Body;
        Stream? decoder = Header("content-encoding") switch
        {
            "gzip" => new GZipStream(new MemoryStream(Body), CompressionMode.Decompress),
            "br" => new BrotliStream(new MemoryStream(Body), CompressionMode.Decompress),
            _ => null,
        };
        if (decoder is null) return Body;
        using var output = new MemoryStream();
        using (decoder) decoder.CopyTo(output);
        return output.ToArray();
    }
}

/// <summary>
/// HTTP/1.1 over a socket with the request target sent exactly as given (HttpClient would resolve
/// <c>/./a</c> and <c>/b/../a</c> before sending, which is what some asset tests are about).
/// </summary>
public static class RawHttp
{
    public static async Task<RawResponse> SendAsync(Uri server, string method, string target, IEnumerable<KeyValuePair<string, string>>? headers = null, string? body = null)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port, cts.Token);
        await using var stream = client.GetStream();
        var list = headers?.ToList() ?? [];
        var sb = new StringBuilder($"{method} {target} HTTP/1.1\r\n");
        if (!list.Any(h => h.Key.Equals("host", StringComparison.OrdinalIgnoreCase))) sb.Append($"Host: {server.Host}:{server.Port}\r\n");
        foreach (var (k, v) in list) sb.Append($"{k}: {v}\r\n");
        var content = body is null ? null : Encoding.UTF8.GetBytes(body);
        if (content is not null) sb.Append($"Content-Length: {content.Length}\r\n");
        sb.Append("Connection: close\r\n\r\n");
        await stream.WriteAsync(Encoding.UTF8.GetBytes(sb.ToString()), cts.Token);
        if (content is not null) await stream.WriteAsync(content, cts.Token);
        using var all = new MemoryStream();
        await stream.CopyToAsync(all, cts.Token);
        return Parse(all.ToArray(), method == "HEAD");
    }

    private static RawResponse Parse(byte[] data, bool head)
    {
        var end = IndexOf(data, "\r\n\r\n"u8.ToArray(), 0);
        var lines = Encoding.Latin1.GetString(data, 0, end).Split("\r\n");
        var statusLine = lines[0].Split(' ', 3);
        var headers = lines.Skip(1).Select(l => l.Split(':', 2)).Select(p => new KeyValuePair<string, string>(p[0].Trim().ToLowerInvariant(), p[1].Trim())).ToList();
        var body = data[(end + 4)..];
        if (!head && headers.Any(h => h.Key == "transfer-encoding" && h.Value.Contains("chunked", StringComparison.OrdinalIgnoreCase))) body = Dechunk(body);
        // Header values are bytes; most are ASCII, and UTF-8 is what a server sends beyond it.
        headers = headers.Select(h => new KeyValuePair<string, string>(h.Key, Encoding.UTF8.GetString(Encoding.Latin1.GetBytes(h.Value)))).ToList();
        return new RawResponse(int.Parse(statusLine[1]), statusLine.Length > 2 ? statusLine[2] : "", headers, head ? [] : body);
    }

    private static byte[] Dechunk(byte[] body)
    {
        using var output = new MemoryStream();
        var at = 0;
        while (at < body.Length)
        {
            var lineEnd = IndexOf(body, "\r\n"u8.ToArray(), at);
            var size = Convert.ToInt32(Encoding.ASCII.GetString(body, at, lineEnd - at).Split(';')[0], 16);
            if (size == 0) break;
            output.Write(body, lineEnd + 2, size);
            at = lineEnd + 2 + size + 2;
        }
        return output.ToArray();
    }

    private static int IndexOf(byte[] data, byte[] what, int from)
    {
        for (var i = from; i <= data.Length - what.Length; i++)
        {
            if (data.AsSpan(i, what.Length).SequenceEqual(what)) return i;
        }
        return -1;
    }
}
