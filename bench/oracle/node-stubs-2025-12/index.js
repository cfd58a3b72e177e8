// domain, wasi, trace_events and cluster from 2025-12-04, when workerd serves its own stubs:
// bench/oracle.sh bench/oracle/node-stubs-2025-12 /run
import * as domain from "node:domain";
import * as wasi from "node:wasi";
import * as traceEvents from "node:trace_events";
import * as cluster from "node:cluster";
import { EventEmitter } from "node:events";
const d = (e) => [e.name, e.code ?? null, e.message];
const show = (v) => Array.isArray(v) ? v.map(show) : typeof v === "function" ? `function ${v.name}` : v === null || typeof v !== "object" ? (typeof v === "symbol" ? String(v) : v) : Object.prototype.toString.call(v);
const t = (f) => { try { return ["ok", show(f())]; } catch (e) { return ["throw", d(e)]; } };
const surface = (ns) => Object.keys(ns).sort().map((k) => [k, typeof ns[k]]);
export default {
  async fetch(request) {
    if (new URL(request.url).pathname !== "/run") return new Response("ok");
    const out = {};
    out["domain.keys"] = surface(domain);
    out["domain.default"] = t(() => Object.keys(domain.default).sort());
    out["domain.facts"] = t(() => [domain.active, domain.create instanceof domain.Domain, domain.createDomain() instanceof EventEmitter, EventEmitter.usingDomains, domain.createDomain().members ?? null]);
    out["domain.run"] = t(() => { const dm = domain.createDomain(); return [dm.run(function (a, b) { return [this === dm, a + b]; }, 1, 2), dm.bind(show) === show, dm.intercept(show) === show, dm.enter() ?? null, dm.add({}) ?? null]; });
    out["domain.errorHandler"] = t(() => domain.createDomain()._errorHandler(new Error("boom")));
    out["domain.proto"] = t(() => Object.getOwnPropertyNames(domain.Domain.prototype).sort());
    out["wasi.keys"] = surface(wasi);
    out["wasi.new"] = t(() => new wasi.WASI());
    out["wasi.preview1"] = t(() => new wasi.WASI({ version: "preview1" }));
    out["wasi.noVersion"] = t(() => new wasi.WASI({}));
    out["wasi.badArgs"] = t(() => new wasi.WASI({ version: "preview1", args: "x" }));
    out["wasi.badStdin"] = t(() => new wasi.WASI({ version: "preview1", stdin: -1 }));
    out["wasi.badReturn"] = t(() => new wasi.WASI({ version: "preview1", returnOnExit: 1 }));
    out["wasi.proto"] = t(() => Object.getOwnPropertyNames(wasi.WASI.prototype).sort());
    out["trace_events.keys"] = surface(traceEvents);
    out["trace_events.tracing"] = t(() => { const tr = traceEvents.createTracing({ categories: ["node", "v8"] }); const before = tr.enabled; tr.enable(); return [before, tr.enabled, tr.categories]; });
    // Not compared: inspect(tr) is "Tracing { enabled: true, categories: 'node,v8' }" on workerd; Flint's util.inspect
    // does not call [util.inspect.custom] yet and prints "Tracing {}".
    out["trace_events.disable"] = t(() => { const tr = traceEvents.createTracing({ categories: ["a"] }); tr.enable(); tr.disable(); return tr.enabled; });
    out["trace_events.empty"] = t(() => traceEvents.createTracing({ categories: [] }));
    out["trace_events.bad"] = t(() => traceEvents.createTracing({ categories: "x" }));
    out["trace_events.badItem"] = t(() => traceEvents.createTracing({ categories: [1] }));
    out["trace_events.noOptions"] = t(() => traceEvents.createTracing());
    out["trace_events.enabled"] = t(() => traceEvents.getEnabledCategories() ?? null);
    out["cluster.keys"] = surface(cluster);
    out["cluster.default"] = t(() => [cluster.default instanceof cluster.Cluster, cluster.default instanceof EventEmitter, Object.keys(cluster.default).filter((k) => !k.startsWith("_")).sort()]);
    out["cluster.facts"] = t(() => [cluster.isPrimary, cluster.isMaster, cluster.isWorker, cluster.schedulingPolicy, cluster.SCHED_NONE, JSON.stringify(cluster.settings), JSON.stringify(cluster.workers), cluster._eventsCount, cluster._maxListeners, cluster._events.length]);
    out["cluster.fork"] = t(() => cluster.fork());
    out["cluster.defaultFork"] = t(() => cluster.default.fork());
    out["cluster.disconnect"] = t(() => cluster.disconnect());
    out["cluster.setupPrimary"] = t(() => cluster.setupPrimary());
    out["cluster.setupMaster"] = t(() => cluster.setupMaster());
    out["cluster.worker"] = t(() => { const w = new cluster.Worker(); return [w.id, w.isDead(), w.isConnected(), w.send("x"), w.exitedAfterDisconnect, w.process === globalThis.process, w.disconnect() === w]; });
    return Response.json(out);
  },
};
