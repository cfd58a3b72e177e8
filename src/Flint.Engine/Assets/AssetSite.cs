namespace Flint.Engine.Assets;

/// <summary>Which asset server a directory is served by: Workers static assets, or Pages' (<c>flint pages dev</c>).</summary>
public enum AssetSiteMode { Workers, Pages }

/// <summary>How a directory of assets is served. Equal options share one <see cref="AssetSite"/>.</summary>
public sealed record AssetSiteOptions(string Directory)
{
    public AssetSiteMode Mode { get; init; } = AssetSiteMode.Workers;
    public string HtmlHandling { get; init; } = "auto-trailing-slash";
    public string NotFoundHandling { get; init; } = "none";
    /// <summary><c>assets_navigation_prefers_asset_serving</c> (on from 2025-04-01): a browser navigation gets not_found_handling even when a Worker is there.</summary>
    public bool NavigationPrefersAssets { get; init; }
    /// <summary><c>run_worker_first</c> is a list of rules: the router then always keeps not_found_handling.</summary>
    public bool HasStaticRouting { get; init; }
    /// <summary>A directory inside <see cref="Directory"/> never served (Flint's data directory).</summary>
    public string? ExcludedDirectory { get; init; }
}

/// <summary>
/// One directory of assets as read at one moment: its files, its <c>_redirects</c> and <c>_headers</c>,
/// and the asset server that answers from them. Immutable: when files change a new site replaces it.
/// </summary>
public sealed class AssetSite
{
    public const string RedirectsFile = "_redirects";
    public const string HeadersFile = "_headers";
    public const string CacheControl = "public, max-age=0, must-revalidate";

    private readonly HtmlHandling _html;
    private readonly PagesAssetServer? _pages;

    private AssetSite(AssetSiteOptions options, AssetManifest manifest, RedirectRules redirects, HeaderRules headers)
    {
        Options = options;
        Manifest = manifest;
        Redirects = redirects;
        Headers = headers;
        _html = new HtmlHandling(manifest, options.HtmlHandling, options.NotFoundHandling);
        if (options.Mode == AssetSiteMode.Pages) _pages = new PagesAssetServer(this);
    }

    public AssetSiteOptions Options { get; }
    public AssetManifest Manifest { get; }
    public RedirectRules Redirects { get; }
    public HeaderRules Headers { get; }

    /// <summary>Reads the directory. Throws <see cref="Config.ConfigException"/> past Cloudflare's limits.</summary>
    public static AssetSite Load(AssetSiteOptions options)
    {
        var pages = options.Mode == AssetSiteMode.Pages;
        string[] metafiles = pages ? [RedirectsFile, HeadersFile, "_worker.js"] : [AssetManifest.IgnoreFileName, RedirectsFile, HeadersFile];
        var excluded = options.ExcludedDirectory is { } e ? new[] { e } : [];
        var manifest = AssetManifest.Scan(options.Directory, metafiles, excluded, useIgnoreFile: !pages, enforceLimits: !pages, pagesContentTypes: pages);
        var redirectsPath = Path.Combine(manifest.Directory, RedirectsFile);
        var headersPath = Path.Combine(manifest.Directory, HeadersFile);
        var redirects = File.Exists(redirectsPath) ? RedirectRules.Parse(File.ReadAllText(redirectsPath), pages ? null : options.HtmlHandling) : RedirectRules.None;
        var headers = File.Exists(headersPath) ? HeaderRules.Parse(File.ReadAllText(headersPath)) : HeaderRules.None;
        return new AssetSite(options, manifest, redirects, headers);
    }

    /// <summary>
    /// Whether the asset server has something for this request (a file, a redirect, a 405), the
    /// router's check before it hands a request to the Worker. not_found_handling counts only for a
    /// browser navigation (with <c>assets_navigation_prefers_asset_serving</c>) or with rule routing.
    /// </summary>
    public bool CanFetch(AssetRequest request)
    {
        var keepNotFound = Options.HasStaticRouting ||
                           (Options.NavigationPrefersAssets && request.Header("Sec-Fetch-Mode") == "navigate");
        return Answer(request, keepNotFound ? Options.NotFoundHandling : "none", decideOnly: true) is not null;
    }

