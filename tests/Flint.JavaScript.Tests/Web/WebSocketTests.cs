using Flint.JavaScript.Tests.Support;

namespace Flint.JavaScript.Tests.Web;

// Expected values were taken from workerd (compatibility date 2025-11-01), probing a
// WebSocketPair whose two ends talk to each other inside one isolate.
public class WebSocketTests
{
    private const string Tick = "const tick = () => new Promise((r) => setTimeout(r, 0));\nconst ticks = async (n) => { for (let i = 0; i < n; i++) await tick(); };\n";

    [Fact]
    public Task PairShapeAndConstants() => JsChecks.RunAsync(Tick + """
        check("a pair holds two sockets under 0 and 1", () => {
          const p = new WebSocketPair();
          eq(Object.keys(p), ["0", "1"]);
          eq(Object.prototype.toString.call(p), "[object WebSocketPair]");
          const [a, b] = p;
          ok(a === p[0] && b === p[1], "iteration yields 0 then 1");
          const [c, d] = Object.values(p);
          ok(c === a && d === b, "Object.values");
          ok(a instanceof WebSocket && a instanceof EventTarget, "WebSocket is an EventTarget");
          eq(Object.getOwnPropertyDescriptor(p, "0").writable, false);
          throws(() => { "use strict"; p[0] = 1; }, "TypeError");
          throws(() => WebSocketPair(), "TypeError", "Please use the 'new' operator");
        });
        check("initial state and constants", () => {
          const [a] = new WebSocketPair();
          eq([a.readyState, a.url, a.protocol, a.extensions, a.binaryType, a.bufferedAmount], [1, null, "", "", "arraybuffer", 0]);
          eq([WebSocket.CONNECTING, WebSocket.OPEN, WebSocket.CLOSING, WebSocket.CLOSED, a.OPEN, a.READY_STATE_OPEN, WebSocket.READY_STATE_CLOSED], [0, 1, 2, 3, 1, 1, 3]);
          eq(JSON.stringify(Object.getOwnPropertyDescriptor(WebSocket, "OPEN")), '{"value":1,"writable":false,"enumerable":true,"configurable":true}');
          eq(Object.prototype.toString.call(a), "[object WebSocket]");
          a.binaryType = "nonsense"; eq(a.binaryType, "arraybuffer");
          throws(() => WebSocket.prototype.send.call({}, "x"), "TypeError", "Illegal invocation");
        });
        """);

