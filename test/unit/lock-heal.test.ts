/**
 * Self-healing, lock or no lock (same-name network twins, `down` listing again) and interrupted
 * `up`s through the library's AbortSignal, against the fake engine.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { FakeEngine } from "../support/fake-engine.js";
import type { NetworkSummary } from "../../src/runtime/engine.js";
import type { FlotillaEvent } from "../../src/events.js";
import { Label } from "../../src/runtime/labels.js";
import { pickKeeper, repairNetworkTwins } from "../../src/runtime/network-twins.js";
import { observeProject } from "../../src/runtime/observe.js";
import { Project } from "../../src/api/project.js";

const IMAGE = "flotilla-busybox:latest";

function net(id: string, name: string, containers: string[] = []): NetworkSummary {
  return {
    id,
    name,
    driver: "bridge",
    labels: { [Label.project]: "tw", [Label.network]: "default" },
    internal: false,
    attachable: false,
    enableIPv6: false,
    ipam: { driver: "default", config: [], options: {} },
    options: {},
    containers: Object.fromEntries(containers.map((c) => [c, { name: c }])),
  };
}

/** An engine holding same-name networks (the fake keys networks by name, the real engine does not). */
function twinEngine(networks: NetworkSummary[]) {
  const live = new Map(networks.map((n) => [n.id, n]));
  const removed: string[] = [];
  return {
    removed,
    live,
    listNetworks: async (f: { name?: string; labels?: Record<string, string> }) => [...live.values()].filter((n) => f.name === undefined || n.name.includes(f.name)).map((n) => ({ ...n, containers: {} })),
    inspectNetwork: async (id: string) => live.get(id),
    removeNetwork: async (id: string) => {
      const n = live.get(id);
      if (!n) throw new Error(`no such network ${id}`);
      if (Object.keys(n.containers).length > 0) throw new Error("has active endpoints");
      live.delete(id);
      removed.push(id);
    },
  };
}

