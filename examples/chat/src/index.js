// A chat room per Durable Object, the seeds' real-time architecture: every client of a room
// reaches the same object, which keeps the room's history in its SQLite storage and its
// WebSockets with the hibernation API (an idle room is evicted from memory while its clients stay
// connected). A second class limits how fast each client IP may post.
import { DurableObject } from "cloudflare:workers";
import page from "./page.html";

const HISTORY = 100;

export class ChatRoom extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS messages (
      id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, text TEXT NOT NULL, at INTEGER NOT NULL)`);
    // Keep-alive pings are answered without waking the room.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
  }

  async fetch(request) {
    if (request.headers.get("Upgrade") !== "websocket") return new Response("Expected a WebSocket upgrade.", { status: 426 });
    const url = new URL(request.url);
    const name = (url.searchParams.get("name") ?? "").trim().slice(0, 32);
    if (name === "") return new Response("Choose a name.", { status: 400 });
    const ip = request.headers.get("CF-Connecting-IP") ?? "local";
    const [client, server] = Object.values(new WebSocketPair());
    this.ctx.acceptWebSocket(server);
    server.serializeAttachment({ name, ip });
    const history = this.ctx.storage.sql
      .exec("SELECT name, text, at FROM (SELECT * FROM messages ORDER BY id DESC LIMIT ?) ORDER BY id", HISTORY).toArray();
    server.send(JSON.stringify({ type: "history", messages: history }));
    this.broadcast({ type: "joined", name }, server);
    return new Response(null, { status: 101, webSocket: client });
  }

  async webSocketMessage(ws, message) {
    const { name, ip } = ws.deserializeAttachment();
    let text;
    try { text = String(JSON.parse(message).text ?? "").slice(0, 500); } catch { return; }
    if (text.trim() === "") return;
    const limiter = this.env.LIMITERS.getByName(ip);
    if (!(await limiter.allow())) {
      ws.send(JSON.stringify({ type: "error", text: "You are sending messages too fast; wait a moment." }));
      return;
    }
    const at = Date.now();
    this.ctx.storage.sql.exec("INSERT INTO messages (name, text, at) VALUES (?, ?, ?)", name, text, at);
    // Sent once the row is durable: the output gate holds the messages until then.
    this.broadcast({ type: "message", name, text, at });
  }

  async webSocketClose(ws, code, reason) {
    const { name } = ws.deserializeAttachment();
    ws.close(code, "bye");
    this.broadcast({ type: "left", name }, ws);
  }

  broadcast(event, except = null) {
    const data = JSON.stringify(event);
    for (const ws of this.ctx.getWebSockets()) {
      if (ws === except) continue;
      try { ws.send(data); } catch { /* a socket that is closing */ }
    }
  }
}

// A token bucket per client IP: a burst of five messages, then one per second.
export class RateLimiter extends DurableObject {
  static BURST = 5;
  static REFILL_MS = 1000;

  allow() {
    const now = Date.now();
    const state = this.ctx.storage.kv.get("bucket") ?? { tokens: RateLimiter.BURST, at: now };
    const tokens = Math.min(RateLimiter.BURST, state.tokens + (now - state.at) / RateLimiter.REFILL_MS);
    const allowed = tokens >= 1;
    this.ctx.storage.kv.put("bucket", { tokens: allowed ? tokens - 1 : tokens, at: now });
    return allowed;
  }
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const match = url.pathname.match(/^\/api\/room\/([A-Za-z0-9_-]{1,32})\/websocket$/);
    if (match) return env.ROOMS.getByName(match[1]).fetch(request);
    if (url.pathname === "/") return new Response(page, { headers: { "content-type": "text/html; charset=utf-8" } });
    return new Response("Not found", { status: 404 });
  },
};
