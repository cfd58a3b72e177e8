using Flint.Server.Tests.Support;

namespace Flint.Server.Tests;

/// <summary>
/// Real npm packages (tests/fixtures/npm) bundled with nodejs_compat and served by flint dev, as a
/// Worker using them on Cloudflare would run.
/// </summary>
public class NodePackagesTests
{
    private static async Task<RunningWorker> StartAsync(string code, string date = "2025-11-01", string flags = "[\"nodejs_compat\"]", string extraConfig = "")
    {
        var dir = RunningWorker.WriteFiles(new Dictionary<string, string>
        {
            ["wrangler.toml"] = $"name = \"npm\"\nmain = \"index.js\"\ncompatibility_date = \"{date}\"\ncompatibility_flags = {flags}\n{extraConfig}[vars]\nGREETING = \"hi\"\n",
            ["index.js"] = code,
        });
        await TestTools.LinkNpmFixtureIntoAsync(dir);
        return await RunningWorker.StartInAsync(dir, ownsDirectory: true);
    }

    [Fact]
    public async Task JsonWebTokenSignsAndVerifies()
    {
        await using var w = await StartAsync("""
            import jwt from "jsonwebtoken";
            import crypto from "node:crypto";
            export default {
              async fetch() {
                const token = jwt.sign({ sub: "user-1", role: "admin" }, "s3cret", { algorithm: "HS256", noTimestamp: true });
                const claims = jwt.verify(token, "s3cret");
                let wrong;
                try { jwt.verify(token, "other"); } catch (e) { wrong = `${e.name}: ${e.message}`; }
                const { privateKey, publicKey } = await crypto.subtle.generateKey({ name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }, true, ["sign", "verify"]);
                const pem = (label, der) => `-----BEGIN ${label}-----\n${Buffer.from(der).toString("base64").match(/.{1,64}/g).join("\n")}\n-----END ${label}-----\n`;
                const priv = pem("PRIVATE KEY", await crypto.subtle.exportKey("pkcs8", privateKey));
                const pub = pem("PUBLIC KEY", await crypto.subtle.exportKey("spki", publicKey));
                const rs = jwt.sign({ sub: "rs" }, priv, { algorithm: "RS256" });
                const rsClaims = jwt.verify(rs, pub, { algorithms: ["RS256"] });
                return Response.json({ token, claims, wrong, rs: rsClaims.sub });
              },
            };
            """);
        var body = await w.GetStringAsync("/");
        Assert.Contains("\"token\":\"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTEiLCJyb2xlIjoiYWRtaW4ifQ.", body);
        Assert.Contains("\"claims\":{\"sub\":\"user-1\",\"role\":\"admin\"}", body);
        Assert.Contains("\"wrong\":\"JsonWebTokenError: invalid signature\"", body);
        Assert.Contains("\"rs\":\"rs\"", body);
    }

    [Fact]
    public async Task BcryptjsHashesAndCompares()
    {
        await using var w = await StartAsync("""
            import bcrypt from "bcryptjs";
            export default {
              async fetch() {
                const hash = await bcrypt.hash("correct horse", 4);
                // made by bcryptjs under Node.js: the same hash must verify here
                return Response.json({ prefix: hash.slice(0, 7), ok: await bcrypt.compare("correct horse", hash), bad: await bcrypt.compare("wrong", hash),
                  known: bcrypt.compareSync("password", "$2a$04$sLZAJDbTRiqEfUgFjnVsK.dXzgaDB4j55AWHgmYlehyHQb9ufVJBS") });
              },
            };
            """);
        Assert.Equal("""{"prefix":"$2a$04$","ok":true,"bad":false,"known":true}""", await w.GetStringAsync("/"));
    }

