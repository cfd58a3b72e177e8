import { WorkerEntrypoint, RpcTarget } from "cloudflare:workers";
class Counter extends RpcTarget {
  #v = 0;
  constructor() { super(); this.own = 1; }
  increment(n = 1) { this.#v += n; return this.#v; }
  get value() { return this.#v; }
  [Symbol.dispose]() { globalThis.disposed = (globalThis.disposed ?? 0) + 1; }
}
export class Named extends WorkerEntrypoint {
  hello(x) { return `named ${x} ${JSON.stringify(this.ctx.props)}`; }
  fetch(req) { return new Response(`named fetch ${req.method} ${new URL(req.url).pathname} props=${JSON.stringify(this.ctx.props)}`); }
}
export const plain = { fetch() { return new Response("plain object entrypoint"); }, hi() { return "hi"; } };
export default class extends WorkerEntrypoint {
  add(a, b) { return a + b; }
  async fetch(req) { return new Response(`default fetch ${req.method} ${req.headers.get("x-test")} ${await req.text()} cf=${JSON.stringify(req.cf)}`); }
  throwType() { throw new TypeError("bad type"); }
  throwCustom() { const e = new Error("custom"); e.name = "MyError"; e.code = 42; throw e; }
  throwRange() { return Promise.reject(new RangeError("out of range")); }
  throwString() { throw "just a string"; }
  newCounter() { return new Counter(); }
  getObj() { return { a: 1, nested: { f: () => "from f", counter: new Counter() }, date: new Date(0), map: new Map([[1, 2]]) }; }
  callBack(fn, x) { return fn(x * 2); }
  useCounter(c) { return c.increment(10); }
  disposedCount() { return globalThis.disposed ?? 0; }
  returnClass() { class X { constructor() { this.a = 1; } } return new X(); }
  returnFunction() { return (y) => y + 100; }
  get prop() { return "a getter"; }
  field = 5;
  async readStream(s) { return await new Response(s).text(); }
  makeStream() { return new Response("streamed body").body; }
  async takeRequest(r) { return `${r.method} ${r.url} ${await r.text()}`; }
  makeResponse() { return new Response("resp body", { status: 201, headers: { "x-a": "b" } }); }
  async writeTo(w) { const wr = w.getWriter(); await wr.write(new TextEncoder().encode("written")); await wr.close(); return "ok"; }
  echo(v) { return v; }
  constructor(ctx, env) { super(ctx, env); this.instanceProp = 1; }
}
