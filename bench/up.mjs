// Benchmark for the runtime (issues 3 and 13), on generated stacks of 10, 30 and 60 services on the
// local busybox image (dependency chains plus fan-out, see lib.mjs). Rows, each a ratio against its
// reference measured in the same run (medians of RUNS):
//   cold `up -d` ÷ the ordered floor: the same containers created and started by direct API calls,
//     4 in flight, every start waiting for its depends_on (as any Compose must);
//   `down` ÷ the ordered down floor: direct API stop + remove, 4 in flight, each container stopped
//     once its dependents have stopped (reverse dependency order), then the network;
//   no-op `up -d` (absolute).
// With --unordered, also the unordered floor (ignoring depends_on); with --v1, Compose v1 (Debian's
// docker-compose) beside; with --base DIR, the same rows for another checkout (before/after in one run);
// --bin DIR runs the flotilla of another built checkout (a snapshot, so rebuilding this tree mid-run is harmless).
// A library row runs the same flotilla in this process (the orchestration without process start-up),
// and bare `node -e 0` is timed too: a CLI row minus that is the start-up's share.
// Repetitions alternate which side goes first, so drift of this shared machine hits both alike.
// Usage: node bench/up.mjs [runs=5] [sizes=10,30,60] [--v1] [--unordered] [--base DIR] [--bin DIR]
import { spawnSync, execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Docker from "dockerode";
import { median, secs, ratio, timeCommand, have, generateStack, writeStack } from "./lib.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const argv = process.argv.slice(2);
const flag = (f) => argv.includes(f);
const baseDir = argv.includes("--base") ? argv[argv.indexOf("--base") + 1] : undefined;
const positional = argv.filter((x, i) => !x.startsWith("--") && argv[i - 1] !== "--base" && argv[i - 1] !== "--bin");
const runs = Number(positional[0] ?? 5);
const sizes = (positional[1] ?? "10,30,60").split(",").map(Number);
const withV1 = flag("--v1");
const unordered = flag("--unordered");
const binDir = argv.includes("--bin") ? argv[argv.indexOf("--bin") + 1] : root;
const bin = join(binDir, "bin/flotilla.js");
const baseBin = baseDir ? join(baseDir, "bin/flotilla.js") : undefined;
const docker = new Docker();

if (withV1 && !have("docker-compose")) {
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

/** The ordered down floor: each container stopped once its dependents have stopped, removed right after; 4 in flight. */
async function orderedFloorDown(project, doc) {
  const t0 = performance.now();
  const names = Object.keys(doc.services);
  const dependents = new Map(names.map((n) => [n, []]));
  for (const n of names) for (const d of doc.services[n].depends_on ?? []) dependents.get(d).push(n);
  const limit = limiter(4);
  const stopped = new Map();
  const removed = [];
  const stop = (name) => {
    if (!stopped.has(name)) {
      const h = docker.getContainer(`${project}-${name}-1`);
      const p = Promise.all(dependents.get(name).map(stop)).then(() => limit(() => h.stop({ t: 10 }).catch(() => {})));
      removed.push(p.then(() => limit(() => h.remove())));
      stopped.set(name, p);
    }
    return stopped.get(name);
  };
  await Promise.all(names.map(stop));
  await Promise.all(removed);
  await docker.getNetwork(`${project}_default`).remove();
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
const sides = [["flot", bin], ...(baseBin ? [["base", baseBin]] : [])];
// The same flotilla (and the base's) as a library in this process: the orchestration without the
// process start-up.
const libs = {};
for (const [k, b] of sides) libs[k] = await import(join(dirname(dirname(b)), "dist/src/index.js"));
const libEngine = await libs.flot.connectFromEnv(process.env);
async function libraryRun(row, dir, k, project) {
  const p = await libs[k].Project.load({ cwd: dir, projectName: project, engine: libEngine, env: { PATH: process.env.PATH ?? "" } });
  let t = performance.now();
  await p.up({ detach: true });
  row[`${k}LibUp`].push(performance.now() - t);
  t = performance.now();
  await p.up({ detach: true });
  row[`${k}LibNoop`].push(performance.now() - t);
  t = performance.now();
  await p.down({});
  row[`${k}LibDown`].push(performance.now() - t);
}
for (const n of sizes) {
  const dir = writeStack(generateStack(n));
  const file = join(dir, "compose.yaml");
  const doc = generateStack(n);
  const row = { n, orderedUp: [], orderedDown: [], floorUp: [], floorDown: [], v1Up: [], v1Noop: [], v1Down: [], node: [] };
  for (const [k] of sides) Object.assign(row, { [`${k}Up`]: [], [`${k}Noop`]: [], [`${k}Down`]: [], [`${k}LibUp`]: [], [`${k}LibNoop`]: [], [`${k}LibDown`]: [] });
  for (let r = 0; r < runs; r++) {
    const po = `benchordered${n}`, pf = `benchfloor${n}`, pv = `benchv1${n}`;
    const all = [po, pf, pv, ...sides.flatMap(([k]) => [`bench${k}${n}`, `bench${k}lib${n}`])];
    all.forEach(cleanup);
    const floors = async () => {
      row.orderedUp.push(await orderedFloorUp(po, doc));
      row.orderedDown.push(await orderedFloorDown(po, doc));
      if (unordered) {
        row.floorUp.push(await floorUp(pf, n));
        row.floorDown.push(await floorDown(pf));
      }
    };
    const flotilla = (k, b) => {
      const pl = `bench${k}${n}`;
      row[`${k}Up`].push(timeCommand(process.execPath, [b, "-f", file, "-p", pl, "up", "-d"]));
      row[`${k}Noop`].push(timeCommand(process.execPath, [b, "-f", file, "-p", pl, "up", "-d"]));
      row[`${k}Down`].push(timeCommand(process.execPath, [b, "-f", file, "-p", pl, "down"]));
      // dockerd sometimes keeps a stale endpoint and refuses to remove the network ("active endpoints"):
      // down then spends its retries (~3 s) and warns. Such a run measures the engine bug, not down.
      if (spawnSync("docker", ["network", "inspect", `${pl}_default`], { stdio: "ignore" }).status === 0) {
        console.log(`  warning: run ${r + 1}: ${pl}_default was left behind (engine's stale endpoint)`);
      }
    };
    const order = r % 2 === 0 ? sides : [...sides].reverse();
    row.node.push(timeCommand(process.execPath, ["-e", "0"]));
    if (r % 2 === 0) await floors();
    for (const [k, b] of order) flotilla(k, b);
    for (const [k] of order) await libraryRun(row, dir, k, `bench${k}lib${n}`);
    if (r % 2 === 1) await floors();
    if (withV1) {
      row.v1Up.push(timeCommand("docker-compose", ["-f", file, "-p", pv, "up", "-d"]));
      row.v1Noop.push(timeCommand("docker-compose", ["-f", file, "-p", pv, "up", "-d"]));
      row.v1Down.push(timeCommand("docker-compose", ["-f", file, "-p", pv, "down"]));
    }
    all.forEach(cleanup);
  }
  const m = Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Array.isArray(v) ? (v.length ? median(v) : NaN) : v]));
  results.push(m);
  console.log(`\n${n} services (median of ${runs}):`);
  console.log(`  ordered floor: up ${secs(m.orderedUp)}  down ${secs(m.orderedDown)}${unordered ? `   (unordered floor: up ${secs(m.floorUp)}  down ${secs(m.floorDown)})` : ""}`);
  for (const [k] of sides) {
    const who = k === "flot" ? "flotilla" : "base    ";
    console.log(`  ${who}: cold up -d ${secs(m[`${k}Up`])} = ${ratio(m[`${k}Up`], m.orderedUp)} ordered floor | down ${secs(m[`${k}Down`])} = ${ratio(m[`${k}Down`], m.orderedDown)} ordered down floor | no-op up -d ${secs(m[`${k}Noop`])}`);
  }
  for (const [k] of sides) {
    const who = k === "flot" ? "flotilla library" : "base library    ";
    console.log(`  ${who}: up ${secs(m[`${k}LibUp`])} = ${ratio(m[`${k}LibUp`], m.orderedUp)} ordered floor | down ${secs(m[`${k}LibDown`])} = ${ratio(m[`${k}LibDown`], m.orderedDown)} ordered down floor | no-op up ${secs(m[`${k}LibNoop`])}`);
  }
  console.log(`  (library: in this process, no start-up; bare node -e 0 took ${secs(m.node)})`);
  if (withV1) console.log(`  compose v1: cold up -d ${secs(m.v1Up)} = ${ratio(m.v1Up, m.orderedUp)} | down ${secs(m.v1Down)} = ${ratio(m.v1Down, m.orderedDown)} | no-op up -d ${secs(m.v1Noop)}`);
}
console.log("\nJSON:", JSON.stringify(results));
