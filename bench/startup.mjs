// Start-up benchmark (issue 13): how close the short commands come to a bare `node -e 0`.
// Every round runs each command once, in turn (so a burst of load on this shared machine hits every
// row alike); each row is the median of RUNS rounds, printed as a ratio against bare node measured
// in the same rounds:
//   config       `flotilla config` of a small file (no engine)
//   ps           `flotilla ps`, 2 running services
//   port         `flotilla port web 80` on the same project
//   ls           `flotilla ls`
//   no-op up     `flotilla up -d` of 60 services that are already up to date
// Usage: node bench/startup.mjs [RUNS=7] [--compare DIR]   (build first: npm run build; needs the engine)
//   --compare DIR  also time the same commands with DIR/bin/flotilla.js (another build, e.g. main's),
//                  as "before" rows of the same run.
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
  const key = (row, build) => `${row.name}${row.node ? "" : build.label}`;
  // one warm-up round (file cache, code caches written on first use), then RUNS timed rounds
  for (let round = 0; round <= runs; round++) {
    for (const row of rows) {
      for (const build of row.node ? [builds[0]] : builds) {
        const t = run(row.node ? "node" : build.bin, row.argv, { cwd: row.cwd, expect: row.expect });
        if (round === 0) continue;
        const k = key(row, build);
        times.set(k, [...(times.get(k) ?? []), t]);
      }
    }
  }
  const bare = median(times.get("node -e 0"));
  console.log(`start-up, medians of ${runs} rounds (ratio: against node -e 0 in the same rounds)`);
  for (const row of rows) {
    for (const build of row.node ? [builds[0]] : builds) {
      const m = median(times.get(key(row, build)));
      const r = m / bare;
      const verdict = row.target === undefined || build.label ? "" : r <= row.target ? `  target ≤${row.target}x: met` : `  target ≤${row.target}x: NOT met`;
      console.log(`  ${key(row, build).padEnd(30)} ${ms(m).padStart(10)}  ${r.toFixed(2)}x${verdict}`);
    }
  }
} finally {
  cleanup();
}
