const ws = new WebSocket(process.argv[2]);
ws.onopen = () => ws.send("hold");
ws.onmessage = (e) => {
  if (e.data === "held") { ws.send("a"); ws.send("b"); setTimeout(() => ws.send("log"), 50); }
  else { console.log(e.data); ws.close(); process.exit(0); }
};
setTimeout(() => { console.log("timeout"); process.exit(1); }, 10000);
