/** The SwarmEngine contract on a real one-node lab swarm (started and torn down here). */
import assert from "node:assert/strict";
import { after } from "node:test";
import { DockerSwarm } from "../../src/runtime/docker/swarm.js";
import { connectEngine } from "../../src/runtime/docker/index.js";
import { parseDockerHost } from "../../src/runtime/connect.js";
import { swarmContract } from "../support/swarm-contract.js";
import { labDown, labUnavailable, labUp, type Lab } from "../support/swarm-lab.js";

const why = labUnavailable();
if (why) {
  console.log(`swarm contract e2e not run: ${why}`);
} else {
  let lab: Lab | undefined;
  after(() => labDown(lab));
  swarmContract("DockerSwarm on a 1-node lab", async () => {
    lab = await labUp({ nodes: 1 });
    const engine = await connectEngine({}, { endpoint: parseDockerHost(lab.dockerHost, "lab") });
    const swarm = (await engine.swarm()) as DockerSwarm;
    const [image] = lab.images;
    assert.ok(image, "the lab loads at least one image");
    return { swarm, image, pollMs: 250, cleanup: async () => {} };
  });
}
