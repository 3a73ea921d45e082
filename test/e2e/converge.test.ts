import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { Project } from "../../src/api/project.js";
import { Label } from "../../src/runtime/labels.js";
import type { Engine } from "../../src/runtime/engine.js";

const root = resolve(import.meta.dirname, "../../..");
const basic = resolve(root, "fixtures/rt-basic");
const name = `rt-cv-${process.pid}`;

async function ids(engine: Engine): Promise<Record<string, string>> {
  const list = await engine.listContainers({ labels: { [Label.project]: name }, all: true });
  return Object.fromEntries(list.map((c) => [c.name, c.id]));
}

describe("convergence on the real engine", () => {
  let last: Project | undefined;
  const load = async (env: Record<string, string> = {}, documents?: string[]) => {
    last = await Project.load({ cwd: basic, projectName: name, env: { PATH: process.env.PATH ?? "", ...env }, ...(documents ? { documents } : {}) });
    return last;
  };
  after(async () => {
    // down -v from the file that declares the project's volume (a file without it would keep it)
    if (last) await (await load()).down({ volumes: true, removeOrphans: true });
  });

  test("no-op second up, env change recreates one service, scale 1→3→1, orphans warned then removed", async () => {
    const p = await load();
    await p.up();
    const engine = await p.engine();
    const first = await ids(engine);

    const again = await p.up();
    assert.deepEqual(again.containers.map((c) => c.action), ["noop", "noop"]);
    assert.deepEqual(await ids(engine), first);

    const changed = await load({ GREETING: "bonjour" });
    const plan = await changed.plan();
    assert.deepEqual(plan.services.web!.map((a) => [a.kind, a.reason]), [["recreate", "config changed: environment.GREETING"]]);
    assert.deepEqual(plan.services.worker!.map((a) => a.kind), ["noop"]);
    await changed.up();
    const after1 = await ids(engine);
    assert.notEqual(after1[`${name}-web-1`], first[`${name}-web-1`]);
    assert.equal(after1[`${name}-worker-1`], first[`${name}-worker-1`]);
    assert.equal(Object.keys(after1).length, 2);
    assert.equal((await changed.exec("worker", ["wget", "-qO-", "http://web:8080/"])).stdout.trim(), "bonjour");

    const three = await changed.up({ scale: { worker: 3 } });
    assert.deepEqual(three.containers.filter((c) => c.service === "worker").map((c) => [c.name, c.action]), [
      [`${name}-worker-1`, "noop"],
      [`${name}-worker-2`, "create"],
      [`${name}-worker-3`, "create"],
    ]);
    await changed.up();
    const back = await ids(engine);
    assert.deepEqual(Object.keys(back).sort(), [`${name}-web-1`, `${name}-worker-1`]);
    assert.equal(back[`${name}-worker-1`], first[`${name}-worker-1`]);

    // Orphans: a model without `worker`.
    const onlyWeb = `services:\n  web:\n    image: flotilla-busybox:latest\n    init: true\n    command: ["sh", "-c", "mkdir -p /www && echo \\"$$GREETING\\" > /www/index.html && httpd -f -p 8080 -h /www"]\n    environment:\n      GREETING: bonjour\n    ports:\n      - "127.0.0.1::8080"\n`;
    const slim = await load({}, [onlyWeb]);
    const warned = await slim.up();
    assert.ok(warned.warnings.some((w) => w.includes(`${name}-worker-1`) && w.includes("--remove-orphans")), warned.warnings.join("\n"));
    assert.ok((await ids(engine))[`${name}-worker-1`]);
    await slim.up({ removeOrphans: true });
    assert.deepEqual(Object.keys(await ids(engine)), [`${name}-web-1`]);
  });
});
