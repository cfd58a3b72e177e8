using System.CommandLine;
using System.Net;
using Flint.Engine.Config;
using Flint.Server.Dev;
using Flint.Server.Pages;

namespace Flint.Cli;

/// <summary><c>flint pages dev</c>, shaped like <c>wrangler pages dev</c>.</summary>
internal static class PagesCommands
{
    public const int DefaultPort = 8788;

    public static Command Build(TextWriter stdout, TextWriter stderr)
    {
        var pages = new Command("pages", "Pages projects: static assets with Functions.");
        pages.Subcommands.Add(Dev(stdout, stderr));
        return pages;
    }

    private static Command Dev(TextWriter stdout, TextWriter stderr)
    {
        var directory = new Argument<string?>("directory")
        {
            Description = "The directory of static assets to serve (default: pages_build_output_dir in the project's wrangler config).",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var port = new Option<int?>("--port") { Description = $"Port to listen on (default: {DefaultPort})." };
        var ip = new Option<string?>("--ip") { Description = "IP address to listen on (default: 127.0.0.1)." };
        var compat = new Option<string?>("--compatibility-date") { Description = "Compatibility date (YYYY-MM-DD), overriding the config." };
        var flags = new Option<string[]>("--compatibility-flags", "--compatibility-flag") { Description = "Compatibility flags, overriding the config; repeatable.", AllowMultipleArgumentsPerToken = true };
        var bindings = new Option<string[]>("--binding", "-b") { Description = "A var as KEY=VALUE; repeatable." };
        var kv = new Option<string[]>("--kv", "-k") { Description = "A KV namespace to bind: BINDING or BINDING=ID; repeatable." };
        var d1 = new Option<string[]>("--d1") { Description = "A D1 database to bind: BINDING or BINDING=ID; repeatable." };
        var persist = new Option<string?>("--persist-to") { Description = "Directory for local state (default: .flint in the project)." };
        var logLevel = new Option<string>("--log-level") { Description = "debug, info, log, warn, error or none.", DefaultValueFactory = _ => "log" };
        logLevel.AcceptOnlyFromAmong("debug", "info", "log", "warn", "error", "none");
        var noWatch = new Option<bool>("--no-watch") { Description = "Do not reload when files change." };
        var noBundle = new Option<bool>("--no-bundle") { Description = "Run _worker.js as it is, without bundling it." };
        var isolates = new Option<int>("--isolates") { Description = "Isolates for the Worker (default: one per core).", DefaultValueFactory = _ => 0 };
        var dev = new Command("dev", "Serve a Pages project locally: its static assets, Functions or _worker.js, reloading when they change.")
        {
            directory, port, ip, compat, flags, bindings, kv, d1, persist, logLevel, noWatch, noBundle, isolates,
        };
        dev.SetAction(async (parse, cancellationToken) =>
        {
            var vars = new Dictionary<string, string>();
            foreach (var b in parse.GetValue(bindings) ?? [])
            {
                var eq = b.IndexOf('=');
                if (eq <= 0)
                {
                    stderr.WriteLine($"✘ [ERROR] --binding {b}: expected KEY=VALUE, e.g. --binding API_HOST=example.com");
                    return 1;
                }
                vars[b[..eq]] = b[(eq + 1)..];
            }
            IPAddress? address = null;
            if (parse.GetValue(ip) is { } ipText && !IPAddress.TryParse(ipText == "localhost" ? "127.0.0.1" : ipText, out address))
            {
                stderr.WriteLine($"✘ [ERROR] --ip {ipText} is not an IP address. Use e.g. --ip 127.0.0.1");
                return 1;
            }
            var project = Environment.CurrentDirectory;
            var pagesOptions = new PagesDevOptions
            {
                ProjectDirectory = project,
                Directory = parse.GetValue(directory) is { } d ? Path.GetFullPath(d) : null,
                Config = new ConfigLoadOptions
                {
                    Target = project,
                    PersistTo = parse.GetValue(persist),
                    CompatibilityDate = parse.GetValue(compat),
                    CompatibilityFlags = parse.GetValue(flags) is { Length: > 0 } f ? f : null,
                },
                Bindings = vars,
                Kv = parse.GetValue(kv) ?? [],
                D1 = parse.GetValue(d1) ?? [],
                NoBundle = parse.GetValue(noBundle),
            };
            var options = new DevServerOptions
            {
                LoadConfig = () => PagesProject.Load(pagesOptions),
                Ip = address,
                Port = parse.GetValue(port) ?? DefaultPort,
                LogLevel = FlintCli.ParseLogLevel(parse.GetValue(logLevel)!),
                Watch = !parse.GetValue(noWatch),
                Isolates = parse.GetValue(isolates),
            };
            return await FlintCli.RunDevAsync(options, stdout, stderr, cancellationToken);
        });
        return dev;
    }
}
