using System.Runtime.CompilerServices;
using Flint.Engine.Config;

namespace Flint.Engine.Assets;

/// <summary>Where the router sends a request: the Worker, or the asset server.</summary>
public enum AssetRoute { Worker, Assets }

/// <summary>
/// Cloudflare's router in front of a Worker with assets (its router worker): rules of
/// <c>run_worker_first</c> first (<c>!</c> rules to the assets, others to the Worker), then
/// <c>run_worker_first = true</c> to the Worker, then the assets when they have an answer for the
/// request, else the Worker; an assets-only project always gets the assets. For Pages, its routes.
/// </summary>
public sealed class AssetRouting
{
    private static readonly ConditionalWeakTable<WorkerConfig, AssetRouting?> s_byConfig = new();

    private AssetRouting(AssetsConfig assets, AssetSiteOptions site, StaticRouting? rules)
    {
        Assets = assets;
        SiteOptions = site;
        Rules = rules;
    }

    public AssetsConfig Assets { get; }
    public AssetSiteOptions SiteOptions { get; }
    public StaticRouting? Rules { get; }

    /// <summary>The routing of a loaded config (computed once per config); null without assets. Throws <see cref="ConfigException"/> for invalid rules.</summary>
    public static AssetRouting? For(WorkerConfig config) => s_byConfig.GetValue(config, Create);

    private static AssetRouting? Create(WorkerConfig config)
    {
        if (config.Assets is not { } assets) return null;
        var rules = assets.RunWorkerFirstPatterns is { } patterns ? StaticRouting.Parse(patterns) : null;
        var excluded = config.PersistDirectory.StartsWith(assets.Directory.TrimEnd('/') + "/", StringComparison.Ordinal) ? config.PersistDirectory : null;
        var site = new AssetSiteOptions(assets.Directory)
        {
            Mode = assets.Pages is null ? AssetSiteMode.Workers : AssetSiteMode.Pages,
            HtmlHandling = assets.HtmlHandling ?? "auto-trailing-slash",
            NotFoundHandling = assets.NotFoundHandling ?? "none",
            NavigationPrefersAssets = config.Compatibility.IsEnabled("assets_navigation_prefers_asset_serving"),
            HasStaticRouting = rules is not null,
            ExcludedDirectory = excluded,
        };
        return new AssetRouting(assets, site, rules);
    }

    public AssetRoute Route(AssetSite site, AssetRequest request)
    {
        if (Assets.Pages is { } pages) return pages.ToWorker(request.Pathname) ? AssetRoute.Worker : AssetRoute.Assets;
        if (!Assets.HasUserWorker) return AssetRoute.Assets;
        if (Rules is not null)
        {
            if (Rules.ToAssets(request.Pathname)) return AssetRoute.Assets;
            if (Rules.ToWorker(request.Pathname)) return AssetRoute.Worker;
        }
        if (Assets.RunWorkerFirst == true) return AssetRoute.Worker;
        return site.CanFetch(request) ? AssetRoute.Assets : AssetRoute.Worker;
    }
}
