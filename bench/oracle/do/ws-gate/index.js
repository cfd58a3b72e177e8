import { DurableObject } from "cloudflare:workers";
export class Gated extends DurableObject {
  async fetch(request) {
    const [client, server] = Object.values(new WebSocketPair());
    server.accept();
    const log = [];
    server.addEventListener("message", (e) => {
      if (e.data === "hold") {
        this.ctx.blockConcurrencyWhile(async () => {
          log.push("section start");
          server.send("held");
          await new Promise((r) => setTimeout(r, 500));
          log.push("section end");
        });
      } else if (e.data === "log") server.send(JSON.stringify(log));
      else log.push("message " + e.data);
    });
    return new Response(null, { status: 101, webSocket: client });
  }
}
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/ws") return env.GATED.getByName("g").fetch(request);
    return new Response("ok");
  },
};
