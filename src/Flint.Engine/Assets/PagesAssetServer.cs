using System.Text.RegularExpressions;

namespace Flint.Engine.Assets;

/// <summary>
/// Pages' asset server (what <c>wrangler pages dev</c> serves a directory with, and what a Pages
/// project's <c>env.ASSETS</c> is): <c>_redirects</c> first, then its own HTML rules with 308s
/// (<c>/about.html</c> → <c>/about</c>, <c>/blog</c> → <c>/blog/</c>, <c>/index</c> → <c>/</c>), the nearest
/// <c>404.html</c> up the path for a missing page, and without one the site as a single-page app
/// (<c>/index.html</c> for every missing path). Every answer below 500 gets Pages' headers
/// (<c>access-control-allow-origin: *</c>, <c>referrer-policy</c>, <c>x-content-type-options</c>), then
/// <c>_headers</c>; a 404 gets <c>cache-control: no-store</c>.
/// </summary>
internal sealed partial class PagesAssetServer(AssetSite site)
{
    private AssetManifest Manifest => site.Manifest;

    [GeneratedRegex(@"^(/|%2F|%2f|%5C|%5c|%09|\s|\\)+(.*)", RegexOptions.Singleline)]
    private static partial Regex LeadingSlashes();

    public AssetResponse Fetch(AssetRequest request)
    {
        var response = Generate(request);
        if (response.Status >= 500) return response;
        var headers = response.Headers;
        headers.Set("access-control-allow-origin", "*");
        headers.Set("referrer-policy", "strict-origin-when-cross-origin");
        if (headers.Has("content-type")) headers.Set("x-content-type-options", "nosniff");
        site.Headers.Apply(request.Hostname, request.Pathname, headers);
        if (response.Status == 404)
        {
            headers.Remove("cache-control");
            headers.Append("cache-control", "no-store");
        }
        return response;
    }

    private AssetResponse Generate(AssetRequest request)
    {
        var pathname = request.Pathname;
        var search = request.Search;
        if (site.Redirects.Match(request.Host, request.Hostname, pathname, asWritten: true) is { } match)
        {
            if (match.Status == 200) pathname = request.Resolve(match.To).Pathname;
            else return Redirect(match.Status, AssetSite.Location(request, match.To), stripLeadingSlashes: false);
        }
        if (request.Method.ToUpperInvariant() is not ("GET" or "HEAD")) return new AssetResponse(405, "Method Not Allowed");
        pathname = AssetPaths.DecodeComponent(pathname) ?? pathname;

        AssetFile? file;
        if (pathname.EndsWith('/'))
        {
            if ((file = Find($"{pathname}index.html")) is not null) return Serve(request, file);
            if (pathname.EndsWith("/index/", StringComparison.Ordinal)) return Redirect(308, $"/{pathname[1..^"index/".Length]}{search}");
            if (Find(pathname[..^1] + ".html") is not null) return Redirect(308, $"/{pathname[1..^1]}{search}");
            return NotFound(request, pathname);
        }
        if ((file = Find(pathname)) is not null)
        {
            if (!pathname.EndsWith(".html", StringComparison.Ordinal)) return Serve(request, file);
            var extensionless = pathname[..^".html".Length];
            if (extensionless.EndsWith("/index", StringComparison.Ordinal))
                return Redirect(308, $"{extensionless[..^"index".Length]}{search}");
            if (Find(extensionless) is not null || extensionless == "/") return Serve(request, file);
            return Redirect(308, $"{extensionless}{search}");
        }
        if (pathname.EndsWith("/index", StringComparison.Ordinal)) return Redirect(308, $"/{pathname[1..^"index".Length]}{search}");
        if ((file = Find($"{pathname}.html")) is not null) return Serve(request, file);
        if (Find($"{pathname}/index.html") is not null) return Redirect(308, $"{pathname}/{search}");
        return NotFound(request, pathname);
    }

    /// <summary>The file at a path, if it is one of the site's (never outside the directory: paths come from the manifest).</summary>
    private AssetFile? Find(string path) => Manifest.Get(path);

    private AssetResponse NotFound(AssetRequest request, string pathname)
    {
        var cwd = pathname;
        while (cwd.Length > 0)
        {
            var slash = cwd.LastIndexOf('/');
            cwd = slash < 0 ? cwd[..^1] : cwd[..slash];
            if (Find($"{cwd}/404.html") is { } page)
            {
                if (!AcceptsIdentity(request)) return new AssetResponse(406, "Not Acceptable");
                var r = new AssetResponse(404, "Not Found") { File = page, OmitBody = IsHead(request) };
                r.Headers.Add(new("content-type", page.ContentType!));
                return r;
            }
        }
        // No 404 page: Pages serves the site as a single-page app.
        if (Find("/index.html") is { } index) return Serve(request, index);
        return new AssetResponse(404, "Not Found");
    }

    private static bool IsHead(AssetRequest request) => request.Method.Equals("HEAD", StringComparison.OrdinalIgnoreCase);

    private AssetResponse Serve(AssetRequest request, AssetFile file)
    {
        if (!AcceptsIdentity(request)) return new AssetResponse(406, "Not Acceptable");
        var etag = $"\"{file.ETag}\"";
        var ifNoneMatch = request.Header("if-none-match");
        if (ifNoneMatch == etag || ifNoneMatch == "W/" + etag) return new AssetResponse(304, "Not Modified");
        var response = new AssetResponse(200, "OK") { File = file, OmitBody = IsHead(request) };
        response.Headers.Add(new("etag", etag));
        response.Headers.Add(new("content-type", file.ContentType!));
        response.Headers.Add(new("x-server-env", "dev"));
        if (AssetSite.IsCacheable(request)) response.Headers.Add(new("cache-control", AssetSite.CacheControl));
        return response;
    }

    /// <summary>Pages refuses (406) a client that accepts no identity encoding: <c>identity;q=0</c>, or <c>*;q=0</c> without identity.</summary>
    private static bool AcceptsIdentity(AssetRequest request)
    {
        var weights = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var element in (request.Header("accept-encoding") ?? "").Replace(" ", "").Replace("\t", "").Split(','))
        {
            var parts = element.Split(";q=");
            weights[parts[0]] = parts.Length > 1 && double.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out var w) ? w : 1;
        }
        return !(weights.TryGetValue("identity", out var identity) && identity == 0) &&
               !(weights.TryGetValue("*", out var any) && any == 0 && !weights.ContainsKey("identity"));
    }

    /// <summary>Pages' redirects: 301, 302, 303 and 307 with a "Redirecting to …" body, 308 without.</summary>
    private static AssetResponse Redirect(int status, string location, bool stripLeadingSlashes = true)
    {
        if (stripLeadingSlashes) location = LeadingSlashes().Replace(location, "/$2");
        var response = AssetResponse.Redirect(status is 301 or 303 or 307 or 308 ? status : 302, location);
        if (response.Status == 308) return response;
        var withBody = new AssetResponse(response.Status, response.StatusText) { Text = $"Redirecting to {location}" };
        withBody.Headers.Add(new("location", location));
        withBody.Headers.Add(new("content-type", "text/plain;charset=UTF-8"));
        return withBody;
    }
}
