using System.Text.Json.Nodes;
using Flint.Engine.Hyperdrive;

namespace Flint.Engine.Config;

// The hyperdrive section, read next to its primitive: [[hyperdrive]] binding, id, localConnectionString.
internal sealed partial class ConfigReader
{
    private void ReadHyperdrive(JsonObject o, string key, EnvironmentSettings env, bool active)
    {
        var ok = RequiredBindingString(o, key, "binding", "\"HYPERDRIVE\"", out var binding);
        if (!IsString(o["id"], out var id))
        {
            Error($"\"{key}\" bindings must have a \"id\" field but got {Show(o)}.");
            ok = false;
        }
        ok &= OptionalString(o, key, "localConnectionString", "\"postgres://user:password@127.0.0.1:5432/database\"", out var local);
        ok &= CheckRemote(o, key, active);
        WarnUnexpected(o, key, "binding", "id", "localConnectionString", "remote");
        if (!ok) return;
        env.BindingNames.Add(new BindingName(binding!, "Hyperdrive Config", key, "hyperdrive"));
        if (!active) return;

        // As wrangler dev: the environment variable wins over the config, and locally one of them is required.
        var variable = HyperdriveOrigin.EnvironmentPrefix + binding;
        var fromEnvironment = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrEmpty(fromEnvironment))
        {
            fromEnvironment = Environment.GetEnvironmentVariable(HyperdriveOrigin.DeprecatedEnvironmentPrefix + binding);
            if (!string.IsNullOrEmpty(fromEnvironment))
                Warn($"Using \"{HyperdriveOrigin.DeprecatedEnvironmentPrefix}<BINDING_NAME>\" environment variable. This is deprecated. Please use \"{HyperdriveOrigin.EnvironmentPrefix}<BINDING_NAME>\" instead.", key);
        }
        var connectionString = string.IsNullOrEmpty(fromEnvironment) ? local : fromEnvironment;
        if (connectionString is null)
        {
            Error($"When developing locally, you should use a local Postgres connection string to emulate Hyperdrive functionality. Please setup Postgres locally and set the value of the '{variable}' variable or \"{binding}\"'s \"localConnectionString\" to the Postgres connection string.");
            return;
        }
        var origin = HyperdriveOrigin.Parse(connectionString, out var problem);
        if (origin is null)
        {
            var source = string.IsNullOrEmpty(fromEnvironment) ? $"\"{key}.localConnectionString\"" : $"the {variable} variable";
            Error($"The connection string of Hyperdrive binding \"{binding}\" ({source}) is invalid: {problem}");
            return;
        }
        env.Hyperdrive.Add(new HyperdriveBindingConfig(binding!, id!, origin));
    }
}
