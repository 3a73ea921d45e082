/**
 * Build and pull against the real engine: a build with args and a .dockerignore, a failing build,
 * and a pull from a throw-away local registry (Debian's docker-registry on 127.0.0.1:<free port>).
 */
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { ComposeModel, LoadedProject, ServiceConfig } from "../../src/spec/model.js";
import type { Engine } from "../../src/runtime/engine.js";
import type { FlotillaEvent } from "../../src/events.js";
import { connectEngine } from "../../src/runtime/docker/index.js";
import { buildService, planImages, pullImage, runImageActions } from "../../src/runtime/images.js";
import { containerName, containerSpec, networkSpec, volumeSpec } from "../../src/runtime/convert.js";
import { isFlotillaError } from "../../src/errors.js";
import { freePort, startRegistry, type TestRegistry } from "../support/registry.js";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const suffix = `${process.pid.toString(36)}${Date.now().toString(36)}`;
const PROJECT = `flotilla-bp-${suffix}`;

function project(services: Record<string, ServiceConfig>, environment: Record<string, string> = {}): LoadedProject {
  const model: ComposeModel = { name: PROJECT, services, networks: {}, volumes: {}, secrets: {}, configs: {} };
  return { model, workingDir: ROOT, configFiles: [], envFiles: [], environment, profiles: [], disabledServices: {}, warnings: [] };
}

async function docker(...args: string[]): Promise<string> {
  const { stdout } = await run("docker", args, { timeout: 60_000 });
  return stdout;
}

let engine: Engine;
const images: string[] = [];
let registry: TestRegistry | undefined;

before(async () => {
  engine = await connectEngine(process.env);
});

after(async () => {
  for (const img of images) await docker("rmi", "-f", img).catch(() => undefined);
  await registry?.stop();
});

describe("build", () => {
  test("args (literal and from the environment) and .dockerignore reach the image", async () => {
    const p = project(
      { app: { build: { context: path.join(ROOT, "fixtures/build-args"), args: { GREETING: "hello", FROM_ENV: null } } } },
      { FROM_ENV: "from-the-env" },
    );
    const image = `${PROJECT}-app`;
    images.push(image);
    const events: FlotillaEvent[] = [];
    const id = await buildService(engine, p, "app", (e) => events.push(e));
    assert.match(id, /^sha256:[0-9a-f]{64}$/);
    const info = await engine.inspectImage(image);
    assert.equal(info?.id, id);
    assert.equal(info?.labels["com.docker.compose.image.builder"], "classic");
    assert.ok(events.some((e) => e.type === "progress" && e.kind === "build" && /Step \d+\/\d+/.test(e.text)), "build output becomes progress events");

    const out = await docker(
      "run", "--rm", image, "sh", "-c",
      "test ! -f /ctx/secret.txt && test ! -e /ctx/logs && test ! -f /ctx/x.tmp && test -f /ctx/keep.tmp && test -f /ctx/app.txt && cat /greeting /from_env",
    );
    assert.equal(out, "hello\nfrom-the-env\n");
  });

  test("a failing RUN step is BUILD_FAILED naming the service, with the build output", async () => {
    const p = project({ broken: { build: { context: path.join(ROOT, "fixtures/build-fail") } } });
    images.push(`${PROJECT}-broken`);
    await assert.rejects(buildService(engine, p, "broken"), (e: unknown) => {
      assert.ok(isFlotillaError(e), String(e));
      assert.equal(e.code, "BUILD_FAILED");
      assert.equal(e.service, "broken");
      assert.match(e.message, /about to fail/);
      return true;
    });
  });
});

