/**
 * Flotilla against Podman's Docker-compatible API, on a throwaway `podman system service` this file
 * starts and stops itself (test/support/throwaway-podman.ts; never the machine's Docker). One core
 * scenario: `up --wait` with a healthy dependency (Podman runs no healthchecks without systemd: the
 * adapter runs them), service-name DNS across two networks, containers attached by network id and a
 * second `up` that changes nothing, a named volume keeping its data across a recreate, `ps`, `top`,
 * piped stdin to a one-off container, and a `down -v` that leaves nothing of the project.
 *
 * Podman comes from Debian's `podman`, `catatonit`, `netavark` and `aardvark-dns` (scripts/engine.sh
 * installs them): when they are missing this test fails and says so, it is never
 * skipped for that. It skips, with the reason, only when not running as root.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { resolve } from "node:path";
import { Project } from "../../src/api/project.js";
import type { Engine } from "../../src/runtime/engine.js";
import { Label } from "../../src/runtime/labels.js";
import { ThrowawayPodman, podmanMissing, podmanNeedsRoot } from "../support/throwaway-podman.js";

const root = resolve(import.meta.dirname, "../../..");
const IMAGE = "flotilla-busybox:latest";
const name = `podman-${process.pid}`;

const doc = (version: string) => ({
  services: {
    db: {
      image: IMAGE,
      init: true,
      command: ["sh", "-c", "mkdir -p /www && echo db > /www/index.html && sleep 0.3 && touch /ready && exec httpd -f -p 80 -h /www"],
      healthcheck: { test: ["CMD", "test", "-f", "/ready"], interval: "500ms", retries: 20 },
      networks: ["back"],
    },
    app: {
      image: IMAGE,
      init: true,
      command: ["sleep", "3600"],
      environment: { VERSION: version },
      depends_on: { db: { condition: "service_healthy" } },
      volumes: ["data:/data"],
      networks: ["front", "back"],
    },
  },
  networks: { front: {}, back: {} },
  volumes: { data: {} },
});

const skip = podmanNeedsRoot();

describe("Flotilla on Podman (throwaway podman system service)", { skip }, () => {
  const podman = new ThrowawayPodman();
  const env = { PATH: process.env.PATH ?? "", DOCKER_HOST: podman.host };
  let engine: Engine;
  let p: Project | undefined;

  before(async () => {
    const missing = podmanMissing();
    if (missing) throw new Error(missing);
    await podman.start();
    await podman.buildBaseImage(IMAGE);
  });
  after(async () => {
    await p?.down({ volumes: true, removeOrphans: true, timeout: 0 }).catch(() => {});
    await podman.stop();
  });

  const load = (version: string) => Project.load({ cwd: root, projectName: name, env, documents: [doc(version)] });
  const project = { [Label.project]: name };

  test("up with a healthy dependency, networks by id, a volume across a recreate, ps, top, run with stdin, down leaves nothing", async () => {
    p = await load("1");
    engine = await p.engine();
    assert.equal((await engine.info()).flavor, "podman");

    // up --wait: db must turn healthy before app starts (the adapter runs Podman's healthchecks)
    const first = await p.up({ wait: true, waitTimeout: 60, timeout: 0 });
    assert.deepEqual(first.containers.map((c) => [c.name, c.action]).sort(), [
      [`${name}-app-1`, "create"],
      [`${name}-db-1`, "create"],
    ]);
    const ps = await p.ps();
    assert.deepEqual(ps.map((c) => [c.Service, c.State, c.Health]).sort(), [
      ["app", "running", ""],
      ["db", "running", "healthy"],
    ]);
    assert.match(ps.find((c) => c.Service === "db")!.Status, /^Up .* \(healthy\)$/);
    assert.equal(ps.find((c) => c.Service === "app")!.Image, IMAGE, "the image as written, not localhost/…");

    // service-name DNS over the shared network (aardvark-dns)
    const got = await p.exec("app", ["timeout", "5", "wget", "-qO-", "http://db/"]);
    assert.equal(got.stdout.trim(), "db", got.stderr);

    // attached by network id (Podman 4.3 reports names; the adapter maps them), and a second up changes nothing
    const app = (await engine.inspectContainer(`${name}-app-1`))!;
    for (const key of ["front", "back"]) {
      const net = (await engine.inspectNetwork(`${name}_${key}`))!;
      assert.equal(app.networks[net.name]?.networkId, net.id, `app on ${net.name} by id`);
    }
    const again = await p.up({ wait: true, waitTimeout: 60, timeout: 0 });
    assert.deepEqual(again.containers.map((c) => c.action).sort(), ["noop", "noop"]);

    // top reads Podman's own process table (no ps needed in the image), under Docker's titles
    const top = await p.top(["app"]);
    assert.deepEqual(top[0]!.processes.titles, ["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"]);
    const cmd = top[0]!.processes.titles.indexOf("CMD");
    assert.ok(cmd >= 0 && top[0]!.processes.processes.some((row) => /sleep 3600/.test(row[cmd] ?? "")), JSON.stringify(top));

    // a one-off container gets exactly the piped input on its stdin
    async function* input(): AsyncIterable<string> {
      yield "line one\n";
      yield "line two\n";
    }
    const out: string[] = [];
    const oneOff = await p.run("app", { command: ["cat"], stdin: input(), remove: true, noDeps: true, onOutput: (c) => void out.push(c.data.toString()) });
    assert.equal(oneOff.exitCode, 0);
    assert.equal(out.join(""), "line one\nline two\n");

    // the named volume keeps its data when a changed config recreates the container
    assert.equal((await p.exec("app", ["sh", "-c", "echo kept > /data/file"])).exitCode, 0);
    p = await load("2");
    const changed = await p.up({ wait: true, waitTimeout: 60, timeout: 0 });
    assert.deepEqual(changed.containers.map((c) => [c.name, c.action]).sort(), [
      [`${name}-app-1`, "recreate"],
      [`${name}-db-1`, "noop"],
    ]);
    assert.notEqual((await engine.inspectContainer(`${name}-app-1`))!.id, app.id);
    assert.equal((await p.exec("app", ["cat", "/data/file"])).stdout.trim(), "kept");

    // down -v: no container, network or volume of the project is left
    await p.down({ volumes: true, timeout: 0 });
    assert.deepEqual(await engine.listContainers({ labels: project, all: true }), []);
    assert.deepEqual(await engine.listNetworks({ labels: project }), []);
    assert.deepEqual(await engine.listVolumes({ labels: project }), []);
    p = undefined;
  });
});
