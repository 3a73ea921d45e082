/**
 * Secrets and configs from `environment:` / `content:` live on a volume of their own per container,
 * bind-mounted read-only (src/runtime/secrets-volume.ts), on the fake engine: created before the
 * container, filled through a helper that is never started, gone with the container, collected
 * when left over, and never a project volume.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { FakeEngine } from "../support/fake-engine.js";
import { Project } from "../../src/api/project.js";
import type { FlotillaEvent } from "../../src/events.js";
import { Label, SecretsLabel } from "../../src/runtime/labels.js";
import { renderPlan } from "../../src/runtime/plan.js";
import type { Engine } from "../../src/runtime/engine.js";

const IMAGE = "flotilla-busybox:latest";
const TOKEN = "pl4nted-T0ken-value";
const SETTINGS = "level=pl4nted";

function doc(extra: Record<string, unknown> = {}) {
  return {
    services: {
      app: {
        image: IMAGE,
        command: ["sleep", "3600"],
        secrets: [{ source: "token", mode: 0o400, uid: "1000", gid: "2000" }],
        configs: [{ source: "settings", target: "/etc/settings.conf" }],
        ...extra,
      },
      plain: { image: IMAGE, command: ["sleep", "3600"] },
    },
    secrets: { token: { environment: "TOKEN" } },
    configs: { settings: { content: SETTINGS } },
  };
}

async function load(fake: FakeEngine, name: string, extra: Record<string, unknown> = {}, env: Record<string, string> = { TOKEN }) {
  return Project.load({ engine: fake, env, cwd: "/tmp", projectName: name, documents: [doc(extra)] });
}

function fakeEngine(): FakeEngine {
  const fake = new FakeEngine();
  fake.addImage(IMAGE);
  return fake;
}

/** The secrets volumes on the engine (by their label, whatever the project). */
function secretsVolumes(fake: FakeEngine): string[] {
  return [...fake.volumes.values()].filter((v) => v.spec.Labels?.[SecretsLabel.volume] !== undefined).map((v) => v.spec.Name);
}

function containerNamed(fake: FakeEngine, name: string) {
  const c = [...fake.containers.values()].find((x) => x.name === name);
  assert.ok(c, `container ${name} exists`);
  return c;
}

