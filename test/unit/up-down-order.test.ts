/**
 * Order of the engine calls that make `up` and `down` fast (issue 13): starts go ahead of the
 * creates no one waits for yet, a dependency this up started is not inspected again, and down
 * removes a network as soon as its last container is gone.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { FakeEngine } from "../support/fake-engine.js";
import { applyUp } from "../../src/runtime/apply.js";
import { planUp } from "../../src/runtime/plan.js";
import { observeProject } from "../../src/runtime/observe.js";
import { downProject } from "../../src/runtime/ops/down.js";
import type { Engine } from "../../src/runtime/engine.js";
import type { LoadedProject, ServiceConfig } from "../../src/spec/model.js";
import { loadedProject } from "../support/loaded-project.js";
import type { UpOptions } from "../../src/runtime/options.js";

const IMAGE = "flotilla-busybox:latest";
const on = (...names: string[]): Partial<ServiceConfig> => ({ depends_on: Object.fromEntries(names.map((n) => [n, { condition: "service_started" as const, required: true }])) });
const svc = (extra: Partial<ServiceConfig> = {}): ServiceConfig => ({ image: IMAGE, command: ["sleep", "3600"], networks: { default: null }, ...extra });

function project(name: string, services: Record<string, ServiceConfig>, networks: string[] = ["default"]): LoadedProject {
  return loadedProject(name, services, { networks: Object.fromEntries(networks.map((n) => [n, { name: `${name}_${n}` }])) });
}

async function up(engine: Engine, p: LoadedProject, opts: UpOptions = {}): Promise<void> {
  const plan = planUp(p, await observeProject(engine, p.model.name, { model: p.model }), opts);
  await applyUp(p, plan, engine, opts);
}

/** The fake's calls of these methods as "verb container-name" lines. */
function trace(engine: FakeEngine, ...methods: string[]): string[] {
  const names = new Map([...engine.containers.entries()].map(([id, c]) => [id, c.name]));
  return engine.callsOf(...methods).map((c) => {
    const arg = c.args[0] as string | { name: string };
    const verb = c.method.replace("Container", "");
    return `${verb} ${typeof arg === "string" ? (names.get(arg) ?? arg) : arg.name}`;
  });
}

describe("up and down: the order of engine calls", () => {
  test("with one slot, a service whose dependencies are ready starts before the creates still queued", async () => {
    const engine = new FakeEngine();
    engine.addImage(IMAGE);
    const p = project("o1", { a: svc(), b: svc(on("a")), c: svc(), d: svc(), e: svc() });
    await up(engine, p, { parallel: 1 });
    const calls = trace(engine, "createContainer", "startContainer");
    const at = (line: string) => calls.indexOf(line);
    assert.ok(at("start o1-a-1") >= 0 && at("start o1-a-1") < at("create o1-d-1"), `a starts before d is created: ${calls.join(", ")}`);
    assert.ok(at("start o1-a-1") < at("create o1-e-1"), "and before e is created");
    // chain heads and independent services are created before their dependents
    assert.ok(at("create o1-a-1") < at("create o1-b-1") && at("create o1-e-1") < at("create o1-b-1"), calls.join(", "));
    assert.ok(at("start o1-a-1") < at("start o1-b-1"));
  });

  test("a service_started dependency this up started is not inspected again", async () => {
    const engine = new FakeEngine();
    engine.addImage(IMAGE);
    const p = project("o2", { a: svc(), b: svc(on("a")), c: svc(on("b")) });
    await up(engine, p);
    assert.equal(engine.callsOf("inspectContainer").length, 0);
    assert.deepEqual(
      trace(engine, "startContainer"),
      ["start o2-a-1", "start o2-b-1", "start o2-c-1"],
    );
  });

  test("down removes a network once its last container is gone, while other containers still stop", async () => {
    const engine = new FakeEngine();
    engine.addImage(IMAGE);
    // b (on back) depends on a (on front): b stops and goes first, then a.
    const p = project("o3", { a: svc({ networks: { front: null } }), b: svc({ networks: { back: null }, ...on("a") }) }, ["front", "back"]);
    await up(engine, p);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let backRemovedWhileAStopping = false;
    let aStopping = false;
    const aId = [...engine.containers.entries()].find(([, x]) => x.name === "o3-a-1")![0];
    const gated = new Proxy(engine, {
      get(target, key, receiver) {
        const v = Reflect.get(target, key, receiver) as unknown;
        if (key === "stopContainer") {
          return async (id: string, t?: number) => {
            if (id === aId) {
              aStopping = true;
              await gate;
            }
            return target.stopContainer(id, t);
          };
        }
        if (key === "removeNetwork") {
          return async (idOrName: string) => {
            const n = [...target.networks.values()].find((x) => x.id === idOrName || x.spec.Name === idOrName);
            if (n?.spec.Name === "o3_back" && aStopping) backRemovedWhileAStopping = true;
            if (n?.spec.Name === "o3_back") release();
            return target.removeNetwork(idOrName);
          };
        }
        return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    // Without the early removal the gate would never open: let it open late instead (the assertion then fails).
    const fallback = setTimeout(() => release(), 2000);
    const result = await downProject(gated, "o3", { project: p });
    clearTimeout(fallback);
    assert.ok(backRemovedWhileAStopping, "o3_back was removed while a was still stopping");
    assert.deepEqual([...result.networks].sort(), ["o3_back", "o3_front"]);
    assert.deepEqual([...result.containers].sort(), ["o3-a-1", "o3-b-1"]);
    assert.equal((await engine.listNetworks({})).filter((n) => n.name.startsWith("o3_")).length, 0);
  });
});