    [Fact]
    public Task SendAndReceiveWithinOneIsolate() => JsChecks.RunAsync(Tick + """
        check("send before accept throws as workerd", () => {
          const [a] = new WebSocketPair();
          throws(() => a.send("x"), "TypeError", "You must call one of accept() or state.acceptWebSocket() on this WebSocket before sending messages.");
          throws(() => a.close(), "TypeError", "You must call one of accept() or state.acceptWebSocket()");
          a.accept(); a.accept(); // twice is fine
          eq(a.readyState, 1);
        });
        check("messages arrive as MessageEvents on a later turn", async () => {
          const [a, b] = new WebSocketPair();
          a.accept(); b.accept();
          const got = [];
          b.addEventListener("message", (e) => got.push([typeof e.data, e.data instanceof ArrayBuffer, String(e.data), e.constructor.name, e.type, e.isTrusted, e.origin, e.lastEventId, e.source, e.ports]));
          a.send("hello");
          a.send(new Uint8Array([1, 2, 3]));
          a.send(new Uint8Array([1, 2, 3, 4]).buffer);
          a.send(new DataView(new ArrayBuffer(2)));
          a.send(123); a.send(null); a.send({});
          throws(() => a.send(), "TypeError", "Failed to execute 'send' on 'WebSocket': parameter 1 is not of type 'ArrayBuffer or ArrayBufferView or string'.");
          throws(() => a.send(Symbol()), "TypeError", "Cannot convert a Symbol value to a string");
          await null; await null;
          eq(got.length, 0, "not delivered within the same turn");
          await ticks(10);
          eq(got, [
            ["string", false, "hello", "MessageEvent", "message", true, null, "", null, []],
            ["object", true, "[object ArrayBuffer]", "MessageEvent", "message", true, null, "", null, []],
            ["object", true, "[object ArrayBuffer]", "MessageEvent", "message", true, null, "", null, []],
            ["object", true, "[object ArrayBuffer]", "MessageEvent", "message", true, null, "", null, []],
            ["string", false, "123", "MessageEvent", "message", true, null, "", null, []],
            ["string", false, "null", "MessageEvent", "message", true, null, "", null, []],
            ["string", false, "[object Object]", "MessageEvent", "message", true, null, "", null, []],
          ]);
        });
        check("bytes are copied at send and arrive intact", async () => {
          const [a, b] = new WebSocketPair(); a.accept(); b.accept();
          let data;
          b.onmessage = (e) => { data = new Uint8Array(e.data); };
          const src = new Uint8Array([9, 8, 7]);
          a.send(src.subarray(1));
          src[1] = 0;
          await ticks(3);
          eq([...data], [8, 7]);
        });
        check("events sent before accept are delivered after accept", async () => {
          const [a, b] = new WebSocketPair();
          a.accept();
          a.send("early1"); a.send("early2");
          eq(a.bufferedAmount, 12);
          await tick();
          const got = [];
          b.addEventListener("message", (e) => got.push(e.data));
          b.accept();
          eq(got.length, 0);
          await ticks(4);
          eq(got, ["early1", "early2"]);
          eq(a.bufferedAmount, 0);
        });
        check("onmessage runs before listeners and handlers may be objects", async () => {
          const [a, b] = new WebSocketPair(); a.accept(); b.accept();
          const order = [];
          b.addEventListener("message", { handleEvent: () => order.push("listener") });
          b.onmessage = () => order.push("on");
          a.send("x");
          await ticks(3);
          eq(order, ["on", "listener"]);
          b.onmessage = 5; eq(b.onmessage, null);
        });
        check("both ends talk: ping-pong", async () => {
          const [a, b] = new WebSocketPair(); a.accept(); b.accept();
          b.addEventListener("message", (e) => b.send("pong:" + e.data));
          const got = [];
          a.addEventListener("message", (e) => got.push(e.data));
          a.send("1"); a.send("2");
          await ticks(8);
          eq(got, ["pong:1", "pong:2"]);
        });
        check("binaryType blob falls back to ArrayBuffer when Blob is missing", async () => {
          const [a, b] = new WebSocketPair(); a.accept(); b.accept();
          b.binaryType = "blob";
          eq(b.binaryType, "blob");
          let data; b.onmessage = (e) => { data = e.data; };
          a.send(new Uint8Array([1]));
          await ticks(3);
          ok(typeof Blob === "function" ? data instanceof Blob : data instanceof ArrayBuffer, "binary data");
        });
        """);

    [Fact]
    public Task BeforeAutoReplyAReceivedCloseWaitsForTheWorkersOwn() => JsChecks.RunAsync(Tick + """
        check("a close is not answered for the Worker before 2026-04-07 (as on wrangler dev)", async () => {
          const [a, b] = new WebSocketPair(); a.accept(); b.accept();
          const got = [];
          b.addEventListener("close", (e) => got.push(["b", e.code, e.reason, b.readyState, a.readyState]));
          a.addEventListener("close", (e) => got.push(["a", e.code, e.reason, a.readyState, b.readyState]));
          a.close(3001, "bye");
          await ticks(10);
          eq(got, [["b", 3001, "bye", 2, 2]]);
          eq([a.readyState, b.readyState], [2, 2]);
          b.close(1000, "answered");
          await ticks(10);
          eq(got, [["b", 3001, "bye", 2, 2], ["a", 1000, "answered", 3, 3]]);
        });
        """, compatibility: ("2025-11-01", []));

