using System.Text.Json;

namespace Flint.JavaScript.Tests.Support;

/// <summary>
/// Runs many small JavaScript checks in one real isolate and fails with every failing check
/// listed. The script calls <c>check(name, fn)</c> (fn may be async) and uses the helpers
/// <c>eq(actual, expected)</c>, <c>ok(value, message)</c> and
/// <c>await rejects(fnOrPromise, ErrorName, messagePart)</c> / <c>throws(fn, ErrorName, messagePart)</c>.
/// </summary>
public static class JsChecks
{
    private const string Prelude = """
        const __checks = [];
        function check(name, fn) { __checks.push([name, fn]); }
        function fmt(v) { try { return typeof v === "string" ? JSON.stringify(v) : typeof v === "bigint" ? v + "n" : JSON.stringify(v) ?? String(v); } catch { return String(v); } }
        function eq(actual, expected, what = "") {
          const same = Object.is(actual, expected) || (typeof expected === "object" && expected !== null &&
            JSON.stringify(actual) === JSON.stringify(expected));
          if (!same) throw new Error(`${what ? what + ": " : ""}expected ${fmt(expected)} but got ${fmt(actual)}`);
        }
        function ok(value, message = "expected a truthy value") { if (!value) throw new Error(message); }
        function matchError(e, name, part) {
          if (name && (e?.name ?? e?.constructor?.name) !== name) throw new Error(`expected ${name} but got ${e?.name}: ${e?.message}`);
          if (part && !String(e?.message).includes(part)) throw new Error(`expected message containing ${fmt(part)} but got ${fmt(e?.message)}`);
        }
        function throws(fn, name, part) {
          try { fn(); } catch (e) { matchError(e, name, part); return e; }
          throw new Error(`expected ${name ?? "an error"} to be thrown`);
        }
        async function rejects(p, name, part) {
          try { await (typeof p === "function" ? p() : p); } catch (e) { matchError(e, name, part); return e; }
          throw new Error(`expected ${name ?? "a rejection"}`);
        }
        """;

    private const string Runner = """
        export default {
          async fetch() {
            const failures = [];
            let passed = 0;
            for (const [name, fn] of __checks) {
              try { await fn(); passed++; }
              catch (e) { failures.push(`${name}: ${e && e.stack ? e.stack.split("\n").slice(0, 3).join(" | ") : e}`); }
            }
            return Response.json({ passed, failures });
          }
        };
        """;

    /// <summary>Runs the checks and returns how many passed; fails the test listing each failure.</summary>
    /// <param name="compatibility">The Worker's compatibility date and flags, e.g. ("2024-10-01", ["nodejs_compat"]); by default today's date.</param>
    public static async Task<int> RunAsync(string checks, IDictionary<string, string>? files = null, (string Date, string[] Flags)? compatibility = null,
        string envJson = "{}")
    {
        using var worker = new TestWorker(Prelude + "\n" + checks + "\n" + Runner, files, envJson: envJson, compatibility: compatibility);
        var response = await worker.FetchAsync();
        Assert.True(response.Status == 200, $"the check Worker failed: {response.Text}\n{worker.Logs.All}");
        using var doc = JsonDocument.Parse(response.Text);
        var failures = doc.RootElement.GetProperty("failures").EnumerateArray().Select(f => f.GetString()).ToList();
        var passed = doc.RootElement.GetProperty("passed").GetInt32();
        Assert.True(failures.Count == 0, $"{failures.Count} of {failures.Count + passed} checks failed:\n" + string.Join("\n", failures));
        Assert.True(passed > 0, "no checks ran");
        return passed;
    }
}
