import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { FakeEngine, emulateCommand } from "../support/fake-engine.js";
import { isFlotillaError } from "../../src/errors.js";
import { engineContract } from "../support/engine-contract.js";

engineContract("FakeEngine", () => {
  const engine = new FakeEngine();
  engine.addImage("flotilla-busybox:latest");
  return Promise.resolve({ engine, image: "flotilla-busybox:latest", registry: "registry.fake:5000", cleanup: () => Promise.resolve() });
}, { realProcesses: false });

function fresh(): FakeEngine {
  const engine = new FakeEngine();
  engine.addImage("busybox");
  return engine;
}

describe("FakeEngine scripting", () => {
  test("scripted health advances one step per inspect and the last value sticks", async () => {
    const engine = fresh();
    engine.script.health("db", ["starting", "starting", "healthy"]);
    const id = await engine.createContainer({ name: "db", Image: "busybox", Cmd: ["sleep", "1"], HostConfig: {} });
    await engine.startContainer(id);
    const seen: string[] = [];
    for (let i = 0; i < 5; i++) seen.push((await engine.inspectContainer(id))?.state.health?.status ?? "none");
    assert.deepEqual(seen, ["starting", "starting", "healthy", "healthy", "healthy"]);
  });

  test("a healthcheck without a script goes starting -> healthy; none without a healthcheck", async () => {
    const engine = fresh();
    const a = await engine.createContainer({ name: "a", Image: "busybox", Cmd: ["sleep", "1"], Healthcheck: { Test: ["CMD", "true"] }, HostConfig: {} });
    const b = await engine.createContainer({ name: "b", Image: "busybox", Cmd: ["sleep", "1"], HostConfig: {} });
    await engine.startContainer(a);
    await engine.startContainer(b);
    assert.equal((await engine.inspectContainer(a))?.state.health?.status, "starting");
    assert.equal((await engine.inspectContainer(a))?.state.health?.status, "healthy");
    assert.equal((await engine.inspectContainer(b))?.state.health, undefined);
  });

  test("exitAfterStart makes waitContainer resolve with the scripted code", async () => {
    const engine = fresh();
    engine.script.exitAfterStart("job", 3);
    const id = await engine.createContainer({ name: "job", Image: "busybox", Cmd: ["sleep", "100"], HostConfig: {} });
    const waiting = engine.waitContainer(id).catch((e: unknown) => e);
    await engine.startContainer(id);
    // wait registered before start: the container was "created", so it resolves at once with 0
    assert.equal(await waiting, 0);
    assert.equal(await engine.waitContainer(id), 3);
    const d = await engine.inspectContainer(id);
    assert.equal(d?.state.status, "exited");
    assert.equal(d?.state.exitCode, 3);
  });

  test("failCreate and failStart reject with the scripted error; the call is logged", async () => {
    const engine = fresh();
    engine.script.failCreate("bad");
    await assert.rejects(engine.createContainer({ name: "bad", Image: "busybox", HostConfig: {} }), /scripted create failure/);
    assert.equal(engine.callsOf("createContainer").length, 1);
    assert.equal(await engine.inspectContainer("bad"), undefined);
    engine.script.failStart("worse");
    const id = await engine.createContainer({ name: "worse", Image: "busybox", HostConfig: {} });
    await assert.rejects(engine.startContainer(id), /scripted start failure/);
  });

  test("pullFails rejects with PULL_FAILED; other pulls add the image", async () => {
    const engine = new FakeEngine();
    engine.script.pullFails("nope/none:1", "manifest unknown");
    await assert.rejects(engine.pullImage("nope/none:1"), (e: unknown) => isFlotillaError(e) && e.code === "PULL_FAILED" && /manifest unknown/.test(e.message));
    assert.equal(await engine.inspectImage("redis"), undefined);
    const progress: string[] = [];
    await engine.pullImage("redis", (m) => progress.push(m.status ?? ""));
    assert.ok(progress.length > 0);
    assert.ok(await engine.inspectImage("redis:latest"));
  });

  test("buildImage drains the context, tags the image and returns its id; buildFails rejects", async () => {
    const engine = new FakeEngine();
    const id = await engine.buildImage({ context: Readable.from([Buffer.from("tar")]), tags: ["proj-web"] });
    assert.equal((await engine.inspectImage("proj-web:latest"))?.id, id);
    engine.script.buildFails("proj-bad");
    await assert.rejects(engine.buildImage({ context: Readable.from([]), tags: ["proj-bad"] }), (e: unknown) => isFlotillaError(e) && e.code === "BUILD_FAILED");
  });

  test("published ports: ephemeral ports are assigned, a taken port gives PORT_ALLOCATED", async () => {
    const engine = fresh();
    const pb = (hostPort: string) => ({ PortBindings: { "80/tcp": [{ HostIp: "127.0.0.1", HostPort: hostPort }] } });
    const exposed = { "80/tcp": {} };
    const a = await engine.createContainer({ name: "a", Image: "busybox", Cmd: ["httpd", "-f"], ExposedPorts: exposed, HostConfig: pb("8080") });
    const b = await engine.createContainer({ name: "b", Image: "busybox", Cmd: ["httpd", "-f"], ExposedPorts: exposed, HostConfig: pb("8080") });
    const c = await engine.createContainer({ name: "c", Image: "busybox", Cmd: ["httpd", "-f"], ExposedPorts: exposed, HostConfig: pb("") });
    // without ExposedPorts the engine publishes nothing
    const d = await engine.createContainer({ name: "d", Image: "busybox", Cmd: ["httpd", "-f"], HostConfig: pb("8080") });
    await engine.startContainer(d);
    assert.deepEqual((await engine.inspectContainer(d))?.ports, []);
    await engine.startContainer(a);
    await assert.rejects(engine.startContainer(b), (e: unknown) => isFlotillaError(e) && e.code === "PORT_ALLOCATED");
    await engine.startContainer(c);
    const port = (await engine.inspectContainer(c))?.ports[0];
    assert.equal(port?.privatePort, 80);
    assert.ok(port?.publicPort !== undefined && port.publicPort >= 49153);
    assert.equal((await engine.inspectContainer(a))?.ports[0]?.publicPort, 8080);
  });

  test("removing a running container needs force; removing a used volume fails", async () => {
    const engine = fresh();
    await engine.createVolume({ Name: "v" });
    const id = await engine.createContainer({ name: "x", Image: "busybox", Cmd: ["sleep", "9"], HostConfig: { Binds: ["v:/data"] } });
    await engine.startContainer(id);
    await assert.rejects(engine.removeContainer(id), /cannot remove a running container/);
    await assert.rejects(engine.removeVolume("v"), /volume is in use/);
    assert.deepEqual((await engine.inspectContainer(id))?.mounts, [{ type: "volume", name: "v", source: "v", destination: "/data", rw: true }]);
    await engine.removeContainer(id, { force: true });
    await engine.removeVolume("v");
    assert.equal(await engine.inspectVolume("v"), undefined);
  });

  test("duplicate container names conflict, like the engine", async () => {
    const engine = fresh();
    await engine.createContainer({ name: "same", Image: "busybox", HostConfig: {} });
    await assert.rejects(engine.createContainer({ name: "same", Image: "busybox", HostConfig: {} }), (e: unknown) => isFlotillaError(e) && /already in use/.test(e.message));
  });

  test("logs follow streams new output until the container stops", async () => {
    const engine = fresh();
    engine.script.exitAfterStart("talker", 0, 20).output("talker", [{ stream: "stdout", data: "a\n" }]);
    const id = await engine.createContainer({ name: "talker", Image: "busybox", Cmd: ["sleep", "9"], HostConfig: {} });
    await engine.startContainer(id);
    const lines: string[] = [];
    for await (const c of engine.logs(id, { follow: true })) lines.push(c.data.toString());
    assert.deepEqual(lines, ["a\n"]);
    assert.equal((await engine.inspectContainer(id))?.state.status, "exited");
  });
});

