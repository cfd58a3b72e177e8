using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Microsoft.AspNetCore.Http;

namespace Flint.Server.S3;

/// <summary>S3's XML documents: written small and whole (a listing is at most 1,000 entries), read with limits.</summary>
internal static class S3Xml
{
    public const string Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";
    private static readonly XNamespace s_ns = Namespace;
    private static readonly XmlWriterSettings s_settings = new() { Encoding = new UTF8Encoding(false), Indent = false, Async = true };
    /// <summary>The largest XML request body read (a DeleteObjects of 1,000 long keys, a complete of 10,000 parts).</summary>
    public const int MaxRequestBytes = 2 * 1024 * 1024;

    public static string Date(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static string HttpDate(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("r", CultureInfo.InvariantCulture);

    /// <summary>Writes <paramref name="root"/> (named in S3's namespace) as the response.</summary>
    public static async Task WriteAsync(HttpResponse response, XElement root, int status = 200)
    {
        using var buffer = new MemoryStream();
        await using (var w = XmlWriter.Create(buffer, s_settings))
        {
            await new XDocument(new XDeclaration("1.0", "UTF-8", null), root).SaveAsync(w, CancellationToken.None).ConfigureAwait(false);
        }
        response.StatusCode = status;
        response.ContentType = "application/xml";
        response.ContentLength = buffer.Length;
        await response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length)).ConfigureAwait(false);
    }

    public static XElement E(string name, params object?[] content) => new(s_ns + name, content.Where(c => c is not null));

    /// <summary>An error document, as S3 writes them (not namespaced).</summary>
    public static XElement Error(S3Exception ex, string resource, string requestId, string? bucket, string? key) =>
        new("Error",
            new XElement("Code", ex.Code),
            new XElement("Message", ex.Message),
            bucket is null ? null : new XElement("BucketName", bucket),
            key is null ? null : new XElement("Key", key),
            new XElement("Resource", resource),
            new XElement("RequestId", requestId));

    /// <summary>Reads the request's XML body (at most <see cref="MaxRequestBytes"/>); MalformedXML when it is not XML.</summary>
    public static async Task<XElement> ReadAsync(Stream body, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int n;
        while ((n = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            buffer.Write(chunk, 0, n);
            if (buffer.Length > MaxRequestBytes) throw S3Exception.MalformedXml();
        }
        buffer.Position = 0;
        try
        {
            using var reader = XmlReader.Create(buffer, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
            return XElement.Load(reader);
        }
        catch (XmlException)
        {
            throw S3Exception.MalformedXml();
        }
    }

    /// <summary>Child elements by local name, whatever namespace the client used.</summary>
    public static IEnumerable<XElement> Children(XElement e, string name) => e.Elements().Where(c => c.Name.LocalName == name);

    public static string? Child(XElement e, string name) => Children(e, name).FirstOrDefault()?.Value;
}
