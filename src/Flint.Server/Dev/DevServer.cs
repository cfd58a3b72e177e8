using System.Net;
using Flint.Engine.Config;
using Flint.Engine.Storage;
using Flint.JavaScript.Isolates;
using Flint.Runtime.Cron;
using Flint.Runtime.Queues;
using Flint.Runtime.Workers;
using Flint.Server.Ingress;
using Flint.Server.Logging;
using Flint.Server.S3;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Flint.Server.Dev;

public sealed record DevServerOptions
{
    /// <summary>Loads (and on reload, re-loads) the served Worker's config; throws <see cref="ConfigException"/>.</summary>
    public required Func<(WorkerConfig Config, IReadOnlyList<ConfigWarning> Warnings)> LoadConfig { get; init; }
    /// <summary>
    /// More Workers to run beside it (<c>flint dev -c a -c b</c>, as wrangler's multi-config dev):
    /// reachable through service bindings, not served on the port.
    /// </summary>
    public IReadOnlyList<Func<(WorkerConfig Config, IReadOnlyList<ConfigWarning> Warnings)>> AuxiliaryConfigs { get; init; } = [];
    /// <summary>Address to listen on; null means the config's <c>[dev] ip</c>, else 127.0.0.1.</summary>
    public IPAddress? Ip { get; init; }
    /// <summary>Port to listen on (0 picks a free one); null means the config's <c>[dev] port</c>, else 8787.</summary>
    public int? Port { get; init; }
    public LogLevel LogLevel { get; init; } = LogLevel.Information;
    /// <summary>Reload a Worker when its files, config or .dev.vars change.</summary>
    public bool Watch { get; init; } = true;
    /// <summary>
    /// Isolates per Worker. 1 (the default, as wrangler dev and workerd) shares module state between
    /// all requests; more runs a pool, each isolate with its own module state; 0 means one per core.
    /// </summary>
    public int Isolates { get; init; } = 1;
    /// <summary>Most bytes the Cache API keeps (LRU eviction past it); null means <see cref="Engine.Cache.CacheOptions.DefaultMaxTotalBytes"/>.</summary>
    public long? CacheMaxBytes { get; init; }
    /// <summary>Which addresses Workers' fetch() and WebSockets may reach: any, as in wrangler dev, unless set.</summary>
    public Flint.JavaScript.Web.Network.OutboundPolicy Outbound { get; init; } = Flint.JavaScript.Web.Network.OutboundPolicy.AllowAll;
    /// <summary>
    /// Port of the S3 API (0 picks a free one). Null: the Worker's port + 1 when the config binds
    /// R2 buckets (a free port when the Worker's is 0), else no S3 API.
    /// </summary>
    public int? S3Port { get; init; }
    /// <summary>Where the S3 access keys are looked up (see <see cref="S3Credentials"/>); null means the process environment.</summary>
    public IReadOnlyDictionary<string, string?>? S3Environment { get; init; }
    /// <summary>Notes the requests in flight where a supervisor can read them after a crash; null for none.</summary>
    public InFlightNote? InFlight { get; init; }
    /// <summary>Durable Object timings (eviction, hibernation, alarm retries); Cloudflare's when null.</summary>
    public Flint.Runtime.DurableObjects.DurableObjectOptions? DurableObjects { get; init; }
    /// <summary>Where logs go; null means Flint's console format.</summary>
    public Action<ILoggingBuilder>? ConfigureLogging { get; init; }
}

