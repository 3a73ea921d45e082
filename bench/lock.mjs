// Benchmark for the project lock (issue 13): what taking and releasing the lock of a project costs
// (create + remove of the lock container `flotilla-lock.<project>`), against one engine round trip
// (a label-filtered container list) measured in the same run, and what a no-op `up` of 10 services
// costs through the library (it takes no lock) next to the same `up` of a project whose lock is held
// by another live process (it must still answer without waiting). Medians of RUNS.
// Usage: node bench/lock.mjs [runs=15]   (build first; needs flotilla-busybox:latest)
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { median, ms, ratio, generateStack, writeStack } from "./lib.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const runs = Number(process.argv[2] ?? 15);
const { connectFromEnv, Project } = await import(join(root, "dist/src/index.js"));
const { acquireProjectLock } = await import(join(root, "dist/src/runtime/lock/project-lock.js"));
const engine = await connectFromEnv(process.env);
const settings = { self: { pid: process.pid, host: "bench" } };
const project = `benchlock${process.pid}`;

const lock = [], list = [], noop = [], noopLocked = [];
const dir = writeStack(generateStack(10));
const p = await Project.load({ cwd: dir, projectName: project, engine, lock: settings });
await p.up({ detach: true });
try {
  for (let i = 0; i < runs; i++) {
    let t = performance.now();
    await engine.listContainers({ labels: { "com.docker.compose.project": project }, all: true });
    list.push(performance.now() - t);
    t = performance.now();
    const held = await acquireProjectLock(engine, project, "bench", { settings });
    await held.release();
    lock.push(performance.now() - t);
    t = performance.now();
    await p.up({ detach: true });
    noop.push(performance.now() - t);
    // Another live holder (pid 1 counts as alive here): a no-op up still answers without waiting.
    const other = await acquireProjectLock(engine, project, "bench other", { settings: { self: { pid: 1, host: "bench" } } });
    t = performance.now();
    await p.up({ detach: true });
    noopLocked.push(performance.now() - t);
    await other.release();
  }
} finally {
  await p.down({});
}
const m = (xs) => median(xs);
console.log(`project lock, acquire + release : ${ms(m(lock))} = ${ratio(m(lock), m(list))} one engine round trip (${ms(m(list))})  [median of ${runs}]`);
console.log(`no-op up -d, 10 services (library): ${ms(m(noop))} = ${ratio(m(noop), m(list))} round trips; while another process holds the lock: ${ms(m(noopLocked))}`);
