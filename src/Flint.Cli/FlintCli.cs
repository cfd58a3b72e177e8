using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using Flint.Engine.Config;
using Flint.JavaScript.Isolates;
using Flint.Server.Dev;
using Flint.Server.S3;
using Microsoft.Extensions.Logging;

namespace Flint.Cli;

/// <summary>The <c>flint</c> command line, shaped like wrangler's.</summary>
public static class FlintCli
{
    public static Task<int> RunAsync(string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        var root = BuildRoot(stdout ?? Console.Out, stderr ?? Console.Error);
        var config = new InvocationConfiguration { Output = stdout ?? Console.Out, Error = stderr ?? Console.Error };
        return root.Parse(args).InvokeAsync(config);
    }

    internal static RootCommand BuildRoot(TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand("Flint: run Cloudflare Workers on your own machine.");
        root.Subcommands.Add(DevCommand(stdout, stderr));
        root.Subcommands.Add(KvCommands.Build(stdout, stderr));
        root.Subcommands.Add(D1Commands.Build(stdout, stderr));
        root.Subcommands.Add(R2Commands.Build(stdout, stderr));
        root.Subcommands.Add(DurableObjectCommands.Build(stdout, stderr));
        root.Subcommands.Add(QueuesCommands.Build(stdout, stderr));
        root.Subcommands.Add(PagesCommands.Build(stdout, stderr));
        return root;
    }