    /// <summary>The asset server's answer to a request (what <c>env.ASSETS.fetch()</c> returns).</summary>
    public AssetResponse Fetch(AssetRequest request) =>
        _pages is not null ? _pages.Fetch(request) : Answer(request, Options.NotFoundHandling, decideOnly: false) ?? NoIntent(request);

    private AssetResponse NoIntent(AssetRequest request)
    {
        var response = new AssetResponse(404, "Not Found");
        Headers.Apply(request.Hostname, request.Pathname, response.Headers);
        return response;
    }

    /// <summary>The Workers asset worker's handleRequest; null for "no intent" (nothing to serve, no redirect).</summary>
    private AssetResponse? Answer(AssetRequest request, string notFound, bool decideOnly)
    {
        var pathname = request.Pathname;
        var proxied = false;
        if (Redirects.Match(request.Host, request.Hostname, pathname) is { } redirect)
        {
            if (redirect.Status == 200)
            {
                pathname = request.Resolve(redirect.To).Pathname;
                proxied = true;
            }
            else return WithCustomHeaders(request, AssetResponse.Redirect(redirect.Status, Location(request, redirect.To)));
        }
        var decoded = AssetPaths.Decode(pathname);
        var intent = _html.Resolve(decoded, notFound);
        if (intent is null)
            return proxied ? WithCustomHeaders(request, new AssetResponse(404, "Not Found")) : null;
        if (decideOnly) return new AssetResponse(200);
        if (request.Method.ToUpperInvariant() is not ("GET" or "HEAD"))
            return WithCustomHeaders(request, new AssetResponse(405, "Method Not Allowed"));
        var encoded = AssetPaths.Encode(intent.Redirect ?? decoded);
        if ((encoded != pathname && intent.ETag is not null) || intent.Redirect is not null)
            return WithCustomHeaders(request, AssetResponse.Redirect(307, encoded + request.Search));

        var file = Manifest.ByETag(intent.ETag!)!;
        var strong = $"\"{file.ETag}\"";
        var ifNoneMatch = request.Header("If-None-Match") ?? "";
        var head = request.Method.Equals("HEAD", StringComparison.OrdinalIgnoreCase);
        var notModified = ifNoneMatch == strong || ifNoneMatch == "W/" + strong;
        var response = notModified
            ? new AssetResponse(304, "Not Modified")
            : new AssetResponse(intent.Status, intent.Status == 404 ? "Not Found" : null) { File = file, OmitBody = head };
        response.Headers.Add(new("ETag", strong));
        if (file.ContentType is { } type) response.Headers.Add(new("Content-Type", type));
        if (IsCacheable(request)) response.Headers.Add(new("Cache-Control", CacheControl));
        response.Headers.Add(new("CF-Cache-Status", "HIT"));
        return WithCustomHeaders(request, response);
    }

    internal static bool IsCacheable(AssetRequest request) => request.Header("Authorization") is null && request.Header("Range") is null;

    private AssetResponse WithCustomHeaders(AssetRequest request, AssetResponse response)
    {
        Headers.Apply(request.Hostname, request.Pathname, response.Headers);
        return response;
    }

    /// <summary>
    /// A redirect's Location: for the same origin the path, the target's query (else the request's)
    /// and fragment; for another origin the full URL with the same rule for the query.
    /// </summary>
    internal static string Location(AssetRequest request, string to)
    {
        var (origin, path, search, hash) = request.Resolve(to);
        var query = search.Length > 0 ? search : request.Search;
        return origin == request.Origin ? $"{path}{query}{hash}" : $"{origin}{path}{query}{hash}";
    }
}
