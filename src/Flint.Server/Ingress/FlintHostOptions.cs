using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;

namespace Flint.Server.Ingress;

/// <summary>How Flint's Kestrel hosts are built.</summary>
internal static class FlintHostOptions
{
    /// <summary>
    /// Options for <see cref="WebApplication.CreateSlimBuilder(WebApplicationOptions)"/> without the
    /// watch on appsettings.json, which Flint does not use: that watch covers the working directory
    /// and every directory under it, the project with its .flint data included, so each write of an
    /// R2 object or a database went through inotify and the watcher's thread (6% of a 100 MiB put).
    /// </summary>
    public static WebApplicationOptions For(string applicationName) =>
        new() { Args = ["--hostBuilder:reloadConfigOnChange=false"], ApplicationName = applicationName };

    /// <summary>A slim builder with Flint's host options and its Kestrel memory pool (<see cref="ReceiveBlockPoolFactory"/>).</summary>
    public static WebApplicationBuilder CreateBuilder(string applicationName)
    {
        var builder = WebApplication.CreateSlimBuilder(For(applicationName));
        builder.Services.AddSingleton<IMemoryPoolFactory<byte>>(ReceiveBlockPoolFactory.Instance);
        return builder;
    }
}