    [Fact]
    public Task CloseCodesReasonsAndEvents() => JsChecks.RunAsync(Tick + """
        check("close codes are validated as workerd does", () => {
          const outcomes = [];
          for (const args of [[999], [1000], [1001], [1004], [1005], [1006], [1015], [2999], [3000], [4999], [5000], [1000.5], ["1000"], [NaN], [-1], [66536], [undefined, "x"]]) {
            const [c] = new WebSocketPair(); c.accept();
            try { c.close(...args); outcomes.push(`ok ${c.readyState}`); } catch (e) { outcomes.push(`${e.name}: ${e.message}`); }
          }
          eq(outcomes, [
            "InvalidAccessError: Invalid WebSocket close code: 999.", "ok 2", "ok 2",
            "InvalidAccessError: Invalid WebSocket close code: 1004.", "InvalidAccessError: Invalid WebSocket close code: 1005.",
            "InvalidAccessError: Invalid WebSocket close code: 1006.", "InvalidAccessError: Invalid WebSocket close code: 1015.",
            "ok 2", "ok 2", "ok 2", "InvalidAccessError: Invalid WebSocket close code: 5000.", "ok 2", "ok 2",
            "InvalidAccessError: Invalid WebSocket close code: 0.", "InvalidAccessError: Invalid WebSocket close code: -1.",
            "InvalidAccessError: Invalid WebSocket close code: 66536.",
            "InvalidAccessError: If you specify a WebSocket close reason, you must also specify a code.",
          ]);
          const [d] = new WebSocketPair(); d.accept();
          throws(() => d.close(Symbol()), "TypeError");
          d.close(1000, "x".repeat(123));
          const [e] = new WebSocketPair(); e.accept();
          throws(() => e.close(1000, "é".repeat(62)), "SyntaxError", "123 UTF-8 bytes");
        });
        check("send after close throws; close twice does not", () => {
          const [a] = new WebSocketPair(); a.accept();
          a.close();
          throws(() => a.send("x"), "TypeError", "Can't call WebSocket send() after close().");
          a.close();
        });
        check("the peer gets a clean CloseEvent with code and reason", async () => {
          const [a, b] = new WebSocketPair(); a.accept(); b.accept();
          const got = [];
          b.addEventListener("message", (e) => got.push(e.data));
          b.addEventListener("close", (e) => got.push(["close", e.code, e.reason, e.wasClean, e.constructor.name, e.type, e.isTrusted, b.readyState]));
          a.send("last");
          a.close(3001, "bye");
          eq([a.readyState, b.readyState], [2, 1]);
          await ticks(6);
          // Closed already in its close event: the close was answered at once (web_socket_auto_reply_to_close, as on wrangler dev).
          eq(got, ["last", ["close", 3001, "bye", true, "CloseEvent", "close", true, 3]]);
        });
        check("close without a code arrives as 1005; a close is answered with a close", async () => {
          const [a, b] = new WebSocketPair(); a.accept(); b.accept();
          const got = [];
          b.onclose = (e) => got.push(["b", e.code, e.reason, e.wasClean]);
          a.onclose = (e) => got.push(["a", e.code, e.reason, e.wasClean]);
          a.close();
          await ticks(6);
          eq(got, [["b", 1005, "", true], ["a", 1005, "", true]]);
          eq([a.readyState, b.readyState], [3, 3]);
        });
        check("a lone surrogate in a reason is replaced", async () => {
          const [a, b] = new WebSocketPair(); a.accept(); b.accept();
          let reason; b.onclose = (e) => { reason = e.reason; };
          a.close(1000, "\uD800");
          await ticks(4);
          eq(reason, "\uFFFD");
        });
        """);

