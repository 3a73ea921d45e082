import { test } from "node:test";
import assert from "node:assert/strict";
import { FakeEngine } from "../support/fake-engine.js";
import { loadedProject } from "../support/loaded-project.js";
import { applyUp } from "../../src/runtime/apply.js";
import { planUp } from "../../src/runtime/plan.js";
import { observeProject } from "../../src/runtime/observe.js";
import { EngineError } from "../../src/errors.js";
import type { FlotillaEvent } from "../../src/events.js";
import type { LoadedProject } from "../../src/spec/model.js";

const IMAGE = "flotilla-busybox:latest";

async function up(engine: FakeEngine, p: LoadedProject, events: FlotillaEvent[] = []) {
  const observed = await observeProject(engine, p.model.name, { model: p.model });
  const opts = { onEvent: (e: FlotillaEvent) => events.push(e) };
  return applyUp(p, planUp(p, observed, opts), engine, opts);
}

test("a stopped container the engine refuses to start for a stale task is created anew, keeping its name", async () => {
  const engine = new FakeEngine();
  engine.addImage(IMAGE);
  const p = loadedProject("st", {
    db: { image: IMAGE, command: ["sleep", "3600"], networks: { default: null } },
  });
  const first = await up(engine, p);
  const oldId = first.containers[0]!.id;
  await engine.stopContainer(oldId);
  // what dockerd answers after it was killed while starting this container
  engine.script.failStart(oldId, new EngineError("ENGINE", `starting container st-db-1: task ${"ab".repeat(32)}: already exists`));

  const events: FlotillaEvent[] = [];
  const second = await up(engine, p, events);
  const newId = second.containers[0]!.id;
  assert.notEqual(newId, oldId);
  assert.equal(engine.containers.has(oldId), false, "the container with the stale task is removed");
  const fresh = engine.containers.get(newId)!;
  assert.equal(fresh.name, "st-db-1");
  assert.equal(fresh.state, "running");
  assert.ok(events.some((e) => e.type === "warning" && /holds a task of it/.test(e.message)), "the repair is said");
  // created as a recreate is: under a temporary name, then renamed once the old one is gone
  const calls = engine.calls.map((c) => c.method);
  assert.ok(calls.lastIndexOf("removeContainer") < calls.lastIndexOf("renameContainer"));
});

test("any other start failure of a stopped container still fails the up", async () => {
  const engine = new FakeEngine();
  engine.addImage(IMAGE);
  const p = loadedProject("st2", { db: { image: IMAGE, command: ["sleep", "3600"], networks: { default: null } } });
  const first = await up(engine, p);
  const oldId = first.containers[0]!.id;
  await engine.stopContainer(oldId);
  engine.script.failStart(oldId, new EngineError("ENGINE", "starting container st2-db-1: no space left on device"));
  await assert.rejects(up(engine, p), /no space left on device/);
  assert.equal(engine.containers.has(oldId), true, "nothing is replaced");
});
