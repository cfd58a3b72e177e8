namespace Flint.Engine.Assets;

/// <summary>What a path resolves to: a file to serve (200, or 404 for a 404 page), or a redirect to a canonical path.</summary>
public sealed record AssetIntent(string? ETag, int Status, string? Redirect, bool FromNotFoundHandling)
{
    public static AssetIntent Serve(string etag, bool notFound = false, bool fromNotFound = false) => new(etag, notFound ? 404 : 200, null, fromNotFound);
    public static AssetIntent RedirectTo(string destination) => new(null, 0, destination, false);
}

/// <summary>
/// Workers assets' <c>html_handling</c> and <c>not_found_handling</c> (Cloudflare's asset worker):
/// which file a decoded path serves, and which paths redirect to the canonical one.
/// <list type="bullet">
/// <item><c>auto-trailing-slash</c> (default): <c>/about</c> serves about.html, <c>/blog/</c> blog/index.html;
/// <c>/about.html</c> → <c>/about</c>, <c>/blog</c> → <c>/blog/</c>, <c>/blog/index.html</c> → <c>/blog/</c>.</item>
/// <item><c>force-trailing-slash</c>: every HTML page at a path ending in <c>/</c>.</item>
/// <item><c>drop-trailing-slash</c>: every HTML page at a path without one (but <c>/</c>).</item>
/// <item><c>none</c>: only exact file paths.</item>
/// </list>
/// A redirect is made only when the destination would serve the very same file (its ETag).
/// Not found: <c>single-page-application</c> serves /index.html (200); <c>404-page</c> the nearest
/// 404.html up the path (404); <c>none</c> nothing.
/// </summary>
public sealed class HtmlHandling(AssetManifest manifest, string htmlHandling, string notFoundHandling)
{
    private string? Exists(string path) => manifest.ETagOf(path);

    public AssetIntent? Resolve(string pathname) => Resolve(pathname, skipRedirects: false, notFoundHandling);

    /// <summary>As <see cref="Resolve(string)"/> with another not_found_handling (the router's check uses "none").</summary>
    public AssetIntent? Resolve(string pathname, string notFound) => Resolve(pathname, skipRedirects: false, notFound);

    private AssetIntent? Resolve(string pathname, bool skipRedirects, string notFound) => htmlHandling switch
    {
        "force-trailing-slash" => ForceTrailingSlash(pathname, skipRedirects, notFound),
        "drop-trailing-slash" => DropTrailingSlash(pathname, skipRedirects, notFound),
        "none" => Exists(pathname) is { } e ? AssetIntent.Serve(e) : NotFound(pathname, notFound),
        _ => AutoTrailingSlash(pathname, skipRedirects, notFound),
    };

    private static string Cut(string s, string suffix) => s[..^suffix.Length];

    private AssetIntent? AutoTrailingSlash(string p, bool skip, string nf)
    {
        AssetIntent? r;
        var exact = Exists(p);
        if (p.EndsWith("/index", StringComparison.Ordinal))
        {
            if (exact is not null) return AssetIntent.Serve(exact);
            if ((r = SafeRedirect($"{p}.html", Cut(p, "index"), skip, nf)) is not null) return r;
            if ((r = SafeRedirect($"{Cut(p, "/index")}.html", Cut(p, "/index"), skip, nf)) is not null) return r;
        }
        else if (p.EndsWith("/index.html", StringComparison.Ordinal))
        {
            if ((r = SafeRedirect(p, Cut(p, "index.html"), skip, nf)) is not null) return r;
            if ((r = SafeRedirect($"{Cut(p, "/index.html")}.html", Cut(p, "/index.html"), skip, nf)) is not null) return r;
        }
        else if (p.EndsWith('/'))
        {
            if (Exists($"{p}index.html") is { } index) return AssetIntent.Serve(index);
            if ((r = SafeRedirect($"{Cut(p, "/")}.html", Cut(p, "/"), skip, nf)) is not null) return r;
        }
        else if (p.EndsWith(".html", StringComparison.Ordinal))
        {
            if ((r = SafeRedirect(p, Cut(p, ".html"), skip, nf)) is not null) return r;
            if ((r = SafeRedirect($"{Cut(p, ".html")}/index.html", $"{Cut(p, ".html")}/", skip, nf)) is not null) return r;
        }
        if (exact is not null) return AssetIntent.Serve(exact);
        if (Exists($"{p}.html") is { } html) return AssetIntent.Serve(html);
        if ((r = SafeRedirect($"{p}/index.html", $"{p}/", skip, nf)) is not null) return r;
        return NotFound(p, nf);
    }

