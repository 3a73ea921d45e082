/**
 * A container whose start the engine refuses for a stale containerd task (left by a dockerd killed
 * while starting it), met by every way an existing container is started: up's start and restart
 * actions, `start`, `restart`, and `run`'s dependencies. With the compose model it is created anew
 * (as a recreate: same name, labels, anonymous volumes, networks by id); without, STALE_TASK.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { FakeEngine } from "../support/fake-engine.js";
import { loadedProject } from "../support/loaded-project.js";
import { Project } from "../../src/api/project.js";
import { applyUp } from "../../src/runtime/apply.js";
import { planUp } from "../../src/runtime/plan.js";
import { observeProject } from "../../src/runtime/observe.js";
import { restartProject } from "../../src/runtime/ops/restart.js";
import { startProject } from "../../src/runtime/ops/start.js";
import { isStaleTask, STALE_TASK } from "../../src/runtime/stale-task.js";
import { EngineError, FlotillaError, ServiceError } from "../../src/errors.js";
import type { FlotillaEvent } from "../../src/events.js";
import type { LoadedProject, ServiceConfig } from "../../src/spec/model.js";
import type { UpOptions } from "../../src/runtime/options.js";

const IMAGE = "flotilla-busybox:latest";
const ANON = "c".repeat(64);
const base = (extra: Partial<ServiceConfig> = {}): ServiceConfig => ({ image: IMAGE, command: ["sleep", "3600"], networks: { default: null }, ...extra });
/** db keeps an anonymous volume at /data. */
const db = (extra: Partial<ServiceConfig> = {}): ServiceConfig => base({ volumes: [{ type: "volume", target: "/data" }], ...extra });

/** What dockerd answers when containerd still holds the container's task. */
function staleTask(name: string): EngineError {
  return new EngineError("ENGINE", `cannot start container ${name}: failed to create task for container: task ${"ab".repeat(32)}: already exists`, { statusCode: 500 });
}

async function up(engine: FakeEngine, p: LoadedProject, opts: UpOptions = {}): Promise<{ events: FlotillaEvent[]; result: Awaited<ReturnType<typeof applyUp>> }> {
  const events: FlotillaEvent[] = [];
  const all = { ...opts, onEvent: (e: FlotillaEvent) => events.push(e) };
  const observed = await observeProject(engine, p.model.name, { model: p.model });
  const result = await applyUp(p, planUp(p, observed, all), engine, all);
  return { events, result };
}

function byName(engine: FakeEngine, name: string) {
  const found = [...engine.containers.values()].filter((c) => c.name === name);
  assert.equal(found.length, 1, `one container named ${name}`);
  return found[0]!;
}

/** Up the project, name db's anonymous volume (the fake does not), stop what is named; db-1's id. */
async function upThenStop(engine: FakeEngine, p: LoadedProject, stop: string[]): Promise<string> {
  await up(engine, p);
  const first = byName(engine, `${p.model.name}-db-1`);
  (first.spec.HostConfig["Mounts"] as { Source?: string }[])[0]!.Source = ANON;
  for (const s of stop) await engine.stopContainer(byName(engine, `${p.model.name}-${s}-1`).id);
  return first.id;
}

/** The replacement is what up would make: same name, running, same config-hash label, the anonymous volume by name, the network by id. */
function assertReplaced(engine: FakeEngine, project: string, oldId: string, oldLabels: Record<string, string>): string {
  assert.equal(engine.containers.has(oldId), false, "the container holding the stale task is removed");
  const fresh = byName(engine, `${project}-db-1`);
  assert.notEqual(fresh.id, oldId);
  assert.equal(fresh.state, "running");
  for (const l of ["com.docker.compose.config-hash", "com.docker.compose.project", "com.docker.compose.service", "com.docker.compose.container-number", "com.docker.compose.oneoff"]) {
    assert.equal(fresh.spec.Labels?.[l], oldLabels[l], l);
  }
  assert.equal(fresh.spec.Labels?.["com.docker.compose.replace"], `${project}-db-1`);
  assert.deepEqual(fresh.spec.HostConfig["Mounts"], [{ Type: "volume", Target: "/data", ReadOnly: false, Source: ANON }], "its anonymous volume is kept");
  const netId = engine.networks.get(`${project}_default`)!.id;
  assert.deepEqual(Object.keys(fresh.spec.NetworkingConfig?.EndpointsConfig ?? {}), [netId], "attached to the network by id");
  assert.deepEqual(engine.callsOf("removeContainer").at(-1)!.args, [oldId, { force: true, volumes: false }], "the old container goes without its volumes");
  return fresh.id;
}