    private static Command DevCommand(TextWriter stdout, TextWriter stderr)
    {
        var target = new Argument<string?>("target")
        {
            Description = "A Worker directory, a wrangler.toml / wrangler.json / wrangler.jsonc file, or a script to run without a config. Defaults to the current directory.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var port = new Option<int?>("--port") { Description = "Port to listen on (default: [dev] port in the config, else 8787)." };
        var ip = new Option<string?>("--ip") { Description = "IP address to listen on (default: [dev] ip in the config, else 127.0.0.1)." };
        var env = new Option<string?>("--env", "-e") { Description = "Use the [env.NAME] section of the config." };
        var vars = new Option<string[]>("--var") { Description = "A var as KEY:VALUE; repeatable. Overrides the config.", AllowMultipleArgumentsPerToken = false };
        var persist = new Option<string?>("--persist-to") { Description = "Directory for local state (default: .flint beside the config)." };
        var compat = new Option<string?>("--compatibility-date") { Description = "Compatibility date (YYYY-MM-DD), overriding the config." };
        var logLevel = new Option<string>("--log-level") { Description = "debug, info, log, warn, error or none.", DefaultValueFactory = _ => "log" };
        logLevel.AcceptOnlyFromAmong("debug", "info", "log", "warn", "error", "none");
        var noWatch = new Option<bool>("--no-watch") { Description = "Do not reload when files change." };
        var isolates = new Option<int>("--isolates")
        {
            Description = "Isolates per Worker (default 1, as wrangler dev: module state is shared by all requests). N > 1 runs a pool, each isolate with its own module state; 0 means one per core.",
            DefaultValueFactory = _ => 1,
        };
        var configs = new Option<string[]>("--config", "-c")
        {
            Description = "A Worker's directory or wrangler config file; repeatable. The first is served, the others are reachable through service bindings (as wrangler dev -c a -c b).",
            AllowMultipleArgumentsPerToken = false,
        };

        var cacheSize = new Option<long?>("--cache-size") { Description = "Most megabytes the Cache API keeps; least recently used entries go first (default: 1024)." };
        var s3Port = new Option<int?>("--s3-port") { Description = "Port of the S3 API over the R2 buckets (default: --port + 1 when the config binds R2 buckets)." };
        var noRestart = new Option<bool>(DevSupervisor.NoRestartOption) { Description = "Do not start the server again when its process dies (by default it restarts on the same port and data)." };

        var dev = new Command("dev", "Serve a Worker locally, reloading when its files change.")
        {
            target, port, ip, env, vars, persist, compat, logLevel, noWatch, isolates, configs, cacheSize, s3Port, noRestart,
        };
        dev.SetAction(async (parse, cancellationToken) =>
        {
            var overrides = new Dictionary<string, string>();
            foreach (var v in parse.GetValue(vars) ?? [])
            {
                var colon = v.IndexOf(':');
                if (colon <= 0)
                {
                    stderr.WriteLine($"✘ [ERROR] --var {v}: expected KEY:VALUE, e.g. --var API_HOST:example.com");
                    return 1;
                }
                overrides[v[..colon]] = v[(colon + 1)..];
            }
            if (parse.GetValue(cacheSize) is <= 0)
            {
                stderr.WriteLine("✘ [ERROR] --cache-size must be a positive number of megabytes, e.g. --cache-size 256");
                return 1;
            }
            IPAddress? address = null;
            if (parse.GetValue(ip) is { } ipText && !IPAddress.TryParse(ipText == "localhost" ? "127.0.0.1" : ipText, out address))
            {
                stderr.WriteLine($"✘ [ERROR] --ip {ipText} is not an IP address. Use e.g. --ip 127.0.0.1");
                return 1;
            }
            var targets = (parse.GetValue(configs) ?? []).ToList();
            if (parse.GetValue(target) is { } positional) targets.Insert(0, positional);
            if (targets.Count == 0) targets.Add(".");
            if (parse.GetValue(isolates) < 0)
            {
                stderr.WriteLine("✘ [ERROR] --isolates must be 0 (one per core) or more.");
                return 1;
            }
            // --env, --var and --compatibility-date apply to the served Worker, as in wrangler's multi-config dev.
            var loaders = targets.Select((t, i) =>
            {
                var configOptions = new ConfigLoadOptions
                {
                    Target = Path.GetFullPath(t),
                    Environment = parse.GetValue(env),
                    VarOverrides = i == 0 ? overrides : new Dictionary<string, string>(),
                    PersistTo = parse.GetValue(persist),
                    CompatibilityDate = i == 0 ? parse.GetValue(compat) : null,
                };
                return (Func<(WorkerConfig, IReadOnlyList<ConfigWarning>)>)(() => ConfigLoader.Load(configOptions));
            }).ToList();
            var options = new DevServerOptions
            {
                LoadConfig = loaders[0],
                AuxiliaryConfigs = loaders.Skip(1).ToList(),
                Ip = address,
                Port = parse.GetValue(port),
                LogLevel = ParseLogLevel(parse.GetValue(logLevel)!),
                Watch = !parse.GetValue(noWatch),
                Isolates = parse.GetValue(isolates),
                S3Port = parse.GetValue(s3Port),
                CacheMaxBytes = parse.GetValue(cacheSize) * 1024 * 1024,
            };
            return await RunDevAsync(options, stdout, stderr, cancellationToken);
        });
        return dev;
    }

    internal static LogLevel ParseLogLevel(string level) => level switch
    {
        "debug" => LogLevel.Debug,
        "info" or "log" => LogLevel.Information,
        "warn" => LogLevel.Warning,
        "error" => LogLevel.Error,
        _ => LogLevel.None,
    };

    internal static async Task<int> RunDevAsync(DevServerOptions options, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        // Under flint dev's supervisor (DevSupervisor): die with it, and note requests in flight for it.
        var supervisor = DevSupervisor.ChildDirectory;
        using var inFlight = supervisor is null ? null : Flint.Server.Ingress.InFlightNote.Create(Path.Combine(supervisor, "inflight"));
        if (supervisor is not null)
        {
            DevSupervisor.DieWithSupervisor();
            options = options with { InFlight = inFlight };
        }
        DevServer server;
        try
        {
            server = await DevServer.StartAsync(options, cancellationToken);
        }
        catch (Exception ex) when (ex is ConfigException or WorkerLoadException or S3PortInUseException or S3CredentialsException)
        {
            stderr.WriteLine($"✘ [ERROR] {ex.Message}");
            return 1;
        }
        catch (IOException ex) when (ex.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } || ex.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
        {
            stderr.WriteLine($"✘ [ERROR] Address {options.Ip?.ToString() ?? "127.0.0.1"}:{options.Port ?? DevServer.DefaultPort} is already in use. Stop what is using it or pass another --port.");
            return 1;
        }
        await using (server)
        {
            var config = server.Worker.Current.Config;
            stdout.WriteLine($"⛅ flint {Version} — {config.Name}");
            foreach (var other in server.Registry.Workers.Where(w => w != server.Worker))
                stdout.WriteLine($"[flint:info] Also running {other.Name} (reachable through service bindings)");
            stdout.WriteLine($"[flint:info] Ready on {server.Url.ToString().TrimEnd('/')}");
            if (server.S3 is { } s3) stdout.WriteLine($"[flint:info] {DescribeS3(s3)}");
            stdout.Flush();
            if (supervisor is not null) DevSupervisor.WriteReady(supervisor, server.Url);
            try
            {
                await server.WaitForShutdownAsync(cancellationToken);
            }
            catch (OperationCanceledException) { }
        }
        return 0;
    }

    /// <summary>The S3 line: where it listens and with which keys (a generated secret is shown; a configured one is not).</summary>
    private static string DescribeS3(Flint.Server.S3.S3Server s3)
    {
        var url = s3.Url.ToString().TrimEnd('/');
        var c = s3.Credentials;
        var key = c.Keys[0];
        if (c.Generated)
            return $"S3 API on {url} — access key ID {key.AccessKeyId}, secret access key {key.SecretAccessKey} " +
                $"(a local pair kept in {c.Source}; set {Flint.Server.S3.S3Credentials.AccessKeyVariable} and {Flint.Server.S3.S3Credentials.SecretKeyVariable} to choose your own)";
        return $"S3 API on {url} — access key ID {key.AccessKeyId}{(c.Keys.Count > 1 ? $" and {c.Keys.Count - 1} more" : "")} (from {c.Source})";
    }

    public static string Version =>
        typeof(FlintCli).Assembly.GetName().Version is { } v ? $"{v.Major}.{v.Minor}.{v.Build}" : "0.0.0";
}