describe("secrets volume: creation", () => {
  test("the volume is created and filled before the container, and each file is a read-only bind at its target", async () => {
    const fake = fakeEngine();
    const started: string[] = [];
    const start = fake.startContainer.bind(fake);
    fake.startContainer = async (id) => {
      started.push(fake.containers.get(id)?.name ?? id);
      return start(id);
    };
    const p = await load(fake, "sv1");
    await p.up({ detach: true });
    const [volume] = secretsVolumes(fake);
    assert.ok(volume, "one secrets volume");
    assert.match(volume, /^sv1_sv1-app-1_secrets_[0-9a-f]{8}$/);
    assert.deepEqual(fake.volumes.get(volume)!.spec.Labels, { [Label.project]: "sv1", [SecretsLabel.volume]: "sv1-app-1" });

    const methods = fake.calls.map((c) => c.method);
    const at = (method: string, pred: (args: unknown[]) => boolean) => fake.calls.findIndex((c) => c.method === method && pred(c.args));
    const volumeCreated = at("createVolume", (a) => (a[0] as { Name: string }).Name === volume);
    const helperCreated = at("createContainer", (a) => (a[0] as { name: string }).name === `${volume}-fill`);
    const filled = at("putArchive", () => true);
    const appCreated = at("createContainer", (a) => (a[0] as { name: string }).name === "sv1-app-1");
    assert.ok(volumeCreated >= 0 && volumeCreated < helperCreated && helperCreated < filled && filled < appCreated, methods.join(" "));
    assert.equal(fake.calls.filter((c) => c.method === "putArchive").length, 1, "nothing is written into the service container itself");
    assert.deepEqual(started.sort(), ["sv1-app-1", "sv1-plain-1"], "the helper is never started");

    // the helper: from the service's image, the volume mounted, no network, gone afterwards
    const helperSpec = fake.calls[helperCreated]!.args[0] as { Image: string; HostConfig: { NetworkMode: string; Mounts: { Source: string }[] }; Labels: Record<string, string> };
    assert.equal(helperSpec.Image, IMAGE);
    assert.equal(helperSpec.HostConfig.NetworkMode, "none");
    assert.equal(helperSpec.HostConfig.Mounts[0]!.Source, volume);
    assert.deepEqual(helperSpec.Labels, { [SecretsLabel.fill]: volume }, "not a project container: ps and down never see it");
    assert.ok(![...fake.containers.values()].some((c) => c.name.endsWith("-fill")), "the helper is removed");

    // the files on the volume keep the mode and owner asked for
    const files = fake.volumes.get(volume)!.files;
    assert.deepEqual([...files.keys()].sort(), ["0-token", "1-settings.conf"]);
    assert.deepEqual({ ...files.get("0-token")!, data: files.get("0-token")!.data.toString() }, { data: TOKEN, mode: 0o400, uid: 1000, gid: 2000 });
    assert.deepEqual({ ...files.get("1-settings.conf")!, data: files.get("1-settings.conf")!.data.toString() }, { data: SETTINGS, mode: 0o444, uid: 0, gid: 0 });

    // the container: read-only binds from the volume's mount point, and its label naming the volume
    const app = containerNamed(fake, "sv1-app-1");
    assert.equal(app.spec.Labels?.[SecretsLabel.container], volume);
    const inspected = await fake.inspectContainer(app.id);
    const binds = inspected!.mounts.filter((m) => m.type === "bind");
    assert.deepEqual(binds, [
      { type: "bind", source: `/var/lib/docker/volumes/${volume}/_data/0-token`, destination: "/run/secrets/token", rw: false },
      { type: "bind", source: `/var/lib/docker/volumes/${volume}/_data/1-settings.conf`, destination: "/etc/settings.conf", rw: false },
    ]);
    assert.equal((await p.exec("app", ["cat", "/run/secrets/token"])).stdout, TOKEN);
    assert.equal((await p.exec("app", ["cat", "/etc/settings.conf"])).stdout, SETTINGS);
    // a service without injected files gets no volume and no label
    assert.equal(containerNamed(fake, "sv1-plain-1").spec.Labels?.[SecretsLabel.container], undefined);
  });

  test("no content in labels, names, events or the plan", async () => {
    const fake = fakeEngine();
    const events: FlotillaEvent[] = [];
    const engineEvents: unknown[] = [];
    const stop = new AbortController();
    const watching = (async () => {
      for await (const e of fake.events({}, stop.signal)) engineEvents.push(e);
    })();
    const p = await load(fake, "sv2");
    await p.up({ detach: true, onEvent: (e) => events.push(e) });
    const q = await load(fake, "sv2", {}, { TOKEN: "r0tated-T0ken" });
    const plan = await q.plan({ forceRecreate: true });
    await q.up({ detach: true, forceRecreate: true, onEvent: (e) => events.push(e) });
    await q.down({ onEvent: (e) => events.push(e) });
    stop.abort();
    await watching;
    const everything = JSON.stringify({
      calls: fake.calls.filter((c) => c.method !== "putArchive").map((c) => c.args),
      volumes: [...fake.volumes.values()].map((v) => v.spec),
      events,
      engineEvents,
      plan,
      rendered: renderPlan(plan),
    });
    for (const value of [TOKEN, "r0tated-T0ken", SETTINGS]) assert.ok(!everything.includes(value), `${value} appears`);
    assert.ok(engineEvents.length > 0 && events.length > 0, "there was something to search");
  });

  test("a container of an older Flotilla (the files in its writable layer) is recreated once, saying why", async () => {
    const fake = fakeEngine();
    const p = await load(fake, "sv4");
    await p.up({ detach: true });
    // what an older Flotilla left: no secrets volume, no label naming one
    const old = containerNamed(fake, "sv4-app-1");
    const volume = old.spec.Labels![SecretsLabel.container]!;
    delete old.spec.Labels![SecretsLabel.container];
    await fake.removeVolume(volume);
    const plan = await p.plan();
    assert.deepEqual(plan.services["app"]!.map((a) => [a.kind, a.reason]), [["recreate", "secrets/configs from environment or content are in its writable layer (now mounted read-only)"]]);
    assert.deepEqual(plan.services["plain"]!.map((a) => a.kind), ["noop"], "a service without such files is left alone");
    await p.up({ detach: true });
    assert.ok(containerNamed(fake, "sv4-app-1").spec.Labels?.[SecretsLabel.container]);
    assert.ok(Object.values((await p.plan()).services).flat().every((a) => a.kind === "noop"), "once");
  });

  test("a container whose secrets volume was removed behind Flotilla's back (volume prune) is recreated", async () => {
    const fake = fakeEngine();
    const p = await load(fake, "sv5");
    await p.up({ detach: true });
    const [volume] = secretsVolumes(fake);
    await fake.removeVolume(volume!);
    const plan = await p.plan();
    assert.deepEqual(plan.services["app"]!.map((a) => [a.kind, a.reason]), [["recreate", `its secrets volume ${volume} is gone`]]);
    await p.up({ detach: true });
    assert.equal(secretsVolumes(fake).length, 1);
    assert.equal((await p.exec("app", ["cat", "/run/secrets/token"])).stdout, TOKEN);
  });

  test("a container that cannot be created takes its fresh secrets volume with it", async () => {
    const fake = fakeEngine();
    fake.script.failCreate("sv3-app-1");
    const p = await load(fake, "sv3");
    await assert.rejects(p.up({ detach: true }), /scripted create failure/);
    assert.deepEqual(secretsVolumes(fake), []);
  });
});

