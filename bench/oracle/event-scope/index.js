// What a Worker may do while its modules load, and how long the timers of an event live:
// workerd refuses timers, randomness and I/O in the global scope, cancels a request's pending
// timers when the request is over (its response sent and its waitUntil work settled), and keeps
// a Durable Object's timers for as long as the object.
import { DurableObject } from "cloudflare:workers";

const globalScope = {};
const settling = [];
function probe(name, f) {
  try {
    const v = f();
    if (v !== null && typeof v === "object" && typeof v.then === "function") {
      globalScope[name] = "pending";
      settling.push(v.then(() => { globalScope[name] = "resolved"; }, (e) => { globalScope[name] = `rejected ${e.name}: ${e.message}`; }));
    } else globalScope[name] = "ok";
  } catch (e) {
    globalScope[name] = `${e.name}: ${e.message}`;
  }
}
probe("setTimeout", () => setTimeout(() => {}, 1));
probe("setInterval", () => setInterval(() => {}, 1));
probe("clearTimeout", () => clearTimeout(1));
probe("getRandomValues", () => crypto.getRandomValues(new Uint8Array(4)));
probe("randomUUID", () => crypto.randomUUID());
probe("Math.random", () => Math.random());
probe("fetch", () => fetch("http://127.0.0.1:1/"));
probe("subtle.generateKey", () => crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, true, ["sign"]));
probe("subtle.digest", () => crypto.subtle.digest("SHA-256", new Uint8Array(1)));
probe("caches.default.match", () => caches.default.match("http://example.com/"));
probe("queueMicrotask", () => queueMicrotask(() => {}));
probe("scheduler.wait", () => scheduler.wait(1));
probe("Response.text", () => new Response("x").text());
probe("Request.json", () => new Request("http://example.com/", { method: "POST", body: "{}" }).json());
probe("ReadableStream.read", () => new ReadableStream({ start(c) { c.enqueue(1); c.close(); } }).getReader().read());
probe("AbortSignal.timeout", () => AbortSignal.timeout(10));
probe("WebSocketPair", () => new WebSocketPair());

let fired = 0;
let ticks = 0;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class Counter extends DurableObject {
  fired = 0;
  async fetch(request) {
    if (new URL(request.url).pathname === "/object/set") {
      setTimeout(() => { this.fired++; }, 100);
      return new Response("set");
    }
    return new Response(String(this.fired));
  }
}

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    switch (url.pathname) {
      case "/timeout": setTimeout(() => { fired++; }, 100); return new Response("set");
      case "/interval": setInterval(() => { ticks++; }, 20); return new Response("set");
      case "/wait-until":
        ctx.waitUntil(sleep(300));
        setTimeout(() => { fired += 100; }, 100);
        setTimeout(() => { fired += 10000; }, 800);
        return new Response("set");
      case "/streaming": {
        // The response lasts until its body ends: the timers that write it keep running.
        const { readable, writable } = new TransformStream();
        const writer = writable.getWriter();
        let n = 0;
        const t = setInterval(() => {
          writer.write(new TextEncoder().encode(`${++n};`));
          if (n === 3) { clearInterval(t); writer.close(); }
        }, 30);
        return new Response(readable);
      }
      case "/object/set":
      case "/object/get":
        return env.OBJ.get(env.OBJ.idFromName("timers")).fetch(request);
      case "/run": {
        await Promise.all(settling);
        const call = async (path) => (await fetch(new URL(path, url))).text();
        const out = { globalScope };
        await call("/timeout");
        await sleep(400);
        out.timeoutAfterTheResponse = fired;
        await call("/interval");
        await sleep(300);
        out.intervalAfterTheResponse = ticks;
        await call("/wait-until");
        await sleep(1100);
        out.timersDuringWaitUntil = fired;
        out.streamedByTimers = await call("/streaming");
        await call("/object/set");
        await sleep(1000); // its 100 ms timer fires even on a loaded machine
        out.objectTimer = await call("/object/get");
        let own = 0;
        setTimeout(() => { own++; }, 10);
        await scheduler.wait(100);
        out.ownTimerWhileRunning = own;
        out.randomUUIDInAHandler = typeof crypto.randomUUID();
        return Response.json(out);
      }
    }
    return new Response("event scope probe: GET /run");
  },
};
