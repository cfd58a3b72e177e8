using System.Diagnostics;
using Flint.Engine.Assets;
using Flint.Engine.Storage;
using Flint.Runtime.Workers;
using Flint.Server.Ingress;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;

namespace Flint.Server.Assets;

/// <summary>
/// The asset router in front of the Worker, as Cloudflare places it: for a Worker with <c>assets</c>,
/// each request is routed (<see cref="AssetRouting"/>) and either answered from the files by the host,
/// without entering V8, or passed to the Worker's handler. A Worker without assets is not touched.
/// </summary>
public sealed class AssetIngress(WorkerService host, LocalData data, RequestDelegate worker, ILogger<AssetIngress> logger)
{
    public async Task HandleAsync(HttpContext context)
    {
        var config = host.Current.Config;
        if (AssetRouting.For(config) is not { } routing)
        {
            await worker(context).ConfigureAwait(false);
            return;
        }
        var started = Stopwatch.GetTimestamp();
        var directory = data.Assets.Get(routing.SiteOptions);
        var request = ToAssetRequest(context);
        if (routing.Route(directory.Current, request) == AssetRoute.Worker)
        {
            await worker(context).ConfigureAwait(false);
            return;
        }
        AssetResponse response;
        try
        {
            response = directory.Current.Fetch(request);
            await AssetResponseWriter.WriteAsync(context, response).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException && !context.Response.HasStarted)
        {
            // The file went away since the directory was read: read it again and answer from that.
            context.Response.Clear();
            directory.Reload();
            response = directory.Current.Fetch(request);
            await AssetResponseWriter.WriteAsync(context, response).ConfigureAwait(false);
        }
        if (logger.IsEnabled(LogLevel.Information))
        {
            var reason = context.Features.Get<IHttpResponseFeature>()?.ReasonPhrase
                         ?? ReasonPhrases.GetReasonPhrase(context.Response.StatusCode);
            logger.LogInformation("{Method} {Path} {Status} {StatusText} ({Elapsed}ms)", context.Request.Method,
                context.Request.Path.Value + context.Request.QueryString.Value, context.Response.StatusCode, reason,
                Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds));
        }
    }

    /// <summary>The request as the asset server reads it: the URL with the path as the client sent it.</summary>
    internal static AssetRequest ToAssetRequest(HttpContext context)
    {
        var req = context.Request;
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(rawTarget) || rawTarget[0] != '/') rawTarget = req.Path.Value + req.QueryString.Value;
        var headers = req.Headers;
        return new AssetRequest(req.Method, string.Concat(req.Scheme, "://", req.Host.Value, rawTarget),
            name => headers.TryGetValue(name, out var v) && v.Count > 0 ? v.ToString() : null);
    }
}
