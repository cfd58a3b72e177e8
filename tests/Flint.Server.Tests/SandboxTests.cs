using System.Net;
using Flint.JavaScript.Isolates;
using Flint.JavaScript.Web.Network;
using Flint.Server.Tests.Support;

namespace Flint.Server.Tests;

/// <summary>
/// The host-escape suite: a Worker reaches nothing but its own modules and its bindings. Each
/// attempt is answered with the error workerd gives for it (recorded from workerd 1.20261117.1
/// with the same Worker; see bench/oracle.sh), and nothing outside the Worker is read.
/// </summary>
public sealed class SandboxTests : IAsyncLifetime
{
    // A file outside the Worker that no attempt may read.
    private readonly string _outside = Path.Combine(Path.GetTempPath(), "flint-outside-" + Guid.NewGuid().ToString("n"));
    private readonly string _secret = "SECRET-" + Guid.NewGuid().ToString("n");
    private RunningWorker _worker = null!;

    private const string Probe = """
        import { where } from "./lib/helper.js";
        async function attempt(f) {
          try { const v = await f(); return "ok: " + (typeof v === "string" ? v : JSON.stringify(v)); }
          catch (e) { return `${e?.name}: ${e?.message}`; }
        }
        const wasmBytes = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]);
        export default {
          async fetch(request, env) {
            const url = new URL(request.url);
            const s = url.searchParams.get("s");
            switch (url.pathname) {
              case "/import": return new Response(await attempt(async () => {
                const m = await import(s);
                return typeof m.default === "string" ? m.default : Object.keys(m).join(",");
              }));
              case "/eval": return new Response(await attempt(() => eval("1 + 1")));
              case "/function": return new Response(await attempt(() => new Function("return 2")()));
              case "/async-function": return new Response(await attempt(() => new (async () => {}).constructor("return 3")()));
              case "/generator-function": return new Response(await attempt(() => new (function* () {}).constructor("yield 4")().next().value));
              case "/constructor-constructor": return new Response(await attempt(() => fetch.constructor.constructor("return globalThis")()));
              case "/wasm-module": return new Response(await attempt(() => { new WebAssembly.Module(wasmBytes); return "compiled"; }));
              case "/wasm-compile": return new Response(await attempt(async () => { await WebAssembly.compile(wasmBytes); return "compiled"; }));
              case "/wasm-instantiate": return new Response(await attempt(async () => { await WebAssembly.instantiate(wasmBytes); return "compiled"; }));
              case "/wasm-rule": return new Response(await attempt(async () => {
                const mod = (await import("./add.wasm")).default;
                const instance = await WebAssembly.instantiate(mod);
                return String(instance.exports.add(2, 3));
              }));
              case "/stack": return new Response(where());
              case "/throw": throw new Error("boom");
              case "/call-sites": return new Response(await attempt(() => {
                Error.prepareStackTrace = (e, sites) => sites.map((c) => `${c.getFileName()}|${typeof c.getThis()}|${typeof c.getFunction()}`).join("\n");
                try { return new Error("x").stack; } finally { delete Error.prepareStackTrace; }
              }));
              case "/to-string": return new Response([fetch, Response, Headers.prototype.get, crypto.subtle.digest, env.KV.get,
                Object.getOwnPropertyDescriptor(Request.prototype, "url").get, Function.prototype.toString, where].map(String).join("\n"));
              case "/import-meta": return Response.json({ keys: Object.keys(import.meta), url: import.meta.url ?? null });
              case "/host-objects": return new Response(await attempt(async () => {
                // ClearScript's own test for a host object, on everything a Worker can reach.
                const isHost = globalThis.EngineInternal.isHostObject;
                let error;
                try { await fetch("http://127.0.0.1:1/"); } catch (e) { error = e; }
                const roots = [globalThis, env, request, new Response("x"), error, await env.KV.list(), new ReadableStream(),
                  crypto.subtle, await crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, true, ["sign"])];
                const seen = new Set(), stack = [...roots];
                let hosts = 0;
                while (stack.length > 0 && seen.size < 20000) {
                  const v = stack.pop();
                  if ((typeof v !== "object" && typeof v !== "function") || v === null || seen.has(v)) continue;
                  seen.add(v);
                  if (isHost(v)) hosts++;
                  for (const key of Reflect.ownKeys(v)) {
                    const d = Object.getOwnPropertyDescriptor(v, key);
                    if (d === undefined) continue;
                    stack.push(d.value, d.get, d.set);
                    if (d.get !== undefined) { try { stack.push(d.get.call(v)); } catch {} }
                  }
                  stack.push(Object.getPrototypeOf(v));
                }
                return `${hosts} host objects among ${seen.size}`;
              }));
              case "/reflect": {
                const objects = [new Request("http://x/"), new Response("x"), new Headers({ a: "1" }), new Blob(["x"]),
                  new URLSearchParams("a=1").entries(), new URL("http://x/"), new Event("x"), new ReadableStream(), new WebSocketPair()[0],
                  new AbortController(), await crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, true, ["sign"])];
                return new Response(objects.map((o) => Reflect.ownKeys(o).length + Object.getOwnPropertySymbols(o).length +
                  Reflect.ownKeys(Object.getOwnPropertyDescriptors(o)).length + Reflect.ownKeys({ ...o }).length).join(","));
              }
              case "/globals": return new Response([...Object.getOwnPropertyNames(globalThis),
                ...Object.getOwnPropertySymbols(globalThis).map(String)].sort().join("\n"));
              default: return new Response("?", { status: 404 });
            }
          },
        };
        """;

