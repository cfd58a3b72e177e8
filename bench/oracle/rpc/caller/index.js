async function t(f) { try { const v = await f(); return ["ok", typeof v === "object" && v !== null ? (Array.isArray(v) ? v : Object.prototype.toString.call(v) + " " + JSON.stringify(v)) : v]; } catch (e) { return ["err", e?.name, e?.message, e?.constructor?.name, e?.code, typeof e]; } }
export default {
  async fetch(request, env) {
    const o = {};
    o.add = await t(() => env.SVC.add(1, 2));
    o.missingMethod = await t(() => env.SVC.nothere());
    o.missingProp = await t(async () => await env.SVC.nothereProp);
    o.getter = await t(async () => await env.SVC.prop);
    o.field = await t(async () => await env.SVC.field);
    o.instanceProp = await t(async () => await env.SVC.instanceProp);
    o.throwType = await t(() => env.SVC.throwType());
    o.throwCustom = await t(() => env.SVC.throwCustom());
    o.throwRange = await t(() => env.SVC.throwRange());
    o.throwString = await t(() => env.SVC.throwString());
    o.counter = await t(async () => { const c = await env.SVC.newCounter(); await c.increment(2); const v = await c.increment(3); const val = await c.value; return [v, val]; });
    o.pipeline = await t(async () => await env.SVC.newCounter().increment(7));
    o.counterOwn = await t(async () => { const c = await env.SVC.newCounter(); return await c.own; });
    o.obj = await t(async () => { const r = await env.SVC.getObj(); return [r.a, typeof r.nested.f, await r.nested.f(), await r.nested.counter.increment(1), r.date instanceof Date, r.map instanceof Map, typeof r[Symbol.dispose]]; });
    o.pipelinePath = await t(async () => await env.SVC.getObj().nested.f());
    o.callback = await t(() => env.SVC.callBack((x) => x + 1, 5));
    o.useCounterLocal = await t(async () => { const { RpcTarget } = await import("cloudflare:workers"); class C extends RpcTarget { increment(n) { return "local " + n; } } return env.SVC.useCounter(new C()); });
    o.returnClass = await t(() => env.SVC.returnClass());
    o.returnFunction = await t(async () => { const f = await env.SVC.returnFunction(); return [typeof f, await f(1)]; });
    o.passClass = await t(() => { class Y { constructor() { this.b = 2; } } return env.SVC.echo(new Y()); });
    o.passSymbol = await t(() => env.SVC.echo(Symbol("s")));
    o.echoVals = await t(async () => { const v = await env.SVC.echo({ n: 1, s: "x", b: true, u: undefined, nul: null, big: 10n, arr: [1, , 3], d: new Date(5), re: /a/g, buf: new Uint8Array([1, 2]), set: new Set([1]) }); return [v.n, v.s, v.b, "u" in v, v.nul, typeof v.big, v.arr.length, 1 in v.arr, v.d.getTime(), v.re.flags, v.buf instanceof Uint8Array, v.buf[1], v.set.has(1)]; });
    o.stream = await t(() => env.SVC.readStream(new Response("hello stream").body));
    o.makeStream = await t(async () => { const s = await env.SVC.makeStream(); return [s instanceof ReadableStream, await new Response(s).text()]; });
    o.request = await t(() => env.SVC.takeRequest(new Request("http://x/path", { method: "POST", body: "req body" })));
    o.response = await t(async () => { const r = await env.SVC.makeResponse(); return [r instanceof Response, r.status, r.headers.get("x-a"), await r.text()]; });
    o.writable = await t(async () => { const { readable, writable } = new TransformStream(); const [res, text] = await Promise.all([env.SVC.writeTo(writable), new Response(readable).text()]); return [res, text]; });
    o.fetchDefault = await t(async () => { const r = await env.SVC.fetch("http://fake/p", { method: "POST", headers: { "x-test": "h" }, body: "B" }); return [r.status, await r.text()]; });
    o.fetchNamed = await t(async () => { const r = await env.NAMED.fetch("http://fake/q"); return await r.text(); });
    o.named = await t(() => env.NAMED.hello("x"));
    o.plainFetch = await t(async () => (await env.PLAIN.fetch("http://fake/")).text());
    o.plainRpc = await t(() => env.PLAIN.hi());
    o.dupDispose = await t(async () => { const c = await env.SVC.newCounter(); const d = c.dup(); c[Symbol.dispose](); const v = await d.increment(1); d[Symbol.dispose](); try { await c.increment(1); return [v, "no error"]; } catch (e) { return [v, e.name, e.message]; } });
    o.disposedCount = await t(async () => { await new Promise(r => setTimeout(r, 100)); return env.SVC.disposedCount(); });
    o.constructorCall = await t(() => env.SVC.constructor());
    o.dupCall = await t(() => env.SVC.dup());
    o.thenOnBinding = [typeof env.SVC.then, typeof env.SVC, Object.prototype.toString.call(env.SVC)];
    o.connect = await t(() => env.SVC.connect("x:1"));
    o.fetchMethodRpc = await t(() => env.SVC.fetch.call(env.SVC, "http://x/"));
    o.rpcPromiseType = (() => { const p = env.SVC.add(1, 1); return [typeof p, p instanceof Promise, typeof p.then, Object.prototype.toString.call(p)]; })();
    return Response.json(o);
  }
}
