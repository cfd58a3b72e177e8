using Flint.JavaScript.Isolates.Events;
using Flint.Runtime.Cron;
using Flint.Runtime.Workers;
using Microsoft.AspNetCore.Http;

namespace Flint.Server.Dev;

/// <summary>
/// wrangler's endpoints for running the served Worker's scheduled() handler by hand, as
/// <c>wrangler dev --test-scheduled</c> serves them: <c>/__scheduled?cron=…</c> (Miniflare's:
/// "Ran scheduled event", or a 500 with the error) and <c>/cdn-cgi/handler/scheduled?cron=…&amp;time=…</c>
/// (workerd's: "ok" or a 500 "exception").
/// </summary>
internal sealed class ScheduledTestEndpoints(WorkerService worker, CronScheduler scheduler)
{
    public const string Wrangler = "/__scheduled";
    public const string Workerd = "/cdn-cgi/handler/scheduled";

    public static bool Matches(HttpRequest request) =>
        request.Path.Value is Wrangler or Workerd;

    public async Task HandleAsync(HttpContext context)
    {
        var query = context.Request.Query;
        var cron = query["cron"].ToString();
        var workerdStyle = context.Request.Path.Value == Workerd;
        var time = DateTimeOffset.UtcNow;
        // Only workerd's endpoint takes the time (milliseconds since the epoch); Miniflare's ignores it.
        if (workerdStyle && long.TryParse(query["time"].ToString(), out var ms)) time = DateTimeOffset.FromUnixTimeMilliseconds(ms);
        var outcome = await scheduler.FireAsync(worker, new ScheduledEvent(cron, time)).ConfigureAwait(false);
        context.Response.ContentType = "text/plain;charset=UTF-8";
        if (outcome.Ok)
        {
            await context.Response.WriteAsync(workerdStyle ? "ok" : "Ran scheduled event", context.RequestAborted).ConfigureAwait(false);
            return;
        }
        context.Response.StatusCode = 500;
        await context.Response.WriteAsync(workerdStyle ? "exception" : outcome.Error ?? "Error: the scheduled handler failed.", context.RequestAborted).ConfigureAwait(false);
    }
}
