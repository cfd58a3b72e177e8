using System.Text.Json;
using System.Text.Json.Nodes;
using Flint.Engine.Assets;
using Flint.Engine.Config;
using Flint.Engine.Storage;

namespace Flint.JavaScript.Bindings.Assets;

/// <summary>
/// <c>env.ASSETS</c> (the <c>assets.binding</c> of a Worker, and every Pages project's): a Fetcher whose
/// <c>fetch()</c> asks the asset server, never the Worker, as on Cloudflare. One call per fetch:
/// <c>Args</c> is the request head as JSON (<c>{method, url, headers: [name, value, …]}</c>); the answer is
/// the response head (<c>{status, statusText, headers, text?}</c>, as a service binding answers) and the
/// file as a host stream, which a Worker that returns the response as it is sends to the client
/// without reading it into the isolate.
/// </summary>
public sealed class AssetsBinding(string name, Func<AssetSite> site) : HostBinding(name)
{
    public override string Kind => "assets";

    /// <summary>
    /// For a config with assets: reads the directory now (so a file over Cloudflare's limits stops the
    /// load with its error) and gives <c>env[binding]</c> when <c>assets.binding</c> names one.
    /// </summary>
    public static AssetsBinding? For(WorkerConfig config, LocalData data)
    {
        if (AssetRouting.For(config) is not { } routing) return null;
        var directory = data.Assets.Get(routing.SiteOptions);
        return routing.Assets.Binding is { } name ? new AssetsBinding(name, () => directory.Current) : null;
    }

    public override ValueTask<BindingResult> InvokeAsync(BindingCall call, CancellationToken cancellationToken)
    {
        if (call.Method != "fetch") throw new BindingException($"The assets binding has no method {call.Method}.", "TypeError");
        call.Body?.Dispose();
        using var head = JsonDocument.Parse(call.Args);
        var root = head.RootElement;
        var flat = root.GetProperty("headers");
        var headers = new List<KeyValuePair<string, string>>(flat.GetArrayLength() / 2);
        for (var i = 0; i + 1 < flat.GetArrayLength(); i += 2) headers.Add(new(flat[i].GetString()!, flat[i + 1].GetString()!));
        string? Header(string n)
        {
            string? value = null;
            foreach (var (k, v) in headers)
                if (k.Equals(n, StringComparison.OrdinalIgnoreCase)) value = value is null ? v : $"{value}, {v}";
            return value;
        }
        var request = new AssetRequest(root.GetProperty("method").GetString()!, root.GetProperty("url").GetString()!, Header);
        var response = site().Fetch(request);
        var answer = new JsonObject
        {
            ["status"] = response.Status,
            ["statusText"] = response.StatusText ?? "",
            ["headers"] = new JsonArray(response.Headers.SelectMany(h => new JsonNode?[] { h.Key, h.Value }).ToArray()),
        };
        if (response.Text is { } text) answer["text"] = text;
        Stream? body = null;
        if (response.File is { } file && !response.OmitBody && response.Status != 304)
        {
            body = new FileStream(file.FullPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete,
                bufferSize: 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        return ValueTask.FromResult(new BindingResult { Text = answer.ToJsonString(), Stream = body });
    }
}
