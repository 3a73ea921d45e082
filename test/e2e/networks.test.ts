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

  test("a network whose definition changed is recreated with the containers on it (as Compose)", async () => {
    const proj = `rt-netchg-${process.pid}`;
    const doc = (labels: Record<string, string>) => ({
      services: {
        a: { image: "flotilla-busybox:latest", command: ["sh", "-c", "mkdir -p /w && echo a > /w/index.html && httpd -f -p 80 -h /w"], networks: ["mesh"] },
        b: { image: "flotilla-busybox:latest", command: ["sleep", "3600"], networks: ["mesh"] },
        c: { image: "flotilla-busybox:latest", command: ["sleep", "3600"] },
      },
      networks: { mesh: { labels } },
    });
    const first = await Project.load({ cwd: root, projectName: proj, env: {}, documents: [doc({ v: "1" })] });
    try {
      await first.up({ timeout: 0 });
      const engine = await first.engine();
      const before = await engine.inspectNetwork(`${proj}_mesh`);
      const cBefore = (await engine.inspectContainer(`${proj}-c-1`))!.id;
      const changed = await Project.load({ cwd: root, projectName: proj, env: {}, documents: [doc({ v: "2" })] });
      const events: string[] = [];
      const result = await changed.up({ timeout: 0, onEvent: (e) => e.type === "resource" && events.push(`${e.kind} ${e.name} ${e.status}`) });
      const after = await engine.inspectNetwork(`${proj}_mesh`);
      assert.ok(after && before && after.id !== before.id, "a new network");
      assert.equal(after.labels["v"], "2");
      assert.ok(events.includes(`network ${proj}_mesh Recreated`), events.join("\n"));
      assert.deepEqual(result.containers.map((c) => [c.name, c.action]).sort(), [[`${proj}-a-1`, "recreate"], [`${proj}-b-1`, "recreate"], [`${proj}-c-1`, "noop"]]);
      assert.equal((await engine.inspectContainer(`${proj}-c-1`))!.id, cBefore, "a service not on it is left alone");
      let body = "";
      for (let i = 0; i < 50 && body === ""; i++) {
        body = (await changed.exec("b", ["timeout", "3", "wget", "-qO-", "http://a/"])).stdout.trim();
        if (body === "") await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(body, "a", "the recreated containers reach each other on the new network");
    } finally {
      await first.down({ timeout: 0 });
    }
  });

  test("a network removed and created again under a stopped container: up recreates the container (compared by id)", async () => {
    const proj = `rt-netid-${process.pid}`;
    const doc = { services: { s: { image: "flotilla-busybox:latest", init: true, command: ["sleep", "3600"] } } };
    const q = await Project.load({ cwd: root, projectName: proj, env: {}, documents: [doc] });
    try {
      await q.up({ timeout: 0 });
      const engine = await q.engine();
      const net = (await engine.inspectNetwork(`${proj}_default`))!;
      assert.equal((await engine.inspectContainer(`${proj}-s-1`))!.networks[net.name]?.networkId, net.id, "attached by id");
      await q.stop(undefined, { timeout: 0 });
      // someone else (another tool, a racing command) replaces the network: same name and labels, new id
      await engine.removeNetwork(net.id);
      const id = await engine.createNetwork({ Name: net.name, Labels: net.labels });
      const result = await q.up({ timeout: 0 });
      assert.deepEqual(result.containers.map((c) => [c.name, c.action]), [[`${proj}-s-1`, "recreate"]]);
      const now = (await engine.inspectContainer(`${proj}-s-1`))!;
      assert.equal(now.state.status, "running");
      assert.equal(now.networks[net.name]?.networkId, id);
    } finally {
      await q.down({ timeout: 0 });
    }
  });
});