    private AssetIntent? ForceTrailingSlash(string p, bool skip, string nf)
    {
        AssetIntent? r;
        var exact = Exists(p);
        if (p.EndsWith("/index", StringComparison.Ordinal))
        {
            if (exact is not null) return AssetIntent.Serve(exact);
            if ((r = SafeRedirect($"{p}.html", Cut(p, "index"), skip, nf)) is not null) return r;
            if ((r = SafeRedirect($"{Cut(p, "/index")}.html", Cut(p, "index"), skip, nf)) is not null) return r;
        }
        else if (p.EndsWith("/index.html", StringComparison.Ordinal))
        {
            if ((r = SafeRedirect(p, Cut(p, "index.html"), skip, nf)) is not null) return r;
            if ((r = SafeRedirect($"{Cut(p, "/index.html")}.html", Cut(p, "index.html"), skip, nf)) is not null) return r;
        }
        else if (p.EndsWith('/'))
        {
            if (Exists($"{p}index.html") is { } index) return AssetIntent.Serve(index);
            if (Exists($"{Cut(p, "/")}.html") is { } html) return AssetIntent.Serve(html);
        }
        else if (p.EndsWith(".html", StringComparison.Ordinal))
        {
            if ((r = SafeRedirect(p, $"{Cut(p, ".html")}/", skip, nf)) is not null) return r;
            if (exact is not null) return AssetIntent.Serve(exact);
            if ((r = SafeRedirect($"{Cut(p, ".html")}/index.html", $"{Cut(p, ".html")}/", skip, nf)) is not null) return r;
        }
        if (exact is not null) return AssetIntent.Serve(exact);
        if ((r = SafeRedirect($"{p}.html", $"{p}/", skip, nf)) is not null) return r;
        if ((r = SafeRedirect($"{p}/index.html", $"{p}/", skip, nf)) is not null) return r;
        return NotFound(p, nf);
    }

    private AssetIntent? DropTrailingSlash(string p, bool skip, string nf)
    {
        AssetIntent? r;
        var exact = Exists(p);
        if (p.EndsWith("/index", StringComparison.Ordinal))
        {
            if (exact is not null) return AssetIntent.Serve(exact);
            if (p == "/index")
            {
                if ((r = SafeRedirect("/index.html", "/", skip, nf)) is not null) return r;
            }
            else if ((r = SafeRedirect($"{Cut(p, "/index")}.html", Cut(p, "/index"), skip, nf)) is not null) return r;
            else if ((r = SafeRedirect($"{p}.html", Cut(p, "/index"), skip, nf)) is not null) return r;
        }
        else if (p.EndsWith("/index.html", StringComparison.Ordinal))
        {
            if (p == "/index.html")
            {
                if ((r = SafeRedirect("/index.html", "/", skip, nf)) is not null) return r;
            }
            else if ((r = SafeRedirect(p, Cut(p, "/index.html"), skip, nf)) is not null) return r;
            else if (exact is not null) return AssetIntent.Serve(exact);
            else if ((r = SafeRedirect($"{Cut(p, "/index.html")}.html", Cut(p, "/index.html"), skip, nf)) is not null) return r;
        }
        else if (p.EndsWith('/'))
        {
            if (p == "/")
            {
                if (Exists("/index.html") is { } index) return AssetIntent.Serve(index);
            }
            else if ((r = SafeRedirect($"{Cut(p, "/")}.html", Cut(p, "/"), skip, nf)) is not null) return r;
            else if ((r = SafeRedirect($"{Cut(p, "/")}/index.html", Cut(p, "/"), skip, nf)) is not null) return r;
        }
        else if (p.EndsWith(".html", StringComparison.Ordinal))
        {
            if ((r = SafeRedirect(p, Cut(p, ".html"), skip, nf)) is not null) return r;
            if ((r = SafeRedirect($"{Cut(p, ".html")}/index.html", Cut(p, ".html"), skip, nf)) is not null) return r;
        }
        if (exact is not null) return AssetIntent.Serve(exact);
        if (Exists($"{p}.html") is { } html) return AssetIntent.Serve(html);
        if (Exists($"{p}/index.html") is { } dirIndex) return AssetIntent.Serve(dirIndex);
        return NotFound(p, nf);
    }

    private AssetIntent? NotFound(string pathname, string nf)
    {
        switch (nf)
        {
            case "single-page-application":
                return Exists("/index.html") is { } index ? AssetIntent.Serve(index, fromNotFound: true) : null;
            case "404-page":
                var cwd = pathname;
                while (cwd.Length > 0)
                {
                    cwd = cwd[..cwd.LastIndexOf('/')];
                    if (Exists($"{cwd}/404.html") is { } page) return AssetIntent.Serve(page, notFound: true, fromNotFound: true);
                }
                return null;
            default:
                return null;
        }
    }

    /// <summary>A redirect to <paramref name="destination"/> when nothing is there and it would serve <paramref name="file"/>.</summary>
    private AssetIntent? SafeRedirect(string file, string destination, bool skip, string nf)
    {
        if (skip) return null;
        if (Exists(destination) is not null) return null;
        var intent = Resolve(destination, skipRedirects: true, nf);
        return intent?.ETag is { } etag && etag == Exists(file) ? AssetIntent.RedirectTo(destination) : null;
    }
}
