/**
 * The examples in examples/ (the same code as the README's "Use in tests") run as their users run
 * them: `node --test examples/node-test/` and vitest with examples/vitest as its root. Each must
 * exit 0 and leave no container, network or volume of the stacks it made. The stacks' generated
 * project names are learned from engine events: only examples/compose.yaml gives containers the
 * working directory examples/.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { connectFromEnv } from "../../src/api/project.js";
import { removeStack } from "../../src/api/reaper.js";
import { Label } from "../../src/runtime/labels.js";
import type { Engine } from "../../src/runtime/engine.js";

const root = resolve(import.meta.dirname, "../../..");
const examplesDir = resolve(root, "examples");

async function leftovers(engine: Engine, project: string): Promise<string[]> {
  const by = { [Label.project]: project };
  const [c, n, v] = await Promise.all([engine.listContainers({ labels: by, all: true }), engine.listNetworks({ labels: by }), engine.listVolumes({ labels: by })]);
  return [...c.map((x) => `container ${x.name}`), ...n.map((x) => `network ${x.name}`), ...v.map((x) => `volume ${x.name}`)];
}

function run(args: string[]): Promise<{ code: number | null; output: string }> {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" };
  // Set by node's test runner for its children; a nested `node --test` would otherwise report in the runner's wire format.
  delete env["NODE_TEST_CONTEXT"];
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.once("error", rej);
    child.once("close", (code) => res({ code, output }));
  });
}

/**
 * Run an example while watching the engine for containers of examples/compose.yaml. Returns the
 * runner's exit code and output, the projects it created and what was left of them the moment it
 * exited: an example tears its stack down itself (the watchdog that would remove it a second later
 * is a safety net, not the teardown).
 */
async function runExample(engine: Engine, args: string[]): Promise<{ code: number | null; output: string; projects: string[]; left: string[] }> {
  const ac = new AbortController();
  const created = new Map<string, string>(); // container id → project
  // `since` replays from just before the subscription (no race with the child's first create); events
  // before this run (an earlier example's) are skipped by their time.
  const start = Date.now() / 1000;
  const watching = (async () => {
    try {
      for await (const e of engine.events({ labels: { [Label.workingDir]: examplesDir }, since: Math.floor(start) - 1 }, ac.signal)) {
        if (e.type === "container" && e.action === "create" && e.time >= start && e.attributes[Label.project]) created.set(e.id, e.attributes[Label.project]!);
      }
    } catch (err) {
      if (!ac.signal.aborted) throw err;
    }
  })();
  try {
    const r = await run(args);
    // The creates happened seconds before the exit; wait for the stream only if none has arrived (bounded
    // generously: the stream can lag on a loaded machine, and this wait ends as soon as one arrives).
    const until = Date.now() + 30_000;
    while (created.size === 0 && Date.now() < until) await new Promise((w) => setTimeout(w, 100));
    const projects = [...new Set(created.values())].sort();
    const left = (await Promise.all(projects.map((p) => leftovers(engine, p)))).flat();
    return { ...r, projects, left };
  } finally {
    ac.abort();
    await watching;
  }
}

describe("examples run in CI", { concurrency: 1 }, () => {
  test("the README's \"Use in tests\" shows the examples' code as it is", () => {
    const readme = readFileSync(resolve(root, "README.md"), "utf8");
    for (const [file, lang] of [["examples/node-test/web.test.mjs", "js"], ["examples/vitest/web.test.ts", "ts"]] as const) {
      const code = readFileSync(resolve(root, file), "utf8").trimEnd();
      assert.ok(readme.includes(`\`\`\`${lang}\n${code}\n\`\`\``), `README.md has ${file} verbatim`);
    }
  });

  test("examples/node-test: node --test passes and leaves nothing", async () => {
    const engine = await connectFromEnv(process.env);
    let projects: string[] = [];
    try {
      const r = await runExample(engine, ["--test", "examples/node-test/"]);
      projects = r.projects;
      assert.equal(r.code, 0, r.output);
      assert.match(r.output, /^# pass 2$/m, r.output);
      assert.match(r.output, /^# fail 0$/m, r.output);
      assert.equal(projects.length, 1, `one stack, with a generated name: ${projects.join(", ")}`);
      assert.match(projects[0]!, /^flotilla-test-[0-9a-f]+$/);
      assert.deepEqual(r.left, [], "the example removed its stack before exiting");
    } finally {
      for (const p of projects) await removeStack(engine, p);
    }
  });

  test("examples/vitest: vitest runs only its own file, passes and leaves nothing", async () => {
    const engine = await connectFromEnv(process.env);
    let projects: string[] = [];
    try {
      const r = await runExample(engine, ["node_modules/vitest/vitest.mjs", "run", "--root", "examples/vitest"]);
      projects = r.projects;
      assert.equal(r.code, 0, r.output);
      assert.match(r.output, /Test Files\s+1 passed \(1\)/, r.output);
      assert.match(r.output, /Tests\s+1 passed \(1\)/, r.output);
      assert.equal(projects.length, 1, `one stack, with a generated name: ${projects.join(", ")}`);
      assert.deepEqual(r.left, [], "the example removed its stack before exiting");
    } finally {
      for (const p of projects) await removeStack(engine, p);
    }
  });
});
