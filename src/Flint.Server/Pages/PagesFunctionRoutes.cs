using System.Globalization;
using System.Text.RegularExpressions;
using Flint.Engine.Config;

namespace Flint.Server.Pages;

/// <summary>One route of a <c>functions/</c> tree: its path pattern, the directory it is mounted at, its method, its handlers.</summary>
public sealed record PagesRoute(string RoutePath, string MountPath, string Method, IReadOnlyList<string> Modules, IReadOnlyList<string> Middlewares);

/// <summary>
/// Pages' file-based routing: every <c>.js/.mjs/.ts/.tsx/.jsx</c> file under <c>functions/</c> exporting
/// <c>onRequest</c> or <c>onRequestGet|Post|Put|Patch|Delete|Options|Head</c> is a route at its path
/// (<c>index</c> is its directory, <c>[name]</c> one segment, <c>[[name]]</c> any number of them);
/// <c>_middleware</c> runs for everything under its directory. Routes are ordered as wrangler orders
/// them: more segments first, literal before parameter before catch-all, a method before none.
/// Handlers are named <c>relative/path.js:exportName</c>.
/// </summary>
public static partial class PagesFunctionRoutes
{
    private static readonly string[] Extensions = [".mjs", ".js", ".ts", ".tsx", ".jsx"];

    [GeneratedRegex("^onRequest(Get|Post|Put|Patch|Delete|Options|Head)?$")]
    private static partial Regex HandlerName();

    [GeneratedRegex(@"\[\[([^\]]+)\]\]")]
    private static partial Regex CatchAll();

    [GeneratedRegex(@"\[([^\]]+)\]")]
    private static partial Regex Param();

    [GeneratedRegex("^[A-Za-z0-9_]+$")]
    private static partial Regex ValidParam();

