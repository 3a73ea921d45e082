import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { planUp, renderPlan, planIsNoop, type Plan } from "../../src/runtime/plan.js";
import { emptyObservedState, groupByService, CONFIG_LABEL, type ObservedContainer, type ObservedState } from "../../src/runtime/observe.js";
import { configLabelValue, parseConfigLabel } from "../../src/runtime/config-label.js";
import { resourceConfigHash, serviceConfigHash } from "../../src/spec/hash.js";
import type { LoadedProject, ServiceConfig } from "../../src/spec/model.js";
import type { ContainerState, NetworkSummary, VolumeSummary } from "../../src/runtime/engine.js";
import { ConfigError, FlotillaError } from "../../src/errors.js";

function project(services: Record<string, ServiceConfig>, extra: Partial<LoadedProject["model"]> = {}, disabled: Record<string, ServiceConfig> = {}): LoadedProject {
  return {
    model: {
      name: "demo",
      services,
      networks: { default: { name: "demo_default" } },
      volumes: {},
      secrets: {},
      configs: {},
      ...extra,
    },
    workingDir: "/tmp/demo",
    configFiles: ["/tmp/demo/compose.yaml"],
    envFiles: [],
    environment: {},
    profiles: [],
    disabledServices: disabled,
    warnings: [],
  };
}

const web: ServiceConfig = { image: "flotilla-busybox:latest", environment: { GREETING: "hello" }, networks: { default: null } };
const db: ServiceConfig = { image: "flotilla-busybox:latest", networks: { default: null } };

let seq = 0;
function container(service: string, number: number, svc: ServiceConfig | undefined, state: ContainerState = "running", over: Partial<ObservedContainer> = {}): ObservedContainer {
  const id = (++seq).toString(16).padStart(12, "0") + "ffffffffffffffffffffffffffffffffffffffffffffffffffff";
  const labels: Record<string, string> = {};
  if (svc) labels[CONFIG_LABEL] = configLabelValue(svc);
  const c: ObservedContainer = {
    id,
    name: `demo-${service}-${number}`,
    service,
    number,
    oneoff: false,
    imageId: "sha256:img",
    image: "flotilla-busybox:latest",
    state,
    health: "none",
    labels,
    replacing: false,
    summary: {} as ObservedContainer["summary"],
    ...over,
  };
  if (svc && over.configHash === undefined) c.configHash = serviceConfigHash(svc);
  if (svc) c.stored = parseConfigLabel(labels[CONFIG_LABEL])!;
  return c;
}

function observed(containers: ObservedContainer[], networks: string[] = ["demo_default"], volumes: string[] = []): ObservedState {
  const s = emptyObservedState("demo");
  s.containers = containers;
  s.byService = groupByService(containers);
  const labels = { "com.docker.compose.project": "demo" };
  for (const n of networks) s.networks[n] = { name: n, labels } as unknown as NetworkSummary;
  for (const v of volumes) s.volumes[v] = { name: v, labels } as unknown as VolumeSummary;
  return s;
}

const kinds = (plan: Plan, s: string): string[] => (plan.services[s] ?? []).map((a) => `${a.kind}:${a.number}`);

