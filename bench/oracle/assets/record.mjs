// Records what wrangler dev answers to bench/oracle/assets/probes.mjs, one case (a project under
// cases/) at a time, into expected/<case>.json: the golden files AssetsOracleTests holds Flint to.
//
//   bench/node_modules/.bin/node bench/oracle/assets/record.mjs [CASE...]
//
// Each wrangler dev runs in its own process group on 127.0.0.1 with fresh state, and is stopped after.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cases } from "./probes.mjs";
import { resetETags, send, shape } from "./http.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const bench = join(here, "..", "..");
const port = Number(process.env.PORT_W ?? 19310);
const wanted = process.argv.slice(2);

for (const [name, probes] of Object.entries(cases)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  const state = mkdtempSync(join(tmpdir(), "oracle-assets-"));
  const child = spawn(join(bench, "node_modules/.bin/node"), [join(bench, "node_modules/wrangler/bin/wrangler.js"), "dev",
    "--port", String(port), "--ip", "127.0.0.1", "--persist-to", state, "--show-interactive-dev-session=false"], {
    cwd: join(here, "cases", name), detached: true, stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, CI: "1", WRANGLER_SEND_METRICS: "false", WRANGLER_SEND_ERROR_REPORTS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", NO_UPDATE_NOTIFIER: "1" },
  });
  let log = "";
  child.stdout.on("data", (d) => (log += d));
  child.stderr.on("data", (d) => (log += d));
  try {
    await waitUp(port, log);
    resetETags();
    const results = [];
    for (const probe of probes) results.push({ request: probe, response: shape(await send(port, probe)) });
    mkdirSync(join(here, "expected"), { recursive: true });
    writeFileSync(join(here, "expected", `${name}.json`), JSON.stringify(results, null, 1) + "\n");
    console.log(`recorded ${name}: ${results.length} probes`);
  } catch (e) {
    console.error(`${name}: ${e.message}\n${log}`);
    process.exitCode = 1;
  } finally {
    process.kill(-child.pid, "SIGTERM");
    await new Promise((r) => setTimeout(r, 500));
    try { process.kill(-child.pid, "SIGKILL"); } catch {}
    rmSync(state, { recursive: true, force: true });
  }
}

async function waitUp(p) {
  for (let i = 0; i < 300; i++) {
    try { await send(p, { method: "GET", path: "/__up" }); return; } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("wrangler dev did not start");
}