describe("FakeEngine call log and events", () => {
  test("restart is one logged call, bumps restartCount and runs the container again", async () => {
    const engine = fresh();
    const id = await engine.createContainer({ name: "r", Image: "busybox", Cmd: ["sleep", "9"], HostConfig: {} });
    await engine.startContainer(id);
    const before = engine.calls.length;
    await engine.restartContainer(id);
    assert.deepEqual(engine.calls.slice(before).map((c) => c.method), ["restartContainer"]);
    const d = await engine.inspectContainer(id);
    assert.equal(d?.restartCount, 1);
    assert.equal(d?.state.status, "running");
  });

  test("events carry container labels, include health_status, and end on abort", async () => {
    const engine = fresh();
    engine.script.health("h", ["starting", "healthy"]);
    const ac = new AbortController();
    const seen: string[] = [];
    const reading = (async () => {
      for await (const e of engine.events({ labels: { app: "x" } }, ac.signal)) {
        seen.push(e.action);
        if (e.action === "health_status: healthy") ac.abort();
      }
    })();
    const other = await engine.createContainer({ name: "o", Image: "busybox", Cmd: ["sleep", "9"], HostConfig: {} });
    await engine.startContainer(other);
    const id = await engine.createContainer({ name: "h", Image: "busybox", Cmd: ["sleep", "9"], Labels: { app: "x" }, HostConfig: {} });
    await engine.startContainer(id);
    await engine.inspectContainer(id);
    await engine.inspectContainer(id);
    await engine.inspectContainer(id);
    await reading;
    assert.deepEqual(seen, ["create", "start", "health_status: healthy"]);
  });
});

describe("emulateCommand", () => {
  test("echo, redirects, && / || and exit", () => {
    const files = new Map<string, Buffer>();
    assert.deepEqual(emulateCommand(["sh", "-c", "echo a; echo b >&2; false && echo no || echo yes; exit 4"], files), {
      stdout: "a\nyes\n",
      stderr: "b\n",
      exitCode: 4,
      keepsRunning: false,
    });
  });
  test("touch then test -f; unknown commands exit 127; sleep keeps running", () => {
    const files = new Map<string, Buffer>();
    assert.equal(emulateCommand(["test", "-f", "/tmp/ready"], files).exitCode, 1);
    emulateCommand(["sh", "-c", "touch /tmp/ready"], files);
    assert.equal(emulateCommand(["test", "-f", "/tmp/ready"], files).exitCode, 0);
    assert.equal(emulateCommand(["frobnicate"], files).exitCode, 127);
    assert.equal(emulateCommand(["sh", "-c", "echo up; sleep 3600"], files).keepsRunning, true);
  });
});
