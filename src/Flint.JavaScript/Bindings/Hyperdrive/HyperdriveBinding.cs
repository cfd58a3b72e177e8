using System.Text.Json.Nodes;

namespace Flint.JavaScript.Bindings.Hyperdrive;

/// <summary>
/// A Hyperdrive binding as wrangler dev gives it: the Worker sees a connection string to a made-up
/// host (<c>&lt;random&gt;.hyperdrive.local:5432</c>) with the configured user, password and
/// database, and <c>connect()</c> to that host (79_hyperdrive.js) reaches the configured database
/// itself, <see cref="OriginHost"/>:<see cref="OriginPort"/>, which script never learns.
/// </summary>
public sealed class HyperdriveBinding(string name, Engine.Hyperdrive.HyperdriveOrigin origin) : HostBinding(name)
{
    public override string Kind => "hyperdrive";

    public string OriginHost => origin.Host;
    public int OriginPort => origin.Port;

    public override string? DescriptorJson => new JsonObject
    {
        ["scheme"] = origin.Scheme,
        ["user"] = origin.User,
        ["password"] = origin.Password,
        ["database"] = origin.Database,
    }.ToJsonString();

    public override ValueTask<BindingResult> InvokeAsync(BindingCall call, CancellationToken cancellationToken) =>
        throw new BindingException($"Hyperdrive has no method {call.Method}.", "TypeError");
}
