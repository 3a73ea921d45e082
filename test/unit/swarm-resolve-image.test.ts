/**
 * `--resolve-image always|changed|never` through Stack.deploy against the fake swarm and a fake
 * engine whose images have repository digests (the tag `web:1` moves from digest A to B between
 * deploys, as after someone pushed it again): which reference each service is sent with, and
 * whether a redeploy updates it. Plus chooseImages' rules on plain data.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Stack } from "../../src/api/swarm-stack.js";
import { chooseImages, pinned, type ResolveImage } from "../../src/cluster/swarm/images.js";
import type { ImageInfo } from "../../src/runtime/engine.js";
import type { ServiceSummary } from "../../src/runtime/engine-swarm.js";
import { FakeEngine } from "../support/fake-engine.js";
import { FakeSwarm } from "../support/fake-swarm.js";

const A = `sha256:${"a".repeat(64)}`;
const B = `sha256:${"b".repeat(64)}`;

/** A fake engine whose `inspectImage` answers repository digests from a table the test moves. */
function engineWith(digests: Map<string, string>): FakeEngine {
  const engine = new FakeEngine();
  engine.inspectImage = (ref: string): Promise<ImageInfo | undefined> => {
    const d = digests.get(ref);
    const repo = ref.replace(/:[^/:]+$/, "");
    return Promise.resolve(d === undefined ? undefined : { id: `sha256:${"c".repeat(64)}`, repoTags: [ref], repoDigests: [`${repo}@${d}`], labels: {}, created: "", lastTagTime: "" });
  };
  return engine;
}

const FILE = (web: string): string => `
name: shop
services:
  web: {image: "${web}"}
  db: {image: "db:1"}
`;

async function deploy(swarm: FakeSwarm, engine: FakeEngine, dir: string, web: string, resolve: ResolveImage) {
  writeFileSync(join(dir, "compose.yaml"), FILE(web));
  const stack = await Stack.load({ cwd: dir, env: {}, stack: "st", engine, swarm });
  const r = await stack.deploy({ resolveImage: resolve, pollMs: 0 });
  const images = Object.fromEntries((await swarm.listServices({})).map((s) => [s.spec.Name, s.spec.TaskTemplate.ContainerSpec.Image]));
  return { actions: Object.fromEntries((r.applied?.services ?? []).map((s) => [s.service, s.action])), images };
}

describe("stack deploy --resolve-image (fake swarm)", () => {
  const setup = () => {
    const digests = new Map([["web:1", A], ["web:2", B], ["db:1", A]]);
    return { digests, swarm: new FakeSwarm(), engine: engineWith(digests), dir: mkdtempSync(join(tmpdir(), "flotilla-resolve-")) };
  };

  test("changed: new services are pinned; an unchanged image: keeps what it runs although the tag moved; a changed one is pinned anew", async () => {
    const { digests, swarm, engine, dir } = setup();
    const first = await deploy(swarm, engine, dir, "web:1", "changed");
    assert.deepEqual(first.images, { st_web: `web:1@${A}`, st_db: `db:1@${A}` });
    digests.set("web:1", B);
    digests.set("db:1", B);
    const same = await deploy(swarm, engine, dir, "web:1", "changed");
    assert.deepEqual(same.actions, { web: "unchanged", db: "unchanged" }, "the file did not change: nothing rolls");
    assert.deepEqual(same.images, first.images);
    const moved = await deploy(swarm, engine, dir, "web:2", "changed");
    assert.deepEqual(moved.actions, { web: "updated", db: "unchanged" });
    assert.deepEqual(moved.images, { st_web: `web:2@${B}`, st_db: `db:1@${A}` });
  });

  test("always: every image is pinned to the digest known now, so a moved tag rolls its service", async () => {
    const { digests, swarm, engine, dir } = setup();
    await deploy(swarm, engine, dir, "web:1", "always");
    digests.set("web:1", B);
    const again = await deploy(swarm, engine, dir, "web:1", "always");
    assert.deepEqual(again.actions, { web: "updated", db: "unchanged" });
    assert.deepEqual(again.images, { st_web: `web:1@${B}`, st_db: `db:1@${A}` });
  });

  test("never: nothing is pinned; an unchanged image: keeps the pinned reference it runs with (no roll on switching to never)", async () => {
    const { swarm, engine, dir } = setup();
    const fresh = await deploy(swarm, engine, dir, "web:1", "never");
    assert.deepEqual(fresh.images, { st_web: "web:1", st_db: "db:1" });
    await deploy(swarm, engine, dir, "web:1", "always");
    const kept = await deploy(swarm, engine, dir, "web:1", "never");
    assert.deepEqual(kept.actions, { web: "unchanged", db: "unchanged" });
    assert.deepEqual(kept.images, { st_web: `web:1@${A}`, st_db: `db:1@${A}` });
    const changed = await deploy(swarm, engine, dir, "web:2", "never");
    assert.deepEqual(changed.images, { st_web: "web:2", st_db: `db:1@${A}` });
  });
});

describe("chooseImages", () => {
  const running = (stack: string, key: string, label: string, image: string): ServiceSummary =>
    ({ id: key, version: 1, createdAt: "", updatedAt: "", spec: { Name: `${stack}_${key}`, Labels: { "com.docker.stack.namespace": stack, "com.docker.stack.image": label }, TaskTemplate: { ContainerSpec: { Image: image } } } });
  const digestOf = (ref: string) => Promise.resolve(ref === "none:1" ? undefined : B);

  test("pushed services are pinned in every mode; a reference with a digest is sent as written; another stack's service does not count", async () => {
    for (const resolve of ["always", "changed", "never"] as const) {
      const out = await chooseImages({
        stack: "st",
        services: { app: { image: "reg/app:1" }, fixed: { image: `x:1@${A}` }, other: { image: "o:1" } },
        deployed: [running("st", "app", "reg/app:1", `reg/app:1@${A}`), running("elsewhere", "other", "o:1", `o:1@${A}`)],
        resolve,
        pushed: new Set(["app"]),
        digestOf,
      });
      assert.equal(out["app"], `reg/app:1@${B}`, resolve);
      assert.equal(out["fixed"], undefined, resolve);
      assert.equal(out["other"], resolve === "never" ? undefined : `o:1@${B}`, resolve);
    }
  });

  test("no digest known: the file's reference (as docker stack when the registry cannot be asked)", async () => {
    assert.deepEqual(await chooseImages({ stack: "st", services: { a: { image: "none:1" } }, deployed: [], resolve: "always", digestOf }), {});
    assert.equal(pinned("r:1", A), `r:1@${A}`);
    assert.equal(pinned(`r:1@${B}`, A), `r:1@${B}`);
  });
});
