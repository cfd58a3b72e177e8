// Prints passed/total per area for Flint and workerd, and the tests where they differ.
//   node conformance/compare.mjs [flint.json] [workerd.json] [--markdown]
import { readFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const markdown = process.argv.includes("--markdown");
const flintPath = args[0] ?? join(here, "expected.json");
const workerdPath = args[1] ?? join(here, "workerd.json");
const load = (p) => (existsSync(p) ? JSON.parse(readFileSync(p, "utf8")) : null);
const flint = load(flintPath), workerd = load(workerdPath);
if (!flint) { console.error(`no results at ${flintPath}`); process.exit(1); }

const areas = new Map();
const tally = (results, key) => {
  if (!results) return;
  for (const [file, tests] of Object.entries(results)) {
    const area = file.split("/")[0];
    const a = areas.get(area) ?? { flint: [0, 0], workerd: [0, 0] };
    for (const outcome of Object.values(tests)) { a[key][1]++; if (outcome === "pass") a[key][0]++; }
    areas.set(area, a);
  }
};
tally(flint, "flint");
tally(workerd, "workerd");
const total = { flint: [0, 0], workerd: [0, 0] };
const fmt = ([p, n]) => (n ? `${p} / ${n}` : "—");
const rows = [];
for (const [area, a] of [...areas].sort()) {
  for (const k of ["flint", "workerd"]) { total[k][0] += a[k][0]; total[k][1] += a[k][1]; }
  rows.push([area, fmt(a.flint), fmt(a.workerd)]);
}
rows.push(["total", fmt(total.flint), fmt(total.workerd)]);
if (markdown) {
  console.log("| area | Flint | workerd |\n| --- | --- | --- |");
  for (const r of rows) console.log(`| ${r.join(" | ")} |`);
} else {
  console.log(`${"area".padEnd(12)} ${"Flint".padStart(10)} ${"workerd".padStart(10)}`);
  for (const r of rows) console.log(`${r[0].padEnd(12)} ${r[1].padStart(10)} ${r[2].padStart(10)}`);
}

if (workerd) {
  const diffs = [];
  for (const [file, tests] of Object.entries(flint)) {
    for (const [name, outcome] of Object.entries(tests)) {
      const w = workerd[file]?.[name];
      if (w === undefined) continue;
      if ((outcome === "pass") !== (w === "pass")) diffs.push({ file, name, flint: outcome, workerd: w });
    }
  }
  console.log(`\n${diffs.length} tests differ between Flint and workerd:`);
  for (const d of diffs) {
    console.log(markdown
      ? `- \`${d.file}\` › ${d.name} — Flint: ${d.flint}; workerd: ${d.workerd}`
      : `  ${d.file} › ${d.name}\n      flint:   ${d.flint}\n      workerd: ${d.workerd}`);
  }
}
