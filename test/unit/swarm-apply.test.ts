/** stack deploy/rm against the fake swarm: rollout order gated on conditions, no-op redeploys, rotation, rollback, rm --wait. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { loadProject } from "../../src/spec/load.js";
import { convertStack } from "../../src/cluster/swarm/convert.js";
import { planStack } from "../../src/cluster/swarm/plan.js";
import { applyStackPlan, observeStack, type StackApplyResult } from "../../src/cluster/swarm/apply.js";
import { removeStack } from "../../src/cluster/swarm/remove.js";
import { FakeEngine } from "../support/fake-engine.js";
import type { FlotillaEvent } from "../../src/events.js";
import { FakeSwarm } from "../support/fake-swarm.js";

const FILE = (o: { image?: string; token?: string; replicas?: number; failureAction?: string } = {}) => `
name: shop
services:
  web:
    image: ${o.image ?? "web:1"}
    secrets: [token]
    depends_on:
      db: {condition: service_healthy}
      migrate: {condition: service_completed_successfully}
    deploy:
      replicas: ${o.replicas ?? 3}
      update_config: {parallelism: 1, failure_action: ${o.failureAction ?? "rollback"}}
  db:
    image: db:1
    healthcheck: {test: [CMD, "true"], interval: 1s}
  migrate:
    image: migrate:1
    depends_on:
      db: {condition: service_healthy}
    deploy:
      mode: replicated-job
secrets:
  token: {environment: TOKEN}
`;

const noSleep = async (): Promise<void> => {};

async function deploy(swarm: FakeSwarm, engine: FakeEngine, file: string, token = "one", extra: { wait?: boolean; prune?: boolean; events?: FlotillaEvent[]; signal?: AbortSignal; timeoutMs?: number } = {}): Promise<StackApplyResult> {
  const p = await loadProject({ cwd: "/tmp", env: { TOKEN: token }, documents: [file] });
  const spec = convertStack({ model: p.model, stack: "st", environment: p.environment, readFile: () => "" });
  const observed = await observeStack("st", swarm, engine);
  const plan = planStack(spec, observed, p.model.services, { prune: extra.prune === true });
  return applyStackPlan(plan, {
    swarm,
    engine,
    wait: extra.wait ?? true,
    sleep: noSleep,
    pollMs: 0,
    ...(extra.timeoutMs !== undefined ? { timeoutMs: extra.timeoutMs } : {}),
    ...(extra.signal ? { signal: extra.signal } : {}),
    onEvent: (e) => extra.events?.push(e),
  });
}

describe("stack apply (fake swarm)", () => {
  test("a fresh deploy creates secrets, networks, then services in order, each after its dependency reached its condition", async () => {
    const swarm = new FakeSwarm({ healthSteps: 3 });
    const engine = new FakeEngine();
    const seen: Record<string, string> = {};
    const create = swarm.createService.bind(swarm);
    swarm.createService = async (spec, o) => {
      // What the dependencies look like when each service is created.
      const tasks = await swarm.listTasks({});
      const svcs = await swarm.listServices({});
      const state = (n: string) => {
        const s = svcs.find((x) => x.spec.Name === `st_${n}`);
        return s ? tasks.filter((t) => t.serviceId === s.id && t.desiredState !== "shutdown").map((t) => t.state).join(",") : "absent";
      };
      seen[spec.Name] = `db=${state("db")} migrate=${state("migrate")}`;
      return create(spec, o);
    };
    const r = await deploy(swarm, engine, FILE());
    assert.deepEqual(r.failures, []);
    assert.deepEqual(swarm.callsOf("createService").map((c) => (c.args[0] as { Name: string }).Name), ["st_db", "st_migrate", "st_web"]);
    assert.equal(seen["st_migrate"], "db=running migrate=absent", "migrate waits until db is healthy (its task left starting)");
    assert.match(seen["st_web"]!, /^db=running migrate=complete/, "web waits for db healthy and migrate completed");
    const first = swarm.calls.findIndex((c) => c.method === "createService");
    assert.ok(swarm.calls.findIndex((c) => c.method === "createSecret") < first && engine.calls.some((c) => c.method === "createNetwork"));
    assert.deepEqual(r.services.map((s) => [s.service, s.action, s.converged]), [["db", "created", true], ["migrate", "created", true], ["web", "created", true]]);
    assert.ok(!JSON.stringify(swarm.calls).includes(Buffer.from("one").toString("base64")), "secret data never in the call log's view");
  });

  test("an unchanged redeploy sends no write at all", async () => {
    const swarm = new FakeSwarm();
    const engine = new FakeEngine();
    await deploy(swarm, engine, FILE());
    const writes = swarm.writes.length;
    const netWrites = engine.calls.filter((c) => /create|remove/.test(c.method)).length;
    const r = await deploy(swarm, engine, FILE());
    assert.equal(swarm.writes.length, writes);
    assert.equal(engine.calls.filter((c) => /create|remove/.test(c.method)).length, netWrites);
    assert.deepEqual(r.services.map((s) => s.action), ["unchanged", "unchanged", "unchanged"]);
  });

  test("a changed secret creates a new version, rolls the service that uses it, and prunes the old version after the rollout", async () => {
    const swarm = new FakeSwarm();
    const engine = new FakeEngine();
    await deploy(swarm, engine, FILE(), "one");
    const [oldName] = swarm.secretNames;
    const r = await deploy(swarm, engine, FILE(), "two");
    assert.deepEqual(r.failures, []);
    assert.deepEqual(r.services.find((s) => s.service === "web")?.action, "updated");
    assert.deepEqual(r.services.find((s) => s.service === "db")?.action, "unchanged");
    assert.equal(swarm.secretNames.length, 1);
    assert.notEqual(swarm.secretNames[0], oldName);
    assert.deepEqual(r.prunedObjects, [oldName]);
    const upd = swarm.callsOf("updateService")[0];
    assert.ok(upd);
    assert.equal(upd.args[1], (await swarm.listServices({})).find((s) => s.spec.Name === "st_web") ? upd.args[1] : -1);
  });

  test("a failing update rolls back; the result says why; the old secret version is kept", async () => {
    const swarm = new FakeSwarm();
    const engine = new FakeEngine();
    await deploy(swarm, engine, FILE(), "one");
    swarm.failImage("web:2");
    const r = await deploy(swarm, engine, FILE({ image: "web:2" }), "two");
    assert.equal(r.failures.length, 1);
    const f = r.failures[0];
    assert.ok(f);
    assert.equal(f.service, "web");
    assert.equal(f.rolledBack, true);
    assert.match(f.error!, /rolled back due to failure.*non-zero exit \(1\)/);
    const web = (await swarm.listServices({})).find((s) => s.spec.Name === "st_web")!;
    assert.equal(web.spec.TaskTemplate.ContainerSpec.Image, "web:1");
    assert.equal(swarm.secretNames.length, 2, "the old version is what runs again: kept");
    assert.match(r.warnings.join("\n"), /kept 1 old secret\/config version/);
  });

  test("a dependency that never becomes healthy: its dependents are not deployed, and the reason says so", async () => {
    const swarm = new FakeSwarm();
    const engine = new FakeEngine();
    swarm.neverHealthy("db:1");
    const r = await deploy(swarm, engine, FILE(), "one", { timeoutMs: 50 });
    assert.deepEqual(swarm.callsOf("createService").map((c) => (c.args[0] as { Name: string }).Name), ["st_db"]);
    assert.match(r.failures.find((x) => x.service === "db")!.error!, /did not converge.*starting \(not healthy yet\)/);
    assert.match(r.failures.find((x) => x.service === "web")!.error!, /dependency db failed/);
  });

  test("detached: only dependencies are waited for; old versions are kept until a rollout is confirmed", async () => {
    const swarm = new FakeSwarm();
    const engine = new FakeEngine();
    await deploy(swarm, engine, FILE(), "one", { wait: false });
    const r = await deploy(swarm, engine, FILE(), "two", { wait: false });
    assert.equal(r.services.find((s) => s.service === "web")?.converged, undefined);
    assert.equal(r.services.find((s) => s.service === "db")?.converged, true, "db is depended on: waited for");
    assert.equal(swarm.secretNames.length, 2);
    assert.match(r.warnings.join("\n"), /until the rollout is confirmed/);
  });

  test("an aborted deploy rejects with ABORTED and creates no service after the abort", async () => {
    const swarm = new FakeSwarm();
    const engine = new FakeEngine();
    const ac = new AbortController();
    const create = swarm.createService.bind(swarm);
    swarm.createService = async (spec, o) => {
      const id = await create(spec, o);
      ac.abort();
      return id;
    };
    await assert.rejects(deploy(swarm, engine, FILE(), "one", { signal: ac.signal }), (e: unknown) => (e as { code?: string }).code === "ABORTED");
    assert.equal(swarm.callsOf("createService").length, 1);
  });

  test("--prune removes orphaned services; without it they are reported and kept", async () => {
    const swarm = new FakeSwarm();
    const engine = new FakeEngine();
    await deploy(swarm, engine, FILE());
    const smaller = FILE()
      .replace("      migrate: {condition: service_completed_successfully}\n", "")
      .replace(/  migrate:\n(    .*\n|      .*\n)+/, "");
    assert.ok(!smaller.includes("migrate"), smaller);
    const events: FlotillaEvent[] = [];
    await deploy(swarm, engine, smaller, "one", { events });
    assert.ok(events.some((e) => e.type === "warning" && /st_migrate is no longer in the file/.test(e.message)));
    assert.equal((await swarm.listServices({})).length, 3);
    await deploy(swarm, engine, smaller, "one", { prune: true });
    assert.deepEqual((await swarm.listServices({})).map((s) => s.spec.Name).sort(), ["st_db", "st_web"]);
  });

  test("rm --wait returns when services, tasks, secrets and networks are gone; a redeploy right after works", async () => {
    const swarm = new FakeSwarm();
    const engine = new FakeEngine();
    await deploy(swarm, engine, FILE());
    const r = await removeStack("st", { swarm, engine, wait: true, sleep: noSleep, pollMs: 0 });
    assert.deepEqual(r.services.sort(), ["st_db", "st_migrate", "st_web"]);
    assert.equal(r.left.length, 0);
    const left = await swarm.listTasks({});
    assert.ok(left.every((t) => t.state === "complete" || t.state === "shutdown"), "no task is alive");
    assert.equal(left.filter((t) => t.state === "complete").length, 1, "the job's finished task stays, as in Swarm");
    assert.deepEqual(swarm.secretNames, []);
    assert.deepEqual(await engine.listNetworks({ labels: { "com.docker.stack.namespace": "st" } }), []);
    const again = await deploy(swarm, engine, FILE());
    assert.deepEqual(again.failures, []);
  });

  test("not a swarm manager: the first call fails, nothing is created", async () => {
    const swarm = new FakeSwarm({ state: "inactive" });
    const engine = new FakeEngine();
    await assert.rejects(deploy(swarm, engine, FILE()), /not a swarm manager/);
    assert.equal(swarm.writes.length, 0);
  });
});
