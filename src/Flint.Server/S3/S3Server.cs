using System.Net;
using Flint.Engine.R2;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Flint.Server.S3;

/// <summary>
/// The S3-compatible API on a listener of its own (Kestrel), serving the R2 buckets of a data
/// directory to S3 clients (aws CLI, the AWS SDKs, rclone) with the given access keys.
/// </summary>
public sealed class S3Server : IAsyncDisposable
{
    private readonly WebApplication _app;

    private S3Server(WebApplication app, Uri url, S3Credentials credentials)
    {
        _app = app;
        Url = url;
        Credentials = credentials;
    }

    public Uri Url { get; }
    public S3Credentials Credentials { get; }

    /// <summary>Starts listening on <paramref name="ip"/>:<paramref name="port"/> (0 picks a free port).</summary>
    public static async Task<S3Server> StartAsync(IPAddress ip, int port, R2Storage storage, S3Credentials credentials, ILoggerFactory loggers, CancellationToken cancellationToken = default)
    {
        var builder = Ingress.FlintHostOptions.CreateBuilder("flint-s3");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggers);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = null; // objects stream; R2's limits apply in the engine
            k.Listen(ip, port);
        });
        var app = builder.Build();
        var api = new S3Api(storage, new SigV4(credentials, TimeProvider.System), loggers.CreateLogger("flint.s3"));
        app.Run(api.HandleAsync);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new S3Server(app, new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal)), credentials);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