describe("planUp: existing networks and volumes", () => {
  test("used as they are; a changed definition or one not made by Compose is said, with what to do", () => {
    const vols = { data: { name: "demo_data" }, old: { name: "demo_old" } };
    const nets = { default: { name: "demo_default" }, back: { name: "demo_back", internal: true } };
    const p = project({ web: { ...web, networks: { default: null, back: null }, volumes: [{ type: "volume", source: "data", target: "/d" }, { type: "volume", source: "old", target: "/o" }] } }, { networks: nets, volumes: vols });
    const s = emptyObservedState("demo");
    const own = (config: object) => ({ "com.docker.compose.project": "demo", "com.docker.compose.config-hash": resourceConfigHash(config) });
    s.networks["demo_default"] = { name: "demo_default", labels: own(nets.default) } as unknown as NetworkSummary;
    s.networks["demo_back"] = { name: "demo_back", labels: own({ name: "demo_back" }) } as unknown as NetworkSummary; // created before internal: true
    s.volumes["demo_data"] = { name: "demo_data", labels: {} } as unknown as VolumeSummary; // made by hand
    s.volumes["demo_old"] = { name: "demo_old", labels: { "com.docker.compose.project": "demo" } } as unknown as VolumeSummary; // no hash label: older Flotilla or Compose
    const plan = planUp(p, s);
    assert.deepEqual(plan.volumes.map((v) => [v.kind, v.target, v.reason]), [
      ["noop", "demo_data", "exists (not created by Compose)"],
      ["noop", "demo_old", "exists"],
    ]);
    assert.equal(plan.warnings.length, 1);
    assert.match(plan.warnings[0]!, /volume "demo_data" exists but was not created by Compose: .*"external: true" on volumes\.data/);
    // the changed network is recreated (as Compose), and the container on it with it
    assert.deepEqual(plan.networks.map((n) => [n.kind, n.target, n.reason]), [
      ["recreate", "demo_back", "definition changed since it was created"],
      ["noop", "demo_default", "exists"],
    ]);
    const c = container("web", 1, p.model.services["web"], "running", { summary: { networks: ["demo_default", "demo_back"] } as ObservedContainer["summary"] });
    s.containers = [c];
    s.byService = groupByService([c]);
    assert.deepEqual(planUp(p, s).services["web"]!.map((a) => [a.kind, a.reason]), [["recreate", "network demo_back recreated (its definition changed)"]]);
    // --no-recreate, or a service on it left out of this up: kept as it is, and said
    for (const kept of [planUp(p, s, { noRecreate: true }), planUp(project({ ...p.model.services, other: { ...web, networks: { back: null } } }, { networks: nets, volumes: vols }), s, { services: ["web"] })]) {
      assert.deepEqual(kept.networks.find((n) => n.target === "demo_back")?.kind, "noop");
      assert.ok(kept.warnings.some((w) => /network "demo_back" has changed in the file since it was created/.test(w)), kept.warnings.join("\n"));
    }
  });
});

describe("planUp: volumes a container must mount", () => {
  test("a container that does not mount a named volume of its service is recreated (volume renamed); unknown mounts change nothing", () => {
    const withVol: ServiceConfig = { ...web, volumes: [{ type: "volume", source: "data", target: "/data" }] };
    const p = project({ web: withVol }, { volumes: { data: { name: "demo_data_v2" } } });
    const mounts = (names: string[]) => ({ summary: { networks: ["demo_default"], mounts: names.map((name) => ({ name, driver: "local" })) } as unknown as ObservedContainer["summary"] });
    const stale = planUp(p, observed([container("web", 1, withVol, "running", mounts(["demo_data"]))], ["demo_default"], ["demo_data_v2"]));
    assert.deepEqual(stale.services["web"]!.map((a) => [a.kind, a.reason]), [["recreate", "volume demo_data_v2 not mounted"]]);
    const fine = planUp(p, observed([container("web", 1, withVol, "running", mounts(["demo_data_v2"]))], ["demo_default"], ["demo_data_v2"]));
    assert.deepEqual(fine.services["web"]!.map((a) => a.kind), ["noop"]);
    const unknown = planUp(p, observed([container("web", 1, withVol)], ["demo_default"], ["demo_data_v2"]));
    assert.deepEqual(unknown.services["web"]!.map((a) => a.kind), ["noop"], "no mount list from the engine: no guess");
  });
});

