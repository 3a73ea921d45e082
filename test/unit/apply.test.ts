import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { FakeEngine } from "../support/fake-engine.js";
import { applyUp } from "../../src/runtime/apply.js";
import { planUp } from "../../src/runtime/plan.js";
import { observeProject } from "../../src/runtime/observe.js";
import { downProject } from "../../src/runtime/ops/down.js";
import { killProject } from "../../src/runtime/ops/kill.js";
import { restartProject } from "../../src/runtime/ops/restart.js";
import { setPaused } from "../../src/runtime/ops/pause.js";
import { stopProject } from "../../src/runtime/ops/stop.js";
import { startProject } from "../../src/runtime/ops/start.js";
import { listContainers } from "../../src/runtime/ps.js";
import { streamLogs, LineSplitter, toEngineTime } from "../../src/runtime/logs.js";
import { Label } from "../../src/runtime/labels.js";
import type { FlotillaEvent } from "../../src/events.js";
import type { LoadedProject, ServiceConfig } from "../../src/spec/model.js";
import { loadedProject } from "../support/loaded-project.js";
import type { UpOptions } from "../../src/runtime/options.js";
import { ServiceError, WaitError } from "../../src/errors.js";

const IMAGE = "flotilla-busybox:latest";
const base = (extra: Partial<ServiceConfig> = {}): ServiceConfig => ({ image: IMAGE, command: ["sleep", "3600"], networks: { default: null }, ...extra });

function project(name: string, services: Record<string, ServiceConfig>, volumes: LoadedProject["model"]["volumes"] = {}): LoadedProject {
  return loadedProject(name, services, { volumes });
}

async function up(engine: FakeEngine, p: LoadedProject, opts: UpOptions = {}): Promise<{ events: FlotillaEvent[]; result: Awaited<ReturnType<typeof applyUp>> }> {
  const events: FlotillaEvent[] = [];
  const all = { ...opts, onEvent: (e: FlotillaEvent) => events.push(e) };
  const observed = await observeProject(engine, p.model.name, { model: p.model });
  const plan = planUp(p, observed, all);
  const result = await applyUp(p, plan, engine, all);
  return { events, result };
}

function nameOf(engine: FakeEngine, id: unknown): string {
  return engine.containers.get(id as string)?.name ?? "?";
}
const healthy = (dep: string) => ({ [dep]: { condition: "service_healthy" as const, required: true } });
const completed = (dep: string) => ({ [dep]: { condition: "service_completed_successfully" as const, required: true } });

