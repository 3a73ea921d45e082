import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { resolve } from "node:path";
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
});
