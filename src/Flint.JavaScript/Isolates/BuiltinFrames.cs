using System.Text.RegularExpressions;

namespace Flint.JavaScript.Isolates;

/// <summary>
/// Takes Flint's own frames out of a JavaScript stack (its built-ins, and the entry arrows
/// ClearScript names "Script [N] [temp]"): a Worker's developer sees their code, as in workerd,
/// whose APIs are native and leave no frames.
/// </summary>
internal static partial class BuiltinFrames
{
    public static string Strip(string stack) => stack.Contains(" at ", StringComparison.Ordinal) ? Frame().Replace(stack, "") : stack;

    [GeneratedRegex(@"\n[ \t]*at (?:[^\n]*\()?(?:flint:builtins|Script \[\d+\] \[temp\])(?::\d+)*\)?[ \t]*(?=\n|$)")]
    private static partial Regex Frame();
}
