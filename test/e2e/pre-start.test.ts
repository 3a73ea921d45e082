import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { Project } from "../../src/api/project.js";
import { ServiceError } from "../../src/errors.js";
import { Label } from "../../src/runtime/labels.js";

const root = resolve(import.meta.dirname, "../../..");
const dir = resolve(root, "fixtures/rt-prestart");
const name = `rt-prestart-${process.pid}`;

describe("pre_start steps on the real engine", () => {
  let p: Project;
  before(async () => {
    p = await Project.load({ cwd: dir, projectName: name, env: {} });
  });
  after(async () => {
    const all = await Project.load({ cwd: dir, projectName: name, env: {}, profiles: ["broken"] });
    await all.down({ volumes: true, removeOrphans: true, timeout: 0 });
  });

  test("run in order before the service, with its volumes (named and anonymous), networks and their own environment; not again when nothing changed", async () => {
    await p.up({ wait: true });
    const read = async (service: string, file: string) => (await p.exec(service, ["cat", file])).stdout;
    assert.equal(await read("web", "/data/log"), "step1 from-env\nstep2\n");
    assert.equal(await read("web", "/data/fetched"), "cached\n", "the step reached cache over the service's network");
    assert.equal(await read("web", "/scratch/a"), "anon\n", "the step wrote into the service container's anonymous volume");
    // once per service by default; per_replica: once per new container
    assert.equal(await read("workers", "/data/replicas"), "replica\nreplica\n");

    const engine = await p.engine();
    const leftovers = await engine.listContainers({ labels: { [Label.project]: name, [Label.hook]: "pre_start" }, all: true });
    assert.deepEqual(leftovers, [], "init containers are removed once they exited");

    // a second up changes nothing: the steps do not run again
    await p.up({ wait: true });
    assert.equal(await read("web", "/data/log"), "step1 from-env\nstep2\n");
    assert.equal(await read("workers", "/data/replicas"), "replica\nreplica\n");
  });

  test("a failing step stops up with its exit code and output, and the service is not started", async () => {
    const withBroken = await Project.load({ cwd: dir, projectName: name, env: {}, profiles: ["broken"] });
    await assert.rejects(withBroken.up({ services: ["broken"] }), (e: unknown) => {
      assert.ok(e instanceof ServiceError, String(e));
      assert.equal(e.code, "CONTAINER_FAILED");
      assert.equal(e.service, "broken");
      assert.match(e.message, /pre_start step 1 .* exited with code 3/);
      assert.deepEqual(e.logs, ["cannot migrate"]);
      return true;
    });
    const engine = await withBroken.engine();
    const broken = await engine.inspectContainer(`${name}-broken-1`);
    assert.equal(broken?.state.status, "created", "the service container was created but never started");
    const leftovers = await engine.listContainers({ labels: { [Label.project]: name, [Label.hook]: "pre_start" }, all: true });
    assert.deepEqual(leftovers, []);
  });
});