describe("planUp", () => {
  test("creates everything on an empty engine", () => {
    const p = project({ web, db });
    const plan = planUp(p, emptyObservedState("demo"));
    assert.deepEqual(plan.targets, ["db", "web"]);
    assert.deepEqual(plan.networks.map((a) => [a.kind, a.target]), [["create", "demo_default"]]);
    assert.deepEqual(kinds(plan, "web"), ["create:1"]);
    assert.equal(plan.services.web![0]!.target, "demo-web-1");
    assert.equal(plan.hashes.web, serviceConfigHash(web));
    assert.equal(planIsNoop(plan), false);
  });

  test("no-op when hashes match and containers run", () => {
    const p = project({ web, db });
    const plan = planUp(p, observed([container("web", 1, web), container("db", 1, db)]));
    assert.deepEqual(kinds(plan, "web"), ["noop:1"]);
    assert.deepEqual(kinds(plan, "db"), ["noop:1"]);
    assert.deepEqual(plan.networks.map((a) => a.kind), ["noop"]);
    assert.equal(planIsNoop(plan), true);
  });

  test("recreates with the changed paths as the reason, only for the changed service", () => {
    const changed = { ...web, environment: { GREETING: "bonjour" } };
    const p = project({ web: changed, db });
    const plan = planUp(p, observed([container("web", 1, web), container("db", 1, db)]));
    assert.deepEqual(kinds(plan, "web"), ["recreate:1"]);
    assert.equal(plan.services.web![0]!.reason, "config changed: environment.GREETING");
    assert.deepEqual(kinds(plan, "db"), ["noop:1"]);
  });

  test("says 'config hash changed' when the old config is unknown", () => {
    const p = project({ web });
    const c = container("web", 1, undefined, "running", { configHash: "0123" });
    const plan = planUp(p, observed([c]));
    assert.equal(plan.services.web![0]!.kind, "recreate");
    assert.equal(plan.services.web![0]!.reason, "config hash changed");
  });

  test("image changed triggers a recreate", () => {
    const p = project({ web });
    const plan = planUp(p, observed([container("web", 1, web)]), { imageIds: { web: "sha256:new" } });
    assert.equal(plan.services.web![0]!.kind, "recreate");
    assert.equal(plan.services.web![0]!.reason, "image changed");
    const same = planUp(p, observed([container("web", 1, web)]), { imageIds: { web: "sha256:img" } });
    assert.equal(same.services.web![0]!.kind, "noop");
  });

  test("stopped containers of an up-to-date service are started", () => {
    const p = project({ web });
    const plan = planUp(p, observed([container("web", 1, web, "exited")]));
    assert.deepEqual(kinds(plan, "web"), ["start:1"]);
    assert.match(plan.services.web![0]!.reason, /not running/);
  });

  test("scale up adds max+1 numbers, scale down removes the highest first", () => {
    const p = project({ web });
    const up = planUp(p, observed([container("web", 1, web)]), { scale: { web: 3 } });
    assert.deepEqual(kinds(up, "web"), ["noop:1", "create:2", "create:3"]);
    assert.equal(up.services.web![2]!.target, "demo-web-3");

    const three = [container("web", 1, web), container("web", 2, web), container("web", 3, web)];
    const down = planUp(p, observed(three));
    assert.deepEqual(kinds(down, "web"), ["remove:3", "remove:2", "noop:1"]);
    // out-of-date containers are removed first: #1 runs an old config, so #2 is kept rather than #1 recreated
    const old = { ...web, environment: { GREETING: "old" } };
    const mixed = planUp(p, observed([container("web", 1, old), container("web", 2, web), container("web", 3, web)]), { scale: { web: 2 } });
    assert.deepEqual(kinds(mixed, "web"), ["remove:1", "noop:2", "noop:3"]);

    const gap = planUp(project({ web: { ...web, scale: 3 } }), observed([container("web", 1, web), container("web", 4, web)]));
    // scale: is excluded from the hash, so the existing ones are up to date; the new one is 5.
    assert.deepEqual(kinds(gap, "web"), ["noop:1", "noop:4", "create:5"]);
  });

  test("deploy.replicas is honoured and --scale wins over it", () => {
    const p = project({ web: { ...web, deploy: { replicas: 2 } } });
    assert.deepEqual(kinds(planUp(p, emptyObservedState("demo")), "web"), ["create:1", "create:2"]);
    assert.deepEqual(kinds(planUp(p, emptyObservedState("demo"), { scale: { web: 0 } }), "web"), []);
  });

  test("orphans are warned about, or removed with removeOrphans; disabled services are not orphans", () => {
    const p = project({ web }, {}, { tools: db });
    const obs = observed([container("web", 1, web), container("old", 1, db), container("tools", 1, db)]);
    const plan = planUp(p, obs);
    assert.deepEqual(plan.orphans.map((o) => [o.kind, o.target, o.reason]), [["noop", "demo-old-1", "orphan (service gone from the file)"]]);
    assert.equal(plan.warnings.length, 1);
    assert.match(plan.warnings[0]!, /Found orphan containers \(\[demo-old-1\]\).*--remove-orphans/);
    const removing = planUp(p, obs, { removeOrphans: true });
    assert.deepEqual(removing.orphans.map((o) => o.kind), ["remove"]);
    assert.equal(removing.warnings.length, 0);
    const ignoring = planUp(p, obs, { ignoreOrphans: true });
    assert.deepEqual(ignoring.orphans.map((o) => o.kind), ["noop"], "kept");
    assert.equal(ignoring.warnings.length, 0, "COMPOSE_IGNORE_ORPHANS: no warning");
  });

  test("noRecreate never recreates; forceRecreate always does", () => {
    const changed = { ...web, environment: { GREETING: "x" } };
    const p = project({ web: changed, db });
    const obs = observed([container("web", 1, web), container("db", 1, db)]);
    assert.deepEqual(kinds(planUp(p, obs, { noRecreate: true }), "web"), ["noop:1"]);
    const forced = planUp(project({ web, db }), observed([container("web", 1, web), container("db", 1, db)]), { forceRecreate: true });
    assert.deepEqual(kinds(forced, "web"), ["recreate:1"]);
    assert.equal(forced.services.web![0]!.reason, "forced");
    assert.deepEqual(kinds(forced, "db"), ["recreate:1"]);
  });

  test("named services pull in their dependencies unless noDeps; unknown names fail", () => {
    const api: ServiceConfig = { ...web, depends_on: { db: { condition: "service_healthy", required: true } } };
    const p = project({ api, db, web });
    assert.deepEqual(planUp(p, emptyObservedState("demo"), { services: ["api"] }).targets, ["api", "db"]);
    assert.deepEqual(planUp(p, emptyObservedState("demo"), { services: ["api"], noDeps: true }).targets, ["api"]);
    assert.throws(() => planUp(p, emptyObservedState("demo"), { services: ["nope"] }), (e: unknown) => e instanceof FlotillaError && e.code === "NO_SUCH_SERVICE");
    // forceRecreate applies to named services only; deps follow alwaysRecreateDeps.
    const obs = observed([container("api", 1, api), container("db", 1, db)]);
    const forced = planUp(p, obs, { services: ["api"], forceRecreate: true });
    assert.deepEqual([kinds(forced, "api"), kinds(forced, "db")], [["recreate:1"], ["noop:1"]]);
    const always = planUp(p, obs, { services: ["api"], alwaysRecreateDeps: true });
    assert.deepEqual([kinds(always, "api"), kinds(always, "db")], [["noop:1"], ["recreate:1"]]);
  });

  test("missing external network or volume is a config error before anything is planned", () => {
    const p = project(
      { web: { ...web, networks: { front: null }, volumes: [{ type: "volume", source: "data", target: "/data" }] } },
      { networks: { front: { name: "shared-front", external: true } }, volumes: { data: { name: "shared-data", external: true } } },
    );
    assert.throws(
      () => planUp(p, observed([], [])),
      (e: unknown) => e instanceof ConfigError && e.issues.length === 2 && /external network "shared-front" not found/.test(e.message) && /external volume "shared-data" not found/.test(e.message),
    );
    const ok = planUp(p, observed([], ["shared-front"], ["shared-data"]));
    assert.deepEqual(ok.networks, []); // external ones are never created
    assert.deepEqual(ok.volumes, []);
  });

  test("named volumes are created when missing", () => {
    const p = project({ web: { ...web, volumes: [{ type: "volume", source: "data", target: "/data" }, { type: "volume", target: "/anon" }] } }, { volumes: { data: { name: "demo_data" } } });
    const plan = planUp(p, observed([]));
    assert.deepEqual(plan.volumes.map((a) => [a.kind, a.target]), [["create", "demo_data"]]);
  });

  test("a temp-named leftover of an interrupted recreate is removed beside its original", () => {
    const p = project({ web });
    const orig = container("web", 1, web);
    const temp = container("web", 1, web, "created", { name: `${orig.id.slice(0, 12)}_demo-web-1`, replacing: true });
    const plan = planUp(p, observed([orig, temp]));
    assert.deepEqual(kinds(plan, "web"), ["remove:1", "noop:1"]);
    assert.equal(plan.services.web![0]!.containerId, temp.id);
  });

  test("namespace children follow a recreated parent", () => {
    const side: ServiceConfig = { image: "flotilla-busybox:latest", network_mode: "service:web", depends_on: { web: { condition: "service_started", required: true, restart: true } } };
    const changed = { ...web, environment: { GREETING: "x" } };
    const plan = planUp(project({ web: changed, side }), observed([container("web", 1, web), container("side", 1, side)]));
    assert.deepEqual(kinds(plan, "side"), ["recreate:1"]);
    assert.match(plan.services.side![0]!.reason, /recreated "web"/);
  });

  test("renderPlan gives one line per action with its reason", () => {
    const changed = { ...web, environment: { GREETING: "bonjour" } };
    const p = project({ web: changed, db });
    const plan = planUp(p, observed([container("web", 1, web), container("old", 1, db)], []), { scale: { db: 2 } });
    assert.deepEqual(renderPlan(plan), [
      "Network demo_default: Create (missing)",
      "Container demo-db-1: Create (missing)",
      "Container demo-db-2: Create (missing)",
      "Container demo-web-1: Recreate (config changed: environment.GREETING)",
      "Container demo-old-1: Keep (orphan (service gone from the file))",
      `Warning: ${plan.warnings[0]}`,
    ]);
  });

  test("a running container missing an expected network, or whose network is gone, is recreated", () => {
    const p = project({ web });
    const attached = container("web", 1, web, "running", { summary: { networks: ["demo_default"] } as ObservedContainer["summary"] });
    assert.deepEqual(kinds(planUp(p, observed([attached])), "web"), ["noop:1"]);
    const detached = container("web", 1, web, "running", { summary: { networks: ["bridge"] } as ObservedContainer["summary"] });
    const plan = planUp(p, observed([detached]));
    assert.deepEqual(plan.services.web!.map((a) => [a.kind, a.reason]), [["recreate", "network demo_default missing"]]);
    // A stopped container still lists its (now removed) network: recreated because the network itself is gone.
    const stopped = container("web", 1, web, "exited", { summary: { networks: ["demo_default"] } as ObservedContainer["summary"] });
    assert.deepEqual(kinds(planUp(p, observed([stopped])), "web"), ["start:1"]);
    const gone = planUp(p, observed([stopped], []));
    assert.deepEqual(gone.networks.map((n) => n.kind), ["create"]);
    assert.deepEqual(gone.services.web!.map((a) => [a.kind, a.reason]), [["recreate", "network demo_default missing"]]);
    // network_mode services expect no network
    const host: ServiceConfig = { image: "flotilla-busybox:latest", network_mode: "host" };
    assert.deepEqual(kinds(planUp(project({ host }), observed([container("host", 1, host, "running", { summary: { networks: ["host"] } as ObservedContainer["summary"] })], [])), "host"), ["noop:1"]);
  });

  test("the image is compared through the com.docker.compose.image label when the container has one", () => {
    const p = project({ web });
    const labelled = container("web", 1, web, "running", { imageId: "sha256:new", imageLabel: "sha256:old" });
    assert.equal(planUp(p, observed([labelled]), { imageIds: { web: "sha256:new" } }).services.web![0]!.reason, "image changed");
    const current = container("web", 1, web, "running", { imageId: "sha256:whatever", imageLabel: "sha256:new" });
    assert.equal(planUp(p, observed([current]), { imageIds: { web: "sha256:new" } }).services.web![0]!.kind, "noop");
  });

  test("depends_on restart: true restarts running dependents of a recreated or started dependency", () => {
    const api: ServiceConfig = { image: "flotilla-busybox:latest", networks: { default: null }, depends_on: { db: { condition: "service_started", required: true, restart: true } } };
    const plain: ServiceConfig = { image: "flotilla-busybox:latest", networks: { default: null }, depends_on: { db: { condition: "service_started", required: true } } };
    const db2: ServiceConfig = { ...db, environment: { V: "2" } };
    const state = observed([container("db", 1, db), container("api", 1, api), container("plain", 1, plain), container("api", 2, api, "exited")]);
    const plan = planUp(project({ db: db2, api, plain }), state, { scale: { api: 2 } });
    assert.deepEqual(kinds(plan, "db"), ["recreate:1"]);
    assert.deepEqual(kinds(plan, "api"), ["restart:1", "start:2"]);
    assert.deepEqual(plan.services.api![0]!.restartAfter, ["db"]);
    assert.equal(plan.services.api![0]!.reason, 'dependency "db" recreated (depends_on restart: true)');
    assert.deepEqual(kinds(plan, "plain"), ["noop:1"]);
    assert.ok(renderPlan(plan).includes('Container demo-api-1: Restart (dependency "db" recreated (depends_on restart: true))'));
    assert.equal(planIsNoop(plan), false);
    // a stopped dependency that up starts also restarts them
    const started = planUp(project({ db, api }), observed([container("db", 1, db, "exited"), container("api", 1, api)]));
    assert.deepEqual(kinds(started, "api"), ["restart:1"]);
    assert.match(started.services.api![0]!.reason, /"db" started/);
    // nothing changes: nothing restarts; --no-start: nothing restarts
    assert.deepEqual(kinds(planUp(project({ db, api }), observed([container("db", 1, db), container("api", 1, api)])), "api"), ["noop:1"]);
    assert.deepEqual(kinds(planUp(project({ db: db2, api }), observed([container("db", 1, db), container("api", 1, api)]), { noStart: true }), "api"), ["noop:1"]);
  });
});