describe("secrets volume: it goes with its container", () => {
  test("recreate: the old container's volume is removed, the new one serves the new value", async () => {
    const fake = fakeEngine();
    await (await load(fake, "sr1")).up({ detach: true });
    const [first] = secretsVolumes(fake);
    const oldId = containerNamed(fake, "sr1-app-1").id;
    const q = await load(fake, "sr1", { environment: { CHANGED: "1" } }, { TOKEN: "second" });
    await q.up({ detach: true });
    const after = secretsVolumes(fake);
    assert.equal(after.length, 1);
    assert.notEqual(after[0], first);
    assert.equal((await q.exec("app", ["cat", "/run/secrets/token"])).stdout, "second");
    // the volume goes once the old container is gone (never from under it)
    const removedVolume = fake.calls.findIndex((c) => c.method === "removeVolume" && c.args[0] === first);
    const removedOld = fake.calls.findIndex((c) => c.method === "removeContainer" && c.args[0] === oldId);
    assert.ok(removedOld >= 0 && removedVolume > removedOld, `${removedOld} < ${removedVolume}`);
  });

  test("down without --volumes removes it, reports no volume and warns of nothing", async () => {
    const fake = fakeEngine();
    const p = await load(fake, "sd1");
    await p.up({ detach: true });
    const events: FlotillaEvent[] = [];
    const result = await p.down({ onEvent: (e) => events.push(e) });
    assert.deepEqual(secretsVolumes(fake), []);
    assert.deepEqual(result.volumes, []);
    assert.deepEqual(result.warnings, []);
    assert.ok(!events.some((e) => e.type === "resource" && e.kind === "volume"), "no volume line");
  });

  test("rm, scale down and removed orphans take their volumes", async () => {
    const fake = fakeEngine();
    const p = await load(fake, "sd2", { scale: 2 });
    await p.up({ detach: true });
    assert.equal(secretsVolumes(fake).length, 2);
    await (await load(fake, "sd2", { scale: 1 })).up({ detach: true });
    assert.deepEqual(secretsVolumes(fake).map((v) => v.replace(/_[0-9a-f]{8}$/, "")), ["sd2_sd2-app-1_secrets"]);
    await p.stop(["app"]);
    await p.rm(["app"]);
    assert.deepEqual(secretsVolumes(fake), []);

    await p.up({ detach: true });
    const without = await Project.load({ engine: fake, env: {}, cwd: "/tmp", projectName: "sd2", documents: [{ services: { plain: { image: IMAGE, command: ["sleep", "3600"] } } }] });
    await without.up({ detach: true, removeOrphans: true });
    assert.deepEqual(secretsVolumes(fake), []);
  });

  test("the stale-task re-create replaces the volume too", async () => {
    const fake = fakeEngine();
    const p = await load(fake, "ss1");
    await p.up({ detach: true });
    const [first] = secretsVolumes(fake);
    const old = containerNamed(fake, "ss1-app-1");
    await fake.stopContainer(old.id);
    fake.script.failStart(old.id, new Error(`starting container: task ${"ab".repeat(32)}: already exists`));
    await p.up({ detach: true });
    const after = secretsVolumes(fake);
    assert.equal(after.length, 1);
    assert.notEqual(after[0], first);
    assert.equal(containerNamed(fake, "ss1-app-1").spec.Labels?.[SecretsLabel.container], after[0]);
  });

  test("start and restart re-create a stale-task container with a new volume, and a container joining its namespace with its own", async () => {
    const fake = fakeEngine();
    const q = await Project.load({
      engine: fake,
      env: { TOKEN },
      cwd: "/tmp",
      projectName: "ss2",
      documents: [doc(), { services: { side: { image: IMAGE, command: ["sleep", "3600"], network_mode: "service:app", secrets: ["token"] } } }],
    });
    await q.up({ detach: true });
    const before = new Set(secretsVolumes(fake));
    assert.equal(before.size, 2);
    await q.stop();
    const old = containerNamed(fake, "ss2-app-1");
    fake.script.failStart(old.id, new Error(`starting container: task ${"cd".repeat(32)}: already exists`));
    await q.start();
    const after = secretsVolumes(fake);
    assert.equal(after.length, 2, after.join(", "));
    assert.ok(after.every((v) => !before.has(v)), "both containers were made anew, each with a new volume; the old ones went");
    for (const name of ["ss2-app-1", "ss2-side-1"]) assert.ok(after.includes(containerNamed(fake, name).spec.Labels![SecretsLabel.container]!), name);
  });

  test("run: the one-off gets its own volume; --rm removes it", async () => {
    const fake = fakeEngine();
    const p = await load(fake, "so1");
    const kept = await p.run("app", { command: ["cat", "/run/secrets/token"], detach: true, noDeps: true });
    const oneoffVolume = secretsVolumes(fake).find((v) => v.includes("-run-"));
    assert.ok(oneoffVolume, secretsVolumes(fake).join(", "));
    assert.equal(fake.volumes.get(oneoffVolume)!.spec.Labels?.[SecretsLabel.oneoff], "True");
    assert.equal(containerNamed(fake, kept.name).spec.Labels?.[SecretsLabel.container], oneoffVolume);

    const before = new Set(secretsVolumes(fake));
    const removed = await p.run("app", { command: ["cat", "/run/secrets/token"], remove: true, noDeps: true });
    assert.equal(removed.exitCode, 0);
    assert.deepEqual(new Set(secretsVolumes(fake)), before, "the --rm one-off's volume is gone with it");
    // down keeps the one-off (an orphan) and its volume; with --remove-orphans both go
    await p.down();
    assert.deepEqual(secretsVolumes(fake), [oneoffVolume]);
    await p.down({ removeOrphans: true });
    assert.deepEqual(secretsVolumes(fake), []);
  });
});

