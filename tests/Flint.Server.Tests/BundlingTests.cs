using System.Net;
using Flint.Engine.Config;
using Flint.Server.Tests.Support;

namespace Flint.Server.Tests;

/// <summary>TypeScript and npm packages, bundled with the project's esbuild as wrangler does.</summary>
public class BundlingTests
{
    private static Dictionary<string, string> TypeScriptProject() => new()
    {
        ["wrangler.toml"] = "name = \"ts\"\nmain = \"src/index.ts\"\ncompatibility_date = \"2025-11-01\"\n",
        ["src/index.ts"] = """
            import { greet } from "greeter";
            import { shout } from "./util";
            import notice from "./notice.txt";
            enum Kind { Plain = "plain", Loud = "loud" }
            interface Env { NAME: string }
            export default {
              async fetch(request: Request, env: Env): Promise<Response> {
                const kind: Kind = new URL(request.url).pathname === "/loud" ? Kind.Loud : Kind.Plain;
                const text = kind === Kind.Loud ? shout(greet("ts")) : greet("ts");
                return Response.json({ text, notice, nodeEnv: process.env.NODE_ENV });
              },
            };
            """,
        ["src/util.ts"] = "export const shout = (s: string): string => s.toUpperCase() + \"!\";\n",
        ["src/notice.txt"] = "kept as a Text module",
        // An npm package with export conditions: the workerd one must win, as in wrangler.
        ["node_modules/greeter/package.json"] = """
            {"name": "greeter", "exports": {".": {"workerd": "./workerd.js", "node": "./node.js", "default": "./default.js"}}}
            """,
        ["node_modules/greeter/workerd.js"] = "export const greet = (n) => `hello ${n} from workerd build`;\n",
        ["node_modules/greeter/node.js"] = "export const greet = (n) => `hello ${n} from node build`;\n",
        ["node_modules/greeter/default.js"] = "export const greet = (n) => `hello ${n} from default build`;\n",
    };

    [Fact]
    public async Task TypeScriptWithNpmPackagesRunsAsUnderWranglerDev()
    {
        var dir = RunningWorker.WriteFiles(TypeScriptProject());
        await TestTools.InstallEsbuildIntoAsync(dir);
        await using var w = await RunningWorker.StartInAsync(dir, ownsDirectory: true);
        Assert.Equal("""{"text":"hello ts from workerd build","notice":"kept as a Text module","nodeEnv":"development"}""", await w.GetStringAsync("/"));
        Assert.Equal("""{"text":"HELLO TS FROM WORKERD BUILD!","notice":"kept as a Text module","nodeEnv":"development"}""", await w.GetStringAsync("/loud"));
        Assert.True(File.Exists(Path.Combine(dir, ".flint", "bundle", "index.js")), "the bundle is written to .flint/bundle");
    }

    [Fact]
    public async Task EditingATypeScriptSourceReloads()
    {
        var dir = RunningWorker.WriteFiles(TypeScriptProject());
        await TestTools.InstallEsbuildIntoAsync(dir);
        await using var w = await RunningWorker.StartInAsync(dir, watch: true, ownsDirectory: true);
        Assert.Contains("HELLO TS", await w.GetStringAsync("/loud"));
        File.WriteAllText(Path.Combine(dir, "src", "util.ts"), "export const shout = (s: string): string => `<<${s}>>`;\n");
        var deadline = DateTime.UtcNow.AddSeconds(20);
        string body;
        do { await Task.Delay(100); body = await w.GetStringAsync("/loud"); } while (!body.Contains("<<hello") && DateTime.UtcNow < deadline);
        Assert.Contains("<<hello ts from workerd build>>", body);
    }

    [Fact]
    public async Task SyntaxErrorsAreReportedWithFileAndLine()
    {
        var files = TypeScriptProject();
        files["src/util.ts"] = "export const shout = (s: string): string => {\n  return s.toUpperCase(\n};\n";
        var dir = RunningWorker.WriteFiles(files);
        try
        {
            await TestTools.InstallEsbuildIntoAsync(dir);
            var ex = await Assert.ThrowsAsync<ConfigException>(() => RunningWorker.StartInAsync(dir));
            Assert.Contains("Could not bundle src/index.ts with esbuild", ex.Message);
            Assert.Contains("src/util.ts:3", ex.Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public async Task TypeScriptWithoutEsbuildSaysHowToGetIt()
    {
        var files = TypeScriptProject();
        files.Remove("node_modules/greeter/package.json");
        var dir = RunningWorker.WriteFiles(files);
        try
        {
            var ex = await Assert.ThrowsAsync<ConfigException>(() => RunningWorker.StartInAsync(dir));
            Assert.Contains("src/index.ts is TypeScript", ex.Message);
            Assert.Contains("npm install --save-dev esbuild", ex.Message);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public async Task NoBundleRunsModulesAsTheyAreEvenWithEsbuildPresent()
    {
        var dir = RunningWorker.WriteFiles(new Dictionary<string, string>
        {
            ["wrangler.toml"] = "name = \"nb\"\nmain = \"index.js\"\ncompatibility_date = \"2025-11-01\"\nno_bundle = true\n",
            // Unbundled, process is not defined: the define only exists in a bundle.
            ["index.js"] = "export default { fetch() { return new Response(typeof process); } }",
        });
        await TestTools.InstallEsbuildIntoAsync(dir);
        await using var w = await RunningWorker.StartInAsync(dir, ownsDirectory: true);
        Assert.Equal("undefined", await w.GetStringAsync("/"));
        Assert.False(Directory.Exists(Path.Combine(dir, ".flint", "bundle")));
    }
}
