// Every benchmark, one after the other (`npm run bench`): each script of bench/ prints its own rows;
// this prints them under a heading per script, with how long the script took, and a summary.
// Scripts run in the order below, then any other bench/*.mjs (a new script is picked up without
// touching this file); lib.mjs and this file are not benchmarks.
// A script that fails is reported and the rest still run; the exit code is 1 if any failed.
// Usage: node bench/all.mjs [--only a,b] [--skip a,b]   (names without .mjs; build first: npm run build)
// Needs what the scripts need: the engine for startup/up/watch, root for stack (a throwaway swarm).
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const ORDER = ["startup", "config", "up", "watch", "stack", "load-size", "k8s-corpus"];
const NOT_BENCHMARKS = new Set(["lib", "all"]);

const args = process.argv.slice(2);
const list = (flag) => {
  const i = args.indexOf(flag);
  return i >= 0 ? new Set((args[i + 1] ?? "").split(",").filter(Boolean)) : undefined;
};
const only = list("--only");
const skip = list("--skip") ?? new Set();

const found = readdirSync(here)
  .filter((f) => f.endsWith(".mjs"))
  .map((f) => f.slice(0, -4))
  .filter((n) => !NOT_BENCHMARKS.has(n));
const rank = (n) => (ORDER.includes(n) ? ORDER.indexOf(n) : ORDER.length);
const scripts = found.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b)).filter((n) => (!only || only.has(n)) && !skip.has(n));
for (const n of [...(only ?? [])]) if (!found.includes(n)) throw new Error(`no benchmark bench/${n}.mjs (have: ${found.join(", ")})`);

const results = [];
for (const name of scripts) {
  console.log(`\n## ${name}  (node bench/${name}.mjs)\n`);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [join(here, `${name}.mjs`)], { stdio: "inherit" });
  const secs = (performance.now() - t0) / 1000;
  const ok = r.status === 0;
  results.push({ name, ok, secs, status: r.status ?? r.signal });
  if (!ok) console.log(`\n(bench/${name}.mjs failed: exit ${r.status ?? r.signal})`);
}

console.log("\n## summary\n");
for (const r of results) console.log(`  ${r.name.padEnd(12)} ${r.ok ? "ok    " : "FAILED"} ${r.secs.toFixed(0).padStart(5)} s${r.ok ? "" : `  (exit ${r.status})`}`);
process.exitCode = results.every((r) => r.ok) ? 0 : 1;
