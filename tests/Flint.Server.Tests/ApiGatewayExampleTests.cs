using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Flint.Server.Tests.Support;

namespace Flint.Server.Tests;

/// <summary>examples/api-gateway as its README runs it: four Workers, JWT checked with Web Crypto, RPC to auth, service bindings to users and billing.</summary>
public sealed class ApiGatewayExampleTests
{
    [Fact]
    public async Task GatewayChecksTheTokenAsksAuthAndRoutesToTheServices()
    {
        var root = Path.Combine(RepoRoot.Path, "examples", "api-gateway");
        await using var w = await RunningWorker.StartInAsync(Path.Combine(root, "gateway"),
            auxiliaryTargets: [Path.Combine(root, "auth"), Path.Combine(root, "users"), Path.Combine(root, "billing")]);

        Assert.Equal(HttpStatusCode.Unauthorized, (await w.Client.GetAsync("/users/ada")).StatusCode);
        var bad = await w.Client.PostAsJsonAsync("/login", new { user = "ada", password = "wrong" });
        Assert.Equal(HttpStatusCode.Unauthorized, bad.StatusCode);

        var login = await w.Client.PostAsJsonAsync("/login", new { user = "ada", password = "lovelace" });
        var token = JsonNode.Parse(await login.Content.ReadAsStringAsync())!["token"]!.GetValue<string>();
        Assert.Equal(3, token.Split('.').Length);

        using var users = new HttpRequestMessage(HttpMethod.Get, "/users/alan") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) } };
        var profile = JsonNode.Parse(await (await w.Client.SendAsync(users)).Content.ReadAsStringAsync())!;
        Assert.Equal("Alan Turing", profile["name"]!.GetValue<string>());
        Assert.Equal("ada", profile["requestedBy"]!.GetValue<string>());

        using var billing = new HttpRequestMessage(HttpMethod.Get, "/billing/invoices") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) } };
        var invoices = JsonNode.Parse(await (await w.Client.SendAsync(billing)).Content.ReadAsStringAsync())!;
        Assert.Equal("EUR", invoices["currency"]!.GetValue<string>());
        Assert.Equal(200, invoices["total"]!.GetValue<int>());

        // A tampered token fails the signature check; a user without the permission is refused by auth's answer.
        using var tampered = new HttpRequestMessage(HttpMethod.Get, "/users/ada") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token[..^2] + "xx") } };
        Assert.Equal(HttpStatusCode.Unauthorized, (await w.Client.SendAsync(tampered)).StatusCode);
        var alan = await w.Client.PostAsJsonAsync("/login", new { user = "alan", password = "turing" });
        var alanToken = JsonNode.Parse(await alan.Content.ReadAsStringAsync())!["token"]!.GetValue<string>();
        using var forbidden = new HttpRequestMessage(HttpMethod.Get, "/billing/invoices") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", alanToken) } };
        var refused = await w.Client.SendAsync(forbidden);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("alan may not billing:read", await refused.Content.ReadAsStringAsync());
    }
}
