using System.Text.Json.Nodes;

namespace Flint.Engine.Hyperdrive;

/// <summary>A <c>hyperdrive</c> binding: the database <c>connect()</c> reaches locally, as wrangler dev's localConnectionString names it.</summary>
public sealed record HyperdriveBindingConfig(string Binding, string Id, HyperdriveOrigin Origin);

/// <summary>The database behind a Hyperdrive binding, parsed from its connection string.</summary>
public sealed record HyperdriveOrigin(string Scheme, string Host, int Port, string User, string Password, string Database)
{
    /// <summary>The variable wrangler dev reads a binding's local connection string from (before its localConnectionString).</summary>
    public const string EnvironmentPrefix = "CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_";

    /// <summary>wrangler's older name for <see cref="EnvironmentPrefix"/>, still read.</summary>
    public const string DeprecatedEnvironmentPrefix = "WRANGLER_HYPERDRIVE_LOCAL_CONNECTION_STRING_";

    /// <summary>Parses a postgres:// or mysql:// URL with Miniflare's checks; <paramref name="error"/> says what is missing.</summary>
    public static HyperdriveOrigin? Parse(string connectionString, out string? error)
    {
        error = null;
        if (!Uri.TryCreate(connectionString, UriKind.Absolute, out var url) || url.Scheme.Length == 0)
        {
            error = "You must specify the database protocol - e.g. 'postgresql'/'mysql'.";
            return null;
        }
        var scheme = url.Scheme.ToLowerInvariant();
        if (scheme is not ("postgres" or "postgresql" or "mysql"))
        {
            error = "Only PostgreSQL-compatible or MySQL-compatible databases are currently supported.";
            return null;
        }
        var userInfo = url.UserInfo;
        var colon = userInfo.IndexOf(':');
        var user = Uri.UnescapeDataString(colon < 0 ? userInfo : userInfo[..colon]);
        var password = colon < 0 ? "" : Uri.UnescapeDataString(userInfo[(colon + 1)..]);
        var database = Uri.UnescapeDataString(url.AbsolutePath.TrimStart('/'));
        if (url.Host.Length == 0) error = "You must provide a hostname or IP address in your connection string - e.g. 'user:password@database-hostname.example.com:5432/databasename";
        else if (database.Length == 0) error = "You must provide a database name as the path component - e.g. /postgres";
        else if (user.Length == 0) error = "You must provide a username - e.g. 'user:password@database.example.com:port/databasename'";
        else if (password.Length == 0) error = "You must provide a password - e.g. 'user:password@database.example.com:port/databasename' ";
        if (error is not null) return null;
        var port = url.IsDefaultPort || url.Port < 0 ? (scheme == "mysql" ? 3306 : 5432) : url.Port;
        return new HyperdriveOrigin(scheme, url.Host.Trim('[', ']'), port, user, password, database);
    }
}
