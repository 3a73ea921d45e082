import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { Project } from "../../src/api/project.js";
import { Label, COMPOSE_VERSION } from "../../src/runtime/labels.js";
import { ConfigError } from "../../src/errors.js";
import type { FlotillaEvent } from "../../src/events.js";

const root = resolve(import.meta.dirname, "../../..");
const basic = resolve(root, "fixtures/rt-basic");
const name = `rt-ud-${process.pid}`;

describe("up / down on the real engine", () => {
  let p: Project;
  before(async () => {
    p = await Project.load({ cwd: basic, projectName: name, env: { PATH: process.env.PATH ?? "" } });
  });
  after(async () => {
    await p?.down({ volumes: true, removeOrphans: true });
  });

  test("up creates Compose names and labels; DNS and published port work; volume survives down/up; down -v removes it", async () => {
    const events: FlotillaEvent[] = [];
    const result = await p.up({ onEvent: (e) => events.push(e) });
    assert.deepEqual(result.containers.map((c) => [c.name, c.action]), [[`${name}-web-1`, "create"], [`${name}-worker-1`, "create"]]);
    assert.ok(events.some((e) => e.type === "resource" && e.kind === "network" && e.name === `${name}_default` && e.status === "Created"));

    const engine = await p.engine();
    const d = await engine.inspectContainer(`${name}-worker-1`);
    assert.ok(d);
    const l = d.labels;
    assert.equal(l[Label.project], name);
    assert.equal(l[Label.service], "worker");
    assert.equal(l[Label.containerNumber], "1");
    assert.equal(l[Label.oneoff], "False");
    assert.match(l[Label.configHash] ?? "", /^[0-9a-f]{64}$/);
    assert.equal(l[Label.version], COMPOSE_VERSION);
    assert.equal(l[Label.workingDir], basic);
    assert.equal(l[Label.configFiles], resolve(basic, "compose.yaml"));
    assert.equal(l[Label.dependsOn], "web:service_started:false");
    assert.ok(d.networks[`${name}_default`], "attached to <project>_default");
    const net = await engine.inspectNetwork(`${name}_default`);
    assert.equal(net?.labels[Label.network], "default");
    assert.equal(net?.labels[Label.project], name);
    const vol = await engine.inspectVolume(`${name}_data`);
    assert.equal(vol?.labels[Label.volume], "data");

    // DNS between services, by service name
    const dns = await p.exec("worker", ["wget", "-qO-", "http://web:8080/"]);
    assert.equal(dns.exitCode, 0, dns.stderr);
    assert.equal(dns.stdout.trim(), "hello");

    // published port from the host
    const port = await p.port("web", 8080);
    assert.ok(port && port > 0);
    const body = await (await fetch(`http://127.0.0.1:${port}/`)).text();
    assert.equal(body.trim(), "hello");

    // ps rows
    const rows = await p.ps();
    assert.deepEqual(rows.map((r) => [r.Service, r.State, r.Number]), [["web", "running", 1], ["worker", "running", 1]]);
    assert.deepEqual(rows[0]!.Publishers, [{ URL: "127.0.0.1", TargetPort: 8080, PublishedPort: port, Protocol: "tcp" }]);

    // the named volume persists across down / up
    assert.equal((await p.exec("worker", ["sh", "-c", "echo kept > /data/f"])).exitCode, 0);
    const down1 = await p.down();
    assert.deepEqual(down1.containers.sort(), [`${name}-web-1`, `${name}-worker-1`]);
    assert.deepEqual(down1.networks, [`${name}_default`]);
    assert.deepEqual(down1.volumes, []);
    assert.equal((await engine.listContainers({ labels: { [Label.project]: name }, all: true })).length, 0);
    await p.up();
    const read = await p.exec("worker", ["cat", "/data/f"]);
    assert.equal(read.stdout.trim(), "kept");

    const down2 = await p.down({ volumes: true });
    assert.deepEqual(down2.volumes, [`${name}_data`]);
    assert.equal(await engine.inspectVolume(`${name}_data`), undefined);
    assert.equal(await engine.inspectNetwork(`${name}_default`), undefined);
  });

  test("a bad file creates nothing", async () => {
    const bad = `rt-bad-${process.pid}`;
    await assert.rejects(
      Project.load({ cwd: resolve(root, "fixtures/rt-bad"), projectName: bad, env: {} }),
      (e: unknown) => e instanceof ConfigError && /nope/.test(e.message),
    );
    const engine = await p.engine();
    assert.equal((await engine.listContainers({ labels: { [Label.project]: bad }, all: true })).length, 0);
    assert.equal((await engine.listNetworks({ labels: { [Label.project]: bad } })).length, 0);
  });

  test("platform reaches the engine at create: the local image's platform runs, another one is refused naming the service", async () => {
    const plat = `rt-plat-${process.pid}`;
    const arch = process.arch === "arm64" ? "arm64" : "amd64";
    const other = arch === "amd64" ? "linux/s390x" : "linux/amd64";
    const q = await Project.load({
      projectName: plat,
      env: {},
      cwd: root,
      documents: [{ services: { ok: { image: "flotilla-busybox:latest", platform: `linux/${arch}`, command: ["sleep", "30"], pull_policy: "never" } } }],
    });
    try {
      await q.up({ timeout: 0 });
      assert.equal((await q.ps())[0]?.State, "running");
      const wrong = await Project.load({
        projectName: plat,
        env: {},
        cwd: root,
        documents: [{ services: { ok: { image: "flotilla-busybox:latest", platform: `linux/${arch}`, command: ["sleep", "30"], pull_policy: "never" }, odd: { image: "flotilla-busybox:latest", platform: other, command: ["true"], pull_policy: "never" } } }],
      });
      await assert.rejects(wrong.up({ services: ["odd"] }), (e: unknown) => {
        assert.ok(e instanceof Error);
        assert.match(e.message, /odd/);
        assert.match(e.message, new RegExp(`does not match the specified platform: wanted ${other.replace("/", "\\/")}`));
        assert.match((e as { hint?: string }).hint ?? "", /another platform/);
        return true;
      });
    } finally {
      await q.down({ timeout: 0, removeOrphans: true });
    }
  });
});
