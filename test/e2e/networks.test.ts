import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { Project } from "../../src/api/project.js";

const root = resolve(import.meta.dirname, "../../..");
const name = `rt-net-${process.pid}`;

describe("networks on the real engine", () => {
  let p: Project;
  before(async () => {
    p = await Project.load({ cwd: resolve(root, "fixtures/rt-networks"), projectName: name, env: {} });
  });
  after(async () => {
    await p?.down({ volumes: true, removeOrphans: true, timeout: 0 });
  });

  test("services reach each other only over a shared network; aliases, a fixed address and internal work", async () => {
    await p.up({ wait: true });
    // busybox's own `timeout` bounds each request (its wget -T crashes in the static build)
    const get = (from: string, host: string) => p.exec(from, ["timeout", "3", "wget", "-qO-", `http://${host}/`]);

    // api is on both networks: it reaches web by name, db by name, by alias and by its fixed address
    assert.equal((await get("api", "web")).stdout.trim(), "front");
    assert.equal((await get("api", "db")).stdout.trim(), "back");
    assert.equal((await get("api", "database")).stdout.trim(), "back");
    assert.equal((await get("api", "10.213.250.10")).stdout.trim(), "back");

    // web and db share no network: neither the name nor the address of db is reachable from web
    const byName = await get("web", "db");
    assert.notEqual(byName.exitCode, 0, `web reached db by name: ${byName.stdout}`);
    const byAddress = await get("web", "10.213.250.10");
    assert.notEqual(byAddress.exitCode, 0, `web reached db's address: ${byAddress.stdout}`);

    const engine = await p.engine();
    const back = await engine.inspectNetwork(`${name}_back`);
    assert.ok(back);
    assert.equal(back.internal, true);
    const db = await engine.inspectContainer(`${name}-db-1`);
    assert.deepEqual(Object.keys(db?.networks ?? {}), [`${name}_back`]);
  });
});