    // (module add) exporting add(i32, i32) -> i32.
    private static readonly byte[] AddWasm =
    [
        0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
        0x01, 0x07, 0x01, 0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f,
        0x03, 0x02, 0x01, 0x00,
        0x07, 0x07, 0x01, 0x03, 0x61, 0x64, 0x64, 0x00, 0x00,
        0x0a, 0x09, 0x01, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b,
    ];

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_outside);
        File.WriteAllText(Path.Combine(_outside, "secret.txt"), _secret);
        File.WriteAllText(Path.Combine(_outside, "secret.js"), $"export default \"{_secret}\";");
        var dir = RunningWorker.WriteFiles(new Dictionary<string, string>
        {
            ["wrangler.toml"] = "name = \"sandbox\"\nmain = \"index.js\"\ncompatibility_date = \"2025-11-01\"\nkv_namespaces = [{ binding = \"KV\" }]\n",
            ["index.js"] = Probe,
            ["lib/helper.js"] = "export function where() {\n  return new Error(\"here\").stack;\n}\n",
            ["data.txt"] = "in the Worker",
            ["notes.md"] = "no rule covers this",
            [".flint/leak.txt"] = _secret,
        });
        File.WriteAllBytes(Path.Combine(dir, "add.wasm"), AddWasm);
        File.CreateSymbolicLink(Path.Combine(dir, "link.txt"), Path.Combine(_outside, "secret.txt"));
        Directory.CreateSymbolicLink(Path.Combine(dir, "linked"), _outside);
        _worker = await RunningWorker.StartInAsync(dir, ownsDirectory: true);
    }

    public async Task DisposeAsync()
    {
        await _worker.DisposeAsync();
        Directory.Delete(_outside, true);
    }

    private async Task<string> Get(string path, string? specifier = null)
    {
        var url = specifier is null ? path : $"{path}?s={Uri.EscapeDataString(specifier)}";
        var body = await _worker.Client.GetStringAsync(url);
        Assert.DoesNotContain(_secret, body);
        return body;
    }

    [Theory]
    [InlineData("./data.txt", "ok: in the Worker")]
    [InlineData("lib/helper.js", "ok: where")]
    [InlineData("/lib/helper.js", "ok: where")]
    // Out of the Worker: workerd names the specifier as written, without a full stop.
    [InlineData("../../../etc/os-release", "Error: No such module \"../../../etc/os-release\"")]
    [InlineData("./lib/../../x.js", "Error: No such module \"./lib/../../x.js\"")]
    // Absolute paths and URLs are names among the Worker's modules, as in workerd.
    [InlineData("/etc/passwd", "Error: No such module \"etc/passwd\".")]
    [InlineData("file:///etc/passwd", "Error: No such module \"file:/etc/passwd\".")]
    [InlineData("https://example.com/x.js", "Error: No such module \"https:/example.com/x.js\".")]
    [InlineData("node:fs", "Error: No such module \"node:fs\".")]
    // Inside the directory, but not a module: no rule covers it, it is Flint's data, or it links outside.
    [InlineData("./notes.md", "Error: No such module \"notes.md\".")]
    [InlineData("./.flint/leak.txt", "Error: No such module \".flint/leak.txt\".")]
    [InlineData("./link.txt", "Error: No such module \"link.txt\".")]
    [InlineData("./linked/secret.txt", "Error: No such module \"linked/secret.txt\".")]
    [InlineData("./linked/secret.js", "Error: No such module \"linked/secret.js\".")]
    public async Task ImportsResolveOnlyToTheWorkersOwnModules(string specifier, string expected)
    {
        Assert.Equal(expected, await Get("/import", specifier));
    }

    [Fact]
    public async Task AnImportOfTheOutsideByItsRealPathReadsNothing()
    {
        var path = Path.Combine(_outside, "secret.txt");
        Assert.Equal($"Error: No such module \"{path.TrimStart('/')}\".", await Get("/import", path));
        Assert.Equal($"Error: No such module \"file:{path}\".", await Get("/import", "file://" + path));
        var up = string.Concat(Enumerable.Repeat("../", 12)) + path.TrimStart('/');
        Assert.Equal($"Error: No such module \"{up}\"", await Get("/import", up));
    }

    [Fact]
    public async Task AStaticImportFromOutsideFailsAtLoadAndReadsNothing()
    {
        var outside = Path.Combine(_outside, "secret.js");
        var error = await Assert.ThrowsAsync<WorkerLoadException>(() => RunningWorker.StartAsync(new Dictionary<string, string>
        {
            ["index.js"] = $"import s from \"../{Path.GetFileName(_outside)}/secret.js\";\nexport default {{ fetch() {{ return new Response(s) }} }}",
        }));
        Assert.Contains($"No such module \"../{Path.GetFileName(_outside)}/secret.js\"", error.Message);
        Assert.DoesNotContain(_secret, error.Message);

        error = await Assert.ThrowsAsync<WorkerLoadException>(() => RunningWorker.StartAsync(new Dictionary<string, string>
        {
            ["index.js"] = $"import s from \"{outside}\";\nexport default {{ fetch() {{ return new Response(s) }} }}",
        }));
        Assert.Contains($"No such module \"{outside.TrimStart('/')}\".", error.Message);
    }

    [Theory]
    [InlineData("/eval", "EvalError: Code generation from strings disallowed for this context")]
    [InlineData("/function", "EvalError: Code generation from strings disallowed for this context")]
    [InlineData("/async-function", "EvalError: Code generation from strings disallowed for this context")]
    [InlineData("/generator-function", "EvalError: Code generation from strings disallowed for this context")]
    [InlineData("/constructor-constructor", "EvalError: Code generation from strings disallowed for this context")]
    [InlineData("/wasm-module", "CompileError: WebAssembly.Module(): Wasm code generation disallowed by embedder")]
    [InlineData("/wasm-compile", "CompileError: WebAssembly.compile(): Wasm code generation disallowed by embedder")]
    [InlineData("/wasm-instantiate", "CompileError: WebAssembly.instantiate(): Wasm code generation disallowed by embedder")]
    // WebAssembly the Worker was deployed with (a CompiledWasm rule) still runs.
    [InlineData("/wasm-rule", "ok: 5")]
    public async Task CodeGenerationFromStringsAndBytesIsRefusedAsOnCloudflare(string path, string expected)
    {
        Assert.Equal(expected, await Get(path));
    }

    [Fact]
    public async Task StackTracesNameModulesByTheirPathInsideTheWorker()
    {
        var stack = await Get("/stack");
        Assert.StartsWith("Error: here\n    at where (lib/helper.js:2:10)\n    at Object.fetch (index.js:", stack);
        Assert.DoesNotContain(_worker.Directory, stack);

        var response = await _worker.Client.GetAsync("/throw");
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("Error: boom\n    at Object.fetch (index.js:", body);
        Assert.DoesNotContain(_worker.Directory, body);
        Assert.DoesNotContain(_worker.Directory, _worker.Logs.All);

        var sites = await Get("/call-sites");
        Assert.StartsWith("ok: /bundle/index.js|undefined|undefined", sites);
        Assert.DoesNotContain(_worker.Directory, sites);
    }

    [Fact]
    public async Task BuiltInsPrintAsNativeCode()
    {
        var lines = (await Get("/to-string")).Split('\n');
        Assert.Equal("function fetch() { [native code] }", lines[0]);
        Assert.Equal("function Response() { [native code] }", lines[1]);
        Assert.Equal("function get() { [native code] }", lines[2]);
        Assert.Equal("function digest() { [native code] }", lines[3]);
        Assert.Equal("function get() { [native code] }", lines[4]);
        Assert.Equal("function get url() { [native code] }", lines[5]);
        Assert.Equal("function toString() { [native code] }", lines[6]);
        // The Worker's own functions keep their source.
        Assert.Equal("function where() {", lines[7]);
    }

    [Fact]
    public async Task TheBuiltInsInternalStateIsInvisibleToReflectionAsInWorkerd()
    {
        // workerd's objects have no own properties (but a CryptoKey's four read-only data properties, counted
        // thrice here); Flint's keep their state under internal symbols no reflection shows.
        Assert.Equal("0,0,0,0,0,0,0,0,0,0,12", await Get("/reflect"));
    }

    [Fact]
    public async Task ImportMetaIsEmptyAsInWorkerd()
    {
        Assert.Equal("{\"keys\":[],\"url\":null}", await Get("/import-meta"));
    }

    [Fact]
    public async Task NothingAWorkerCanReachIsAHostObject()
    {
        var answer = await Get("/host-objects");
        Assert.Matches(@"^ok: 0 host objects among \d+$", answer);
    }

    private const string PollutionProbe = """
        const pollutions = {
          "Array.prototype.join": () => { Array.prototype.join = () => "x-injected\ninjected"; },
          "Array.prototype.push": () => { Array.prototype.push = () => { throw new Error("push polluted"); }; },
          "Array.prototype[Symbol.iterator]": () => { Array.prototype[Symbol.iterator] = function* () { yield "evil"; }; },
          "Map.prototype.get": () => { Map.prototype.get = () => "evil"; },
          "Map.prototype.forEach": () => { Map.prototype.forEach = () => { throw new Error("forEach polluted"); }; },
          "Map.prototype[Symbol.iterator]": () => { Map.prototype[Symbol.iterator] = function* () { yield ["evil", ["evil"]]; }; },
          "Function.prototype.call": () => { Function.prototype.call = () => { throw new Error("call polluted"); }; },
          "Function.prototype.apply": () => { Function.prototype.apply = () => { throw new Error("apply polluted"); }; },
          "Promise.prototype.then": () => { Promise.prototype.then = () => { throw new Error("then polluted"); }; },
          "JSON.stringify": () => { JSON.stringify = () => "{\"evil\":1}"; },
          "JSON.parse": () => { JSON.parse = () => ({ evil: 1 }); },
          "Uint8Array.prototype.slice": () => { Uint8Array.prototype.slice = () => new Uint8Array([101, 118, 105, 108]); },
          "globalThis.Map": () => { globalThis.Map = function () { throw new Error("Map replaced"); }; },
          "globalThis.Promise": () => { globalThis.Promise = function () { throw new Error("Promise replaced"); }; },
        };
        const PromiseOriginal = Promise;
        export default {
          async fetch(request, env) {
            const which = new URL(request.url).searchParams.get("p");
            pollutions[which]();
            let out = "";
            try { await env.KV.put("k", "v1"); out += "kv: " + (await env.KV.get("k")); } catch (e) { out += "kv: " + e; }
            try { out += " | json: " + (await Response.json({ a: 1 }).text()); } catch (e) { out += " | json: " + e; }
            try { out += " | headers: " + new Headers({ a: "1", b: "2" }).get("b"); } catch (e) { out += " | headers: " + e; }
            try { out += " | text: " + (await new Request("http://x/", { method: "POST", body: "plain" }).text()); } catch (e) { out += " | text: " + e; }
            try { await fetch("http://127.0.0.1:1/"); out += " | fetch: ok"; } catch (e) { out += " | fetch: " + e.message; }
            out += " | timer: " + (await new PromiseOriginal((resolve) => setTimeout(() => resolve("fired"), 1)));
            return new Response(out, { headers: { "x-a": "1", "x-b": "2" } });
          },
        };
        """;

    /// <summary>
    /// A Worker that patches a prototype or replaces a global changes what its own code sees, as on
    /// workerd (whose built-ins are C++): Flint's built-ins keep answering as before, the response
    /// carries the headers the Worker set, and nothing hangs.
    /// </summary>
    [Theory]
    [InlineData("Array.prototype.join")]
    [InlineData("Array.prototype.push")]
    [InlineData("Array.prototype[Symbol.iterator]")]
    [InlineData("Map.prototype.get")]
    [InlineData("Map.prototype.forEach")]
    [InlineData("Map.prototype[Symbol.iterator]")]
    [InlineData("Function.prototype.call")]
    [InlineData("Function.prototype.apply")]
    [InlineData("Promise.prototype.then")]
    [InlineData("JSON.stringify")]
    [InlineData("JSON.parse")]
    [InlineData("Uint8Array.prototype.slice")]
    [InlineData("globalThis.Map")]
    [InlineData("globalThis.Promise")]
    public async Task PollutingBuiltInsChangesOnlyTheWorkersOwnCode(string pollution)
    {
        await using var w = await RunningWorker.StartAsync(new Dictionary<string, string>
        {
            ["wrangler.toml"] = "name = \"polluted\"\nmain = \"index.js\"\ncompatibility_date = \"2025-11-01\"\nkv_namespaces = [{ binding = \"KV\" }]\n",
            ["index.js"] = PollutionProbe,
        });
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await w.Client.GetAsync("/?p=" + Uri.EscapeDataString(pollution), cts.Token);
        Assert.Equal("kv: v1 | json: {\"a\":1} | headers: 2 | text: plain | fetch: Network connection lost. | timer: fired",
            await response.Content.ReadAsStringAsync(cts.Token));
        Assert.Equal("1", response.Headers.GetValues("x-a").Single());
        Assert.Equal("2", response.Headers.GetValues("x-b").Single());
        Assert.False(response.Headers.Contains("x-injected"));
    }

    /// <summary>
    /// The global scope is an allow-list: every own property of globalThis is in
    /// sandbox-globals.txt. A new global is a decision: add it there, with the change that makes it.
    /// </summary>
    [Fact]
    public async Task TheGlobalScopeHoldsOnlyWhatTheAllowListNames()
    {
        var actual = (await Get("/globals")).Split('\n');
        var listed = File.ReadAllLines(Path.Combine(RepoRoot.Path, "tests", "Flint.Server.Tests", "sandbox-globals.txt"))
            .Where(l => l.Length > 0 && !l.StartsWith('#')).ToHashSet(StringComparer.Ordinal);
        var unexpected = actual.Where(a => !listed.Contains(a)).ToList();
        var missing = listed.Where(l => !actual.Contains(l)).ToList();
        Assert.True(unexpected.Count == 0 && missing.Count == 0,
            $"The global scope differs from tests/Flint.Server.Tests/sandbox-globals.txt.\nNot listed: {string.Join(", ", unexpected)}\nListed but absent: {string.Join(", ", missing)}");
    }
}
