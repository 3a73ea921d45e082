import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadProject } from "../../src/spec/load.js";
import { assertSwarmReady, checkForSwarm } from "../../src/cluster/swarm/check.js";
import { ConfigError, formatIssue } from "../../src/errors.js";

const root = resolve(fileURLToPath(new URL(".", import.meta.url)), "../../..");
const dir = join(root, "fixtures", "swarm-check");
const load = (profiles: string[] = []) => loadProject({ cwd: dir, env: {}, profiles });

describe("checkForSwarm", () => {
  test("refuses what Swarm cannot run, at file:line:col, all at once", async () => {
    const project = await load();
    const { refusals } = checkForSwarm(project);
    const lines = refusals.map(formatIssue);
    const file = join(dir, "compose.yaml");
    assert.deepEqual(
      refusals.map((r) => `${r.location?.line}:${r.location?.col} ${r.path}`),
      ["5:5 services.web.privileged", "20:5 services.db.devices", "27:11 services.db.deploy.resources.reservations.devices"],
      lines.join("\n"),
    );
    assert.ok(refusals.every((r) => r.location?.file === file));
    assert.match(lines[0]!, /compose\.yaml:5:5: services\.web\.privileged: refused for stack deploy: Swarm services cannot run privileged containers/);
    assert.match(lines[0]!, /--ignore privileged/);
    assert.throws(() => assertSwarmReady(checkForSwarm(project)), (e: unknown) => e instanceof ConfigError && e.issues.length === 3);
  });

  test("warns about keys carried over approximately, once per key (not for its sub-keys)", async () => {
    const project = await load();
    const { warnings } = checkForSwarm(project);
    const paths = warnings.map((w) => w.path);
    assert.ok(paths.includes("services.web.mem_limit"));
    assert.ok(paths.includes("services.web.network_mode"), "network_mode: host is a warning, not a refusal");
    assert.ok(paths.includes("services.web.develop"));
    assert.ok(!paths.some((p) => p!.startsWith("services.web.develop.")), paths.join(", "));
    assert.ok(paths.includes("services.web.volumes[0]"), "bind mount");
    assert.ok(paths.includes("services.db.volumes[0]"), "node-local named volume");
    assert.ok(!paths.includes("services.web.depends_on"), "depends_on is mapped (rollout order)");
    const mem = warnings.find((w) => w.path === "services.web.mem_limit")!;
    assert.equal(mem.location?.line, 6);
  });

  test("--ignore turns a refusal into a warning; by key, short key or one service's key", async () => {
    const project = await load();
    const r1 = checkForSwarm(project, { ignore: ["privileged", "services.devices", "db.deploy.resources.reservations.devices"] });
    assert.deepEqual(r1.refusals, []);
    const ignored = r1.warnings.filter((w) => w.message.includes("--ignore"));
    assert.deepEqual(ignored.map((w) => w.path).sort(), ["services.db.deploy.resources.reservations.devices", "services.db.devices", "services.web.privileged"]);
    assert.doesNotThrow(() => assertSwarmReady(r1));
    const r2 = checkForSwarm(project, { ignore: ["db.privileged"] });
    assert.ok(r2.refusals.some((r) => r.path === "services.web.privileged"), "a key ignored for db is still refused for web");
  });

  test("build: without image: is refused unless --push; profiles decide which services count", async () => {
    const project = await load(["jobs"]);
    const { refusals } = checkForSwarm(project);
    const build = refusals.find((r) => r.path === "services.worker.build");
    assert.ok(build, refusals.map(formatIssue).join("\n"));
    assert.match(build.message, /no image:/);
    assert.equal(build.location?.line, 32);
    assert.ok(!checkForSwarm(project, { push: true }).refusals.some((r) => r.path === "services.worker.build"));
    const off = await load();
    assert.ok(!checkForSwarm(off).refusals.some((r) => r.path?.startsWith("services.worker")), "a disabled profile's service is not checked");
  });

  test("keys from extends and include are located in the file that wrote them", async () => {
    const d = join(root, "fixtures", "swarm-check-extends");
    const project = await loadProject({ cwd: d, env: {} });
    const { refusals } = checkForSwarm(project);
    assert.deepEqual(
      refusals.map((r) => `${r.path} ${r.location?.file}:${r.location?.line}:${r.location?.col}`).sort(),
      [`services.inc.pid ${join(d, "inc.yaml")}:4:5`, `services.web.privileged ${join(d, "base.yaml")}:4:5`],
    );
  });

  test("replicas with a global mode is refused; host-mode ports with replicas warn", async () => {
    const project = await loadProject({
      cwd: dir,
      env: {},
      documents: [
        "services:\n  a:\n    image: x\n    deploy:\n      mode: global\n      replicas: 2\n  b:\n    image: x\n    ports: [{target: 80, published: 8080, mode: host}]\n    deploy: {replicas: 3}\n",
      ],
    });
    const r = checkForSwarm(project);
    assert.deepEqual(r.refusals.map((x) => x.path), ["services.a.deploy.replicas"]);
    assert.ok(r.warnings.some((w) => w.path === "services.b.ports[0]" && /3 replicas need 3 nodes/.test(w.message)));
  });
});