    public static IReadOnlyList<PagesRoute> Scan(string functionsDirectory)
    {
        var entries = new List<(string RoutePath, string MountPath, string Method, List<string> Modules, List<string> Middlewares)>();
        var queue = new Queue<string>([functionsDirectory]);
        while (queue.Count > 0)
        {
            var dir = queue.Dequeue();
            foreach (var entry in new DirectoryInfo(dir).EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal))
            {
                if (entry is DirectoryInfo) { queue.Enqueue(entry.FullName); continue; }
                var ext = Path.GetExtension(entry.Name);
                if (!Extensions.Contains(ext)) continue;
                var relative = Path.GetRelativePath(functionsDirectory, entry.FullName).Replace('\\', '/');
                foreach (var export in PagesExports.Of(File.ReadAllText(entry.FullName)))
                {
                    var m = HandlerName().Match(export);
                    if (!m.Success) continue;
                    var basename = Path.GetFileNameWithoutExtension(entry.Name);
                    var isMiddleware = basename is "_middleware" or "_middleware_";
                    var routePath = relative[..^ext.Length];
                    var mountPath = Dirname(routePath);
                    if (basename == "index" || isMiddleware) routePath = Dirname(routePath);
                    routePath = Convert("/" + routePath);
                    mountPath = Convert("/" + mountPath);
                    var handler = $"{relative}:{export}";
                    var method = m.Groups[1].Value.ToUpperInvariant();
                    var existing = entries.FindIndex(e => e.RoutePath == routePath && e.Method == method);
                    // As wrangler merges them: a later file for the same route and method replaces the earlier one's handlers of its kind.
                    if (existing >= 0)
                    {
                        var e = entries[existing];
                        entries[existing] = isMiddleware ? e with { MountPath = mountPath, Middlewares = [handler] } : e with { MountPath = mountPath, Modules = [handler] };
                    }
                    else entries.Add((routePath, mountPath, method, isMiddleware ? [] : [handler], isMiddleware ? [handler] : []));
                }
            }
        }
        var routes = entries.Select(e => new PagesRoute(e.RoutePath, e.MountPath, e.Method, e.Modules, e.Middlewares)).ToList();
        routes.Sort(Compare);
        return routes;
    }

    private static string Dirname(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash < 0 ? "" : path[..slash];
    }

    /// <summary>A file path as a route: "/api/[id]" → "/api/:id", "/[[all]]" → "/:all*", no trailing slash but for "/".</summary>
    private static string Convert(string path)
    {
        path = CatchAll().Replace(path, m => ValidParam().IsMatch(m.Groups[1].Value) ? $":{m.Groups[1].Value}*"
            : throw new ConfigException($"Invalid Pages function route parameter - \"[[{m.Groups[1].Value}]]\". Parameters names must only contain alphanumeric and underscore characters."));
        path = Param().Replace(path, m => ValidParam().IsMatch(m.Groups[1].Value) ? $":{m.Groups[1].Value}"
            : throw new ConfigException($"Invalid Pages function route parameter - \"[{m.Groups[1].Value}]\". Parameter names must only contain alphanumeric and underscore characters."));
        return path.Length > 1 ? path.TrimEnd('/') : path;
    }

    /// <summary>wrangler's order: more segments first; per segment, literal before parameter before wildcard; a method first.</summary>
    private static int Compare(PagesRoute a, PagesRoute b)
    {
        var sa = a.RoutePath[1..].Split('/', StringSplitOptions.RemoveEmptyEntries);
        var sb = b.RoutePath[1..].Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (sa.Length != sb.Length) return sb.Length - sa.Length;
        for (var i = 0; i < sa.Length; i++)
        {
            bool wa = sa[i].Contains('*'), wb = sb[i].Contains('*'), pa = sa[i].Contains(':'), pb = sb[i].Contains(':');
            if (wa && !wb) return 1;
            if (!wa && wb) return -1;
            if (pa && !pb) return 1;
            if (!pa && pb) return -1;
        }
        if (a.Method.Length > 0 && b.Method.Length == 0) return -1;
        if (a.Method.Length == 0 && b.Method.Length > 0) return 1;
        return CultureInfo.InvariantCulture.CompareInfo.Compare(a.RoutePath, b.RoutePath, CompareOptions.None);
    }

    /// <summary>The _routes.json Pages generates for these routes when the project has none: each route's prefix before its first parameter.</summary>
    public static IReadOnlyList<string> IncludeRules(IReadOnlyList<PagesRoute> routes)
    {
        var rules = new List<string>();
        foreach (var route in routes.Reverse())
        {
            var globbed = ParamAndAfter().Replace(route.RoutePath, "*");
            if (route.Middlewares.Count > 0 && !globbed.EndsWith('*')) globbed = globbed.TrimEnd('/') + "/*";
            if (!rules.Contains(globbed)) rules.Add(globbed);
        }
        return rules;
    }

    [GeneratedRegex(@":\w+\*?.*")]
    private static partial Regex ParamAndAfter();
}

/// <summary>
/// The names a module exports, read from its source: <c>export function</c>/<c>class</c>/<c>const</c>/<c>let</c>/<c>var</c>
/// declarations and <c>export { a, b as c }</c> lists (comments and strings are skipped first).
/// </summary>
public static partial class PagesExports
{
    [GeneratedRegex(@"//[^\n]*|/\*.*?\*/|""(?:\\.|[^""\\\n])*""|'(?:\\.|[^'\\\n])*'|`(?:\\.|[^`\\])*`", RegexOptions.Singleline)]
    private static partial Regex CommentsAndStrings();

    [GeneratedRegex(@"\bexport\s+(?:async\s+)?(?:function\s*\*?|class|const|let|var)\s+([A-Za-z_$][\w$]*)")]
    private static partial Regex Declaration();

    [GeneratedRegex(@"\bexport\s*(?:type\s*)?\{([^}]*)\}")]
    private static partial Regex List();

    public static IReadOnlyList<string> Of(string source)
    {
        var code = CommentsAndStrings().Replace(source, m => m.Value.StartsWith('/') ? " " : "\"\"");
        var names = new List<string>();
        foreach (Match m in Declaration().Matches(code)) names.Add(m.Groups[1].Value);
        foreach (Match m in List().Matches(code))
        {
            foreach (var part in m.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var pieces = part.Split(" as ", StringSplitOptions.TrimEntries);
                names.Add(pieces[^1]);
            }
        }
        return names.Distinct().ToList();
    }
}