const saysRepair = (events: FlotillaEvent[], name: string): boolean => events.some((e) => e.type === "warning" && e.message.includes(`container ${name}:`) && /created anew/.test(e.message));

describe("stale task: detection", () => {
  test("the engine's answer is recognised, also wrapped; other errors are not", () => {
    assert.ok(isStaleTask(staleTask("x")));
    assert.ok(isStaleTask(new ServiceError("CONTAINER_FAILED", "db", "service db: failed", { cause: staleTask("x") })));
    assert.ok(STALE_TASK.test(`task ${"0".repeat(64)}: already exists`));
    // the same kill also leaves containerd's container record: dockerd's second answer
    assert.ok(isStaleTask(new EngineError("ENGINE", `cannot start container ${"d".repeat(64)}: id already in use`)));
    assert.equal(isStaleTask(new Error("Conflict. The container name \"/x\" is already in use by container \"abc\"")), false);
    assert.equal(isStaleTask(new Error(`task ${"0".repeat(63)}: already exists`)), false);
    assert.equal(isStaleTask(new Error("container name already exists")), false);
    assert.equal(isStaleTask("task"), false);
  });
});

describe("stale task: up", () => {
  test("a start action: db is created anew keeping its volume, and its dependent waits on the new container", async () => {
    const engine = new FakeEngine();
    engine.addImage(IMAGE);
    const p = loadedProject("su1", { db: db({ healthcheck: { test: ["CMD", "true"] } }), app: base({ depends_on: { db: { condition: "service_healthy", required: true } } }) });
    const oldId = await upThenStop(engine, p, ["app", "db"]);
    const oldLabels = { ...byName(engine, "su1-db-1").spec.Labels };
    engine.script.failStart(oldId, staleTask("su1-db-1"));
    const mark = engine.calls.length;
    const { events, result } = await up(engine, p);
    const newId = assertReplaced(engine, "su1", oldId, oldLabels);
    assert.equal(result.containers.find((c) => c.service === "db")!.id, newId);
    assert.ok(saysRepair(events, "su1-db-1"));
    const inspected = engine.calls.slice(mark).filter((c) => c.method === "inspectContainer").map((c) => c.args[0]);
    assert.ok(inspected.includes(newId), "app's service_healthy wait asks about the new container");
    assert.equal(byName(engine, "su1-app-1").state, "running");
  });

  test("a restart action (depends_on restart: true): the dependent is created anew and runs", async () => {
    const engine = new FakeEngine();
    engine.addImage(IMAGE);
    const p = loadedProject("su2", { db: db(), app: base({ depends_on: { db: { condition: "service_started", required: true, restart: true } } }) });
    await upThenStop(engine, p, ["db"]);
    const app = byName(engine, "su2-app-1");
    const appLabels = { ...app.spec.Labels };
    engine.script.failStart(app.id, staleTask("su2-app-1"));
    const { events, result } = await up(engine, p);
    const action = result.plan.services["app"]![0]!;
    assert.equal(action.kind, "restart");
    const fresh = byName(engine, "su2-app-1");
    assert.notEqual(fresh.id, app.id);
    assert.equal(engine.containers.has(app.id), false);
    assert.equal(fresh.state, "running");
    assert.equal(fresh.spec.Labels?.["com.docker.compose.config-hash"], appLabels["com.docker.compose.config-hash"]);
    assert.equal(result.containers.find((c) => c.service === "app")!.id, fresh.id);
    assert.ok(saysRepair(events, "su2-app-1"));
  });
});

describe("stale task: up, namespace children", () => {
  for (const existing of [true, false]) {
    test(`a child sharing db's network namespace (${existing ? "stopped" : "created by this up"}) joins db's new container`, async () => {
      const engine = new FakeEngine();
      engine.addImage(IMAGE);
      const name = existing ? "sc1" : "sc2";
      const side: ServiceConfig = { image: IMAGE, command: ["sleep", "3600"], network_mode: "service:db" };
      const p = loadedProject(name, { db: db(), side });
      const oldId = existing ? await upThenStop(engine, p, ["side", "db"]) : await upThenStop(engine, loadedProject(name, { db: db() }), ["db"]);
      engine.script.failStart(oldId, staleTask(`${name}-db-1`));
      const { result } = await up(engine, p);
      const newDb = byName(engine, `${name}-db-1`);
      assert.notEqual(newDb.id, oldId);
      const child = byName(engine, `${name}-side-1`);
      assert.equal(child.spec.HostConfig["NetworkMode"], `container:${newDb.id}`);
      assert.equal(child.state, "running");
      assert.equal(result.containers.find((c) => c.service === "side")!.id, child.id);
      assert.equal([...engine.containers.values()].filter((c) => c.name.endsWith("side-1")).length, 1, "no leftover of the child");
    });
  }
});

