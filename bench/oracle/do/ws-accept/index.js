// A Worker that accept()s the WebSocket an object returns from stub.fetch() and talks to it.
import { DurableObject } from "cloudflare:workers";
export class Echo extends DurableObject {
  async fetch(request) {
    const [client, server] = Object.values(new WebSocketPair());
    server.accept();
    server.addEventListener("message", async (e) => {
      if (e.data === "bye") { server.close(4000, "done"); return; }
      const n = ((await this.ctx.storage.get("n")) ?? 0) + 1;
      await this.ctx.storage.put("n", n);
      server.send(`echo ${typeof e.data === "string" ? e.data : "bytes " + e.data.byteLength} ${n}`);
    });
    server.addEventListener("close", (e) => this.ctx.storage.put("closed", `${e.code} ${e.reason}`));
    return new Response(null, { status: 101, webSocket: client });
  }
  closed() { return this.ctx.storage.get("closed"); }
}
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const stub = env.ECHO.getByName("e");
    if (url.pathname === "/closed") return Response.json((await stub.closed()) ?? null);
    if (url.pathname !== "/talk") return new Response("ok");
    const resp = await stub.fetch("http://do/", { headers: { Upgrade: "websocket" } });
    const ws = resp.webSocket;
    const log = [resp.status, ws === null ? "no socket" : ws.readyState];
    ws.accept();
    const messages = [];
    const closed = new Promise((resolve) => ws.addEventListener("close", (e) => { messages.push(`close ${e.code} ${e.reason}`); resolve(); }));
    const next = () => new Promise((resolve) => ws.addEventListener("message", (e) => { messages.push(e.data); resolve(); }, { once: true }));
    let got = next(); ws.send("one"); await got;
    got = next(); ws.send(new Uint8Array(3)); await got;
    ws.send("bye");
    await closed;
    return Response.json({ log, messages, readyState: ws.readyState });
  },
};
