// Start-up benchmark (issue 13): how close the short commands come to a bare `node -e 0`.
// Every round runs each command once, in turn (so a burst of load on this shared machine hits every
// row alike); each row is the median of RUNS rounds, printed as a ratio against bare node measured
// in the same rounds:
//   config       `flotilla config` of a small file (no engine)
//   ps           `flotilla ps`, 2 running services
//   port         `flotilla port web 80` on the same project
//   ls           `flotilla ls`
//   no-op up     `flotilla up -d` of 60 services that are already up to date
// Usage: node bench/startup.mjs [RUNS=7] [--compare DIR] [--cpu]   (build first: npm run build; needs the engine)
//   --compare DIR  also time the same commands with DIR/bin/flotilla.js (another build, e.g. main's),
//                  as "before" rows of the same run.
//   --cpu          also run each command under bash's `time` and print the median CPU time (user +
//                  sys; the bash around it is in every row, bare node's too): on a machine shared
//                  with other work, CPU time moves far less than wall time.
import { spawnSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { generateStack, median, ms, writeStack } from "./lib.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
const compareAt = args.indexOf("--compare");
const compareDir = compareAt >= 0 ? resolve(args[compareAt + 1] ?? ".") : undefined;
const runs = Number(args.find((a, i) => /^\d+$/.test(a) && args[i - 1] !== "--compare") ?? 7);
const withCpu = args.includes("--cpu");
if (!(runs >= 1)) throw new Error(`bad RUNS: ${runs}`);

const builds = [{ label: "", bin: join(root, "bin", "flotilla.js") }];
if (compareDir) builds.push({ label: " (before)", bin: join(compareDir, "bin", "flotilla.js") });
const bin = builds[0].bin;

const tag = `${process.pid}`;
const psProject = `startup-ps-${tag}`;
const upProject = `startup-up-${tag}`;
const small = writeStack({
  services: {
    web: { image: "flotilla-busybox:latest", init: true, command: ["httpd", "-f", "-p", "80"], ports: ["127.0.0.1::80"], environment: { GREETING: "hello" } },
    db: { image: "flotilla-busybox:latest", init: true, command: ["sleep", "3600"], depends_on: ["web"] },
  },
});
const big = writeStack(generateStack(60));
const smallFile = join(small, "compose.yaml");
const bigFile = join(big, "compose.yaml");
writeFileSync(join(small, ".env"), "GREETING=hi\n");

function run(file, argv, opts = {}) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, file === "node" ? argv : [file, ...argv], {
    cwd: opts.cwd ?? small,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, CI: "true" },
  });
  const t = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${argv.join(" ")} exited ${r.status}: ${r.stderr}`);
  if (opts.expect && !opts.expect.test(r.stdout)) throw new Error(`${argv.join(" ")}: unexpected output:\n${r.stdout}`);
  return t;
}

/** CPU time (user + sys, ms) of one run, read from bash's `time`. */
function cpuOf(file, argv, opts = {}) {
  const quote = (a) => `'${a.replace(/'/g, "'\\''")}'`;
  const command = [process.execPath, ...(file === "node" ? argv : [file, ...argv])].map(quote).join(" ");
  const r = spawnSync("bash", ["-c", `TIMEFORMAT="%U %S"; { time ${command} >/dev/null 2>&1 ; } 2>&1`], {
    cwd: opts.cwd ?? small,
    encoding: "utf8",
    env: { ...process.env, CI: "true" },
  });
  const m = /([\d.]+) ([\d.]+)\s*$/.exec(r.stdout);
  if (r.status !== 0 || !m) throw new Error(`${argv.join(" ")}: no CPU time (exit ${r.status}): ${r.stdout}${r.stderr}`);
  return (Number(m[1]) + Number(m[2])) * 1000;
}

function cleanup() {
  for (const [p, f] of [[psProject, smallFile], [upProject, bigFile]]) {
    spawnSync(process.execPath, [bin, "-f", f, "-p", p, "down", "-v", "-t", "0"], { stdio: "ignore", env: { ...process.env, CI: "true" } });
  }
  rmSync(small, { recursive: true, force: true });
  rmSync(big, { recursive: true, force: true });
}
process.on("SIGINT", () => {
  cleanup();
  process.exit(130);
});

const rows = [
  { name: "node -e 0", target: undefined, argv: ["-e", "0"], node: true },
  { name: "config (small file)", target: 1.25, argv: ["config"], expect: /services:/ },
  { name: "ps (2 running)", target: 1.5, argv: ["-p", psProject, "ps"], expect: /-web-1/ },
  { name: "port", target: 1.5, argv: ["-p", psProject, "port", "web", "80"], expect: /^127\.0\.0\.1:\d+/ },
  { name: "ls", target: 1.5, argv: ["ls"], expect: new RegExp(psProject) },
  { name: "no-op up -d (60 svc)", target: 2, argv: ["-f", bigFile, "-p", upProject, "up", "-d"], cwd: big },
];

try {
  run(bin, ["-p", psProject, "up", "-d"]);
  run(bin, ["-f", bigFile, "-p", upProject, "up", "-d"], { cwd: big });
  const times = new Map();
  const cpu = new Map();
  const key = (row, build) => `${row.name}${row.node ? "" : build.label}`;
  // one warm-up round (file cache, code caches written on first use), then RUNS timed rounds
  for (let round = 0; round <= runs; round++) {
    for (const row of rows) {
      for (const build of row.node ? [builds[0]] : builds) {
        const file = row.node ? "node" : build.bin;
        const t = run(file, row.argv, { cwd: row.cwd, expect: row.expect });
        const c = withCpu ? cpuOf(file, row.argv, { cwd: row.cwd }) : 0;
        if (round === 0) continue;
        const k = key(row, build);
        times.set(k, [...(times.get(k) ?? []), t]);
        cpu.set(k, [...(cpu.get(k) ?? []), c]);
      }
    }
  }
  const bare = median(times.get("node -e 0"));
  const bareCpu = median(cpu.get("node -e 0"));
  console.log(`start-up, medians of ${runs} rounds (ratio: against node -e 0 in the same rounds)`);
  for (const row of rows) {
    for (const build of row.node ? [builds[0]] : builds) {
      const k = key(row, build);
      const m = median(times.get(k));
      const r = m / bare;
      const c = median(cpu.get(k));
      const cpuText = withCpu ? `   cpu ${ms(c).padStart(9)}  ${(c / bareCpu).toFixed(2)}x` : "";
      const verdict = row.target === undefined || build.label ? "" : r <= row.target ? `  target ≤${row.target}x: met` : `  target ≤${row.target}x: NOT met`;
      console.log(`  ${k.padEnd(30)} ${ms(m).padStart(10)}  ${r.toFixed(2)}x${cpuText}${verdict}`);
    }
  }
} finally {
  cleanup();
}
