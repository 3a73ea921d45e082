#!/usr/bin/env node
// `flotilla stack deploy` vs `docker stack deploy` (Debian's CLI 20.10, which does not wait: we
// poll until every service has all its tasks running and no update in progress), on a throwaway
// 1-node lab swarm (scripts/swarm-lab.sh), in the same run:
//   - cold deploy of 10 and of 30 services (no depends_on: the same work for both tools)
//   - rolling update of 6 replicas (parallelism 1, monitor 1s) to a new environment value
// Medians of RUNS (default 3). Needs root (network namespaces). Usage: node bench/stack.mjs [RUNS]
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { median, secs, ratio, timeCommand } from "./lib.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = join(root, "bin", "flotilla.js");
const RUNS = Number(process.argv[2] ?? 3);
const DOCKER = "/usr/bin/docker"; // Debian's 20.10 CLI: `docker stack deploy` without --wait

const envFile = execFileSync("bash", [join(root, "scripts", "swarm-lab.sh"), "up", "--nodes", "1"], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim().split("\n").pop();
const labEnv = Object.fromEntries(readFileSync(envFile, "utf8").split("\n").filter((l) => l.includes("=")).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1).replace(/^"(.*)"$/, "$1")]));
const env = { ...process.env, DOCKER_HOST: labEnv.DOCKER_HOST };
const dir = mkdtempSync(join(tmpdir(), "flotilla-bench-stack-"));

function file(n, { replicas = 1, value = "1", update = false } = {}) {
  const services = {};
  for (let i = 0; i < n; i++) {
    services[`s${i}`] = {
      image: "flotilla-busybox:latest",
      init: true,
      stop_grace_period: "1s",
      command: ["sleep", "3600"],
      environment: { V: value },
      deploy: { endpoint_mode: "dnsrr", replicas, ...(update ? { update_config: { parallelism: 1, monitor: "1s", order: "stop-first" } } : {}) },
    };
  }
  const path = join(dir, `stack-${n}-${replicas}-${value}.yaml`);
  writeFileSync(path, JSON.stringify({ version: "3.8", services }));
  return path;
}

/** Poll until every service of the stack has all its tasks running and no update is in flight. */
function waitConverged(stack) {
  for (;;) {
    const ls = spawnSync(DOCKER, ["service", "ls", "--filter", `label=com.docker.stack.namespace=${stack}`, "--format", "{{.ID}} {{.Replicas}}"], { env, encoding: "utf8" }).stdout.trim().split("\n").filter(Boolean);
    const ready = ls.length > 0 && ls.every((l) => { const [a, b] = l.split(" ")[1].split("/"); return a === b; });
    if (ready) {
      const states = spawnSync(DOCKER, ["service", "inspect", "--format", "{{if .UpdateStatus}}{{.UpdateStatus.State}}{{end}}", ...ls.map((l) => l.split(" ")[0])], { env, encoding: "utf8" }).stdout;
      if (!/updating|rollback_started/.test(states)) return;
    }
    spawnSync("sleep", ["0.1"]);
  }
}

const flotilla = (path, stack) => timeCommand(process.execPath, [bin, "stack", "deploy", "-c", path, stack], { env });
const dockerStack = (path, stack) => {
  const t0 = performance.now();
  timeCommand(DOCKER, ["stack", "deploy", "--resolve-image", "never", "-c", path, stack], { env });
  waitConverged(stack);
  return performance.now() - t0;
};
const rm = (stack) => timeCommand(process.execPath, [bin, "stack", "rm", "--wait", stack], { env, allowFail: true });

const results = [];
try {
  for (const n of [10, 30]) {
    const path = file(n);
    const f = [];
    const d = [];
    for (let r = 0; r < RUNS; r++) {
      f.push(flotilla(path, `bf${r}`)); rm(`bf${r}`);
      d.push(dockerStack(path, `bd${r}`)); rm(`bd${r}`);
    }
    results.push([`cold deploy, ${n} services`, median(f), median(d)]);
  }
  {
    const v1 = file(1, { replicas: 6, value: "1", update: true });
    const v2 = file(1, { replicas: 6, value: "2", update: true });
    const f = [];
    const d = [];
    for (let r = 0; r < RUNS; r++) {
      flotilla(v1, `uf${r}`);
      f.push(flotilla(v2, `uf${r}`)); rm(`uf${r}`);
      dockerStack(v1, `ud${r}`);
      d.push(dockerStack(v2, `ud${r}`)); rm(`ud${r}`);
    }
    results.push(["rolling update, 6 replicas (parallelism 1, monitor 1s)", median(f), median(d)]);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
  execFileSync("bash", [join(root, "scripts", "swarm-lab.sh"), "down", labEnv.LAB_DIR], { stdio: ["ignore", "ignore", "inherit"] });
}
console.log(`stack deploy on a 1-node lab swarm, medians of ${RUNS} (lab setup ${labEnv.LAB_SETUP_SECONDS} s)`);
for (const [what, f, d] of results) console.log(`  ${what.padEnd(56)} flotilla ${secs(f).padStart(8)}   docker stack deploy + wait ${secs(d).padStart(8)}   ${ratio(f, d)}`);
