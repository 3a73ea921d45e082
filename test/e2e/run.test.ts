import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { Project } from "../../src/api/project.js";
import { Label } from "../../src/runtime/labels.js";

const root = resolve(import.meta.dirname, "../../..");
const name = `rt-run-${process.pid}`;

describe("run on the real engine", () => {
  let p: Project;
  before(async () => {
    // web publishes a port and depends on nothing; worker depends on web (rt-basic)
    p = await Project.load({ cwd: resolve(root, "fixtures/rt-basic"), projectName: name, env: {} });
  });
  after(async () => {
    await p?.down({ volumes: true, removeOrphans: true, timeout: 0 });
  });

  test("a one-off container: dependencies started first, output streamed, exit code, overrides; --rm removes it", async () => {
    let stdout = "";
    let stderr = "";
    const r = await p.run("worker", {
      command: ["sh", "-c", "echo \"$GREETING $ONE\"; wget -qO- http://web:8080/; echo oops >&2; exit 5"],
      env: { GREETING: "hi", ONE: "1" },
      remove: true,
      onOutput: (c) => (c.stream === "stdout" ? (stdout += c.data.toString()) : (stderr += c.data.toString())),
    });
    assert.equal(r.exitCode, 5);
    assert.equal(stdout, "hi 1\nhello\n", "web (a dependency) was started and is reachable by name");
    assert.equal(stderr, "oops\n");
    assert.match(r.name, new RegExp(`^${name}-worker-run-[0-9a-f]{12}$`));
    const engine = await p.engine();
    assert.equal(await engine.inspectContainer(r.id), undefined, "--rm removed it");
    // the service's own container was not created by run
    assert.equal(await engine.inspectContainer(`${name}-worker-1`), undefined);
  });

  test("stdin: given input reaches the command and is closed at its end; input that never ends does not hold the run", async () => {
    let out = "";
    const fed = await p.run("worker", {
      noDeps: true,
      remove: true,
      command: ["sh", "-c", "wc -c; echo after-eof"],
      stdin: (async function* () {
        yield "x".repeat(70_000);
        yield Buffer.from("y".repeat(30_000));
      })(),
      onOutput: (c) => (out += c.data.toString()),
    });
    assert.equal(fed.exitCode, 0);
    assert.deepEqual(out.split(/\s+/).filter(Boolean), ["100000", "after-eof"]);

    let quick = "";
    const never = new Promise<never>(() => {});
    const open = await p.run("worker", {
      noDeps: true,
      remove: true,
      command: ["echo", "quick"],
      stdin: (async function* () {
        yield await never;
      })(),
      onOutput: (c) => (quick += c.data.toString()),
    });
    assert.equal(open.exitCode, 0);
    assert.equal(quick, "quick\n");
  });

  test("detached, without dependencies: labelled one-off, no published ports, not counted as a replica", async () => {
    await p.down({ timeout: 0 });
    const r = await p.run("web", { detach: true, noDeps: true, command: ["sleep", "30"], labels: { "x.test": "yes" } });
    assert.equal(r.exitCode, undefined);
    const engine = await p.engine();
    const d = await engine.inspectContainer(r.id);
    assert.ok(d);
    assert.equal(d.state.running, true);
    assert.equal(d.labels[Label.oneoff], "True");
    assert.equal(d.labels[Label.service], "web");
    assert.match(d.labels[Label.slug] ?? "", /^[0-9a-f]{64}$/);
    assert.equal(d.labels["x.test"], "yes");
    assert.equal(d.labels[Label.containerNumber], undefined);
    assert.deepEqual(d.ports.filter((b) => b.publicPort !== undefined && b.publicPort !== 0), [], "run publishes no ports by default");
    // up creates the service's container next to it: the one-off is not a replica
    const up = await p.up({ services: ["web"] });
    assert.deepEqual(up.containers.map((c) => [c.name, c.action]), [[`${name}-web-1`, "create"]]);
    await engine.removeContainer(r.id, { force: true });
  });

  test("-p, -v (bind and a project volume the service does not use) and --use-aliases", async () => {
    await p.down({ timeout: 0, volumes: true });
    const dir = await mkdtemp(join(tmpdir(), "flotilla-run-v-"));
    try {
      await writeFile(join(dir, "hello.txt"), "bound\n");
      const r = await p.run("web", {
        detach: true,
        noDeps: true,
        command: ["sh", "-c", "echo kept > /x/mark; httpd -f -p 7000 -h /srv"],
        volumes: [
          { type: "bind", source: dir, target: "/srv" },
          { type: "volume", source: "data", target: "/x", volume: {} },
        ],
        publish: [{ mode: "ingress", host_ip: "127.0.0.1", target: 7000, protocol: "tcp" }],
        useAliases: true,
      });
      const engine = await p.engine();
      // the project volume was created by flotilla (labelled), not implicitly by the engine
      const vol = (await engine.listVolumes({ labels: { [Label.project]: name } })).map((v) => v.name);
      assert.deepEqual(vol, [`${name}_data`]);
      let port: number | undefined;
      for (let i = 0; i < 300 && port === undefined; i++) {
        port = (await engine.inspectContainer(r.id))?.ports.find((b) => b.privatePort === 7000 && b.publicPort)?.publicPort;
        if (port === undefined) await new Promise((res) => setTimeout(res, 100));
      }
      assert.ok(port, "-p published 7000 on a host port");
      let body = "";
      for (let i = 0; i < 300 && body === ""; i++) {
        body = await fetch(`http://127.0.0.1:${port}/hello.txt`).then((res) => (res.ok ? res.text() : ""), () => "");
        if (body === "") await new Promise((res) => setTimeout(res, 100));
      }
      assert.equal(body, "bound\n", "the bind mount is served");
      // with --use-aliases the one-off answers to the service name; the volume holds what it wrote
      let out = "";
      const probe = await p.run("worker", { noDeps: true, remove: true, command: ["sh", "-c", "wget -qO- http://web:7000/hello.txt && cat /data/mark"], onOutput: (c) => (out += c.data.toString()) });
      assert.equal(probe.exitCode, 0, out);
      assert.equal(out, "bound\nkept\n");
      await engine.removeContainer(r.id, { force: true });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