describe("stale task: start", () => {
  test("with the model: re-created as up would, started; start --wait follows the new container", async () => {
    const engine = new FakeEngine();
    engine.addImage(IMAGE);
    const p = loadedProject("ss1", { db: db(), app: base({ depends_on: { db: { condition: "service_started", required: true } } }) });
    const oldId = await upThenStop(engine, p, ["app", "db"]);
    const oldLabels = { ...byName(engine, "ss1-db-1").spec.Labels };
    engine.script.failStart(oldId, staleTask("ss1-db-1"));
    const events: FlotillaEvent[] = [];
    const project = Project.from(p, { engine, lock: { disabled: true } });
    const started = await project.start(undefined, { wait: true, waitTimeout: 5, onEvent: (e) => events.push(e) });
    assert.deepEqual(started.sort(), ["ss1-app-1", "ss1-db-1"]);
    assertReplaced(engine, "ss1", oldId, oldLabels);
    assert.ok(saysRepair(events, "ss1-db-1"));
    assert.ok(events.some((e) => e.type === "resource" && e.name === "ss1-db-1" && e.status === "Recreated"));
    // dependency order held: db (new) started before app
    const starts = engine.callsOf("startContainer").map((c) => c.args[0]);
    assert.ok(starts.lastIndexOf(byName(engine, "ss1-db-1").id) < starts.lastIndexOf(byName(engine, "ss1-app-1").id));
  });

  test("a namespace child (network_mode: service:db) is re-created joining db's current container", async () => {
    const engine = new FakeEngine();
    engine.addImage(IMAGE);
    const p = loadedProject("ss2", { db: db(), side: { image: IMAGE, command: ["sleep", "3600"], network_mode: "service:db" } });
    await upThenStop(engine, p, ["side"]);
    const side = byName(engine, "ss2-side-1");
    engine.script.failStart(side.id, staleTask("ss2-side-1"));
    await startProject(engine, "ss2", { project: p });
    const fresh = byName(engine, "ss2-side-1");
    assert.notEqual(fresh.id, side.id);
    assert.equal(fresh.state, "running");
    assert.equal(fresh.spec.HostConfig["NetworkMode"], `container:${byName(engine, "ss2-db-1").id}`);
  });

  test("a namespace parent created anew: its stopped child is created anew too, joining the new container", async () => {
    const engine = new FakeEngine();
    engine.addImage(IMAGE);
    const p = loadedProject("ss5", { db: db(), side: { image: IMAGE, command: ["sleep", "3600"], network_mode: "service:db" } });
    const oldId = await upThenStop(engine, p, ["side", "db"]);
    const side = byName(engine, "ss5-side-1");
    engine.script.failStart(oldId, staleTask("ss5-db-1"));
    const events: FlotillaEvent[] = [];
    await startProject(engine, "ss5", { project: p, onEvent: (e) => events.push(e) });
    const newDb = byName(engine, "ss5-db-1");
    const fresh = byName(engine, "ss5-side-1");
    assert.notEqual(newDb.id, oldId);
    assert.notEqual(fresh.id, side.id);
    assert.equal(engine.containers.has(side.id), false);
    assert.equal(fresh.spec.HostConfig["NetworkMode"], `container:${newDb.id}`);
    assert.equal(fresh.state, "running");
    assert.ok(events.some((e) => e.type === "warning" && e.message === "container ss5-side-1: created anew to join the new container of db"));
  });

  test("without the model (project rebuilt from labels): STALE_TASK saying what to do; nothing removed", async () => {
    const engine = new FakeEngine();
    engine.addImage(IMAGE);
    const p = loadedProject("ss3", { db: db() });
    const oldId = await upThenStop(engine, p, ["db"]);
    engine.script.failStart(oldId, staleTask("ss3-db-1"));
    const project = await Project.fromLabels("ss3", { engine, lock: { disabled: true } });
    await assert.rejects(project.start(), (e: unknown) => {
      assert.ok(e instanceof FlotillaError);
      assert.equal(e.code, "STALE_TASK");
      assert.equal(e.service, "db");
      assert.match(e.message, /cannot start container ss3-db-1: the engine still holds a task of it/);
      assert.match(e.hint ?? "", /flotilla up --force-recreate db/);
      assert.match(e.hint ?? "", /flotilla down/);
      return true;
    });
    assert.ok(engine.containers.has(oldId), "nothing is replaced");
    assert.equal(engine.callsOf("createContainer").length, 1);
  });

  test("another start failure still fails, naming the service; nothing replaced", async () => {
    const engine = new FakeEngine();
    engine.addImage(IMAGE);
    const p = loadedProject("ss4", { db: db() });
    const oldId = await upThenStop(engine, p, ["db"]);
    engine.script.failStart(oldId, new EngineError("ENGINE", "cannot start container x: no space left on device"));
    await assert.rejects(startProject(engine, "ss4", { project: p }), (e: unknown) => {
      assert.ok(e instanceof FlotillaError);
      assert.equal(e.service, "db");
      assert.match(e.message, /^service "db": .*no space left on device/);
      return true;
    });
    assert.ok(engine.containers.has(oldId));
  });
});

