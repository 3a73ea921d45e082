import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { Project } from "../../src/api/project.js";
import { Label } from "../../src/runtime/labels.js";

const root = resolve(import.meta.dirname, "../../..");
const anonDir = resolve(root, "fixtures/rt2-anon");
const depsDir = resolve(root, "fixtures/rt2-deps");

describe("recreate on the real engine", () => {
  const projects: Project[] = [];
  const load = async (cwd: string, name: string, env: Record<string, string> = {}): Promise<Project> => {
    const p = await Project.load({ cwd, projectName: name, env: { PATH: process.env.PATH ?? "", ...env } });
    projects.push(p);
    return p;
  };
  after(async () => {
    // The last handle of each project name tears it down (anonymous volumes too).
    const byName = new Map(projects.map((p) => [p.name, p]));
    for (const p of byName.values()) await p.down({ volumes: true, removeOrphans: true }).catch(() => {});
  });

  test("anonymous volumes survive a recreate, -V renews them; post_start ran; a detached container is recreated onto its network", async () => {
    const name = `rt2-anon-${process.pid}`;
    const v1 = await load(anonDir, name);
    await v1.up();
    const engine = await v1.engine();
    assert.equal((await v1.exec("store", ["cat", "/hooked"])).stdout.trim(), "started");
    const w = await v1.exec("store", ["sh", "-c", "echo kept > /data/file"]);
    assert.equal(w.exitCode, 0, w.stderr);
    const firstId = await v1.containerId("store");
    const first = (await engine.inspectContainer(firstId))!;
    const volume = first.mounts.find((m) => m.destination === "/data")?.name;
    assert.ok(volume, "an anonymous volume is mounted at /data");
    assert.match(first.labels[Label.image] ?? "", /^sha256:[0-9a-f]{64}$/);
    assert.equal(first.labels[Label.image], first.image);

    const v2 = await load(anonDir, name, { VERSION: "2" });
    const r2 = await v2.up();
    assert.deepEqual(r2.containers.map((c) => c.action), ["recreate"]);
    assert.notEqual(await v2.containerId("store"), firstId);
    assert.equal((await v2.exec("store", ["cat", "/data/file"])).stdout.trim(), "kept");
    const second = (await engine.inspectContainer(await v2.containerId("store")))!;
    assert.equal(second.mounts.find((m) => m.destination === "/data")?.name, volume);

    const v3 = await load(anonDir, name, { VERSION: "3" });
    await v3.up({ renewAnonVolumes: true });
    const third = await v3.exec("store", ["sh", "-c", "test -f /data/file && echo present || echo absent"]);
    assert.equal(third.stdout.trim(), "absent");
    assert.equal(await engine.inspectVolume(volume), undefined, "the replaced anonymous volume went with its container");

    // Detach the running container from the project network behind our back: up re-attaches it by recreating.
    const id3 = await v3.containerId("store");
    await engine.disconnectNetwork(`${name}_default`, id3);
    const plan = await v3.plan();
    assert.deepEqual(plan.services.store!.map((a) => [a.kind, a.reason]), [["recreate", `network ${name}_default missing`]]);
    await v3.up();
    const attached = (await engine.inspectContainer(await v3.containerId("store")))!;
    assert.deepEqual(Object.keys(attached.networks), [`${name}_default`]);
    const kept = attached.mounts.find((m) => m.destination === "/data")?.name;
    assert.ok(kept);

    // down -v removes anonymous volumes, including one handed over by a recreate.
    await v3.down({ volumes: true });
    assert.equal(await engine.inspectVolume(kept), undefined);
  });

  test("up SERVICE brings its dependencies, --no-deps does not; recreating db restarts web (restart: true)", async () => {
    const name = `rt2-deps-${process.pid}`;
    const p = await load(depsDir, name);
    const engine = await p.engine();
    const running = async (): Promise<string[]> =>
      (await engine.listContainers({ labels: { [Label.project]: name }, all: false })).map((c) => c.labels[Label.service]!).sort();

    const alone = await p.up({ services: ["web"], noDeps: true });
    assert.deepEqual(alone.plan.targets, ["web"]);
    assert.deepEqual(await running(), ["web"]);

    const withDeps = await p.up({ services: ["web"] });
    assert.deepEqual(withDeps.plan.targets, ["db", "web"]);
    assert.deepEqual(withDeps.containers.map((c) => [c.service, c.action]), [["db", "create"], ["web", "noop"]]);
    assert.deepEqual(await running(), ["db", "web"]);

    const webId = await p.containerId("web");
    const before = (await engine.inspectContainer(webId))!.state.startedAt!;
    const changed = await load(depsDir, name, { DB_VERSION: "2" });
    const r = await changed.up({ services: ["web"] });
    assert.deepEqual(r.containers.map((c) => [c.service, c.action]), [["db", "recreate"], ["web", "restart"]]);
    const web = (await engine.inspectContainer(webId))!;
    const db = (await engine.inspectContainer(await changed.containerId("db")))!;
    assert.equal(web.state.running, true);
    assert.ok(Date.parse(web.state.startedAt!) > Date.parse(before), "web was restarted");
    assert.ok(Date.parse(web.state.startedAt!) >= Date.parse(db.state.startedAt!), "web started after the new db");
  });
});
