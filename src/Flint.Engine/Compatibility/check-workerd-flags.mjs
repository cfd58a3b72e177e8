// Compares WorkerdFlags.g.cs with what a workerd binary reports: it runs workerd once with every
// enable name and once with every disable name, and reads its validation messages ("No such
// compatibility flag", "is experimental", "became the default as of DATE").
//
//   node src/Flint.Engine/Compatibility/check-workerd-flags.mjs [bench/node_modules/.bin/workerd]
//
// Differences belong in workerd-flags-since-source.json; then run generate-workerd-flags.mjs.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const workerd = process.argv[2] ?? join(here, "../../../bench/node_modules/.bin/workerd");
const table = readFileSync(join(here, "WorkerdFlags.g.cs"), "utf8");
const flags = [...table.matchAll(/^\s+new\("(\w+)", \d+, (null|"[^"]*"), (null|"[^"]*"), (null|"[^"]*"), EnableAllDates: (\w+), Experimental: (\w+)/gm)]
  .map(([, field, e, d, date, all, exp]) => ({ field, enable: JSON.parse(e), disable: JSON.parse(d), date: JSON.parse(date), all: all === "true", experimental: exp === "true" }));

const version = execFileSync(workerd, ["--version"], { encoding: "utf8" }).trim();
let date = "2999-12-31";
function run(names) {
  const dir = mkdtempSync(join(tmpdir(), "flint-flags-"));
  writeFileSync(join(dir, "w.js"), "export default { fetch() { return new Response('ok'); } };\n");
  writeFileSync(join(dir, "c.capnp"), `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = ( services = [ (name = "main", worker = .w) ] );
const w :Workerd.Worker = ( modules = [ (name = "w.js", esModule = embed "w.js") ], compatibilityDate = "${date}", compatibilityFlags = [${names.map((n) => JSON.stringify(n)).join(", ")}] );
`);
  try {
    return execFileSync(workerd, ["serve", join(dir, "c.capnp")], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 10_000 });
  } catch (e) {
    return `${e.stdout ?? ""}${e.stderr ?? ""}`;
  }
}
// The newest date this workerd accepts: it says so when given a later one.
const tooNew = run([]).match(/newest date supported by this server binary is "([^"]+)"/);
date = tooNew ? tooNew[1] : new Date().toISOString().slice(0, 10);

const enabled = run(flags.filter((f) => f.enable).map((f) => f.enable));
const disabled = run(flags.filter((f) => f.disable).map((f) => f.disable));
const problems = [];
for (const m of `${enabled}\n${disabled}`.matchAll(/No such compatibility flag: (\S+)/g)) problems.push(`workerd does not know ${m[1]}`);
const reported = new Map();
for (const m of enabled.matchAll(/flag (\S+) became the default as of (\S+) so/g)) reported.set(m[1], { date: m[2] });
for (const m of enabled.matchAll(/flag (\S+) is the default, so/g)) reported.set(m[1], { all: true });
for (const m of enabled.matchAll(/flag (\S+) is experimental/g)) reported.set(m[1], { experimental: true });
for (const f of flags.filter((x) => x.enable)) {
  const r = reported.get(f.enable) ?? {};
  if (!!r.experimental !== f.experimental) problems.push(`${f.enable}: experimental is ${!!r.experimental} in workerd, ${f.experimental} in the table`);
  if (!!r.all !== f.all) problems.push(`${f.enable}: enabled for all dates is ${!!r.all} in workerd, ${f.all} in the table`);
  const tableDate = f.date !== null && f.date <= date ? f.date : null;
  if ((r.date ?? null) !== tableDate && !r.experimental) problems.push(`${f.enable}: enable date is ${r.date ?? "none"} in workerd (up to ${date}), ${f.date ?? "none"} in the table`);
}
console.log(`${version}, compatibility date ${date}: ${flags.length} flags, ${problems.length} differences`);
for (const p of problems) console.log(`  ${p}`);
process.exit(problems.length === 0 ? 0 : 1);
