using System.Text;
using System.Text.Json;
using Flint.JavaScript.Web.Network;
using Flint.Server.Tests.Support;

namespace Flint.Server.Tests;

/// <summary>
/// connect() from cloudflare:sockets against real TCP and TLS servers on loopback. The expected
/// errors and shapes are what wrangler dev (workerd) answered to the same Worker code.
/// </summary>
public class SocketsTests : IAsyncLifetime
{
    // A CA the Worker's TLS trusts through NODE_EXTRA_CA_CERTS (as wrangler dev reads it), and one it does not.
    private static readonly TestCertificates s_trusted = new("flint-sockets");
    private static readonly TestCertificates s_untrusted = new("flint-untrusted");
    private static readonly string s_caFile = WriteCaFile();

    private TestTcpServer _echo = null!, _tlsEcho = null!, _untrustedTls = null!, _startTls = null!, _hangUp = null!;

    private static string WriteCaFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"flint-sockets-ca-{Guid.NewGuid():n}.pem");
        File.WriteAllText(path, s_trusted.AuthorityPem);
        Environment.SetEnvironmentVariable("NODE_EXTRA_CA_CERTS", path);
        return path;
    }

    public Task InitializeAsync()
    {
        _ = s_caFile;
        _echo = new TestTcpServer(TestTcpServer.Echo);
        _tlsEcho = new TestTcpServer(TestTcpServer.Echo, s_trusted.Server);
        _untrustedTls = new TestTcpServer(TestTcpServer.Echo, s_untrusted.Server);
        // A STARTTLS exchange as SMTP or PostgreSQL do it: a plain line, then TLS on the same connection.
        _startTls = new TestTcpServer(async (stream, ct) =>
        {
            var line = await TestTcpServer.ReadLineAsync(stream, ct);
            await stream.WriteAsync(Encoding.UTF8.GetBytes(line == "STARTTLS" ? "GO\n" : "NO\n"), ct);
            if (line != "STARTTLS") return;
            await using var ssl = new System.Net.Security.SslStream(stream, leaveInnerStreamOpen: true);
            await ssl.AuthenticateAsServerAsync(s_trusted.Server);
            await TestTcpServer.Echo(ssl, ct);
        });
        // Says hello, ends its side, then reports what else it gets before the Worker ends.
        _hangUp = new TestTcpServer(async (stream, ct) =>
        {
            await stream.WriteAsync("hello\n"u8.ToArray(), ct);
            var socket = ((System.Net.Sockets.NetworkStream)stream).Socket;
            socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
            var rest = new MemoryStream();
            await stream.CopyToAsync(rest, ct);
            _hangUp.Report("got:" + Encoding.UTF8.GetString(rest.ToArray()));
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var s in new[] { _echo, _tlsEcho, _untrustedTls, _startTls, _hangUp }) await s.DisposeAsync();
    }

    private Task<RunningWorker> StartAsync(string code, OutboundPolicy? outbound = null, string flags = "[]") => RunningWorker.StartAsync(new Dictionary<string, string>
    {
        ["wrangler.toml"] = $"name = \"sockets\"\nmain = \"index.js\"\ncompatibility_date = \"2025-06-01\"\ncompatibility_flags = {flags}\n",
        ["index.js"] = code,
    }, vars: new Dictionary<string, string>
    {
        ["ECHO"] = _echo.Port.ToString(), ["TLS"] = _tlsEcho.Port.ToString(), ["UNTRUSTED"] = _untrustedTls.Port.ToString(),
        ["STARTTLS"] = _startTls.Port.ToString(), ["HANGUP"] = _hangUp.Port.ToString(),
    }, outbound: outbound);

    private const string Helpers = """
        import { connect } from "cloudflare:sockets";
        const desc = (e) => `${e?.constructor?.name}: ${e?.message}`;
        async function attempt(f) { try { return "ok " + JSON.stringify(await f()); } catch (e) { return "throw " + desc(e); } }
        async function readText(readable, until) {
          const reader = readable.getReader(); let text = "";
          while (!text.includes(until)) { const { value, done } = await reader.read(); if (done) break; text += new TextDecoder().decode(value); }
          reader.releaseLock(); return text;
        }
        """;

    [Fact]
    public async Task EchoesBytesAndStringsAndRefusesUseAfterClose()
    {
        await using var w = await StartAsync(Helpers + """
            export default {
              async fetch(req, env) {
                const s = connect({ hostname: "127.0.0.1", port: Number(env.ECHO) });
                const out = { info: await s.opened, tag: Object.prototype.toString.call(s), transport: s.secureTransport, upgraded: s.upgraded };
                out.proto = Object.getOwnPropertyNames(Object.getPrototypeOf(s));
                const w = s.writable.getWriter();
                await w.write(new TextEncoder().encode("hello "));
                await w.write("world");
                const r = s.readable.getReader();
                let text = "", type;
                while (text.length < 11) { const { value } = await r.read(); type = value.constructor.name; text += new TextDecoder().decode(value); }
                out.echo = text; out.type = type;
                r.releaseLock(); w.releaseLock();
                out.close = await s.close();
                out.closed = await attempt(() => s.closed);
                out.closeAgain = await attempt(() => s.close());
                out.writeAfter = await attempt(() => s.writable.getWriter().write(new Uint8Array([1])));
                out.readAfter = await attempt(() => s.readable.getReader().read());
                const byString = connect(`127.0.0.1:${env.ECHO}`);
                out.byString = await byString.opened;
                await byString.close();
                return Response.json(out);
              },
            };
            """);
        using var doc = JsonDocument.Parse(await w.GetStringAsync("/"));
        var root = doc.RootElement;
        Assert.Equal($"127.0.0.1:{_echo.Port}", root.GetProperty("info").GetProperty("remoteAddress").GetString());
        Assert.Equal("[object Socket]", root.GetProperty("tag").GetString());
        Assert.Equal("off", root.GetProperty("transport").GetString());
        Assert.False(root.GetProperty("upgraded").GetBoolean());
        Assert.Equal("readable,writable,closed,opened,upgraded,secureTransport,close,startTls",
            string.Join(",", root.GetProperty("proto").EnumerateArray().Select(e => e.GetString()).Where(n => n != "constructor")));
        Assert.Equal("hello world", root.GetProperty("echo").GetString());
        Assert.Equal("Uint8Array", root.GetProperty("type").GetString());
        Assert.Equal("ok undefined", root.GetProperty("closed").GetString());
        Assert.Equal("ok undefined", root.GetProperty("closeAgain").GetString());
        Assert.Equal("throw TypeError: This WritableStream belongs to an object that is closing.", root.GetProperty("writeAfter").GetString());
        Assert.Equal("throw TypeError: This ReadableStream belongs to an object that is closing.", root.GetProperty("readAfter").GetString());
        Assert.Equal($"127.0.0.1:{_echo.Port}", root.GetProperty("byString").GetProperty("remoteAddress").GetString());
    }

    [Fact]
    public async Task AddressAndOptionErrorsAreWorkerds()
    {
        await using var w = await StartAsync(Helpers + """
            let atGlobalScope;
            try { connect("127.0.0.1:1"); } catch (e) { atGlobalScope = desc(e); }
            const failed = async (s) => { try { await s.opened; return "opened"; } catch (e) { let c; try { await s.closed; c = "closed"; } catch (e2) { c = desc(e2); } return `${desc(e)} / ${c}`; } };
            export default {
              async fetch(req, env) {
                const echo = { hostname: "127.0.0.1", port: Number(env.ECHO) };
                return Response.json({
                  atGlobalScope,
                  noPort: await attempt(() => connect("127.0.0.1")),
                  noHost: await attempt(() => connect(":80")),
                  spaces: await attempt(() => connect("exa mple.com:80")),
                  bigPort: await attempt(() => connect({ hostname: "a", port: 99999 })),
                  transport: await attempt(() => connect(echo, { secureTransport: "maybe" })),
                  refused: await failed(connect({ hostname: "127.0.0.1", port: 1 })),
                  http: await failed(connect({ hostname: "127.0.0.1", port: 80 })),
                  smtp: await failed(connect({ hostname: "127.0.0.1", port: 25 })),
                  startTlsOff: await attempt(() => { const s = connect(echo); try { s.startTls(); } finally { s.close(); } }),
                  startTlsOn: await attempt(() => { const s = connect({ hostname: "127.0.0.1", port: Number(env.TLS) }, { secureTransport: "on" }); try { s.startTls(); } finally { s.close(); } }),
                  twice: await attempt(() => {
                    const s = connect(echo, { secureTransport: "starttls" });
                    const seen = [s.secureTransport, s.upgraded];
                    const t = s.startTls();
                    seen.push(t.secureTransport, t.upgraded);
                    try { s.startTls(); } catch (e) { seen.push(desc(e)); }
                    t.close();
                    return seen;
                  }),
                });
              },
            };
            """);
        using var doc = JsonDocument.Parse(await w.GetStringAsync("/"));
        var r = doc.RootElement;
        string P(string name) => r.GetProperty(name).GetString()!;
        const string proxy = "Error: proxy request failed, cannot connect to the specified address";
        Assert.Equal("Error: Disallowed operation called within global scope. Asynchronous I/O (ex: fetch() or connect()), setting a timeout, and generating random values are not allowed within global scope. To fix this error, perform this operation within a handler. https://developers.cloudflare.com/workers/runtime-apis/handlers/", P("atGlobalScope"));
        Assert.Equal("throw TypeError: Specified address is missing port.", P("noPort"));
        Assert.Equal("throw TypeError: Specified address could not be parsed.", P("noHost"));
        Assert.Equal("throw TypeError: Specified address could not be parsed.", P("spaces"));
        Assert.Equal("throw TypeError: Value out of range. Must be less than or equal to 65535.", P("bigPort"));
        Assert.Equal("throw TypeError: Unsupported value in secureTransport socket option: maybe", P("transport"));
        Assert.Equal($"{proxy} / {proxy}", P("refused"));
        Assert.Equal($"{proxy}. It looks like you might be trying to connect to a HTTP-based service — consider using fetch instead / {proxy}. It looks like you might be trying to connect to a HTTP-based service — consider using fetch instead", P("http"));
        Assert.Equal($"{proxy} / {proxy}", P("smtp"));
        Assert.Equal("throw TypeError: The `secureTransport` socket option must be set to 'starttls' for startTls to be used.", P("startTlsOff"));
        Assert.Equal("throw TypeError: Cannot startTls on a TLS socket.", P("startTlsOn"));
        Assert.Equal("ok [\"starttls\",false,\"on\",false,\"TypeError: startTls has already been called on this socket, or the socket was transferred over RPC.\"]", P("twice"));
        Assert.Contains(w.Logs.Lines, l => l.Contains("Workers may not connect to port 25"));
    }

    [Fact]
    public async Task PeerEndClosesTheSocketUnlessHalfOpen()
    {
        await using var w = await StartAsync(Helpers + """
            export default {
              async fetch(req, env) {
                const port = Number(env.HANGUP);
                const plain = connect({ hostname: "127.0.0.1", port });
                const text = await readText(plain.readable, "\n");
                const chunks = [];
                for await (const c of plain.readable) chunks.push(c);
                const closed = await attempt(() => plain.closed);
                const late = await attempt(() => plain.writable.getWriter().write(new Uint8Array([1])));

                const half = connect({ hostname: "127.0.0.1", port }, { allowHalfOpen: true });
                const halfText = await readText(half.readable, "\n");
                for await (const c of half.readable) chunks.push(c);
                const writer = half.writable.getWriter();
                await writer.write(new TextEncoder().encode("still here"));
                await writer.close();
                const halfClosed = await attempt(() => half.closed);
                return Response.json({ text, rest: chunks.length, closed, late, halfText, halfClosed });
              },
            };
            """);
        using var doc = JsonDocument.Parse(await w.GetStringAsync("/"));
        var r = doc.RootElement;
        Assert.Equal("hello\n", r.GetProperty("text").GetString());
        Assert.Equal(0, r.GetProperty("rest").GetInt32());
        Assert.Equal("ok undefined", r.GetProperty("closed").GetString());
        Assert.StartsWith("throw TypeError", r.GetProperty("late").GetString());
        Assert.Equal("hello\n", r.GetProperty("halfText").GetString());
        Assert.Equal("ok undefined", r.GetProperty("halfClosed").GetString());
        Assert.True(await _hangUp.WaitForAsync("got:", TimeSpan.FromSeconds(5)), string.Join(",", _hangUp.Events));
        Assert.True(await _hangUp.WaitForAsync("got:still here", TimeSpan.FromSeconds(5)), string.Join(",", _hangUp.Events));
    }

    [Fact]
    public async Task TlsFromTheStartAndByStartTls()
    {
        await using var w = await StartAsync(Helpers + """
            async function roundTrip(s, text) {
              const w = s.writable.getWriter(); await w.write(new TextEncoder().encode(text)); w.releaseLock();
              return readText(s.readable, text);
            }
            export default {
              async fetch(req, env) {
                const tls = connect({ hostname: "localhost", port: Number(env.TLS) }, { secureTransport: "on" });
                const on = [await tls.opened, tls.secureTransport, await roundTrip(tls, "over tls")];
                await tls.close();

                const plain = connect({ hostname: "localhost", port: Number(env.STARTTLS) }, { secureTransport: "starttls" });
                const writer = plain.writable.getWriter();
                await writer.write(new TextEncoder().encode("STARTTLS\n"));
                writer.releaseLock();
                const go = await readText(plain.readable, "\n");
                const secure = plain.startTls();
                const upgraded = [await attempt(() => plain.closed), plain.upgraded, secure.secureTransport, await secure.opened];
                const echoed = await roundTrip(secure, "after starttls");
                await secure.close();

                const bad = connect({ hostname: "localhost", port: Number(env.UNTRUSTED) }, { secureTransport: "on" });
                const untrusted = await attempt(() => bad.opened);
                return Response.json({ on, go, upgraded, echoed, untrusted });
              },
            };
            """);
        using var doc = JsonDocument.Parse(await w.GetStringAsync("/"));
        var r = doc.RootElement;
        Assert.Equal($"[{{\"remoteAddress\":\"localhost:{_tlsEcho.Port}\"}},\"on\",\"over tls\"]", r.GetProperty("on").GetRawText());
        Assert.Equal("GO\n", r.GetProperty("go").GetString());
        Assert.Equal($"[\"ok undefined\",true,\"on\",{{\"remoteAddress\":\"localhost:{_startTls.Port}\"}}]", r.GetProperty("upgraded").GetRawText());
        Assert.Equal("after starttls", r.GetProperty("echoed").GetString());
        Assert.Equal("throw Error: proxy request failed, cannot connect to the specified address", r.GetProperty("untrusted").GetString());
    }

    [Fact]
    public async Task SocketsFollowTheOutboundPolicyAndEndWithTheirEvent()
    {
        await using (var publicOnly = await StartAsync(Helpers + """
            export default {
              async fetch(req, env) {
                return new Response(await attempt(() => connect({ hostname: "127.0.0.1", port: Number(env.ECHO) }).opened));
              },
            };
            """, OutboundPolicy.PublicOnly()))
        {
            Assert.Equal("throw Error: proxy request failed, cannot connect to the specified address", await publicOnly.GetStringAsync("/"));
            await publicOnly.Logs.WaitForAsync(l => l.Contains($"connecting to 127.0.0.1:{_echo.Port} is not allowed"));
        }

        // Left open by the Worker, the socket is closed once its request is over (the peer sees its end).
        await using var w = await StartAsync(Helpers + """
            export default {
              async fetch(req, env) {
                const s = connect({ hostname: "127.0.0.1", port: Number(env.HANGUP) });
                const w = s.writable.getWriter();
                await w.write(new TextEncoder().encode("left open"));
                return new Response(await readText(s.readable, "\n"));
              },
            };
            """);
        Assert.Equal("hello\n", await w.GetStringAsync("/"));
        Assert.True(await _hangUp.WaitForAsync("got:left open", TimeSpan.FromSeconds(5)), string.Join(",", _hangUp.Events));
    }

    [Fact]
    public async Task ReadableStreamsIntoAResponse()
    {
        // The example of Cloudflare's TCP sockets page: write a request, return socket.readable as the body.
        await using var w = await StartAsync(Helpers + """
            export default {
              async fetch(req, env) {
                const s = connect({ hostname: "127.0.0.1", port: Number(env.ECHO) });
                const w = s.writable.getWriter();
                await w.write(new TextEncoder().encode("x".repeat(300000)));
                await w.close();
                return new Response(s.readable, { headers: { "content-type": "text/plain" } });
              },
            };
            """);
        var body = await w.GetStringAsync("/");
        Assert.Equal(300000, body.Length);
        Assert.True(body.All(c => c == 'x'));
    }

    [Fact]
    public async Task NodeNetAndTlsRunOverSockets()
    {
        // Events, states and errors as workerd's node:net gives them (recorded on wrangler dev).
        await using var w = await StartAsync("""
            import net from "node:net";
            import tls from "node:tls";
            const once = (s, ok) => new Promise((resolve) => { s.on(ok, resolve); s.on("error", (e) => resolve(e)); });
            export default {
              async fetch(req, env) {
                const out = { events: [] };
                const s = net.connect(Number(env.ECHO), "127.0.0.1");
                out.initial = [s.readyState, s.pending, s.connecting];
                await new Promise((resolve) => {
                  s.on("connect", () => { out.events.push("connect"); out.connected = [s.readyState, s.remoteAddress, s.remotePort, s.remoteFamily]; s.write("hello net"); });
                  s.on("ready", () => out.events.push("ready"));
                  s.on("data", (d) => { out.events.push("data:" + d.toString()); out.isBuffer = Buffer.isBuffer(d); s.end(); });
                  s.on("end", () => out.events.push("end"));
                  s.on("finish", () => out.events.push("finish"));
                  s.on("close", (hadError) => { out.events.push("close:" + hadError); resolve(); });
                });
                out.final = [s.readyState, s.bytesRead, s.bytesWritten, s.destroyed];
                const refused = net.connect(1, "127.0.0.1");
                const e = await once(refused, "connect");
                out.refused = [e.constructor.name, e.message, e.code, e.errno, e.syscall, e.address, e.port, Object.keys(e)];
                const missing = await once(net.connect(5000, "nonexistent.invalid"), "connect");
                out.missing = [missing.constructor.name, missing.message, missing.code, missing.hostname];
                try { net.connect(99999); } catch (err) { out.badPort = [err.code, err.message]; }
                try { new net.Socket().connect({ path: "/tmp/x" }); } catch (err) { out.path = [err.code, err.message]; }
                try { tls.connect({ host: "localhost", port: 1, rejectUnauthorized: false }); } catch (err) { out.reject = [err.code, err.message]; }
                const list = new net.BlockList();
                list.addSubnet("10.0.0.0", 8);
                list.addAddress("::1", "ipv6");
                out.blockList = [list.check("10.1.2.3"), list.check("11.0.0.1"), list.check("::1", "ipv6"), list.rules];
                out.isIP = [net.isIP("1.2.3.4"), net.isIP("::1"), net.isIP("x"), net.isIPv6("fe80::1%eth0")];

                // TLS from the start, then a STARTTLS upgrade of a plain net.Socket (as mysql2 and pg do it).
                const secure = tls.connect({ host: "localhost", port: Number(env.TLS) });
                await once(secure, "secureConnect");
                out.tls = [secure.encrypted, secure.authorized, secure.servername];
                secure.write("over tls");
                out.tlsEcho = String(await once(secure, "data"));
                secure.destroy();
                const plain = net.connect(Number(env.STARTTLS), "localhost");
                await once(plain, "connect");
                plain.write("STARTTLS\n");
                out.go = String(await once(plain, "data"));
                const upgraded = tls.connect({ socket: plain, servername: "localhost" });
                await once(upgraded, "secureConnect");
                upgraded.write("upgraded");
                out.upgradedEcho = String(await once(upgraded, "data"));
                upgraded.end();
                await once(upgraded, "close");
                return Response.json(out);
              },
            };
            """, flags: "[\"nodejs_compat\"]");
        using var doc = JsonDocument.Parse(await w.GetStringAsync("/"));
        var r = doc.RootElement;
        string J(string name) => r.GetProperty(name).GetRawText();
        Assert.Equal("""["connect","ready","data:hello net","finish","end","close:false"]""", J("events"));
        Assert.Equal("""["opening",true,true]""", J("initial"));
        Assert.Equal($"[\"open\",\"127.0.0.1\",{_echo.Port},\"IPv4\"]", J("connected"));
        Assert.Equal("true", J("isBuffer"));
        Assert.Equal("""["closed",9,9,true]""", J("final"));
        Assert.Equal("""["ConnectException","connect ECONNREFUSED 127.0.0.1:1","ECONNREFUSED",-111,"connect","127.0.0.1",1,["code","errno","syscall","address","port"]]""", J("refused"));
        Assert.Equal("""["GetAddrInfoException","getaddrinfo ENOTFOUND nonexistent.invalid","ENOTFOUND","nonexistent.invalid"]""", J("missing"));
        Assert.Equal("""["ERR_SOCKET_BAD_PORT","Port should be >= 0 and < 65536. Received number."]""", J("badPort"));
        Assert.Equal("""["ERR_INVALID_ARG_VALUE","The argument 'path' is not supported. Received '/tmp/x'"]""", J("path"));
        Assert.Equal("""["ERR_OPTION_NOT_IMPLEMENTED","The options.rejectUnauthorized option is not implemented"]""", J("reject"));
        Assert.Equal("""[true,false,true,["Subnet: IPv4 10.0.0.0/8","Address: IPv6 ::1"]]""", J("blockList"));
        Assert.Equal("[4,6,0,true]", J("isIP"));
        Assert.Equal("""[true,true,"localhost"]""", J("tls"));
        Assert.Equal("\"over tls\"", J("tlsEcho"));
        Assert.Equal("\"GO\\n\"", J("go"));
        Assert.Equal("\"upgraded\"", J("upgradedEcho"));
    }
}