describe("applyUp on FakeEngine", () => {
  test("creates network and containers; starts in dependency order after conditions; creation overlaps waits", async () => {
    const engine = new FakeEngine();
    engine.addImage(IMAGE);
    const p = project("t1", {
      db: base({ healthcheck: { test: ["CMD", "true"] } }),
      migrate: base({ command: ["true"], depends_on: healthy("db") }),
      api: base({ depends_on: { ...healthy("db"), ...completed("migrate") } }),
    });
    engine.script.health("t1-db-1", ["starting", "starting", "healthy"]);
    const { events, result } = await up(engine, p);
    assert.deepEqual(result.containers.map((c) => [c.name, c.action]), [["t1-api-1", "create"], ["t1-db-1", "create"], ["t1-migrate-1", "create"]]);
    const starts = engine.callsOf("startContainer").map((c) => nameOf(engine, c.args[0]));
    assert.deepEqual(starts, ["t1-db-1", "t1-migrate-1", "t1-api-1"]);
    // every container was created before the first start (creation does not wait for conditions)
    const calls = engine.calls.map((c) => c.method);
    assert.ok(calls.lastIndexOf("createContainer") < calls.indexOf("startContainer"));
    assert.equal(calls.indexOf("createNetwork") < calls.indexOf("createContainer"), true);
    // Healthy is reported before api starts
    const idx = (pred: (e: FlotillaEvent) => boolean) => events.findIndex(pred);
    const healthyAt = idx((e) => e.type === "resource" && e.name === "t1-db-1" && e.status === "Healthy");
    const apiStart = idx((e) => e.type === "resource" && e.name === "t1-api-1" && e.status === "Starting");
    assert.ok(healthyAt >= 0 && healthyAt < apiStart);
    const c = [...engine.containers.values()].find((x) => x.name === "t1-api-1")!;
    assert.equal(c.spec.Labels?.[Label.project], "t1");
    assert.equal(c.spec.Labels?.[Label.configHash], result.plan.hashes.api);
  });

  test("an unhealthy dependency fails naming it, and leaves what was made in place", async () => {
    const engine = new FakeEngine();
    engine.addImage(IMAGE);
    const p = project("t2", { db: base({ healthcheck: { test: ["CMD", "true"] } }), api: base({ depends_on: healthy("db") }) });
    engine.script.health("t2-db-1", ["starting", "unhealthy"]);
    await assert.rejects(up(engine, p), (e: unknown) => {
      assert.ok(e instanceof ServiceError);
      assert.equal(e.code, "DEPENDENCY_FAILED");
      assert.equal(e.service, "db");
      assert.match(e.message, /dependency failed to start: container t2-db-1 is unhealthy/);
      return true;
    });
    const names = [...engine.containers.values()].map((c) => `${c.name}:${c.state}`).sort();
    assert.deepEqual(names, ["t2-api-1:created", "t2-db-1:running"]);
    assert.ok(engine.networks.has("t2_default") || [...engine.networks.values()].some((n) => n.spec.Name === "t2_default"));
  });

  test("service_completed_successfully with a non-zero exit fails with the exit code", async () => {
    const engine = new FakeEngine();
    engine.addImage(IMAGE);
    const p = project("t3", { migrate: base(), api: base({ depends_on: completed("migrate") }) });
    engine.script.exitAfterStart("t3-migrate-1", 3);
    engine.script.output("t3-migrate-1", [{ stream: "stderr", data: "migration 7 failed\n" }]);
    await assert.rejects(up(engine, p), (e: unknown) => {
      assert.ok(e instanceof ServiceError);
      assert.equal(e.code, "DEPENDENCY_FAILED");
      assert.equal(e.service, "migrate");
      assert.equal(e.exitCode, 3);
      assert.match(e.message, /exited with code 3/);
      assert.match(e.message, /migration 7 failed/);
      return true;
    });
    assert.equal(engine.callsOf("startContainer").map((c) => nameOf(engine, c.args[0])).includes("t3-api-1"), false);
  });

  test("required:false turns a failed dependency into a warning", async () => {
    const engine = new FakeEngine();
    engine.addImage(IMAGE);
    const p = project("t4", { job: base(), api: base({ depends_on: { job: { condition: "service_completed_successfully", required: false } } }) });
    engine.script.exitAfterStart("t4-job-1", 1);
    const { result, events } = await up(engine, p);
    assert.ok(result.warnings.some((w) => /optional dependency "job" of "api" failed/.test(w)));
    assert.ok(events.some((e) => e.type === "warning" && e.service === "api"));
    assert.ok(engine.callsOf("startContainer").some((c) => nameOf(engine, c.args[0]) === "t4-api-1"));
  });

  test("second up is a no-op; a config change recreates only that service via a temp name", async () => {
    const engine = new FakeEngine();
    engine.addImage(IMAGE);
    const p1 = project("t5", { web: base({ environment: { GREETING: "hello" } }), db: base() });
    await up(engine, p1);
    const before = new Map([...engine.containers.values()].map((c) => [c.name, c.id]));
    const n = engine.calls.length;
    const again = await up(engine, p1);
    assert.deepEqual(again.result.containers.map((c) => c.action), ["noop", "noop"]);
    assert.deepEqual(engine.calls.slice(n).filter((c) => !/^(list|inspect)/.test(c.method)), []);

    const p2 = project("t5", { web: base({ environment: { GREETING: "bonjour" } }), db: base() });
    const { events } = await up(engine, p2);
    const after = new Map([...engine.containers.values()].map((c) => [c.name, c.id]));
    assert.equal(after.get("t5-db-1"), before.get("t5-db-1"));
    assert.notEqual(after.get("t5-web-1"), before.get("t5-web-1"));
    assert.equal(after.size, 2);
    const created = engine.callsOf("createContainer").at(-1)!.args[0] as { name: string; Labels: Record<string, string> };
    assert.equal(created.name, `${before.get("t5-web-1")!.slice(0, 12)}_t5-web-1`);
    assert.equal(created.Labels["com.docker.compose.replace"], "t5-web-1", "the replace label names the container it replaces");
    assert.ok(events.some((e) => e.type === "resource" && e.status === "Recreate" && e.detail === "config changed: environment.GREETING"));
  });

  test("noStart creates only; --wait times out naming the services not ready", async () => {
    const engine = new FakeEngine();
    engine.addImage(IMAGE);
    const p = project("t6", { slow: base({ healthcheck: { test: ["CMD", "true"] } }), fast: base() });
    await up(engine, p, { noStart: true });
    assert.equal(engine.callsOf("startContainer").length, 0);
    assert.equal(engine.callsOf("createContainer").length, 2);
    engine.script.health("t6-slow-1", ["starting"]);
    // the existing container has the default health script; force a fresh one
    await downProject(engine, "t6", {});
    await assert.rejects(up(engine, p, { wait: true, waitTimeout: 0.3 }), (e: unknown) => {
      assert.ok(e instanceof WaitError);
      assert.equal(e.code, "WAIT_TIMEOUT");
      assert.match(e.message, /services not ready: slow$/);
      return true;
    });
  });

  test("down stops in reverse dependency order and removes containers, networks, and volumes only with volumes:true", async () => {
    const engine = new FakeEngine();
    engine.addImage(IMAGE);
    const p = project("t7", { db: base({ volumes: [{ type: "volume", source: "data", target: "/data" }] }), api: base({ depends_on: { db: { condition: "service_started", required: true } } }) }, { data: { name: "t7_data" } });
    await up(engine, p);
    assert.equal((await listContainers(engine, "t7")).length, 2);
    const stopped = await stopProject(engine, "t7");
    assert.deepEqual(stopped, ["t7-api-1", "t7-db-1"]);
    assert.equal((await listContainers(engine, "t7")).length, 0);
    assert.deepEqual((await listContainers(engine, "t7", { all: true })).map((r) => [r.Service, r.State]), [["api", "exited"], ["db", "exited"]]);
    const started = await startProject(engine, "t7");
    assert.deepEqual(started, ["t7-db-1", "t7-api-1"]);
    const first = await downProject(engine, "t7"); // no model: order from depends_on labels
    assert.deepEqual(first.containers, ["t7-api-1", "t7-db-1"]);
    assert.deepEqual(first.networks, ["t7_default"]);
    assert.deepEqual(first.volumes, []);
    assert.ok([...engine.volumes.keys()].includes("t7_data") || [...engine.volumes.values()].some((v) => (v as { name?: string }).name === "t7_data"));
    await up(engine, p);
    // a project volume the file no longer declares is kept by down -v (and named)
    await engine.createVolume({ Name: "t7_gone", Labels: { [Label.project]: "t7", [Label.volume]: "gone" } });
    const second = await downProject(engine, "t7", { volumes: true, project: p });
    assert.deepEqual(second.volumes, ["t7_data"]);
    assert.ok(second.warnings.some((w) => /volume t7_gone belongs to the project but is no longer in the file: kept/.test(w)), second.warnings.join("\n"));
    assert.deepEqual((await engine.listVolumes({ labels: { [Label.project]: "t7" } })).map((v) => v.name), ["t7_gone"]);
    // without the file (-p NAME only), the project's labelled volumes are all its own
    const fromLabels = await downProject(engine, "t7", { volumes: true });
    assert.deepEqual(fromLabels.volumes, ["t7_gone"]);
  });

  test("down: a dependency is stopped only after all its dependents stopped; removals overlap the walk", async () => {
    const engine = new FakeEngine();
    engine.addImage(IMAGE);
    const dep = (...names: string[]) => ({ depends_on: Object.fromEntries(names.map((n) => [n, { condition: "service_started" as const, required: true }])) });
    const p = project("t13", { a: base(), b: base(dep("a")), c: base(dep("b")), d: base(dep("a")), e: base(dep("c", "d")) });
    await up(engine, p);
    const events: FlotillaEvent[] = [];
    const down = await downProject(engine, "t13", { project: p, parallel: 2, onEvent: (e) => events.push(e) });
    assert.deepEqual([...down.containers].sort(), ["t13-a-1", "t13-b-1", "t13-c-1", "t13-d-1", "t13-e-1"]);
    const at = (name: string, status: string) => events.findIndex((e) => e.type === "resource" && e.name === `t13-${name}-1` && e.status === status);
    const dependents: Record<string, string[]> = { a: ["b", "d"], b: ["c"], c: ["e"], d: ["e"], e: [] };
    for (const [s, ds] of Object.entries(dependents)) {
      for (const d of ds) assert.ok(at(d, "Stopped") < at(s, "Stopping"), `${d} stopped before ${s} stops`);
      assert.ok(at(s, "Stopped") < at(s, "Removing"), `${s} removed after it stopped`);
    }
    assert.equal((await listContainers(engine, "t13", { all: true })).length, 0);
    assert.deepEqual(down.networks, ["t13_default"]);
  });

  test("restart SERVICE also restarts the services depending on it with restart: true, dependencies first", async () => {
    const engine = new FakeEngine();
    engine.addImage(IMAGE);
    const p = project("t14", {
      db: base(),
      api: base({ depends_on: { db: { condition: "service_started", required: true, restart: true } } }),
      worker: base({ depends_on: { db: { condition: "service_started", required: true } } }),
    });
    await up(engine, p);
    assert.deepEqual(await restartProject(engine, "t14", { project: p, services: ["db"] }), ["t14-db-1", "t14-api-1"]);
    // without the model, the depends_on label (db:service_started:true) says the same
    assert.deepEqual(await restartProject(engine, "t14", { services: ["db"] }), ["t14-db-1", "t14-api-1"]);
    assert.deepEqual(await restartProject(engine, "t14", { project: p, services: ["worker"] }), ["t14-worker-1"]);
  });

  test("pause and unpause change only running / paused containers; --dry-run (stop, kill, restart, pause) changes nothing", async () => {
    const engine = new FakeEngine();
    engine.addImage(IMAGE);
    const p = project("t15", { db: base(), api: base() });
    await up(engine, p);
    const states = async () => (await listContainers(engine, "t15", { all: true })).map((r) => [r.Service, r.State]);
    assert.deepEqual(await setPaused(engine, "t15", true, { services: ["api"] }), ["t15-api-1"]);
    assert.deepEqual(await states(), [["api", "paused"], ["db", "running"]]);
    assert.deepEqual(await setPaused(engine, "t15", true), ["t15-db-1"], "already paused ones are left alone");
    assert.deepEqual(await setPaused(engine, "t15", false), ["t15-api-1", "t15-db-1"]);
    assert.deepEqual(await states(), [["api", "running"], ["db", "running"]]);

    const events: FlotillaEvent[] = [];
    const onEvent = (e: FlotillaEvent) => events.push(e);
    assert.deepEqual((await stopProject(engine, "t15", { dryRun: true, onEvent })).sort(), ["t15-api-1", "t15-db-1"]);
    await killProject(engine, "t15", { dryRun: true, onEvent });
    await restartProject(engine, "t15", { dryRun: true, onEvent });
    await setPaused(engine, "t15", true, { dryRun: true, onEvent });
    assert.deepEqual(await states(), [["api", "running"], ["db", "running"]], "a dry run changes nothing");
    assert.ok(events.some((e) => e.type === "resource" && e.status === "Stopped"), "but reports what it would do");
  });

  test("logs merge the containers' lines with service and number; ps filters by state", async () => {
    const engine = new FakeEngine();
    engine.addImage(IMAGE);
    const p = project("t8", { a: base({ command: ["echo", "from a"] }), b: base({ scale: 2 }) });
    engine.script.output("t8-b-1", [{ stream: "stderr", data: "b one\npartial" }, { stream: "stderr", data: " line\n" }]);
    engine.script.output("t8-b-2", [{ stream: "stdout", data: "b two\n" }]);
    await up(engine, p);
    const lines: string[] = [];
    for await (const l of streamLogs(engine, "t8")) lines.push(`${l.service}-${l.number} ${l.stream} ${l.line}`);
    assert.deepEqual(lines.sort(), ["a-1 stdout from a", "b-1 stderr b one", "b-1 stderr partial line", "b-2 stdout b two"]);
    const only = [];
    for await (const l of streamLogs(engine, "t8", { services: ["b"], index: 2 })) only.push(l.line);
    assert.deepEqual(only, ["b two"]);
    await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual((await listContainers(engine, "t8")).map((r) => r.Name), ["t8-b-1", "t8-b-2"]);
    assert.deepEqual((await listContainers(engine, "t8", { status: ["exited"] })).map((r) => [r.Name, r.ExitCode]), [["t8-a-1", 0]]);
  });

  test("line splitting and time parsing helpers", () => {
    const s = new LineSplitter();
    assert.deepEqual(s.push("a\r\nb"), ["a"]);
    assert.deepEqual(s.push("c\n"), ["bc"]);
    assert.deepEqual(s.flush(), []);
    assert.equal(toEngineTime("1700000000"), 1700000000);
    assert.equal(toEngineTime("2024-01-02T03:04:05Z"), Date.UTC(2024, 0, 2, 3, 4, 5) / 1000);
    assert.equal(toEngineTime("10m", 1_000_000_000), Math.floor((1_000_000_000 - 600_000) / 1000));
  });

  test("depends_on restart: true: the dependent is stopped before its dependency is recreated and started after it", async () => {
    const engine = new FakeEngine();
    engine.addImage(IMAGE);
    const dep = { db: { condition: "service_started" as const, required: true, restart: true } };
    const p1 = project("t9", { db: base({ environment: { V: "1" } }), api: base({ depends_on: dep }), other: base({ depends_on: { db: { condition: "service_started", required: true } } }) });
    await up(engine, p1);
    const apiId = [...engine.containers.values()].find((c) => c.name === "t9-api-1")!.id;
    const oldDb = [...engine.containers.values()].find((c) => c.name === "t9-db-1")!.id;
    const otherId = [...engine.containers.values()].find((c) => c.name === "t9-other-1")!.id;
    const n = engine.calls.length;
    const p2 = project("t9", { db: base({ environment: { V: "2" } }), api: base({ depends_on: dep }), other: base({ depends_on: { db: { condition: "service_started", required: true } } }) });
    const { result, events } = await up(engine, p2);
    assert.deepEqual(result.containers.map((c) => [c.name, c.action]), [["t9-api-1", "restart"], ["t9-db-1", "recreate"], ["t9-other-1", "noop"]]);
    const calls = engine.calls.slice(n).filter((c) => /^(stop|start|rename)Container$/.test(c.method));
    const newDb = result.containers.find((c) => c.service === "db")!.id;
    assert.deepEqual(
      calls.map((c) => [c.method, c.args[0]]),
      [
        ["stopContainer", apiId],
        ["stopContainer", oldDb],
        ["renameContainer", newDb],
        ["startContainer", newDb],
        ["startContainer", apiId],
      ],
    );
    assert.equal(engine.containers.get(apiId)!.state, "running");
    assert.equal(calls.some((c) => c.args[0] === otherId), false);
    assert.ok(events.some((e) => e.type === "resource" && e.name === "t9-api-1" && e.status === "Stopping" && /restart: true/.test(e.detail ?? "")));
  });

  test("post_start hooks run after start; a failing one fails the service with its output", async () => {
    const engine = new FakeEngine();
    engine.addImage(IMAGE);
    const hook = { command: ["sh", "-c", "touch /tmp/hooked"], user: "root", environment: { X: "1" } };
    const p = project("t10", { web: base({ post_start: [hook] }) });
    await up(engine, p);
    const exec = engine.callsOf("exec");
    assert.equal(exec.length, 1);
    assert.equal(nameOf(engine, exec[0]!.args[0]), "t10-web-1");
    assert.deepEqual(exec[0]!.args[1], { cmd: ["sh", "-c", "touch /tmp/hooked"], user: "root", env: ["X=1"] });
    const calls = engine.calls.map((c) => c.method);
    assert.ok(calls.indexOf("startContainer") < calls.indexOf("exec"));

    const bad = project("t11", { web: base({ post_start: [{ command: ["sh", "-c", "echo no config >&2; exit 4"] }] }) });
    await assert.rejects(up(engine, bad), (e: unknown) => {
      assert.ok(e instanceof ServiceError);
      assert.equal(e.code, "CONTAINER_FAILED");
      assert.equal(e.service, "web");
      assert.match(e.message, /post_start hook .* in container t11-web-1 exited with status 4:\nno config/);
      return true;
    });
  });

  test("pre_stop hooks run before stop in down and on recreate; a failing one is a warning", async () => {
    const engine = new FakeEngine();
    engine.addImage(IMAGE);
    const p1 = project("t12", { web: base({ pre_stop: [{ command: ["sh", "-c", "exit 2"] }] }) });
    await up(engine, p1);
    const id = [...engine.containers.values()][0]!.id;
    const n = engine.calls.length;
    const p2 = project("t12", { web: base({ environment: { V: "2" }, pre_stop: [{ command: ["true"] }] }) });
    await up(engine, p2);
    const seq = engine.calls.slice(n).filter((c) => c.method === "exec" || c.method === "stopContainer").map((c) => [c.method, c.args[0]]);
    assert.deepEqual(seq, [["exec", id], ["stopContainer", id]]);
    const m = engine.calls.length;
    const events: FlotillaEvent[] = [];
    const p3 = project("t12", { web: base({ environment: { V: "2" }, pre_stop: [{ command: ["sh", "-c", "echo bye; exit 2"] }] }) });
    const down = await downProject(engine, "t12", { project: p3, onEvent: (e) => events.push(e) });
    assert.deepEqual(down.containers, ["t12-web-1"]);
    assert.deepEqual(engine.calls.slice(m).filter((c) => c.method === "exec" || c.method === "stopContainer").map((c) => c.method), ["exec", "stopContainer"]);
    assert.ok(down.warnings.some((w) => /pre_stop hook .* exited with status 2:\nbye/.test(w)), down.warnings.join("\n"));
  });

  test("a recreate keeps the old container's anonymous volumes unless renewAnonVolumes", async () => {
    const engine = new FakeEngine();
    engine.addImage(IMAGE);
    const anon = "c".repeat(64);
    const mk = (v: string) => project("t13", { db: base({ environment: { V: v }, volumes: [{ type: "volume", target: "/data" }] }) });
    await up(engine, mk("1"));
    // the fake engine does not name anonymous volumes: give the first container's one a name, as the engine would
    const first = [...engine.containers.values()][0]!;
    (first.spec.HostConfig["Mounts"] as { Source?: string }[])[0]!.Source = anon;
    await up(engine, mk("2"));
    const second = [...engine.containers.values()][0]!;
    assert.notEqual(second.id, first.id);
    assert.deepEqual(second.spec.HostConfig["Mounts"], [{ Type: "volume", Target: "/data", ReadOnly: false, Source: anon }]);
    const rm = engine.callsOf("removeContainer").at(-1)!;
    assert.deepEqual(rm.args, [first.id, { force: true, volumes: false }]);
    await up(engine, mk("3"), { renewAnonVolumes: true });
    const third = [...engine.containers.values()][0]!;
    assert.deepEqual(third.spec.HostConfig["Mounts"], [{ Type: "volume", Target: "/data", ReadOnly: false }]);
    assert.deepEqual(engine.callsOf("removeContainer").at(-1)!.args, [second.id, { force: true, volumes: true }]);
  });

  test("a running container detached from its network is recreated onto it", async () => {
    const engine = new FakeEngine();
    engine.addImage(IMAGE);
    const p = project("t14", { web: base() });
    await up(engine, p);
    const id = [...engine.containers.values()][0]!.id;
    await engine.disconnectNetwork("t14_default", id);
    const { result, events } = await up(engine, p);
    assert.deepEqual(result.containers.map((c) => c.action), ["recreate"]);
    assert.ok(events.some((e) => e.type === "resource" && e.status === "Recreate" && e.detail === "network t14_default missing"));
    const now = [...engine.containers.values()][0]!;
    assert.deepEqual([...now.networks.keys()], ["t14_default"]);
  });
});