/** A secrets volume as an `up` killed between the volume and the container leaves it (optionally with its helper). */
async function leaveOver(engine: Engine, project: string, container: string, opts: { oneoff?: boolean; helper?: boolean } = {}): Promise<string> {
  const name = `${project}_${container}_secrets_0badc0de`;
  await engine.createVolume({ Name: name, Driver: "local", Labels: { [Label.project]: project, [SecretsLabel.volume]: container, ...(opts.oneoff ? { [SecretsLabel.oneoff]: "True" } : {}) } });
  if (opts.helper) {
    await engine.createContainer({ name: `${name}-fill`, Image: IMAGE, Labels: { [SecretsLabel.fill]: name }, HostConfig: { NetworkMode: "none", Mounts: [{ Type: "volume", Source: name, Target: "/.flotilla-secrets" }] } });
  }
  return name;
}

describe("secrets volume: leftovers", () => {
  test("up collects a leftover of the project's service containers (even when otherwise up to date), not a one-off's", async () => {
    const fake = fakeEngine();
    const p = await load(fake, "sg1");
    await p.up({ detach: true });
    const [own] = secretsVolumes(fake);
    const leftover = await leaveOver(fake, "sg1", "sg1-app-1", { helper: true });
    const oneoff = await leaveOver(fake, "sg1", "sg1-app-run-123456789abc", { oneoff: true });
    const other = await leaveOver(fake, "other", "other-app-1");
    const result = await p.up({ detach: true });
    assert.ok(result.containers.every((c) => c.action === "noop"), "nothing else to do");
    assert.deepEqual(secretsVolumes(fake).sort(), [own!, oneoff, other].sort());
    assert.ok(!fake.volumes.has(leftover));
    assert.ok(![...fake.containers.values()].some((c) => c.name === `${leftover}-fill`), "its helper went first");
  });

  test("down collects every leftover of the project, one-offs' included", async () => {
    const fake = fakeEngine();
    const p = await load(fake, "sg2");
    await p.up({ detach: true });
    await leaveOver(fake, "sg2", "sg2-app-1", { helper: true });
    await leaveOver(fake, "sg2", "sg2-app-run-123456789abc", { oneoff: true });
    const result = await p.down();
    assert.deepEqual(secretsVolumes(fake), []);
    assert.deepEqual(result.volumes, []);
    assert.deepEqual(fake.volumes.size, 0);
  });

  test("down never removes the volume of a container it keeps, even one that appeared while it ran", async () => {
    const fake = fakeEngine();
    const p = await load(fake, "sg4");
    await p.up({ detach: true });
    // a one-off made meanwhile (run creates its container outside the lock): its volume before down lists the volumes
    const volume = await leaveOver(fake, "sg4", "sg4-app-run-0123456789ab", { oneoff: true });
    const remove = fake.removeContainer.bind(fake);
    let made = false;
    fake.removeContainer = async (id, opts) => {
      await remove(id, opts);
      if (made) return;
      made = true;
      await fake.createContainer({
        name: "sg4-app-run-0123456789ab",
        Image: IMAGE,
        Labels: { [Label.project]: "sg4", [Label.service]: "app", [Label.oneoff]: "True", [SecretsLabel.container]: volume },
        HostConfig: {},
      });
    };
    const result = await p.down();
    assert.ok(!result.containers.includes("sg4-app-run-0123456789ab"), "the one-off is kept (an orphan without --remove-orphans)");
    assert.deepEqual(secretsVolumes(fake), [volume]);
  });

  test("not a project volume: observe, plan, `volumes` and down --volumes leave it alone", async () => {
    const fake = fakeEngine();
    const q = await Project.load({ engine: fake, env: { TOKEN }, cwd: "/tmp", projectName: "sg3", documents: [{ ...doc({ volumes: [{ type: "volume", source: "data", target: "/data" }] }), volumes: { data: {} } }] });
    await q.up({ detach: true });
    assert.deepEqual((await q.volumes()).map((v) => v.name), ["sg3_data"]);
    const plan = await q.plan();
    assert.ok(Object.values(plan.services).flat().every((a) => a.kind === "noop"), JSON.stringify(plan.services));
    assert.deepEqual(plan.warnings, []);
    const result = await q.down({ volumes: true });
    assert.deepEqual(result.volumes, ["sg3_data"], "only the declared volume is reported");
    assert.deepEqual(result.warnings, [], "no 'no longer in the file' warning for it");
    assert.equal(fake.volumes.size, 0);
  });
});
