// worker_threads, child_process, readline and tty from 2026-03-17, when workerd serves its own stubs:
// bench/oracle.sh bench/oracle/node-stubs-2026 /run
import * as workerThreads from "node:worker_threads";
import * as childProcess from "node:child_process";
import * as readline from "node:readline";
import * as readlinePromises from "node:readline/promises";
import * as tty from "node:tty";
import { Socket } from "node:net";
const d = (e) => [e.name, e.code ?? null, e.message];
const show = (v) => Array.isArray(v) ? v.map(show) : typeof v === "function" ? `function ${v.name}` : v === null || typeof v !== "object" ? (typeof v === "symbol" ? String(v) : v) : Object.prototype.toString.call(v);
const t = (f) => { try { return ["ok", show(f())]; } catch (e) { return ["throw", d(e)]; } };
const surface = (ns) => Object.keys(ns).sort().map((k) => [k, typeof ns[k]]);
export default {
  async fetch(request) {
    if (new URL(request.url).pathname !== "/run") return new Response("ok");
    const out = {};
    out["worker_threads.keys"] = surface(workerThreads);
    out["worker_threads.default"] = t(() => Object.keys(workerThreads.default).sort());
    out["worker_threads.facts"] = t(() => [workerThreads.isMainThread, workerThreads.threadId, workerThreads.parentPort, workerThreads.workerData, JSON.stringify(workerThreads.resourceLimits), workerThreads.isInternalThread, String(workerThreads.SHARE_ENV)]);
    out["worker_threads.channel"] = t(() => [workerThreads.MessageChannel === globalThis.MessageChannel, workerThreads.MessagePort === globalThis.MessagePort]);
    out["worker_threads.Worker"] = t(() => new workerThreads.Worker("x.js"));
    out["worker_threads.BroadcastChannel"] = t(() => new workerThreads.BroadcastChannel("x"));
    out["worker_threads.env"] = t(() => { workerThreads.setEnvironmentData("k", 1); return [workerThreads.getEnvironmentData("k"), workerThreads.getEnvironmentData("none") ?? null]; });
    out["worker_threads.misc"] = t(() => [workerThreads.isMarkedAsUntransferable({}), workerThreads.markAsUntransferable({}) ?? null, workerThreads.receiveMessageOnPort(null) ?? null]);
    out["worker_threads.postMessageToThread"] = t(() => workerThreads.postMessageToThread(1, "x"));
    out["worker_threads.proto"] = t(() => Object.getOwnPropertyNames(workerThreads.Worker.prototype).sort());
    out["child_process.keys"] = surface(childProcess);
    out["child_process.default"] = t(() => Object.keys(childProcess.default).sort());
    out["child_process.spawn"] = t(() => childProcess.spawn("ls"));
    out["child_process.spawnSync"] = t(() => childProcess.spawnSync("ls"));
    out["child_process.spawnSyncBad"] = t(() => childProcess.spawnSync(5));
    out["child_process.exec"] = t(() => childProcess.exec("ls"));
    out["child_process.execBad"] = t(() => childProcess.exec(5));
    out["child_process.execBadCallback"] = t(() => childProcess.exec("ls", {}, 5));
    out["child_process.execSync"] = t(() => childProcess.execSync("ls"));
    out["child_process.execFile"] = t(() => childProcess.execFile("ls"));
    out["child_process.execFileSync"] = t(() => childProcess.execFileSync("ls"));
    out["child_process.fork"] = t(() => childProcess.fork("x.js"));
    out["child_process.forkBadArgs"] = t(() => childProcess.fork("x.js", 5));
    out["child_process.forkChild"] = t(() => childProcess._forkChild(1, 2));
    out["child_process.ChildProcess"] = t(() => new childProcess.ChildProcess());
    out["child_process.proto"] = t(() => Object.getOwnPropertyNames(childProcess.ChildProcess.prototype).sort());
    out["readline.keys"] = surface(readline);
    out["readline.promisesKeys"] = surface(readlinePromises);
    out["readline.same"] = t(() => [readline.promises.Interface === readlinePromises.Interface, readline.Interface === readlinePromises.Interface]);
    out["readline.helpers"] = t(() => [readline.clearLine(), readline.clearScreenDown(), readline.cursorTo(), readline.moveCursor(), readline.emitKeypressEvents() ?? null]);
    out["readline.interface"] = t(() => { const rl = readline.createInterface({}); let answer = null; rl.question("q?", (a) => { answer = a; }); return [rl.terminal, rl.line, rl.cursor, rl.getPrompt(), answer, JSON.stringify(rl.getCursorPos()), rl.pause() === rl, rl.close() ?? null]; });
    out["readline.interfaceOptions"] = t(() => { let answer = null; readline.createInterface({}).question("q?", {}, (a) => { answer = a; }); return answer; });
    out["readline.iterate"] = await (async () => { const lines = []; for await (const l of readline.createInterface({})) lines.push(l); return lines; })();
    out["readline.promises"] = await (async () => { const rl = readlinePromises.createInterface({}); return [await rl.question("q?"), typeof readlinePromises.Readline, new readlinePromises.Readline().clearLine(0) instanceof readlinePromises.Readline, await new readlinePromises.Readline().commit() ?? null]; })();
    out["tty.keys"] = surface(tty);
    out["tty.isatty"] = t(() => [tty.isatty(0), tty.isatty(1)]);
    out["tty.read"] = t(() => { const r = new tty.ReadStream(0); return [r.fd, r.isRaw, r.isTTY, r.setRawMode(true) === r, r.isRaw, r instanceof Socket]; });
    out["tty.write"] = t(() => { const w = new tty.WriteStream(1); let called = 0; const cb = () => called++; return [w.fd, w.columns, w.rows, w.isTTY, w.getColorDepth(), w.hasColors(), w.cursorTo(0, cb), w.moveCursor(1, 1, cb), w.clearLine(0, cb), w.clearScreenDown(cb), called, w.getWindowSize(), w instanceof Socket]; });
    return Response.json(out);
  },
};
