// Records what `wrangler pages dev` answers to probes.mjs, one Pages project (cases/NAME, whose
// wrangler.toml names pages_build_output_dir) at a time, into expected/NAME.json for PagesOracleTests.
//
//   bench/node_modules/.bin/node bench/oracle/pages/record.mjs [CASE...]
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cases } from "./probes.mjs";
import { resetETags, send, shape } from "../assets/http.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const bench = join(here, "..", "..");
const port = Number(process.env.PORT_W ?? 19311);
const wanted = process.argv.slice(2);

for (const [name, probes] of Object.entries(cases)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  const state = mkdtempSync(join(tmpdir(), "oracle-pages-"));
  const child = spawn(join(bench, "node_modules/.bin/node"), [join(bench, "node_modules/wrangler/bin/wrangler.js"), "pages", "dev",
    "--port", String(port), "--ip", "127.0.0.1", "--persist-to", state, "--show-interactive-dev-session=false"], {
    cwd: join(here, "cases", name), detached: true, stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, CI: "1", WRANGLER_SEND_METRICS: "false", WRANGLER_SEND_ERROR_REPORTS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", NO_UPDATE_NOTIFIER: "1" },
  });
  let log = "";
  child.stdout.on("data", (d) => (log += d));
  child.stderr.on("data", (d) => (log += d));
  try {
    let up = false;
    for (let i = 0; i < 300 && !up; i++) {
      try { await send(port, { method: "GET", path: "/__up" }); up = true; } catch { await new Promise((r) => setTimeout(r, 200)); }
    }
    if (!up) throw new Error("wrangler pages dev did not start");
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
    rmSync(join(here, "cases", name, ".wrangler"), { recursive: true, force: true });
  }
}
