// Benchmark for the runtime (issue 3), on generated stacks of 10, 30 and 60 services on the local
// busybox image (dependency chains plus fan-out, see lib.mjs):
//   cold `up -d`, no-op `up -d`, `down`  — Flotilla vs Compose v1 (Debian's docker-compose) vs an
//   engine floor (the same containers created and started with direct parallel API calls, 4 in flight,
//   ignoring depends_on), and an ordered floor (the same calls, starts waiting for depends_on).
// Every figure is the median of RUNS runs, measured in this one invocation so ratios compare like with like.
// Usage: node bench/up.mjs [runs=3] [sizes=10,30,60]   (needs the engine: bash scripts/setup.sh)
import { spawnSync, execFileSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Docker from "dockerode";
import { median, secs, ratio, timeCommand, have, generateStack, writeStack } from "./lib.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const runs = Number(process.argv[2] ?? 3);
const sizes = (process.argv[3] ?? "10,30,60").split(",").map(Number);
const bin = join(root, "bin/flotilla.js");
const docker = new Docker();

if (!have("docker-compose")) {
  console.error("installing Debian's docker-compose (Compose v1) for the comparison…");
  execFileSync("sh", ["-c", "apt-get install -y -qq --no-install-recommends docker-compose >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq --no-install-recommends docker-compose >/dev/null)"]);
}

function cleanup(project) {
  spawnSync("sh", ["-c", `ids=$(docker ps -aq --filter label=com.docker.compose.project=${project}); [ -n "$ids" ] && docker rm -f $ids >/dev/null; nets=$(docker network ls -q --filter label=com.docker.compose.project=${project}); [ -n "$nets" ] && docker network rm $nets >/dev/null; docker network rm ${project}_default >/dev/null 2>&1; vols=$(docker volume ls -q --filter label=com.docker.compose.project=${project}); [ -n "$vols" ] && docker volume rm $vols >/dev/null; docker volume rm ${project}_data >/dev/null 2>&1; true`]);
}

function limiter(n) {
  let active = 0;
  const queue = [];
  const next = () => {
    if (active >= n || queue.length === 0) return;
    active++;
    const { fn, resolve, reject } = queue.shift();
    fn().then(resolve, reject).finally(() => { active--; next(); });
  };
  return (fn) => new Promise((resolve, reject) => { queue.push({ fn, resolve, reject }); next(); });
}

/** The floor: network + containers created and started by direct API calls, 4 in flight. */
async function floorUp(project, n) {
  const t0 = performance.now();
  await docker.createNetwork({ Name: `${project}_default`, Labels: { "com.docker.compose.project": project } });
  const limit = limiter(4);
  await Promise.all(Array.from({ length: n }, (_, i) => limit(async () => {
    const c = await docker.createContainer({
      name: `${project}-svc${i}-1`, Image: "flotilla-busybox:latest", Cmd: ["sleep", "3600"],
      Env: [`INDEX=${i}`], Labels: { "com.docker.compose.project": project },
      HostConfig: { Init: true, NetworkMode: `${project}_default` },
    });
    await c.start();
  })));
  return performance.now() - t0;
}

/**
 * The ordered floor: the same direct API calls, but each container is started only once the
 * containers it depends on (depends_on in `doc`) have started, as any Compose must. Creation of all
 * containers runs first, 4 in flight, and starts run from a ready queue, 4 in flight.
 */
async function orderedFloorUp(project, doc) {
  const t0 = performance.now();
  await docker.createNetwork({ Name: `${project}_default`, Labels: { "com.docker.compose.project": project } });
  const names = Object.keys(doc.services);
  const limit = limiter(4);
  const containers = new Map();
  await Promise.all(names.map((name, i) => limit(async () => {
    containers.set(name, await docker.createContainer({
      name: `${project}-${name}-1`, Image: "flotilla-busybox:latest", Cmd: ["sleep", "3600"],
      Env: [`INDEX=${i}`], Labels: { "com.docker.compose.project": project },
      HostConfig: { Init: true, NetworkMode: `${project}_default` },
    }));
  })));
  const started = new Map();
  const start = (name) => {
    if (!started.has(name)) {
      const deps = doc.services[name].depends_on ?? [];
      started.set(name, Promise.all(deps.map(start)).then(() => limit(() => containers.get(name).start())));
    }
    return started.get(name);
  };
  await Promise.all(names.map(start));
  return performance.now() - t0;
}

async function floorDown(project) {
  const t0 = performance.now();
  const list = await docker.listContainers({ all: true, filters: { label: [`com.docker.compose.project=${project}`] } });
  const limit = limiter(4);
  await Promise.all(list.map((c) => limit(async () => { const h = docker.getContainer(c.Id); await h.stop({ t: 10 }).catch(() => {}); await h.remove(); })));
  await docker.getNetwork(`${project}_default`).remove();
  return performance.now() - t0;
}

const results = [];
for (const n of sizes) {
  const dir = writeStack(generateStack(n));
  const file = join(dir, "compose.yaml");
  const doc = generateStack(n);
  const row = { n, floorUp: [], orderedUp: [], floorDown: [], flotUp: [], flotNoop: [], flotDown: [], v1Up: [], v1Noop: [], v1Down: [] };
  for (let r = 0; r < runs; r++) {
    const pf = `benchfloor${n}`, po = `benchordered${n}`, pl = `benchflot${n}`, pv = `benchv1${n}`;
    [pf, po, pl, pv].forEach(cleanup);
    row.floorUp.push(await floorUp(pf, n));
    row.floorDown.push(await floorDown(pf));
    row.orderedUp.push(await orderedFloorUp(po, doc));
    await floorDown(po);
    row.flotUp.push(timeCommand(process.execPath, [bin, "-f", file, "-p", pl, "up", "-d"]));
    row.flotNoop.push(timeCommand(process.execPath, [bin, "-f", file, "-p", pl, "up", "-d"]));
    row.flotDown.push(timeCommand(process.execPath, [bin, "-f", file, "-p", pl, "down"]));
    // dockerd sometimes keeps a stale endpoint and refuses to remove the network ("active endpoints"):
    // down then spends its retries (~3 s) and warns. Such a run measures the engine bug, not down.
    if (spawnSync("docker", ["network", "inspect", `${pl}_default`], { stdio: "ignore" }).status === 0) {
      console.log(`  warning: run ${r + 1}: ${pl}_default was left behind (engine's stale endpoint); restart dockerd and run again`);
    }
    row.v1Up.push(timeCommand("docker-compose", ["-f", file, "-p", pv, "up", "-d"]));
    row.v1Noop.push(timeCommand("docker-compose", ["-f", file, "-p", pv, "up", "-d"]));
    row.v1Down.push(timeCommand("docker-compose", ["-f", file, "-p", pv, "down"]));
    [pf, po, pl, pv].forEach(cleanup);
  }
  const m = Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Array.isArray(v) ? median(v) : v]));
  results.push(m);
  console.log(`\n${n} services (median of ${runs}):`);
  console.log(`  cold up -d : flotilla ${secs(m.flotUp)}  floor ${secs(m.floorUp)}  v1 ${secs(m.v1Up)}  | flotilla/floor ${ratio(m.flotUp, m.floorUp)}  v1/flotilla ${ratio(m.v1Up, m.flotUp)}`);
  console.log(`  (ordered floor, starts waiting for depends_on: ${secs(m.orderedUp)}  flotilla/ordered floor ${ratio(m.flotUp, m.orderedUp)})`);
  console.log(`  no-op up -d: flotilla ${secs(m.flotNoop)}  v1 ${secs(m.v1Noop)}  | v1/flotilla ${ratio(m.v1Noop, m.flotNoop)}`);
  console.log(`  down       : flotilla ${secs(m.flotDown)}  floor ${secs(m.floorDown)}  v1 ${secs(m.v1Down)}  | flotilla/floor ${ratio(m.flotDown, m.floorDown)}  v1/flotilla ${ratio(m.v1Down, m.flotDown)}`);
}
console.log("\nJSON:", JSON.stringify(results));
