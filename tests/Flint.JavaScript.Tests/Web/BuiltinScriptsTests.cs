using System.Text.RegularExpressions;

namespace Flint.JavaScript.Tests.Web;

/// <summary>The built-in files share one function scope (00_internal.js), so a name declared twice silently replaces the first.</summary>
public partial class BuiltinScriptsTests
{
    [Fact]
    public void NoTopLevelNameIsDeclaredTwice()
    {
        var assembly = typeof(Flint.JavaScript.Isolates.WorkerIsolate).Assembly;
        var declared = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith("flint/", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!);
            foreach (Match m in TopLevelDeclaration().Matches(reader.ReadToEnd()))
            {
                var name = m.Groups[1].Value;
                if (!declared.TryGetValue(name, out var files)) declared[name] = files = [];
                files.Add(resource);
            }
        }
        // The vendored bundles each wrap themselves in a `__vendor` of their own block.
        var twice = declared.Where(d => d.Value.Count > 1 && d.Key != "__vendor").Select(d => $"{d.Key}: {string.Join(", ", d.Value)}").ToList();
        Assert.True(twice.Count == 0, string.Join("\n", twice));
    }

    [GeneratedRegex(@"^(?:async\s+)?(?:function\*?|class|const|let|var)\s+([A-Za-z_$][\w$]*)", RegexOptions.Multiline)]
    private static partial Regex TopLevelDeclaration();
}
