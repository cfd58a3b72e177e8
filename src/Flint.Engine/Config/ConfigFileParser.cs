using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Tomlyn;
using Tomlyn.Model;
using Tomlyn.Parsing;

namespace Flint.Engine.Config;

internal enum ConfigFormat { Toml, Json }

/// <summary>
/// A config file read into one shape whatever its syntax: a <see cref="JsonObject"/> tree. TOML tables
/// become objects, arrays of tables arrays, integers and floats numbers. TOML dates, which JSON lacks,
/// become their text and are remembered in <see cref="TomlDates"/> so the validator can refuse them
/// where wrangler does.
/// </summary>
internal sealed partial class ParsedConfigFile
{
    public required string Path { get; init; }
    public required ConfigFormat Format { get; init; }
    public required JsonObject Root { get; init; }
    public HashSet<JsonNode> TomlDates { get; } = new(ReferenceEqualityComparer.Instance);

    public static ParsedConfigFile Read(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"Could not read {path}: {ex.Message}", path, [ex.Message]);
        }
        var format = path.EndsWith(".toml", StringComparison.OrdinalIgnoreCase) ? ConfigFormat.Toml : ConfigFormat.Json;
        return format == ConfigFormat.Toml ? ParseToml(path, text) : ParseJson(path, text);
    }

    public static ParsedConfigFile ParseJson(string path, string text)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(text, new JsonNodeOptions { PropertyNameCaseInsensitive = false }, new JsonDocumentOptions
            {
                CommentHandling = JsonCommentHandling.Skip,
                AllowTrailingCommas = true,
                AllowDuplicateProperties = false,
            });
        }
        catch (JsonException ex)
        {
            var message = JsonPositionSuffix().Replace(ex.Message, "").Trim();
            if (ex.LineNumber is long line)
            {
                var lineText = LineAt(text, (int)line);
                var column = CharColumn(lineText, (int)(ex.BytePositionInLine ?? 0));
                throw SyntaxError(path, (int)line + 1, column + 1, message, lineText);
            }
            throw new ConfigException($"{path}: {message}", path, [message]);
        }
        if (root is not JsonObject obj)
        {
            var got = root is null ? "null" : root.GetValueKind().ToString().ToLowerInvariant();
            var m = $"The configuration should be a JSON object ({{ \"name\": \"my-worker\", \"main\": \"src/index.js\" }}) but the file holds {got}.";
            throw new ConfigException($"{path}: {m}", path, [m]);
        }
        var unpaired = new List<string>();
        FindLoneSurrogates(obj, "", unpaired);
        if (unpaired.Count > 0)
        {
            var errors = unpaired.Select(where =>
                $"{where} holds a lone surrogate (a \\ud800-\\udfff escape without its pair), which is not text and cannot be given to a Worker. " +
                "Write the whole pair (e.g. \"\\ud83d\\ude00\") or the character itself.").ToList();
            throw new ConfigException($"{path}: invalid strings:\n" + string.Join("\n", errors.Select(e => "  - " + e)), path, errors);
        }
        return new ParsedConfigFile { Path = path, Format = ConfigFormat.Json, Root = obj };
    }

    /// <summary>
    /// JSON may escape half a surrogate pair ("\ud800"); System.Text.Json cannot turn that into a
    /// .NET string, so find every such string or key up front and name it, rather than fail later.
    /// </summary>
    private static void FindLoneSurrogates(JsonNode? node, string where, List<string> found)
    {
        switch (node)
        {
            case JsonObject o:
                List<KeyValuePair<string, JsonNode?>> members;
                try { members = o.ToList(); }
                catch (InvalidOperationException) { found.Add($"A key in \"{(where.Length == 0 ? "(top level)" : where)}\""); return; }
                foreach (var (key, value) in members) FindLoneSurrogates(value, where.Length == 0 ? key : $"{where}.{key}", found);
                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++) FindLoneSurrogates(a[i], $"{where}[{i}]", found);
                break;
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                try { v.GetValue<string>(); }
                catch (InvalidOperationException) { found.Add($"\"{where}\""); }
                break;
        }
    }

    public static ParsedConfigFile ParseToml(string path, string text)
    {
        TomlTable table;
        try
        {
            // The strict syntax pass catches what the model mapping lets through (a key defined twice).
            SyntaxParser.ParseStrict(text);
            table = TomlSerializer.Deserialize<TomlTable>(text) ?? new TomlTable();
        }
        catch (TomlException ex)
        {
            var message = ex.Diagnostics is { Count: > 0 } d ? TomlDiagnosticPrefix().Replace(d[0].ToString() ?? ex.Message, "") : TomlDiagnosticPrefix().Replace(ex.Message, "");
            var line = Math.Max(ex.Line ?? 1, 1);
            throw SyntaxError(path, line, Math.Max(ex.Column ?? 1, 1), message.Trim(), LineAt(text, line - 1));
        }
        catch (Exception ex) when (ex is not ConfigException)
        {
            var message = $"Invalid TOML document: {ex.Message}";
            throw new ConfigException($"{path}: {message}", path, [message]);
        }
        var file = new ParsedConfigFile { Path = path, Format = ConfigFormat.Toml, Root = new JsonObject() };
        foreach (var (key, value) in table) file.Root[key] = file.FromToml(value);
        return file;
    }

    private JsonNode? FromToml(object? value) => value switch
    {
        null => null,
        string s => JsonValue.Create(s),
        bool b => JsonValue.Create(b),
        long l => JsonValue.Create(l),
        int i => JsonValue.Create((long)i),
        double d when double.IsFinite(d) => JsonValue.Create(d),
        // JSON cannot hold nan/inf; JSON.stringify turns them into null, and so does this.
        double => null,
        TomlDateTime dt => Date(dt.ToString()),
        TomlTable t => ObjectFrom(t),
        TomlTableArray ta => new JsonArray(ta.Select(t => (JsonNode?)ObjectFrom(t)).ToArray()),
        TomlArray a => new JsonArray(a.Select(FromToml).ToArray()),
        IFormattable f => JsonValue.Create(f.ToString(null, CultureInfo.InvariantCulture)),
        _ => JsonValue.Create(value.ToString()),
    };

    private JsonObject ObjectFrom(TomlTable table)
    {
        var obj = new JsonObject();
        foreach (var (key, value) in table) obj[key] = FromToml(value);
        return obj;
    }

    private JsonValue Date(string text)
    {
        var node = JsonValue.Create(text);
        TomlDates.Add(node);
        return node;
    }

    private static ConfigException SyntaxError(string path, int line, int column, string message, string lineText)
    {
        var caret = lineText.Length == 0 ? "" : $"\n\n    {lineText}\n    {new string(' ', Math.Max(0, Math.Min(column - 1, lineText.Length)))}^";
        var full = $"{path}:{line}:{column}: {message}{caret}";
        return new ConfigException(full, path, [$"{line}:{column}: {message}"]);
    }

    private static string LineAt(string text, int zeroBasedLine)
    {
        var lines = text.Split('\n');
        return zeroBasedLine >= 0 && zeroBasedLine < lines.Length ? lines[zeroBasedLine].TrimEnd('\r') : "";
    }

    /// <summary>System.Text.Json counts the column in UTF-8 bytes; people count characters.</summary>
    private static int CharColumn(string line, int bytes)
    {
        var count = 0;
        var chars = 0;
        foreach (var rune in line.EnumerateRunes())
        {
            if (count >= bytes) break;
            count += rune.Utf8SequenceLength;
            chars += rune.Utf16SequenceLength;
        }
        return chars;
    }

    [GeneratedRegex(@"\s*(Path: \S*\s*\|\s*)?LineNumber: \d+ \| BytePositionInLine: \d+\.?\s*$")]
    private static partial Regex JsonPositionSuffix();

    [GeneratedRegex(@"^\s*(\S*)?\(\d+,\d+\)\s*:\s*error\s*:\s*")]
    private static partial Regex TomlDiagnosticPrefix();
}
