import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { loadProject } from "../../src/spec/load.js";
import { convertStack, type SwarmStackSpec } from "../../src/cluster/swarm/convert.js";
import { planStack, type ObservedStack, type SwarmAction } from "../../src/cluster/swarm/plan.js";
import { renderPlan } from "../../src/cluster/swarm/render.js";
import type { ServiceConfig } from "../../src/spec/model.js";
import type { ServiceSummary, SwarmObjectSummary } from "../../src/runtime/engine-swarm.js";
import type { NetworkSummary } from "../../src/runtime/engine.js";

const FILE = (image: string, replicas: number) => `
name: shop
services:
  web:
    image: ${image}
    environment: {MODE: prod}
    secrets: [token]
    depends_on:
      db: {condition: service_healthy}
    deploy:
      replicas: ${replicas}
      update_config: {parallelism: 1}
  db:
    image: db:1
    healthcheck: {test: [CMD, "true"]}
  cache:
    image: cache:1
    depends_on: [db]
secrets:
  token: {environment: TOKEN}
`;

async function desired(image = "web:1", replicas = 6, token = "one"): Promise<{ spec: SwarmStackSpec; services: Record<string, ServiceConfig> }> {
  const p = await loadProject({ cwd: "/tmp", env: { TOKEN: token }, documents: [FILE(image, replicas)] });
  return { spec: convertStack({ model: p.model, stack: "st", environment: p.environment, readFile: () => "" }), services: p.model.services };
}

/** What the swarm would report after deploying `spec` (services with ids, versions, the spec as sent). */
function deployed(spec: SwarmStackSpec): ObservedStack {
  return {
    services: spec.services.map<ServiceSummary>((s, i) => ({ id: `svc${i}`, version: 10 + i, spec: s.spec, createdAt: "", updatedAt: "" })),
    secrets: spec.secrets.map<SwarmObjectSummary>((o, i) => ({ id: `sec${i}`, name: o.spec.Name, labels: o.spec.Labels ?? {}, createdAt: "" })),
    configs: [],
    networks: spec.networks.map<NetworkSummary>((n, i) => ({
      id: `net${i}`,
      name: n.Name,
      driver: "overlay",
      labels: n.Labels ?? {},
      internal: false,
      attachable: false,
      enableIPv6: false,
      ipam: { driver: "default", config: [], options: {} },
      options: {},
      containers: {},
    })),
  };
}
const empty: ObservedStack = { services: [], secrets: [], configs: [], networks: [] };
const kinds = (as: SwarmAction[]) => as.map((a) => `${a.kind} ${"name" in a ? a.name : ""}`);

