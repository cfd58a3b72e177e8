using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tomlyn.Parsing;
using Tomlyn.Syntax;

namespace Flint.Cli;

/// <summary>
/// Adds and removes a <c>queues.consumers</c> entry in a Worker's config file, which is what a
/// consumer is locally (wrangler's <c>queues consumer add/remove</c> change Cloudflare's copy).
/// TOML is edited as text, so comments and layout stay; a JSON file is rewritten unless it has
/// comments, which would be lost: then the entry to add is shown instead.
/// </summary>
internal static class QueueConfigEditor
{
    /// <summary>Settings in the order wrangler's docs list them, as config keys and values.</summary>
    public sealed record ConsumerEntry(string Queue, IReadOnlyList<(string Key, object Value)> Settings);

    public static void Add(string path, string? environment, ConsumerEntry entry)
    {
        var text = File.ReadAllText(path);
        if (IsToml(path))
        {
            if (FindToml(text, environment, entry.Queue) is not null)
                throw new CliException($"{path} already has a consumer for queue \"{entry.Queue}\". Remove it first: flint queues consumer remove {entry.Queue}");
            var table = new StringBuilder();
            table.Append(text.Length > 0 && !text.EndsWith('\n') ? "\n\n" : "\n");
            table.Append($"[[{(environment is null ? "" : $"env.{TomlKey(environment)}.")}queues.consumers]]\n");
            table.Append($"queue = {TomlString(entry.Queue)}\n");
            foreach (var (key, value) in entry.Settings) table.Append($"{key} = {(value is string s ? TomlString(s) : value)}\n");
            var updated = text + table;
            // Appending a table is wrong when the file already spells queues another way (an inline table).
            var check = SyntaxParser.Parse(updated);
            if (check.HasErrors)
                throw new CliException($"Flint cannot add the consumer to {path} as it is written (its queues section is an inline table). Add this yourself:\n{table.ToString().Trim()}");
            File.WriteAllText(path, updated);
            return;
        }
        var root = ReadJson(path, text, entry);
        var section = JsonSection(root, environment, create: true)!;
        var queues = section["queues"] as JsonObject ?? (JsonObject)(section["queues"] = new JsonObject());
        var consumers = queues["consumers"] as JsonArray ?? (JsonArray)(queues["consumers"] = new JsonArray());
        if (consumers.OfType<JsonObject>().Any(c => c["queue"]?.GetValueKind() == JsonValueKind.String && c["queue"]!.GetValue<string>() == entry.Queue))
            throw new CliException($"{path} already has a consumer for queue \"{entry.Queue}\". Remove it first: flint queues consumer remove {entry.Queue}");
        consumers.Add(JsonEntry(entry));
        File.WriteAllText(path, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    /// <summary>Removes the consumer of <paramref name="queue"/>; false when the file has none.</summary>
    public static bool Remove(string path, string? environment, string queue)
    {
        var text = File.ReadAllText(path);
        if (IsToml(path))
        {
            if (FindToml(text, environment, queue) is not { } span) return false;
            var end = span.End;
            // Take the blank line after the table with it.
            while (end < text.Length && text[end] == '\n') end++;
            File.WriteAllText(path, text[..span.Start] + text[end..]);
            return true;
        }
        var root = ReadJson(path, text, null);
        if (JsonSection(root, environment, create: false)?["queues"]?["consumers"] is not JsonArray consumers) return false;
        var match = consumers.OfType<JsonObject>().FirstOrDefault(c => c["queue"]?.GetValueKind() == JsonValueKind.String && c["queue"]!.GetValue<string>() == queue);
        if (match is null) return false;
        consumers.Remove(match);
        File.WriteAllText(path, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        return true;
    }

    private static bool IsToml(string path) => path.EndsWith(".toml", StringComparison.OrdinalIgnoreCase);

    /// <summary>The text span (start, end exclusive) of the [[queues.consumers]] table for <paramref name="queue"/>, or null.</summary>
    private static (int Start, int End)? FindToml(string text, string? environment, string queue)
    {
        var name = environment is null ? "queues.consumers" : $"env.{environment}.queues.consumers";
        var doc = SyntaxParser.Parse(text);
        foreach (var table in doc.Tables)
        {
            if (table is not TableArraySyntax || Unquote(table.Name?.ToString()) != name) continue;
            var key = table.Items.FirstOrDefault(kv => kv.Key?.ToString()?.Trim() == "queue");
            if (key?.Value is StringValueSyntax s && s.Value == queue) return (table.Span.Start.Offset, table.Span.End.Offset + 1);
        }
        return null;
    }

    private static string? Unquote(string? key) => key?.Replace("\"", "").Replace(" ", "").Trim();

    private static string TomlString(string s) => JsonSerializer.Serialize(s); // a JSON string is a TOML basic string for these names

    private static string TomlKey(string key) => key.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') ? key : TomlString(key);

    private static JsonObject ReadJson(string path, string text, ConsumerEntry? entry)
    {
        if (HasComments(text))
        {
            var hint = entry is null ? "Remove the entry from queues.consumers yourself." : $"Add this to queues.consumers yourself:\n{JsonEntry(entry).ToJsonString(new JsonSerializerOptions { WriteIndented = true })}";
            throw new CliException($"{path} has comments, which rewriting it would lose. {hint}");
        }
        return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true }) as JsonObject
            ?? throw new CliException($"{path} does not hold a JSON object.");
    }

    private static bool HasComments(string text)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(text), new JsonReaderOptions { CommentHandling = JsonCommentHandling.Allow, AllowTrailingCommas = true });
        try
        {
            while (reader.Read()) if (reader.TokenType == JsonTokenType.Comment) return true;
        }
        catch (JsonException ex)
        {
            throw new CliException($"Cannot read the config as JSON: {ex.Message}");
        }
        return false;
    }

    private static JsonObject? JsonSection(JsonObject root, string? environment, bool create)
    {
        if (environment is null) return root;
        if (root["env"] is not JsonObject envs)
        {
            if (!create) return null;
            root["env"] = envs = new JsonObject();
        }
        if (envs[environment] is JsonObject section) return section;
        if (!create) return null;
        envs[environment] = section = new JsonObject();
        return section;
    }

    private static JsonObject JsonEntry(ConsumerEntry entry)
    {
        var o = new JsonObject { ["queue"] = entry.Queue };
        foreach (var (key, value) in entry.Settings) o[key] = value is string s ? JsonValue.Create(s) : JsonValue.Create((int)value);
        return o;
    }
}