describe("pull", () => {
  test("from a local registry, and PULL_FAILED for an unreachable one", async () => {
    registry = await startRegistry();
    const port = registry.port;

    const ref = `127.0.0.1:${port}/flotilla-busybox:pulltest-${suffix}`;
    images.push(ref);
    await docker("tag", "flotilla-busybox:latest", ref);
    await docker("push", ref);
    await docker("rmi", ref);
    assert.equal(await engine.inspectImage(ref), undefined, "the tag is gone locally before the pull");

    const events: FlotillaEvent[] = [];
    await pullImage(engine, "web", ref, (e) => events.push(e));
    assert.ok(await engine.inspectImage(ref), "the image is present after the pull");
    const statuses = events.flatMap((e) => (e.type === "resource" ? [e.status] : []));
    assert.deepEqual(statuses, ["Pulling", "Pulled"]);
    assert.ok(events.some((e) => e.type === "progress" && e.kind === "pull"));

    // The engine records when it pulled (LastTagTime); refresh pull policies measure from it.
    const pulledAt = Date.parse((await engine.inspectImage(ref))?.lastTagTime ?? "");
    assert.ok(Math.abs(pulledAt - Date.now()) < 120_000, `LastTagTime is the pull's time (got ${String(pulledAt)})`);
    const p = project({ daily: { image: ref, pull_policy: "daily" }, every: { image: ref, pull_policy: "every_2s" } });
    const soon = await planImages(p, ["daily", "every"], engine, { now: () => pulledAt + 1000 });
    assert.deepEqual(soon.map((a) => a.action), ["none", "none"]);
    const later = await planImages(p, ["daily", "every"], engine, { now: () => pulledAt + 3000 });
    assert.deepEqual(later.map((a) => `${a.action}: ${a.reason}`), ["none: image present, pulled 3s ago (pull_policy daily)", "pull: pull_policy every_2s: last pulled 3s ago"]);
    const again: FlotillaEvent[] = [];
    await runImageActions(later, engine, p, { onEvent: (e) => again.push(e) });
    assert.deepEqual(again.flatMap((e) => (e.type === "resource" ? [`${e.status} ${e.name}`] : [])), [`Pulling ${ref}`, `Pulled ${ref}`]);

    const deadPort = await freePort();
    await assert.rejects(pullImage(engine, "api", `127.0.0.1:${deadPort}/nothing:1`), (e: unknown) => {
      assert.ok(isFlotillaError(e), String(e));
      assert.equal(e.code, "PULL_FAILED");
      assert.equal(e.service, "api");
      assert.match(e.message, new RegExp(`127\\.0\\.0\\.1:${deadPort}/nothing:1`));
      assert.match(e.hint ?? "", /unreachable/);
      return true;
    });
  });
});

describe("convert", () => {
  test("a converted spec (networks, volumes, ports, healthcheck, tmpfs, resources) is accepted by the engine", async () => {
    const svc: ServiceConfig = {
      image: "flotilla-busybox:latest",
      command: ["sleep", "30"],
      init: true,
      environment: { MODE: "test" },
      ports: [{ mode: "ingress", host_ip: "127.0.0.1", target: 80, protocol: "tcp" }],
      volumes: [
        { type: "volume", source: "data", target: "/data" },
        { type: "volume", target: "/anon" },
        { type: "tmpfs", target: "/scratch", tmpfs: { size: "1m" } },
      ],
      tmpfs: ["/run/x:size=1m"],
      networks: { front: { aliases: ["www"] }, back: null },
      healthcheck: { test: ["CMD", "true"], interval: "1s", timeout: "1s", retries: 2 },
      mem_limit: "64m",
      stop_grace_period: "2s",
    };
    const model: ComposeModel = {
      name: PROJECT,
      services: { web: svc },
      networks: { front: { name: `${PROJECT}_front` }, back: { name: `${PROJECT}_back` } },
      volumes: { data: { name: `${PROJECT}_data` } },
      secrets: {},
      configs: {},
    };
    const p: LoadedProject = { ...project({}), model };
    const created: { containers: string[]; networks: string[]; volumes: string[] } = { containers: [], networks: [], volumes: [] };
    try {
      for (const [key, n] of Object.entries(model.networks)) {
        await engine.createNetwork(networkSpec(key, n, PROJECT));
        created.networks.push(n.name);
      }
      await engine.createVolume(volumeSpec("data", model.volumes["data"]!, PROJECT));
      created.volumes.push(`${PROJECT}_data`);
      const name = containerName(PROJECT, "web", 1, svc);
      const out = containerSpec(svc, "web", { project: PROJECT, service: "web", number: 1, name }, { project: p, configHash: "h" });
      assert.deepEqual(out.warnings, []);
      const id = await engine.createContainer(out.spec);
      created.containers.push(id);
      for (const n of out.extraNetworks) await engine.connectNetwork(n.name, id, n.endpoint);
      await engine.startContainer(id);
      const d = await engine.inspectContainer(id);
      assert.ok(d);
      assert.equal(d.state.running, true);
      assert.equal(d.labels["com.docker.compose.service"], "web");
      assert.deepEqual(Object.keys(d.networks).sort(), [`${PROJECT}_back`, `${PROJECT}_front`]);
      assert.ok(d.networks[`${PROJECT}_front`]?.aliases.includes("www"));
      assert.ok(d.networks[`${PROJECT}_back`]?.aliases.includes("web"));
      assert.ok(d.mounts.some((m) => m.name === `${PROJECT}_data` && m.destination === "/data"));
      const published = d.ports.find((b) => b.privatePort === 80 && b.publicPort !== undefined);
      assert.ok(published && published.publicPort! > 0, "an ephemeral host port was allocated");
    } finally {
      for (const c of created.containers) await engine.removeContainer(c, { force: true, volumes: true }).catch(() => undefined);
      for (const n of created.networks) await engine.removeNetwork(n).catch(() => undefined);
      for (const v of created.volumes) await engine.removeVolume(v, true).catch(() => undefined);
    }
  });
});