describe("planStack", () => {
  test("first deploy: secrets, networks, then services in depends_on order, each with what it waits for", async () => {
    const d = await desired();
    const plan = planStack(d.spec, empty, d.services);
    assert.deepEqual(kinds(plan.actions), [
      `create-object ${d.spec.secrets[0]!.spec.Name}`,
      "create-network st_default",
      "create-service st_db",
      "create-service st_web",
      "create-service st_cache",
    ]);
    const web = plan.actions.find((a) => a.kind === "create-service" && a.service === "web")!;
    assert.ok(web.kind === "create-service");
    assert.deepEqual(web.waitFor.map((e) => `${e.service}:${e.condition}`), ["db:service_healthy"]);
  });

  test("redeploying the same file changes nothing", async () => {
    const d = await desired();
    const plan = planStack(d.spec, deployed(d.spec), d.services);
    assert.deepEqual(
      plan.actions.map((a) => a.kind),
      ["keep-object", "keep-network", "unchanged-service", "unchanged-service", "unchanged-service"],
    );
    assert.match(renderPlan(plan).join("\n"), /st_web\s+unchanged/);
  });

  test("an image change is a rolling update with the reason, tasks and parallelism; others unchanged", async () => {
    const before = await desired("web:1");
    const after = await desired("web:2");
    const plan = planStack(after.spec, deployed(before.spec), after.services);
    const upd = plan.actions.filter((a) => a.kind === "update-service");
    assert.equal(upd.length, 1);
    const u = upd[0];
    assert.ok(u?.kind === "update-service");
    assert.equal(u.service, "web");
    assert.equal(u.id, "svc0");
    assert.equal(u.version, 10);
    assert.equal(u.rolling, true);
    assert.deepEqual(u.reasons, ["image web:1→web:2: rolling update of 6 tasks, parallelism 1, stop-first"]);
  });

  test("a scale change updates without task restarts", async () => {
    const plan = planStack((await desired("web:1", 3)).spec, deployed((await desired("web:1", 6)).spec), (await desired()).services);
    const u = plan.actions.find((a) => a.kind === "update-service")!;
    assert.ok(u.kind === "update-service");
    assert.equal(u.rolling, false);
    assert.deepEqual(u.reasons, ["replicas 6→3 (no task restarts)"]);
  });

  test("a secret's new content: new version created, the service rolls, the old version pruned after the rollout", async () => {
    const before = await desired("web:1", 6, "one");
    const after = await desired("web:1", 6, "two");
    const plan = planStack(after.spec, deployed(before.spec), after.services);
    const oldName = before.spec.secrets[0]!.spec.Name;
    const newName = after.spec.secrets[0]!.spec.Name;
    assert.notEqual(oldName, newName);
    const ks = kinds(plan.actions);
    assert.equal(ks[0], `create-object ${newName}`);
    assert.equal(ks[ks.length - 1], `prune-object ${oldName}`);
    const u = plan.actions.find((a) => a.kind === "update-service")!;
    assert.ok(u.kind === "update-service");
    assert.match(u.reasons[0]!, new RegExp(`^secrets -${oldName} \\+${newName}: rolling update of 6 tasks`));
    const text = renderPlan(plan, { dryRun: true }).join("\n");
    assert.ok(!text.includes("one") && !text.includes("two"), "no secret value in the plan's text");
    assert.match(text, /old version of secret token, removed after the rollout/);
  });

  test("environment changes name the variables, never their values", async () => {
    const d = await desired();
    const obs = deployed(d.spec);
    const web = obs.services[0]!;
    const spec = structuredClone(web.spec);
    spec.TaskTemplate.ContainerSpec.Env = ["MODE=dev", "OLD=x"];
    spec.Labels = { ...spec.Labels, "io.flotilla.spec-hash": "stale" };
    const plan = planStack(d.spec, { ...obs, services: [{ ...web, spec }, ...obs.services.slice(1)] }, d.services);
    const u = plan.actions.find((a) => a.kind === "update-service")!;
    assert.ok(u.kind === "update-service");
    assert.match(u.reasons[0]!, /^environment -OLD ~MODE: rolling update/);
    assert.ok(!u.reasons.join(" ").includes("prod"));
  });

  test("orphans are reported, removed only with prune; other stacks are not touched", async () => {
    const d = await desired();
    const obs = deployed(d.spec);
    const orphan: ServiceSummary = { ...obs.services[0]!, id: "old", spec: { ...obs.services[0]!.spec, Name: "st_legacy" } };
    const foreign: ServiceSummary = {
      ...obs.services[0]!,
      id: "other",
      spec: { ...obs.services[0]!.spec, Name: "other_web", Labels: { "com.docker.stack.namespace": "other" } },
    };
    const withOrphan = { ...obs, services: [...obs.services, orphan, foreign] };
    const kept = planStack(d.spec, withOrphan, d.services).actions.filter((a) => a.kind === "orphan-service");
    assert.deepEqual(kept.map((a) => a.kind === "orphan-service" && [a.name, a.remove]), [["st_legacy", false]]);
    const pruned = planStack(d.spec, withOrphan, d.services, { prune: true }).actions.filter((a) => a.kind === "orphan-service");
    assert.deepEqual(pruned.map((a) => a.kind === "orphan-service" && [a.name, a.remove]), [["st_legacy", true]]);
    assert.match(renderPlan(planStack(d.spec, withOrphan, d.services)).join("\n"), /st_legacy\s+orphan\s+no longer in the file; kept \(pass --prune/);
  });

  test("a service deployed by docker stack (no spec-hash label) is updated with the differences found", async () => {
    const d = await desired();
    const obs = deployed(d.spec);
    const web = obs.services[0]!;
    const labels = { ...web.spec.Labels };
    delete labels["io.flotilla.spec-hash"];
    const plan = planStack(d.spec, { ...obs, services: [{ ...web, spec: { ...web.spec, Labels: labels } }, ...obs.services.slice(1)] }, d.services);
    const u = plan.actions.find((a) => a.kind === "update-service")!;
    assert.ok(u.kind === "update-service");
    assert.match(u.reasons[0]!, /no spec-hash label/);
  });

  test("an inspected spec (ids, engine defaults, empty values) differs from the sent one only where the file changed", async () => {
    const before = await desired("web:1");
    const after = await desired("web:2");
    const obs = deployed(before.spec);
    const netId = "875arg8nk80d2fa0it5g2q7xh";
    obs.networks[0]!.id = netId;
    const web = obs.services[0]!;
    const spec = structuredClone(web.spec) as ServiceSummary["spec"] & Record<string, unknown>;
    // what the engine hands back (measured on Engine 20.10): ids, defaults, empty objects
    const cs = spec.TaskTemplate.ContainerSpec as typeof spec.TaskTemplate.ContainerSpec & Record<string, unknown>;
    for (const r of cs.Secrets ?? []) r.SecretID = "eb6y9mskyan8qf5fewlojnr9t";
    cs["Isolation"] = "default";
    cs.Privileges = { CredentialSpec: null, SELinuxContext: null };
    spec.TaskTemplate.Networks = spec.TaskTemplate.Networks!.map((n) => ({ ...n, Target: netId }));
    spec.TaskTemplate.Resources = {};
    spec.TaskTemplate.Placement = {};
    (spec.TaskTemplate as unknown as Record<string, unknown>)["ForceUpdate"] = 0;
    (spec.TaskTemplate as unknown as Record<string, unknown>)["Runtime"] = "container";
    spec.UpdateConfig = { ...spec.UpdateConfig, FailureAction: "pause", MaxFailureRatio: 0 };
    spec.EndpointSpec = { Mode: "vip" };
    const plan = planStack(after.spec, { ...obs, services: [{ ...web, spec }, ...obs.services.slice(1)] }, after.services);
    const u = plan.actions.find((a) => a.kind === "update-service")!;
    assert.ok(u.kind === "update-service");
    assert.deepEqual(u.reasons, ["image web:1→web:2: rolling update of 6 tasks, parallelism 1, stop-first"]);
  });

  test("a network whose definition changed is kept and reported (Swarm cannot update networks)", async () => {
    const d = await desired();
    const obs = deployed(d.spec);
    const net = { ...obs.networks[0]!, labels: { ...obs.networks[0]!.labels, "io.flotilla.spec-hash": "old" } };
    const plan = planStack(d.spec, { ...obs, networks: [net] }, d.services);
    const keep = plan.actions.find((a) => a.kind === "keep-network")!;
    assert.ok(keep.kind === "keep-network" && keep.changed !== undefined);
    assert.match(renderPlan(plan).join("\n"), /st_default\s+kept\s+its definition in the file changed/);
    const same = planStack(d.spec, obs, d.services).actions.find((a) => a.kind === "keep-network")!;
    assert.ok(same.kind === "keep-network" && same.changed === undefined);
  });

  test("render: summary line and one line per change, with the rollout order note", async () => {
    const d = await desired();
    const lines = renderPlan(planStack(d.spec, empty, d.services), { dryRun: true });
    assert.match(lines[0]!, /^dry run: stack st: services 3 to create; 1 network, 1 secret\/config version to create$/);
    assert.match(lines.find((l) => l.includes("st_web"))!, /create\s+not deployed yet; after db \(healthy\)/);
    assert.match(lines[lines.length - 1]!, /does not keep that order when it reschedules/);
  });
});
