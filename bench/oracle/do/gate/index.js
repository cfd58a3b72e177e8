import { DurableObject, RpcTarget } from "cloudflare:workers";
class Target extends RpcTarget {
  constructor(log) { super(); this.log = log; }
  hit() { this.log.push("target call"); return 1; }
}
const wait = (ms) => new Promise((r) => setTimeout(r, ms));
export class Obj extends DurableObject {
  ping() { return "pong"; }
  async fetch(request) { return new Response("fetched"); }
  async section(kind) {
    const log = [];
    const other = this.env.OBJ.getByName("other");
    setTimeout(() => log.push("timer outside"), 0);
    other.ping().then(() => log.push("rpc outside"));
    other.fetch("http://x/").then((r) => r.text()).then(() => log.push("fetch outside"));
    const body = async (txn) => {
      log.push("section start");
      await wait(300); log.push("own timer");
      await other.ping(); log.push("own rpc");
      await (await other.fetch("http://x/")).text(); log.push("own fetch");
      if (txn) { await txn.put("k", 1); log.push("own write"); }
      await wait(100); log.push("section end");
    };
    if (kind === "bcw") await this.ctx.blockConcurrencyWhile(() => body(null));
    else await this.ctx.storage.transaction((txn) => body(txn));
    await wait(100);
    log.push("after");
    return log;
  }
  async nested() {
    const log = [];
    setTimeout(() => log.push("top timer"), 0);
    await this.ctx.blockConcurrencyWhile(async () => {
      setTimeout(() => log.push("outer timer"), 0);
      await this.ctx.blockConcurrencyWhile(async () => {
        await wait(200); log.push("inner done");
      });
      log.push("outer after inner");
      await wait(100);
      log.push("outer done");
    });
    await wait(100);
    return log;
  }
  async siblings() {
    const log = [];
    const a = this.ctx.blockConcurrencyWhile(async () => { log.push("a start"); await wait(200); log.push("a end"); });
    const b = this.ctx.blockConcurrencyWhile(async () => { log.push("b start"); await wait(50); log.push("b end"); });
    await Promise.all([a, b]);
    return log;
  }
  target() { this.tlog = []; return new Target(this.tlog); }
  startHold() {
    this.ctx.blockConcurrencyWhile(async () => { this.tlog.push("section start"); await wait(300); this.tlog.push("section end"); });
    return "started";
  }
  targetLog() { return this.tlog; }
}
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const stub = env.OBJ.getByName("a");
    const p = url.pathname.slice(1);
    if (p === "bcw" || p === "txn") return Response.json(await stub.section(p));
    if (p === "nested") return Response.json(await stub.nested());
    if (p === "siblings") return Response.json(await stub.siblings());
    if (p === "target") {
      const t = await stub.target();
      await stub.startHold();
      await t.hit();
      return Response.json(await stub.targetLog());
    }
    return new Response("ok");
  },
};
