import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { compose, wait } from "../../src/index.js";
import { FlotillaError, UsageError, WaitError } from "../../src/errors.js";
import { connectFromEnv } from "../../src/api/project.js";
import { Label } from "../../src/runtime/labels.js";
import type { Engine } from "../../src/runtime/engine.js";
import type { FlotillaEvent } from "../../src/events.js";
import { OwnerLabel } from "../../src/api/reaper.js";

const root = resolve(import.meta.dirname, "../../..");
const webFile = resolve(root, "fixtures/api-web/compose.yaml");

async function leftovers(engine: Engine, project: string): Promise<string[]> {
  const by = { [Label.project]: project };
  const [c, n, v] = await Promise.all([engine.listContainers({ labels: by, all: true }), engine.listNetworks({ labels: by }), engine.listVolumes({ labels: by })]);
  return [...c.map((x) => `container ${x.name}`), ...n.map((x) => `network ${x.name}`), ...v.map((x) => `volume ${x.name}`)];
}

describe("compose() test API", { concurrency: 2 }, () => {
  test("two stacks from the same file in parallel: own names, ports and env; `await using` removes everything", async () => {
    const engine = await connectFromEnv(process.env);
    let names: string[] = [];
    {
      const [a, b] = await Promise.all([
        compose({ files: [webFile], env: { GREETING: "from-a" }, reaper: false }).up(),
        compose({ files: [webFile], env: { GREETING: "from-b" }, reaper: false }).up(),
      ]);
      await using sa = a;
      await using sb = b;
      names = [sa.name, sb.name];
      assert.notEqual(sa.name, sb.name);
      assert.match(sa.name, /^flotilla-test-[0-9a-f]+$/);
      assert.equal(process.env["GREETING"], undefined, "env overrides never touch process.env");
      // default wait: the healthcheck is healthy by the time up() resolves
      assert.equal((await sa.service("web").inspect()).state.health?.status, "healthy");
      assert.equal((await sb.service("web").inspect()).state.health?.status, "healthy");
      const pa = sa.service("web").port(8080);
      const pb = sb.service("web").port(8080);
      assert.notEqual(pa, pb);
      assert.equal((await (await fetch(`http://${sa.host}:${pa}/`)).text()).trim(), "from-a");
      assert.equal((await (await fetch(sb.service("web").url(8080, "/"))).text()).trim(), "from-b");
      assert.equal(sa.service("web").container(1).name, `${sa.name}-web-1`);
      assert.ok((await leftovers(engine, sa.name)).some((x) => x === `volume ${sa.name}_data`));
    }
    for (const n of names) assert.deepEqual(await leftovers(engine, n), [], `nothing left of ${n}`);
  });

  test("`await using` tears the stack down when the block throws, as a failing test body does", async () => {
    const engine = await connectFromEnv(process.env);
    let name = "";
    let during: string[] = [];
    await assert.rejects(
      (async () => {
        await using s = await compose({ files: [webFile] }).up();
        name = s.name;
        during = await leftovers(engine, name);
        throw new Error("the test body failed");
      })(),
      /the test body failed/,
    );
    assert.deepEqual(during.sort(), [`container ${name}-web-1`, `network ${name}_default`, `volume ${name}_data`]);
    assert.deepEqual(await leftovers(engine, name), [], "disposed on the way out: containers, network and volume removed");
  });

  test("a stack given as a YAML string: exec, logs, ports, containers, events with log lines", async () => {
    const events: FlotillaEvent[] = [];
    const yaml = `
services:
  app:
    image: flotilla-busybox:latest
    init: true
    command: ["sh", "-c", "echo app says \${WORD}; exec sleep 3600"]
    ports: ["127.0.0.1::9000"]
`;
    await using stack = await compose({ documents: [yaml], env: { WORD: "hi" }, onEvent: (e) => events.push(e) })
      .waitFor("app", wait.log("app says hi"))
      .up();
    const app = stack.service("app");
    const r = await app.exec("echo out; echo err >&2; exit 3");
    assert.deepEqual([r.exitCode, r.stdout, r.stderr], [3, "out\n", "err\n"]);
    const r2 = await app.exec(["cat", "/proc/1/cmdline"]);
    assert.equal(r2.exitCode, 0);
    assert.match(await app.logText(), /app says hi/);
    assert.equal(app.containers().length, 1);
    assert.ok(app.port(9000) > 0);
    assert.equal(await app.resolvePort(9000), app.port(9000));
    assert.throws(() => app.port(1234), (e: unknown) => e instanceof UsageError && /does not publish port 1234\/tcp/.test(e.message));
    assert.throws(() => stack.service("nope"), (e: unknown) => e instanceof FlotillaError && e.code === "NO_SUCH_SERVICE");
    // owner labels for the crash sweep
    const labels = (await app.inspect()).labels;
    assert.equal(labels[OwnerLabel.pid], String(process.pid));
    assert.ok(events.some((e) => e.type === "resource" && e.kind === "container" && e.status === "Started"));
    assert.ok(events.some((e) => e.type === "resource" && e.kind === "service" && e.status === "Healthy" && e.detail === 'log line matching "app says hi"'));
    // log lines are forwarded while the stack is up (polled: the follow stream may lag on a loaded machine)
    const deadline = Date.now() + 30_000;
    while (!events.some((e) => e.type === "log" && e.service === "app" && e.line === "app says hi") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok(events.some((e) => e.type === "log" && e.service === "app" && e.line === "app says hi"));
  });

  test("a failed wait tears down everything up() made, then rethrows", async () => {
    const engine = await connectFromEnv(process.env);
    const projectName = `flotilla-test-fail-${process.pid}`;
    // The deadline covers up() too: on a loaded machine up() can eat it, and then the error is up's and the
    // wait never ran. Such a run proves nothing either way: it is run again with twice the deadline.
    let err: unknown;
    for (let timeout = 8_000; ; timeout *= 2) {
      err = await compose({ files: [webFile], projectName, timeout })
        .waitFor("web", wait.http({ port: 8080, path: "/missing" }))
        .up()
        .then(() => undefined, (e: unknown) => e);
      const upAteIt = err instanceof FlotillaError && !(err instanceof WaitError) && err.code === "WAIT_TIMEOUT";
      if (!upAteIt || timeout >= 64_000) break;
      assert.deepEqual(await leftovers(engine, projectName), []);
    }
    assert.ok(err instanceof WaitError, String(err));
    assert.equal(err.code, "WAIT_TIMEOUT");
    assert.deepEqual(await leftovers(engine, projectName), []);
  });

  test("a failed up (host port taken by its own first service) removes the network and container it created", async () => {
    const engine = await connectFromEnv(process.env);
    const projectName = `flotilla-test-clash-${process.pid}`;
    const hostPort = 20000 + (process.pid % 20000);
    const svc = { image: "flotilla-busybox:latest", init: true, command: ["sleep", "3600"], ports: [`127.0.0.1:${hostPort}:80`] };
    const events: FlotillaEvent[] = [];
    const err = await compose({ projectName, documents: [{ services: { first: svc, second: { ...svc, depends_on: ["first"] } } }], onEvent: (e) => events.push(e) })
      .up()
      .then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof FlotillaError, String(err));
    assert.equal(err.code, "PORT_ALLOCATED");
    assert.ok(events.some((e) => e.type === "resource" && e.kind === "network" && e.status === "Created"), "the network had been created");
    assert.deepEqual(await leftovers(engine, projectName), []);
  });

  test("a missing image (pull never) fails with IMAGE_NOT_FOUND and leaves nothing", async () => {
    const engine = await connectFromEnv(process.env);
    const projectName = `flotilla-test-noimg-${process.pid}`;
    const err = await compose({ projectName, pull: "never", documents: [{ services: { x: { image: "flotilla-no-such-image:nope" } } }] })
      .up()
      .then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof FlotillaError, String(err));
    assert.equal(err.code, "IMAGE_NOT_FOUND");
    assert.deepEqual(await leftovers(engine, projectName), []);
  });

  test("keepOnFailure leaves the stack for debugging; reuse needs a projectName; waitFor checks the service", async () => {
    const engine = await connectFromEnv(process.env);
    const projectName = `flotilla-test-keep-${process.pid}`;
    try {
      const err = await compose({ projectName, keepOnFailure: true, documents: [{ services: { j: { image: "flotilla-busybox:latest", command: ["sh", "-c", "echo boom; exit 4"] } } }] })
        .waitFor("j", wait.completed())
        .up()
        .then(() => undefined, (e: unknown) => e);
      assert.ok(err instanceof WaitError);
      assert.equal(err.exitCode, 4);
      assert.deepEqual(await leftovers(engine, projectName), [`container ${projectName}-j-1`, `network ${projectName}_default`]);
    } finally {
      const { removeStack } = await import("../../src/api/reaper.js");
      await removeStack(engine, projectName);
    }
    await assert.rejects(compose({ files: [webFile], reuse: true }).up(), (e: unknown) => e instanceof UsageError && /projectName/.test(e.message));
    {
      // a document with files overrides one setting of the file for this stack only
      await using tweaked = await compose({ files: [webFile], documents: [{ services: { web: { environment: { GREETING: "from-a-document" } } } }], reaper: false }).up();
      assert.equal((await (await fetch(tweaked.service("web").url(8080, "/"))).text()).trim(), "from-a-document");
    }
    await assert.rejects(compose({ files: [webFile] }).waitFor("api", wait.healthy()).up(), (e: unknown) => e instanceof FlotillaError && e.code === "NO_SUCH_SERVICE" && /api/.test(e.message));
  });

  test("restart(service) waits again and refreshes ports; reuse keeps the stack across handles", async () => {
    const engine = await connectFromEnv(process.env);
    const projectName = `flotilla-test-reuse-${process.pid}`;
    try {
      let firstId: string;
      {
        await using s1 = await compose({ files: [webFile], projectName, reuse: true }).waitFor("web", wait.http({ port: 8080, path: "/health", body: "ok" })).up();
        firstId = s1.service("web").container().id;
        await s1.restart("web");
        assert.equal((await (await fetch(s1.service("web").url(8080, "/health"))).text()).trim(), "ok");
      }
      assert.equal((await leftovers(engine, projectName)).filter((x) => x.startsWith("container")).length, 1, "reuse: dispose keeps the stack");
      await using s2 = await compose({ files: [webFile], projectName, reuse: true, env: { GREETING: "changed" } }).up();
      assert.equal(s2.service("web").container().id, firstId, "no-recreate: the same container");
      await s2.down();
    } finally {
      const { removeStack } = await import("../../src/api/reaper.js");
      await removeStack(engine, projectName);
    }
    assert.deepEqual(await leftovers(engine, projectName), []);
  });
});
