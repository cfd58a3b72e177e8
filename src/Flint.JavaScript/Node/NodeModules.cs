using System.Collections.Frozen;
using Flint.Engine.Compatibility;
using Flint.JavaScript.Modules;
using Microsoft.ClearScript;
using Microsoft.ClearScript.JavaScript;

namespace Flint.JavaScript.Node;

/// <summary>
/// The <c>node:</c> modules Flint serves natively, as workerd does with <c>nodejs_compat</c>: each is
/// an ES module embedded from <c>Node/js/NAME.js</c> (<c>node:stream/promises</c> from
/// <c>Node/js/stream/promises.js</c>), compiled only when a Worker imports it. Their shared code is
/// in <c>node-internal:</c> modules (<c>Node/js/internal/</c>) that only node modules may import;
/// <c>node-internal:bridge</c> hands them the built-ins' internals (host ops, async context) through
/// <c>import.meta</c>, so nothing of it is reachable from Worker code.
/// </summary>
internal sealed class NodeModules(CompatibilitySettings compatibility)
{
    private const string ResourcePrefix = "flint-node/";
    private const string BridgeModule = "node-internal:bridge";
    private const string CloudflareNode = "cloudflare:node";

    /// <summary>Module name (without node:) to resource name, for every embedded module.</summary>
    private static readonly FrozenDictionary<string, string> s_resources = typeof(NodeModules).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".js", StringComparison.Ordinal))
        .ToFrozenDictionary(n => n[ResourcePrefix.Length..^3], n => n, StringComparer.Ordinal);

    private static readonly Dictionary<string, string> s_sources = [];

    /// <summary>The built-ins' internals for node modules (set once the built-ins have run).</summary>
    public ScriptObject? Bridge { get; set; }

    /// <summary>The names of the public modules Flint has (internal ones excluded), without <c>node:</c>.</summary>
    public static IEnumerable<string> Names => s_resources.Keys.Where(k => !k.StartsWith("internal/", StringComparison.Ordinal));

    /// <summary>
    /// The document for <paramref name="specifier"/> when it names a node module (or, with
    /// nodejs_compat_v2, a bare name such as <c>buffer</c>); null when it is not one.
    /// Throws <see cref="ModuleNotFoundException"/> with workerd's message when the Worker's flags do not give it.
    /// </summary>
    public Document? TryLoad(string specifier, DocumentInfo? importer, string? referrer = null)
    {
        // workerd's cloudflare:node (node:http servers behind a fetch handler) comes with nodejs_compat.
        if (specifier == CloudflareNode)
        {
            if (!compatibility.IsEnabled("nodejs_compat") || !compatibility.IsEnabled("enable_nodejs_http_server_modules")) throw NotFound(specifier, referrer);
            return Module(CloudflareNode, "internal/cloudflare_node");
        }
        if (specifier.StartsWith("node-internal:", StringComparison.Ordinal))
        {
            var fromNode = importer?.Uri is { } u && (u.Scheme == "node" || u.Scheme == "node-internal" || u.AbsoluteUri == CloudflareNode);
            if (!fromNode) throw NotFound(specifier, referrer);
            if (specifier == BridgeModule) return BridgeDocument();
            return Module(specifier, "internal/" + specifier["node-internal:".Length..]) ?? throw NotFound(specifier, referrer);
        }
        if (specifier.StartsWith("node:", StringComparison.Ordinal))
        {
            var name = specifier["node:".Length..];
            if (name.StartsWith("internal/", StringComparison.Ordinal) || !IsEnabled(name)) throw NotFound(specifier, referrer, name);
            return Module(specifier, name) ?? throw NotFound(specifier, referrer, name);
        }
        // workerd: with nodejs_compat_v2 the built-ins may be imported without the prefix.
        if (!specifier.Contains(':') && !specifier.StartsWith('.') && !specifier.StartsWith('/') &&
            compatibility.IsEnabled("nodejs_compat_v2") && s_resources.ContainsKey(specifier) && IsEnabled(specifier))
        {
            return Module("node:" + specifier, specifier);
        }
        return null;
    }

    /// <summary>Whether the Worker's compatibility flags give it <c>node:</c><paramref name="name"/>.</summary>
    public bool IsEnabled(string name)
    {
        if (name.StartsWith("internal/", StringComparison.Ordinal) || !s_resources.ContainsKey(name)) return false;
        if (name == "async_hooks" && compatibility.IsEnabled("nodejs_als")) return true;
        if (!compatibility.IsEnabled("nodejs_compat")) return false;
        // Modules workerd gave natively only from a date (before it, wrangler's unenv preset polyfills them).
        return !s_sinceFlag.TryGetValue(name, out var flag) || compatibility.IsEnabled(flag);
    }

    private static readonly FrozenDictionary<string, string> s_sinceFlag = new Dictionary<string, string>
    {
        ["fs"] = "enable_nodejs_fs_module", ["fs/promises"] = "enable_nodejs_fs_module",
        ["os"] = "enable_nodejs_os_module",
        ["zlib"] = "nodejs_zlib",
        ["http"] = "enable_nodejs_http_modules", ["https"] = "enable_nodejs_http_modules",
        ["_http_agent"] = "enable_nodejs_http_modules", ["_http_client"] = "enable_nodejs_http_modules",
        ["_http_common"] = "enable_nodejs_http_modules", ["_http_incoming"] = "enable_nodejs_http_modules",
        ["_http_outgoing"] = "enable_nodejs_http_modules", ["_http_server"] = "enable_nodejs_http_server_modules",
        ["http2"] = "enable_nodejs_http2_module", ["vm"] = "enable_nodejs_vm_module", ["console"] = "enable_nodejs_console_module",
        ["worker_threads"] = "enable_nodejs_worker_threads_module", ["child_process"] = "enable_nodejs_child_process_module",
        ["domain"] = "enable_nodejs_domain_module", ["wasi"] = "enable_nodejs_wasi_module", ["trace_events"] = "enable_nodejs_trace_events_module",
        ["cluster"] = "enable_nodejs_cluster_module", ["tty"] = "enable_nodejs_tty_module",
        ["readline"] = "enable_nodejs_readline_module", ["readline/promises"] = "enable_nodejs_readline_module",
        ["dgram"] = "enable_nodejs_dgram_module",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private ModuleNotFoundException NotFound(string specifier, string? referrer, string? name = null)
    {
        // The Worker sees workerd's message; Flint's log also says why.
        string? hint = name is null ? null
            : !s_resources.ContainsKey(name) ? $"Flint does not implement node:{name} yet (see the README's table of node: modules)."
            : $"node:{name} needs the nodejs_compat compatibility flag{(name == "async_hooks" ? " (or nodejs_als)" : "")}: add compatibility_flags = [\"nodejs_compat\"] to the Worker's config.";
        return new ModuleNotFoundException($"No such module \"{specifier}\".", referrer, hint);
    }

    private static Document? Module(string uri, string name)
    {
        if (!s_resources.TryGetValue(name, out var resource)) return null;
        string code;
        lock (s_sources)
        {
            if (!s_sources.TryGetValue(name, out code!))
            {
                using var stream = typeof(NodeModules).Assembly.GetManifestResourceStream(resource)!;
                using var reader = new StreamReader(stream);
                s_sources[name] = code = reader.ReadToEnd();
            }
        }
        return new StringDocument(new DocumentInfo(new Uri(uri)) { Category = ModuleCategory.Standard }, code);
    }

    private Document BridgeDocument()
    {
        var bridge = Bridge ?? throw new InvalidOperationException("node modules were imported before the built-ins ran.");
        var info = new DocumentInfo(new Uri(BridgeModule))
        {
            Category = ModuleCategory.Standard,
            ContextCallback = _ => new Dictionary<string, object> { ["flint"] = bridge },
        };
        return new StringDocument(info, "export default import.meta.flint;");
    }
}

/// <summary>The names (without <c>node:</c>) of the Node.js modules Flint serves natively, for the bundler to leave external.</summary>
public static class NodeModuleNames
{
    public static IReadOnlyList<string> All { get; } = NodeModules.Names.Order(StringComparer.Ordinal).ToList();
}
