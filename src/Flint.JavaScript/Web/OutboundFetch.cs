using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Flint.JavaScript.Web;

/// <summary>What a Worker's fetch() asks the host to send.</summary>
internal sealed record OutboundRequest(string Method, string Url, IReadOnlyList<string> Headers, HttpContent? Content, bool ManualRedirect)
{
    /// <summary>What the Worker asked of the cache (cf options, the Request's cache mode); null: straight to the origin.</summary>
    public Engine.Cache.SubrequestCacheRequest? Cache { get; init; }
}

/// <summary>fetch() rejects with this message as a TypeError, as workerd words it.</summary>
internal sealed class OutboundFetchException(string message) : Exception(message);

/// <summary>The head of a fetched response; the body stays in the host until the Worker reads it.</summary>
internal sealed record OutboundResponse(int Status, string StatusText, string Url, bool Redirected, IReadOnlyList<string> Headers, Stream? Body, IDisposable Owner);

/// <summary>
/// Sends Workers' subrequests through their outbound policy's client (one connection pool per
/// policy, shared across isolates; see <see cref="Network.OutboundPolicy"/>), following redirects
/// itself so `redirect: "manual"` and `response.redirected` behave as in workerd.
/// </summary>
internal static class OutboundFetch
{
    private const int MaxRedirects = 20;

    // Headers the host sets itself, as workerd does.
    private static readonly HashSet<string> s_dropped = new(StringComparer.OrdinalIgnoreCase)
    {
        "host", "connection", "keep-alive", "transfer-encoding", "content-length", "upgrade", "proxy-connection",
    };

    public static async Task<OutboundResponse> SendAsync(Network.OutboundPolicy policy, OutboundRequest request, CancellationToken cancellationToken)
    {
        var method = new HttpMethod(request.Method);
        var uri = new Uri(request.Url);
        var content = request.Content;
        var redirected = false;
        for (var hop = 0; ; hop++)
        {
            using var message = new HttpRequestMessage(method, HttpForm(uri)) { Content = content, Version = HttpVersion.Version11 };
            for (var i = 0; i + 1 < request.Headers.Count; i += 2)
            {
                var name = request.Headers[i];
                if (s_dropped.Contains(name)) continue;
                if (!message.Headers.TryAddWithoutValidation(name, request.Headers[i + 1]))
                {
                    message.Content ??= new ByteArrayContent([]);
                    message.Content.Headers.TryAddWithoutValidation(name, request.Headers[i + 1]);
                }
            }
            var response = await policy.Client.SendAsync(message, cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (!request.ManualRedirect && status is 301 or 302 or 303 or 307 or 308 && response.Headers.NonValidated.TryGetValues("location", out var locations))
            {
                response.Dispose();
                if (hop >= MaxRedirects) throw new HttpRequestException("Too many redirects.");
                uri = RedirectTarget(uri, locations.FirstOrDefault() ?? "");
                redirected = true;
                // 303, and 301/302 after POST, become a GET without a body (Fetch's rule).
                if (status == 303 && method != HttpMethod.Head || (status is 301 or 302 && method == HttpMethod.Post))
                {
                    method = HttpMethod.Get;
                    content = null;
                }
                else if (content is StreamContent)
                {
                    throw new HttpRequestException("Cannot follow a redirect with a streamed request body; use redirect: \"manual\".");
                }
                continue;
            }
            var headers = new List<string>();
            AddHeaders(headers, response.Headers);
            AddHeaders(headers, response.Content.Headers);
            var noBody = status is 101 or 204 or 205 or 304 || method == HttpMethod.Head;
            var body = noBody ? null : await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            // workerd decodes gzip and br bodies and keeps the headers as they came.
            if (body is not null && Compression.ContentEncoding.Handled(HeaderValue(headers, "content-encoding")) is { } coding)
            {
                body = Compression.ContentEncoding.Decode(coding, body);
            }
            return new OutboundResponse(status, response.ReasonPhrase ?? "", uri.AbsoluteUri, redirected, headers, body, response);
        }
    }

    /// <summary>Where a redirect goes, refused as workerd refuses it when fetch() cannot load that URL.</summary>
    private static Uri RedirectTarget(Uri from, string location)
    {
        if (!Uri.TryCreate(from, location, out var target)) throw new OutboundFetchException(InvalidLocation);
        return target.Scheme switch
        {
            "http" or "https" or "ws" or "wss" => target,
            // workerd's HTTP client tries these and loses the connection (for file: it fails inside).
            "ftp" or "file" => throw new HttpRequestException($"A redirect to {target.Scheme}: cannot be followed."),
            _ => throw new OutboundFetchException(InvalidLocation),
        };
    }

    private const string InvalidLocation = "Invalid Location header; unable to follow redirect.";

    /// <summary>ws: and wss: are fetched as http: and https: (workerd follows a redirect to them so).</summary>
    private static Uri HttpForm(Uri uri) => uri.Scheme switch
    {
        "ws" => new UriBuilder(uri) { Scheme = "http", Port = uri.IsDefaultPort ? -1 : uri.Port }.Uri,
        "wss" => new UriBuilder(uri) { Scheme = "https", Port = uri.IsDefaultPort ? -1 : uri.Port }.Uri,
        _ => uri,
    };

    private static string? HeaderValue(List<string> flat, string name)
    {
        for (var i = 0; i + 1 < flat.Count; i += 2)
        {
            if (flat[i] == name) return flat[i + 1];
        }
        return null;
    }

    private static void AddHeaders(List<string> flat, HttpHeaders headers)
    {
        foreach (var (name, values) in headers.NonValidated)
        {
            if (string.Equals(name, "transfer-encoding", StringComparison.OrdinalIgnoreCase)) continue;
            foreach (var value in values)
            {
                flat.Add(name.ToLowerInvariant());
                flat.Add(value);
            }
        }
    }

    /// <summary>The response head as the one string fetch() parses: status, text, url, redirected, body id, headers.</summary>
    public static string EncodeHead(OutboundResponse r, int bodyId)
    {
        var sb = new StringBuilder();
        sb.Append(r.Status).Append('\n').Append(r.StatusText.Replace('\n', ' ')).Append('\n').Append(r.Url).Append('\n')
          .Append(r.Redirected ? '1' : '0').Append('\n').Append(bodyId);
        foreach (var h in r.Headers) sb.Append('\n').Append(h.Replace('\n', ' '));
        return sb.ToString();
    }
}
