using System.Net;
using Flint.Engine.Config;
using Flint.Engine.Storage;
using Flint.JavaScript.Isolates;
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
    /// <summary>Loads (and on reload, re-loads) the Worker's config; throws <see cref="ConfigException"/>.</summary>
    public required Func<(WorkerConfig Config, IReadOnlyList<ConfigWarning> Warnings)> LoadConfig { get; init; }
    /// <summary>Address to listen on; null means the config's <c>[dev] ip</c>, else 127.0.0.1.</summary>
    public IPAddress? Ip { get; init; }
    /// <summary>Port to listen on (0 picks a free one); null means the config's <c>[dev] port</c>, else 8787.</summary>
    public int? Port { get; init; }
    public LogLevel LogLevel { get; init; } = LogLevel.Information;
    /// <summary>Reload when the Worker's files, config or .dev.vars change.</summary>
    public bool Watch { get; init; } = true;
    /// <summary>Isolates per version; 0 means one per core.</summary>
    public int Isolates { get; init; }
    /// <summary>Most bytes the Cache API keeps (LRU eviction past it); null means <see cref="Engine.Cache.CacheOptions.DefaultMaxTotalBytes"/>.</summary>
    public long? CacheMaxBytes { get; init; }
    /// <summary>Which addresses Workers' fetch() and WebSockets may reach: any, as in wrangler dev, unless set.</summary>
    public Flint.JavaScript.Web.Network.OutboundPolicy Outbound { get; init; } = Flint.JavaScript.Web.Network.OutboundPolicy.AllowAll;
    /// <summary>Where logs go; null means Flint's console format.</summary>
    public Action<ILoggingBuilder>? ConfigureLogging { get; init; }
    /// <summary>
    /// Port of the S3 API (0 picks a free one). Null: the Worker's port + 1 when the config binds
    /// R2 buckets (a free port when the Worker's is 0), else no S3 API.
    /// </summary>
    public int? S3Port { get; init; }
    /// <summary>Where the S3 access keys are looked up (see <see cref="S3Credentials"/>); null means the process environment.</summary>
    public IReadOnlyDictionary<string, string?>? S3Environment { get; init; }
    /// <summary>Notes the requests in flight where a supervisor can read them after a crash; null for none.</summary>
    public InFlightNote? InFlight { get; init; }
}

/// <summary>
/// <c>flint dev</c>: one Worker on Kestrel with embedded storage, reloaded on change.
/// </summary>
public sealed class DevServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly WorkerHost _host;
    private readonly DevReloader? _reloader;

    private readonly LocalData _data;

    private DevServer(WebApplication app, WorkerHost host, DevReloader? reloader, LocalData data, Uri url, S3Server? s3)
    {
        S3 = s3;
        _data = data;
        _app = app;
        _host = host;
        _reloader = reloader;
        Url = url;
    }

    public Uri Url { get; }
    /// <summary>The S3 API serving the same R2 buckets, when started.</summary>
    public S3Server? S3 { get; }
    public WorkerHost Host => _host;
    public ILoggerFactory Loggers => _app.Services.GetRequiredService<ILoggerFactory>();

    /// <summary>Loads the Worker and starts listening. Throws <see cref="ConfigException"/> or <see cref="WorkerLoadException"/>.</summary>
    public static async Task<DevServer> StartAsync(DevServerOptions options, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ApplicationName = "flint" });
        builder.Logging.ClearProviders();
        if (options.ConfigureLogging is not null) options.ConfigureLogging(builder.Logging);
        else
        {
            builder.Logging.AddConsole(o => o.FormatterName = FlintConsoleFormatter.Name)
                .AddConsoleFormatter<FlintConsoleFormatter, ConsoleFormatterOptions>();
        }
        builder.Logging.SetMinimumLevel(options.LogLevel);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        // The config comes first: its [dev] section may choose the address.
        var (config, warnings) = options.LoadConfig();
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

        WorkerHost host;
        // The data directory of the first load serves the whole session, reloads included.
        var data = new LocalData(config.PersistDirectory,
            cache: options.CacheMaxBytes is { } maxCache ? new Engine.Cache.CacheOptions { MaxTotalBytes = maxCache } : null);
        data.Assets.Watch = options.Watch;
        data.Assets.Log = loggers.CreateLogger("flint");
        try
        {
            foreach (var w in warnings) log.LogWarning("{Warning}", w.Message);
            host = new WorkerHost(await WorkerVersion.LoadAsync(config, loggers, data, options.Isolates, options.Outbound).ConfigureAwait(false));
        }
        catch
        {
            data.Dispose();
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        var handler = new WorkerRequestHandler(host, loggers.CreateLogger<WorkerRequestHandler>(), options.InFlight);
        app.UseWebSockets();
        // Static assets are routed and served in front of the Worker, as on Cloudflare.
        app.Run(new Assets.AssetIngress(host, data, handler.HandleAsync, loggers.CreateLogger<Assets.AssetIngress>()).HandleAsync);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // e.g. the port is taken: free the isolates and stores before reporting it.
            host.Dispose();
            data.Dispose();
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var url = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        S3Server? s3 = null;
        if (options.S3Port is not null || config.Bindings.R2Buckets.Count > 0)
        {
            try
            {
                s3 = await StartS3Async(options, ip, port == 0 ? 0 : url.Port + 1, data, loggers, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await app.StopAsync().ConfigureAwait(false);
                host.Dispose();
                data.Dispose();
                await app.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
        var reloader = options.Watch ? new DevReloader(options.LoadConfig, host, loggers, data, options.Isolates, options.Outbound) : null;
        reloader?.Start();
        return new DevServer(app, host, reloader, data, url, s3);
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

    private static IPAddress? ParseIp(string? text) =>
        text is null ? null : text == "localhost" ? IPAddress.Loopback : IPAddress.TryParse(text, out var ip) ? ip : null;

    public Task WaitForShutdownAsync(CancellationToken cancellationToken) => Microsoft.Extensions.Hosting.HostingAbstractionsHostExtensions.WaitForShutdownAsync(_app, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        _reloader?.Dispose();
        if (S3 is not null) await S3.DisposeAsync().ConfigureAwait(false);
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _host.Dispose();
        _data.Dispose();
    }
}

/// <summary>The S3 API's port is taken; the message names it and the fix.</summary>
public sealed class S3PortInUseException(string message, Exception inner) : IOException(message, inner);
