using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Flint.Server.Logging;

/// <summary>
/// Console output in wrangler dev's spirit: a Worker's console.log prints as it is, Flint's
/// own lines carry a short tag, and exceptions show their stack.
/// </summary>
public sealed class FlintConsoleFormatter() : ConsoleFormatter(Name)
{
    public new const string Name = "flint";

    public override void Write<TState>(in LogEntry<TState> entry, IExternalScopeProvider? scopes, TextWriter writer)
    {
        var message = entry.Formatter?.Invoke(entry.State, entry.Exception);
        if (message is null && entry.Exception is null) return;
        var isWorker = entry.Category.StartsWith("worker:", StringComparison.Ordinal);
        var (tag, color) = entry.LogLevel switch
        {
            LogLevel.Trace or LogLevel.Debug => ("debug", "\u001b[90m"),
            LogLevel.Information => ("info", ""),
            LogLevel.Warning => ("warn", "\u001b[33m"),
            _ => ("error", "\u001b[31m"),
        };
        var useColor = color.Length > 0 && !Console.IsOutputRedirected;
        if (useColor) writer.Write(color);
        if (!isWorker || entry.LogLevel >= LogLevel.Warning)
        {
            writer.Write('[');
            writer.Write(isWorker ? entry.Category : "flint");
            writer.Write(':');
            writer.Write(tag);
            writer.Write("] ");
        }
        writer.Write(message);
        if (entry.Exception is not null)
        {
            writer.Write('\n');
            writer.Write(entry.Exception.ToString());
        }
        if (useColor) writer.Write("\u001b[0m");
        writer.Write('\n');
    }
}
