/** The SwarmEngine contract against the in-memory fake (the same suite runs on a real lab swarm in e2e). */
import { swarmContract } from "../support/swarm-contract.js";
import { FakeSwarm } from "../support/fake-swarm.js";

swarmContract("FakeSwarm", async () => ({ swarm: new FakeSwarm({ healthSteps: 3 }), image: "flotilla-busybox:latest", pollMs: 0, cleanup: async () => {} }));
