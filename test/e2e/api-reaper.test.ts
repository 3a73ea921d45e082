/**
 * Crash-safe cleanup of stacks started by compose().up(): a child node process brings a stack up
 * and is SIGKILLed (no teardown runs in it); the stack must not outlive it. Two mechanisms:
 * the watchdog process (default), and the owner-pid sweep at the next up (when no watchdog ran).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { compose } from "../../src/index.js";
import { connectFromEnv } from "../../src/api/project.js";
import { OwnerLabel, pidAlive, removeStack } from "../../src/api/reaper.js";
import { Label } from "../../src/runtime/labels.js";
import { lockContainerName } from "../../src/runtime/lock/project-lock.js";
import type { Engine } from "../../src/runtime/engine.js";
import type { FlotillaEvent } from "../../src/events.js";

const root = resolve(import.meta.dirname, "../../..");
const INDEX = pathToFileURL(resolve(root, "dist/src/index.js")).href;

/** A container on its own network with a named volume: one of each resource kind. */
const DOC = {
  services: {
    app: { image: "flotilla-busybox:latest", init: true, command: ["sleep", "3600"], networks: ["back"], volumes: ["data:/data"] },
  },
  networks: { back: {} },
  volumes: { data: {} },
};

/**
 * The test process stand-in: brings the stack up, says "up" (or says "network" as soon as the first
 * resource exists when `killEarly`), then idles until killed. Never tears anything down itself.
 */
const CHILD = `
const { compose } = await import(process.env.FLOTILLA_INDEX);
const order = JSON.parse(process.env.FLOTILLA_ORDER);
let told = false;
const stack = await compose({
  projectName: order.projectName,
  reaper: order.reaper,
  documents: [order.doc],
  onEvent: (e) => {
    if (order.killEarly && !told && e.type === "resource" && e.kind === "network" && e.status === "Created") {
      told = true;
      process.stdout.write("network\\n");
    }
  },
}).up();
process.stdout.write("up " + stack.name + "\\n");
setInterval(() => {}, 60_000);
`;

interface Child {
  proc: ChildProcess;
  exited: Promise<void>;
}

/** Start the child; resolve once it printed `word`. */
async function startChild(order: { projectName: string; reaper: boolean; killEarly?: boolean; doc?: unknown }, word: string): Promise<Child> {
  const proc = spawn(process.execPath, ["--input-type=module", "-e", CHILD], {
    env: { ...process.env, FLOTILLA_INDEX: INDEX, FLOTILLA_ORDER: JSON.stringify({ doc: DOC, ...order }) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<void>((r) => proc.once("exit", () => r()));
  let out = "";
  let err = "";
  proc.stderr.on("data", (d: Buffer) => (err += d.toString()));
  await new Promise<void>((res, rej) => {
    proc.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.split("\n").some((l) => l.startsWith(word))) res();
    });
    proc.once("exit", (code) => rej(new Error(`child exited (${code}) before saying "${word}": ${err}`)));
  });
  return { proc, exited };
}

async function kill(child: Child): Promise<void> {
  if (child.proc.exitCode === null && child.proc.signalCode === null) child.proc.kill("SIGKILL");
  await child.exited;
}

async function leftovers(engine: Engine, project: string): Promise<string[]> {
  const by = { [Label.project]: project };
  const [c, n, v, lock] = await Promise.all([
    engine.listContainers({ labels: by, all: true }),
    engine.listNetworks({ labels: by }),
    engine.listVolumes({ labels: by }),
    engine.inspectContainer(lockContainerName(project)),
  ]);
  const held = lock ? [`lock ${lockContainerName(project)}`] : [];
  return [...c.map((x) => `container ${x.name}`), ...n.map((x) => `network ${x.name}`), ...v.map((x) => `volume ${x.name}`), ...held].sort();
}

/** Poll the engine until the project has no container, network or volume left (at most `ms`: generous, as the reaper is slower on a loaded machine). */
async function waitGone(engine: Engine, project: string, ms = 60_000): Promise<string[]> {
  const until = Date.now() + ms;
  for (;;) {
    const left = await leftovers(engine, project);
    if (left.length === 0 || Date.now() > until) return left;
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe("crash-safe cleanup", { concurrency: 1 }, () => {
  test("a SIGKILLed test process: its watchdog removes the stack's containers, networks and volumes", async () => {
    const engine = await connectFromEnv(process.env);
    const projectName = `flotilla-test-kill-${process.pid}`;
    let child: Child | undefined;
    try {
      child = await startChild({ projectName, reaper: true }, "up");
      assert.deepEqual(await leftovers(engine, projectName), [
        `container ${projectName}-app-1`,
        `network ${projectName}_back`,
        `volume ${projectName}_data`,
      ]);
      const [c] = await engine.listContainers({ labels: { [Label.project]: projectName }, all: true });
      assert.equal(c?.labels[OwnerLabel.pid], String(child.proc.pid), "owned by the child");
      await kill(child);
      assert.equal(child.proc.signalCode, "SIGKILL", "no teardown code ran in the child");
      assert.deepEqual(await waitGone(engine, projectName), [], "nothing of the stack outlives its owner");
    } finally {
      if (child) await kill(child);
      await removeStack(engine, projectName);
    }
  });

  test("killed in the middle of up(): what was made so far is removed too", async () => {
    const engine = await connectFromEnv(process.env);
    const projectName = `flotilla-test-killearly-${process.pid}`;
    let child: Child | undefined;
    try {
      child = await startChild({ projectName, reaper: true, killEarly: true }, "network");
      await kill(child);
      assert.deepEqual(await waitGone(engine, projectName), []);
    } finally {
      if (child) await kill(child);
      await removeStack(engine, projectName);
    }
  });

  test("no watchdog (reaper: false): the next up() sweeps stacks whose owner pid is dead", async (t) => {
    const engine = await connectFromEnv(process.env);
    const projectName = `flotilla-test-orphan-${process.pid}`;
    let child: Child | undefined;
    try {
      child = await startChild({ projectName, reaper: false }, "up");
      const pid = child.proc.pid!;
      assert.equal((await leftovers(engine, projectName)).length, 3);
      await kill(child);
      assert.equal(pidAlive(pid), false);

      const events: FlotillaEvent[] = [];
      await using next = await compose({ documents: [{ services: { x: { image: "flotilla-busybox:latest", init: true, command: ["sleep", "3600"] } } }], onEvent: (e) => events.push(e) }).up();
      assert.notEqual(next.name, projectName);
      // Gone once up() resolved (it waits for its sweep). Another test file's up() may have swept first:
      // either way a sweep did it, since nothing else removes a stack without a watchdog.
      assert.deepEqual(await leftovers(engine, projectName), [], "the orphaned stack was swept");
      const ours = events.some((e) => e.type === "info" && /removed abandoned test stacks: .*\b/.test(e.message) && e.message.includes(projectName));
      if (!ours) t.diagnostic(`${projectName} was swept by a concurrent up() in another test process`);
      assert.deepEqual((await leftovers(engine, next.name)).length > 0, true, "the sweep never touches the live stack");
    } finally {
      if (child) await kill(child);
      await removeStack(engine, projectName);
    }
  });
});