describe("network twins", () => {
  test("the twin in use is kept and the empty ones removed, in one line", async () => {
    const e = twinEngine([net("aaa111111111x", "tw_default"), net("bbb222222222x", "tw_default", ["c1"]), net("ccc333333333x", "tw_default"), net("zzz", "tw_default_other")]);
    const events: FlotillaEvent[] = [];
    const kept = await repairNetworkTwins(e, "tw_default", (ev) => events.push(ev));
    assert.equal(kept?.id, "bbb222222222x");
    assert.deepEqual(e.removed.sort(), ["aaa111111111x", "ccc333333333x"]);
    assert.ok(e.live.has("zzz"), "a network whose name only contains the name is not a twin");
    assert.deepEqual(
      events.map((ev) => (ev as { message: string }).message),
      ["network tw_default: 3 networks had this name: kept bbb222222222 (in use by 1 container(s)), removed 2 empty twin(s) (aaa111111111, ccc333333333)"],
    );
  });

  test("all empty: every racer keeps the same one (lowest id); twins in use are kept and named", async () => {
    assert.equal(pickKeeper([net("b", "x"), net("a", "x"), net("c", "x")]).id, "a");
    const e = twinEngine([net("b1", "tw_x", ["c1", "c2"]), net("a1", "tw_x", ["c3"])]);
    const events: FlotillaEvent[] = [];
    const kept = await repairNetworkTwins(e, "tw_x", (ev) => events.push(ev));
    assert.equal(kept?.id, "b1");
    assert.deepEqual(e.removed, []);
    assert.equal(events[0]?.type, "warning");
    assert.match((events[0] as { message: string }).message, /twins still in use, kept: a1 \(1 container\(s\)\) \(run down, then up\)/);
  });

  test("one network: nothing to do, nothing said", async () => {
    const e = twinEngine([net("a1", "tw_y")]);
    const events: FlotillaEvent[] = [];
    assert.equal((await repairNetworkTwins(e, "tw_y", (ev) => events.push(ev)))?.id, "a1");
    assert.deepEqual(events, []);
  });

  test("observe reports twins (keeping the one in use) and repairs them only when asked", async () => {
    const fake = new FakeEngine();
    const twins = [net("a1", "tw_default"), net("b1", "tw_default", ["c1"])];
    const e = twinEngine(twins);
    const engine = new Proxy(fake, {
      get(target, prop) {
        if (prop === "listNetworks") return async () => [...e.live.values()];
        if (prop === "inspectNetwork" || prop === "removeNetwork") return (e as unknown as Record<string, unknown>)[prop];
        const v = Reflect.get(target, prop, target) as unknown;
        return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const events: FlotillaEvent[] = [];
    const seen = await observeProject(engine, "tw", { onEvent: (ev) => events.push(ev) });
    assert.equal(seen.networks["tw_default"]?.id, "b1");
    assert.deepEqual(e.removed, [], "observing alone changes nothing");
    assert.match((events[0] as { message: string }).message, /2 networks have this name \(up repairs it\)/);
    const repaired = await observeProject(engine, "tw", { repairNetworks: true });
    assert.equal(repaired.networks["tw_default"]?.id, "b1");
    assert.deepEqual(e.removed, ["a1"]);
  });
});

describe("down lists again until nothing is left", () => {
  test("a container created while down runs (no lock: another tool) is removed too, and down says so", async () => {
    const fake = new FakeEngine();
    fake.addImage(IMAGE);
    const p = await Project.load({ engine: fake, env: {}, cwd: "/tmp", projectName: "late", documents: [{ services: { a: { image: IMAGE }, b: { image: IMAGE } } }] });
    await p.up({ detach: true });
    let injected = false;
    const original = fake.removeContainer.bind(fake);
    fake.removeContainer = async (id, opts) => {
      await original(id, opts);
      if (injected) return;
      injected = true;
      // what a concurrent `up` without the lock would do: create the next container of a service
      await fake.createContainer({ name: "late-a-2", Image: IMAGE, Labels: { [Label.project]: "late", [Label.service]: "a", [Label.containerNumber]: "2", [Label.oneoff]: "False" }, HostConfig: {} });
    };
    const events: FlotillaEvent[] = [];
    const result = await p.down({ onEvent: (ev) => events.push(ev) });
    assert.ok(result.containers.includes("late-a-2"), `removed: ${result.containers.join(", ")}`);
    assert.deepEqual(await fake.listContainers({ labels: { [Label.project]: "late" }, all: true }), []);
    assert.deepEqual(await fake.listNetworks({ labels: { [Label.project]: "late" } }), []);
    assert.ok(events.some((ev) => ev.type === "info" && /1 container\(s\) appeared while removing the project \(late-a-2\): removing them too/.test(ev.message)));
  });
});

describe("an aborted up (library AbortSignal)", () => {
  const doc = {
    services: {
      db: { image: IMAGE, command: ["sleep", "3600"], healthcheck: { test: ["CMD", "true"], interval: "1s" } },
      web: { image: IMAGE, command: ["sleep", "3600"], depends_on: { db: { condition: "service_healthy" } } },
    },
  };

  async function upUntilWaiting(name: string, detach: boolean) {
    const fake = new FakeEngine();
    fake.addImage(IMAGE);
    fake.script.health(`${name}-db-1`, ["starting"]);
    const p = await Project.load({ engine: fake, env: {}, cwd: "/tmp", projectName: name, documents: [doc] });
    const ac = new AbortController();
    const events: FlotillaEvent[] = [];
    const up = p.up({ detach, signal: ac.signal, onEvent: (ev) => events.push(ev) });
    // until db runs (up then waits for its health, which the script keeps "starting"); the bound is for a
    // regression only, and is checked, so that a slow machine cannot make the abort come too early
    const dbRuns = () => [...fake.containers.values()].some((c) => c.name === `${name}-db-1` && c.state === "running");
    const t0 = Date.now();
    while (!dbRuns() && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 5));
    assert.ok(dbRuns(), "db is running and up waits for its health");
    ac.abort();
    await assert.rejects(up);
    const state = async (n: string) => (await fake.inspectContainer(n))?.state.status;
    return { fake, events, state };
  }

  test("attached: what this up started is stopped again, saying so", async () => {
    const { events, state } = await upUntilWaiting("abort1", false);
    assert.equal(await state("abort1-db-1"), "exited");
    assert.notEqual(await state("abort1-web-1"), "running");
    assert.ok(events.some((ev) => ev.type === "info" && ev.message === "up interrupted: stopping the 1 container(s) it started"));
  });

  test("detached: left as it is, named, with the note that up again converges", async () => {
    const { events, state } = await upUntilWaiting("abort2", true);
    assert.equal(await state("abort2-db-1"), "running");
    const note = events.find((ev) => ev.type === "info" && /^up interrupted: left /.test(ev.message)) as { message: string } | undefined;
    assert.ok(note);
    assert.match(note.message, /abort2-db-1 \(running\)/);
    assert.match(note.message, /run up again to converge the project/);
  });
});

describe("an interrupted recreate", () => {
  test("its temporary container does not outlive the next up", async () => {
    const fake = new FakeEngine();
    fake.addImage(IMAGE);
    const p = await Project.load({ engine: fake, env: {}, cwd: "/tmp", projectName: "tmpc", documents: [{ services: { web: { image: IMAGE, command: ["sleep", "3600"] } } }] });
    await p.up({ detach: true });
    const old = (await fake.inspectContainer("tmpc-web-1"))!;
    // what a recreate interrupted after creating the replacement leaves: `<12 hex of old id>_<name>`
    await fake.createContainer({
      name: `${old.id.slice(0, 12)}_tmpc-web-1`,
      Image: IMAGE,
      Labels: { ...old.labels, [Label.replace]: "tmpc-web-1" },
      HostConfig: {},
    });
    await p.up({ detach: true });
    const names = (await fake.listContainers({ labels: { [Label.project]: "tmpc" }, all: true })).map((c) => c.name);
    assert.deepEqual(names, ["tmpc-web-1"]);
  });
});
