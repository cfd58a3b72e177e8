using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Flint.Server.S3;

/// <summary>An access key pair the S3 API accepts.</summary>
public sealed record S3AccessKey(string AccessKeyId, string SecretAccessKey);

/// <summary>
/// The key pairs the S3 API accepts, and where they came from. In order: a credentials file
/// (<c>FLINT_S3_CREDENTIALS</c>), the pair in <c>FLINT_S3_ACCESS_KEY_ID</c> /
/// <c>FLINT_S3_SECRET_ACCESS_KEY</c>, else a local pair generated once and kept in the data
/// directory (<c>.flint/s3-credentials.json</c>), so clients configured with it keep working.
/// </summary>
public sealed class S3Credentials
{
    public const string FileVariable = "FLINT_S3_CREDENTIALS";
    public const string AccessKeyVariable = "FLINT_S3_ACCESS_KEY_ID";
    public const string SecretKeyVariable = "FLINT_S3_SECRET_ACCESS_KEY";
    public const string LocalFileName = "s3-credentials.json";

    private readonly Dictionary<string, string> _secrets;

    public S3Credentials(IReadOnlyList<S3AccessKey> keys, string source, bool generated = false)
    {
        if (keys.Count == 0) throw new ArgumentException("At least one access key is needed.", nameof(keys));
        Keys = keys;
        Source = source;
        Generated = generated;
        _secrets = keys.ToDictionary(k => k.AccessKeyId, k => k.SecretAccessKey, StringComparer.Ordinal);
    }

    public IReadOnlyList<S3AccessKey> Keys { get; }
    /// <summary>Where the keys came from, for the line <c>flint dev</c> prints.</summary>
    public string Source { get; }
    /// <summary>True when the pair was generated for this data directory (none was configured).</summary>
    public bool Generated { get; }

    public string? SecretFor(string accessKeyId) => _secrets.GetValueOrDefault(accessKeyId);

    /// <summary>The keys configured in <paramref name="environment"/>, else the data directory's own pair (made on first use).</summary>
    public static S3Credentials Resolve(string dataDirectory, IReadOnlyDictionary<string, string?> environment)
    {
        if (environment.GetValueOrDefault(FileVariable) is { Length: > 0 } file) return FromFile(Path.GetFullPath(file), generated: false);
        var id = environment.GetValueOrDefault(AccessKeyVariable);
        var secret = environment.GetValueOrDefault(SecretKeyVariable);
        if (!string.IsNullOrEmpty(id) || !string.IsNullOrEmpty(secret))
        {
            if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(secret))
                throw new S3CredentialsException($"Set both {AccessKeyVariable} and {SecretKeyVariable}, or neither (then flint dev makes a local pair).");
            return new S3Credentials([new S3AccessKey(id, secret)], $"{AccessKeyVariable} / {SecretKeyVariable}");
        }
        var local = Path.Combine(Path.GetFullPath(dataDirectory), LocalFileName);
        if (File.Exists(local)) return FromFile(local, generated: true);
        var pair = new S3AccessKey(
            "FLINT" + Convert.ToHexString(RandomNumberGenerator.GetBytes(8)),
            Convert.ToBase64String(RandomNumberGenerator.GetBytes(30)).Replace('+', 'A').Replace('/', 'B'));
        Directory.CreateDirectory(Path.GetDirectoryName(local)!);
        var json = new JsonObject { ["keys"] = new JsonArray(new JsonObject { ["accessKeyId"] = pair.AccessKeyId, ["secretAccessKey"] = pair.SecretAccessKey }) };
        File.WriteAllText(local, json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(local, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return new S3Credentials([pair], local, generated: true);
    }

    /// <summary>Reads <c>{"keys": [{"accessKeyId": "…", "secretAccessKey": "…"}, …]}</c>.</summary>
    public static S3Credentials FromFile(string path, bool generated)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new S3CredentialsException($"Cannot read the S3 credentials file {path}: {ex.Message}");
        }
        try
        {
            var keys = JsonNode.Parse(text)?["keys"]?.AsArray().Select(k => new S3AccessKey(
                k?["accessKeyId"]?.GetValue<string>() ?? throw new FormatException("a key has no \"accessKeyId\""),
                k["secretAccessKey"]?.GetValue<string>() ?? throw new FormatException("a key has no \"secretAccessKey\""))).ToList();
            if (keys is null || keys.Count == 0) throw new FormatException("it has no \"keys\"");
            return new S3Credentials(keys, path, generated);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException)
        {
            throw new S3CredentialsException($"The S3 credentials file {path} is invalid: {ex.Message}. " +
                "Write it as {\"keys\": [{\"accessKeyId\": \"…\", \"secretAccessKey\": \"…\"}]}.");
        }
    }
}

/// <summary>The configured S3 keys cannot be used; the message says what to fix.</summary>
public sealed class S3CredentialsException(string message) : Exception(message);
