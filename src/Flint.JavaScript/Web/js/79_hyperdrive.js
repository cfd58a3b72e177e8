// Hyperdrive: env.NAME as wrangler dev gives it (workerd's api/hyperdrive.c++). The Worker sees
// a connection string to a made-up host, <32 hex>.hyperdrive.local (and a made-up address in
// 240.0.0.0/16), on PostgreSQL's or MySQL's port, with the configured user, password and
// database; connect() to that host and port, or the binding's own connect(), reaches the
// configured database through the host. Drivers (pg, postgres) use it unchanged.

class Hyperdrive {
  constructor() { throw new TypeError("Illegal constructor"); }
  connect() {
    const st = this[kState];
    if (!(st instanceof HyperdriveState)) throw illegalInvocation();
    return connectBinding(st.index, `${st.host}:${st.port}`, st.host);
  }
}
webidlInterface(Hyperdrive);

class HyperdriveState {
  constructor(index, host, port) {
    this.index = index;
    this.host = host;
    this.port = port;
  }
}

/** A free address in 240.0.0.0/16 for this binding (reserved space, never a real host). */
function hyperdriveAddress(port) {
  const random = new Uint16Array(1);
  ops.randomFill(new Uint8Array(random.buffer));
  for (let i = 0; i < 65536; i++) {
    const suffix = (random[0] + i) & 0xffff;
    const ip = `240.0.${suffix >> 8}.${suffix & 255}`;
    if (!connectOverrides.has(`${ip}:${port}`)) return ip;
  }
  throw new Error("no free Hyperdrive address available");
}

registerBindingKind("hyperdrive", (d) => {
  const bytes = new Uint8Array(16);
  ops.randomFill(bytes);
  const host = `${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}.hyperdrive.local`;
  const port = d.scheme === "mysql" ? 3306 : 5432;
  const ip = hyperdriveAddress(port);
  const binding = Object.create(Hyperdrive.prototype);
  binding[kState] = new HyperdriveState(d.index, host, port);
  const open = () => binding.connect();
  connectOverrides.set(`${host}:${port}`, open);
  connectOverrides.set(`${ip}:${port}`, open);
  dnsOverrides.set(host, ip);
  const ssl = d.scheme === "mysql" ? "?ssl-mode=disabled" : "?sslmode=disable";
  // Own enumerable properties in workerd's order, so Object.keys and JSON.stringify show the same.
  for (const [name, value] of [
    ["connectionString", `${d.scheme}://${d.user}:${d.password}@${host}:${port}/${d.database}${ssl}`],
    ["port", port], ["ip", ip], ["host", host], ["password", d.password], ["user", d.user], ["database", d.database],
  ]) {
    Object.defineProperty(binding, name, { value, enumerable: true, configurable: true, writable: false });
  }
  return binding;
});