    [Fact]
    public async Task HonoAndPinoRun()
    {
        await using var w = await StartAsync("""
            import { Hono } from "hono";
            import pino from "pino";
            import { AsyncLocalStorage } from "node:async_hooks";
            const als = new AsyncLocalStorage();
            const lines = [];
            const log = pino({ browser: { write: (o) => lines.push(o) } });
            const app = new Hono();
            app.use(async (c, next) => als.run(c.req.header("x-id"), next));
            app.get("/hello/:name", async (c) => {
              await new Promise((r) => setTimeout(r, 1));
              log.info({ id: als.getStore() }, "greeting");
              return c.json({ hello: c.req.param("name"), id: als.getStore(), env: process.env.GREETING, logged: lines.length > 0 });
            });
            export default app;
            """);
        var request = new HttpRequestMessage(HttpMethod.Get, "/hello/flint");
        request.Headers.Add("x-id", "r-7");
        var response = await w.Client.SendAsync(request);
        Assert.Equal("""{"hello":"flint","id":"r-7","env":"hi","logged":true}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task NodeHttpServesThroughHttpServerHandlerAndFetchesAsAClient()
    {
        await using var w = await StartAsync("""
            import http from "node:http";
            import { httpServerHandler } from "cloudflare:node";
            const server = http.createServer((req, res) => {
              let body = "";
              req.on("data", (c) => (body += c));
              req.on("end", () => {
                res.setHeader("set-cookie", ["a=1", "b=2"]);
                res.writeHead(201, "Made", { "content-type": "text/plain", "x-url": req.url, "x-method": req.method });
                res.write("got:");
                res.end(body + "|" + [req.httpVersion, req.headers["x-in"], typeof req.socket, req.complete].join(","));
              });
            });
            server.listen(8080);
            const handler = httpServerHandler({ port: 8080 });
            export default {
              async fetch(request, env, ctx) {
                const url = new URL(request.url);
                if (url.pathname !== "/client") return handler.fetch(request, env, ctx);
                // The client runs on fetch: here against this Worker's own server, through the ingress.
                const answer = await new Promise((resolve) => {
                  const req = http.request(`http://127.0.0.1:${url.port}/echo?x=1`, { method: "POST", headers: { "x-in": "from client" } }, (res) => {
                    let data = "";
                    res.setEncoding("utf8");
                    res.on("data", (c) => (data += c));
                    res.on("end", () => resolve([res.statusCode, res.statusMessage, res.headers["x-url"], res.headers["set-cookie"], data]));
                  });
                  req.on("error", (e) => resolve(["error", e.message]));
                  req.end("sent body");
                });
                return Response.json({ answer, address: server.address(), listening: server.listening, status: http.STATUS_CODES[418], methods: http.METHODS.length });
              },
            };
            """);
        var request = new HttpRequestMessage(HttpMethod.Put, "/some/path?q=1") { Content = new StringContent("payload") };
        request.Headers.Add("x-in", "yes");
        var response = await w.Client.SendAsync(request);
        Assert.Equal(201, (int)response.StatusCode);
        Assert.Equal("Made", response.ReasonPhrase);
        Assert.Equal(["a=1", "b=2"], response.Headers.GetValues("set-cookie"));
        Assert.Equal("/some/path?q=1", response.Headers.GetValues("x-url").Single());
        Assert.Equal("got:payload|1.1,yes,object,true", await response.Content.ReadAsStringAsync());

        Assert.Equal("""{"answer":[201,"Made","/echo?x=1",["a=1","b=2"],"got:sent body|1.1,from client,object,true"],"address":{"port":8080,"family":"IPv4","address":"127.0.0.1"},"listening":true,"status":"I'm a Teapot","methods":35}""",
            await w.GetStringAsync("/client"));
    }

    [Fact]
    public async Task TheUnenvPresetPolyfillsWhatTheDateDoesNotHaveNatively()
    {
        // As wrangler bundles: the project's @cloudflare/unenv-preset decides, by compatibility date, which
        // node: modules are native and which get unenv's polyfills (recorded on wrangler dev for both dates).
        const string code = """
            import fs from "node:fs";
            import http from "node:http";
            import { Worker } from "node:worker_threads";
            const attempt = (f) => { try { return f(); } catch (e) { return `${e.constructor.name}: ${e.message}`; } };
            export default {
              async fetch() {
                return Response.json({
                  fs: attempt(() => fs.readFileSync("/tmp/nope")),
                  httpServer: attempt(() => typeof http.createServer()),
                  worker: attempt(() => typeof new Worker("x")),
                  process: [typeof process, process.version.startsWith("v22."), process.hrtime().length],
                  performance: typeof performance.mark,
                  console: ["clear", "context", "createTask", "profile", "profileEnd", "timeStamp"].every((k) => k in console),
                });
              },
            };
            """;
        await using (var old = await StartAsync(code, date: "2024-09-23"))
        {
            Assert.Equal("""{"fs":"Error: [unenv] fs.readFileSync is not implemented yet!","httpServer":"Error: [unenv] http.createServer is not implemented yet!","worker":"object","process":["object",true,2],"performance":"function","console":true}""",
                await old.GetStringAsync("/"));
        }
        await using var current = await StartAsync(code, date: "2025-11-01");
        Assert.Equal("""{"fs":"Error: no such file or directory, readAll '/tmp/nope'","httpServer":"object","worker":"object","process":["object",true,2],"performance":"function","console":true}""",
            await current.GetStringAsync("/"));

        // From 2026-03-17 workerd has worker_threads, child_process and perf_hooks natively (as stubs);
        // Flint does not, so the preset's unenv polyfill stays in the bundle and the Worker still loads.
        await using var later = await StartAsync("""
            import { Worker, isMainThread } from "node:worker_threads";
            import { execSync } from "node:child_process";
            import { performance as perf } from "node:perf_hooks";
            import constants from "node:constants";
            const attempt = (f) => { try { return f(); } catch (e) { return e.constructor.name; } };
            export default {
              async fetch() {
                return Response.json({ isMainThread, worker: typeof Worker, exec: attempt(() => execSync("ls")), perf: typeof perf.now(), constants: [constants.O_RDONLY, constants.ENOENT] });
              },
            };
            """, date: "2026-11-01");
        Assert.Equal("""{"isMainThread":true,"worker":"function","exec":"Error","perf":"number","constants":[0,2]}""", await later.GetStringAsync("/"));
    }

    [Fact]
    public async Task AwsSdkS3ClientSignsRequestsToFlintsS3Api()
    {
        // @aws-sdk/client-s3 in a Worker, signing SigV4 requests (node:crypto, Buffer, streams) to Flint's own
        // S3 API; what it writes, the Worker's R2 binding reads back, and the other way round. Commands whose
        // answer is XML fail as on Cloudflare: the SDK's Worker build parses XML with DOMParser, which Workers
        // lack (wrangler dev answers the same).
        await using var w = await StartAsync($$"""
            import { S3Client, PutObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, DeleteObjectCommand } from "@aws-sdk/client-s3";
            export default {
              async fetch(request, env) {
                const endpoint = new URL(request.url).searchParams.get("endpoint");
                const s3 = new S3Client({ endpoint, region: "auto", forcePathStyle: true,
                  credentials: { accessKeyId: "{{RunningWorker.S3AccessKeyId}}", secretAccessKey: "{{RunningWorker.S3SecretAccessKey}}" } });
                const put = await s3.send(new PutObjectCommand({ Bucket: "files", Key: "from-sdk.txt", Body: "written by the AWS SDK", ContentType: "text/plain", Metadata: { by: "sdk" } }));
                const viaBinding = await env.FILES.get("from-sdk.txt");
                await env.FILES.put("from-binding.txt", "written by R2", { customMetadata: { by: "r2" } });
                const got = await s3.send(new GetObjectCommand({ Bucket: "files", Key: "from-binding.txt" }));
                const head = await s3.send(new HeadObjectCommand({ Bucket: "files", Key: "from-binding.txt" }));
                let list;
                try { await s3.send(new ListObjectsV2Command({ Bucket: "files" })); } catch (e) { list = `${e.name}: ${e.message.split("\n")[0]}`; }
                await s3.send(new DeleteObjectCommand({ Bucket: "files", Key: "from-binding.txt" }));
                return Response.json({
                  etag: put.ETag === `"${viaBinding.etag}"`, binding: [await viaBinding.text(), viaBinding.httpMetadata.contentType, viaBinding.customMetadata.by],
                  sdk: [await got.Body.transformToString(), got.Metadata.by, head.ContentLength], list,
                  afterDelete: await env.FILES.head("from-binding.txt"),
                });
              },
            };
            """, extraConfig: "[[r2_buckets]]\nbinding = \"FILES\"\nbucket_name = \"files\"\n");
        Assert.NotNull(w.S3Url);
        var response = await w.Client.GetAsync("/?endpoint=" + Uri.EscapeDataString(w.S3Url!.ToString().TrimEnd('/')));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        Assert.Equal("""{"etag":true,"binding":["written by the AWS SDK","text/plain","sdk"],"sdk":["written by R2","r2",13],"list":"ReferenceError: DOMParser is not defined","afterDelete":null}""", body);
    }

    [Fact]
    public async Task AReactRouterAppsServerBuildRuns()
    {
        // tests/fixtures/react-router: built with react-router build, served by a Worker with React Router's
        // request handler; react-dom/server comes in its Worker build (the workerd export condition).
        var dir = await TestTools.ReactRouterAppAsync();
        await using var w = await RunningWorker.StartInAsync(dir);
        var page = await w.GetStringAsync("/");
        Assert.StartsWith("<!DOCTYPE html><html lang=\"en\">", page);
        Assert.Contains("<title>Flint notes</title>", page);
        Assert.Contains("<h1>Hello<!-- --> from <!-- -->/</h1>", page);
        Assert.Contains("<p id=\"encoded\">cmVhY3Qtcm91dGVy</p>", page); // node:buffer in a loader
        Assert.Contains("window.__reactRouterManifest", page);

        var saved = await w.Client.PostAsync("/?index", new FormUrlEncodedContent([new("note", "hello there")]));
        Assert.Contains("<p id=\"saved\">HELLO THERE</p>", await saved.Content.ReadAsStringAsync());

        Assert.Contains("<p id=\"note\">Note <!-- -->42</p>", await w.GetStringAsync("/notes/42"));
        var missing = await w.Client.GetAsync("/notes/missing");
        Assert.Equal(404, (int)missing.StatusCode);
        Assert.Contains("<p id=\"error\">Not found</p>", await missing.Content.ReadAsStringAsync());
        Assert.Equal("""[{"_1":2},"routes/note",{"_3":4},"data",{"_5":6},"id","42"]""", (await w.GetStringAsync("/notes/42.data")).Trim());
    }
}