/// <summary>
/// <c>flint dev</c>: Workers on Kestrel with embedded storage, each reloaded on its own change.
/// The first config's Worker is served; the others are reached through service bindings.
/// </summary>
public sealed class DevServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly WorkerRegistry _registry;
    private readonly List<DevReloader> _reloaders;
    private readonly CronScheduler _scheduler;
    private readonly QueueDispatcher _queues;
    private readonly LocalData _data;

    private DevServer(WebApplication app, WorkerRegistry registry, WorkerService worker, List<DevReloader> reloaders, CronScheduler scheduler, QueueDispatcher queues, LocalData data, Uri url, S3Server? s3)
    {
        S3 = s3;
        _scheduler = scheduler;
        _queues = queues;
        _data = data;
        _app = app;
        _registry = registry;
        Worker = worker;
        _reloaders = reloaders;
        Url = url;
    }

    public Uri Url { get; }
    /// <summary>The Worker served on <see cref="Url"/>.</summary>
    public WorkerService Worker { get; }
    /// <summary>The served Worker, by the name it had when a session held only one (<c>Host.Current.Config</c>).</summary>
    public WorkerService Host => Worker;
    /// <summary>Every Worker of the session, by name.</summary>
    public WorkerRegistry Registry => _registry;
    /// <summary>The S3 API serving the same R2 buckets, when started.</summary>
    public S3Server? S3 { get; }
    public ILoggerFactory Loggers => _app.Services.GetRequiredService<ILoggerFactory>();

    /// <summary>Loads the Workers and starts listening. Throws <see cref="ConfigException"/> or <see cref="WorkerLoadException"/>.</summary>
    public static async Task<DevServer> StartAsync(DevServerOptions options, CancellationToken cancellationToken = default)
    {
        var builder = Ingress.FlintHostOptions.CreateBuilder("flint");
        builder.Logging.ClearProviders();
        if (options.ConfigureLogging is not null) options.ConfigureLogging(builder.Logging);
        else
        {
            builder.Logging.AddConsole(o => o.FormatterName = FlintConsoleFormatter.Name)
                .AddConsoleFormatter<FlintConsoleFormatter, ConsoleFormatterOptions>();
        }
        builder.Logging.SetMinimumLevel(options.LogLevel);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        // The configs come first: the served one's [dev] section may choose the address.
        var loaders = new List<Func<(WorkerConfig, IReadOnlyList<ConfigWarning>)>> { options.LoadConfig };
        loaders.AddRange(options.AuxiliaryConfigs);
        var loaded = loaders.Select(load => load()).ToList();
        var config = loaded[0].Item1;
        var ip = options.Ip ?? ParseIp(config.Dev.Ip) ?? IPAddress.Loopback;
        var port = options.Port ?? config.Dev.Port ?? DefaultPort;
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = null; // bodies stream; the Worker decides what to accept
            k.Listen(ip, port);
        });

        var app = builder.Build();
        var loggers = app.Services.GetRequiredService<ILoggerFactory>();
        var log = loggers.CreateLogger("flint");

        // The served Worker's data directory holds every Worker's state for the whole session,
        // reloads included, so Workers that bind the same namespace or database share it.
        var data = new LocalData(config.PersistDirectory,
            cache: options.CacheMaxBytes is { } maxCache ? new Engine.Cache.CacheOptions { MaxTotalBytes = maxCache } : null);
        data.Assets.Watch = options.Watch;
        data.Assets.Log = loggers.CreateLogger("flint");
        var registry = new WorkerRegistry { MissingWorkerHint = name => MissingConfigHint(name, loaded.Select(l => l.Item1).ToList()) };
        if (options.DurableObjects is { } objectOptions) registry.DurableObjects = new Flint.Runtime.DurableObjects.DurableObjectDirectory(registry, data, loggers, objectOptions);
        var services = new List<WorkerService>();
        QueueDispatcher queues;
        try
        {
            foreach (var (workerConfig, warnings) in loaded)
            {
                foreach (var w in warnings) log.LogWarning("{Warning}", w.Message);
                services.Add(registry.Add(await WorkerVersion.LoadAsync(workerConfig, loggers, data, options.Isolates, options.Outbound, registry).ConfigureAwait(false)));
            }
            WarnUnboundServices(registry, log);
            queues = new QueueDispatcher(registry, data.Queues, TimeProvider.System, log);
        }
        catch
        {
            registry.Dispose();
            data.Dispose();
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        var served = services[0];
        var handler = new WorkerRequestHandler(served, loggers.CreateLogger<WorkerRequestHandler>(), options.InFlight);
        var scheduler = new CronScheduler(registry, TimeProvider.System, loggers.CreateLogger("flint"));
        var testScheduled = new ScheduledTestEndpoints(served, scheduler);
        app.UseWebSockets();
        // Static assets are routed and served in front of the served Worker, as on Cloudflare; then
        // wrangler's scheduled test endpoints, then the Worker.
        var assets = new Assets.AssetIngress(served, data, context => ScheduledTestEndpoints.Matches(context.Request) ? testScheduled.HandleAsync(context) : handler.HandleAsync(context),
            loggers.CreateLogger<Assets.AssetIngress>());
        app.Run(assets.HandleAsync);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // e.g. the port is taken: free the isolates and stores before reporting it.
            scheduler.Dispose();
            queues.Dispose();
            registry.Dispose();
            data.Dispose();
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var url = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        S3Server? s3 = null;
        // The S3 API serves the session's R2 buckets when any Worker binds one (or a port is asked for).
        if (options.S3Port is not null || loaded.Any(l => l.Item1.Bindings.R2Buckets.Count > 0))
        {
            try
            {
                s3 = await StartS3Async(options, ip, port == 0 ? 0 : url.Port + 1, data, loggers, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await app.StopAsync().ConfigureAwait(false);
                scheduler.Dispose();
                queues.Dispose();
                registry.Dispose();
                data.Dispose();
                await app.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
        scheduler.Start();
        registry.DurableObjects?.Start();
        queues.Start();
        var reloaders = new List<DevReloader>();
        if (options.Watch)
        {
            for (var i = 0; i < services.Count; i++)
            {
                var reloader = new DevReloader(loaders[i], services[i], loggers, data, options.Isolates, options.Outbound, registry);
                reloader.Start();
                reloaders.Add(reloader);
            }
        }
        return new DevServer(app, registry, served, reloaders, scheduler, queues, data, url, s3);
    }
    private static async Task<S3Server> StartS3Async(DevServerOptions options, IPAddress ip, int defaultPort, LocalData data, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var environment = options.S3Environment ?? Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value);
        var credentials = S3Credentials.Resolve(data.Directory, environment);
        var port = options.S3Port ?? defaultPort;
        try
        {
            return await S3Server.StartAsync(ip, port, data.R2, credentials, loggers, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            throw new S3PortInUseException($"Address {ip}:{port} for the S3 API is already in use. Stop what is using it or pass another --s3-port.", ex);
        }
    }

    public const int DefaultPort = 8787;

    /// <summary>Says which service bindings point at Workers this session does not run, and how to add them.</summary>
    private static void WarnUnboundServices(WorkerRegistry registry, ILogger log)
    {
        foreach (var service in registry.Workers)
        {
            foreach (var binding in service.Current.Config.Bindings.Services)
            {
                if (registry.Find(binding.Service) is not null) continue;
                log.LogWarning("env.{Binding} of {Worker} is bound to Worker \"{Service}\", which is not running: calls through it fail. {Hint}",
                    binding.Binding, service.Name, binding.Service, registry.MissingWorkerHint?.Invoke(binding.Service));
            }
        }
    }

    /// <summary>
    /// The <c>-c</c> to add for a Worker this session does not run: a config nearby that declares
    /// that name (in a sibling or child directory of a running Worker's config), else a pattern.
    /// </summary>
    internal static string MissingConfigHint(string name, IReadOnlyList<WorkerConfig> running)
    {
        var given = running.Select(c => c.ConfigPath ?? c.Main).ToList();
        var found = ConfigFinder.FindByName(name, running.Select(c => c.BaseDirectory));
        var args = string.Join(" ", given.Select(p => "-c " + Relative(p)));
        return found is not null
            ? $"Run it in this session too: flint dev {args} -c {Relative(found)}"
            : $"Run it in this session too by adding its config: flint dev {args} -c path/to/{name}/wrangler.toml";
    }

    private static string Relative(string path)
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, path);
        return relative.Contains(' ') ? $"\"{relative}\"" : relative;
    }

    private static IPAddress? ParseIp(string? text) =>
        text is null ? null : text == "localhost" ? IPAddress.Loopback : IPAddress.TryParse(text, out var ip) ? ip : null;

    public Task WaitForShutdownAsync(CancellationToken cancellationToken) => Microsoft.Extensions.Hosting.HostingAbstractionsHostExtensions.WaitForShutdownAsync(_app, cancellationToken);

    /// <summary>Runs the Workers' cron triggers.</summary>
    public CronScheduler Scheduler => _scheduler;

    /// <summary>Delivers the Workers' queues to their consumers.</summary>
    public QueueDispatcher Queues => _queues;

    public async ValueTask DisposeAsync()
    {
        _scheduler.Dispose();
        _queues.Dispose();
        foreach (var reloader in _reloaders) reloader.Dispose();
        if (S3 is not null) await S3.DisposeAsync().ConfigureAwait(false);
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        // Durable Objects commit and close their storage before their isolates go.
        if (_registry.DurableObjects is { } objects) await objects.DisposeAsync().ConfigureAwait(false);
        _registry.Dispose();
        _data.Dispose();
    }
}

/// <summary>The S3 API's port is taken; the message names it and the fix.</summary>
public sealed class S3PortInUseException(string message, Exception inner) : IOException(message, inner);
