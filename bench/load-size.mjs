// Load time and peak memory against file size (issue 10: loading is linear in file size).
// For each case a fresh process loads one generated compose file through the library
// (loadProject) and through the CLI (`flotilla -f … config --format json`), and reports wall
// time, CPU time (user + system: what the wall time would be on an idle core) and peak RSS,
// the median of --runs runs (default 3). Cases: 1, 10 and 50 MB files (services with environment
// and labels, the size coming mostly from values), and a 10,000-service file.
// Usage: node bench/load-size.mjs [sizes in MB, comma separated] [--services N] [--runs N] [--no-cli]
// Build first (npm run build).
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
const sizes = (args.find((a) => /^[\d.,]+$/.test(a)) ?? "1,10,50").split(",").map(Number);
const servicesArg = args.indexOf("--services");
const serviceCount = servicesArg >= 0 ? Number(args[servicesArg + 1]) : 10_000;
const withCli = !args.includes("--no-cli");
const runsArg = args.indexOf("--runs");
const runs = runsArg >= 0 ? Number(args[runsArg + 1]) : 3;

/** A compose file of about `bytes` bytes: services of ~2 KB (10 env vars, 10 labels, ports, a healthcheck). */
function bySize(bytes) {
  const lines = ["services:"];
  let size = 10;
  for (let i = 0; size < bytes; i++) {
    const s = [
      `  svc${i}:`,
      `    image: registry.example.com/team/app-${i % 50}:1.${i % 7}`,
      `    command: ["sh", "-c", "echo starting ${i} && exec sleep 3600"]`,
      `    ports: ["${10000 + (i % 50000)}:80"]`,
      `    environment:`,
      ...Array.from({ length: 10 }, (_, k) => `      VAR_${k}: "value-${i}-${k}-${"x".repeat(60)}"`),
      `    labels:`,
      ...Array.from({ length: 10 }, (_, k) => `      com.example.label${k}: "label-${i}-${k}-${"y".repeat(40)}"`),
      `    healthcheck:`,
      `      test: ["CMD", "true"]`,
      `      interval: 10s`,
    ].join("\n");
    lines.push(s);
    size += s.length + 1;
  }
  return lines.join("\n") + "\n";
}

/** `n` small services (the shape of a generated many-service file). */
function byServices(n) {
  const lines = ["services:"];
  for (let i = 0; i < n; i++) lines.push(`  s${i}:\n    image: busybox\n    environment:\n      N: "${i}"\n    labels: [a=b]`);
  return lines.join("\n") + "\n";
}

const probe = `
const { loadProject } = await import(${JSON.stringify(join(root, "dist/src/spec/load.js"))});
const c0 = process.cpuUsage();
const t0 = performance.now();
const p = await loadProject({ cwd: process.argv[1], env: {}, files: [process.argv[2]] });
const ms = performance.now() - t0;
const cpu = process.cpuUsage(c0);
console.log(JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, services: Object.keys(p.model.services).length, maxRssMB: process.resourceUsage().maxRSS / 1024 }));
`;

function measureLibrary(dir, file) {
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", probe, dir, file], { encoding: "utf8", maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout.trim().split("\n").pop());
}

function measureCli(dir, file) {
  const t0 = performance.now();
  const r = spawnSync("/usr/bin/time", ["-f", "%U %S %M", process.execPath, join(root, "bin/flotilla.js"), "-f", file, "config", "--format", "json"], {
    cwd: dir,
    encoding: "utf8",
    maxBuffer: 1 << 30,
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
  });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(r.stderr.slice(0, 2000));
  const [user, sys, rssKB] = r.stderr.trim().split("\n").pop().split(" ").map(Number);
  return { ms, cpuMs: (user + sys) * 1000, maxRssMB: rssKB / 1024 };
}

/** Each figure's median over the runs (taken one figure at a time). */
function median(results) {
  const out = { ...results[0] };
  for (const key of ["ms", "cpuMs", "maxRssMB"]) {
    const sorted = results.map((r) => r[key]).sort((a, b) => a - b);
    out[key] = sorted[Math.floor(sorted.length / 2)];
  }
  return out;
}

const dir = mkdtempSync(join(tmpdir(), "flotilla-load-size-"));
const rows = [];
try {
  const cases = [...sizes.map((mb) => [`${mb} MB`, bySize(mb * 1024 * 1024)]), [`${serviceCount} services`, byServices(serviceCount)]];
  for (const [name, text] of cases) {
    const file = join(dir, "compose.yaml");
    writeFileSync(file, text);
    const bytes = statSync(file).size;
    const lib = median(Array.from({ length: runs }, () => measureLibrary(dir, file)));
    const cli = withCli ? median(Array.from({ length: runs }, () => measureCli(dir, file))) : undefined;
    const row = {
      case: name,
      MB: +(bytes / 1048576).toFixed(2),
      services: lib.services,
      "library s": +(lib.ms / 1000).toFixed(2),
      "library cpu s": +(lib.cpuMs / 1000).toFixed(2),
      "library cpu s/MB": +(lib.cpuMs / 1000 / (bytes / 1048576)).toFixed(3),
      "library peak MB": Math.round(lib.maxRssMB),
      ...(cli
        ? { "cli config s": +(cli.ms / 1000).toFixed(2), "cli cpu s": +(cli.cpuMs / 1000).toFixed(2), "cli peak MB": Math.round(cli.maxRssMB) }
        : {}),
    };
    rows.push(row);
    console.error(JSON.stringify(row));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.table(rows);
