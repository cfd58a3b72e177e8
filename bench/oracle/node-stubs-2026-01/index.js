// dgram from 2026-01-29, when workerd serves its own stub: bench/oracle.sh bench/oracle/node-stubs-2026-01 /run
import * as dgram from "node:dgram";
import { EventEmitter } from "node:events";
const d = (e) => [e.name, e.code ?? null, e.message];
const show = (v) => Array.isArray(v) ? v.map(show) : typeof v === "function" ? `function ${v.name}` : v === null || typeof v !== "object" ? (typeof v === "symbol" ? String(v) : v) : Object.prototype.toString.call(v);
const t = (f) => { try { return ["ok", show(f())]; } catch (e) { return ["throw", d(e)]; } };
const surface = (ns) => Object.keys(ns).sort().map((k) => [k, typeof ns[k]]);
export default {
  async fetch(request) {
    if (new URL(request.url).pathname !== "/run") return new Response("ok");
    const out = {};
    out["dgram.keys"] = surface(dgram);
    out["dgram.default"] = t(() => Object.keys(dgram.default).sort());
    out["dgram.socket"] = t(() => { const s = dgram.createSocket("udp4"); return [s instanceof dgram.Socket, s instanceof EventEmitter, s.bind(1) === s, s.send("x") ?? null, JSON.stringify(s.address()), s.getRecvBufferSize(), s.getSendQueueCount(), s.ref() === s, s.close() === s, Object.keys(s).sort()]; });
    out["dgram.options"] = t(() => dgram.createSocket({ type: "udp6" }) instanceof dgram.Socket);
    out["dgram.badType"] = t(() => dgram.createSocket(5));
    out["dgram.noType"] = t(() => dgram.createSocket());
    out["dgram.badCallback"] = t(() => dgram.createSocket("udp4", 5));
    out["dgram.proto"] = t(() => Object.getOwnPropertyNames(dgram.Socket.prototype).sort());
    return Response.json(out);
  },
};
