// Drives a broadcast room: CLIENTS WebSockets join; each sends a message, and its next one when its
// own comes back (closed loop), so CLIENTS messages are always in flight, each delivered to every
// client. Prints JSON: messages delivered per second and delivery latency percentiles (ms).
//
//   node client.mjs WS_URL [CLIENTS=100] [SECONDS=10] [WARMUP=2]
const [url, clients = "100", seconds = "10", warmup = "2"] = process.argv.slice(2);
const n = Number(clients);
const sockets = await Promise.all(Array.from({ length: n }, (_, i) => new Promise((resolve, reject) => {
  const ws = new WebSocket(url);
  ws.onopen = () => resolve(ws);
  ws.onerror = (e) => reject(new Error(`client ${i}: ${e.message ?? "connection failed"}`));
})));
let measuring = false, delivered = 0, sent = 0;
const latencies = [];
let stopped = false;
const send = (ws, i) => { if (!stopped) { ws.send(`${i} ${performance.now()}`); if (measuring) sent++; } };
sockets.forEach((ws, i) => {
  ws.onmessage = (e) => {
    const space = e.data.indexOf(" ");
    const from = Number(e.data.slice(0, space));
    if (measuring) {
      delivered++;
      if (delivered % 7 === 0) latencies.push(performance.now() - Number(e.data.slice(space + 1)));
    }
    if (from === i) send(ws, i);
  };
});
sockets.forEach((ws, i) => send(ws, i));
await new Promise((r) => setTimeout(r, Number(warmup) * 1000));
measuring = true;
const start = performance.now();
await new Promise((r) => setTimeout(r, Number(seconds) * 1000));
measuring = false;
const elapsed = (performance.now() - start) / 1000;
stopped = true;
latencies.sort((a, b) => a - b);
const pct = (p) => latencies.length === 0 ? null : Number(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))].toFixed(2));
console.log(JSON.stringify({ clients: n, seconds: Number(elapsed.toFixed(2)), delivered, deliveredPerSecond: Math.round(delivered / elapsed),
  sentPerSecond: Math.round(sent / elapsed), p50: pct(0.5), p99: pct(0.99) }));
for (const ws of sockets) ws.close();
setTimeout(() => process.exit(0), 200);