describe("stale task: restart", () => {
  test("with the model: re-created and started; the service restarting with it follows", async () => {
    const engine = new FakeEngine();
    engine.addImage(IMAGE);
    const p = loadedProject("sr1", { db: db(), app: base({ depends_on: { db: { condition: "service_started", required: true, restart: true } } }) });
    const oldId = await upThenStop(engine, p, ["db"]);
    const oldLabels = { ...byName(engine, "sr1-db-1").spec.Labels };
    engine.script.failStart(oldId, staleTask("sr1-db-1"));
    const events: FlotillaEvent[] = [];
    const restarted = await Project.from(p, { engine, lock: { disabled: true } }).restart(["db"], { onEvent: (e) => events.push(e) });
    assert.deepEqual(restarted, ["sr1-db-1", "sr1-app-1"]);
    const newId = assertReplaced(engine, "sr1", oldId, oldLabels);
    assert.ok(saysRepair(events, "sr1-db-1"));
    // the replacement is started (it is new), the old one was asked to restart
    assert.deepEqual(engine.callsOf("restartContainer").map((c) => c.args[0]).slice(0, 1), [oldId]);
    assert.ok(engine.callsOf("startContainer").some((c) => c.args[0] === newId));
  });

  test("without the model: STALE_TASK; another failure names the service", async () => {
    const engine = new FakeEngine();
    engine.addImage(IMAGE);
    const p = loadedProject("sr2", { db: db() });
    const oldId = await upThenStop(engine, p, []);
    engine.script.failStart(oldId, staleTask("sr2-db-1"));
    await assert.rejects(restartProject(engine, "sr2"), (e: unknown) => e instanceof FlotillaError && e.code === "STALE_TASK" && /cannot restart container sr2-db-1/.test(e.message));
    assert.ok(engine.containers.has(oldId));
    engine.script.failStart(oldId, new EngineError("ENGINE", "cannot restart container x: device busy"));
    await assert.rejects(restartProject(engine, "sr2", { project: p }), /service "db": cannot restart container x: device busy/);
  });
});

describe("stale task: run", () => {
  test("a stopped dependency with a stale task is created anew before the one-off runs", async () => {
    const engine = new FakeEngine();
    engine.addImage(IMAGE);
    const p = loadedProject("sn1", { db: db(), job: base({ command: ["true"], depends_on: { db: { condition: "service_started", required: true } } }) });
    await up(engine, loadedProject("sn1", { db: db() }));
    const first = byName(engine, "sn1-db-1");
    (first.spec.HostConfig["Mounts"] as { Source?: string }[])[0]!.Source = ANON;
    const oldLabels = { ...first.spec.Labels };
    await engine.stopContainer(first.id);
    engine.script.failStart(first.id, staleTask("sn1-db-1"));
    const events: FlotillaEvent[] = [];
    const r = await Project.from(p, { engine, lock: { disabled: true } }).run("job", { onEvent: (e) => events.push(e) });
    assert.equal(r.exitCode, 0);
    assertReplaced(engine, "sn1", first.id, oldLabels);
    assert.ok(saysRepair(events, "sn1-db-1"));
  });
});
