using System.Text.Json;
using System.Text.Json.Nodes;
using Flint.JavaScript.Tests.Support;
using Xunit.Abstractions;

namespace Flint.JavaScript.Tests;

/// <summary>
/// Runs every file of the conformance suite (<c>conformance/AREA/*.js</c> at the repository root),
/// each in a fresh isolate, and compares each test's outcome with <c>conformance/expected.json</c>,
/// where known failures are recorded. Fails on a regression, and also on an unrecorded test or an
/// unrecorded fix, so the file stays the truth: refresh it with <c>conformance/run.sh --update</c>.
/// With FLINT_CONFORMANCE_OUT set, writes the results (same format) to that path.
/// </summary>
public class ConformanceTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ConformanceSuiteMatchesExpectedResults()
    {
        var root = FindConformanceDir();
        var results = await RunAllAsync(root);
        var json = ToJson(results);

        var outPath = Environment.GetEnvironmentVariable("FLINT_CONFORMANCE_OUT");
        if (!string.IsNullOrEmpty(outPath)) await File.WriteAllTextAsync(outPath, json);
        var expectedPath = Path.Combine(root, "expected.json");
        if (Environment.GetEnvironmentVariable("FLINT_CONFORMANCE_UPDATE") == "1") await File.WriteAllTextAsync(expectedPath, json);

        foreach (var line in Summary(results)) output.WriteLine(line);

        Assert.True(File.Exists(expectedPath), $"{expectedPath} is missing: run conformance/run.sh --update");
        var expected = JsonNode.Parse(await File.ReadAllTextAsync(expectedPath))!.AsObject();
        var problems = new List<string>();
        foreach (var (file, tests) in results)
        {
            var recorded = expected[file]?.AsObject();
            foreach (var (name, outcome) in tests)
            {
                var was = recorded?[name]?.GetValue<string>();
                var passes = outcome == "pass";
                if (was is null) problems.Add($"unrecorded: {file} › {name} ({outcome})");
                else if (was == "pass" && !passes) problems.Add($"REGRESSION: {file} › {name}: {outcome}");
                else if (was != "pass" && passes) problems.Add($"fixed (record it): {file} › {name}");
            }
        }
        foreach (var (file, tests) in expected)
        {
            foreach (var (name, _) in tests!.AsObject())
                if (!results.TryGetValue(file, out var now) || !now.ContainsKey(name)) problems.Add($"missing (recorded but did not run): {file} › {name}");
        }
        Assert.True(problems.Count == 0,
            $"{problems.Count} differences from conformance/expected.json (refresh it with conformance/run.sh --update if intended):\n" + string.Join("\n", problems));
    }

    private static string FindConformanceDir()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "conformance");
            if (File.Exists(Path.Combine(candidate, "harness.js"))) return candidate;
        }
        throw new InvalidOperationException("conformance/harness.js not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The test files: conformance/AREA/NAME.js, as "AREA/NAME.js", in order.</summary>
    public static IEnumerable<string> TestFiles(string root) =>
        Directory.GetDirectories(root)
            .SelectMany(d => Directory.GetFiles(d, "*.js"))
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Where(f => f.Count(c => c == '/') == 1 && !f.StartsWith("workerd/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

    private const string Footer = """

        export default {
          async fetch() {
            return new Response(JSON.stringify(await __runTests()), { headers: { "content-type": "application/json" } });
          }
        };
        """;

    private static async Task<SortedDictionary<string, Dictionary<string, string>>> RunAllAsync(string root)
    {
        var harness = await File.ReadAllTextAsync(Path.Combine(root, "harness.js"));
        var results = new SortedDictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var file in TestFiles(root))
        {
            var code = harness + "\n" + await File.ReadAllTextAsync(Path.Combine(root, file)) + Footer;
            var tests = new Dictionary<string, string>();
            try
            {
                using var worker = new TestWorker(code);
                var response = await worker.FetchAsync();
                using var doc = JsonDocument.Parse(response.Text);
                foreach (var t in doc.RootElement.EnumerateArray())
                {
                    var name = t.GetProperty("name").GetString()!;
                    tests[name] = t.GetProperty("ok").GetBoolean() ? "pass" : "fail: " + t.GetProperty("message").GetString();
                }
            }
            catch (Exception ex)
            {
                tests["(the file did not run)"] = "fail: " + ex.Message.Split('\n')[0];
            }
            results[file] = tests;
        }
        return results;
    }

    private static string ToJson(SortedDictionary<string, Dictionary<string, string>> results)
    {
        var root = new JsonObject();
        foreach (var (file, tests) in results)
        {
            var o = new JsonObject();
            foreach (var (name, outcome) in tests) o[name] = outcome;
            root[file] = o;
        }
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";
    }

    private static IEnumerable<string> Summary(SortedDictionary<string, Dictionary<string, string>> results)
    {
        int total = 0, passed = 0;
        foreach (var area in results.GroupBy(r => r.Key.Split('/')[0]))
        {
            var n = area.Sum(f => f.Value.Count);
            var p = area.Sum(f => f.Value.Values.Count(v => v == "pass"));
            total += n; passed += p;
            yield return $"{area.Key,-12} {p,4} / {n,-4}";
        }
        yield return $"{"total",-12} {passed,4} / {total,-4}";
    }
}
