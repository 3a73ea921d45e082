/**
 * Networks are attached and compared by id (issue 10): a container is created on, and connected to,
 * the project network's id — never a name the engine may find twice — and a container attached to
 * another network of that name (removed and created again under it) is recreated, saying why.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { FakeEngine } from "../support/fake-engine.js";
import { Project } from "../../src/api/project.js";
import type { ContainerCreateSpec, EndpointSpec } from "../../src/runtime/engine.js";

const IMAGE = "flotilla-busybox:latest";
const doc = {
  services: {
    web: { image: IMAGE, command: ["sleep", "3600"], networks: ["front", "back"] },
    db: { image: IMAGE, command: ["sleep", "3600"] },
  },
  networks: { front: {}, back: {} },
};

async function loaded(name: string, fake = new FakeEngine()) {
  fake.addImage(IMAGE);
  const p = await Project.load({ engine: fake, env: {}, cwd: "/tmp", projectName: name, documents: [doc] });
  return { fake, p };
}

const networkId = async (fake: FakeEngine, name: string): Promise<string> => (await fake.inspectNetwork(name))!.id;
const creates = (fake: FakeEngine): ContainerCreateSpec[] => fake.calls.filter((c) => c.method === "createContainer").map((c) => c.args[0] as ContainerCreateSpec);

describe("networks attached by id", () => {
  test("created networks: the container's first network and the ones connected after are ids", async () => {
    const { fake, p } = await loaded("nid1");
    await p.up({ detach: true });
    const [front, back, dflt] = await Promise.all(["nid1_front", "nid1_back", "nid1_default"].map((n) => networkId(fake, n)));
    const web = creates(fake).find((s) => s.name === "nid1-web-1")!;
    // priority ties attach in key order: back first, front connected after
    assert.equal(web.HostConfig["NetworkMode"], back);
    assert.deepEqual(Object.keys(web.NetworkingConfig?.EndpointsConfig ?? {}), [back]);
    assert.deepEqual((web.NetworkingConfig!.EndpointsConfig[back!] as EndpointSpec).Aliases, ["web"]);
    const connects = fake.calls.filter((c) => c.method === "connectNetwork").map((c) => c.args[0]);
    assert.deepEqual(connects, [front]);
    assert.equal(creates(fake).find((s) => s.name === "nid1-db-1")!.HostConfig["NetworkMode"], dflt);
    // the engine still reports them by name
    assert.deepEqual((await fake.inspectContainer("nid1-web-1"))!.networks["nid1_front"]?.networkId, front);
  });

  test("existing networks: a new container joins them by the id observed", async () => {
    const { fake, p } = await loaded("nid2");
    await p.up({ detach: true, services: ["db"] });
    const dflt = await networkId(fake, "nid2_default");
    await p.up({ detach: true, scale: { db: 2 } });
    const second = creates(fake).find((s) => s.name === "nid2-db-2")!;
    assert.equal(second.HostConfig["NetworkMode"], dflt);
  });
});

describe("networks compared by id", () => {
  test("a stopped container attached to a former network of that name is recreated, saying so", async () => {
    const { fake, p } = await loaded("nid3");
    await p.up({ detach: true });
    await p.stop();
    // what the engine holds after the network was removed and created again under the stopped
    // container: the endpoint still names the old id (a start would fail: "network … not found")
    const c = [...fake.containers.values()].find((x) => x.name === "nid3-db-1")!;
    c.networks.get("nid3_default")!.networkId = "0123456789abcdef0123";
    const plan = await p.up({ detach: true, dryRun: true });
    const db = plan.plan.services["db"]![0]!;
    const now = await networkId(fake, "nid3_default");
    assert.equal(db.kind, "recreate");
    assert.equal(db.reason, `network nid3_default was replaced (id 0123456789ab → ${now.slice(0, 12)})`);
    // the other service, attached to the networks as they are, is only started
    assert.equal(plan.plan.services["web"]![0]!.kind, "start");
    await p.up({ detach: true });
    assert.equal((await fake.inspectContainer("nid3-db-1"))!.networks["nid3_default"]?.networkId, now);
  });

  test("a container created by name and never started (no id yet) is not recreated for it", async () => {
    const { fake, p } = await loaded("nid4");
    await p.up({ detach: true, noStart: true });
    for (const c of fake.containers.values()) for (const ep of c.networks.values()) ep.networkId = "";
    const plan = await p.up({ detach: true, dryRun: true });
    assert.deepEqual(
      Object.values(plan.plan.services).map((a) => a[0]!.kind),
      ["start", "start"],
    );
  });
});