    [Fact]
    public Task EventClassesAndResponses() => JsChecks.RunAsync("""
        check("CloseEvent", () => {
          const d = new CloseEvent("close");
          eq([d.code, d.reason, d.wasClean], [0, "", false]);
          const ce = new CloseEvent("x", { code: 3000, reason: "r", wasClean: true });
          eq([ce.type, ce.code, ce.reason, ce.wasClean], ["x", 3000, "r", true]);
          eq(Object.getOwnPropertyNames(ce).sort(), ["code", "reason", "wasClean"]);
          throws(() => new CloseEvent(), "TypeError", "Failed to construct 'CloseEvent': constructor parameter 1 is not of type 'string'.");
          throws(() => new CloseEvent("x", 5), "TypeError", "Failed to construct 'CloseEvent': constructor parameter 2 is not of type 'Initializer'.");
          eq(Object.prototype.toString.call(ce), "[object CloseEvent]");
        });
        check("MessageEvent", () => {
          const me = new MessageEvent("message", { data: 1 });
          eq([me.data, me.origin, me.lastEventId, me.source, me.ports], [1, "", "", null, []]);
          const me2 = new MessageEvent("message");
          eq(me2.data, null);
          throws(() => { "use strict"; me.data = 2; }, "TypeError");
          throws(() => new MessageEvent(), "TypeError", "Failed to construct 'MessageEvent'");
          throws(() => new MessageEvent("m", { ports: 5 }), "TypeError", "Incorrect type for the 'ports' field on 'Initializer': the provided value is not of type 'Array'.");
          throws(() => new MessageEvent("m", { source: {} }), "TypeError", "not of type 'MessagePort'");
          ok(me instanceof Event, "is an Event");
        });
        check("ErrorEvent", () => {
          const ee = new ErrorEvent("error");
          eq([ee.message, ee.filename, ee.lineno, ee.colno, ee.error], ["", "", 0, 0, undefined]);
          const err = new Error("x");
          eq(new ErrorEvent("error", { message: "m", error: err }).error, err);
        });
        check("a Response carries a WebSocket only with status 101", () => {
          const [a] = new WebSocketPair();
          throws(() => new Response(null, { status: 101, webSocket: {} }), "TypeError", "Incorrect type for the 'webSocket' field on 'InitializerDict': the provided value is not of type 'WebSocket'.");
          throws(() => new Response(null, { status: 200, webSocket: a }), "RangeError", "Responses with a WebSocket must have status code 101.");
          throws(() => new Response("body", { status: 101, webSocket: a }), "TypeError", "cannot have a body");
          throws(() => new Response(null, { status: 101 }), "RangeError", "range 200 to 599");
          const r = new Response(null, { status: 101, webSocket: a });
          eq([r.status, r.webSocket === a, r.ok, r.statusText], [101, true, false, ""]);
          throws(() => r.clone(), "TypeError", "Cannot clone a response to a WebSocket handshake.");
        });
        check("attachments are structured clones", () => {
          const [a] = new WebSocketPair();
          eq(a.deserializeAttachment(), null);
          a.serializeAttachment({ x: 1, d: new Date(0) });
          const got = a.deserializeAttachment();
          eq(got.x, 1); ok(got.d instanceof Date, "a Date");
          throws(() => a.serializeAttachment(() => 1), "DataCloneError");
        });
        check("new WebSocket(url) validates its URL", () => {
          throws(() => new WebSocket("ftp://example.com/"), "SyntaxError");
          throws(() => new WebSocket("not a url"), "SyntaxError");
          throws(() => new WebSocket("ws://example.com/#frag"), "SyntaxError");
          throws(() => new WebSocket("ws://example.com/", ["a", "a"]), "SyntaxError");
          throws(() => new WebSocket(), "TypeError");
        });
        """);
    [Fact]
    public Task AListenerThatThrowsErrorsItsSocket() => JsChecks.RunAsync(Tick + """
        check("the socket errors, its peer loses the connection, later listeners do not run", async () => {
          const [a, b] = new WebSocketPair(); a.accept(); b.accept();
          const log = [];
          const onGlobalError = (e) => log.push("global error " + e.message);
          addEventListener("error", onGlobalError);
          b.addEventListener("message", (e) => { log.push("b msg " + e.data); if (e.data === "boom") throw new Error("boom"); });
          b.addEventListener("message", (e) => log.push("b msg2 " + e.data));
          b.addEventListener("error", (e) => log.push(`b error ${e.message} ${e.error?.message} rs${b.readyState}`));
          b.addEventListener("close", (e) => log.push(`b close ${e.code}`));
          a.addEventListener("error", (e) => log.push(`a error ${e.message} rs${a.readyState}`));
          a.addEventListener("close", (e) => log.push(`a close ${e.code} ${e.reason} ${e.wasClean}`));
          a.send("x"); a.send("boom"); a.send("y");
          await ticks(20);
          a.send("z"); b.send("z");
          await ticks(5);
          removeEventListener("error", onGlobalError);
          // Observed on workerd (2025-11-01) with the same script.
          eq(log, [
            "b msg x", "b msg2 x", "b msg boom",
            "b error Uncaught Error: boom boom rs3",
            "a error Uncaught Error: Network connection lost. rs3",
            "a close 1006 WebSocket disconnected without sending Close frame. false",
          ]);
        });
        """);
}
